/*
 * Performing one SQE: decode every field against the process's capability
 * table and the interface table (generated from interfaces.def) with no
 * side effects, copy the parameters in, call the handler, copy the result
 * out and post the completion — or leave it to a deferred kop.
 *
 * Handlers (kcap_<iface>_<method>, iface_kernel.h) receive a struct kcall
 * describing the caller and the target object, already-checked parameter
 * and result buffers in kernel memory, and return 0, a negative CAPOS_E*
 * code, or KCALL_PENDING after kcall_defer().
 */
#ifndef EXO_CAP_KCALL_H
#define EXO_CAP_KCALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <capos/ring.h>
#include "captable.h"
#include "kobj.h"
#include "ring.h"

#define KCALL_PENDING 0x7fff0000  /* never a CQE status */

/* A capability sent with the call, checked and (for MOVE) reserved. */
struct kcall_xfer {
	struct kobj *obj;
	uint32_t handle;
	uint32_t mode;             /* CAPOS_XFER_COPY or CAPOS_XFER_MOVE */
	uint32_t rights;
};

struct kcall {
	struct process *proc;      /* the caller */
	struct ring *ring;
	const struct capos_sqe *sqe;
	struct kobj *obj;          /* the target (slot's object) */
	uint32_t handle;
	struct kop *deferred;      /* set by kcall_defer */
	struct kobj *via;          /* the slot's object when it is a revocable copy, else NULL */
	uint64_t aux;              /* CQE aux for an immediate completion */
	uint16_t caps;             /* capabilities handed to the caller */
	int32_t reply_status;      /* RETURN with CAPOS_SQE_F_STATUS: the CALL's status, checked */
	uint32_t xfer_count;
	struct kcall_xfer xfer[CAPOS_XFER_MAX];
};

/* Perform one SQE and (unless deferred) post its completion. */
void kcall_execute(struct ring *r, const struct capos_sqe *sqe);

/*
 * Turn this call into a deferred operation: allocate a kop of size bytes
 * (a struct whose first member is struct kop) registered on the caller's
 * ring.  NULL when the ring-operation quota or memory is exhausted — return
 * -CAPOS_EQUOTA then.  The handler fills what it needs and returns
 * KCALL_PENDING; the result struct to deliver goes in kop->out/out_len.
 */
struct kop *kcall_defer(struct kcall *call, size_t size);

/* Give the caller a new capability to obj (takes a reference); returns the handle or -CAPOS_EQUOTA. */
int64_t kcall_grant(struct kcall *call, struct kobj *obj, uint32_t rights);

/*
 * Moves hold their source slots (in p's table) reserved until the outcome
 * of the operation is known; then commit (the slots are freed) or not
 * (they are live again).
 */
void kcall_reserve_moves(struct process *p, const struct kcall_xfer *x, uint32_t n);
void kcall_settle_moves(struct process *p, const struct kcall_xfer *x, uint32_t n, bool commit);

/* Give the caller two new capabilities, or neither: 0 or the error of the failing grant. */
int kcall_grant_pair(struct kcall *call, struct kobj *a, uint32_t ra, struct kobj *b, uint32_t rb,
		     uint32_t *ha, uint32_t *hb);

/* Registered-kop plumbing shared with ring.c. */
struct kop *kop_register(struct ring *r, const struct capos_sqe *sqe, size_t size);
int ring_cancel(struct ring *r, uint64_t target_user_data);

#endif
