/*
 * The credential store (apps/session/lib/credstore.c): accounts added and
 * verified, wrong passwords and unknown names refused with the same code
 * and comparable work, per-account iteration counts, records inserted from
 * storage, and every bound refused with nothing changed.
 */
#include <stdint.h>
#include <time.h>

#include <capos/error.h>

#include "check.h"
#include "credstore.h"

#define FAST CREDSTORE_ITERATIONS_MIN

/* A deterministic source: a counter run through a small mixing step. */
static int counter_random(void *ctx, void *buf, size_t len)
{
	uint64_t *state = ctx;
	uint8_t *out = buf;

	for (size_t i = 0; i < len; i++) {
		*state = *state * 6364136223846793005ull + 1442695040888963407ull;
		out[i] = (uint8_t)(*state >> 56);
	}
	return 0;
}

static int failing_random(void *ctx, void *buf, size_t len)
{
	(void)ctx, (void)buf, (void)len;
	return -CAPOS_EIO;
}

static struct credstore store;
static struct credstore_record slots[4];
static uint64_t seed;

static void fresh_store(uint32_t iterations)
{
	seed = 1;
	memset(slots, 0, sizeof(slots));
	CHECK_EQ(credstore_init(&store, slots, 4, iterations, counter_random, &seed), 0);
}

static void test_init_refusals(void)
{
	struct credstore s;

	CHECK_EQ(credstore_init(&s, slots, 4, FAST, NULL, NULL), -CAPOS_EINVAL);
	CHECK_EQ(credstore_init(&s, NULL, 4, FAST, counter_random, &seed), -CAPOS_EINVAL);
	CHECK_EQ(credstore_init(&s, slots, 4, FAST - 1, counter_random, &seed), -CAPOS_ERANGE);
	CHECK_EQ(credstore_init(&s, slots, 4, CREDSTORE_ITERATIONS_MAX + 1, counter_random, &seed),
	         -CAPOS_ERANGE);
	CHECK_EQ(credstore_init(&s, slots, 4, FAST, failing_random, NULL), -CAPOS_EIO);
}

static void test_add_and_verify(void)
{
	fresh_store(FAST);
	CHECK_EQ(credstore_add(&store, "alice", "correct horse", 13, FAST), 0);
	CHECK_EQ(store.count, 1);
	CHECK_STR(slots[0].user, "alice");
	CHECK_EQ(slots[0].iterations, FAST);
	CHECK_EQ(credstore_verify(&store, "alice", "correct horse", 13), 0);
}

static void test_wrong_password_and_unknown_user_alike(void)
{
	fresh_store(FAST);
	CHECK_EQ(credstore_add(&store, "alice", "secret", 6, FAST), 0);
	CHECK_EQ(credstore_verify(&store, "alice", "secreT", 6), -CAPOS_EPERM);
	CHECK_EQ(credstore_verify(&store, "alice", "secret", 5), -CAPOS_EPERM);
	CHECK_EQ(credstore_verify(&store, "alic", "secret", 6), -CAPOS_EPERM);
	CHECK_EQ(credstore_verify(&store, "bob", "secret", 6), -CAPOS_EPERM);
}

static double seconds_for_verify(const char *user, const char *pw)
{
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	CHECK_EQ(credstore_verify(&store, user, pw, strlen(pw)), -CAPOS_EPERM);
	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
}

/*
 * An unknown name runs PBKDF2 against the dummy record: with a large
 * iteration count both paths are dominated by it.  The bounds are loose
 * (a factor of three) so a busy machine does not fail the test; skipping
 * the work would make the unknown name hundreds of times faster.
 */
