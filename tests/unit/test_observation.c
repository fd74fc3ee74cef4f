/* SPDX-License-Identifier: Apache-2.0 */
/* The observation of a container, as the event log carries it: written and
 * read back the same, and a document of the wrong shape refused with the
 * member named. */
#include "helpers.h"
#include "observation.h"

static struct observation sample(void)
{
	struct observation o = {.kernel = true, .complete = true};
	o.mode = xstrdup("audit");
	o.started = xstrdup("2025-01-01T00:00:00.000Z");
	o.writes_source = xstrdup("overlay upper layer");
	o.init.known = true;
	o.init.uid_start = 0;
	o.init.uid_end = 999;
	o.init.gid_end = 999;
	o.init.switched = true;
	struct observation_capability *c = observation_list_add(&o.capabilities);
	c->name = xstrdup("CAP_CHOWN");
	c->seen = (struct observation_seen){.time = xstrdup("2025-01-01T00:00:01.000Z"),
					    .pid = 42,
					    .comm = xstrdup("chown"),
					    .uid = 0,
					    .euid = 0};
	struct observation_syscall *s = observation_list_add(&o.syscalls);
	s->name = xstrdup("personality");
	s->nr = 135;
	s->action = xstrdup("SCMP_ACT_ERRNO");
	s->error = 1;
	s->has_args = true;
	s->args[0] = 0xffffffffffffffffull;
	s->seen.uid = s->seen.euid = -1;
	struct observation_write *w = observation_list_add(&o.writes);
	w->path = xstrdup("/run/postgresql/.s.PGSQL.5432.lock");
	w->type = xstrdup("file");
	w->kind = OBSERVATION_CREATED;
	w->uid = w->gid = 999;
	struct observation_exec *x = observation_list_add(&o.execs_foreign);
	x->path = xstrdup("/tmp/x");
	x->origin = xstrdup("other mount");
	x->filesystem = xstrdup("tmpfs");
	x->seen.uid = x->seen.euid = -1;
	return o;
}

Test(observation, written_and_read_back)
{
	struct observation o = sample();
	struct json *doc = observation_to_json(&o);
	struct observation back;
	oh_error_t err = NULL;
	cr_assert_eq(observation_from_json(doc, &back, &err), 0, "%s", err ? err->msg : "");
	struct json *again = observation_to_json(&back);
	cr_assert(json_equal(doc, again));
	cr_assert_str_eq(back.capabilities.items[0].name, "CAP_CHOWN");
	cr_assert_eq(back.capabilities.items[0].seen.pid, 42);
	cr_assert_eq(back.syscalls.items[0].args[0], 0xffffffffffffffffull);
	cr_assert_eq(back.writes.items[0].kind, OBSERVATION_CREATED);
	cr_assert(back.init.switched);
	cr_assert_eq(back.init.uid_end, 999);
	observation_clear(&o);
	observation_clear(&back);
	json_free(doc);
	json_free(again);
}

Test(observation, wrong_shapes_name_the_member)
{
	const char *cases[][2] = {
	    {"{\"capabilities\": {}}", "observation.capabilities"},
	    {"{\"capabilities\": [{\"time\": \"x\"}]}", "without a name"},
	    {"{\"writes\": [{\"path\": \"relative\"}]}", "absolute path"},
	    {"{\"init\": {\"uid_end\": -1}}", "observation.init.uid_end"},
	    {"{\"kernel\": \"yes\"}", "observation.kernel"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct json *doc = test_parse(cases[i][0]);
		struct observation o;
		oh_error_t err = NULL;
		cr_assert_lt(observation_from_json(doc, &o, &err), 0, "%s", cases[i][0]);
		cr_assert(strstr(err->msg, cases[i][1]), "%s: %s", cases[i][0], err->msg);
		oh_error_free(&err);
		json_free(doc);
	}
}

Test(observation, unknown_members_are_ignored)
{
	struct json *doc = test_parse("{\"kernel\": true, \"from_the_future\": [1, 2]}");
	struct observation o;
	oh_error_t err = NULL;
	cr_assert_eq(observation_from_json(doc, &o, &err), 0);
	cr_assert(o.kernel);
	observation_clear(&o);
	json_free(doc);
}

Test(observation, denials_name_each_kind_and_are_capped)
{
	struct observation o = {0};
	cr_assert_null(observation_denials(&o, 6), "nothing denied: no sentence");
	struct observation_refusal *r = observation_list_add(&o.writes_refused);
	r->path = xstrdup("/var/lib/nginx/body");
	r->syscall = xstrdup("mkdir");
	r->error = 30;
	struct observation_syscall *s = observation_list_add(&o.syscalls_denied);
	s->name = xstrdup("unshare");
	s->error = 1;
	struct observation_syscall *probe = observation_list_add(&o.syscalls_denied);
	probe->name = xstrdup("clone3");
	probe->error = 38; /* ENOSYS: a probe, not a denial that broke anything */
	struct observation_capability *cap = observation_list_add(&o.capabilities_denied);
	cap->name = xstrdup("CAP_CHOWN");
	cap->syscall = xstrdup("chown");
	struct observation_exec *x = observation_list_add(&o.execs_refused);
	x->path = xstrdup("/tmp/x");
	x->error = 13;
	cleanup_free char *all = observation_denials(&o, 6);
	cr_assert_str_eq(all,
			 "the read-only root refused mkdir /var/lib/nginx/body; seccomp denied "
			 "unshare (errno 1); CAP_CHOWN was missing (chown failed); running "
			 "/tmp/x was refused (errno 13)");
	cleanup_free char *two = observation_denials(&o, 2);
	cr_assert_str_eq(two,
			 "the read-only root refused mkdir /var/lib/nginx/body; seccomp denied "
			 "unshare (errno 1); and 2 more");
	observation_clear(&o);
}
