/*
 * Host tests of the Web UI's failed-login delay (apps/webui/throttle.c):
 * the shell's doubling from 250 ms to 8 s, counted per account and per
 * client address with the longer one applying, reset by a success, names
 * cut at their bound, and a full table giving way by least recent use.
 */
#include <stdio.h>
#include "check.h"
#include "throttle.h"

static struct throttle t;

static void test_doubling_and_cap(void)
{
	static const uint32_t want[] = { 250, 500, 1000, 2000, 4000, 8000, 8000, 8000 };

	throttle_init(&t);
	for (uint32_t i = 0; i < sizeof want / sizeof want[0]; i++)
		CHECK_EQ(throttle_failed(&t, "alice", "10.0.2.2", i * 1000), want[i]);
}

static void test_account_and_address(void)
{
	throttle_init(&t);
	CHECK_EQ(throttle_failed(&t, "alice", "10.0.2.2", 1), 250);
	CHECK_EQ(throttle_failed(&t, "bob", "10.0.2.2", 2), 500);       /* the address counts 2 */
	CHECK_EQ(throttle_failed(&t, "alice", "192.0.2.7", 3), 500);    /* the account counts 2 */
	CHECK_EQ(throttle_failed(&t, "carol", "192.0.2.8", 4), 250);    /* neither seen before */
	CHECK_EQ(throttle_peek(&t, "alice", "10.0.2.2"), 1000);         /* alice 2, address 2: a third is 1 s */
	throttle_succeeded(&t, "alice", "10.0.2.2");
	CHECK_EQ(throttle_peek(&t, "alice", "10.0.2.2"), 250);
	CHECK_EQ(throttle_peek(&t, "bob", "192.0.2.7"), 500);           /* bob 1, 192.0.2.7 1: untouched */
	CHECK_EQ(throttle_failed(&t, "nosuchuser", "10.0.2.2", 6), 250); /* unknown names count like any */
}

static void test_long_keys(void)
{
	char a[200], b[200];

	throttle_init(&t);
	for (int i = 0; i < 199; i++)
		a[i] = b[i] = 'n';
	a[199] = b[199] = '\0';
	b[150] = 'x';   /* differs only past the bound: the same account */
	CHECK_EQ(throttle_failed(&t, a, "h1", 1), 250);
	CHECK_EQ(throttle_failed(&t, b, "h2", 2), 500);
	CHECK_EQ(throttle_failed(&t, NULL, NULL, 3), 250);   /* no name, no address: counted under "" */
}

static void test_full_table(void)
{
	char name[16];

	throttle_init(&t);
	CHECK_EQ(throttle_failed(&t, "victim", "a0", 1), 250);
	CHECK_EQ(throttle_failed(&t, "victim", "a0", 2), 500);
	for (uint32_t i = 0; i < THROTTLE_ENTRIES; i++) {   /* 2 entries each: every old one gives way */
		snprintf(name, sizeof name, "u%u", i);
		CHECK_EQ(throttle_failed(&t, name, name, 100 + i), 250);
	}
	CHECK_EQ(throttle_peek(&t, "victim", "zz"), 250);   /* its count was lost, never grew */
	/* the newest entries survive a burst at one instant */
	CHECK_EQ(throttle_failed(&t, "same", "same-addr", 1000), 250);
	CHECK_EQ(throttle_failed(&t, "same", "same-addr", 1000), 500);
}

int main(void)
{
	RUN(test_doubling_and_cap);
	RUN(test_account_and_address);
	RUN(test_long_keys);
	RUN(test_full_table);
	return check_done();
}
