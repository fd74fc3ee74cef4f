/* SPDX-License-Identifier: Apache-2.0 */
/* oci-harden: a drop-in OCI runtime that hardens each container's config
 * before the real runtime sees it. See oci-harden(8). */
#include <string.h>

#include "commands.h"

int main(int argc, char **argv)
{
	/* Our own commands are words runc does not have, and only ever come
	 * first: anything else is runc's command line. */
	if (argc >= 2)
		for (size_t i = 0; i < own_commands_len; i++)
			if (strcmp(argv[1], own_commands[i].name) == 0)
				return own_commands[i].run(argc - 1, argv + 1);
	return cmd_runtime(argc, argv);
}
