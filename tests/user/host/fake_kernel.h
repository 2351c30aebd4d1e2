/*
 * A simulated kernel side of the capability ring for host tests of the
 * libOS ring client.  It provides capos_cap_enter() (the client's only
 * system call) and follows the rules of capos/ring.h and exo/cap/ring.c:
 * it reads sq_tail and cq_head once per batch, refuses out-of-range
 * indices, consumes SQEs only while the CQ has room for their completions
 * (reserved + unreaped <= entries), and posts deferred completions later.
 *
 * Operations: NOP completes at once (status 0); CALL on FK_IFACE_ECHO
 * copies the parameters to the result; CALL on FK_IFACE_DEFER stays
 * pending until "time passes" — a cap_enter that would wait completes the
 * oldest pending operation (status 0, aux = its params_len); CALL on
 * FK_IFACE_SELF records the "thread" that entered (fk.current_thread);
 * anything else is -CAPOS_ENOSYS.
 */
#ifndef TESTS_USER_HOST_FAKE_KERNEL_H
#define TESTS_USER_HOST_FAKE_KERNEL_H

#include <stdint.h>
#include <capos/ring.h>

#define FK_IFACE_ECHO 100u
#define FK_IFACE_DEFER 101u
#define FK_IFACE_SELF 102u
#define FK_PENDING_MAX 64

struct fk_pending {
	uint64_t user_data;
	uint32_t arg;
};

struct fake_kernel {
	void *mem;
	uint64_t size;
	struct capos_ring_header *hdr;
	struct capos_sqe *sq;
	struct capos_cqe *cq;
	uint32_t sq_head, cq_tail, reserved;
	struct fk_pending pending[FK_PENDING_MAX];
	uint32_t npending;
	int corrupt;
	uint32_t enters, waits_unsatisfied;
	uint32_t current_thread;        /* set by the test: who "enters" */
	uint32_t self_thread;           /* who performed the last FK_IFACE_SELF */
	uint32_t self_count;
	uint32_t consume_limit;         /* max SQEs per enter (0: unlimited) */
};

extern struct fake_kernel fk;

/* A fresh ring with the given sizes and every index starting at start. */
void fk_init(uint32_t sq_entries, uint32_t cq_entries, uint32_t start);
void fk_free(void);
/* Complete the oldest pending deferred operation now. */
int fk_complete_one(int32_t status);

#endif
