/* SPDX-License-Identifier: Apache-2.0 */
/* The runc command line, read exactly as runc 1.1.5 reads it.
 *
 * runc parses with urfave/cli v1.22 on top of Go's `flag` package:
 *
 *   - The global options are parsed by flag.FlagSet.Parse over argv[1:],
 *     which stops at the first argument that is not an option (the command)
 *     or after a "--". There is no reordering at this level.
 *   - The command's options are parsed the same way over the arguments after
 *     the command, but first urfave's reorderArgs moves the command's own
 *     options (and what may be their values) in front of the other arguments,
 *     so that `runc create ID --bundle B` works. Commands that set
 *     SkipArgReorder are not reordered: in runc 1.1.5 these are exec (the
 *     rest of the line after the id is the process to run: `runc exec ID sh
 *     -c x` must not see -c as --cap) and ps (the rest goes to ps(1)).
 *     Verified against the installed runc 1.1.5: `runc CMD nosuchid --help`
 *     prints help for every command except exec and ps.
 *
 * Go's flag package takes one or two dashes alike, a value as --opt=value or
 * as the next argument whatever it looks like, a value for a boolean only
 * after "=", no combined or abbreviated options. urfave then refuses a flag
 * given in both of its forms ("Cannot use two forms of the same flag").
 *
 * The parser knows every option of runc 1.1.5 that matters for locating the
 * command and the bundle, and refuses anything it cannot classify: an
 * unknown option might take a value, and guessing wrong moves the command or
 * the bundle. Nothing here allocates except the error on failure; every
 * string in the result points into argv. */
#include "runc_args.h"

#include <assert.h>
#include <stdint.h>
#include <string.h>

enum option_kind {
	OPTION_BOOL,  /* Go's boolFlag: takes a value only as --name=value */
	OPTION_VALUE, /* string, int, uint: --name=value or --name value */
	OPTION_LIST,  /* urfave StringSlice/Int64Slice: a value, and each use appends */
};

/* Where a parsed option lands. FIELD_NONE: known, so its value is skipped
 * correctly, but nothing oci-harden acts on (runc validates it itself). */
enum option_field {
	FIELD_NONE,
	FIELD_HELP,
	FIELD_VERSION,
	FIELD_ROOT,
	FIELD_LOG,
	FIELD_LOG_FORMAT,
	FIELD_BUNDLE,
	FIELD_NO_PIVOT,
	FIELD_LSM_PROFILE,
	FIELD_LSM_MOUNT_CONTEXT,
	FIELD_PROCESS,
	FIELD_PRESERVE_FDS,
	/* exec's options, which runc_exec_options_each reads back */
	FIELD_EXEC_RUNTIME,
	FIELD_EXEC_CWD,
	FIELD_EXEC_ENV,
	FIELD_EXEC_TTY,
	FIELD_EXEC_USER,
	FIELD_EXEC_ADDITIONAL_GIDS,
	FIELD_EXEC_PROCESS_LABEL,
	FIELD_EXEC_APPARMOR,
	FIELD_EXEC_NO_NEW_PRIVS,
	FIELD_EXEC_CAP,
};

struct runc_option {
	const char *name;	/* urfave's first name, e.g. "bundle" */
	const char *short_name; /* its second name, e.g. "b", or NULL */
	enum option_kind kind;
	enum option_field field;
};

/* urfave/cli appends its HelpFlag ("help, h") to every command that does not
 * set HideHelp; no runc command does. */
#define HELP_OPTION                                                                                \
	{                                                                                          \
		"help", "h", OPTION_BOOL, FIELD_HELP                                               \
	}

/* runc 1.1.5 main.go app.Flags, plus urfave's help and version flags, plus
 * the global options of crun 1.8 (argp in src/crun.c), since crun can be the
 * real runtime. Options only crun knows make runc fail on its own. */
