/* SPDX-License-Identifier: Apache-2.0 */
/* For the end-to-end tests (lib_daemons.sh, daemons_installed): run the
 * oci-harden under test with the settings file of the test's engine, as
 * the program an engine's runtime entry names. Podman hands no environment
 * on to the runtime, so OCI_HARDEN_CONFIG cannot come from the engine; a
 * shell script would lose the name the engine ran it by (the kernel gives a
 * script the path it was run by, not argv[0]). This keeps argv whole:
 * oci-harden sees exactly the argv[0] the engine gave, as it would if the
 * entry named oci-harden itself. TARGET and SETTINGS are compiled in. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	(void)argc;
	if (setenv("OCI_HARDEN_CONFIG", SETTINGS, 1) != 0) {
		perror("settings_exec: setenv");
		return 127;
	}
	execv(TARGET, argv);
	perror("settings_exec: " TARGET);
	return 127;
}
