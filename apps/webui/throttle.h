/*
 * How long the Web UI holds back the answer to a failed login: the shell's
 * delay (faildelay.h: 250 ms after the first failure, doubling up to 8 s),
 * counted twice — per account name as typed and per client address — and
 * the longer of the two applies.  A success resets both counters; nothing
 * ever locks an account out.  Unknown names are counted exactly like real
 * ones, so the delay says nothing about which accounts exist.
 *
 * The table is bounded (THROTTLE_ENTRIES); when it is full the entry used
 * least recently gives way and its count is lost — an attacker who cycles
 * through more names and addresses than that can shorten delays, never
 * lengthen anyone else's beyond the cap.  Pure: the caller passes the
 * clock and waits (docs/webui.md, "Login").
 */
#ifndef WEBUI_THROTTLE_H
#define WEBUI_THROTTLE_H

#include <stdint.h>
#include "faildelay.h"

#define THROTTLE_ENTRIES 128u
#define THROTTLE_KEY_MAX 64u     /* bytes of a name or an address that count; longer ones are cut */

enum throttle_kind { THROTTLE_FREE, THROTTLE_ACCOUNT, THROTTLE_ADDRESS };

struct throttle_entry {
	uint8_t kind;                   /* enum throttle_kind */
	char key[THROTTLE_KEY_MAX + 1];
	struct faildelay delay;
	uint64_t used_ns;               /* last failure or success it counted */
};

struct throttle {
	struct throttle_entry e[THROTTLE_ENTRIES];
};

void throttle_init(struct throttle *t);

/* Count a failed login of account from address at now_ns: the delay (ms) before its answer may go. */
uint32_t throttle_failed(struct throttle *t, const char *account, const char *address, uint64_t now_ns);

/* A successful login of account from address: both counts start again. */
void throttle_succeeded(struct throttle *t, const char *account, const char *address);

/* The delay a failure now would get, without counting one (for tests and the docs' examples). */
uint32_t throttle_peek(const struct throttle *t, const char *account, const char *address);

#endif