static const struct runc_option global_options[] = {
    {"debug", NULL, OPTION_BOOL, FIELD_NONE},
    {"log", NULL, OPTION_VALUE, FIELD_LOG},
    {"log-format", NULL, OPTION_VALUE, FIELD_LOG_FORMAT},
    {"root", NULL, OPTION_VALUE, FIELD_ROOT},
    {"criu", NULL, OPTION_VALUE, FIELD_NONE},
    {"systemd-cgroup", NULL, OPTION_BOOL, FIELD_NONE},
    {"rootless", NULL, OPTION_VALUE, FIELD_NONE}, /* a string: true, false or auto */
    HELP_OPTION,
    {"version", "v", OPTION_BOOL, FIELD_VERSION},
    /* crun only */
    {"cgroup-manager", NULL, OPTION_VALUE, FIELD_NONE},
    {"log-level", NULL, OPTION_VALUE, FIELD_NONE},
    {"usage", NULL, OPTION_BOOL, FIELD_HELP}, /* argp prints usage and exits */
    {"?", NULL, OPTION_BOOL, FIELD_HELP},     /* argp's -? */
    {"V", NULL, OPTION_BOOL, FIELD_VERSION},  /* crun's alias of -v */
};

/* runc 1.1.5 create.go. crun's create also has --config/-f, which swaps the
 * config file oci-harden hardens for another: deliberately unknown, so a
 * command line using it is refused. */
static const struct runc_option create_options[] = {
    {"bundle", "b", OPTION_VALUE, FIELD_BUNDLE},
    {"console-socket", NULL, OPTION_VALUE, FIELD_NONE},
    {"pid-file", NULL, OPTION_VALUE, FIELD_NONE},
    {"no-pivot", NULL, OPTION_BOOL, FIELD_NO_PIVOT},
    {"no-new-keyring", NULL, OPTION_BOOL, FIELD_NONE},
    {"preserve-fds", NULL, OPTION_VALUE, FIELD_PRESERVE_FDS}, /* an int, checked by runc */
    HELP_OPTION,
};

/* runc 1.1.5 run.go */
static const struct runc_option run_options[] = {
    {"bundle", "b", OPTION_VALUE, FIELD_BUNDLE},
    {"console-socket", NULL, OPTION_VALUE, FIELD_NONE},
    {"detach", "d", OPTION_BOOL, FIELD_NONE},
    {"keep", NULL, OPTION_BOOL, FIELD_NONE},
    {"pid-file", NULL, OPTION_VALUE, FIELD_NONE},
    {"no-subreaper", NULL, OPTION_BOOL, FIELD_NONE},
    {"no-pivot", NULL, OPTION_BOOL, FIELD_NO_PIVOT},
    {"no-new-keyring", NULL, OPTION_BOOL, FIELD_NONE},
    {"preserve-fds", NULL, OPTION_VALUE, FIELD_PRESERVE_FDS},
    HELP_OPTION,
};

/* runc 1.1.5 restore.go */
static const struct runc_option restore_options[] = {
    {"console-socket", NULL, OPTION_VALUE, FIELD_NONE},
    {"image-path", NULL, OPTION_VALUE, FIELD_NONE},
    {"work-path", NULL, OPTION_VALUE, FIELD_NONE},
    {"tcp-established", NULL, OPTION_BOOL, FIELD_NONE},
    {"ext-unix-sk", NULL, OPTION_BOOL, FIELD_NONE},
    {"shell-job", NULL, OPTION_BOOL, FIELD_NONE},
    {"file-locks", NULL, OPTION_BOOL, FIELD_NONE},
    {"manage-cgroups-mode", NULL, OPTION_VALUE, FIELD_NONE},
    {"bundle", "b", OPTION_VALUE, FIELD_BUNDLE},
    {"detach", "d", OPTION_BOOL, FIELD_NONE},
    {"pid-file", NULL, OPTION_VALUE, FIELD_NONE},
    {"no-subreaper", NULL, OPTION_BOOL, FIELD_NONE},
    {"no-pivot", NULL, OPTION_BOOL, FIELD_NO_PIVOT},
    {"empty-ns", NULL, OPTION_LIST, FIELD_NONE},
    {"auto-dedup", NULL, OPTION_BOOL, FIELD_NONE},
    {"lazy-pages", NULL, OPTION_BOOL, FIELD_NONE},
    {"lsm-profile", NULL, OPTION_VALUE, FIELD_LSM_PROFILE},
    {"lsm-mount-context", NULL, OPTION_VALUE, FIELD_LSM_MOUNT_CONTEXT},
    HELP_OPTION,
};

/* runc 1.1.5 exec.go. Each option either shapes the process (and is
 * replaced, with the process it shapes, by the one oci-harden builds) or
 * tells the runtime how to run it (and is passed on). */
