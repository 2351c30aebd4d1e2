/*
 * The delay after failed logins (apps/session/lib/faildelay.c): none at
 * first, 250 ms after one failure, doubling to a cap of 8 s, none again
 * after a success.
 */
#include <stdint.h>

#include "check.h"
#include "faildelay.h"

static void test_schedule(void)
{
	static const uint32_t expected[] = { 0, 250, 500, 1000, 2000, 4000, 8000, 8000, 8000 };

	for (uint32_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++)
		CHECK_EQ(faildelay_ms_after(i), expected[i]);
	CHECK_EQ(faildelay_ms_after(1000), FAILDELAY_MAX_MS);
	CHECK_EQ(faildelay_ms_after(UINT32_MAX), FAILDELAY_MAX_MS);
}

static void test_grows_then_resets(void)
{
	struct faildelay d;

	faildelay_init(&d);
	CHECK_EQ(faildelay_next_ms(&d), 0);
	faildelay_failed(&d);
	CHECK_EQ(faildelay_next_ms(&d), 250);
	faildelay_failed(&d);
	faildelay_failed(&d);
	CHECK_EQ(faildelay_next_ms(&d), 1000);
	for (int i = 0; i < 20; i++)
		faildelay_failed(&d);
	CHECK_EQ(faildelay_next_ms(&d), FAILDELAY_MAX_MS);
	faildelay_succeeded(&d);
	CHECK_EQ(faildelay_next_ms(&d), 0);
	faildelay_failed(&d);
	CHECK_EQ(faildelay_next_ms(&d), 250);
}

static void test_counter_saturates(void)
{
	struct faildelay d = { .failures = UINT32_MAX - 1 };

	faildelay_failed(&d);
	faildelay_failed(&d);
	CHECK_EQ(d.failures, UINT32_MAX);
	CHECK_EQ(faildelay_next_ms(&d), FAILDELAY_MAX_MS);
}

int main(void)
{
	RUN(test_schedule);
	RUN(test_grows_then_resets);
	RUN(test_counter_saturates);
	return check_done();
}
