/* SPDX-License-Identifier: Apache-2.0 */
#include "exec_process.h"

#include <string.h>

/* --- Go's number syntax ---------------------------------------------------- */

static int go_digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return 99;
}

static char go_lower(char c)
{
	return (char)(c | ('x' - 'X'));
}

/* strconv's underscoreOK: with base 0, an underscore may only stand between
 * digits, or between a base prefix and a digit. */
static bool go_underscores_ok(const char *s)
{
	char saw = '^';
	size_t i = 0, len = strlen(s);
	bool hex = false;
	if (len >= 2 && s[0] == '0' &&
	    (go_lower(s[1]) == 'b' || go_lower(s[1]) == 'o' || go_lower(s[1]) == 'x')) {
		i = 2;
		saw = '0';
		hex = go_lower(s[1]) == 'x';
	}
	for (; i < len; i++) {
		bool digit = (s[i] >= '0' && s[i] <= '9') ||
			     (hex && go_lower(s[i]) >= 'a' && go_lower(s[i]) <= 'f');
		if (digit) {
			saw = '0';
			continue;
		}
		if (s[i] == '_') {
			if (saw != '0')
				return false;
			saw = '_';
			continue;
		}
		if (saw == '_')
			return false;
		saw = '!';
	}
	return saw != '_';
}

/* strconv.ParseUint(s, base, 64) for base 10 or 0. */
static bool go_parse_uint64(const char *s, int base, uint64_t *out)
{
	if (!*s)
		return false;
	const char *s0 = s;
	bool base0 = base == 0;
	size_t len = strlen(s);
	if (base0) {
		base = 10;
		if (s[0] == '0') {
			char prefix = len >= 3 ? go_lower(s[1]) : '\0';
			int prefixed = prefix == 'b'   ? 2
				       : prefix == 'o' ? 8
				       : prefix == 'x' ? 16
						       : 0;
			base = prefixed ? prefixed : 8;
			s += prefixed ? 2 : 1;
		}
	}
	const uint64_t cutoff = UINT64_MAX / (uint64_t)base + 1;
	bool underscores = false;
	uint64_t n = 0;
	for (; *s; s++) {
		if (*s == '_' && base0) {
			underscores = true;
			continue;
		}
		int d = go_digit_value(*s);
		if (d >= base || n >= cutoff)
			return false;
		n *= (uint64_t)base;
		if (n + (uint64_t)d < n)
			return false;
		n += (uint64_t)d;
	}
	if (underscores && !go_underscores_ok(s0))
		return false;
	*out = n;
	return true;
}

bool go_parse_int64(const char *s, int base, int64_t *out)
{
	bool negative = s[0] == '-';
	if (s[0] == '+' || s[0] == '-')
		s++;
	uint64_t n;
	if (!go_parse_uint64(s, base, &n))
		return false;
	const uint64_t cutoff = UINT64_C(1) << 63;
	if ((!negative && n >= cutoff) || (negative && n > cutoff))
		return false;
	*out = negative ? (int64_t)(0 - n) : (int64_t)n;
	return true;
}

/* --- the flags of an exec, as runc reads them -------------------------------- */

struct string_refs {
	const char **items;
	size_t len, cap;
};

static void string_refs_add(struct string_refs *refs, const char *s)
{
	refs->items = xgrow(refs->items, &refs->cap, refs->len + 1, sizeof(refs->items[0]));
	refs->items[refs->len++] = s;
}

/* urfave's context.String is the last value given (Go's flag package lets a
 * repeated option overwrite), a slice every value in order, IsSet whether
 * either form was given at all. */
struct exec_flags {
	const char *cwd, *apparmor, *process_label, *user;
	bool tty, tty_set, no_new_privs, no_new_privs_set;
	struct string_refs caps, env, gids;
};

