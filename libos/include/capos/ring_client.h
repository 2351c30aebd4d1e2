/*
 * The libOS ring client: the C API a program uses to talk to the kernel
 * through its capability ring (ABI: capos/ring.h).
 *
 * Three layers, each usable on its own:
 *
 *   Raw ring access: capos_ring_get_sqe / capos_sqe_* fill helpers /
 *   capos_ring_publish / capos_cap_enter / capos_ring_peek_cqe /
 *   capos_ring_cqe_seen.  No policy; the caller owns user_data values and
 *   holds the client lock (capos_ring_lock) when other threads share the
 *   ring.  Tests that abuse the ring use this layer.
 *
 *   Calls: capos_call_sync (one CALL, wait for ITS completion),
 *   capos_call_sync_xfer (with capabilities attached), capos_call_async
 *   (submit, get the user_data back, collect the completion later with
 *   capos_ring_wait, capos_ring_next_completion or a watch).  Parameter
 *   buffers may be temporary: every submission waits until the kernel has
 *   consumed the entry (the kernel copies parameters at consumption).
 *   Result buffers of an async call must stay valid until it completes.
 *
 *   Event loop: capos_ring_watch(user_data, fn, ctx) registers a callback;
 *   capos_ring_poll(timeout) waits and runs the callbacks of completed
 *   watched operations, so one thread can wait on many operations at once.
 *
 * Completions.  Whoever reaps the CQ moves each CQE into a bounded stash
 * (CAPOS_RC_STASH entries) from which it is handed to its owner: the
 * thread waiting in call_sync/ring_wait for that user_data, the watch
 * callback, or capos_ring_next_completion.  user_data values made by the
 * client are unique: synchronous calls (and private async submissions)
 * use values with CAPOS_UD_PRIVATE set, which next_completion never
 * returns; ordinary async calls get values without it.
 *
 * Threads.  Every thread has its own ring (capos/ring.h) and so its own
 * client: capos_ring() returns the calling thread's.  A client must only
 * be used by the thread whose ring it is — the kernel performs what a
 * thread publishes only when that thread enters it, and completions come
 * back on the ring of the thread that submitted.  A spin lock still
 * serialises the client's state, so a completion callback may submit.
 *
 * System calls.  A synchronous call publishes its entry and enters the
 * kernel once to have it performed and sleep for its completion, so a
 * call answered at once (or through an IPC hand-off) costs one cap_enter.
 *
 * Errors: negative CAPOS_E* codes.  A call's result is the CQE status: 0,
 * a negative CAPOS_E* code, or CAPOS_STATUS_APP_ERROR.
 */
#ifndef CAPOS_RING_CLIENT_H
#define CAPOS_RING_CLIENT_H

#include <stdint.h>
#include <capos/ring.h>

#define CAPOS_RC_STASH 512                       /* completions held for their owners */
#define CAPOS_RC_WATCH_MAX 64                    /* watched operations at once */
#define CAPOS_RC_PROGRESS_SLICE_NS 2000000ull    /* 2 ms: a full CQ waits this long for room */
#define CAPOS_UD_PRIVATE (1ull << 63)            /* user_data with an owner (sync calls, capos_submit_async private) */
#define CAPOS_UD_DISCARD (1ull << 62)            /* with PRIVATE: nobody waits; the reaper drops it */

/* A completion as the client hands it out (a copy of the CQE). */
struct capos_completion {
	uint64_t user_data;
	int32_t status;
	uint32_t result_len;
	uint64_t aux;
	uint16_t caps;
	uint16_t flags;
	uint32_t reserved;
};

/* Completions reaped but not yet claimed, oldest first (pure; see stash.c). */
struct capos_stash {
	uint32_t count;
	struct capos_completion items[CAPOS_RC_STASH];
};

typedef void (*capos_completion_fn)(void *ctx, const struct capos_completion *c);

struct capos_ring_watch {
	uint64_t user_data;  /* 0: free */
	capos_completion_fn fn;
	void *ctx;
};

struct capos_ring_client {
	struct capos_ring_header *hdr;
	struct capos_sqe *sq;
	struct capos_cqe *cq;
	uint32_t sq_entries, cq_entries;
	uint32_t sq_tail;            /* [lock] next SQE to fill (published to hdr->sq_tail) */
	uint32_t cq_head;            /* [lock] next CQE to reap (published to hdr->cq_head) */
	uint64_t next_user_data;     /* [lock] */
	volatile uint32_t lock;
	uint64_t (*clock)(void);     /* monotonic ns for finite waits, or NULL */
	struct capos_stash stash;    /* [lock] */
	struct capos_ring_watch watches[CAPOS_RC_WATCH_MAX]; /* [lock] */
};