static void test_unknown_user_costs_the_same(void)
{
	double wrong = 1e9, unknown = 1e9;

	fresh_store(50000);
	CHECK_EQ(credstore_add(&store, "alice", "secret", 6, 50000), 0);
	for (int i = 0; i < 3; i++) {
		double w = seconds_for_verify("alice", "wrong"), u = seconds_for_verify("mallory", "wrong");

		wrong = w < wrong ? w : wrong;
		unknown = u < unknown ? u : unknown;
	}
	printf("# wrong password %.4f s, unknown name %.4f s\n", wrong, unknown);
	CHECK(unknown > wrong / 3);
	CHECK(unknown < wrong * 3);
}

static void test_per_account_iterations_and_salts(void)
{
	fresh_store(FAST);
	CHECK_EQ(credstore_add(&store, "alice", "same", 4, FAST), 0);
	CHECK_EQ(credstore_add(&store, "bob", "same", 4, 3000), 0);
	CHECK_EQ(slots[1].iterations, 3000);
	CHECK(memcmp(slots[0].salt, slots[1].salt, CREDSTORE_SALT_LEN) != 0);
	CHECK(memcmp(slots[0].key, slots[1].key, CREDSTORE_KEY_LEN) != 0);
	CHECK_EQ(credstore_verify(&store, "alice", "same", 4), 0);
	CHECK_EQ(credstore_verify(&store, "bob", "same", 4), 0);
}

static void test_password_is_bytes(void)
{
	fresh_store(FAST);
	CHECK_EQ(credstore_add(&store, "carol", "ab\0cd", 5, FAST), 0);
	CHECK_EQ(credstore_verify(&store, "carol", "ab\0cd", 5), 0);
	CHECK_EQ(credstore_verify(&store, "carol", "ab", 2), -CAPOS_EPERM);
}

static void test_user_bounds(void)
{
	char name[40];

	CHECK_EQ(credstore_check_user(NULL), -CAPOS_EINVAL);
	CHECK_EQ(credstore_check_user(""), -CAPOS_ERANGE);
	memset(name, 'a', sizeof(name));
	name[CREDSTORE_USER_MAX] = 0;
	CHECK_EQ(credstore_check_user(name), 0);
	name[CREDSTORE_USER_MAX] = 'a';
	name[CREDSTORE_USER_MAX + 1] = 0;
	CHECK_EQ(credstore_check_user(name), -CAPOS_ERANGE);
	CHECK_EQ(credstore_check_user("a-b_c9"), 0);
	CHECK_EQ(credstore_check_user("Alice"), -CAPOS_EINVAL);
	CHECK_EQ(credstore_check_user("a b"), -CAPOS_EINVAL);
	CHECK_EQ(credstore_check_user("a/b"), -CAPOS_EINVAL);
	CHECK_EQ(credstore_check_user("a.b"), -CAPOS_EINVAL);
	CHECK_EQ(credstore_check_user("\xc3\xa9"), -CAPOS_EINVAL);
}

static void test_password_and_iteration_bounds(void)
{
	char pw[CREDSTORE_PASSWORD_MAX + 1];

	memset(pw, 'p', sizeof(pw));
	fresh_store(FAST);
	CHECK_EQ(credstore_add(&store, "dave", pw, 0, FAST), -CAPOS_ERANGE);
	CHECK_EQ(credstore_add(&store, "dave", pw, CREDSTORE_PASSWORD_MAX + 1, FAST), -CAPOS_ERANGE);
	CHECK_EQ(credstore_add(&store, "dave", NULL, 4, FAST), -CAPOS_EINVAL);
	CHECK_EQ(credstore_add(&store, "dave", pw, 4, FAST - 1), -CAPOS_ERANGE);
	CHECK_EQ(credstore_add(&store, "dave", pw, 4, CREDSTORE_ITERATIONS_MAX + 1), -CAPOS_ERANGE);
	CHECK_EQ(credstore_add(&store, "Dave", pw, 4, FAST), -CAPOS_EINVAL);
	CHECK_EQ(store.count, 0);
	CHECK_EQ(credstore_add(&store, "dave", pw, CREDSTORE_PASSWORD_MAX, FAST), 0);
	CHECK_EQ(credstore_verify(&store, "dave", pw, CREDSTORE_PASSWORD_MAX), 0);
	CHECK_EQ(credstore_verify(&store, "dave", pw, CREDSTORE_PASSWORD_MAX + 1), -CAPOS_ERANGE);
	CHECK_EQ(credstore_verify(&store, "dave", pw, 0), -CAPOS_ERANGE);
	CHECK_EQ(credstore_verify(&store, "Dave", pw, 4), -CAPOS_EINVAL);
	CHECK_EQ(credstore_verify(NULL, "dave", pw, 4), -CAPOS_EINVAL);
}

