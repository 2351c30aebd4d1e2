/*
 * The C library (newlib) over capOS capabilities: one line per check,
 * "utest-libc: <what>: ok" or "...: FAILED (<detail>)", written with
 * stdio itself; the exit code is the failure count.  Runs as init (it
 * needs console, vm, timer, thread, threads, park, spawner and entropy).
 *
 *   stdio      printf/snprintf of integers and floats, puts, fputs,
 *              fprintf(stderr)
 *   malloc     thousands of random allocations with their contents
 *              checked, calloc, realloc; a request beyond the frame quota
 *              gives NULL and ENOMEM, and malloc recovers; freed memory
 *              goes back (the break shrinks); malloc from four threads
 *   time       clock_gettime, gettimeofday, time, nanosleep, usleep
 *   entropy    getentropy, its 256-byte limit, arc4random
 *   errno      the hooks a capability system withholds (ENOSYS, ENOENT,
 *              EPERM, EBADF, ESPIPE); errno is per thread
 *   libm       strtod, sin, cos, sqrt, exp, log, pow
 *   start-up   constructors ran before main; argv
 *   exit       utest-libc-child returning, exiting, atexit, flushing,
 *              _exit, exit with a blocked thread, abort
 */
#define _GNU_SOURCE 1
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <capos/rt.h>

#include "utest.h"

#define NAME "utest-libc"
#define MS 1000000ll


static void check_str(const char *what, const char *got, const char *want)
{
	ut_check(strcmp(got, want) == 0, what, "got \"%s\", expected \"%s\"", got, want);
}

/* A call that must fail with -1 and errno e. */
static void check_fail(const char *what, int ret, int e)
{
	int got = errno;

	ut_check(ret == -1 && got == e, what, "returned %d, errno %d (%s), expected -1 and %d (%s)", ret, got,
	      strerror(got), e, strerror(e));
}

/* ----------------------------------------------------------- start-up */

static int constructor_ran;

__attribute__((constructor)) static void constructor(void)
{
	constructor_ran = 1;
}

/* --------------------------------------------------------------- stdio */

static void test_stdio(void)
{
	char buf[128];
	volatile double pi = 3.14159265358979, big = 12345.678;
	int n;

	snprintf(buf, sizeof buf, "%d %i %u %x %X %o %lld %llu %zu %c %s %%", -42, 7, 42u, 0xbeefu, 0xbeefu, 8u,
		 -9000000000ll, 18000000000ull, (size_t)123, 'z', "str");
	check_str("snprintf integers", buf, "-42 7 42 beef BEEF 10 -9000000000 18000000000 123 z str %");
	snprintf(buf, sizeof buf, "[%5d|%-5d|%05d|%+d|%#x|%.3s|%*d]", 42, 42, 42, 42, 255, "abcdef", 4, 7);
	check_str("snprintf widths and flags", buf, "[   42|42   |00042|+42|0xff|abc|   7]");
	snprintf(buf, sizeof buf, "%" PRId64 " %" PRIu64 " %p", INT64_MIN, UINT64_MAX, (void *)0x1234);
	check_str("snprintf int64 and pointer", buf, "-9223372036854775808 18446744073709551615 0x1234");
	snprintf(buf, sizeof buf, "%.3f %.2e %g %g %f", pi, big, 0.0001, 1e20, -2.5);
	check_str("snprintf floats", buf, "3.142 1.23e+04 0.0001 1e+20 -2.500000");
	snprintf(buf, sizeof buf, "%.1Lf %hhd %jd", (long double)pi, (signed char)-3, (intmax_t)-5);
	check_str("snprintf long double and C99 lengths", buf, "3.1 -3 -5");
	volatile size_t small = 8;  /* not a constant: gcc would warn about the truncation we test */
	n = snprintf(buf, small, "%s", "truncated text");
	ut_check(n == 14 && strcmp(buf, "truncat") == 0, "snprintf truncates and returns the full length",
	      "n %d, \"%s\"", n, buf);
	ut_check(printf(NAME ": printf %d %s %.2f\n", 12, "twelve", 12.5) > 0, "printf returns the count", "-");
	ut_check(puts(NAME ": puts line") >= 0, "puts", "-");
	ut_check(fputs(NAME ": fputs line\n", stdout) >= 0, "fputs to stdout", "-");
	fflush(stdout);
	ut_check(fprintf(stderr, NAME ": fprintf to stderr %d\n", 2) > 0, "fprintf to stderr", "-");
	ut_check(isatty(1) == 1 && isatty(2) == 1, "stdout and stderr are terminals (line-buffered stdout)", "-");
}

