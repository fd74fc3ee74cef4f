/* SPDX-License-Identifier: Apache-2.0 */
#include "capability_names.h"

#include <ctype.h>
#include <string.h>
#include <sys/capability.h>

#include "util.h"

static bool capability_lookup(const char *name, cap_value_t *value)
{
	if (strncmp(name, "CAP_", 4) != 0 || name[4] == '\0')
		return false;
	for (const char *p = name + 4; *p; p++)
		if (!(isupper((unsigned char)*p) || *p == '_'))
			return false;
	if (cap_from_name(name, value) != 0)
		return false;
	cleanup_free char *lower = NULL;
	char *canonical = cap_to_name(*value);
	if (!canonical)
		return false;
	lower = xstrdup(canonical);
	cap_free(canonical);
	/* cap_to_name gives "cap_net_bind_service"; compare case-insensitively
	 * after the prefix we already checked is upper case. */
	return strcasecmp(lower, name) == 0;
}

bool capability_name_is_valid(const char *name)
{
	cap_value_t value;
	return capability_lookup(name, &value);
}

bool capability_name_known_to_kernel(const char *name)
{
	cap_value_t value;
	return capability_lookup(name, &value) && value < (cap_value_t)cap_max_bits();
}
