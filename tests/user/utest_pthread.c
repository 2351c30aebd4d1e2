/*
 * The pthread subset (libos/libc/pthread.c, capos/pthread_np.h): one line
 * per check, "utest-pthread: <what>: ok" or "...: FAILED (<detail>)",
 * written with stdio; the exit code is the failure count.  Runs as init
 * (console, vm, timer, thread, threads, park).
 *
 *   threads    32 created and joined with their exit values (returned or
 *              through pthread_exit), self/equal, stack-size attribute,
 *              detach (by attribute and by call)
 *   mutexes    8 threads x 10000 increments, recursive, error-checking,
 *              trylock
 *   condvars   producers/consumers, broadcast, timedwait timeouts against
 *              CLOCK_REALTIME and CLOCK_MONOTONIC deadlines
 *   once, keys (destructors at thread exit)
 *   errors     EDEADLK (join self), EINVAL (second join, join detached),
 *              ESRCH (stale thread), EBUSY (trylock), EPERM, EINVAL attrs
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <capos/pthread_np.h>

#include "utest.h"

#define NAME "utest-pthread"


static int64_t now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static struct timespec deadline_in(clockid_t clock, int64_t ns)
{
	int64_t t = now_ns(clock) + ns;

	return (struct timespec){ .tv_sec = t / 1000000000, .tv_nsec = t % 1000000000 };
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* ------------------------------------------------------------- threads */

#define MANY 32

static pthread_t seen_self[MANY];

static void *many_fn(void *arg)
{
	uintptr_t i = (uintptr_t)arg;

	seen_self[i] = pthread_self();
	if (i % 2)
		pthread_exit((void *)(i * 3 + 1000));
	return (void *)(i * 3);
}

static void test_many(void)
{
	pthread_t t[MANY];
	int created = 0, joined = 0, right = 0, selfs = 0;

	for (uintptr_t i = 0; i < MANY; i++)
		if (pthread_create(&t[i], NULL, many_fn, (void *)i) == 0)
			created++;
	for (uintptr_t i = 0; i < (uintptr_t)created; i++) {
		void *v = NULL;

		if (pthread_join(t[i], &v) == 0)
			joined++;
		if ((uintptr_t)v == (i % 2 ? i * 3 + 1000 : i * 3))
			right++;
		if (pthread_equal(seen_self[i], t[i]) && !pthread_equal(t[i], pthread_self()))
			selfs++;
	}
	ut_check(created == MANY && joined == MANY && right == MANY,
	      "32 threads created and joined, exit values (returned and pthread_exit) right",
	      "created %d, joined %d, right values %d", created, joined, right);
	ut_check(selfs == MANY && pthread_equal(pthread_self(), pthread_self()),
	      "pthread_self in each thread equals its pthread_t, differs from the main thread",
	      "%d of %d", selfs, MANY);
}

static void *stack_fn(void *arg)
{
	volatile char big[200 * 1024];

	(void)arg;
	memset((char *)big, 0x5a, sizeof big);
	return (void *)(uintptr_t)(big[0] + big[sizeof big - 1]);
}

static void test_stack_attr(void)
{
	pthread_attr_t a;
	size_t got = 0;
	pthread_t t;
	void *v = NULL;
	int err;

	pthread_attr_init(&a);
	err = pthread_attr_setstacksize(&a, 256 * 1024);
	pthread_attr_getstacksize(&a, &got);
	ut_check(err == 0 && got == 256 * 1024, "attr stack size set and read back", "err %d, got %zu", err,
	      got);
	ut_check(pthread_attr_setstacksize(&a, 100) == EINVAL, "attr stack size below PTHREAD_STACK_MIN: EINVAL",
	      "accepted");
	err = pthread_create(&t, &a, stack_fn, NULL);
	if (err == 0)
		err = pthread_join(t, &v);
	ut_check(err == 0 && (uintptr_t)v == 0xb4, "thread with a 256 KiB stack uses 200 KiB of it",
	      "err %d, value %#lx", err, (unsigned long)(uintptr_t)v);
	pthread_attr_destroy(&a);
}