static const struct runc_option exec_options[] = {
    {"console-socket", NULL, OPTION_VALUE, FIELD_EXEC_RUNTIME},
    {"cwd", NULL, OPTION_VALUE, FIELD_EXEC_CWD},
    {"env", "e", OPTION_LIST, FIELD_EXEC_ENV},
    {"tty", "t", OPTION_BOOL, FIELD_EXEC_TTY},
    {"user", "u", OPTION_VALUE, FIELD_EXEC_USER},
    {"additional-gids", "g", OPTION_LIST, FIELD_EXEC_ADDITIONAL_GIDS},
    {"process", "p", OPTION_VALUE, FIELD_PROCESS},
    {"detach", "d", OPTION_BOOL, FIELD_EXEC_RUNTIME},
    {"pid-file", NULL, OPTION_VALUE, FIELD_EXEC_RUNTIME},
    {"process-label", NULL, OPTION_VALUE, FIELD_EXEC_PROCESS_LABEL},
    {"apparmor", NULL, OPTION_VALUE, FIELD_EXEC_APPARMOR},
    {"no-new-privs", NULL, OPTION_BOOL, FIELD_EXEC_NO_NEW_PRIVS},
    {"cap", "c", OPTION_LIST, FIELD_EXEC_CAP},
    {"preserve-fds", NULL, OPTION_VALUE, FIELD_PRESERVE_FDS},
    {"cgroup", NULL, OPTION_LIST, FIELD_EXEC_RUNTIME},
    {"ignore-paused", NULL, OPTION_BOOL, FIELD_EXEC_RUNTIME},
    HELP_OPTION,
};

/* runc 1.1.5 delete.go */
static const struct runc_option delete_options[] = {
    {"force", "f", OPTION_BOOL, FIELD_NONE},
    HELP_OPTION,
};

struct option_table {
	const struct runc_option *items;
	size_t len;
};

/* Which form of each option was seen is kept as one bit per table row, for
 * urfave's normalizeFlags rule against using both forms. */
#define MAX_TABLE_ROWS 64

