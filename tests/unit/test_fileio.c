/* SPDX-License-Identifier: Apache-2.0 */
/* Reading config.json safely, and replacing it atomically. */
#include <errno.h>
#include <sys/stat.h>

#include <limits.h>

#include "helpers.h"
#include "host.h"

static char dir[64];
static int dirfd_ = -1;

static void make_dir(void)
{
	strcpy(dir, "/tmp/oci-harden-fileio-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	dirfd_ = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

static void remove_dir(void)
{
	close(dirfd_);
	cleanup_free char *cmd = xasprintf("rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(fileio, .init = make_dir, .fini = remove_dir);

static void write_file(const char *name, const char *text, mode_t mode)
{
	int fd = openat(dirfd_, name, O_WRONLY | O_CREAT | O_TRUNC, mode);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static int read_config(const char *name, size_t max, char **text, oh_error_t *err)
{
	size_t len;
	struct stat st;
	return file_read_all_flags(dirfd_, name, "BUNDLE/config.json", max, FILE_READ_NOFOLLOW,
				   text, &len, &st, err);
}

Test(fileio, reads_a_regular_file)
{
	write_file("config.json", "{\"a\":1}", 0600);
	cleanup_free char *text = NULL;
	oh_error_t err = NULL;
	cr_assert_eq(read_config("config.json", 1024, &text, &err), 0);
	cr_assert_str_eq(text, "{\"a\":1}");
}

Test(fileio, refuses_a_symlink_a_fifo_a_directory_and_a_large_file)
{
	write_file("real.json", "{}", 0600);
	cr_assert_eq(symlinkat("real.json", dirfd_, "link.json"), 0);
	cr_assert_eq(mkfifoat(dirfd_, "fifo.json", 0600), 0);
	cr_assert_eq(mkdirat(dirfd_, "dir.json", 0700), 0);
	write_file("big.json", "{\"a\":\"0123456789\"}", 0600);
	struct {
		const char *name;
		const char *reason;
	} cases[] = {
	    {"link.json", "symbolic link"},	{"fifo.json", "not a regular file"},
	    {"dir.json", "not a regular file"}, {"big.json", "larger than the limit"},
	    {"missing.json", "No such file"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		cleanup_free char *text = NULL;
		oh_error_t err = NULL;
		cr_assert_lt(read_config(cases[i].name, 8, &text, &err), 0, "%s", cases[i].name);
		cr_assert(strstr(err->msg, "BUNDLE/config.json") &&
			      strstr(err->msg, cases[i].reason),
			  "%s: %s", cases[i].name, err->msg);
		oh_error_free(&err);
	}
}

Test(fileio, replaces_atomically_keeping_mode)
{
	write_file("config.json", "old", 0640);
	struct stat before;
	cr_assert_eq(fstatat(dirfd_, "config.json", &before, 0), 0);
	oh_error_t err = NULL;
	cr_assert_eq(
	    file_replace_atomically(dirfd_, "config.json", "config.json", "new!", 4, &before, &err),
	    0);
	struct stat after;
	cr_assert_eq(fstatat(dirfd_, "config.json", &after, 0), 0);
	cr_assert_eq(after.st_mode & 07777, 0640);
	cr_assert_neq(after.st_ino, before.st_ino, "a new file renamed over the old one");
	cleanup_free char *text = NULL;
	cr_assert_eq(read_config("config.json", 64, &text, &err), 0);
	cr_assert_str_eq(text, "new!");
	/* no temporary file left behind */
	cleanup_free char *cmd = xasprintf("test $(ls -A '%s' | wc -l) -eq 1", dir);
	cr_assert_eq(system(cmd), 0);
}

Test(fileio, a_failed_replace_leaves_the_original)
{
	write_file("config.json", "old", 0600);
	struct stat st;
	cr_assert_eq(fstatat(dirfd_, "config.json", &st, 0), 0);
	/* Renaming a file over a non-empty directory fails. */
	cr_assert_eq(mkdirat(dirfd_, "target", 0700), 0);
	write_file("target/x", "x", 0600);
	oh_error_t err = NULL;
	cr_assert_lt(
	    file_replace_atomically(dirfd_, "target", "BUNDLE/target", "new", 3, &st, &err), 0);
	cr_assert(strstr(err->msg, "BUNDLE/target: cannot replace the file"), "%s", err->msg);
	oh_error_free(&err);
	cleanup_free char *cmd = xasprintf("test $(ls -A '%s' | wc -l) -eq 2", dir);
	cr_assert_eq(system(cmd), 0, "the temporary file was removed");
}

/* --- opening by a name that is already the kernel's (host.c) ------------- */

Test(fileio, a_canonical_path_is_spelt_as_the_kernel_names_it)
{
	const char *canonical[] = {"/", "/a", "/a/b", "/a/.b", "/..a/b.", "/a b/c"};
	const char *other[] = {"",     "a",    "a/b",	"//",	   "/a/", "/a//b",
			       "/./a", "/a/.", "/a/..", "/a/../b", "/..", "./a"};
	for (size_t i = 0; i < ARRAY_SIZE(canonical); i++)
		cr_assert(host_path_is_canonical(canonical[i]), "%s", canonical[i]);
	for (size_t i = 0; i < ARRAY_SIZE(other); i++)
		cr_assert_not(host_path_is_canonical(other[i]), "\"%s\"", other[i]);
}

Test(fileio, a_directory_is_opened_by_the_kernels_name_of_it)
{
	cleanup_free char *real = xasprintf("%s/real", dir);
	cleanup_free char *link = xasprintf("%s/link", dir);
	cleanup_free char *dotted = xasprintf("%s/real/../real", dir);
	cr_assert_eq(mkdir(real, 0700), 0);
	cr_assert_eq(symlink("real", link), 0);
	/* dir itself may lie under a symbolic link (/tmp seldom does) */
	char resolved[PATH_MAX];
	cr_assert_not_null(realpath(real, resolved));

	const char *paths[] = {real, link, dotted};
	for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
		char *name = NULL;
		int fd = host_open_named(paths[i], O_RDONLY | O_DIRECTORY, &name);
		cr_assert_geq(fd, 0, "%s", paths[i]);
		cr_assert_str_eq(name, resolved, "%s", paths[i]);
		close(fd);
		xfree(name);
	}
	cr_assert_eq(host_path_has_symlink(resolved), 0);
	cr_assert_eq(host_path_has_symlink(link), 1);
	cr_assert_eq(host_path_has_symlink(dotted), 1, "not canonical: realpath would change it");
	cleanup_free char *missing = xasprintf("%s/missing", resolved);
	cr_assert_eq(host_path_has_symlink(missing), -1);
	char *name = (char *)"unset";
	cr_assert_lt(host_open_named(missing, O_RDONLY | O_DIRECTORY, &name), 0);
	cr_assert_eq(errno, ENOENT);
	cr_assert_null(name);
}

/* The host's facts of `paths` (sorted), gathered as for a config that
 * names them, under the default policy. */
static void gather_path_facts(const char *const *paths, size_t n, struct host_facts *facts)
{
	struct host_queries queries = {0};
	for (size_t i = 0; i < n; i++)
		string_list_add(&queries.paths, paths[i]);
	struct policy *policy = NULL;
	oh_error_t err = NULL;
	cr_assert_eq(policy_load_default(&policy, &err), 0);
	host_facts_gather(policy, &queries, NULL, facts);
	host_queries_clear(&queries);
	policy_free(policy);
}

Test(fileio, host_paths_beside_a_clean_directory_still_follow_their_links)
{
	/* After D/a is opened without a link, D/a/f needs a statx of f alone;
	 * D/b, a link beside it, and D/b/f, under it, are still followed and
	 * named as links. */
	char base[PATH_MAX];
	cr_assert_not_null(realpath(dir, base));
	cleanup_free char *a = xasprintf("%s/a", base), *af = xasprintf("%s/a/f", base);
	cleanup_free char *b = xasprintf("%s/b", base), *bf = xasprintf("%s/b/f", base);
	cleanup_free char *missing = xasprintf("%s/a/missing", base);
	cr_assert_eq(mkdir(a, 0700), 0);
	write_file("a/f", "x", 0600);
	cr_assert_eq(symlink("a", b), 0);

	const char *paths[] = {a, af, missing, b, bf}; /* sorted */
	cleanup_host_facts struct host_facts facts = {0};
	gather_path_facts(paths, ARRAY_SIZE(paths), &facts);

	const struct host_path *p = host_facts_path(&facts, af);
	cr_assert(p && p->exists && p->type == S_IFREG);
	cr_assert_str_eq(p->resolved, af);
	cr_assert_eq(p->symlinks.len, 0);
	p = host_facts_path(&facts, missing);
	cr_assert(p && !p->exists);
	p = host_facts_path(&facts, b);
	cr_assert(p && p->exists && p->type == S_IFDIR);
	cr_assert_str_eq(p->resolved, a);
	cr_assert_eq(p->symlinks.len, 1);
	cr_assert_str_eq(p->symlinks.items[0], b);
	p = host_facts_path(&facts, bf);
	cr_assert(p && p->exists && p->type == S_IFREG);
	cr_assert_str_eq(p->resolved, af);
	cr_assert_eq(p->symlinks.len, 1);
	cr_assert_str_eq(p->symlinks.items[0], b);
}

Test(fileio, host_paths_of_one_directory_are_looked_up_from_it)
{
	/* From the second entry of a clean directory on, an entry is looked
	 * up from the directory open: a file, a directory, nothing, and a
	 * link (still followed and named) come out as by their whole path. */
	char base[PATH_MAX];
	cr_assert_not_null(realpath(dir, base));
	cleanup_free char *d = xasprintf("%s/d", base), *f = xasprintf("%s/d/f", base);
	cleanup_free char *g = xasprintf("%s/d/g", base), *link = xasprintf("%s/d/link", base);
	cleanup_free char *missing = xasprintf("%s/d/missing", base);
	cleanup_free char *sub = xasprintf("%s/d/sub", base);
	cr_assert_eq(mkdir(d, 0700), 0);
	cr_assert_eq(mkdir(sub, 0700), 0);
	write_file("d/f", "x", 0600);
	write_file("d/g", "y", 0600);
	cr_assert_eq(symlink("g", link), 0);

	const char *paths[] = {d, f, g, link, missing, sub}; /* sorted */
	cleanup_host_facts struct host_facts facts = {0};
	gather_path_facts(paths, ARRAY_SIZE(paths), &facts);

	const struct host_path *p = host_facts_path(&facts, f);
	cr_assert(p && p->exists && p->type == S_IFREG);
	cr_assert_str_eq(p->resolved, f);
	p = host_facts_path(&facts, g);
	cr_assert(p && p->exists && p->type == S_IFREG);
	cr_assert_str_eq(p->resolved, g);
	cr_assert_eq(p->symlinks.len, 0);
	p = host_facts_path(&facts, link);
	cr_assert(p && p->exists && p->type == S_IFREG);
	cr_assert_str_eq(p->resolved, g);
	cr_assert_eq(p->symlinks.len, 1);
	cr_assert_str_eq(p->symlinks.items[0], link);
	p = host_facts_path(&facts, missing);
	cr_assert(p && !p->exists);
	p = host_facts_path(&facts, sub);
	cr_assert(p && p->exists && p->type == S_IFDIR);
	cr_assert_str_eq(p->resolved, sub);
}
