/*
 * The growing delay after failed logins (faildelay.h): 0, 250 ms, 500 ms,
 * 1 s, 2 s, 4 s, then 8 s for every later failure until a success.
 */
#include "faildelay.h"

uint32_t faildelay_ms_after(uint32_t failures)
{
	uint32_t ms = FAILDELAY_FIRST_MS;

	if (failures == 0)
		return 0;
	for (uint32_t i = 1; i < failures && ms < FAILDELAY_MAX_MS; i++)
		ms *= 2;
	return ms < FAILDELAY_MAX_MS ? ms : FAILDELAY_MAX_MS;
}

void faildelay_init(struct faildelay *d)
{
	d->failures = 0;
}

uint32_t faildelay_next_ms(const struct faildelay *d)
{
	return faildelay_ms_after(d->failures);
}

void faildelay_failed(struct faildelay *d)
{
	if (d->failures < UINT32_MAX)
		d->failures++;
}

void faildelay_succeeded(struct faildelay *d)
{
	d->failures = 0;
}
