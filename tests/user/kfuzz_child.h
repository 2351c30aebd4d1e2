/*
 * The parts of a kfuzz fuzzing process (kfuzz_child.c) shared by its
 * files: limits, the per-thread and per-process state, and the helpers
 * the operation generators (kfuzz_ops.c) build on — the handle pool and
 * random values (kfuzz_pick.c), submission and completion (kfuzz_ring.c).
 */
#ifndef TESTS_USER_KFUZZ_CHILD_H
#define TESTS_USER_KFUZZ_CHILD_H

#include "kfuzz.h"

#define KF_POOL 48             /* handles held at once */
#define KF_TOKENS 16           /* reply tokens remembered */
#define KF_PENDING 64          /* tracked operations per thread */
#define KF_SLOT 512            /* result buffer per tracked operation */
#define KF_ARENA_PAGES 18      /* parameter arena: 16 pages + one straddle page, then unmapped */
#define KF_JUNK_PAGES 18       /* result junk: likewise */
#define KF_WINDOW 0x600000000000ull
#define KF_WINDOW_PAGES 256
#define KF_THREADS_MAX 4       /* fuzzing threads per process */
#define KF_RAW_STACKS 8
#define KF_BATCH_MAX 8         /* entries published per cap_enter */
#define KF_UD 0xc000000000000000ull  /* PRIVATE|DISCARD: a runtime reaper drops ours */

enum kf_kind { K_NONE, K_CALL, K_DERIVE, K_EPCREATE, K_INSPECT, K_RECV, K_PWAIT, K_PCREATE };

struct kf_pending {
	uint64_t ud;
	uint32_t kind, handle;     /* handle: the entry's target */
	uint8_t *buf;
};

struct kf_thread {
	struct kf_rng rng;
	struct capos_ring_client *rc;
	uint32_t index, batch;
	uint64_t next_ud;
	struct kf_pending pending[KF_PENDING];
	uint8_t slots[KF_PENDING][KF_SLOT];
	uint8_t *arena;            /* this thread's parameters (threads must not share: see make_params) */
	uint32_t arena_off;
	uint64_t fs_word;          /* set_fs_base's parameter, never in the arena */
	struct capos_xfer xfers[KF_BATCH_MAX + 1][18];  /* descriptors of each entry of the batch */
};

/* The process's state, shared by its threads (entries updated atomically). */
struct kf_proc {
	uint64_t seed, end_ms, ops, done_ok, done_err, reported;
	uint32_t by_status[40];    /* completions by -status (0: success; 39: anything else) */
	uint32_t depth, threads, mask;
	uint32_t thread_cap, console, caps_seen;
	uint64_t grants[CAPOS_BOOTSTRAP_MAX_CAPS];  /* what we were given, as pool entries; never evicted */
	uint64_t pool[KF_POOL];    /* handle << 32 | iface; 0 empty; iface 0 unknown */
	uint64_t tokens[KF_TOKENS];
	uint8_t *junk;
	uint8_t *raw_stacks;
};
extern struct kf_proc kfp;

/* Methods per kernel interface id (0: no such interface). */
#define KF_IFACES 31   /* kernel interface ids 0..30 */
extern const uint8_t kf_methods[KF_IFACES];

uint64_t kf_addr(const void *p);
uint64_t kf_scan(uint64_t *table, uint32_t n, struct kf_rng *r, uint32_t iface);
uint64_t kf_pool_pick(struct kf_rng *r);
uint64_t kf_pool_find(struct kf_rng *r, uint32_t iface);
int kf_granted(uint32_t handle);
void kf_pool_add(struct kf_thread *t, uint32_t handle, uint32_t iface);
void kf_pool_forget(uint32_t handle);
void kf_pool_set_iface(uint32_t handle, uint32_t iface);
uint32_t kf_pick_handle(struct kf_rng *r, uint32_t *iface);
uint64_t kf_pick_count(struct kf_rng *r);
uint64_t kf_pick_vaddr(struct kf_rng *r);
uint64_t kf_pick_pages(struct kf_rng *r, uint64_t vaddr);
uint64_t kf_pick_word(struct kf_rng *r);
uint32_t kf_pick_len(struct kf_rng *r, uint32_t natural);
uint64_t kf_pick_out(struct kf_thread *t, uint32_t len);
uint64_t kf_make_params(struct kf_thread *t, uint32_t len, const void *typed, uint32_t typed_len, int exact);
void kf_enter_batch(struct kf_thread *t);
struct capos_sqe *kf_sqe(struct kf_thread *t);
uint64_t kf_track(struct kf_thread *t, uint32_t kind, uint32_t handle, uint8_t **buf);
void kf_submit_release(struct kf_thread *t, uint32_t handle);
void kf_completed(struct kf_thread *t, const struct capos_cqe *c);
void kf_reap(struct kf_thread *t);
void kf_flush(struct kf_thread *t);
struct capos_sqe *kf_call_full(struct kf_thread *t, uint32_t cap, uint32_t iface, uint16_t method,
				   const void *in, uint32_t in_size, uint32_t len, uint32_t kind, uint32_t out_len,
				   int exact);
struct capos_sqe *kf_call_sqe(struct kf_thread *t, uint32_t cap, uint32_t iface, uint16_t method,
				  const void *in, uint32_t in_len, uint32_t kind, uint32_t out_len);
void kf_add_xfers(struct kf_thread *t, struct capos_sqe *s);

/* kfuzz_ops.c: one operation (or a flush) by weight; kfuzz_child.c: another fuzzing thread. */
void kf_step(struct kf_thread *t);
void kf_op_new_thread(struct kf_thread *t);

#endif
