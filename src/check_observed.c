/* SPDX-License-Identifier: Apache-2.0 */
/* `oci-harden check --events EVENTLOG`: the doors a policy opens beyond the
 * default that no observation of its images justifies (suggest.h,
 * suggest_unjustified), one warning each. Apart from the rest of check: it
 * judges a policy by what containers did, not by its text. */
#include "check_observed.h"

#include <fnmatch.h>
#include <stdio.h>

#include "settings.h"
#include "suggest_events.h"

void check_observed(const struct string_list *policy_files, const char *event_log,
		    void (*report)(void *ctx, const char *file, const char *message), void *ctx)
{
	cleanup_error oh_error_t err = NULL;
	cleanup_settings struct settings settings = {0};
	cleanup_policy struct policy *base = NULL;
	if (settings_load(&settings, &err) < 0 ||
	    policy_load_named(settings.default_policy, &settings, &base, &err) < 0) {
		report(ctx, event_log, err->msg);
		return;
	}
	struct suggest_images images = {0};
	if (suggest_events_read(event_log, false, &images, &err) < 0) {
		report(ctx, event_log, err->msg);
		return;
	}
	for (size_t f = 0; f < policy_files->len; f++) {
		const char *file = policy_files->items[f];
		cleanup_policy struct policy *policy = NULL;
		if (policy_load_file(file, &settings, &policy, &err) < 0) {
			oh_error_free(&err); /* check itself says what is wrong with it */
			continue;
		}
		const struct suggest_image **mine = xcalloc(images.len + 1, sizeof(*mine));
		size_t n = 0;
		for (size_t i = 0; i < images.len; i++)
			for (size_t p = 0; p < policy->images.len; p++)
				if (fnmatch(policy->images.items[p], images.items[i].image, 0) ==
				    0) {
					mine[n++] = &images.items[i];
					break;
				}
		struct string_list doors = {0};
		suggest_unjustified(policy, base, mine, n, &doors);
		for (size_t d = 0; d < doors.len; d++) {
			cleanup_free char *message =
			    xasprintf("opens a door no observation in %s justifies: %s", event_log,
				      doors.items[d]);
			report(ctx, file, message);
		}
		string_list_clear(&doors);
		xfree(mine);
	}
	suggest_images_clear(&images);
}