/* --- set-up --- */

/*
 * Attach to the ring at ring_addr (ring_size bytes, from the bootstrap
 * page).  Checks magic, version, power-of-two sizes and that both queues
 * lie inside the region.  0, -CAPOS_EFORMAT or -CAPOS_ERANGE.
 */
int capos_ring_init(struct capos_ring_client *rc, void *ring_addr, uint64_t ring_size);
/* capos_ring_init for a ring whose size is known only from its header (a new thread's). */
int capos_ring_attach(struct capos_ring_client *rc, void *ring_addr);

/*
 * Give the client a monotonic clock (the runtime passes Timer.now) so
 * finite waits end on time.  Without one, each sleep in cap_enter counts
 * as its full length, so a wait may end early when unrelated completions
 * arrive.  The clock is called with the client unlocked (it may itself
 * call through the ring; the runtime's reads the TSC).
 */
void capos_ring_set_clock(struct capos_ring_client *rc, uint64_t (*now)(void));

/* --- the system call --- */

/*
 * cap_enter(min_complete, timeout_ns): let the kernel consume submitted
 * entries, then wait until min_complete completions are visible or the
 * timeout passes (0: do not wait; CAPOS_TIMEOUT_INFINITE).  Returns the
 * number of SQEs consumed or a negative CAPOS_E* code (-CAPOS_EINVAL for
 * a ring the kernel has refused).
 */
int64_t capos_cap_enter(uint32_t min_complete, uint64_t timeout_ns);

/* --- raw layer (hold the lock when threads share the ring) --- */

void capos_ring_lock(struct capos_ring_client *rc);
void capos_ring_unlock(struct capos_ring_client *rc);

/* The next free SQE, zeroed, or NULL when the SQ is full. */
struct capos_sqe *capos_ring_get_sqe(struct capos_ring_client *rc);
/* Make every SQE obtained so far visible to the kernel (release store of sq_tail). */
void capos_ring_publish(struct capos_ring_client *rc);
/* SQEs published but not yet consumed by the kernel. */
uint32_t capos_ring_sq_pending(const struct capos_ring_client *rc);
/* The oldest unreaped CQE, or NULL (acquire load of cq_tail). */
const struct capos_cqe *capos_ring_peek_cqe(struct capos_ring_client *rc);
/* Release the CQE returned by peek (release store of cq_head). */
void capos_ring_cqe_seen(struct capos_ring_client *rc);
/* CQEs posted but not reaped. */
uint32_t capos_ring_cq_ready(const struct capos_ring_client *rc);

void capos_sqe_nop(struct capos_sqe *s, uint64_t user_data);
void capos_sqe_call(struct capos_sqe *s, uint64_t user_data, uint32_t cap, uint32_t iface,
		    uint16_t method, const void *in, uint32_t in_len, void *out, uint32_t out_cap);
void capos_sqe_xfer(struct capos_sqe *s, const struct capos_xfer *xfers, uint16_t count);
void capos_sqe_release(struct capos_sqe *s, uint64_t user_data, uint32_t cap);
void capos_sqe_cancel(struct capos_sqe *s, uint64_t user_data, uint64_t target_user_data);

/* --- calls --- */

/*
 * One CALL of method `method` of interface `iface` on `cap`, waiting for
 * its completion.  out_cap is the capacity of out; *out_len (optional)
 * receives the bytes written.  Returns the CQE status, or a negative
 * CAPOS_E* code when it could not be submitted.
 */
int capos_call_sync(struct capos_ring_client *rc, uint32_t cap, uint32_t iface, uint16_t method,
		    const void *in, uint32_t in_len, void *out, uint32_t out_cap, uint32_t *out_len);

/* capos_call_sync with transfer descriptors; *done (optional) gets the whole completion. */
int capos_call_sync_xfer(struct capos_ring_client *rc, uint32_t cap, uint32_t iface, uint16_t method,
			 const void *in, uint32_t in_len, const struct capos_xfer *xfers,
			 uint16_t xfer_count, void *out, uint32_t out_cap,
			 struct capos_completion *done);

/* Submit any prepared SQE synchronously: fills user_data, waits for the completion. */
int capos_submit_sync(struct capos_ring_client *rc, struct capos_sqe *proto, struct capos_completion *done);

/*
 * capos_submit_sync for an operation on the calling thread: the kernel
 * consumes the entry in this thread's cap_enter, never another's.  Does
 * not return when the operation ends the thread.
 */
