/*
 * Revocation notices for programs (model: docs/ipc.md, "Revocation
 * notices"): the Exokernel's abort protocol over the kernel's
 * CapSpace.watch_revoke and Revoker.revoke_within.
 *
 * A holder of a revocable copy asks to be told before it is revoked
 * (capos_revoke_watch); a lender revokes with a grace
 * (capos_revoke_within), during which the told holders give the copy
 * back — unmap its memory and release their handles — or the kernel
 * takes it from them when the grace ends.
 *
 * capos_loan is the holder's side for memory, ready made: a lent
 * MemoryObject copy mapped read-write that, when its lender starts
 * revoking it, runs the borrower's flush over the buffer, unmaps it and
 * releases it, from capos_ring_poll of the thread that mapped it.
 */
#ifndef CAPOS_REVNOTICE_H
#define CAPOS_REVNOTICE_H

#include <stdint.h>
#include <capos/iface_client.h>

/*
 * Watch copy (a revocable copy the caller holds) through "capspace", on
 * the calling thread's ring.  0: the watch is pending under *user_data;
 * its completion (capos_ring_wait, or capos_ring_poll with a watch) is 0
 * with out->deadline_ns when revocation begins, or -CAPOS_EREVOKED when
 * the copy is revoked without a grace.  1: revocation has begun already,
 * out->deadline_ns says until when (nothing pending).  Refusals:
 * -CAPOS_ENOENT (no "capspace"), and the kernel's -CAPOS_EINVAL (not a
 * revocable copy), -CAPOS_EBUSY (this process watches it already),
 * -CAPOS_EREVOKED, -CAPOS_EBADF, -CAPOS_EQUOTA.
 */
int capos_revoke_watch(uint32_t copy, struct capos_cap_space_watch_revoke_out *out, uint64_t *user_data);

/*
 * Revoke the copy of revoker after a grace of grace_ns (at most 10 s; 0:
 * at once), waiting until it is done: *given_back holders told returned it
 * in time, *taken had it taken.  0 or a negative CAPOS_E* code
 * (-CAPOS_ERANGE for a grace over 10 s, -CAPOS_EBUSY while another
 * revoke_within of the same copy is in its grace).
 */
int capos_revoke_within(uint32_t revoker, uint64_t grace_ns, uint32_t *given_back, uint32_t *taken);

enum capos_loan_state {
	CAPOS_LOAN_IDLE = 0,      /* not mapped */
	CAPOS_LOAN_MAPPED = 1,    /* mapped and watched */
	CAPOS_LOAN_RETURNED = 2,  /* given back: flushed, unmapped, released */
};

/* Called over the whole buffer before it is given back. */
typedef void (*capos_loan_flush_fn)(void *ctx, void *addr, uint64_t bytes);

struct capos_loan {
	uint32_t mem;             /* the lent MemoryObject copy */
	uint32_t state;           /* enum capos_loan_state */
	void *addr;
	uint64_t pages;
	uint64_t watch_ud;        /* the pending watch, 0: none */
	int32_t notice_status;    /* how the watch ended: 0 (told), -CAPOS_EREVOKED (no grace) */
	uint64_t deadline_ns;     /* when told: the lender takes it back at this time */
	struct capos_cap_space_watch_revoke_out notice;
	capos_loan_flush_fn flush;
	void *ctx;
};

/*
 * Map pages of the lent copy mem read-write (the kernel picks the address,
 * loan->addr) and watch it.  From then on, capos_ring_poll of the calling
 * thread gives it back when the lender revokes it: flush(ctx, addr,
 * bytes), unmap, release; loan->state becomes CAPOS_LOAN_RETURNED.  0 or
 * a negative code, and then nothing is mapped or watched.
 */
int capos_loan_map(struct capos_loan *loan, uint32_t mem, uint64_t pages, capos_loan_flush_fn flush, void *ctx);

/* Give it back now, before anyone asks (flush, unmap, release). */
int capos_loan_return(struct capos_loan *loan);

#endif
