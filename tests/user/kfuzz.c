/*
 * kfuzz's entry and its top role (see kfuzz.h for the three roles).
 *
 * The top runs as init with init.args=seed=S,ms=M,procs=N,depth=D,mask=K
 * (all optional; defaults 1, 15000, 3, 2, 0; mask: operation kinds left
 * out, bit i for kinds[i] of kfuzz_child.c, to narrow a failure): it prints the seed, starts the
 * bystander and N fuzzing processes that stop M ms from now (each may
 * start up to two more, D levels deep), waits for every one of them with
 * a deadline, and passes when the bystander did its work and every
 * process ended in time.  Processes that fault or that a fuzzer killed
 * are counted, not failures: only the kernel must survive.  The last line
 * is "kfuzz: seed S: done ..." or "kfuzz: FAILED seed S: ...".
 */
#include "kfuzz.h"

#define KF_GRACE_MS 20000   /* how long after the end a process may take to be gone */

static const char *const child_grants =
	"console timer null frames endpoints capspace spawner entropy bootpkg devices "
	"thread=@thread threads=@threads vm=@vm park=@park";
static const char *const child_caps[] = { "console", "timer", "null", "frames", "endpoints", "capspace",
					  "spawner", "entropy", "bootpkg", "devices" };
#define KF_CHILD_CAPS (sizeof child_caps / sizeof child_caps[0])

uint64_t kf_number(const char *s, uint64_t fallback)
{
	uint64_t v = 0;

	if (!s || !*s)
		return fallback;
	for (; *s && *s != ','; s++) {
		if (*s < '0' || *s > '9')
			return fallback;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	return v;
}

/* The value of key=... in a comma-separated list, or fallback. */
static uint64_t option(const char *list, const char *key, uint64_t fallback)
{
	size_t n = __builtin_strlen(key);

	for (const char *p = list; p && *p;) {
		if (!__builtin_strncmp(p, key, n) && p[n] == '=')
			return kf_number(p + n + 1, fallback);
		while (*p && *p != ',')
			p++;
		if (*p)
			p++;
	}
	return fallback;
}

static int start(const char *args, const char *grants, const uint32_t *caps, uint32_t ncaps,
		 const struct capos_spawn_quota *q, uint32_t *proc, uint64_t seed)
{
	int err = capos_spawn_quota("kfuzz", grants, args, caps, ncaps, q, proc, NULL);

	if (err)
		capos_printf("kfuzz: FAILED seed %llu: cannot start '%s': %s\n", (unsigned long long)seed, args,
			     capos_strerror(err));
	return err;
}

/* Wait for proc until end_ms; kill it past that.  0 in time, else -CAPOS_ETIMEDOUT. */
static int reap(uint32_t proc, uint64_t end_ms, struct capos_process_handle_wait_out *out)
{
	struct capos_ring_client *rc = capos_ring();
	struct capos_completion c;
	uint64_t ud;
	uint64_t now = kf_now_ms();
	int err = capos_call_async(rc, proc, CAPOS_IFACE_PROCESS_HANDLE, CAPOS_PROCESS_HANDLE_WAIT, NULL, 0, out,
				   sizeof *out, &ud);

	if (err)
		return err;
	err = capos_ring_wait(rc, ud, end_ms > now ? (end_ms - now) * 1000000ull : 1, &c);
	if (err == 0)
		return c.status;
	capos_process_handle_kill(rc, proc);
	capos_ring_wait(rc, ud, CAPOS_TIMEOUT_INFINITE, &c);
	return -CAPOS_ETIMEDOUT;
}

static int top(const char *args)
{
	uint64_t seed = option(args, "seed", 1), ms = option(args, "ms", 15000);
	uint32_t procs = (uint32_t)option(args, "procs", 3), depth = (uint32_t)option(args, "depth", 2);
	uint32_t mask = (uint32_t)option(args, "mask", 0);
	uint64_t end = kf_now_ms() + ms, ops = 0, reported = 0;
	struct capos_spawn_quota cq = { 2048, 160, 8, 128, 1024 }, bq = { 1024, 32, 4, 32, 256 };
	uint32_t caps[KF_CHILD_CAPS], by_caps[3], by, kids[16], reasons[3] = { 0 };
	struct capos_process_handle_wait_out w;
	char line[96];
	int failed = 0, err;

	procs = procs > 16 ? 16 : procs;
	capos_printf("kfuzz: seed %llu: %u fuzzing processes for %llu ms, depth %u\n", (unsigned long long)seed,
		     procs, (unsigned long long)ms, depth);
	for (uint32_t i = 0; i < KF_CHILD_CAPS; i++)
		caps[i] = capos_cap_find(child_caps[i], NULL);
	by_caps[0] = caps[0], by_caps[1] = caps[1], by_caps[2] = caps[4];
	capos_snprintf(line, sizeof line, "bystander %llu %llu", (unsigned long long)seed, (unsigned long long)end);
	if (start(line, "console timer endpoints thread=@thread threads=@threads vm=@vm park=@park", by_caps, 3, &bq,
		  &by, seed))
		return 1;
	for (uint32_t i = 0; i < procs; i++) {
		capos_snprintf(line, sizeof line, "child %llu %u %llu %u", (unsigned long long)kf_derive(seed, 1 + i),
			       depth, (unsigned long long)end, mask);
		if (start(line, child_grants, caps, KF_CHILD_CAPS, &cq, &kids[i], seed))
			return 1;
	}
	for (uint32_t i = 0; i < procs; i++) {
		err = reap(kids[i], end + KF_GRACE_MS, &w);
		if (err) {
			capos_printf("kfuzz: FAILED seed %llu: fuzzing process %u did not end in time (%s)\n",
				     (unsigned long long)seed, i, capos_strerror(err));
			failed = 1;
		} else {
			reasons[w.reason < 3 ? w.reason : 2]++;
			if (w.reason == CAPOS_EXIT_NORMAL && w.exit_code > 0)
				ops += (uint64_t)w.exit_code;
		}
	}
	err = reap(by, end + KF_GRACE_MS, &w);
	if (err || w.reason != CAPOS_EXIT_NORMAL || w.exit_code != 0) {
		capos_printf("kfuzz: FAILED seed %llu: the bystander (%s, reason %u, code %lld)\n",
			     (unsigned long long)seed, capos_strerror(err), w.reason, (long long)w.exit_code);
		failed = 1;
	}
	(void)reported;
	if (failed)
		return 1;
	capos_printf("kfuzz: seed %llu: done: %u fuzzing processes ended (%u normally, %u killed, %u by a fault), "
		     "%llu operations by them, bystander ok\n", (unsigned long long)seed, procs, reasons[0],
		     reasons[1], reasons[2], (unsigned long long)ops);
	return 0;
}

static int is(const char *a, const char *b)
{
	return a && !__builtin_strcmp(a, b);
}

int main(int argc, char **argv)
{
	if (argc >= 5 && is(argv[1], "child"))
		return kf_child_main(kf_number(argv[2], 1), (uint32_t)kf_number(argv[3], 0), kf_number(argv[4], 0),
				     (uint32_t)kf_number(argc > 5 ? argv[5] : NULL, 0));
	if (argc >= 4 && is(argv[1], "bystander"))
		return kf_bystander_main(kf_number(argv[2], 1), kf_number(argv[3], 0));
	if (argc >= 2 && (is(argv[1], "child") || is(argv[1], "bystander")))
		return 2;
	return top(argc >= 2 ? argv[1] : "");
}