/* -------------------------------------------------------------- malloc */

#define SLOTS 512
#define ROUNDS 6000

static uint32_t rng_state = 12345;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

struct slot {
	unsigned char *p;
	size_t size;
	unsigned char tag;
};

static int slot_ok(const struct slot *s)
{
	for (size_t i = 0; i < s->size; i++)
		if (s->p[i] != (unsigned char)(s->tag + i * 7))
			return 0;
	return 1;
}

static void slot_fill(struct slot *s)
{
	for (size_t i = 0; i < s->size; i++)
		s->p[i] = (unsigned char)(s->tag + i * 7);
}

static size_t random_size(void)
{
	uint32_t r = rng();

	if (r % 100 == 0)
		return 64 * 1024 + r % (192 * 1024);  /* a few big ones */
	return 1 + r % 2048;
}

/* Random malloc/realloc/free over a slot table; every block's bytes are checked before it goes. */
static int malloc_pressure(struct slot *slots, int rounds, int *bad)
{
	int ops = 0;

	for (int r = 0; r < rounds; r++) {
		struct slot *s = &slots[rng() % SLOTS];
		uint32_t what = rng() % 4;

		if (s->p && !slot_ok(s))
			(*bad)++;
		if (s->p && what == 0) {
			size_t keep = s->size, size = random_size();
			unsigned char *q = realloc(s->p, size);

			if (!q)
				return -1;
			s->p = q;
			s->size = size < keep ? size : keep;
			if (!slot_ok(s))
				(*bad)++;
			s->size = size;
			slot_fill(s);
		} else if (s->p) {
			free(s->p);
			s->p = NULL;
		} else {
			s->size = random_size();
			s->tag = (unsigned char)rng();
			s->p = malloc(s->size);
			if (!s->p)
				return -1;
			slot_fill(s);
		}
		ops++;
	}
	return ops;
}

static void free_slots(struct slot *slots, int *bad)
{
	for (int i = 0; i < SLOTS; i++) {
		if (slots[i].p && !slot_ok(&slots[i]))
			(*bad)++;
		free(slots[i].p);
		slots[i].p = NULL;
	}
}

struct malloc_thread {
	struct slot slots[SLOTS];
	int ops, bad;
};

static int64_t malloc_worker(void *arg)
{
	struct malloc_thread *m = arg;

	m->ops = malloc_pressure(m->slots, 2000, &m->bad);
	free_slots(m->slots, &m->bad);
	return 0;
}

