/* SPDX-License-Identifier: Apache-2.0 */
/* The edit `oci-harden install` makes to containerd's config.toml, on the
 * shapes that file really has: what `containerd config default` of
 * containerd 1.6.20 prints (tests/fixtures/containerd/default-1.6.20.toml,
 * made by running it), Debian's packaged file, a hand-written one with
 * comments, CRLF line ends, files with the handler already there, version
 * 1, imports, broken TOML. tests/e2e/test_install.sh gives the results to
 * the real containerd. */
#include "containerd_config.h"
#include "helpers.h"
#include "toml_scan.h"

static const struct containerd_handler hardened[] = {
    {"hardened", "/usr/local/sbin/oci-harden"},
};
static const struct containerd_handler two_handlers[] = {
    {"hardened", "/usr/local/sbin/oci-harden"},
    {"hardened-web", "/usr/local/sbin/oci-harden@web"},
};

static struct containerd_install_request request_for(const struct containerd_handler *handlers,
						     size_t len)
{
	return (struct containerd_install_request){.handlers = handlers, .handlers_len = len};
}

/* Install into `text`; the edit must succeed. */
static void install_ok(const char *text, const struct containerd_install_request *request,
		       struct containerd_edit *out)
{
	oh_error_t err = NULL;
	int r = containerd_config_install("config.toml", text, strlen(text), request, out, &err);
	cr_assert_eq(r, 0, "install refused: %s", err ? err->msg : "?");
}

/* Install into `text`; the edit must be refused with `expected` in the
 * message. */
static void install_refused(const char *text, const char *expected)
{
	struct containerd_install_request request = request_for(hardened, 1);
	struct containerd_edit out = {0};
	oh_error_t err = NULL;
	int r = containerd_config_install("config.toml", text, strlen(text), &request, &out, &err);
	cr_assert_lt(r, 0, "install was not refused for:\n%s", text);
	cr_assert_not_null(strstr(err->msg, expected), "message \"%s\" lacks \"%s\"", err->msg,
			   expected);
	cr_assert_null(out.text);
	oh_error_free(&err);
}

/* The value of a key in a scanned document, as a string, or NULL. */
static const struct toml_entry *keyval_of(const struct toml_doc *doc, const char *const *path,
					  size_t len)
{
	return toml_doc_keyval(doc, path, len);
}

