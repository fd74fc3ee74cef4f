/* SPDX-License-Identifier: Apache-2.0 */
/* The drift lock (issue 16): what is written after the container starts
 * cannot be executed by the kernel.
 *
 * - Every mount the container can write to is noexec, unless
 *   allow.exec_paths names its destination: a tmpfs (the policy's, /dev,
 *   /dev/shm), an overlay with an upper layer, a writable bind mount (a
 *   volume, an emptyDir, the CRI's /etc/hosts), a filesystem a policy
 *   allows; and a read-only bind of a host directory that a writable bind
 *   of the same container shows too. The kernel's interface filesystems
 *   (proc, sysfs, cgroup, mqueue, devpts) hold no file a process can give
 *   a program's content, and are left as they are.
 * - A root filesystem cannot be noexec: it holds the image's programs. A
 *   container whose root stays writable (a policy with readonly_rootfs
 *   false) is refused, unless allow.exec_paths names "/".
 * - A memfd (memfd_create(2)) is a file on no mount of the container's, and
 *   the kernel executes one by execveat(fd, "", AT_EMPTY_PATH), fexecve(3)
 *   or execve("/proc/self/fd/N") alike. vm.memfd_noexec = 2 (Linux 6.3,
 *   kernel/pid_sysctl.h) makes every memfd created in a pid namespace
 *   unexecutable and sealed so, and is the pid namespace's own; but runc
 *   (libcontainer/configs/validate: sysctl) and crun (linux.c,
 *   validate_sysctl) refuse it in linux.sysctl. So a createRuntime hook
 *   sets it: runc and crun run it as the host's root once the container's
 *   namespaces exist and before its process starts (runc process_linux.go,
 *   procHooks; crun container.c), and it joins the pid namespace of the
 *   container's init to write it (src/cmd_memfd_noexec.c). Not a
 *   createContainer hook, which runs in the container's namespaces: in a
 *   user namespace it is not the host's root, and the kernel lets only
 *   that root write the sysctl (fs/proc/proc_sysctl.c, test_perm).
 *   allow.exec_memfd lifts it.
 *
 * What noexec cannot stop, oci-harden-policy(5) says: a program the image
 * has reading a written file and running it itself (sh /tmp/x, python3
 * /tmp/x.py), or putting code in its own memory (a JIT, a loader of its own,
 * ld.so given a memfd). ld.so given a file on a noexec mount fails: the
 * kernel refuses mmap(PROT_EXEC) of it (mm/mmap.c, do_mmap: path_noexec). */
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>

#include "module.h"

/* The command of the hook: argv of `oci-harden memfd-noexec`. */
static const char *const noexec_memfd_hook_args[] = {"oci-harden", "memfd-noexec"};

/* Filesystems whose files are the kernel's interfaces, not content a
 * process writes: nothing on them can be made a program. */
static const char *const noexec_interface_types[] = {
    "proc", "sysfs", "cgroup", "cgroup2", "mqueue", "devpts",
};

enum noexec_pid_namespace {
	NOEXEC_PID_NEW,	   /* the runtime creates it */
	NOEXEC_PID_JOINED, /* a path: someone else's */
	NOEXEC_PID_HOST,   /* none: the runtime's own, the host's */
};

static enum noexec_pid_namespace noexec_pid_namespace(const struct json *spec, const char **path)
{
	*path = NULL;
	const struct json *linux_obj = json_object_get(spec, "linux");
	const struct json *namespaces = linux_obj && linux_obj->type == JSON_OBJECT
					    ? json_object_get(linux_obj, "namespaces")
					    : NULL;
	for (size_t i = 0;
	     namespaces && namespaces->type == JSON_ARRAY && i < namespaces->array.len; i++) {
		const struct json *ns = namespaces->array.items[i];
		const struct json *type =
		    ns->type == JSON_OBJECT ? json_object_get(ns, "type") : NULL;
		if (!type || type->type != JSON_STRING || strcmp(type->string.ptr, "pid") != 0)
			continue;
		const struct json *p = json_object_get(ns, "path");
		if (p && p->type == JSON_STRING && p->string.len) {
			*path = p->string.ptr;
			return NOEXEC_PID_JOINED;
		}
		return NOEXEC_PID_NEW;
	}
	return NOEXEC_PID_HOST;
}