/* ------------------------------------------------------------- mutexes */

static pthread_mutex_t count_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t counter;

static void *count_fn(void *arg)
{
	(void)arg;
	for (int i = 0; i < 10000; i++) {
		pthread_mutex_lock(&count_lock);
		counter++;
		pthread_mutex_unlock(&count_lock);
	}
	return NULL;
}

static void test_contention(void)
{
	pthread_t t[8];
	int n = 0;

	for (int i = 0; i < 8; i++)
		if (pthread_create(&t[n], NULL, count_fn, NULL) == 0)
			n++;
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	ut_check(n == 8 && counter == 80000, "mutex: 8 threads x 10000 increments: exactly 80000",
	      "threads %d, counter %llu", n, (unsigned long long)counter);
}

static pthread_mutex_t *try_target;

static void *trylock_fn(void *arg)
{
	(void)arg;
	return (void *)(intptr_t)pthread_mutex_trylock(try_target);
}

static int trylock_elsewhere(pthread_mutex_t *m)
{
	pthread_t t;
	void *v = (void *)(intptr_t)-1;

	try_target = m;
	if (pthread_create(&t, NULL, trylock_fn, NULL) != 0)
		return -1;
	pthread_join(t, &v);
	return (int)(intptr_t)v;
}

static void test_mutex_kinds(void)
{
	pthread_mutexattr_t a;
	pthread_mutex_t rec, ec, normal = PTHREAD_MUTEX_INITIALIZER;
	int type = -1, r1, r2, r3, busy, u1, u2, u3, after;

	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutexattr_gettype(&a, &type);
	pthread_mutex_init(&rec, &a);
	r1 = pthread_mutex_lock(&rec);
	r2 = pthread_mutex_lock(&rec);
	r3 = pthread_mutex_trylock(&rec);
	busy = trylock_elsewhere(&rec);
	u1 = pthread_mutex_unlock(&rec);
	u2 = pthread_mutex_unlock(&rec);
	u3 = pthread_mutex_unlock(&rec);
	after = trylock_elsewhere(&rec);  /* the other thread ends holding it: only a test */
	ut_check(type == PTHREAD_MUTEX_RECURSIVE && !r1 && !r2 && !r3 && busy == EBUSY && !u1 && !u2 && !u3 &&
	      after == 0,
	      "recursive mutex: locked 3 times by its owner, EBUSY elsewhere, free after 3 unlocks",
	      "type %d, locks %d %d %d, other %d, unlocks %d %d %d, after %d", type, r1, r2, r3, busy, u1,
	      u2, u3, after);

	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
	pthread_mutex_init(&ec, &a);
	r1 = pthread_mutex_lock(&ec);
	r2 = pthread_mutex_lock(&ec);
	u1 = pthread_mutex_unlock(&ec);
	u2 = pthread_mutex_unlock(&ec);
	ut_check(!r1 && r2 == EDEADLK && !u1 && u2 == EPERM,
	      "error-checking mutex: relock EDEADLK, unlock when not held EPERM", "%d %d %d %d", r1, r2,
	      u1, u2);
	pthread_mutex_destroy(&ec);
	pthread_mutexattr_destroy(&a);

	r1 = pthread_mutex_lock(&normal);
	r2 = pthread_mutex_trylock(&normal);
	busy = trylock_elsewhere(&normal);
	ut_check(!r1 && r2 == EBUSY && busy == EBUSY, "trylock of a held mutex: EBUSY (owner and other thread)",
	      "lock %d, own trylock %d, other %d", r1, r2, busy);
	ut_check(pthread_mutex_destroy(&normal) == EBUSY, "destroying a held mutex: EBUSY", "accepted");
	pthread_mutex_unlock(&normal);
	ut_check(pthread_mutex_destroy(&normal) == 0, "destroying a free mutex: 0", "refused");
}

/* ------------------------------------------------------------ condvars */