int capos_submit_self(struct capos_ring_client *rc, struct capos_sqe *proto, struct capos_completion *done);

/*
 * The same for an operation that ends the calling thread (ThreadControl.
 * exit): nobody waits for its completion, which the reaper drops.  Returns
 * (a negative code) only when the entry could not be submitted; when the
 * kernel refused the operation the thread simply comes back: 0.
 */
int capos_submit_self_noreturn(struct capos_ring_client *rc, struct capos_sqe *proto);

/*
 * capos_call_sync through capos_submit_self: a call on the calling thread
 * (the generated ThreadControl stubs use it).  Same results as
 * capos_call_sync.
 */
int capos_call_self(struct capos_ring_client *rc, uint32_t cap, uint32_t iface, uint16_t method,
		    const void *in, uint32_t in_len, void *out, uint32_t out_cap, uint32_t *out_len);

/*
 * A call that ends the calling thread, through capos_submit_self_noreturn
 * (the generated ThreadControl.exit stub): comes back only with a negative
 * code (not submitted) or 0 (the kernel refused to end the thread).
 */
int capos_call_self_noreturn(struct capos_ring_client *rc, uint32_t cap, uint32_t iface,
			     uint16_t method, const void *in, uint32_t in_len);

/*
 * Submit one CALL and return at once with its user_data in *user_data.
 * out must stay valid until the completion arrives.  0 or a negative code.
 */
int capos_call_async(struct capos_ring_client *rc, uint32_t cap, uint32_t iface, uint16_t method,
		     const void *in, uint32_t in_len, void *out, uint32_t out_cap, uint64_t *user_data);

/*
 * Submit any prepared SQE and return at once with its user_data.  private:
 * only capos_ring_wait (or a watch) will see the completion, never
 * capos_ring_next_completion (the runtime uses this for its own operations).
 */
int capos_submit_async(struct capos_ring_client *rc, struct capos_sqe *proto, int private_ud,
		       uint64_t *user_data);

/* NOP, RELEASE and CANCEL, synchronously: the CQE status. */
int capos_nop(struct capos_ring_client *rc);
int capos_release(struct capos_ring_client *rc, uint32_t cap);
int capos_cancel(struct capos_ring_client *rc, uint64_t target_user_data);

/* --- collecting completions --- */

/* Wait for the completion of user_data: 0 with *c filled, or -CAPOS_ETIMEDOUT. */
int capos_ring_wait(struct capos_ring_client *rc, uint64_t user_data, uint64_t timeout_ns,
		    struct capos_completion *c);

/*
 * The oldest completion that nobody waits for (not synchronous, not
 * watched): 0 with *c filled, or -CAPOS_ETIMEDOUT (timeout 0: just look).
 */
int capos_ring_next_completion(struct capos_ring_client *rc, uint64_t timeout_ns,
			       struct capos_completion *c);

/*
 * Run fn(ctx, completion) from capos_ring_poll when user_data completes
 * (once; the watch is then removed).  0, -CAPOS_EEXIST (already watched) or
 * -CAPOS_EQUOTA (CAPOS_RC_WATCH_MAX watches).  Register right after
 * capos_call_async: a completion that arrived before is still delivered.
 */
int capos_ring_watch(struct capos_ring_client *rc, uint64_t user_data, capos_completion_fn fn,
		     void *ctx);
/* Remove a watch that has not fired: 0 or -CAPOS_ENOENT. */
int capos_ring_unwatch(struct capos_ring_client *rc, uint64_t user_data);

/*
 * Wait up to timeout_ns for watched operations to complete and run their
 * callbacks (outside the lock, in this thread).  Returns the number of
 * callbacks run (0 on timeout) or a negative code.  Returns as soon as at
 * least one callback ran.
 */
int capos_ring_poll(struct capos_ring_client *rc, uint64_t timeout_ns);

/* --- the completion stash (pure; exposed for tests) --- */

void capos_stash_init(struct capos_stash *s);
/* Append; -CAPOS_EQUOTA when full. */
int capos_stash_put(struct capos_stash *s, const struct capos_completion *c);
/* Remove the entry for user_data into *c: 0 or -CAPOS_ENOENT. */
int capos_stash_take(struct capos_stash *s, uint64_t user_data, struct capos_completion *c);
/* Remove the oldest entry accepted by want(ctx, user_data): 0 or -CAPOS_ENOENT. */
int capos_stash_take_first(struct capos_stash *s, int (*want)(void *ctx, uint64_t user_data),
			   void *ctx, struct capos_completion *c);

#endif