bool noexec_is_memfd_hook(const struct harden_ctx *ctx, const char *phase, const struct json *hook)
{
	const char *joined;
	const char *self = ctx->host ? ctx->host->self_program : NULL;
	if (!ctx->spec || !self || strcmp(phase, "createRuntime") != 0 ||
	    hook->type != JSON_OBJECT || hook->object.len != 2 ||
	    noexec_pid_namespace(ctx->spec, &joined) != NOEXEC_PID_NEW)
		return false;
	const struct json *path = json_object_get(hook, "path");
	const struct json *args = json_object_get(hook, "args");
	if (!path || path->type != JSON_STRING || strcmp(path->string.ptr, self) != 0 || !args ||
	    args->type != JSON_ARRAY || args->array.len != ARRAY_SIZE(noexec_memfd_hook_args))
		return false;
	for (size_t i = 0; i < args->array.len; i++)
		if (args->array.items[i]->type != JSON_STRING ||
		    strcmp(args->array.items[i]->string.ptr, noexec_memfd_hook_args[i]) != 0)
			return false;
	return true;
}

/* --- memfds -------------------------------------------------------------- */

static int noexec_memfd(struct harden_ctx *ctx, oh_error_t *err)
{
	const struct host_facts *host = ctx->host;
	const char *joined;
	switch (noexec_pid_namespace(ctx->spec, &joined)) {
	case NOEXEC_PID_HOST:
		decision_set_lift(
		    report_add(ctx->report, DECISION_WARN, "noexec", "linux.namespaces", NULL, NULL,
			       "memfds can be executed as the host's vm.memfd_noexec "
			       "allows: the container has no pid namespace of its own"),
		    "allow.exec_memfd", json_new_bool(true));
		return 0;
	case NOEXEC_PID_JOINED:
		decision_set_lift(
		    report_add(
			ctx->report, DECISION_WARN, "noexec", "linux.namespaces", NULL, NULL,
			"memfds can be executed as the pid namespace it joins (%s) allows: "
			"oci-harden forbids it only in a pid namespace the runtime creates (a "
			"pod's sandbox, hardened, does so for its pod)",
			joined),
		    "allow.exec_memfd", json_new_bool(true));
		return 0;
	case NOEXEC_PID_NEW:
		break;
	}
	if (!host || !host->memfd_noexec_sysctl || !host->self_program) {
		const char *why =
		    host && host->memfd_noexec_sysctl
			? "the path of oci-harden's own binary, which the hook would run, is not "
			  "known"
			: "this kernel has no vm.memfd_noexec to forbid it (Linux 6.3), or it "
			  "cannot "
			  "be written here";
		decision_set_lift(report_add(ctx->report, DECISION_WARN, "noexec", "hooks", NULL,
					     NULL, "memfds can be executed: %s", why),
				  "allow.exec_memfd", json_new_bool(true));
		return 0;
	}
	struct json *hooks, *list;
	if (harden_member_object(ctx->spec, "", "hooks", true, &hooks, err) < 0 ||
	    harden_member_array(hooks, "hooks", "createRuntime", &list, err) < 0)
		return -1;
	if (!list) {
		list = json_new_array();
		json_object_set(hooks, "createRuntime", list);
	}
	for (size_t i = 0; i < list->array.len; i++)
		if (noexec_is_memfd_hook(ctx, "createRuntime", list->array.items[i]))
			return 0;
	struct json *hook = json_new_object();
	json_object_set(hook, "path", json_new_string(host->self_program));
	struct json *args = json_new_array();
	for (size_t i = 0; i < ARRAY_SIZE(noexec_memfd_hook_args); i++)
		json_array_append(args, json_new_string(noexec_memfd_hook_args[i]));
	json_object_set(hook, "args", args);
	cleanup_free char *path = xstrcat_index("hooks.createRuntime", "", list->array.len);
	struct decision *d = harden_record_change(
	    ctx, "noexec", path, NULL, json_clone(hook),
	    "memfds cannot be executed: a createRuntime hook sets vm.memfd_noexec to 2 in the "
	    "container's pid namespace");
	decision_set_lift(d, "allow.exec_memfd", json_new_bool(true));
	json_array_append(list, hook);
	return 0;
}

/* --- mounts -------------------------------------------------------------- */

/* What a mount's options say of exec and of the flags a remount of it
 * takes, in order: the last of a pair counts. */
struct noexec_flags {
	bool noexec;  /* the last of "exec" and "noexec" is "noexec" */
	bool rnoexec; /* "rnoexec" (runc and crun: mount_setattr, recursive) */
	bool rexec;   /* "rexec", which clears it */
	bool nosuid, nodev;
};