#define QSIZE 8
#define PRODUCERS 4
#define CONSUMERS 4
#define ITEMS 2000

static pthread_mutex_t q_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t q_not_empty = PTHREAD_COND_INITIALIZER, q_not_full = PTHREAD_COND_INITIALIZER;
static int q_items[QSIZE], q_head, q_count, producers_left = PRODUCERS;

static void *producer(void *arg)
{
	int base = (int)(intptr_t)arg * ITEMS;

	for (int i = 1; i <= ITEMS; i++) {
		pthread_mutex_lock(&q_lock);
		while (q_count == QSIZE)
			pthread_cond_wait(&q_not_full, &q_lock);
		q_items[(q_head + q_count++) % QSIZE] = base + i;
		pthread_cond_signal(&q_not_empty);
		pthread_mutex_unlock(&q_lock);
	}
	pthread_mutex_lock(&q_lock);
	if (--producers_left == 0)
		pthread_cond_broadcast(&q_not_empty);  /* every consumer must see the end */
	pthread_mutex_unlock(&q_lock);
	return NULL;
}

static void *consumer(void *arg)
{
	int64_t sum = 0;

	(void)arg;
	for (;;) {
		int v;

		pthread_mutex_lock(&q_lock);
		while (q_count == 0 && producers_left > 0)
			pthread_cond_wait(&q_not_empty, &q_lock);
		if (q_count == 0) {
			pthread_mutex_unlock(&q_lock);
			break;
		}
		v = q_items[q_head];
		q_head = (q_head + 1) % QSIZE;
		q_count--;
		pthread_cond_signal(&q_not_full);
		pthread_mutex_unlock(&q_lock);
		sum += v;
	}
	return (void *)(intptr_t)sum;
}

static void test_producer_consumer(void)
{
	pthread_t p[PRODUCERS], c[CONSUMERS];
	int64_t total = 0, want = 0;
	int np = 0, nc = 0;

	for (int i = 0; i < PRODUCERS; i++)
		for (int j = 1; j <= ITEMS; j++)
			want += i * ITEMS + j;
	for (int i = 0; i < CONSUMERS; i++)
		if (pthread_create(&c[nc], NULL, consumer, NULL) == 0)
			nc++;
	for (int i = 0; i < PRODUCERS; i++)
		if (pthread_create(&p[np], NULL, producer, (void *)(intptr_t)i) == 0)
			np++;
	for (int i = 0; i < np; i++)
		pthread_join(p[i], NULL);
	for (int i = 0; i < nc; i++) {
		void *v = NULL;

		pthread_join(c[i], &v);
		total += (intptr_t)v;
	}
	ut_check(np == PRODUCERS && nc == CONSUMERS && total == want,
	      "condvar: 4 producers x 2000 items through an 8-slot queue to 4 consumers, ended by broadcast: every item once",
	      "producers %d, consumers %d, sum %lld, expected %lld", np, nc, (long long)total,
	      (long long)want);
}

static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cond = PTHREAD_COND_INITIALIZER;
static int gate_open, gate_waiting, gate_through;

static void *gate_fn(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&gate_lock);
	gate_waiting++;
	while (!gate_open)
		pthread_cond_wait(&gate_cond, &gate_lock);
	gate_through++;
	pthread_mutex_unlock(&gate_lock);
	return NULL;
}

static void test_broadcast(void)
{
	pthread_t t[6];
	int n = 0, waiting = 0;

	for (int i = 0; i < 6; i++)
		if (pthread_create(&t[n], NULL, gate_fn, NULL) == 0)
			n++;
	for (int tries = 0; tries < 2000 && waiting < n; tries++) {
		pthread_mutex_lock(&gate_lock);
		waiting = gate_waiting;
		pthread_mutex_unlock(&gate_lock);
		if (waiting < n)
			sleep_ms(1);
	}
	pthread_mutex_lock(&gate_lock);
	gate_open = 1;
	pthread_cond_broadcast(&gate_cond);
	pthread_mutex_unlock(&gate_lock);
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	ut_check(n == 6 && waiting == 6 && gate_through == 6, "condvar: one broadcast releases 6 waiters",
	      "threads %d, waiting %d, through %d", n, waiting, gate_through);
}

