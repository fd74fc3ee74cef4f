/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: hardening a config (src/harden.c and src/harden/).
 *
 * Each input is read as a config.json is (JSON_PARSE_GO_STRICT) and, when it
 * is an object, hardened by the embedded default policy under two sets of
 * made-up host facts (no I/O: namespaces under /proc/1/ are the host's, the
 * rest are other processes'). The input, and its "process" object if it
 * has one, are also hardened as an exec --process file would be.
 *
 * When the hardening succeeds and refuses nothing, the result is what runc
 * would run, so it must satisfy the policy as runc will read it (keys
 * matched the way Go's encoding/json matches them):
 *   - the process runs as neither uid 0 nor gid 0, and gid 0 is not among
 *     its additional groups, inside its user namespace or on the host
 *     (through linux.uidMappings and gidMappings);
 *   - noNewPrivileges is true;
 *   - no capability outside the allowlist is left in any set;
 *   - linux.seccomp is there and denies by default; no syscall the
 *     default profile denies is let through by any rule; no syscall is in
 *     a rule without conditions and in a rule of another action (which
 *     runc and crun would leave to libseccomp's order); and every syscall
 *     the config's own profile denied whatever the arguments is still
 *     denied;
 *   - the root is read-only; pid, network, ipc, uts and mount namespaces
 *     are the container's own;
 *   - no bind mount gives it the host's /, /etc, /proc, /sys, /dev, /boot
 *     or /root, its source resolved as the kernel resolves it (on a made-up
 *     host filesystem with a few symlinks);
 *   - the result, written as oci-harden writes it, is read back by
 *     oci-harden itself, and hardening it again changes nothing.
 * In audit mode the config is not touched at all. A broken promise aborts,
 * which libFuzzer reports as a crash. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harden.h"
#include "json.h"
#include "policy.h"
#include "report.h"
#include "../unit/fake_host.h"

static struct policy *enforce_policy;
static struct policy *audit_policy;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	oh_error_t err = NULL;
	if (policy_load_default(&enforce_policy, &err) < 0) {
		fprintf(stderr, "fuzz_harden: %s\n", err->msg);
		abort();
	}
	audit_policy = policy_clone(enforce_policy);
	audit_policy->mode = POLICY_AUDIT;
	return 0;
}

static void fuzz_fail(const char *what, const struct json *spec)
{
	char *text = spec ? json_to_string(spec, false) : NULL;
	fprintf(stderr, "fuzz_harden: invariant broken: %s\n", what);
	if (text)
		fprintf(stderr, "fuzz_harden: hardened: %.4000s\n", text);
	free(text);
	abort();
}

/* Made-up host: /proc/1/ns/... is the host's, another pid's is not, and
 * anything else cannot be told. */
static int fake_namespace_is_host(const char *type, const char *path)
{
	(void)type;
	if (strncmp(path, "/proc/1/", 8) == 0)
		return 1;
	if (strncmp(path, "/proc/", 6) == 0 && path[6] >= '2' && path[6] <= '9')
		return 0;
	return -1;
}

/* Made-up host filesystem: a few symlinks, /missing/... does not exist,
 * everything else is a directory. Paths resolve as the kernel (and
 * realpath(3)) resolves them: component by component, a symlink replaced
 * by its target, ".." going up from where the walk really is. */
static const struct {
	const char *path, *target;
} fake_symlinks[] = {
    {"/hostlink", "/etc"},
    {"/tmp/l", "/etc/ssl"},
    {"/tmp/up", "../.."},
    {"/var/run", "/run"},
};

static char *fake_physical_path(const char *path)
{
	struct strbuf todo = {0}, done = {0};
	strbuf_puts(&todo, path);
	size_t pos = 0;
	int links = 0;
	strbuf_putc(&done, '/');
	done.len = 0;
	done.buf[0] = '\0';
	while (pos < todo.len) {
		size_t end = pos;
		while (end < todo.len && todo.buf[end] != '/')
			end++;
		size_t n = end - pos;
		const char *c = todo.buf + pos;
		pos = end < todo.len ? end + 1 : end;
		if (n == 0 || (n == 1 && c[0] == '.'))
			continue;
		if (n == 2 && c[0] == '.' && c[1] == '.') {
			while (done.len > 0 && done.buf[done.len - 1] != '/')
				done.len--;
			if (done.len > 0)
				done.len--;
			done.buf[done.len] = '\0';
			continue;
		}
		size_t before = done.len;
		strbuf_putc(&done, '/');
		strbuf_append(&done, c, n);
		for (size_t i = 0; i < sizeof(fake_symlinks) / sizeof(fake_symlinks[0]); i++) {
			if (strcmp(done.buf, fake_symlinks[i].path) != 0 || links++ > 40)
				continue;
			/* Replace the link by its target, then the rest. */
			const char *target = fake_symlinks[i].target;
			char *rest = xstrdup(todo.buf + pos);
			todo.len = 0;
			strbuf_puts(&todo, target);
			strbuf_putc(&todo, '/');
			strbuf_puts(&todo, rest);
			free(rest);
			pos = 0;
			done.len = target[0] == '/' ? 0 : before;
			done.buf[done.len] = '\0';
			break;
		}
	}
	strbuf_free(&todo);
	if (done.len == 0)
		strbuf_putc(&done, '/');
	return strbuf_steal(&done);
}

static char *fake_resolve_host_path(const char *path)
{
	if (strncmp(path, "/missing", 8) == 0)
		return NULL;
	return fake_physical_path(path);
}

static const struct test_host hosts[] = {
    {
	.apparmor_enabled = false,
	.namespace_is_host = fake_namespace_is_host,
	.resolve = fake_resolve_host_path,
    },
    {
	.apparmor_enabled = true,
	.apparmor_profile_loaded = true,
	.namespace_is_host = NULL,
	.resolve = NULL,
    },
};

/* Harden against a pretend host: its facts for exactly what `input` asks. */
static int fuzz_harden_with(struct json *input, bool whole_spec, const struct policy *policy,
			    const struct test_host *host, struct report *report, oh_error_t *err)
{
	struct host_facts facts;
	test_host_facts(host, whole_spec ? input : NULL, &facts);
	int r = whole_spec ? harden_spec(input, policy, &facts, report, err)
			   : harden_process(input, NULL, policy, &facts, report, err);
	host_facts_clear(&facts);
	return r;
}

/* Whether Go's encoding/json matches `key` to the ASCII field name `field`
 * (decode.go: bytes.EqualFold-style folding). Only two non-ASCII code
 * points fold to ASCII: U+017F LONG S to 's' and U+212A KELVIN SIGN to 'k'.
 * An oracle of the fuzzer's own, independent of the spec model. */
static bool go_key_matches(const char *key, const char *field)
{
	const unsigned char *k = (const unsigned char *)key;
	for (const char *f = field; *f; f++) {
		char want = (char)tolower((unsigned char)*f);
		if (k[0] < 0x80 && tolower(k[0]) == want) {
			k += 1;
		} else if (want == 's' && k[0] == 0xc5 && k[1] == 0xbf) {
			k += 2;
		} else if (want == 'k' && k[0] == 0xe2 && k[1] == 0x84 && k[2] == 0xaa) {
			k += 3;
		} else {
			return false;
		}
	}
	return *k == '\0';
}

/* The member of `object` Go's decoder would fill a field called `field`
 * with: the last key matching it under Go's folding. null is absent, as
 * json_object_get has it. */
static const struct json *go_get(const struct json *object, const char *field)
{
	if (!object || object->type != JSON_OBJECT)
		return NULL;
	const struct json *found = NULL;
	for (size_t i = 0; i < object->object.len; i++)
		if (go_key_matches(object->object.members[i].key, field))
			found = object->object.members[i].value;
	return found && found->type != JSON_NULL ? found : NULL;
}

static bool is_true(const struct json *v)
{
	return v && v->type == JSON_BOOL && v->boolean;
}

/* A number runc reads into a uint32 as 0. Go's decoder takes only an
 * integer literal for an unsigned field, so "0" is the one spelling. */
static bool is_id_zero(const struct json *v)
{
	uint64_t n;
	return !v || (v->type == JSON_NUMBER && json_number_uint64(v, &n) && n == 0);
}

/* "CAP_" and upper case letters and underscores: a name runc may know. */
static bool looks_like_capability(const struct json *v)
{
	if (v->type != JSON_STRING || v->string.len < 5 || strncmp(v->string.ptr, "CAP_", 4) != 0)
		return false;
	for (size_t i = 4; i < v->string.len; i++) {
		char c = v->string.ptr[i];
		if (!((c >= 'A' && c <= 'Z') || c == '_'))
			return false;
	}
	return true;
}

static void check_process(const struct json *process, const struct policy *policy,
			  const struct json *whole)
{
	const struct json *user = go_get(process, "user");
	if (!user || user->type != JSON_OBJECT)
		fuzz_fail("process.user is missing (runc runs that as uid 0)", whole);
	if (is_id_zero(go_get(user, "uid")) || is_id_zero(go_get(user, "gid")))
		fuzz_fail("process runs as uid or gid 0", whole);
	const struct json *groups = go_get(user, "additionalGids");
	for (size_t i = 0; groups && groups->type == JSON_ARRAY && i < groups->array.len; i++)
		if (is_id_zero(groups->array.items[i]))
			fuzz_fail("gid 0 in additionalGids", whole);

	if (!is_true(go_get(process, "noNewPrivileges")))
		fuzz_fail("noNewPrivileges is not true", whole);

	const struct json *caps = go_get(process, "capabilities");
	static const char *const sets[] = {"bounding", "effective", "inheritable", "permitted",
					   "ambient"};
	for (size_t s = 0; caps && s < sizeof(sets) / sizeof(sets[0]); s++) {
		const struct json *set = go_get(caps, sets[s]);
		for (size_t i = 0; set && set->type == JSON_ARRAY && i < set->array.len; i++) {
			const struct json *cap = set->array.items[i];
			if (looks_like_capability(cap) &&
			    !string_list_contains(&policy->capabilities, cap->string.ptr))
				fuzz_fail("a capability outside the allowlist is left", whole);
		}
	}
}

/* `path` is `dir` or inside it. */
static bool path_within(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* No bind mount gives the container the host's root, /etc, or anything of
 * /proc, /sys, /dev, /boot, /root, as the kernel will resolve its source on
 * the made-up host (the product may refuse more: this is the core of what
 * it promises). Relative sources resolve in the bundle: not modelled. */
static void check_bind_mounts(const struct json *spec)
{
	const struct json *mounts = go_get(spec, "mounts");
	for (size_t i = 0; mounts && mounts->type == JSON_ARRAY && i < mounts->array.len; i++) {
		const struct json *m = mounts->array.items[i];
		const struct json *type = go_get(m, "type");
		const struct json *source = go_get(m, "source");
		const struct json *options = go_get(m, "options");
		bool bind =
		    type && type->type == JSON_STRING && strcmp(type->string.ptr, "bind") == 0;
		for (size_t o = 0; options && options->type == JSON_ARRAY && o < options->array.len;
		     o++) {
			const struct json *opt = options->array.items[o];
			if (opt->type == JSON_STRING && (strcmp(opt->string.ptr, "bind") == 0 ||
							 strcmp(opt->string.ptr, "rbind") == 0))
				bind = true;
		}
		if (!bind || !source || source->type != JSON_STRING ||
		    source->string.ptr[0] != '/' ||
		    strlen(source->string.ptr) != source->string.len)
			continue;
		char *real = fake_physical_path(source->string.ptr);
		static const char *const whole[] = {"/proc", "/sys", "/dev", "/boot", "/root"};
		bool bad = path_within("/etc", real) || strcmp(real, "/usr") == 0;
		for (size_t w = 0; w < sizeof(whole) / sizeof(whole[0]); w++)
			bad = bad || path_within(real, whole[w]);
		if (bad) {
			fprintf(stderr,
				"fuzz_harden: mounts[%zu] binds %s, which is %s on the host\n", i,
				source->string.ptr, real);
			free(real);
			fuzz_fail("a bind mount gives the container a sensitive host path", spec);
		}
		free(real);
	}
}

/* `id` inside the user namespace as the host sees it, by `mappings`
 * ({containerID, hostID, size}); false when it is not mapped. */
static bool id_to_host(uint64_t id, const struct json *mappings, uint64_t *host)
{
	for (size_t i = 0; mappings && mappings->type == JSON_ARRAY && i < mappings->array.len;
	     i++) {
		const struct json *m = mappings->array.items[i];
		uint64_t inside, outside, size;
		const struct json *a = go_get(m, "containerID"), *b = go_get(m, "hostID"),
				  *c = go_get(m, "size");
		if (!a || !b || !c || a->type != JSON_NUMBER || b->type != JSON_NUMBER ||
		    c->type != JSON_NUMBER || !json_number_uint64(a, &inside) ||
		    !json_number_uint64(b, &outside) || !json_number_uint64(c, &size))
			continue;
		if (id >= inside && id - inside < size) {
			*host = outside + (id - inside);
			return true;
		}
	}
	return false;
}

/* With a user namespace, what root became may still be root on the host. */
static void check_user_namespace(const struct json *spec)
{
	const struct json *linux_obj = go_get(spec, "linux");
	const struct json *namespaces = go_get(linux_obj, "namespaces");
	bool userns = false;
	for (size_t i = 0;
	     namespaces && namespaces->type == JSON_ARRAY && i < namespaces->array.len; i++) {
		const struct json *type = go_get(namespaces->array.items[i], "type");
		userns = userns || (type && type->type == JSON_STRING &&
				    strcmp(type->string.ptr, "user") == 0);
	}
	if (!userns)
		return;
	const struct json *user = go_get(go_get(spec, "process"), "user");
	const struct json *ids[] = {go_get(user, "uid"), go_get(user, "gid")};
	const char *maps[] = {"uidMappings", "gidMappings"};
	for (size_t k = 0; k < 2; k++) {
		uint64_t id, host;
		if (ids[k] && ids[k]->type == JSON_NUMBER && json_number_uint64(ids[k], &id) &&
		    id_to_host(id, go_get(linux_obj, maps[k]), &host) && host == 0)
			fuzz_fail("the process's uid or gid is 0 on the host (user namespace)",
				  spec);
	}
	const struct json *groups = go_get(user, "additionalGids");
	for (size_t i = 0; groups && groups->type == JSON_ARRAY && i < groups->array.len; i++) {
		uint64_t id, host;
		if (groups->array.items[i]->type == JSON_NUMBER &&
		    json_number_uint64(groups->array.items[i], &id) &&
		    id_to_host(id, go_get(linux_obj, "gidMappings"), &host) && host == 0)
			fuzz_fail("an additional gid is 0 on the host (user namespace)", spec);
	}
}

static void check_seccomp(const struct json *profile, const struct json *spec);

static void check_spec(const struct json *spec, const struct policy *policy,
		       const struct test_host *host)
{
	if (go_get(spec, "process"))
		check_user_namespace(spec);
	if (host->resolve == fake_resolve_host_path)
		check_bind_mounts(spec);
	const struct json *process = go_get(spec, "process");
	if (process)
		check_process(process, policy, spec);

	const struct json *linux_obj = go_get(spec, "linux");
	check_seccomp(go_get(linux_obj, "seccomp"), spec);

	if (!is_true(go_get(go_get(spec, "root"), "readonly")))
		fuzz_fail("root.readonly is not true", spec);

	static const char *const own[] = {"pid", "network", "ipc", "uts", "mount"};
	const struct json *namespaces = go_get(linux_obj, "namespaces");
	for (size_t r = 0; r < sizeof(own) / sizeof(own[0]); r++) {
		bool private = false;
		for (size_t i = 0;
		     namespaces && namespaces->type == JSON_ARRAY && i < namespaces->array.len;
		     i++) {
			const struct json *ns = namespaces->array.items[i];
			const struct json *type = go_get(ns, "type");
			const struct json *path = go_get(ns, "path");
			if (!type || type->type != JSON_STRING ||
			    strcmp(type->string.ptr, own[r]) != 0)
				continue;
			/* With no namespace_is_host, every path is refused. */
			private =
			    !path || (path->type == JSON_STRING &&
				      (path->string.len == 0 ||
				       fake_namespace_is_host(own[r], path->string.ptr) == 0));
		}
		if (!private)
			fuzz_fail("a namespace is not the container's own", spec);
	}
}

/* ---- seccomp ---------------------------------------------------------------- */

/* Syscalls the default policy's profile denies whatever the arguments. */
static const char *const policy_denied_syscalls[] = {
    "unshare",	   "mount",	      "setns",		"bpf",
    "keyctl",	   "ptrace",	      "io_uring_setup", "io_uring_enter",
    "userfaultfd", "perf_event_open", "pivot_root",	"umount2",
    "open_tree",   "fsopen",	      "kexec_load",	"init_module",
};

static bool action_denies(const struct json *action)
{
	static const char *const denials[] = {"SCMP_ACT_ERRNO", "SCMP_ACT_KILL",
					      "SCMP_ACT_KILL_THREAD", "SCMP_ACT_KILL_PROCESS",
					      "SCMP_ACT_TRAP"};
	for (size_t i = 0; action && action->type == JSON_STRING && i < ARRAY_SIZE(denials); i++)
		if (strcmp(action->string.ptr, denials[i]) == 0)
			return true;
	return false;
}

static bool rule_names(const struct json *rule, const char *name)
{
	const struct json *names = go_get(rule, "names");
	for (size_t i = 0; names && names->type == JSON_ARRAY && i < names->array.len; i++)
		if (names->array.items[i]->type == JSON_STRING &&
		    strcmp(names->array.items[i]->string.ptr, name) == 0)
			return true;
	return false;
}

static bool rule_is_conditional(const struct json *rule)
{
	const struct json *args = go_get(rule, "args");
	return args && args->type == JSON_ARRAY && args->array.len > 0;
}

/* Whether anything but a denial can happen to `name` under `profile`. */
static bool seccomp_lets_through(const struct json *profile, const char *name)
{
	const struct json *rules = go_get(profile, "syscalls");
	bool denied_outright = false;
	for (size_t i = 0; rules && rules->type == JSON_ARRAY && i < rules->array.len; i++) {
		const struct json *rule = rules->array.items[i];
		if (!rule_names(rule, name))
			continue;
		if (!action_denies(go_get(rule, "action")))
			return true;
		denied_outright |= !rule_is_conditional(rule);
	}
	return !denied_outright && !action_denies(go_get(profile, "defaultAction"));
}

/* The errno of an ERRNO or TRACE action as libseccomp keeps it: `errno_ret`,
 * else EPERM. */
static uint64_t errno_of(const struct json *errno_ret)
{
	uint64_t n = 1;
	if (errno_ret)
		json_number_uint64(errno_ret, &n);
	return n & 0xffff;
}

static bool action_is(const struct json *action, const char *name)
{
	if (!action || action->type != JSON_STRING)
		return false;
	/* SCMP_ACT_KILL is SCMP_ACT_KILL_THREAD (libseccomp). */
	const char *a = strcmp(action->string.ptr, "SCMP_ACT_KILL") == 0 ? "SCMP_ACT_KILL_THREAD"
									 : action->string.ptr;
	const char *b = strcmp(name, "SCMP_ACT_KILL") == 0 ? "SCMP_ACT_KILL_THREAD" : name;
	return strcmp(a, b) == 0;
}

/* A rule runc and crun skip: its action is the default action. */
static bool rule_is_default(const struct json *rule, const struct json *profile)
{
	const struct json *def = go_get(profile, "defaultAction");
	if (!def || def->type != JSON_STRING || !action_is(go_get(rule, "action"), def->string.ptr))
		return false;
	return errno_of(go_get(rule, "errnoRet")) == errno_of(go_get(profile, "defaultErrnoRet"));
}

static void check_seccomp(const struct json *profile, const struct json *spec)
{
	if (!profile || !action_denies(go_get(profile, "defaultAction")))
		fuzz_fail("linux.seccomp is missing or does not deny by default", spec);
	for (size_t i = 0; i < ARRAY_SIZE(policy_denied_syscalls); i++)
		if (seccomp_lets_through(profile, policy_denied_syscalls[i]))
			fuzz_fail("a syscall the policy's profile denies is let through", spec);
	const struct json *rules = go_get(profile, "syscalls");
	for (size_t i = 0; rules && rules->type == JSON_ARRAY && i < rules->array.len; i++) {
		const struct json *rule = rules->array.items[i];
		const struct json *names = go_get(rule, "names");
		if (rule_is_conditional(rule) || !names || names->type != JSON_ARRAY ||
		    rule_is_default(rule, profile))
			continue;
		const struct json *action = go_get(rule, "action");
		const struct json *errno_ret = go_get(rule, "errnoRet");
		for (size_t n = 0; n < names->array.len; n++)
			for (size_t j = 0; j < rules->array.len; j++) {
				const struct json *other = rules->array.items[j];
				if (j == i || rule_is_default(other, profile) ||
				    !rule_names(other, names->array.items[n]->string.ptr))
					continue;
				if (!action_is(go_get(other, "action"), action->string.ptr) ||
				    errno_of(errno_ret) != errno_of(go_get(other, "errnoRet")))
					fuzz_fail("a syscall has a rule without conditions and a "
						  "rule of another action",
						  spec);
			}
	}
}

/* Every syscall the input's own profile denied whatever the arguments (a
 * rule of a denying action and no conditions, and no rule of another kind
 * for it) is denied in the hardened one. */
static void check_seccomp_kept_denials(const struct json *input, const struct json *hardened)
{
	const struct json *before = go_get(go_get(input, "linux"), "seccomp");
	const struct json *after = go_get(go_get(hardened, "linux"), "seccomp");
	const struct json *rules = go_get(before, "syscalls");
	for (size_t i = 0; rules && rules->type == JSON_ARRAY && i < rules->array.len; i++) {
		const struct json *rule = rules->array.items[i];
		const struct json *names = go_get(rule, "names");
		if (!action_denies(go_get(rule, "action")) || rule_is_conditional(rule) || !names ||
		    names->type != JSON_ARRAY)
			continue;
		for (size_t n = 0; n < names->array.len; n++) {
			const struct json *name = names->array.items[n];
			if (name->type != JSON_STRING ||
			    seccomp_lets_through(before, name->string.ptr))
				continue;
			if (seccomp_lets_through(after, name->string.ptr))
				fuzz_fail(
				    "a syscall the config's own profile denied is let through",
				    hardened);
		}
	}
}

/* Write the result as bundle_config_write does, read it back as
 * bundle_config_read does, and harden it again: nothing may change. */
static void check_fixed_point(const struct json *hardened, bool whole_spec,
			      const struct test_host *host)
{
	char *text = json_to_string(hardened, false);
	oh_error_t err = NULL;
	struct json *again = json_parse(text, strlen(text), JSON_PARSE_GO_STRICT, &err);
	if (!again) {
		fprintf(stderr, "fuzz_harden: %s\n", err->msg);
		fuzz_fail("the hardened config does not parse back", hardened);
	}
	struct report report = {0};
	int r = fuzz_harden_with(again, whole_spec, enforce_policy, host, &report, &err);
	if (r < 0) {
		fprintf(stderr, "fuzz_harden: %s\n", err->msg);
		fuzz_fail("hardening the hardened config fails", hardened);
	}
	if (report_first_refusal(&report))
		fuzz_fail("hardening the hardened config refuses it", hardened);
	if (report_count(&report, DECISION_CHANGE) != 0) {
		for (size_t i = 0; i < report.len; i++) {
			char *what = decision_to_string(&report.items[i]);
			fprintf(stderr, "fuzz_harden: second pass: %s\n", what);
			free(what);
		}
		fuzz_fail("hardening the hardened config changes it again", hardened);
	}
	report_clear(&report);
	json_free(again);
	free(text);
}

/* Harden a copy of `input` (a whole spec, or a process object); returns
 * whether it went through with no refusal. */
static void harden_one(const struct json *input, bool whole_spec, const struct policy *policy,
		       const struct test_host *host)
{
	struct json *copy = json_clone(input);
	struct report report = {0};
	oh_error_t err = NULL;
	int r = fuzz_harden_with(copy, whole_spec, policy, host, &report, &err);
	if (r < 0) {
		if (!err || !err->msg || !*err->msg)
			fuzz_fail("a failed hardening must say why", NULL);
		oh_error_free(&err);
	} else if (policy->mode == POLICY_AUDIT) {
		if (!json_equal(copy, input))
			fuzz_fail("audit mode changed the config", copy);
	} else if (!report_first_refusal(&report)) {
		if (whole_spec) {
			check_spec(copy, policy, host);
			check_seccomp_kept_denials(input, copy);
		} else
			check_process(copy, policy, copy);
		check_fixed_point(copy, whole_spec, host);
	}
	for (size_t i = 0; i < report.len; i++) {
		/* Every decision renders (the log and the diff show them). */
		char *what = decision_to_string(&report.items[i]);
		free(what);
	}
	report_clear(&report);
	json_free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	oh_error_t err = NULL;
	struct json *spec = json_parse((const char *)data, size, JSON_PARSE_GO_STRICT, &err);
	if (!spec) {
		oh_error_free(&err);
		return 0;
	}
	if (spec->type == JSON_OBJECT) {
		for (size_t h = 0; h < sizeof(hosts) / sizeof(hosts[0]); h++)
			harden_one(spec, true, enforce_policy, &hosts[h]);
		harden_one(spec, true, audit_policy, &hosts[0]);
		/* The input as an exec --process file, and its "process"
		 * object as one. */
		harden_one(spec, false, enforce_policy, &hosts[0]);
		const struct json *process = json_object_get(spec, "process");
		if (process && process->type == JSON_OBJECT)
			harden_one(process, false, enforce_policy, &hosts[0]);
	}
	json_free(spec);
	return 0;
}
