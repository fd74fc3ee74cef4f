/* SPDX-License-Identifier: Apache-2.0 */
#include "container_state.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "json.h"

#define CONTAINER_STATE_MAX_BYTES (1u << 20)

/* runc's rule for ids (libcontainer's idRegex): [\w+-\.]+, and not "." or
 * "..". Anything else could not be a container and cannot be a file name. */
bool container_id_is_valid(const char *id)
{
	if (!*id || strcmp(id, ".") == 0 || strcmp(id, "..") == 0 || strlen(id) > 1024)
		return false;
	for (const char *p = id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '+' || *p == '-' || *p == '.'))
			return false;
	return true;
}

/* One directory per runtime root: FNV-1a of the root path names it (roots are
 * long paths; the root itself is kept in the file and checked on load). */
static char *container_state_dir(const char *state_dir, const char *root)
{
	uint64_t hash = 0xcbf29ce484222325ull;
	for (const char *p = root ? root : "(default)"; *p; p++) {
		hash ^= (unsigned char)*p;
		hash *= 0x100000001b3ull;
	}
	return xasprintf("%s/%016llx", state_dir, (unsigned long long)hash);
}

static int mkdir_one(const char *path, oh_error_t *err)
{
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return oh_error_make(err, errno, "cannot create state directory %s", path);
	return 0;
}

int container_state_save(const char *state_dir, const char *root, const char *id,
			 const struct policy *policy, const char *image, oh_error_t *err)
{
	if (!container_id_is_valid(id))
		return oh_error_make(err, 0, "\"%s\" is not a valid container id", id);
	cleanup_free char *dir = container_state_dir(state_dir, root);
	if (mkdir_one(state_dir, err) < 0 || mkdir_one(dir, err) < 0)
		return -1;
	cleanup_close int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (dirfd < 0)
		return oh_error_make(err, errno, "cannot open state directory %s", dir);

	cleanup_json struct json *doc = json_new_object();
	json_object_set(doc, "root", root ? json_new_string(root) : json_new_null());
	json_object_set(doc, "id", json_new_string(id));
	json_object_set(doc, "image", image ? json_new_string(image) : json_new_null());
	json_object_set(doc, "policy_name", json_new_string(policy->name));
	json_object_set(doc, "policy", policy_to_json(policy));
	cleanup_free char *text = json_to_string(doc, false);
	cleanup_free char *name = xasprintf("%s.json", id);
	cleanup_free char *display = xasprintf("%s/%s", dir, name);
	struct stat like = {.st_mode = 0600, .st_uid = geteuid(), .st_gid = getegid()};
	return file_replace_atomically(dirfd, name, display, text, strlen(text), &like, err);
}

int container_state_load(const char *state_dir, const char *root, const char *id,
			 struct policy **policy, char **image, oh_error_t *err)
{
	if (!container_id_is_valid(id))
		return oh_error_make(err, 0, "\"%s\" is not a valid container id", id);
	cleanup_free char *dir = container_state_dir(state_dir, root);
	cleanup_free char *path = xasprintf("%s/%s.json", dir, id);
	cleanup_free char *text = NULL;
	size_t len;
	if (file_read_all_flags(AT_FDCWD, path, path, CONTAINER_STATE_MAX_BYTES, FILE_READ_NOFOLLOW,
				&text, &len, NULL, err) < 0) {
		if ((*err)->errnum == ENOENT) {
			oh_error_free(err);
			return 0;
		}
		return -1;
	}
	cleanup_json struct json *doc = json_parse(text, len, 0, err);
	if (!doc)
		return oh_error_wrap(err, "%s", path);
	const struct json *saved_root = json_object_get(doc, "root");
	const struct json *name = json_object_get(doc, "policy_name");
	const struct json *saved = json_object_get(doc, "policy");
	bool root_matches = root ? saved_root && saved_root->type == JSON_STRING &&
				       strcmp(saved_root->string.ptr, root) == 0
				 : !saved_root;
	if (!root_matches || !name || name->type != JSON_STRING || !saved)
		return oh_error_make(err, 0, "%s: not a state file of this container", path);
	if (policy_load_json(saved, name->string.ptr, path, NULL, NULL, policy, err) < 0)
		return oh_error_wrap(err, "%s", path);
	const struct json *saved_image = json_object_get(doc, "image");
	*image = saved_image && saved_image->type == JSON_STRING ? xstrdup(saved_image->string.ptr)
								 : NULL;
	return 1;
}

void container_state_remove(const char *state_dir, const char *root, const char *id)
{
	if (!container_id_is_valid(id))
		return;
	cleanup_free char *dir = container_state_dir(state_dir, root);
	cleanup_free char *path = xasprintf("%s/%s.json", dir, id);
	unlink(path);
}