static struct noexec_flags noexec_read_flags(const struct json *options)
{
	struct noexec_flags f = {0};
	static const struct {
		const char *name;
		size_t offset;
		bool value;
	} words[] = {
	    {"noexec", offsetof(struct noexec_flags, noexec), true},
	    {"exec", offsetof(struct noexec_flags, noexec), false},
	    {"rnoexec", offsetof(struct noexec_flags, rnoexec), true},
	    {"rexec", offsetof(struct noexec_flags, rexec), true},
	    {"nosuid", offsetof(struct noexec_flags, nosuid), true},
	    {"suid", offsetof(struct noexec_flags, nosuid), false},
	    {"nodev", offsetof(struct noexec_flags, nodev), true},
	    {"dev", offsetof(struct noexec_flags, nodev), false},
	};
	for (size_t i = 0; options && i < options->array.len; i++) {
		const struct json *o = options->array.items[i];
		/* The first two bytes settle most options ("ro", "rbind",
		 * "mode=755") without a call (no word is shorter than two). */
		for (size_t w = 0; o->type == JSON_STRING && w < ARRAY_SIZE(words); w++)
			if (o->string.ptr[0] == words[w].name[0] &&
			    o->string.ptr[1] == words[w].name[1] &&
			    strcmp(o->string.ptr, words[w].name) == 0)
				*(bool *)((char *)&f + words[w].offset) = words[w].value;
	}
	return f;
}

/* One mount as this module reads it. */
struct noexec_mount {
	struct json *node;
	struct json *options;
	const char *type;
	char *path;		 /* "mounts[N]" */
	const char *destination; /* clean, absolute */
	char *destination_owned; /* `destination` where not the config's text */
	bool bind, read_only;
	const struct host_path *source; /* a bind's source on the host, or NULL */
};

/* The resolved source of bind `m`, or NULL. */
static const char *noexec_source(const struct noexec_mount *m)
{
	return m->source && m->source->exists ? m->source->resolved : NULL;
}

/* For a read-only bind: the index of a writable bind whose host directory
 * it shows (its source is in, or holds, that one), or SIZE_MAX. The
 * container writes a program through one and runs it through the other. */
static size_t noexec_shown_writable(const struct noexec_mount *mounts, size_t len, size_t index)
{
	const char *source = noexec_source(&mounts[index]);
	for (size_t i = 0; source && i < len; i++) {
		const char *other = noexec_source(&mounts[i]);
		if (i != index && mounts[i].bind && !mounts[i].read_only && other &&
		    (harden_path_within(source, other) || harden_path_within(other, source)))
			return i;
	}
	return SIZE_MAX;
}

/* Options without "exec" and "rexec", with `add` (NULL-terminated) added
 * where missing. */
static struct json *noexec_options_with(const struct json *options, const char *const *add)
{
	struct json *out = json_new_array();
	for (size_t i = 0; options && i < options->array.len; i++) {
		const struct json *o = options->array.items[i];
		if (o->type == JSON_STRING &&
		    ((o->string.ptr[0] == 'e' && strcmp(o->string.ptr, "exec") == 0) ||
		     (o->string.ptr[0] == 'r' && strcmp(o->string.ptr, "rexec") == 0)))
			continue;
		json_array_append(out, json_clone(o));
	}
	for (; *add; add++) {
		bool present = false;
		for (size_t i = 0; i < out->array.len && !present; i++)
			present = out->array.items[i]->string.ptr[0] == (*add)[0] &&
				  strcmp(out->array.items[i]->string.ptr, *add) == 0;
		if (!present)
			json_array_append(out, json_new_string(*add));
	}
	return out;
}

/* Make mount `m` noexec, as its runtime applies it. `shown` is the
 * writable bind a read-only one shows, or SIZE_MAX. */