static void test_duplicate_and_full(void)
{
	fresh_store(FAST);
	CHECK_EQ(credstore_add(&store, "u1", "pw", 2, FAST), 0);
	CHECK_EQ(credstore_add(&store, "u1", "other", 5, FAST), -CAPOS_EEXIST);
	CHECK_EQ(credstore_add(&store, "u2", "pw", 2, FAST), 0);
	CHECK_EQ(credstore_add(&store, "u3", "pw", 2, FAST), 0);
	CHECK_EQ(credstore_add(&store, "u4", "pw", 2, FAST), 0);
	CHECK_EQ(credstore_add(&store, "u5", "pw", 2, FAST), -CAPOS_EQUOTA);
	CHECK_EQ(store.count, 4);
	CHECK_EQ(credstore_verify(&store, "u1", "pw", 2), 0);
	CHECK_EQ(credstore_verify(&store, "u4", "pw", 2), 0);
}

static void test_random_failure_changes_nothing(void)
{
	fresh_store(FAST);
	store.random = failing_random;
	CHECK_EQ(credstore_add(&store, "erin", "pw", 2, FAST), -CAPOS_EIO);
	CHECK_EQ(store.count, 0);
}

static void test_insert_loaded_records(void)
{
	struct credstore_record rec;

	fresh_store(FAST);
	CHECK_EQ(credstore_add(&store, "frank", "pw", 2, 2000), 0);
	rec = slots[0];
	fresh_store(FAST);
	CHECK_EQ(credstore_insert(&store, &rec), 0);
	CHECK_EQ(credstore_verify(&store, "frank", "pw", 2), 0);
	CHECK_EQ(credstore_insert(&store, &rec), -CAPOS_EEXIST);

	/* bytes after the name's NUL are dropped, so the name still matches */
	fresh_store(FAST);
	rec.user[CREDSTORE_USER_MAX] = 'x';
	CHECK_EQ(credstore_insert(&store, &rec), 0);
	CHECK_EQ(slots[0].user[CREDSTORE_USER_MAX], 0);
	CHECK_EQ(credstore_verify(&store, "frank", "pw", 2), 0);

	fresh_store(FAST);
	memset(rec.user, 'a', sizeof(rec.user));
	CHECK_EQ(credstore_insert(&store, &rec), -CAPOS_ERANGE);
	strcpy(rec.user, "frank");
	rec.iterations = 1;
	CHECK_EQ(credstore_insert(&store, &rec), -CAPOS_ERANGE);
	rec.iterations = 2000;
	strcpy(rec.user, "Frank");
	CHECK_EQ(credstore_insert(&store, &rec), -CAPOS_EINVAL);
	CHECK_EQ(credstore_insert(&store, NULL), -CAPOS_EINVAL);
	CHECK_EQ(store.count, 0);
}

int main(void)
{
	RUN(test_init_refusals);
	RUN(test_add_and_verify);
	RUN(test_wrong_password_and_unknown_user_alike);
	RUN(test_unknown_user_costs_the_same);
	RUN(test_per_account_iterations_and_salts);
	RUN(test_password_is_bytes);
	RUN(test_user_bounds);
	RUN(test_password_and_iteration_bounds);
	RUN(test_duplicate_and_full);
	RUN(test_random_failure_changes_nothing);
	RUN(test_insert_loaded_records);
	return check_done();
}
