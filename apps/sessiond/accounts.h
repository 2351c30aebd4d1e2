/*
 * sessiond's inputs, parsed without any capOS call (host-tested in
 * tests/host/session/test_accounts.c):
 *
 *   the credential file (boot-package entry, docs/credentials.md): one
 *   account per line, "USER PROFILE ITERATIONS SALT-HEX KEY-HEX",
 *   fields separated by spaces or tabs, '#' starting a comment line,
 *   blank lines ignored.  Any malformed line makes the whole file bad:
 *   sessiond refuses to serve rather than run with part of its accounts.
 *
 *   its arguments: "accounts=ENTRY" (required) and "PROFILE.lifetime_ms=N"
 *   (the lifetime of that profile's sessions; 0 or absent: no expiry).
 */
#ifndef SESSIOND_ACCOUNTS_H
#define SESSIOND_ACCOUNTS_H

#include <stddef.h>
#include <stdint.h>
#include "credstore.h"
#include "../session/label.h"

#define ACCOUNTS_MAX 32            /* accounts the file may hold */
#define ACCOUNTS_LINE_MAX 255      /* characters of one line */
#define ACCOUNTS_FILE_MAX 16384    /* bytes of the whole file (read whole from the boot package) */
#define SESSIOND_PROFILES_MAX 8    /* PROFILE.lifetime_ms words */
#define SESSIOND_ENTRY_MAX 39      /* boot-package entry name */

struct account {
	struct credstore_record rec;
	char profile[SESSION_LABEL_MAX + 1];
};

/*
 * Parse one line (len bytes, no newline).  1: an account in *a; 0: blank
 * or comment; -1: malformed, *why says what is wrong.
 */
int accounts_parse_line(const char *line, size_t len, struct account *a, const char **why);

/*
 * Parse a whole file into out[0..cap).  0 with *count; -1 with *line (1-based)
 * and *why for the first bad line (a duplicate name and too many accounts
 * count as bad lines too).
 */
int accounts_parse(const char *text, size_t len, struct account *out, size_t cap, size_t *count,
		   unsigned *line, const char **why);

struct sessiond_config {
	char accounts[SESSIOND_ENTRY_MAX + 1];
	size_t profiles;
	struct {
		char profile[SESSION_LABEL_MAX + 1];
		uint64_t lifetime_ms;
	} lifetime[SESSIOND_PROFILES_MAX];
};

/*
 * Parse the argument words (argv[1..argc)).  0, or -1 with *bad naming the
 * word and *why the problem.
 */
int sessiond_parse_args(int argc, char *const *argv, struct sessiond_config *cfg, const char **bad,
			const char **why);

/* The lifetime (ns) of profile's sessions: 0 for none. */
uint64_t sessiond_lifetime_ns(const struct sessiond_config *cfg, const char *profile);

#endif