static void noexec_mount(struct harden_ctx *ctx, const struct noexec_mount *m, size_t shown)
{
	struct noexec_flags f = noexec_read_flags(m->options);
	const char *dest = m->destination;
	const char *where = m->path;
	char *why = NULL;
	struct json *options = NULL;
	bool directory = m->source && m->source->exists && m->source->type == S_IFDIR;
	if (!m->bind) {
		/* A mount of its own takes its flags as it is made (runc
		 * mountPropagate; crun do_mount); runc applies no "r" option
		 * to it, crun applies "rexec" after it. */
		if (f.noexec && !f.rexec)
			return;
		static const char *const add[] = {"noexec", NULL};
		options = noexec_options_with(m->options, add);
		why =
		    strcmp(m->type, "tmpfs") == 0
			? xasprintf("the tmpfs at %s is writable: noexec, so that nothing written "
				    "there can be executed",
				    dest)
			: xasprintf("the %s mount at %s is writable: noexec, so that nothing "
				    "written there can be executed",
				    m->type, dest);
	} else if (directory) {
		/* "rnoexec": mount_setattr(AT_RECURSIVE) after the bind (runc
		 * setRecAttr, crun do_mount_setattr), which sets noexec on it
		 * and on every mount under it (an rbind brings the host's) and
		 * leaves its other flags as they are. */
		if (f.rnoexec && !f.rexec)
			return;
		static const char *const add[] = {"rnoexec", NULL};
		options = noexec_options_with(m->options, add);
		why =
		    shown != SIZE_MAX
			? xasprintf("the bind mount at %s is read-only, but its host directory "
				    "%s is writable through mounts[%zu]: rnoexec, so that nothing "
				    "written there can be executed here",
				    dest, noexec_source(m), shown)
			: xasprintf("the bind mount at %s is writable: rnoexec, so that nothing "
				    "written there, nor in the mounts under it, can be executed",
				    dest);
	} else {
		/* A file: crun opens a recursive option's target as a directory
		 * (linux.c, do_mounts: O_DIRECTORY), so it is plain "noexec",
		 * which runc applies to a bind by a remount that takes the
		 * mount's flags whole (rootfs_linux.go, remount): nosuid and
		 * nodev, which the host's mount may have had, go with it, and
		 * so does ro where the host's file is on a read-only mount. */
		if (f.noexec && !f.rexec)
			return;
		bool ro = m->source && m->source->exists && m->source->read_only_mount;
		static const char *const add[] = {"noexec", "nosuid", "nodev", NULL};
		static const char *const add_ro[] = {"noexec", "nosuid", "nodev", "ro", NULL};
		options = noexec_options_with(m->options, ro ? add_ro : add);
		why = xasprintf(
		    "the file bound at %s is %s: noexec, so that nothing written to it can be "
		    "executed, with nosuid and nodev%s, which runc applies by a remount that would "
		    "otherwise drop them",
		    dest,
		    shown != SIZE_MAX ? "read-only but writable through another mount" : "writable",
		    ro ? " and ro (the host's file is on a read-only mount)" : "");
	}
	struct decision *d =
	    harden_set_reason_taken(ctx, "noexec", m->node, where, "options", options, why);
	if (d)
		decision_set_lift_item(d, "allow.exec_paths", dest);
}

static bool noexec_interface_type(const char *type)
{
	for (size_t i = 0; i < ARRAY_SIZE(noexec_interface_types); i++)
		if (strcmp(type, noexec_interface_types[i]) == 0)
			return true;
	return false;
}

/* Whether allow.exec_paths names a destination, as written or clean. */
static bool noexec_exec_allowed(const struct policy *policy, const char *written, const char *clean)
{
	return harden_allowed(&policy->allow.exec_paths, clean) ||
	       (written && harden_allowed(&policy->allow.exec_paths, written));
}

