/* SPDX-License-Identifier: Apache-2.0 */
/* The table of oci-harden's own commands, and what --help and --version say
 * of oci-harden before the runtime says its part. */
#include "commands.h"

#include "policy.h"
#include "settings.h"

#ifndef OCI_HARDEN_VERSION
#define OCI_HARDEN_VERSION "unknown"
#endif

const struct own_command own_commands[] = {
    {"diff", cmd_diff, "show what hardening would change in a bundle's config.json"},
    {"check", cmd_check, "lint policy files"},
    {"suggest", cmd_suggest, "write per-image policies from what audit mode recorded"},
    {"explain", cmd_explain, "show every decision taken for a container, from the event log"},
    {"install", cmd_install, "put oci-harden on a node and add its containerd handlers"},
    {"uninstall", cmd_uninstall, "take off a node exactly what install put there"},
    {"sync-policies", cmd_sync_policies,
     "make the node's policy directory a checked set from a ConfigMap, all or nothing"},
    {"k8s-events", cmd_k8s_events,
     "turn the event log's refusals and audit decisions into Kubernetes Events"},
    {"memfd-noexec", cmd_memfd_noexec,
     "(the hook oci-harden adds) make memfds unexecutable in the container's pid namespace"},
};
const size_t own_commands_len = ARRAY_SIZE(own_commands);

/* After the runtime's own lines. Not the word "version": Docker's `docker
 * info` takes the runtime's name and version from the last line that says
 * it (moby daemon/info_unix.go, parseRuntimeVersion), which must stay the
 * runtime's. */
void own_version_print(FILE *out)
{
	fputs("oci-harden " OCI_HARDEN_VERSION
	      ", which hardens every container before this runtime "
	      "runs it\n",
	      out);
}

void own_help_print(FILE *out, const char *runtime)
{
	fprintf(
	    out,
	    "\n"
	    "This runtime, %s, is run by oci-harden " OCI_HARDEN_VERSION ", which hardens\n"
	    "every container by a policy before the runtime starts it.\n"
	    "\n"
	    "usage: oci-harden [RUNTIME OPTIONS] COMMAND [OPTIONS] [ID]    in runc's place\n"
	    "       oci-harden@POLICY ...    (a link to oci-harden) every container gets POLICY\n"
	    "       oci-harden OWN-COMMAND [OPTIONS]\n"
	    "\n"
	    "Own commands (OWN-COMMAND --help lists the options of each):\n",
	    runtime);
	for (size_t i = 0; i < own_commands_len; i++)
		fprintf(out, "  %-13s %s\n", own_commands[i].name, own_commands[i].summary);
	fputs("\n"
	      "Settings: " SETTINGS_DEFAULT_PATH ", or the file $" SETTINGS_ENV " names.\n"
	      "Manuals: oci-harden(8), oci-harden-policy(5), oci-harden.json(5).\n",
	      out);
}
