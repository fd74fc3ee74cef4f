/* SPDX-License-Identifier: Apache-2.0 */
/* Deny by default: the spec model walker and the annotations module. */
#include "helpers.h"
#include "policy.h"
#include "spec_model.h"

static struct policy *policy;

static void load_default(void)
{
	oh_error_t err = NULL;
	cr_assert_eq(policy_load_default(&policy, &err), 0);
}

static void free_policy(void)
{
	policy_free(policy);
}

TestSuite(spec_model, .init = load_default, .fini = free_policy);

/* A config that complies: every required namespace, nothing unknown. */
#define COMPLIANT_LINUX                                                                            \
	"\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\"},{\"type\":\"ipc\"},"            \
	"{\"type\":\"uts\"},{\"type\":\"mount\"},{\"type\":\"cgroup\"}]"

/* The refusals of the "spec" and "annotations" rules, one line each as
 * "rule path lift", of hardening `text` by `p`. */
static char *refusals(const char *text, const struct policy *p)
{
	cleanup_json struct json *spec = test_parse(text);
	cleanup_report struct report report = {0};
	oh_error_t err = NULL;
	const struct test_host host = {0};
	cr_assert_eq(test_harden_spec(spec, p, &host, &report, &err), 0, "%s", err ? err->msg : "");
	struct strbuf out = {0};
	for (size_t i = 0; i < report.len; i++) {
		const struct decision *d = &report.items[i];
		if (d->kind != DECISION_REFUSE ||
		    (strcmp(d->rule, "spec") != 0 && strcmp(d->rule, "annotations") != 0))
			continue;
		cleanup_free char *lift = decision_lift_to_string(d);
		strbuf_appendf(&out, "%s %s %s\n", d->rule, d->path, lift ? lift : "-");
	}
	return strbuf_steal(&out);
}

Test(spec_model, the_table_is_sorted_and_every_path_found)
{
	for (size_t i = 1; i < spec_model_fields_len; i++)
		cr_assert_lt(strcmp(spec_model_fields[i - 1].path, spec_model_fields[i].path), 0);
	for (size_t i = 0; i < spec_model_fields_len; i++)
		cr_assert_eq(spec_model_find(spec_model_fields[i].path), &spec_model_fields[i]);
	cr_assert_null(spec_model_find("process.user.name"));
	cr_assert_eq(spec_model_find("mounts[].options[]")->verdict, SPEC_JUDGED);
	cr_assert_eq(spec_model_find("linux.intelRdt")->verdict, SPEC_REFUSED);
}

/* The walker goes down the tree: every field is the member, the items or
 * the map values of its parent, and only there. */
Test(spec_model, every_field_is_reached_from_its_parent)
{
	for (size_t i = 0; i < spec_model_fields_len; i++) {
		const struct spec_field *f = &spec_model_fields[i];
		const char *name = f->path + f->name_offset;
		cleanup_free char *parent_path = xstrndup(f->path, f->name_offset);
		const struct spec_field *parent = &spec_model_root;
		if (strcmp(name, "[]") == 0 || strcmp(name, "{}") == 0) {
			parent = spec_model_find(parent_path);
			cr_assert_not_null(parent, "%s", f->path);
			cr_assert_eq(*name == '[' ? spec_model_items(parent)
						  : spec_model_values(parent),
				     f, "%s", f->path);
			continue;
		}
		if (f->name_offset) {
			parent_path[f->name_offset - 1] = '\0'; /* the '.' */
			parent = spec_model_find(parent_path);
			cr_assert_not_null(parent, "%s", f->path);
		}
		cr_assert_eq(spec_model_member(parent, name), f, "%s", f->path);
	}
	cr_assert_null(spec_model_member(spec_model_find("process"), "terminalx"));
	cr_assert_null(spec_model_member(NULL, "process"));
	cr_assert_null(spec_model_items(spec_model_find("process.user")));
}

/* A key is one name: "process.terminal" at the top is not process's
 * terminal (Go's encoding/json ignores it), nor "mounts[]" the items of
 * mounts. Unknown, so refused. */
Test(spec_model, a_key_that_spells_a_model_path_is_unknown)
{
	cleanup_free char *got = refusals("{\"process.terminal\":true,\"mounts[]\":[],"
					  "\"linux\":{" COMPLIANT_LINUX ",\"sysctl{}\":{}}}",
					  policy);
	cr_assert_str_eq(got, "spec process.terminal \"allow.fields\" += [\"process.terminal\"]\n"
			      "spec mounts[] \"allow.fields\" += [\"mounts[]\"]\n"
			      "spec linux.sysctl{} \"allow.fields\" += [\"linux.sysctl{}\"]\n");
}