static void exec_flags_visit(const struct runc_exec_option *option, void *data)
{
	struct exec_flags *f = data;
	switch (option->field) {
	case RUNC_EXEC_RUNTIME:
	case RUNC_EXEC_PROCESS:
		break;
	case RUNC_EXEC_CWD:
		f->cwd = option->value;
		break;
	case RUNC_EXEC_APPARMOR:
		f->apparmor = option->value;
		break;
	case RUNC_EXEC_PROCESS_LABEL:
		f->process_label = option->value;
		break;
	case RUNC_EXEC_USER:
		f->user = option->value;
		break;
	case RUNC_EXEC_TTY:
		f->tty = option->flag;
		f->tty_set = true;
		break;
	case RUNC_EXEC_NO_NEW_PRIVS:
		f->no_new_privs = option->flag;
		f->no_new_privs_set = true;
		break;
	case RUNC_EXEC_CAP:
		string_refs_add(&f->caps, option->value);
		break;
	case RUNC_EXEC_ENV:
		string_refs_add(&f->env, option->value);
		break;
	case RUNC_EXEC_ADDITIONAL_GIDS:
		string_refs_add(&f->gids, option->value);
		break;
	}
}

static void exec_flags_clear(struct exec_flags *f)
{
	xfree(f->caps.items);
	xfree(f->env.items);
	xfree(f->gids.items);
}

/* The array member `key` of `object`, made when absent: Go's append works
 * on a nil slice. */
static int exec_member_array(struct json *object, const char *object_path, const char *key,
			     struct json **out, oh_error_t *err)
{
	struct json *array = json_object_get(object, key);
	if (array && array->type != JSON_ARRAY)
		return oh_error_make(err, 0, "%s%s%s: must be an array", object_path,
				     *object_path ? "." : "", key);
	if (!array) {
		array = json_new_array();
		json_object_set(object, key, array);
	}
	*out = array;
	return 0;
}

static int exec_member_object(struct json *object, const char *key, bool create, struct json **out,
			      oh_error_t *err)
{
	struct json *member = json_object_get(object, key);
	if (member && member->type != JSON_OBJECT)
		return oh_error_make(err, 0, "%s: must be an object", key);
	if (!member && create) {
		member = json_new_object();
		json_object_set(object, key, member);
	}
	*out = member;
	return 0;
}

/* runc: "UID[:GID]", strings.SplitN on ':', each strconv.Atoi, stored as
 * uint32 (so 4294967296 is 0, and -1 is 4294967295). */
static int exec_apply_user(struct json *process, const char *spec, oh_error_t *err)
{
	const char *colon = strchr(spec, ':');
	cleanup_free char *uid_text =
	    colon ? xstrndup(spec, (size_t)(colon - spec)) : xstrdup(spec);
	int64_t uid, gid = 0;
	if (colon && !go_parse_int64(colon + 1, 10, &gid))
		return oh_error_make(err, 0,
				     "exec --user \"%s\": \"%s\" is not a number (runc: parsing it "
				     "as int for gid failed)",
				     spec, colon + 1);
	if (!go_parse_int64(uid_text, 10, &uid))
		return oh_error_make(err, 0,
				     "exec --user \"%s\": \"%s\" is not a number (runc: parsing it "
				     "as int for uid failed)",
				     spec, uid_text);
	struct json *user = NULL;
	if (exec_member_object(process, "user", true, &user, err) < 0)
		return -1;
	if (colon)
		json_object_set(user, "gid", json_new_uint((uint32_t)gid));
	json_object_set(user, "uid", json_new_uint((uint32_t)uid));
	return 0;
}

static int exec_apply_additional_gids(struct json *process, const struct string_refs *gids,
				      oh_error_t *err)
{
	if (gids->len == 0)
		return 0;
	struct json *user = NULL, *list = NULL;
	if (exec_member_object(process, "user", true, &user, err) < 0 ||
	    exec_member_array(user, "user", "additionalGids", &list, err) < 0)
		return -1;
	for (size_t i = 0; i < gids->len; i++) {
		/* urfave 1.22's Int64Slice: strconv.ParseInt(value, 10, 64). */
		int64_t gid;
		if (!go_parse_int64(gids->items[i], 10, &gid))
			return oh_error_make(err, 0,
					     "exec --additional-gids \"%s\": not a number (runc "
					     "refuses it)",
					     gids->items[i]);
		if (gid < 0)
			return oh_error_make(err, 0,
					     "exec --additional-gids \"%s\": must be a positive "
					     "number (runc refuses it)",
					     gids->items[i]);
		json_array_append(list, json_new_uint((uint32_t)gid));
	}
	return 0;
}

