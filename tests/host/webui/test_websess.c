/*
 * Host tests of the Web UI's browser sessions (apps/webui/websess.c):
 * ids from the entropy source, the cookie's attributes, lookups by the
 * Cookie header (present, absent, malformed, forged, among other cookies),
 * idle expiry at lookup and by sweep, the bound, ending, and a broken
 * entropy source that repeats itself.
 */
#include <stdio.h>
#include <string.h>
#include <capos/error.h>
#include "check.h"
#include "websess.h"

#define SEC 1000000000ull

static struct websess_table t;
static uint8_t counter;

/* A deterministic stand-in for the entropy source: every id different. */
static int counting(void *ctx, void *buf, size_t len)
{
	(void)ctx;
	counter++;
	for (size_t i = 0; i < len; i++)
		((uint8_t *)buf)[i] = (uint8_t)(counter * 31 + i);
	return 0;
}

static int stuck(void *ctx, void *buf, size_t len)
{
	(void)ctx;
	memset(buf, 7, len);
	return 0;
}

static int broken(void *ctx, void *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	(void)len;
	return -CAPOS_EIO;
}

/* "capos_session=HEX" of slot, as a browser would send it back. */
static void cookie_of(int slot, char *buf, size_t size)
{
	char set[160];

	CHECK(websess_set_cookie(&t.s[slot], 0, set, sizeof set) > 0);
	snprintf(buf, size, "%.*s", (int)strcspn(set, ";"), set);
}

static void test_create_and_cookie(void)
{
	char set[160];
	int slot, expired;

	websess_init(&t, 60 * SEC);
	slot = websess_create(&t, counting, NULL, 1 * SEC, "operator", "operator", 5);
	CHECK(slot >= 0);
	CHECK(websess_set_cookie(&t.s[slot], 0, set, sizeof set) == strlen(set));
	CHECK(strncmp(set, "capos_session=", 14) == 0 && strlen(set) == 14 + 64 + strlen("; HttpOnly; SameSite=Strict; Path=/"));
	CHECK(strstr(set, "; HttpOnly; SameSite=Strict; Path=/") && !strstr(set, "Secure"));
	CHECK(websess_set_cookie(&t.s[slot], 1, set, sizeof set) > 0 && strstr(set, "; Secure"));
	CHECK(websess_set_cookie(&t.s[slot], 1, set, 40) == 0);   /* too small: nothing half written counts */
	CHECK(websess_clear_cookie(0, set, sizeof set) > 0 && strstr(set, "capos_session=;") && strstr(set, "Max-Age=0"));
	CHECK(strcmp(t.s[slot].user, "operator") == 0 && t.s[slot].audit_id == 5);
	CHECK(websess_create(&t, broken, NULL, 1, "a", "b", 1) == -CAPOS_EIO);
	CHECK(websess_create(&t, stuck, NULL, 1, "a", "b", 1) >= 0);
	CHECK(websess_create(&t, stuck, NULL, 1, "a", "b", 1) == -CAPOS_EIO);   /* a repeated id is refused */
	(void)expired;
}

static void test_lookup(void)
{
	char cookie[200], header[300];
	int a, b, expired;

	websess_init(&t, 60 * SEC);
	a = websess_create(&t, counting, NULL, 1 * SEC, "operator", "operator", 5);
	b = websess_create(&t, counting, NULL, 1 * SEC, "guest", "guest", 6);
	cookie_of(b, cookie, sizeof cookie);
	snprintf(header, sizeof header, "theme=dark; %s; other=1", cookie);
	CHECK(websess_lookup(&t, header, 2 * SEC, &expired) == b && expired == -1);
	cookie_of(a, cookie, sizeof cookie);
	CHECK(websess_lookup(&t, cookie, 2 * SEC, &expired) == a);
	CHECK(websess_lookup(&t, NULL, 2 * SEC, &expired) == -CAPOS_ENOENT);
	CHECK(websess_lookup(&t, "capos_session=", 2 * SEC, &expired) == -CAPOS_ENOENT);
	CHECK(websess_lookup(&t, "xcapos_session=00", 2 * SEC, &expired) == -CAPOS_ENOENT);
	cookie[20] = cookie[20] == 'a' ? 'b' : 'a';   /* one digit off: a forged id */
	CHECK(websess_lookup(&t, cookie, 2 * SEC, &expired) == -CAPOS_ENOENT);
	cookie[20] = 'G';                             /* not hex */
	CHECK(websess_lookup(&t, cookie, 2 * SEC, &expired) == -CAPOS_ENOENT);
	cookie_of(a, cookie, sizeof cookie);
	strcat(cookie, "00");                         /* too long */
	CHECK(websess_lookup(&t, cookie, 2 * SEC, &expired) == -CAPOS_ENOENT);
	cookie_of(a, cookie, sizeof cookie);
	websess_end(&t, a);
	CHECK(websess_lookup(&t, cookie, 2 * SEC, &expired) == -CAPOS_ENOENT && !t.s[a].live);
}

static void test_idle(void)
{
	char ca[200], cb[200];
	int a, b, expired;

	websess_init(&t, 10 * SEC);
	a = websess_create(&t, counting, NULL, 0, "operator", "operator", 5);
	b = websess_create(&t, counting, NULL, 0, "guest", "guest", 6);
	cookie_of(a, ca, sizeof ca);
	cookie_of(b, cb, sizeof cb);
	CHECK(websess_lookup(&t, ca, 9 * SEC, &expired) == a);        /* use keeps it alive */
	CHECK(websess_next_idle(&t, 15 * SEC) == b);                   /* b idle 15 s: the sweep finds it */
	CHECK(websess_lookup(&t, ca, 18 * SEC, &expired) == a);
	CHECK(websess_lookup(&t, cb, 18 * SEC, &expired) == -CAPOS_ENOENT && expired == b);
	websess_end(&t, b);
	CHECK(websess_next_idle(&t, 18 * SEC) == -1);
	CHECK(websess_lookup(&t, cb, 18 * SEC, &expired) == -CAPOS_ENOENT && expired == -1);
}

static void test_bound(void)
{
	websess_init(&t, 60 * SEC);
	for (uint32_t i = 0; i < WEBSESS_MAX; i++)
		CHECK(websess_create(&t, counting, NULL, 1, "u", "guest", i) == (int)i);
	CHECK(websess_create(&t, counting, NULL, 1, "u", "guest", 99) == -CAPOS_EQUOTA);
	websess_end(&t, 3);
	CHECK(websess_create(&t, counting, NULL, 1, "u", "guest", 99) == 3);
}

int main(void)
{
	RUN(test_create_and_cookie);
	RUN(test_lookup);
	RUN(test_idle);
	RUN(test_bound);
	return check_done();
}