Test(spec_model, a_compliant_config_has_no_refusal)
{
	cleanup_free char *got = refusals(
	    "{\"ociVersion\":\"1.0.2\",\"process\":{\"user\":{\"uid\":1},\"args\":[\"sh\"],"
	    "\"cwd\":\"/\",\"env\":[\"A=b\"],\"consoleSize\":{\"height\":1,\"width\":2}},"
	    "\"root\":{\"path\":\"rootfs\"},\"hostname\":\"h\","
	    "\"annotations\":{\"io.kubernetes.cri.container-type\":\"container\",\"anything\":"
	    "\"x\"},"
	    "\"linux\":{" COMPLIANT_LINUX ",\"resources\":{\"memory\":{\"limit\":1},"
	    "\"rdma\":{\"mlx\":{\"hcaHandles\":1}}},\"maskedPaths\":[\"/proc/kcore\"]}}",
	    policy);
	cr_assert_str_eq(got, "");
}

Test(spec_model, an_unknown_field_is_refused_at_any_depth)
{
	cleanup_free char *got = refusals(
	    "{\"process\":{\"user\":{\"uid\":1},\"execCPUAffinity\":{\"initial\":\"0\"}},"
	    "\"newFeature\":true,\"linux\":{" COMPLIANT_LINUX ",\"memoryPolicy\":{\"mode\":\"x\"},"
	    "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"x\"],"
	    "\"action\":\"SCMP_ACT_ALLOW\",\"comment\":\"?\"}]}}}",
	    policy);
	cr_assert_str_eq(
	    got, "spec process.execCPUAffinity \"allow.fields\" += [\"process.execCPUAffinity\"]\n"
		 "spec newFeature \"allow.fields\" += [\"newFeature\"]\n"
		 "spec linux.memoryPolicy \"allow.fields\" += [\"linux.memoryPolicy\"]\n"
		 "spec linux.seccomp.syscalls[0].comment \"allow.fields\" += "
		 "[\"linux.seccomp.syscalls[].comment\"]\n");
}

Test(spec_model, a_field_spelled_as_go_would_read_it_is_refused_and_named)
{
	cleanup_json struct json *spec =
	    test_parse("{\"Process\":{\"user\":{\"uid\":0}},\"linux\":{" COMPLIANT_LINUX "}}");
	cleanup_report struct report report = {0};
	oh_error_t err = NULL;
	const struct test_host host = {0};
	cr_assert_eq(test_harden_spec(spec, policy, &host, &report, &err), 0);
	const struct decision *d = report_first_refusal(&report);
	cr_assert_not_null(d);
	cr_assert_str_eq(d->path, "Process");
	cr_assert(strstr(d->reason, "which runc would read as \"process\""), "%s", d->reason);
}

Test(spec_model, refused_fields_and_the_policy_that_allows_them)
{
	const char *text = "{\"process\":{\"user\":{\"uid\":1},\"selinuxLabel\":\"spc_t\"},"
			   "\"linux\":{" COMPLIANT_LINUX ",\"intelRdt\":{\"closID\":\"x\"},"
			   "\"personality\":{\"domain\":\"LINUX32\"}},\"x-new\":1}";
	cleanup_free char *got = refusals(text, policy);
	cr_assert_str_eq(
	    got, "spec process.selinuxLabel \"allow.fields\" += [\"process.selinuxLabel\"]\n"
		 "spec linux.intelRdt \"allow.fields\" += [\"linux.intelRdt\"]\n"
		 "spec linux.personality \"allow.fields\" += [\"linux.personality\"]\n"
		 "spec x-new \"allow.fields\" += [\"x-new\"]\n");
	cleanup_policy struct policy *lax = policy_clone(policy);
	string_list_add(&lax->allow.fields, "linux.intelRdt");
	string_list_add(&lax->allow.fields, "linux.personality");
	string_list_add(&lax->allow.fields, "process.selinuxLabel");
	string_list_add(&lax->allow.fields, "x-*");
	cleanup_free char *allowed = refusals(text, lax);
	cr_assert_str_eq(allowed, "");
}

Test(spec_model, other_platforms_are_ignored_whatever_they_hold)
{
	cleanup_free char *got =
	    refusals("{\"process\":{\"user\":{\"uid\":1}},\"linux\":{" COMPLIANT_LINUX "},"
		     "\"windows\":{\"anything\":{\"at\":1e999}},\"vm\":{\"x\":1}}",
		     policy);
	cr_assert_str_eq(got, "");
}