static void test_malloc(void)
{
	static struct slot slots[SLOTS];
	static struct malloc_thread workers[4];
	struct capos_thread *t[4];
	int bad = 0, ops, created = 0, total = 0, wbad = 0;
	unsigned char *p, *z;
	void *brk_before, *brk_big, *brk_after;
	size_t huge = (size_t)1 << 30;

	ops = malloc_pressure(slots, ROUNDS, &bad);
	ut_check(ops == ROUNDS && bad == 0, "malloc/realloc/free: 6000 random operations, contents intact",
	      "ops %d, corrupted %d", ops, bad);
	free_slots(slots, &bad);
	ut_check(bad == 0, "every block intact when freed", "corrupted %d", bad);

	p = malloc(100000);
	memset(p, 0xa5, 100000);
	free(p);
	z = calloc(25000, 4);
	ut_check(z != NULL, "calloc 100000 bytes", "NULL");
	if (z) {
		size_t nonzero = 0;

		for (size_t i = 0; i < 100000; i++)
			nonzero += z[i] != 0;
		ut_check(nonzero == 0, "calloc memory is zeroed (after dirty frees)", "%zu non-zero bytes", nonzero);
		free(z);
	}
	volatile size_t count = SIZE_MAX / 2;  /* not a constant: gcc would warn */
	ut_check(calloc(count, 4) == NULL && errno == ENOMEM, "calloc overflow gives NULL and ENOMEM",
	      "errno %d", errno);

	errno = 0;
	p = malloc(huge);
	ut_check(p == NULL && errno == ENOMEM, "malloc 1 GiB beyond the frame quota gives NULL and ENOMEM",
	      "%p, errno %d (%s)", (void *)p, errno, strerror(errno));
	free(p);
	p = malloc(1 << 20);
	ut_check(p != NULL, "malloc recovers: 1 MiB after the failure", "NULL, errno %d", errno);
	if (p) {
		memset(p, 0x5a, 1 << 20);
		ut_check(p[0] == 0x5a && p[(1 << 20) - 1] == 0x5a, "the 1 MiB block is usable", "-");
		free(p);
	}

	brk_before = sbrk(0);
	p = malloc(8 << 20);
	brk_big = sbrk(0);
	free(p);
	brk_after = sbrk(0);
	ut_check(p && brk_big > brk_before && brk_after < brk_big,
	      "freeing 8 MiB gives the pages back (the break shrinks)", "break %p -> %p -> %p", brk_before,
	      brk_big, brk_after);

	for (int i = 0; i < 4; i++)
		if (capos_thread_create(&t[i], malloc_worker, &workers[i], 0) == 0)
			created++;
	for (int i = 0; i < created; i++) {
		capos_thread_join(t[i], NULL);
		total += workers[i].ops;
		wbad += workers[i].bad;
	}
	ut_check(created == 4 && total == 8000 && wbad == 0,
	      "malloc from 4 threads at once: 8000 operations, contents intact", "threads %d, ops %d, corrupted %d",
	      created, total, wbad);
}

/* ---------------------------------------------------------------- time */

static int64_t ns_of(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000ll + ts->tv_nsec;
}

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ns_of(&ts);
}

static void test_time(void)
{
	struct timespec a, b, req = { 0, 30 * MS }, rem = { 5, 5 }, res;
	struct timeval tv, tv2;
	int64_t t0, slept;
	time_t now;
	int ra, rb;

	ra = clock_gettime(CLOCK_MONOTONIC, &a);
	for (volatile int i = 0; i < 100000; i++)
		;
	rb = clock_gettime(CLOCK_MONOTONIC, &b);
	ut_check(ra == 0 && rb == 0 && ns_of(&b) > ns_of(&a) && a.tv_nsec >= 0 && a.tv_nsec < 1000000000,
	      "clock_gettime(CLOCK_MONOTONIC) increases", "%lld then %lld", (long long)ns_of(&a),
	      (long long)ns_of(&b));
	ut_check(clock_getres(CLOCK_MONOTONIC, &res) == 0 && res.tv_sec == 0 && res.tv_nsec > 0, "clock_getres", "-");

	t0 = mono_ns();
	ra = nanosleep(&req, &rem);
	slept = mono_ns() - t0;
	ut_check(ra == 0 && slept >= 30 * MS && rem.tv_sec == 0 && rem.tv_nsec == 0, "nanosleep 30 ms lasts >= 30 ms",
	      "returned %d after %lld ns", ra, (long long)slept);
	t0 = mono_ns();
	ra = usleep(10000);
	slept = mono_ns() - t0;
	ut_check(ra == 0 && slept >= 10 * MS, "usleep 10 ms lasts >= 10 ms", "returned %d after %lld ns", ra,
	      (long long)slept);
	req.tv_nsec = 1000000000;
	check_fail("nanosleep with tv_nsec out of range: EINVAL", nanosleep(&req, NULL), EINVAL);

	ra = gettimeofday(&tv, NULL);
	ut_check(ra == 0 && tv.tv_usec >= 0 && tv.tv_usec < 1000000 && tv.tv_sec < 24 * 3600,
	      "gettimeofday: boot-relative wall clock (no RTC capability)", "%lld.%06ld", (long long)tv.tv_sec,
	      (long)tv.tv_usec);
	now = time(NULL);
	ut_check(now >= tv.tv_sec && now <= tv.tv_sec + 1, "time() agrees with gettimeofday", "%lld vs %lld",
	      (long long)now, (long long)tv.tv_sec);
	tv2.tv_sec = 1700000000;
	tv2.tv_usec = 0;
	ra = settimeofday(&tv2, NULL);
	gettimeofday(&tv, NULL);
	ut_check(ra == 0 && tv.tv_sec >= 1700000000 && tv.tv_sec <= 1700000001,
	      "settimeofday sets this process's wall clock", "now %lld", (long long)tv.tv_sec);
	ut_check(clock_gettime(CLOCK_REALTIME, &a) == 0 && a.tv_sec >= 1700000000, "CLOCK_REALTIME follows it", "%lld",
	      (long long)a.tv_sec);
	/* CLOCK_PROCESS_CPUTIME_ID is 2; newlib declares it only with _POSIX_CPUTIME, which capOS leaves unset. */
	check_fail("clock_gettime(CLOCK_PROCESS_CPUTIME_ID): EINVAL (no CPU-time accounting)",
		   clock_gettime((clockid_t)2, &a), EINVAL);
	check_fail("clock_settime(CLOCK_MONOTONIC): EINVAL", clock_settime(CLOCK_MONOTONIC, &a), EINVAL);
}