#define DEFINE_OPTION_TABLE(table, array)                                                          \
	_Static_assert(ARRAY_SIZE(array) <= MAX_TABLE_ROWS, #array " has too many rows");          \
	static const struct option_table table = {array, ARRAY_SIZE(array)}

DEFINE_OPTION_TABLE(global_table, global_options);
DEFINE_OPTION_TABLE(create_table, create_options);
DEFINE_OPTION_TABLE(run_table, run_options);
DEFINE_OPTION_TABLE(restore_table, restore_options);
DEFINE_OPTION_TABLE(exec_table, exec_options);
DEFINE_OPTION_TABLE(delete_table, delete_options);

enum positional_rule {
	POSITIONAL_ANY,		 /* not checked */
	POSITIONAL_EXACTLY_ONE,	 /* runc's checkArgs(context, 1, exactArgs) */
	POSITIONAL_AT_LEAST_ONE, /* runc's checkArgs(context, 1, minArgs) */
};

struct command_spec {
	const char *name;
	enum runc_command command;
	/* urfave reorders the command's options before parsing (SkipArgReorder
	 * unset). Only matters where options are interpreted. */
	bool reorders;
	/* NULL: options are not interpreted, runc validates them itself. */
	const struct option_table *options;
	enum positional_rule positional;
};

/* runc 1.1.5 main.go app.Commands, plus urfave's "help" (alias "h"); crun
 * 1.8's commands (src/crun.c, commands[]) are a subset of these. A command
 * in neither list creates and changes no container in either runtime: it
 * goes to the runtime, which refuses it (RUNC_CMD_UNKNOWN). */
static const struct command_spec commands[] = {
    {"checkpoint", RUNC_CMD_OTHER, true, NULL, POSITIONAL_ANY},
    {"create", RUNC_CMD_CREATE, true, &create_table, POSITIONAL_EXACTLY_ONE},
    {"delete", RUNC_CMD_DELETE, true, &delete_table, POSITIONAL_EXACTLY_ONE},
    {"events", RUNC_CMD_OTHER, true, NULL, POSITIONAL_ANY},
    {"exec", RUNC_CMD_EXEC, false, &exec_table, POSITIONAL_AT_LEAST_ONE},
    {"init", RUNC_CMD_OTHER, true, NULL, POSITIONAL_ANY},
    {"kill", RUNC_CMD_OTHER, true, NULL, POSITIONAL_ANY},
    {"list", RUNC_CMD_LIST, true, NULL, POSITIONAL_ANY},
    {"pause", RUNC_CMD_OTHER, true, NULL, POSITIONAL_ANY},
    {"ps", RUNC_CMD_OTHER, false, NULL, POSITIONAL_ANY},
    {"restore", RUNC_CMD_RESTORE, true, &restore_table, POSITIONAL_EXACTLY_ONE},
    {"resume", RUNC_CMD_OTHER, true, NULL, POSITIONAL_ANY},
    {"run", RUNC_CMD_RUN, true, &run_table, POSITIONAL_EXACTLY_ONE},
    {"spec", RUNC_CMD_OTHER, true, NULL, POSITIONAL_ANY},
    {"start", RUNC_CMD_OTHER, true, NULL, POSITIONAL_ANY},
    {"state", RUNC_CMD_OTHER, true, NULL, POSITIONAL_ANY},
    {"update", RUNC_CMD_OTHER, true, NULL, POSITIONAL_ANY},
    {"features", RUNC_CMD_OTHER, true, NULL, POSITIONAL_ANY},
    {"help", RUNC_CMD_OTHER, true, NULL, POSITIONAL_ANY},
    {"h", RUNC_CMD_OTHER, true, NULL, POSITIONAL_ANY},
};

/* Commands of later runtimes that change a running container in ways
 * oci-harden does not judge: should the real runtime be one of those, they
 * must not pass as unknown. crun 1.9 and later: `crun mounts add ID FILE`
 * adds mounts to a running container. */
static const char *const refused_commands[] = {"mounts"};

static const struct command_spec *command_lookup(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* The row whose long or short name is exactly name[0..len), or NULL. */
static const struct runc_option *option_lookup(const struct option_table *table, const char *name,
					       size_t len, bool *is_short)
{
	for (size_t i = 0; i < table->len; i++) {
		const struct runc_option *o = &table->items[i];
		if (strlen(o->name) == len && memcmp(o->name, name, len) == 0) {
			*is_short = false;
			return o;
		}
		if (o->short_name && strlen(o->short_name) == len &&
		    memcmp(o->short_name, name, len) == 0) {
			*is_short = true;
			return o;
		}
	}
	return NULL;
}

/* strconv.ParseBool, which Go's boolFlag.Set uses. */
static const struct {
	const char *text;
	bool value;
} go_bools[] = {
    {"1", true},  {"t", true},	{"T", true},  {"true", true},	{"TRUE", true},	  {"True", true},
    {"0", false}, {"f", false}, {"F", false}, {"false", false}, {"FALSE", false}, {"False", false},
};

static bool go_parse_bool(const char *text, bool *value)
{
	for (size_t i = 0; i < ARRAY_SIZE(go_bools); i++)
		if (strcmp(go_bools[i].text, text) == 0) {
			*value = go_bools[i].value;
			return true;
		}
	return false;
}

/* urfave's argIsFlag: does arg name one of the command's options? Strips one
 * or two leading dashes and anything from the first "=". "-" and "--" never
 * are: "--" after an option is that option's value, elsewhere the end of
 * options. Note "---bundle" counts (it strips two, then one more dash), and
 * Go's flag package then rejects it as bad syntax. */
static bool arg_is_command_option(const struct option_table *table, const char *arg)
{
	if (arg[0] != '-' || strcmp(arg, "-") == 0 || strcmp(arg, "--") == 0)
		return false;
	const char *name = arg + 1;
	if (arg[1] == '-')
		name++;
	if (name[0] == '-')
		name++;
	bool is_short;
	return option_lookup(table, name, strcspn(name, "="), &is_short) != NULL;
}

/* The arguments after the command, in the order Go's flag package sees them.
 *
 * urfave v1.22 reorderArgs, as the installed runc behaves (it has the fix of
 * urfave/cli#1135 and the "--" handling of the later v1.22 releases), walks
 * the arguments once, remembering whether the previous one was an option
 * written without "=" (so the next may be its value):
 *   - a value is expected and the argument is not one of the command's
 *     options: it is that value, moved to the front with its option;
 *   - "--": stop; the "--" goes in front of the arguments left behind, and
 *     everything after it follows them unchanged;
 *   - one of the command's options: moved to the front;
 *   - anything else: left behind, in order.
 * The result is: moved arguments, then ["--"], the left-behind ones, and what
 * followed the "--". Booleans count as "may take a value" too, which is why
 * `runc create --no-pivot ID --bundle B` fails in runc: ID is moved next to
 * --no-pivot and ends the options there.
 *
 * Rather than build that list (no allocation here), the stream walks argv
 * once per part, recomputing the same classification each time. */
enum reorder_slot {
	SLOT_MOVED,
	SLOT_LEFT,
	SLOT_DELIMITER,
};

enum stream_phase {
	PHASE_MOVED,
	PHASE_DELIMITER,
	PHASE_LEFT,
	PHASE_TAIL, /* after the "--", or everything when not reordering */
	PHASE_DONE,
};

struct arg_stream {
	char *const *argv;
	int begin, end;			    /* the arguments: argv[begin..end) */
	const struct option_table *options; /* for argIsFlag, when reordering */
	int delimiter;			    /* the "--" that stopped reordering, or -1 */
	int scan_end;			    /* delimiter when there is one, else end */
	enum stream_phase phase;
	int pos;
	bool may_be_value;
	int peeked; /* next index, already computed, or -2 */
};

static enum reorder_slot reorder_classify(const struct arg_stream *s, const char *arg,
					  bool *may_be_value)
{
	bool is_option = arg_is_command_option(s->options, arg);
	if (*may_be_value && !is_option) {
		*may_be_value = false;
		return SLOT_MOVED;
	}
	if (strcmp(arg, "--") == 0)
		return SLOT_DELIMITER;
	if (is_option) {
		*may_be_value = strchr(arg, '=') == NULL;
		return SLOT_MOVED;
	}
	return SLOT_LEFT;
}

static void stream_init(struct arg_stream *s, char *const argv[], int begin, int end,
			const struct option_table *reorder_by)
{
	*s = (struct arg_stream){
	    .argv = argv,
	    .begin = begin,
	    .end = end,
	    .options = reorder_by,
	    .delimiter = -1,
	    .scan_end = end,
	    .phase = reorder_by ? PHASE_MOVED : PHASE_TAIL,
	    .pos = begin,
	    .peeked = -2,
	};
	if (!reorder_by)
		return;
	bool may_be_value = false;
	for (int i = begin; i < end; i++)
		if (reorder_classify(s, argv[i], &may_be_value) == SLOT_DELIMITER) {
			s->delimiter = s->scan_end = i;
			break;
		}
}

/* The index of the next argument in parse order, or -1 at the end. */
static int stream_next(struct arg_stream *s)
{
	if (s->peeked != -2) {
		int i = s->peeked;
		s->peeked = -2;
		return i;
	}
	for (;;) {
		switch (s->phase) {
		case PHASE_MOVED:
		case PHASE_LEFT: {
			enum reorder_slot want = s->phase == PHASE_MOVED ? SLOT_MOVED : SLOT_LEFT;
			while (s->pos < s->scan_end) {
				int i = s->pos++;
				if (reorder_classify(s, s->argv[i], &s->may_be_value) == want)
					return i;
			}
			if (s->phase == PHASE_MOVED) {
				s->phase = PHASE_DELIMITER;
			} else {
				s->phase = PHASE_TAIL;
				s->pos = s->delimiter >= 0 ? s->delimiter + 1 : s->end;
			}
			break;
		}
		case PHASE_DELIMITER:
			s->phase = PHASE_LEFT;
			s->pos = s->begin;
			s->may_be_value = false;
			if (s->delimiter >= 0)
				return s->delimiter;
			break;
		case PHASE_TAIL:
			if (s->pos < s->end)
				return s->pos++;
			s->phase = PHASE_DONE;
			break;
		case PHASE_DONE:
			return -1;
		}
	}
}

static int stream_peek(struct arg_stream *s)
{
	if (s->peeked == -2)
		s->peeked = stream_next(s);
	return s->peeked;
}

struct parse_state {
	struct runc_args *out;
	bool help;
	bool version;
	const char *log_format; /* as given, validated once help/version are known */
	/* Called for each option parsed, with where it is in argv. */
	void (*on_option)(struct parse_state *st, const struct runc_option *o, const char *value,
			  bool flag, int index, int count);
	void *on_option_data;
};

/* runc treats an empty string option as not given (`if x := ...; x != ""`
 * in setupSpec for --bundle, in getProcess for the exec overrides, in
 * configLogrus for --log), so the result says NULL, as when it is absent. */
static const char *unless_empty(const char *value)
{
	return value[0] ? value : NULL;
}

static int option_store(struct parse_state *st, const struct runc_option *o, const char *value,
			bool flag)
{
	struct runc_args *out = st->out;
	switch (o->field) {
	case FIELD_NONE:
		return 0;
	case FIELD_HELP:
		st->help = flag;
		return 0;
	case FIELD_VERSION:
		st->version = flag;
		return 0;
	case FIELD_ROOT:
		out->root = value;
		return 0;
	case FIELD_LOG:
		out->log_path = unless_empty(value);
		return 0;
	case FIELD_LOG_FORMAT:
		/* Filled at once, so an error found later can still be logged
		 * the way runc would log it. An empty format is text (runc's
		 * configLogrus). The last one given wins, as in Go's flag. */
		st->log_format = value;
		out->log_format = strcmp(value, "json") == 0 ? RUNC_LOG_JSON : RUNC_LOG_TEXT;
		return 0;
	case FIELD_BUNDLE:
		out->bundle = unless_empty(value);
		return 0;
	case FIELD_NO_PIVOT:
		out->no_pivot = flag;
		return 0;
	case FIELD_LSM_PROFILE:
		out->lsm_profile = unless_empty(value);
		return 0;
	case FIELD_LSM_MOUNT_CONTEXT:
		out->lsm_mount_context = unless_empty(value);
		return 0;
	case FIELD_PROCESS:
		out->process_path = unless_empty(value);
		return 0;
	case FIELD_PRESERVE_FDS:
		out->preserve_fds = value;
		return 0;
	case FIELD_EXEC_RUNTIME:
	case FIELD_EXEC_CWD:
	case FIELD_EXEC_ENV:
	case FIELD_EXEC_TTY:
	case FIELD_EXEC_USER:
	case FIELD_EXEC_ADDITIONAL_GIDS:
	case FIELD_EXEC_PROCESS_LABEL:
	case FIELD_EXEC_APPARMOR:
	case FIELD_EXEC_NO_NEW_PRIVS:
	case FIELD_EXEC_CAP:
		return 0;
	}
	return 0;
}

/* Go's FlagSet.Parse (parseOne in a loop) over the stream, with the table as
 * the defined flags, then urfave's normalizeFlags check. Stops before the
 * first non-option argument, or after a "--"; the stream then yields the
 * positional arguments. `where` names the level in messages. */
static int parse_options(struct parse_state *st, struct arg_stream *s,
			 const struct option_table *table, const char *where, oh_error_t *err)
{
	uint64_t seen_long = 0, seen_short = 0;
	for (;;) {
		int index = stream_peek(s);
		if (index < 0)
			return 0;
		const char *arg = s->argv[index];
		/* "" and "-" are arguments, not options */
		if (arg[0] != '-' || arg[1] == '\0')
			return 0;
		stream_next(s);
		const char *name = arg + 1;
		bool single_dash = true;
		if (name[0] == '-') {
			name++;
			single_dash = false;
			if (name[0] == '\0')
				return 0; /* "--" ends the options and is consumed */
		}
		if (name[0] == '\0' || name[0] == '-' || name[0] == '=')
			return oh_error_make(err, 0, "bad option syntax \"%s\" (argument %d)", arg,
					     index);

		/* Go looks for "=" from the second character of the name on. */
		const char *equals = strchr(name + 1, '=');
		size_t name_len = equals ? (size_t)(equals - name) : strlen(name);
		const char *value = equals ? equals + 1 : NULL;

		bool is_short;
		const struct runc_option *o = option_lookup(table, name, name_len, &is_short);
		if (!o)
			return oh_error_make(err, 0,
					     "unknown %s option \"%s\" (argument %d): cannot tell "
					     "whether it takes a value",
					     where, arg, index);
		if (single_dash && (name_len > 1 || equals))
			st->out->single_dash_option = true;

		uint64_t bit = UINT64_C(1) << (o - table->items);
		if ((is_short ? seen_long : seen_short) & bit)
			return oh_error_make(err, 0,
					     "both --%s and -%s given (argument %d): runc refuses "
					     "two forms of the same option",
					     o->name, o->short_name, index);
		*(is_short ? &seen_short : &seen_long) |= bit;

		bool flag = false;
		int value_index = index;
		if (o->kind == OPTION_BOOL) {
			flag = true;
			if (value && !go_parse_bool(value, &flag))
				return oh_error_make(err, 0,
						     "invalid boolean value \"%s\" for --%s "
						     "(argument %d)",
						     value, o->name, index);
		} else if (!value) {
			/* The next argument, whatever it looks like. */
			int next = stream_next(s);
			if (next < 0)
				return oh_error_make(err, 0,
						     "option \"%s\" needs a value (argument %d)",
						     arg, index);
			value = s->argv[next];
			value_index = next;
		}
		option_store(st, o, value, flag);
		if (o->field == FIELD_PROCESS) {
			st->out->process_value_index = value_index;
			st->out->process_value_inline = equals != NULL;
		}
		if (st->on_option)
			st->on_option(st, o, value, flag, index, value_index - index + 1);
	}
}

/* The positional arguments left in the stream: the first is the container
 * id, and the count is checked as runc's checkArgs would. */
static int parse_positional(struct parse_state *st, struct arg_stream *s,
			    const struct command_spec *spec, oh_error_t *err)
{
	int first = stream_next(s);
	if (first >= 0) {
		st->out->container_id = s->argv[first];
		st->out->container_id_index = first;
	}
	switch (spec->positional) {
	case POSITIONAL_ANY:
		return 0;
	case POSITIONAL_AT_LEAST_ONE:
		if (first < 0)
			return oh_error_make(err, 0, "runc %s needs a container id", spec->name);
		return 0;
	case POSITIONAL_EXACTLY_ONE: {
		int count = first >= 0;
		while (stream_next(s) >= 0)
			count++;
		if (count != 1)
			return oh_error_make(err, 0,
					     "runc %s takes exactly one argument, the container "
					     "id, but %d remain after its options",
					     spec->name, count);
		return 0;
	}
	}
	return 0;
}

int runc_args_parse(int argc, char *const argv[], struct runc_args *out, oh_error_t *err)
{
	*out = (struct runc_args){
	    .program = argc > 0 ? argv[0] : NULL,
	    .command = RUNC_CMD_NONE,
	    .command_index = -1,
	    .container_id_index = -1,
	    .process_value_index = -1,
	};
	struct parse_state st = {.out = out};

	/* Global options: urfave's App.Run parses them with no reordering. */
	struct arg_stream global;
	stream_init(&global, argv, 1, argc < 1 ? 1 : argc, NULL);
	if (parse_options(&st, &global, &global_table, "global", err) < 0)
		return -1;

	/* urfave checks --help, then --version, before running app.Before
	 * (where runc validates --log-format) or any command. */
	if (st.help || st.version) {
		out->help = st.help;
		out->version = !st.help;
		return 0;
	}
	if (st.log_format && st.log_format[0] != '\0' && strcmp(st.log_format, "text") != 0 &&
	    strcmp(st.log_format, "json") != 0)
		return oh_error_make(err, 0, "invalid --log-format \"%s\": runc takes text or json",
				     st.log_format);

	/* No command, or an empty one: urfave runs its help action, which shows
	 * the app's help for "" (ShowCommandHelp). */
	int index = stream_next(&global);
	if (index < 0 || argv[index][0] == '\0') {
		out->help = true;
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(refused_commands); i++)
		if (strcmp(argv[index], refused_commands[i]) == 0)
			return oh_error_make(err, 0,
					     "the command \"%s\" (argument %d) changes a running "
					     "container in ways oci-harden does not judge",
					     argv[index], index);
	const struct command_spec *spec = command_lookup(argv[index]);
	if (!spec) {
		out->command = RUNC_CMD_UNKNOWN;
		out->command_name = argv[index];
		out->command_index = index;
		return 0;
	}
	out->command = spec->command;
	out->command_name = argv[index];
	out->command_index = index;
	/* `runc help` alone is the app's help too; `runc help CMD` is CMD's. */
	if ((strcmp(spec->name, "help") == 0 || strcmp(spec->name, "h") == 0) && index + 1 == argc)
		out->help = true;
	if (!spec->options)
		return 0;

	struct arg_stream args;
	stream_init(&args, argv, index + 1, argc, spec->reorders ? spec->options : NULL);
	if (parse_options(&st, &args, spec->options, spec->name, err) < 0)
		return -1;
	if (st.help) {
		/* urfave's checkCommandHelp: runc prints the command's help and
		 * does nothing else. */
		out->command = RUNC_CMD_NONE;
		out->command_name = NULL;
		out->command_index = -1;
		return 0;
	}
	return parse_positional(&st, &args, spec, err);
}

static const char *const command_names[] = {
    [RUNC_CMD_NONE] = "none",	    [RUNC_CMD_CREATE] = "create", [RUNC_CMD_RUN] = "run",
    [RUNC_CMD_RESTORE] = "restore", [RUNC_CMD_EXEC] = "exec",	  [RUNC_CMD_DELETE] = "delete",
    [RUNC_CMD_LIST] = "list",	    [RUNC_CMD_OTHER] = "other",	  [RUNC_CMD_UNKNOWN] = "unknown",
};

const char *runc_command_name(enum runc_command command)
{
	if ((size_t)command >= ARRAY_SIZE(command_names) || !command_names[command])
		return "unknown";
	return command_names[command];
}

struct exec_walk {
	void (*visit)(const struct runc_exec_option *option, void *data);
	void *data;
};

/* What each of exec's options is for, in the public terms. */
static enum runc_exec_field exec_field_of(enum option_field field)
{
	static const struct {
		enum option_field field;
		enum runc_exec_field exec;
	} map[] = {
	    {FIELD_PROCESS, RUNC_EXEC_PROCESS},
	    {FIELD_EXEC_CWD, RUNC_EXEC_CWD},
	    {FIELD_EXEC_ENV, RUNC_EXEC_ENV},
	    {FIELD_EXEC_TTY, RUNC_EXEC_TTY},
	    {FIELD_EXEC_USER, RUNC_EXEC_USER},
	    {FIELD_EXEC_ADDITIONAL_GIDS, RUNC_EXEC_ADDITIONAL_GIDS},
	    {FIELD_EXEC_PROCESS_LABEL, RUNC_EXEC_PROCESS_LABEL},
	    {FIELD_EXEC_APPARMOR, RUNC_EXEC_APPARMOR},
	    {FIELD_EXEC_NO_NEW_PRIVS, RUNC_EXEC_NO_NEW_PRIVS},
	    {FIELD_EXEC_CAP, RUNC_EXEC_CAP},
	};
	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		if (map[i].field == field)
			return map[i].exec;
	return RUNC_EXEC_RUNTIME; /* console socket, detach, pid file, fds, cgroup, help */
}

static void exec_walk_option(struct parse_state *st, const struct runc_option *o, const char *value,
			     bool flag, int index, int count)
{
	const struct exec_walk *walk = st->on_option_data;
	struct runc_exec_option option = {
	    .field = exec_field_of(o->field),
	    .value = o->kind == OPTION_BOOL ? NULL : value,
	    .flag = flag,
	    .index = index,
	    .count = count,
	};
	walk->visit(&option, walk->data);
}

void runc_exec_options_each(int argc, char *const argv[], const struct runc_args *args,
			    void (*visit)(const struct runc_exec_option *option, void *data),
			    void *data)
{
	assert(args->command == RUNC_CMD_EXEC && args->container_id_index > args->command_index);
	struct runc_args scratch;
	struct exec_walk walk = {.visit = visit, .data = data};
	struct parse_state st = {
	    .out = &scratch,
	    .on_option = exec_walk_option,
	    .on_option_data = &walk,
	};
	scratch = (struct runc_args){.command_index = -1, .container_id_index = -1};
	/* The options end where the id is: exec does not reorder, so they
	 * are read exactly as runc_args_parse read them, which succeeded. */
	struct arg_stream stream;
	stream_init(&stream, argv, args->command_index + 1, args->container_id_index, NULL);
	oh_error_t err = NULL;
	int r = parse_options(&st, &stream, &exec_table, "exec", &err);
	assert(r == 0);
	(void)r;
	oh_error_free(&err);
}