static void test_timedwait(void)
{
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	pthread_cond_t c_rt = PTHREAD_COND_INITIALIZER, c_mono;
	pthread_condattr_t ca;
	clockid_t clk = -1;
	struct timespec dl;
	int64_t t0, spent;
	int err;

	pthread_mutex_lock(&m);
	dl = deadline_in(CLOCK_REALTIME, 50 * 1000000);
	t0 = now_ns(CLOCK_MONOTONIC);
	err = pthread_cond_timedwait(&c_rt, &m, &dl);
	spent = now_ns(CLOCK_MONOTONIC) - t0;
	ut_check(err == ETIMEDOUT && spent >= 50 * 1000000 && spent < 2000 * 1000000LL,
	      "timedwait with a CLOCK_REALTIME deadline 50 ms ahead: ETIMEDOUT after >= 50 ms",
	      "err %d, %lld ns", err, (long long)spent);
	ut_check(pthread_mutex_trylock(&m) == EBUSY, "timedwait returns with the mutex held", "mutex free");

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_condattr_getclock(&ca, &clk);
	pthread_cond_init(&c_mono, &ca);
	dl = deadline_in(CLOCK_MONOTONIC, 30 * 1000000);
	t0 = now_ns(CLOCK_MONOTONIC);
	err = pthread_cond_timedwait(&c_mono, &m, &dl);
	spent = now_ns(CLOCK_MONOTONIC) - t0;
	ut_check(clk == CLOCK_MONOTONIC && err == ETIMEDOUT && spent >= 30 * 1000000 && spent < 2000 * 1000000LL,
	      "timedwait with a CLOCK_MONOTONIC deadline (condattr_setclock) 30 ms ahead: ETIMEDOUT after >= 30 ms",
	      "clock %d, err %d, %lld ns", (int)clk, err, (long long)spent);

	dl = deadline_in(CLOCK_MONOTONIC, -1000000);
	ut_check(pthread_cond_timedwait(&c_mono, &m, &dl) == ETIMEDOUT, "timedwait with a past deadline: ETIMEDOUT",
	      "no timeout");
	dl.tv_nsec = 1000000000;
	ut_check(pthread_cond_timedwait(&c_mono, &m, &dl) == EINVAL, "timedwait with tv_nsec 1e9: EINVAL",
	      "accepted");
	ut_check(pthread_condattr_setclock(&ca, (clockid_t)1234) == EINVAL, "condattr_setclock of an unknown clock: EINVAL",
	      "accepted");
	pthread_mutex_unlock(&m);
	pthread_cond_destroy(&c_mono);
	pthread_condattr_destroy(&ca);
}

static pthread_mutex_t sig_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sig_cond = PTHREAD_COND_INITIALIZER;
static int sig_flag;

static void *signaller(void *arg)
{
	(void)arg;
	sleep_ms(20);
	pthread_mutex_lock(&sig_lock);
	sig_flag = 1;
	pthread_cond_signal(&sig_cond);
	pthread_mutex_unlock(&sig_lock);
	return NULL;
}

static void test_timedwait_signalled(void)
{
	struct timespec dl = deadline_in(CLOCK_REALTIME, 5000 * 1000000LL);
	pthread_t t;
	int err = 0;

	pthread_mutex_lock(&sig_lock);
	pthread_create(&t, NULL, signaller, NULL);
	while (!sig_flag && err == 0)
		err = pthread_cond_timedwait(&sig_cond, &sig_lock, &dl);
	pthread_mutex_unlock(&sig_lock);
	pthread_join(t, NULL);
	ut_check(err == 0 && sig_flag, "timedwait (5 s deadline) woken by a signal after 20 ms: 0",
	      "err %d, flag %d", err, sig_flag);
}

