/* SPDX-License-Identifier: Apache-2.0 */
#include "docker_record.h"

#include <errno.h>
#include <string.h>

#include "fileio.h"
#include "policy.h"

bool docker_record_id_is_valid(const char *id)
{
	size_t n = 0;
	for (; id[n]; n++)
		if (!((id[n] >= '0' && id[n] <= '9') || (id[n] >= 'a' && id[n] <= 'f')))
			return false;
	return n == 64;
}

static const char *record_string(const struct json *object, const char *key)
{
	const struct json *v = object ? json_object_get(object, key) : NULL;
	return v && v->type == JSON_STRING && strlen(v->string.ptr) == v->string.len ? v->string.ptr
										     : NULL;
}

int docker_record_image_of(const struct json *record, const char *id, char **image, oh_error_t *err)
{
	*image = NULL;
	const char *record_id = record_string(record, "ID");
	if (!record_id || strcmp(record_id, id) != 0)
		return oh_error_make(err, 0, "its \"ID\" is not %s", id);
	const struct json *config = json_object_get(record, "Config");
	if (!config || config->type != JSON_OBJECT)
		return oh_error_make(err, 0, "it has no \"Config\" object");
	const char *named = record_string(config, "Image");
	if (!named)
		return oh_error_make(err, 0, "it has no \"Config\".\"Image\" string");
	/* `docker run 3f2a` and `docker run sha256:3f2a...` name the image by
	 * its id, which dockerd then records in "Image" whole: no name. */
	const char *digest = record_string(record, "Image");
	const char *hex = digest && strncmp(digest, "sha256:", 7) == 0 ? digest + 7 : NULL;
	const char *given = strncmp(named, "sha256:", 7) == 0 ? named + 7 : named;
	if (!*named || (hex && *given && strncmp(hex, given, strlen(given)) == 0))
		return 0;
	*image = image_reference_normalize(named);
	return 0;
}

int docker_record_image(const char *data_root, const char *id, char **image, char **source,
			oh_error_t *err)
{
	*image = NULL;
	*source = NULL;
	if (!docker_record_id_is_valid(id))
		return 0;
	cleanup_close int root = open(data_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	/* No Docker on this node (yet): no container is Docker's. */
	if (root < 0 && errno == ENOENT)
		return 0;
	if (root < 0)
		return oh_error_make(
		    err, errno, "Docker's data root %s (settings \"docker_data_root\")", data_root);
	cleanup_free char *name = xasprintf("containers/%s/config.v2.json", id);
	cleanup_free char *path = xasprintf("%s/%s", data_root, name);
	cleanup_free char *text = NULL;
	size_t len = 0;
	if (file_read_all_flags(root, name, path, DOCKER_RECORD_MAX_BYTES, FILE_READ_NOFOLLOW,
				&text, &len, NULL, err) < 0) {
		if ((*err)->errnum == ENOENT) {
			oh_error_free(err);
			return 0;
		}
		return -1;
	}
	cleanup_json struct json *record = json_parse(text, len, 0, err);
	if (!record)
		return oh_error_wrap(err, "Docker's record %s", path);
	if (docker_record_image_of(record, id, image, err) < 0)
		return oh_error_wrap(err, "Docker's record %s", path);
	*source = steal_pointer(&path);
	return 1;
}