/* ------------------------------------------------------------- entropy */

static void test_entropy(void)
{
	unsigned char a[32] = { 0 }, b[32] = { 0 }, big[300];
	int ra = getentropy(a, sizeof a), rb;
	int nonzero = 0;

	if (ra == -1 && errno == ENOSYS) {
		ut_check(1, "getentropy without a hardware random source: ENOSYS", "-");
	} else {
		rb = getentropy(b, sizeof b);
		for (size_t i = 0; i < sizeof a; i++)
			nonzero |= a[i];
		ut_check(ra == 0 && rb == 0 && nonzero && memcmp(a, b, sizeof a) != 0,
		      "getentropy 32 bytes: not zero, differs between calls", "returned %d %d", ra, rb);
		ut_check(getentropy(big, 256) == 0, "getentropy 256 bytes", "errno %d", errno);
		ut_check(arc4random() != arc4random() || arc4random() != arc4random(), "arc4random (seeded by getentropy)",
		      "-");
	}
	check_fail("getentropy 257 bytes: EIO", getentropy(big, 257), EIO);
}

/* --------------------------------------------------------------- errno */

static int64_t errno_thread(void *arg)
{
	(void)arg;
	errno = 0;
	if (write(0, "x", 1) != -1 || errno != EBADF)
		return 1;
	errno = EDOM;
	return errno == EDOM ? 0 : 2;
}

static void test_errno(void)
{
	struct stat st;
	struct tms tms;
	sigset_t set;
	char c, line[16];
	struct capos_thread *t;
	int64_t code = -1;

	check_fail("fork: ENOSYS", fork(), ENOSYS);
	check_fail("execve: ENOSYS", execve("/bin/sh", NULL, NULL), ENOSYS);
	check_fail("wait: ENOSYS", wait(NULL), ENOSYS);
	check_fail("link: ENOSYS", link("a", "b"), ENOSYS);
	check_fail("unlink: ENOSYS", unlink("a"), ENOSYS);
	check_fail("mkdir: ENOSYS", mkdir("d", 0755), ENOSYS);
	check_fail("rename: ENOSYS", rename("a", "b"), ENOSYS);
	errno = 0;
	ut_check(times(&tms) == (clock_t)-1 && errno == ENOSYS, "times: ENOSYS", "errno %d", errno);
	sigemptyset(&set);
	check_fail("sigprocmask: ENOSYS", sigprocmask(SIG_BLOCK, &set, NULL), ENOSYS);
	check_fail("open: ENOENT (no file system)", open("/etc/passwd", O_RDONLY), ENOENT);
	check_fail("stat: ENOENT", stat("/", &st), ENOENT);
	errno = 0;
	ut_check(fopen("data.txt", "r") == NULL && errno == ENOENT, "fopen: NULL and ENOENT", "errno %d", errno);
	check_fail("kill another process: EPERM", kill(getpid() + 1, SIGTERM), EPERM);
	ut_check(kill(getpid(), 0) == 0, "kill(getpid(), 0)", "-");
	ut_check(getpid() == (pid_t)capos_bootstrap()->pid, "getpid is the bootstrap pid", "%d", (int)getpid());
	ut_check(read(0, &c, 1) == 0, "read stdin: end of file (no input capability)", "-");
	ut_check(fgets(line, sizeof line, stdin) == NULL && feof(stdin), "fgets(stdin): end of file", "-");
	check_fail("write to stdin: EBADF", write(0, "x", 1), EBADF);
	check_fail("lseek stdout: ESPIPE", (int)lseek(1, 0, SEEK_SET), ESPIPE);
	check_fail("write to descriptor 7: EBADF", write(7, "x", 1), EBADF);
	ut_check(strcmp(strerror(ENOSYS), "Function not implemented") == 0, "strerror(ENOSYS)", "\"%s\"",
	      strerror(ENOSYS));

	errno = ERANGE;
	if (capos_thread_create(&t, errno_thread, NULL, 0) == 0)
		capos_thread_join(t, &code);
	ut_check(code == 0 && errno == ERANGE, "errno is per thread", "thread %lld, main errno %d", (long long)code, errno);
}