Test(spec_model, an_exec_process_is_walked_as_the_model_s_process)
{
	cleanup_json struct json *process =
	    test_parse("{\"user\":{\"uid\":1},\"args\":[\"sh\"],\"cwd\":\"/\",\"User\":{}}");
	cleanup_report struct report report = {0};
	oh_error_t err = NULL;
	cr_assert_eq(harden_process(process, NULL, policy, &(struct host_facts){0}, &report, &err),
		     0);
	const struct decision *d = report_first_refusal(&report);
	cr_assert_not_null(d);
	cr_assert_str_eq(d->path, "User");
	cleanup_free char *lift = decision_lift_to_string(d);
	cr_assert_str_eq(lift, "\"allow.fields\" += [\"process.User\"]");
}

Test(spec_model, annotations_a_runtime_acts_on_are_refused)
{
	const char *text =
	    "{\"process\":{\"user\":{\"uid\":1}},\"linux\":{" COMPLIANT_LINUX "},"
	    "\"annotations\":{\"run.oci.seccomp_bpf_data\":\"AAAA\",\"run.oci.keep_original_"
	    "groups\":"
	    "\"1\",\"org.systemd.property.DeviceAllow\":\"'char-* "
	    "rwm'\",\"org.criu.config\":\"/x\","
	    "\"module.wasm.image/variant\":\"compat\",\"io.kubernetes.cri.image-name\":\"x\","
	    "\"org.opencontainers.image.title\":\"t\"}}";
	cleanup_free char *got = refusals(text, policy);
	cr_assert_str_eq(
	    got,
	    "annotations annotations[\"run.oci.seccomp_bpf_data\"] \"allow.annotations\" += "
	    "[\"run.oci.seccomp_bpf_data\"]\n"
	    "annotations annotations[\"run.oci.keep_original_groups\"] \"allow.annotations\" += "
	    "[\"run.oci.keep_original_groups\"]\n"
	    "annotations annotations[\"org.systemd.property.DeviceAllow\"] "
	    "\"allow.annotations\" += [\"org.systemd.property.DeviceAllow\"]\n"
	    "annotations annotations[\"org.criu.config\"] \"allow.annotations\" += "
	    "[\"org.criu.config\"]\n"
	    "annotations annotations[\"module.wasm.image/variant\"] \"allow.annotations\" += "
	    "[\"module.wasm.image/variant\"]\n");
	cleanup_policy struct policy *lax = policy_clone(policy);
	string_list_add(&lax->allow.annotations, "run.oci.*");
	string_list_add(&lax->allow.annotations, "org.*");
	string_list_add(&lax->allow.annotations, "module.wasm.image/variant");
	cleanup_free char *allowed = refusals(text, lax);
	cr_assert_str_eq(allowed, "");
}

/* An exec's process file is walked from the model's "process": its model
 * paths (in the lift, and as allow.fields reads them) start there, its JSON
 * paths at the file's top. */
Test(spec_model, an_exec_process_is_walked_from_process)
{
	const char *text = "{\"args\":[\"sh\"],\"cwd\":\"/\",\"newThing\":{\"deeper\":1},"
			   "\"selinuxLabel\":\"x\",\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\","
			   "\"hard\":1,\"soft\":1,\"extra\":2}]}";
	struct policy *lax = NULL;
	oh_error_t err = NULL;
	cr_assert_eq(policy_load_default(&lax, &err), 0);
	string_list_add(&lax->allow.fields, "process.rlimits[].extra");
	const struct policy *policies[] = {policy, lax};
	const char *expected[] = {
	    "spec newThing \"allow.fields\" += [\"process.newThing\"]\n"
	    "spec selinuxLabel \"allow.fields\" += [\"process.selinuxLabel\"]\n"
	    "spec rlimits[0].extra \"allow.fields\" += [\"process.rlimits[].extra\"]\n",
	    "spec newThing \"allow.fields\" += [\"process.newThing\"]\n"
	    "spec selinuxLabel \"allow.fields\" += [\"process.selinuxLabel\"]\n",
	};
	for (size_t p = 0; p < ARRAY_SIZE(policies); p++) {
		cleanup_json struct json *process = test_parse(text);
		cleanup_report struct report report = {0};
		cr_assert_eq(harden_process(process, NULL, policies[p], &(struct host_facts){0},
					    &report, &err),
			     0, "%s", err ? err->msg : "");
		struct strbuf got = {0};
		for (size_t i = 0; i < report.len; i++) {
			const struct decision *d = &report.items[i];
			if (d->kind != DECISION_REFUSE || strcmp(d->rule, "spec") != 0)
				continue;
			cleanup_free char *lift = decision_lift_to_string(d);
			strbuf_appendf(&got, "%s %s %s\n", d->rule, d->path, lift ? lift : "-");
		}
		cr_expect_str_eq(got.buf ? got.buf : "", expected[p]);
		strbuf_free(&got);
	}
	policy_free(lax);
}