/* ---------------------------------------------------------------- once */

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int once_runs, once_value;

static void once_init(void)
{
	__atomic_add_fetch(&once_runs, 1, __ATOMIC_RELAXED);
	sleep_ms(20);  /* the others must wait for it */
	once_value = 42;
}

static void *once_fn(void *arg)
{
	(void)arg;
	pthread_once(&once, once_init);
	return (void *)(intptr_t)once_value;
}

static void test_once(void)
{
	pthread_t t[12];
	int n = 0, saw = 0;

	for (int i = 0; i < 12; i++)
		if (pthread_create(&t[n], NULL, once_fn, NULL) == 0)
			n++;
	for (int i = 0; i < n; i++) {
		void *v = NULL;

		pthread_join(t[i], &v);
		saw += (intptr_t)v == 42;
	}
	pthread_once(&once, once_init);
	ut_check(n == 12 && once_runs == 1 && saw == 12,
	      "pthread_once from 12 threads: the routine ran once, every caller saw it finished",
	      "threads %d, runs %d, saw %d", n, once_runs, saw);
}

/* ---------------------------------------------------------------- keys */

static pthread_key_t key, key2;
static int dtor_calls, dtor_sum, dtor2_rounds;

static void dtor(void *v)
{
	__atomic_add_fetch(&dtor_calls, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&dtor_sum, *(int *)v, __ATOMIC_RELAXED);
	free(v);
}

/* sets its value again once: the destructors run a second round */
static void dtor2(void *v)
{
	if (__atomic_add_fetch(&dtor2_rounds, 1, __ATOMIC_RELAXED) % 2 == 1)
		pthread_setspecific(key2, v);
}

static void *key_fn(void *arg)
{
	int *v = malloc(sizeof *v);
	int ok;

	*v = (int)(intptr_t)arg;
	ok = pthread_getspecific(key) == NULL;
	pthread_setspecific(key, v);
	ok = ok && pthread_getspecific(key) == v;
	if ((intptr_t)arg == 1)
		pthread_setspecific(key2, (void *)1);
	if ((intptr_t)arg % 2)
		pthread_exit((void *)(intptr_t)ok);
	return (void *)(intptr_t)ok;
}

static void test_keys(void)
{
	pthread_t t[8];
	pthread_key_t k3;
	int n = 0, ok = 0, err;
	int mine = 7;

	err = pthread_key_create(&key, dtor);
	pthread_key_create(&key2, dtor2);
	pthread_setspecific(key, &mine);
	for (int i = 0; i < 8; i++)
		if (pthread_create(&t[n], NULL, key_fn, (void *)(intptr_t)(i + 1)) == 0)
			n++;
	for (int i = 0; i < n; i++) {
		void *v = NULL;

		pthread_join(t[i], &v);
		ok += (intptr_t)v == 1;
	}
	ut_check(err == 0 && n == 8 && ok == 8 && pthread_getspecific(key) == &mine,
	      "keys: each thread sees only its own value, the main thread keeps its own", "err %d, threads %d, ok %d",
	      err, n, ok);
	ut_check(dtor_calls == 8 && dtor_sum == 36,
	      "keys: the destructor ran once per thread at exit (return and pthread_exit) with its value",
	      "calls %d, sum %d", dtor_calls, dtor_sum);
	ut_check(dtor2_rounds == 2, "keys: a value set again by a destructor gets a second round",
	      "rounds %d", dtor2_rounds);
	pthread_key_delete(key);
	pthread_key_create(&k3, NULL);
	ut_check(pthread_getspecific(k3) == NULL && pthread_setspecific(key, &mine) == (k3 == key ? 0 : EINVAL),
	      "keys: a new key starts NULL after delete; a deleted key is refused", "value %p",
	      pthread_getspecific(k3));
	pthread_key_delete(k3);
	pthread_key_delete(key2);
}

/* -------------------------------------------------------------- detach */

static uint32_t detached_done;

