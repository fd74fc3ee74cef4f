/* SPDX-License-Identifier: Apache-2.0 */
/* Docker's own record of a container, for the image it runs. dockerd keeps
 * one per container in DATA_ROOT/containers/ID/config.v2.json (a directory
 * and file only root and dockerd write, 0710 and 0600), with the image the
 * user named to `docker run` or `docker create` in "Config"."Image". Nothing
 * in the container's config.json, its image or the command line it is
 * started with can change that record, so it is where per-image policies
 * learn the image of a Docker container. Read only where the operator
 * names Docker's data root (settings "docker_data_root", oci-harden.json(5)). */
#ifndef OCI_HARDEN_DOCKER_RECORD_H
#define OCI_HARDEN_DOCKER_RECORD_H

#include "errors.h"
#include "json.h"

/* Records larger than this are not Docker's: a container's record holds
 * its configuration and state, a few KB even with a long environment. */
#define DOCKER_RECORD_MAX_BYTES (4u << 20)

/* Whether `id` has the shape of a Docker container id: 64 lowercase hex
 * digits (moby pkg/stringid). Nothing else is ever looked up, so an id
 * cannot lead out of the containers directory. */
bool docker_record_id_is_valid(const char *id);

/* The image a parsed record names, fully qualified, or NULL when the user
 * named the image by its id (a prefix of "Image"'s digest): an id is no
 * name a policy's "images" could mean. Returns -1 when the record is not
 * the one of `id` or is not shaped as dockerd writes it. Pure. */
int docker_record_image_of(const struct json *record, const char *id, char **image,
			   oh_error_t *err);

/* Read DATA_ROOT/containers/ID/config.v2.json. Returns 1 with *image (which
 * may still be NULL, see above) and *source (the file, for the reason a
 * policy was chosen), 0 when Docker has no record of a container by that id
 * (it was not made by that dockerd), -1 when the record is there but cannot
 * be read or believed: the caller fails closed. */
int docker_record_image(const char *data_root, const char *id, char **image, char **source,
			oh_error_t *err);

#endif
