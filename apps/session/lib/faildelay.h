/*
 * The delay after failed logins: none before the first failure, then
 * 250 ms, doubling with each further failure up to 8 s, and back to none
 * after a success.  A pure policy: it answers how long to wait; the
 * caller waits (on capOS, with the timer capability) and decides what a
 * tracker counts.  Keep one per place logins come from (a console, a
 * connection), never per account name, so that unknown names are slowed
 * exactly like known ones.
 */
#ifndef SESSION_FAILDELAY_H
#define SESSION_FAILDELAY_H

#include <stdint.h>

#define FAILDELAY_FIRST_MS 250
#define FAILDELAY_MAX_MS 8000

struct faildelay {
	uint32_t failures;   /* since the last success; saturates */
};

/* The delay owed before the next attempt after `failures` failures in a row. */
uint32_t faildelay_ms_after(uint32_t failures);

void faildelay_init(struct faildelay *d);
uint32_t faildelay_next_ms(const struct faildelay *d);   /* wait this long, then try */
void faildelay_failed(struct faildelay *d);
void faildelay_succeeded(struct faildelay *d);

#endif
