/*
 * sessiond's session records (apps/sessiond/records.c): audit ids from 2,
 * never reused; labels and lifetimes checked; a session ends once; the
 * expiries in order; a full table takes the entry that ended longest ago
 * and refuses when every entry is live.
 */
#include <stdint.h>
#include <string.h>
#include <capos/error.h>

#include "check.h"
#include "records.h"

#define MS 1000000ull

static struct session_records t;

static void test_new_and_find(void)
{
	int err;
	struct session_record *a, *b;

	records_init(&t);
	a = records_new(&t, "alice", "operator", 100, 0, &err);
	CHECK(a != NULL);
	CHECK_EQ(err, 0);
	CHECK_EQ(a->audit_id, 2);
	CHECK_STR(a->user, "alice");
	CHECK_STR(a->profile, "operator");
	CHECK_EQ(a->created_ns, 100);
	CHECK_EQ(a->expires_ns, 0);
	CHECK_EQ(a->state, CAPOS_SESSION_LIVE);
	b = records_new(&t, "guest", "guest", 200, 5 * MS, &err);
	CHECK(b != NULL);
	CHECK_EQ(b->audit_id, 3);
	CHECK_EQ(b->expires_ns, 200 + 5 * MS);
	CHECK(records_find(&t, 2) == a);
	CHECK(records_find(&t, 3) == b);
	CHECK(records_find(&t, 1) == NULL);     /* the system session has no record */
	CHECK(records_find(&t, 0) == NULL);
	CHECK(records_find(&t, 4) == NULL);
}

static void test_refusals(void)
{
	char long_label[CAPOS_SESSION_LABEL_MAX + 1];
	int err;

	records_init(&t);
	CHECK(records_new(&t, "", "p", 0, 0, &err) == NULL);
	CHECK_EQ(err, -CAPOS_EINVAL);
	CHECK(records_new(&t, "Alice", "p", 0, 0, &err) == NULL);
	CHECK_EQ(err, -CAPOS_EINVAL);
	memset(long_label, 'a', sizeof long_label - 1);
	long_label[sizeof long_label - 1] = 0;   /* 32 characters: one too many */
	CHECK(records_new(&t, long_label, "p", 0, 0, &err) == NULL);
	CHECK_EQ(err, -CAPOS_EINVAL);
	CHECK(records_new(&t, "a", "p", 0, RECORDS_LIFETIME_MAX_NS + 1, &err) == NULL);
	CHECK_EQ(err, -CAPOS_ERANGE);
	CHECK(records_new(&t, "a", "p", 0, RECORDS_LIFETIME_MAX_NS, &err) != NULL);
}

static void test_end_and_expiry(void)
{
	int err;
	struct session_record *a, *b, *c;

	records_init(&t);
	a = records_new(&t, "a", "p", 0, 30 * MS, &err);
	b = records_new(&t, "b", "p", 0, 10 * MS, &err);
	c = records_new(&t, "c", "p", 0, 0, &err);
	CHECK_EQ(records_next_expiry(&t), 10 * MS);
	CHECK(records_due(&t, 9 * MS) == NULL);
	CHECK(records_due(&t, 10 * MS) == b);
	CHECK_EQ(records_end(b, CAPOS_SESSION_EXPIRED, 10 * MS), 0);
	CHECK_EQ(records_end(b, CAPOS_SESSION_LOGGED_OUT, 11 * MS), -CAPOS_ESESSION);   /* once */
	CHECK_EQ(b->state, CAPOS_SESSION_EXPIRED);
	CHECK_EQ(records_next_expiry(&t), 30 * MS);
	CHECK_EQ(records_end(a, CAPOS_SESSION_LOGGED_OUT, 12 * MS), 0);
	CHECK_EQ(records_next_expiry(&t), 0);    /* an ended session expires no more */
	CHECK(records_due(&t, 100 * MS) == NULL);
	CHECK_EQ(c->state, CAPOS_SESSION_LIVE);
}

static void test_full_table(void)
{
	struct session_record *r[RECORDS_MAX], *n;
	int err;

	records_init(&t);
	for (size_t i = 0; i < RECORDS_MAX; i++)
		r[i] = records_new(&t, "u", "p", i, 0, &err);
	CHECK(records_new(&t, "u", "p", 0, 0, &err) == NULL);
	CHECK_EQ(err, -CAPOS_EQUOTA);               /* every entry live */
	records_end(r[5], CAPOS_SESSION_LOGGED_OUT, 50);
	records_end(r[7], CAPOS_SESSION_LOGGED_OUT, 40);
	n = records_new(&t, "v", "p", 0, 0, &err);
	CHECK(n == r[7]);                          /* the one that ended longest ago */
	CHECK_EQ(n->audit_id, 2 + RECORDS_MAX);    /* never an old id again */
	CHECK(records_find(&t, 2 + 7) == NULL);    /* its old UserSession finds nothing */
	CHECK(records_find(&t, 2 + 5) == r[5]);
}

int main(void)
{
	RUN(test_new_and_find);
	RUN(test_refusals);
	RUN(test_end_and_expiry);
	RUN(test_full_table);
	return check_done();
}
