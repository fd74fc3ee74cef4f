/* SPDX-License-Identifier: Apache-2.0 */
/* The host's live container daemons, for judging bind sources by what they
 * are rather than by their names (issue 17): which daemons run (by the
 * name of their program), the directories and sockets their command lines
 * and config files give them, and which of them listens on a unix socket.
 * Edge: reads /proc and the daemons' config files, only as far as a create
 * needs. */
#ifndef OCI_HARDEN_HOST_DAEMONS_H
#define OCI_HARDEN_HOST_DAEMONS_H

#include <sys/types.h>

#include "harden.h"

struct host_daemon {
	pid_t pid;
	char *name; /* its program's name, /proc/<pid>/comm */
};

/* A listening unix socket of the host's network namespace
 * (/proc/net/unix), and the daemon that holds it when that was asked. */
struct host_listener {
	char *path;
	unsigned long inode;
};

struct host_survey {
	struct host_daemon *daemons;
	size_t daemons_len, daemons_cap;
	/* What the daemons use: directories and socket paths, resolved. */
	struct host_runtime_dir *dirs;
	size_t dirs_len, dirs_cap;
	bool listeners_read;
	struct host_listener *listeners;
	size_t listeners_len, listeners_cap;
	bool owners_read;
	/* Socket inodes held open by the daemons, and by which (an index of
	 * `daemons`). */
	struct host_owned_socket {
		unsigned long inode;
		size_t daemon;
	} * owned;
	size_t owned_len, owned_cap;
};

/* Find the known daemons among the host's processes and read what their
 * command lines and config files say they use. */
void host_survey_daemons(struct host_survey *survey);

/* What unix socket `path` (resolved) is: "a unix socket (dockerd's, pid
 * 412)", or "a unix socket" when no known daemon listens on it. Caller
 * frees. */
char *host_survey_socket(struct host_survey *survey, const char *path);

/* What directory `path` (resolved) holds of the daemons', when it holds a
 * socket one of them listens on: "a directory holding /srv/x.sock, the
 * socket dockerd (pid 412) listens on". NULL otherwise. Caller frees. */
char *host_survey_directory(struct host_survey *survey, const char *path);

/* Hand the directories found over to `facts` (survey keeps none). */
void host_survey_give_dirs(struct host_survey *survey, struct host_facts *facts);

void host_survey_clear(struct host_survey *survey);

#endif