/* ---------------------------------------------------------------- libm */

static void test_libm(void)
{
	volatile double zero = 0.0, half_pi = M_PI / 2, pi = M_PI, two = 2.0, ten = 10.0;
	char *end;
	double d = strtod("3.25e2xyz", &end);

	ut_check(d == 325.0 && strcmp(end, "xyz") == 0, "strtod", "%g, rest \"%s\"", d, end);
	ut_check(strtod("-0.125", NULL) == -0.125 && atof("1e-3") == 0.001, "strtod and atof fractions", "-");
	ut_check(sin(zero) == 0.0 && fabs(sin(half_pi) - 1.0) < 1e-15, "sin", "%.17g", sin(half_pi));
	ut_check(fabs(cos(pi) + 1.0) < 1e-15 && fabs(cos(zero) - 1.0) < 1e-15, "cos", "%.17g", cos(pi));
	ut_check(fabs(sqrt(two) * sqrt(two) - 2.0) < 1e-15 && sqrt(ten * ten) == 10.0, "sqrt", "%.17g", sqrt(two));
	ut_check(fabs(exp(log(ten)) - 10.0) < 1e-13 && pow(two, ten) == 1024.0, "exp, log, pow", "%.17g",
	      exp(log(ten)));
	ut_check(isnan(sqrt(-two)) && isinf(1.0 / zero), "NaN and infinity", "-");
}

/* ---------------------------------------------------------------- exit */

static void run_child(const char *args, int64_t want, const char *what)
{
	uint32_t caps[2] = { capos_cap_find("console", NULL), capos_cap_find("timer", NULL) }, proc = 0;
	uint32_t reason = 99;
	int64_t code = -1000, t0 = mono_ns(), took;
	int err = capos_spawn("utest-libc-child", "console timer thread=@thread threads=@threads vm=@vm park=@park",
			      args, caps, 2, &proc, NULL);

	if (!err)
		err = capos_process_wait(proc, &code, &reason);
	took = mono_ns() - t0;
	if (proc)
		capos_release(capos_ring(), proc);
	ut_check(!err && reason == CAPOS_EXIT_NORMAL && code == want && took < 3000 * MS, what,
	      "error %d, reason %u, code %lld, %lld ms", err, reason, (long long)code, (long long)(took / MS));
}

static void test_exit(void)
{
	run_child("return3", 3, "child returning 3 from main: exit code 3");
	run_child("exit5", 5, "child calling exit(5) from a nested function: exit code 5");
	run_child("atexit", 0, "child with atexit handlers: exit code 0");
	run_child("flush", 0, "child exiting with unflushed output: exit code 0");
	run_child("_exit", 9, "child calling _exit(9): exit code 9");
	run_child("threads", 7, "child calling exit(7) while a thread sleeps: the process ends with 7 at once");
	run_child("abort", 128 + SIGABRT, "child calling abort(): exit code 134");
}

int main(int argc, char **argv)
{
	ut_init(NAME);
	ut_check(constructor_ran, "constructors ran before main", "-");
	ut_check(argc >= 1 && strcmp(argv[0], NAME) == 0 && argv[argc] == NULL, "argv[0] is the program name",
	      "argc %d", argc);
	test_stdio();
	test_malloc();
	test_time();
	test_entropy();
	test_errno();
	test_libm();
	test_exit();
	printf(NAME ": %d failures\n", ut_failures());
	return ut_failures();
}