static size_t occurrences(const char *text, const char *needle)
{
	size_t n = 0;
	for (const char *p = strstr(text, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

#define HANDLER_PATH(name, ...)                                                                    \
	(const char *const[])                                                                      \
	{                                                                                          \
		"plugins", CONTAINERD_CRI_PLUGIN, "containerd", "runtimes", name, __VA_ARGS__      \
	}

/* Install then uninstall: the file is byte for byte what it was. Installing
 * twice changes nothing the second time. Returns the installed text. */
static char *round_trip(const char *text, size_t len,
			const struct containerd_install_request *request)
{
	struct containerd_edit installed = {0};
	oh_error_t err = NULL;
	cr_assert_eq(containerd_config_install("config.toml", text, len, request, &installed, &err),
		     0, "%s", err ? err->msg : "");
	cr_assert(installed.changed);
	cr_assert_eq(installed.len, len + strlen(installed.block));
	cr_assert_eq(memcmp(installed.text, text, len), 0, "the original text must stay in front");

	struct containerd_install_request again = *request;
	again.previous_block = installed.block;
	struct containerd_edit second = {0};
	cr_assert_eq(containerd_config_install("config.toml", installed.text, installed.len, &again,
					       &second, &err),
		     0, "%s", err ? err->msg : "");
	cr_assert_not(second.changed, "a second install must change nothing");
	cr_assert_eq(second.len, installed.len);
	cr_assert_eq(memcmp(second.text, installed.text, installed.len), 0);
	cr_assert_str_eq(second.block, installed.block);

	struct containerd_edit removed = {0};
	cr_assert_eq(containerd_config_uninstall("config.toml", installed.text, installed.len,
						 installed.block, false, &removed, &err),
		     0, "%s", err ? err->msg : "");
	cr_assert(removed.changed);
	cr_assert_eq(removed.len, len);
	cr_assert_eq(memcmp(removed.text, text, len), 0, "uninstall must restore every byte");

	char *result = steal_pointer(&installed.text);
	containerd_edit_clear(&installed);
	containerd_edit_clear(&second);
	containerd_edit_clear(&removed);
	return result;
}

Test(containerd_config, default_config_of_containerd_1_6)
{
	size_t len;
	cleanup_free char *text = test_read_fixture("containerd/default-1.6.20.toml", &len);
	struct containerd_install_request request = request_for(hardened, 1);
	cleanup_free char *installed = round_trip(text, len, &request);

	cleanup_toml_doc struct toml_doc doc = {0};
	oh_error_t err = NULL;
	cr_assert_eq(toml_scan(installed, strlen(installed), "installed", &doc, &err), 0, "%s",
		     err ? err->msg : "");
	const struct toml_entry *type =
	    keyval_of(&doc, HANDLER_PATH("hardened", "runtime_type"), 6);
	cr_assert_not_null(type);
	cr_assert_str_eq(type->string, CONTAINERD_RUNC_SHIM);
	const struct toml_entry *binary =
	    keyval_of(&doc, HANDLER_PATH("hardened", "options", "BinaryName"), 7);
	cr_assert_not_null(binary);
	cr_assert_str_eq(binary->string, "/usr/local/sbin/oci-harden");
	/* runc is there already, with SystemdCgroup = false: nothing copied. */
	cr_assert_null(keyval_of(&doc, HANDLER_PATH("hardened", "options", "SystemdCgroup"), 7));
	cr_assert_not_null(strstr(installed, "\n\n# oci-harden install: begin."));
}

Test(containerd_config, debian_config_gets_runc_back)
{
	size_t len;
	cleanup_free char *text = test_read_fixture("containerd/debian-1.6.20.toml", &len);
	struct containerd_install_request request = request_for(hardened, 1);
	struct containerd_edit out = {0};
	install_ok(text, &request, &out);
	cr_assert(out.runc_added, "a file that names no runtime must get runc with the block");
	cleanup_toml_doc struct toml_doc doc = {0};
	oh_error_t err = NULL;
	cr_assert_eq(toml_scan(out.text, out.len, "installed", &doc, &err), 0);
	const struct toml_entry *runc = keyval_of(&doc, HANDLER_PATH("runc", "runtime_type"), 6);
	cr_assert_not_null(runc);
	cr_assert_str_eq(runc->string, CONTAINERD_RUNC_SHIM);
	containerd_edit_clear(&out);
	cleanup_free char *installed = round_trip(text, len, &request);
}

Test(containerd_config, comments_mirrors_and_systemd_cgroup)
{
	size_t len;
	cleanup_free char *text =
	    test_read_fixture("containerd/kubeadm-systemd-commented.toml", &len);
	struct containerd_install_request request = request_for(two_handlers, 2);
	cleanup_free char *installed = round_trip(text, len, &request);
	cleanup_toml_doc struct toml_doc doc = {0};
	oh_error_t err = NULL;
	cr_assert_eq(toml_scan(installed, strlen(installed), "installed", &doc, &err), 0, "%s",
		     err ? err->msg : "");
	/* The commented-out handler did not count as one; runc's systemd
	 * cgroup driver is repeated for both handlers. */
	for (size_t i = 0; i < ARRAY_SIZE(two_handlers); i++) {
		const struct toml_entry *cgroup = keyval_of(
		    &doc, HANDLER_PATH(two_handlers[i].name, "options", "SystemdCgroup"), 7);
		cr_assert_not_null(cgroup, "%s", two_handlers[i].name);
		cr_assert(cgroup->boolean);
		const struct toml_entry *binary =
		    keyval_of(&doc, HANDLER_PATH(two_handlers[i].name, "options", "BinaryName"), 7);
		cr_assert_str_eq(binary->string, two_handlers[i].binary_name);
	}
	cr_assert_null(strstr(installed, "named no runtime handler"));
}

Test(containerd_config, systemd_cgroup_comes_from_the_default_handler)
{
	const char *text = "version = 2\n"
			   "[plugins.\"io.containerd.grpc.v1.cri\".containerd]\n"
			   "  default_runtime_name = \"crun\"\n"
			   "[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc]\n"
			   "  runtime_type = \"io.containerd.runc.v2\"\n"
			   "[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.crun]\n"
			   "  runtime_type = \"io.containerd.runc.v2\"\n"
			   "  options.SystemdCgroup = true\n";
	struct containerd_install_request request = request_for(hardened, 1);
	struct containerd_edit out = {0};
	install_ok(text, &request, &out);
	cr_assert(out.systemd_cgroup);
	containerd_edit_clear(&out);
}

Test(containerd_config, crlf_files_get_crlf_lines)
{
	size_t len;
	cleanup_free char *text = test_read_fixture("containerd/crlf.toml", &len);
	struct containerd_install_request request = request_for(hardened, 1);
	cleanup_free char *installed = round_trip(text, len, &request);
	const char *block = installed + len;
	for (const char *p = strchr(block, '\n'); p; p = strchr(p + 1, '\n'))
		cr_assert_eq(p[-1], '\r', "every line of the block ends in CRLF");
}

Test(containerd_config, no_final_newline)
{
	const char *text =
	    "version = 2\n[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes."
	    "runc]\n  runtime_type = \"io.containerd.runc.v2\"";
	struct containerd_install_request request = request_for(hardened, 1);
	cleanup_free char *installed = round_trip(text, strlen(text), &request);
	cr_assert_not_null(strstr(installed, "runc.v2\"\n\n# oci-harden install: begin."));
}

Test(containerd_config, a_missing_file_is_created_and_removed_again)
{
	struct containerd_install_request request = request_for(hardened, 1);
	request.file_missing = true;
	struct containerd_edit out = {0};
	install_ok("", &request, &out);
	cr_assert(out.changed);
	cr_assert(out.runc_added);
	cr_assert_eq(strncmp(out.text, "version = 2\n\n# oci-harden install: begin.", 41), 0, "%s",
		     out.text);
	struct containerd_edit removed = {0};
	oh_error_t err = NULL;
	cr_assert_eq(containerd_config_uninstall("config.toml", out.text, out.len, out.block, true,
						 &removed, &err),
		     0);
	cr_assert(removed.remove_file);
	/* Something else added since: the file stays, without the block. */
	cleanup_free char *edited = xasprintf("%sdisabled_plugins = []\n", out.text);
	containerd_edit_clear(&removed);
	cr_assert_eq(containerd_config_uninstall("config.toml", edited, strlen(edited), out.block,
						 true, &removed, &err),
		     0);
	cr_assert_not(removed.remove_file);
	cr_assert_str_eq(removed.text, "version = 2\ndisabled_plugins = []\n");
	containerd_edit_clear(&removed);
	containerd_edit_clear(&out);
	oh_error_free(&err);
}

Test(containerd_config, changed_handlers_replace_the_block)
{
	size_t len;
	cleanup_free char *text = test_read_fixture("containerd/default-1.6.20.toml", &len);
	struct containerd_install_request one = request_for(hardened, 1);
	struct containerd_edit first = {0};
	install_ok(text, &one, &first);
	/* An operator line after the block stays where it is. */
	cleanup_free char *with_more = xasprintf("%s# added later\n", first.text);

	struct containerd_install_request two = request_for(two_handlers, 2);
	two.previous_block = first.block;
	struct containerd_edit second = {0};
	install_ok(with_more, &two, &second);
	cr_assert(second.changed);
	cr_assert_not_null(strstr(second.text, "runtimes.hardened-web]"));
	cr_assert_eq(occurrences(second.text, "# oci-harden install: begin."), 1);
	cr_assert_not_null(strstr(second.text, "# added later\n"));

	oh_error_t err = NULL;
	struct containerd_edit removed = {0};
	cr_assert_eq(containerd_config_uninstall("config.toml", second.text, second.len,
						 second.block, false, &removed, &err),
		     0);
	cleanup_free char *expected = xasprintf("%s# added later\n", text);
	cr_assert_str_eq(removed.text, expected);
	containerd_edit_clear(&first);
	containerd_edit_clear(&second);
	containerd_edit_clear(&removed);
}

Test(containerd_config, refuses_a_handler_that_is_already_there)
{
	install_refused("version = 2\n"
			"[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.hardened]\n"
			"  runtime_type = \"io.containerd.runc.v2\"\n",
			"config.toml:2: the runtime handler \"hardened\" is already configured");
	/* However its key is spelled. */
	install_refused("version = 2\n"
			"[plugins.'io.containerd.grpc.v1.cri'.containerd.runtimes.\"hardened\"."
			"options]\n"
			"  BinaryName = \"/usr/bin/runc\"\n",
			"already configured");
	install_refused("version = 2\n"
			"[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes]\n"
			"  hardened.runtime_type = \"io.containerd.runc.v2\"\n",
			"config.toml:3: the runtime handler \"hardened\"");
}

Test(containerd_config, refuses_other_config_versions)
{
	install_refused("[plugins.cri.containerd]\n  snapshotter = \"overlayfs\"\n",
			"no \"version = 2\"");
	install_refused("version = 1\n[plugins.cri]\n", "config.toml:1: version = 1");
	install_refused("version = 3\n", "version = 3");
	install_refused("version = \"2\"\n", "must be an integer");
	/* An empty file is a version 1 file to containerd. */
	install_refused("", "no \"version = 2\"");
}

Test(containerd_config, refuses_a_disabled_cri_plugin)
{
	install_refused("version = 2\ndisabled_plugins = [\"io.containerd.grpc.v1.cri\"]\n",
			"config.toml:2: disabled_plugins disables the CRI plugin");
}

Test(containerd_config, refuses_runtimes_it_cannot_add_to)
{
	install_refused(
	    "version = 2\n"
	    "[plugins.\"io.containerd.grpc.v1.cri\".containerd]\n"
	    "  runtimes = { runc = { runtime_type = \"io.containerd.runc.v2\" } }\n",
	    "config.toml:3: plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes is "
	    "written as a value");
	install_refused("version = 2\n"
			"[plugins.\"io.containerd.grpc.v1.cri\"]\n"
			"  containerd.runtimes.runc.runtime_type = \"io.containerd.runc.v2\"\n",
			"written with dotted keys");
	install_refused("version = 2\n"
			"plugins.\"io.containerd.grpc.v1.cri\".sandbox_image = \"pause\"\n",
			"dotted keys");
}

Test(containerd_config, refuses_broken_toml_naming_the_line)
{
	static const char *const cases[][2] = {
	    {"version = 2\n[plugins\n", "config.toml:2: expected ']'"},
	    {"version = 2\nroot = \"/var/lib\n", "config.toml:2: an unterminated string"},
	    {"version = 2\n[a]\nx = 1\n[a]\n", "config.toml:4: a is defined twice (line 2)"},
	    {"version = 2\n[a]\nx = 1\nx = 2\n", "config.toml:4: a.x is defined twice"},
	    {"version = 2\nroot = \"/x\" root2\n", "config.toml:2: unexpected text"},
	    {"version = 2\njust some words\n", "config.toml:2: expected '='"},
	    {"version = 2\nx = [1, 2\n", "config.toml:2: an unterminated array"},
	    {"version = 2\nx = \"\"\"never closed\n", "config.toml:2: an unterminated multi-line"},
	    {"version = 2\nx = 1\n[x.y]\n", "x is a value (line 2)"},
	    {"version = 2\n[t]\na.b = 1\n[t.a]\n", "config.toml:4: the table t.a was already"},
	    {"version = 2\r\nx = 1\r", "a carriage return"},
	    {"version = 2\nx = \"\\q\"\n", "an unknown escape"},
	    {"version = 2\nx = bareword\n", "expected a value"},
	    {"version = 2\n[[proxy]]\n", "an array of tables"},
	    {"version = 2\nx = { a = 1, a = 2 }\n", "a key defined twice in an inline table"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		install_refused(cases[i][0], cases[i][1]);
}

Test(containerd_config, text_that_only_looks_like_a_handler_is_not_one)
{
	/* A multi-line string and a comment that hold a header. */
	const char *text =
	    "version = 2\n"
	    "# [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.hardened]\n"
	    "[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc]\n"
	    "  runtime_type = \"io.containerd.runc.v2\"\n"
	    "  base_runtime_spec = '''\n"
	    "[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.hardened]\n"
	    "'''\n"
	    "  pod_annotations = [\"a]\", 'b#', \"\\\"]\"]  # a ] and a # in strings\n"
	    "  when = 1979-05-27 07:32:00\n";
	struct containerd_install_request request = request_for(hardened, 1);
	cleanup_free char *installed = round_trip(text, strlen(text), &request);
}

Test(containerd_config, uninstall_refuses_a_block_edited_by_hand)
{
	size_t len;
	cleanup_free char *text = test_read_fixture("containerd/default-1.6.20.toml", &len);
	struct containerd_install_request request = request_for(hardened, 1);
	struct containerd_edit out = {0};
	install_ok(text, &request, &out);
	char *binary = strstr(out.text, "/usr/local/sbin/oci-harden");
	cr_assert_not_null(binary);
	binary[1] = 'U';
	struct containerd_edit removed = {0};
	oh_error_t err = NULL;
	cr_assert_lt(containerd_config_uninstall("config.toml", out.text, out.len, out.block, false,
						 &removed, &err),
		     0);
	cr_assert_not_null(strstr(err->msg, "edited by hand"), "%s", err->msg);
	cr_assert_null(removed.text);
	oh_error_free(&err);

	/* And install, given the record, refuses too rather than add a second
	 * block beside the edited one. */
	request.previous_block = out.block;
	cr_assert_lt(
	    containerd_config_install("config.toml", out.text, out.len, &request, &removed, &err),
	    0);
	cr_assert_not_null(strstr(err->msg, "marker lines"), "%s", err->msg);
	oh_error_free(&err);
	containerd_edit_clear(&out);

	/* A block that is gone entirely is nothing to remove. */
	cr_assert_eq(containerd_config_uninstall("config.toml", text, len,
						 "# oci-harden install: "
						 "begin. x\n",
						 false, &removed, &err),
		     0);
	cr_assert_not(removed.changed);
	containerd_edit_clear(&removed);
}

Test(containerd_config, refuses_bad_handler_names)
{
	static const struct containerd_handler bad[][1] = {
	    {{"Hardened", "/usr/local/sbin/oci-harden"}},
	    {{"hardened]\n[x", "/usr/local/sbin/oci-harden"}},
	    {{"hardened", "oci-harden"}},
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct containerd_install_request request = request_for(bad[i], 1);
		struct containerd_edit out = {0};
		oh_error_t err = NULL;
		cr_assert_lt(containerd_config_install("config.toml", "version = 2\n", 12, &request,
						       &out, &err),
			     0);
		oh_error_free(&err);
	}
}

Test(containerd_config, imports)
{
	struct string_list imports = {0};
	oh_error_t err = NULL;
	const char *text = "version = 2\nimports = [\"/etc/containerd/conf.d/*.toml\", "
			   "'extra.toml']\n";
	cr_assert_eq(containerd_config_imports("config.toml", text, strlen(text), &imports, &err),
		     0);
	cr_assert_eq(imports.len, 2);
	cr_assert_str_eq(imports.items[0], "/etc/containerd/conf.d/*.toml");
	cr_assert_str_eq(imports.items[1], "extra.toml");
	string_list_clear(&imports);

	const char *cri_section = "version = 2\n[plugins.\"io.containerd.grpc.v1.cri\"]\n";
	cr_assert_lt(
	    containerd_config_check_import("10-cri.toml", cri_section, strlen(cri_section), &err),
	    0);
	cr_assert_not_null(strstr(err->msg, "10-cri.toml:2: configures the CRI plugin"), "%s",
			   err->msg);
	oh_error_free(&err);
	const char *other = "version = 2\n[plugins.\"io.containerd.gc.v1.scheduler\"]\n"
			    "  pause_threshold = 0.02\n";
	cr_assert_eq(containerd_config_check_import("gc.toml", other, strlen(other), &err), 0);
}
