/*
 * The kfuzz bystander: a well-behaved process beside the fuzzers that must
 * keep working.  Two things, in turn, until the end time:
 *   - echo round trips over its own endpoint (a server thread answers each
 *     CALL with its parameters): every reply must come back, whole;
 *   - every 16th round, allocations up to its frame quota in 16-page
 *     chunks, each page written and read back, then freed: the refusal
 *     must be -CAPOS_EQUOTA (its own quota) and never come early — what it
 *     got the first time it must get every time, within a few pages — so
 *     no other process can take memory its quota allows.
 * Exits 0 after printing what it did, or 1 after printing the failure
 * with the seed.
 */
#include "kfuzz.h"

#define BY_CHUNK 16
#define BY_CHUNKS 128
#define BY_SLACK 8           /* pages a later round may fall short of the first (runtime growth) */
#define BY_STOP 1            /* method that ends the server thread */

static uint64_t by_seed;
static int by_failed;

static void fail(const char *what, int err)
{
	capos_printf("kfuzz: FAILED seed %llu: bystander: %s (%d %s)\n", (unsigned long long)by_seed, what, err,
		     capos_strerror(err));
	by_failed = 1;
}

static int64_t echo_server(void *arg)
{
	uint32_t server = (uint32_t)(uintptr_t)arg;
	static uint8_t buf[CAPOS_IPC_RECV_BUF(256)];
	struct capos_ipc_request req;

	for (;;) {
		int err = capos_ipc_recv(server, buf, sizeof buf, &req);

		if (err)
			return err;
		if (req.method == BY_STOP) {
			capos_ipc_return(req.token, NULL, 0, NULL, 0);
			return 0;
		}
		err = capos_ipc_return(req.token, req.params, req.params_len, NULL, 0);
		if (err)
			return err;
	}
}

static void round_trip(struct kf_rng *r, uint32_t client)
{
	uint8_t in[256], out[256];
	uint32_t len = 1 + (uint32_t)kf_below(r, sizeof in);
	struct capos_ipc_reply reply;
	int err;

	for (uint32_t i = 0; i < len; i++)
		in[i] = (uint8_t)kf_next(r);
	err = capos_ipc_call(client, KF_USER_IFACE, 0, in, len, NULL, 0, out, sizeof out, &reply);
	if (err)
		fail("echo round trip", err);
	else if (reply.len != len || __builtin_memcmp(in, out, len) != 0)
		fail("echo reply differs from the request", 0);
}

/* Map up to the quota, touch every page, free it all: the pages obtained, or 0 after a failure. */
static uint64_t fill_quota(void)
{
	static uint8_t *chunks[BY_CHUNKS];
	uint32_t n = 0;
	uint64_t pages = 0;
	int err;

	while (n < BY_CHUNKS && (chunks[n] = capos_pages_alloc(BY_CHUNK)) != NULL) {
		for (uint32_t p = 0; p < BY_CHUNK; p++)
			chunks[n][p * CAPOS_PAGE_SIZE] = (uint8_t)(n + p + 1);
		n++;
	}
	err = capos_errno;
	for (uint32_t i = 0; i < n; i++) {
		for (uint32_t p = 0; p < BY_CHUNK; p++)
			if (chunks[i][p * CAPOS_PAGE_SIZE] != (uint8_t)(i + p + 1))
				fail("allocated page lost its contents", 0);
		capos_pages_free(chunks[i], BY_CHUNK);
		pages += BY_CHUNK;
	}
	if (n == BY_CHUNKS || err != -CAPOS_EQUOTA) {
		fail("allocation refused by something other than its own quota", err);
		return 0;
	}
	return pages;
}

int kf_bystander_main(uint64_t seed, uint64_t end_ms)
{
	struct kf_rng r = { kf_derive(seed, 0xb7) };
	uint32_t server, client;
	uint64_t trips = 0, rounds = 0, first = 0, least = ~0ull;
	struct capos_thread *th;
	int64_t code = -1;
	int err;

	by_seed = seed;
	err = capos_endpoint_create(KF_USER_IFACE, &server, &client);
	if (!err)
		err = capos_thread_create(&th, echo_server, (void *)(uintptr_t)server, 0);
	if (err) {
		fail("set-up", err);
		return 1;
	}
	while (!by_failed && kf_now_ms() < end_ms) {
		round_trip(&r, client);
		trips++;
		if (trips % 16 == 1) {
			uint64_t got = fill_quota();

			first = first ? first : got;
			least = got < least ? got : least;
			rounds++;
			if (got && got + BY_SLACK < first)
				fail("could not get the memory its quota allows", (int)got);
		}
		capos_sleep_ns(2 * 1000000ull);
	}
	if (capos_ipc_call(client, KF_USER_IFACE, BY_STOP, NULL, 0, NULL, 0, NULL, 0, NULL) != 0 ||
	    capos_thread_join(th, &code) != 0 || code != 0)
		fail("echo server thread", (int)code);
	if (!by_failed && (trips < 10 || rounds < 1))
		fail("too little work done", (int)trips);
	capos_printf("kfuzz: bystander: %llu round trips, %llu allocation rounds of %llu..%llu pages: %s\n",
		     (unsigned long long)trips, (unsigned long long)rounds, (unsigned long long)least,
		     (unsigned long long)first, by_failed ? "FAILED" : "ok");
	return by_failed;
}
