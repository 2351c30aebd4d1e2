/*
 * The broker's profile bundles, from its arguments: one word per profile,
 * "PROFILE=name,name,...", naming capabilities the manifest granted to the
 * broker under those names ("PROFILE=" for an empty bundle).  Pure
 * parsing (host-tested in tests/host/session/test_bundles.c); the broker
 * then looks each name up and refuses to start when one is missing.
 */
#ifndef BROKER_BUNDLES_H
#define BROKER_BUNDLES_H

#include <stddef.h>
#include <stdint.h>
#include "../session/label.h"

#define BUNDLE_PROFILES_MAX 8
#define BUNDLE_CAPS_MAX 15        /* an upgrade's reply carries them all (CAPOS_XFER_MAX 16) */
#define BUNDLE_NAME_MAX 39        /* a manifest capability name */
#define BUNDLE_NAMES_LEN 256      /* AuthorityBroker.upgrade's names field, NUL included */

struct bundle {
	char profile[SESSION_LABEL_MAX + 1];
	size_t count;
	char names[BUNDLE_CAPS_MAX][BUNDLE_NAME_MAX + 1];
	char joined[BUNDLE_NAMES_LEN];     /* the names, space-separated: upgrade's answer */
};

struct bundle_set {
	size_t count;
	struct bundle b[BUNDLE_PROFILES_MAX];
};

/*
 * Parse argv[1..argc) with at most max_caps names per bundle.  0, or -1
 * with *bad naming the word and *why the problem.
 */
int bundles_parse(int argc, char *const *argv, size_t max_caps, struct bundle_set *set,
		  const char **bad, const char **why);

/* The bundle of profile, or NULL. */
const struct bundle *bundles_find(const struct bundle_set *set, const char *profile);

#endif
