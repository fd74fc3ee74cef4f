/* SPDX-License-Identifier: Apache-2.0 */
/* oci-harden: a drop-in OCI runtime that hardens each container's config
 * before the real runtime sees it. See oci-harden(8). */
#include <string.h>

#include "commands.h"

int main(int argc, char **argv)
{
	/* Our own commands are words runc does not have, and only ever come
	 * first: anything else is runc's command line. */
	if (argc >= 2 && strcmp(argv[1], "diff") == 0)
		return cmd_diff(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "check") == 0)
		return cmd_check(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "suggest") == 0)
		return cmd_suggest(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "install") == 0)
		return cmd_install(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "uninstall") == 0)
		return cmd_uninstall(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "sync-policies") == 0)
		return cmd_sync_policies(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "k8s-events") == 0)
		return cmd_k8s_events(argc - 1, argv + 1);
	return cmd_runtime(argc, argv);
}