static int noexec_mounts(struct harden_ctx *ctx, oh_error_t *err)
{
	struct json *mounts;
	if (harden_member_array(ctx->spec, "", "mounts", &mounts, err) < 0)
		return -1;
	if (!mounts || !mounts->array.len)
		return 0;
	const char *bundle = ctx->host ? ctx->host->bundle : NULL;
	size_t len = mounts->array.len;
	struct noexec_mount *views = xcalloc(len, sizeof(*views));
	int r = 0;
	for (size_t i = 0; i < len; i++) {
		struct noexec_mount *v = &views[i];
		struct json *m = mounts->array.items[i];
		const char *path = v->path = xstrcat_index("mounts", "", i);
		const char *destination = NULL, *source = NULL;
		if (m->type != JSON_OBJECT) {
			r = oh_error_make(err, 0, "%s: must be an object", path);
			goto out;
		}
		if (harden_member_string(m, path, "type", &v->type, err) < 0 ||
		    harden_member_string(m, path, "source", &source, err) < 0 ||
		    harden_member_string(m, path, "destination", &destination, err) < 0 ||
		    harden_member_array(m, path, "options", &v->options, err) < 0) {
			r = -1;
			goto out;
		}
		v->node = m;
		/* runc joins a relative destination to the root filesystem. */
		if (destination && destination[0] == '/') {
			v->destination =
			    harden_clean_path_borrowed(destination, &v->destination_owned);
		} else {
			cleanup_free char *rooted =
			    xstrcat3("/", destination ? destination : "", "");
			v->destination = v->destination_owned = harden_clean_path(rooted);
		}
		harden_mount_bind_read_only(v->type, v->options, &v->bind, &v->read_only);
		if (v->bind) {
			cleanup_free char *host_path =
			    harden_host_path(bundle, source ? source : "", true);
			v->source = host_path ? host_facts_path(ctx->host, host_path) : NULL;
		}
	}
	for (size_t i = 0; i < len; i++) {
		const struct noexec_mount *v = &views[i];
		const struct json *written = json_object_get(v->node, "destination");
		if ((!v->bind && (!v->type || noexec_interface_type(v->type))) ||
		    noexec_exec_allowed(ctx->policy, written ? written->string.ptr : NULL,
					v->destination))
			continue;
		size_t shown = SIZE_MAX;
		if (v->read_only) {
			/* Read-only stays read-only: only a bind that shows a
			 * writable one's files is a way to run them. An overlay
			 * without an upper layer is read-only to the kernel. */
			shown = v->bind ? noexec_shown_writable(views, len, i) : SIZE_MAX;
			if (shown == SIZE_MAX)
				continue;
		} else if (!v->bind && strcmp(v->type, "overlay") == 0 && v->options) {
			bool upper = false;
			for (size_t o = 0; o < v->options->array.len; o++) {
				const struct json *opt = v->options->array.items[o];
				upper |= opt->type == JSON_STRING &&
					 strstr(opt->string.ptr, "upperdir=") != NULL;
			}
			if (!upper)
				continue;
		}
		noexec_mount(ctx, v, shown);
	}
out:
	for (size_t i = 0; i < len; i++) {
		xfree(views[i].path);
		xfree(views[i].destination_owned);
	}
	xfree(views);
	return r;
}

/* --- the root filesystem ------------------------------------------------- */

/* The change an earlier module made to root.readonly in this run (rootfs,
 * by readonly_rootfs), or NULL. */
static const struct decision *noexec_root_made_read_only(const struct report *report)
{
	for (size_t i = 0; i < report->len; i++) {
		const struct decision *d = &report->items[i];
		if (d->kind == DECISION_CHANGE && strcmp(d->path, "root.readonly") == 0 &&
		    strcmp(d->rule, "noexec") != 0)
			return d;
	}
	return NULL;
}

static int noexec_root(struct harden_ctx *ctx, oh_error_t *err)
{
	struct json *root;
	if (harden_member_object(ctx->spec, "", "root", false, &root, err) < 0)
		return -1;
	bool read_only = false;
	if (root && harden_member_bool(root, "root", "readonly", &read_only, err) < 0)
		return -1;
	if (noexec_exec_allowed(ctx->policy, NULL, "/"))
		return 0;
	if (read_only) {
		/* Made read-only here, for readonly_rootfs: the drift lock needs
		 * it too, and says so with its own key. Lifting readonly_rootfs
		 * alone (as suggest does with what audit mode recorded) would
		 * otherwise meet the refusal below only in enforce mode. */
		const struct decision *made = noexec_root_made_read_only(ctx->report);
		if (made) {
			struct decision *d = harden_record_change(
			    ctx, "noexec", "root.readonly",
			    made->old_value ? json_clone(made->old_value) : NULL,
			    made->new_value ? json_clone(made->new_value) : NULL,
			    "the root filesystem is read-only, which the drift lock needs as well: "
			    "a root cannot be noexec (it holds the image's programs), and a "
			    "program written to a writable one could be executed");
			decision_set_lift_item(d, "allow.exec_paths", "/");
		}
		return 0;
	}
	harden_refuse(ctx, "noexec", "root.readonly",
		      root ? json_object_get(root, "readonly") : NULL, "allow.exec_paths", "/",
		      "the root filesystem is writable, and a root cannot be noexec (it holds the "
		      "image's programs): a program written to it could be executed (the policy "
		      "may allow \"/\" in exec_paths, or set readonly_rootfs)");
	return 0;
}

static int noexec_apply(struct harden_ctx *ctx, oh_error_t *err)
{
	if (!ctx->spec)
		return 0;
	if (noexec_root(ctx, err) < 0 || noexec_mounts(ctx, err) < 0)
		return -1;
	if (!ctx->policy->allow.exec_memfd && noexec_memfd(ctx, err) < 0)
		return -1;
	return 0;
}

const struct harden_module harden_module_noexec = {
    .name = "noexec",
    .apply = noexec_apply,
};