/* runc appends each --cap to four of the five sets (not inheritable). Its
 * p.Capabilities is a pointer: a process without capabilities makes runc
 * 1.1.5 crash on a nil dereference, so nothing runs; here it is an error. */
static int exec_apply_caps(struct json *process, const struct string_refs *caps, oh_error_t *err)
{
	static const char *const sets[] = {"bounding", "effective", "permitted", "ambient"};
	if (caps->len == 0)
		return 0;
	struct json *capabilities = NULL;
	if (exec_member_object(process, "capabilities", false, &capabilities, err) < 0)
		return -1;
	if (!capabilities)
		return oh_error_make(err, 0,
				     "exec --cap: the container's process has no capabilities to "
				     "add to (runc 1.1.5 crashes on this)");
	for (size_t s = 0; s < ARRAY_SIZE(sets); s++) {
		struct json *set = NULL;
		if (exec_member_array(capabilities, "capabilities", sets[s], &set, err) < 0)
			return -1;
		for (size_t i = 0; i < caps->len; i++)
			json_array_append(set, json_new_string(caps->items[i]));
	}
	return 0;
}

static void exec_set_string_unless_empty(struct json *process, const char *key, const char *value)
{
	if (value && *value)
		json_object_set(process, key, json_new_string(value));
}

static int exec_apply_flags(struct json *p, const struct exec_flags *f, int argc,
			    char *const argv[], const struct runc_args *args, oh_error_t *err)
{
	struct json *command = json_new_array();
	for (int i = args->container_id_index + 1; i < argc; i++)
		json_array_append(command, json_new_string(argv[i]));
	json_object_set(p, "args", command);
	exec_set_string_unless_empty(p, "cwd", f->cwd);
	exec_set_string_unless_empty(p, "apparmorProfile", f->apparmor);
	exec_set_string_unless_empty(p, "selinuxLabel", f->process_label);
	if (exec_apply_caps(p, &f->caps, err) < 0)
		return -1;
	if (f->env.len) {
		struct json *env = NULL;
		if (exec_member_array(p, "", "env", &env, err) < 0)
			return -1;
		for (size_t i = 0; i < f->env.len; i++)
			json_array_append(env, json_new_string(f->env.items[i]));
	}
	json_object_set(p, "terminal", json_new_bool(f->tty_set && f->tty));
	if (f->no_new_privs_set)
		json_object_set(p, "noNewPrivileges", json_new_bool(f->no_new_privs));
	if (f->user && *f->user && exec_apply_user(p, f->user, err) < 0)
		return -1;
	return exec_apply_additional_gids(p, &f->gids, err);
}

int exec_process_from_flags(const struct json *container_process, int argc, char *const argv[],
			    const struct runc_args *args, struct json **out, oh_error_t *err)
{
	*out = NULL;
	if (!container_process || container_process->type != JSON_OBJECT)
		return oh_error_make(err, 0, "exec: no process was saved for container %s",
				     args->container_id);
	/* runc: "process args cannot be empty", before anything is read. */
	if (args->container_id_index + 1 >= argc)
		return oh_error_make(err, 0, "exec: no command to run in container %s",
				     args->container_id);
	struct exec_flags flags = {0};
	runc_exec_options_each(argc, argv, args, exec_flags_visit, &flags);
	struct json *process = json_clone(container_process);
	int r = exec_apply_flags(process, &flags, argc, argv, args, err);
	exec_flags_clear(&flags);
	if (r < 0) {
		json_free(process);
		return -1;
	}
	*out = process;
	return 0;
}

/* --- the runtime's command line ------------------------------------------ */

void exec_argv_clear(struct exec_argv *a)
{
	xfree(a->argv);
	string_list_clear(&a->owned);
	*a = (struct exec_argv){0};
}

struct argv_builder {
	char **items;
	size_t len, cap;
};

static void argv_push(struct argv_builder *b, char *arg)
{
	b->items = xgrow(b->items, &b->cap, b->len + 2, sizeof(b->items[0]));
	b->items[b->len++] = arg;
	b->items[b->len] = NULL;
}

