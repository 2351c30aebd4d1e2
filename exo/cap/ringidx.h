/*
 * Ring index arithmetic as the kernel does it (layout and rules:
 * capos/ring.h).  The kernel's private view of one ring: its own sq_head
 * and cq_tail, and how many CQ slots are reserved by consumed-but-not-yet-
 * completed operations.  Pure code, host-tested; the caller holds the
 * ring's lock.
 */
#ifndef EXO_CAP_RINGIDX_H
#define EXO_CAP_RINGIDX_H

#include <stdint.h>

struct ring_idx {
	uint32_t sq_entries, cq_entries;  /* powers of two, fixed at creation */
	uint32_t sq_head;                 /* next SQE the kernel consumes */
	uint32_t cq_tail;                 /* next CQE slot the kernel fills */
	uint32_t cq_reserved;             /* consumed SQEs whose CQE is not posted yet */
};

/* 0 or -CAPOS_EINVAL unless both sizes are powers of two in [1, CAPOS_RING_MAX_ENTRIES]. */
int ring_idx_init(struct ring_idx *r, uint32_t sq_entries, uint32_t cq_entries);

/* SQEs waiting, given the process's sq_tail; -CAPOS_EINVAL when sq_tail is out of range. */
int64_t ring_idx_sq_pending(const struct ring_idx *r, uint32_t user_sq_tail);

/*
 * CQ slots free for new operations, given the process's cq_head: entries
 * minus posted-unreaped minus reserved; -CAPOS_EINVAL when cq_head is out
 * of range (ahead of cq_tail or more than cq_entries behind).
 */
int64_t ring_idx_cq_space(const struct ring_idx *r, uint32_t user_cq_head);

/* Consume one SQE and reserve its CQ slot; returns the SQ slot index. */
uint32_t ring_idx_consume(struct ring_idx *r);

/* Post one CQE for a reserved operation; returns the CQ slot index. */
uint32_t ring_idx_post(struct ring_idx *r);

#endif