static void *detached_fn(void *arg)
{
	(void)arg;
	__atomic_add_fetch(&detached_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static pthread_mutex_t hold_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t hold_cond = PTHREAD_COND_INITIALIZER;
static int hold_release;

static void *held_fn(void *arg)
{
	pthread_mutex_lock(&hold_lock);
	while (!hold_release)
		pthread_cond_wait(&hold_cond, &hold_lock);
	pthread_mutex_unlock(&hold_lock);
	return arg;
}

static void release_held(void)
{
	pthread_mutex_lock(&hold_lock);
	hold_release = 1;
	pthread_cond_broadcast(&hold_cond);
	pthread_mutex_unlock(&hold_lock);
}

static void test_detach(void)
{
	pthread_attr_t a;
	pthread_t t;
	int created = 0, detached = 0, state = -1, join_err;

	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	pthread_attr_getdetachstate(&a, &state);
	for (int i = 0; i < 10; i++)
		if (pthread_create(&t, &a, detached_fn, NULL) == 0)
			created++;
	for (int i = 0; i < 10; i++)
		if (pthread_create(&t, NULL, detached_fn, NULL) == 0 && pthread_detach(t) == 0)
			detached++;
	for (int i = 0; i < 3000 && __atomic_load_n(&detached_done, __ATOMIC_ACQUIRE) < 20; i++)
		sleep_ms(1);
	ut_check(state == PTHREAD_CREATE_DETACHED && created == 10 && detached == 10 &&
	      __atomic_load_n(&detached_done, __ATOMIC_ACQUIRE) == 20,
	      "detach: 10 threads detached by attribute, 10 by pthread_detach, all ran",
	      "created %d, detached %d, ran %u", created, detached, detached_done);
	pthread_attr_destroy(&a);

	hold_release = 0;
	pthread_create(&t, NULL, held_fn, NULL);
	pthread_detach(t);
	join_err = pthread_join(t, NULL);
	ut_check(join_err == EINVAL && pthread_detach(t) == EINVAL,
	      "join or detach again of a detached thread: EINVAL", "join %d", join_err);
	release_held();
}

/* -------------------------------------------------------------- errors */

static pthread_t join_target;
static uint32_t joiner_started;

static void *joiner_fn(void *arg)
{
	(void)arg;
	__atomic_store_n(&joiner_started, 1, __ATOMIC_RELEASE);
	return (void *)(intptr_t)pthread_join(join_target, NULL);
}

static void test_errors(void)
{
	pthread_t joiner, t;
	void *v = NULL;
	int second, first = -1, stale;

	ut_check(pthread_join(pthread_self(), NULL) == EDEADLK, "join self: EDEADLK", "other result");

	hold_release = 0;
	pthread_create(&join_target, NULL, held_fn, (void *)7);
	pthread_create(&joiner, NULL, joiner_fn, NULL);
	while (!__atomic_load_n(&joiner_started, __ATOMIC_ACQUIRE))
		sleep_ms(1);
	sleep_ms(30);  /* the joiner is now inside its pthread_join */
	second = pthread_join(join_target, NULL);
	release_held();
	pthread_join(joiner, &v);
	first = (int)(intptr_t)v;
	ut_check(second == EINVAL && first == 0, "a second join while one is under way: EINVAL (the first: 0)",
	      "second %d, first %d", second, first);
	stale = pthread_join(join_target, NULL);
	ut_check(stale == ESRCH, "join of an already joined thread: ESRCH", "got %d", stale);

	ut_check(pthread_create(&t, &(pthread_attr_t){ 0 }, held_fn, NULL) == EINVAL,
	      "create with an uninitialised attr: EINVAL", "accepted");
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	ut_init(NAME);
	test_many();
	test_stack_attr();
	test_contention();
	test_mutex_kinds();
	test_producer_consumer();
	test_broadcast();
	test_timedwait();
	test_timedwait_signalled();
	test_once();
	test_keys();
	test_detach();
	test_errors();
	printf(NAME ": %d failures\n", ut_failures());
	return ut_failures();
}