/* A string that lives as long as `out`. */
static char *exec_argv_own(struct exec_argv *out, const char *s)
{
	string_list_add(&out->owned, s);
	return out->owned.items[out->owned.len - 1];
}

struct runtime_options {
	struct argv_builder *builder;
	char *const *argv;
};

static void exec_keep_runtime_option(const struct runc_exec_option *option, void *data)
{
	struct runtime_options *r = data;
	if (option->field != RUNC_EXEC_RUNTIME)
		return;
	for (int i = option->index; i < option->index + option->count; i++)
		argv_push(r->builder, r->argv[i]);
}

void exec_argv_with_process(int argc, char *const argv[], const struct runc_args *args,
			    const char *runtime, const char *process_path, struct exec_argv *out)
{
	*out = (struct exec_argv){0};
	struct argv_builder b = {0};
	argv_push(&b, exec_argv_own(out, runtime));
	for (int i = 1; i <= args->command_index; i++)
		argv_push(&b, argv[i]);
	struct runtime_options keep = {.builder = &b, .argv = argv};
	runc_exec_options_each(argc, argv, args, exec_keep_runtime_option, &keep);
	argv_push(&b, exec_argv_own(out, "--process"));
	argv_push(&b, exec_argv_own(out, process_path));
	/* An id may start with '-' (runc's idRegex allows it): after "--" it
	 * cannot be read as an option, by runc's flag package or crun's argp. */
	if (args->container_id[0] == '-')
		argv_push(&b, exec_argv_own(out, "--"));
	argv_push(&b, argv[args->container_id_index]);
	out->argv = b.items;
}

void exec_argv_replace_process_path(int argc, char *const argv[], const struct runc_args *args,
				    const char *runtime, const char *process_path,
				    struct exec_argv *out)
{
	*out = (struct exec_argv){0};
	struct argv_builder b = {0};
	argv_push(&b, exec_argv_own(out, runtime));
	for (int i = 1; i < argc; i++) {
		if (i != args->process_value_index) {
			argv_push(&b, argv[i]);
		} else if (args->process_value_inline) {
			/* "--process=FILE": the option as written, a new value. */
			size_t prefix = (size_t)(args->process_path - argv[i]);
			cleanup_free char *option =
			    xasprintf("%.*s%s", (int)prefix, argv[i], process_path);
			argv_push(&b, exec_argv_own(out, option));
		} else {
			argv_push(&b, exec_argv_own(out, process_path));
		}
	}
	out->argv = b.items;
}

/* A count of fds as the runtimes read one: at least 0, at most far more
 * than any process may have open. */
static int64_t exec_fd_count(int64_t n)
{
	return n < 0 ? 0 : n > (1 << 20) ? (1 << 20) : n;
}

/* A decimal as C's strtoul and strtoll read it (crun): leading blanks and a
 * sign, then digits, stopping at the first other character. */
static int64_t c_leading_decimal(const char *s)
{
	while (*s == ' ' || (*s >= '\t' && *s <= '\r'))
		s++;
	bool negative = *s == '-';
	if (*s == '+' || *s == '-')
		s++;
	int64_t n = 0;
	for (; *s >= '0' && *s <= '9' && n < (1 << 20); s++)
		n = n * 10 + (*s - '0');
	return negative ? -n : n;
}

int exec_process_fd_floor(const struct runc_args *args, const char *listen_fds)
{
	/* runc reads --preserve-fds with Go's flag.Int (base 0), crun with
	 * strtoul (base 10): the larger reading keeps clear of both. */
	int64_t preserved = 0;
	if (args->preserve_fds) {
		int64_t go = 0;
		if (!go_parse_int64(args->preserve_fds, 0, &go))
			go = 0;
		int64_t c = c_leading_decimal(args->preserve_fds);
		preserved = exec_fd_count(go > c ? go : c);
	}
	/* crun adds $LISTEN_FDS to the preserved fds of an exec. */
	int64_t listening = listen_fds ? exec_fd_count(c_leading_decimal(listen_fds)) : 0;
	return (int)(3 + preserved + listening);
}
