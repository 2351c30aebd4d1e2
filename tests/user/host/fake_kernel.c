/*
 * The simulated kernel of fake_kernel.h.  Single-threaded: the test calls
 * the ring client, which calls capos_cap_enter here.
 */
#include <stdlib.h>
#include <string.h>
#include <capos/error.h>
#include <capos/ring_client.h>
#include "fake_kernel.h"

#define FK_SQ_OFFSET 4096u

struct fake_kernel fk;

void fk_init(uint32_t sq_entries, uint32_t cq_entries, uint32_t start)
{
	fk_free();
	memset(&fk, 0, sizeof fk);
	fk.size = FK_SQ_OFFSET + sq_entries * sizeof(struct capos_sqe) + cq_entries * sizeof(struct capos_cqe);
	fk.mem = aligned_alloc(4096, (fk.size + 4095) / 4096 * 4096);
	memset(fk.mem, 0, fk.size);
	fk.hdr = fk.mem;
	fk.sq = (struct capos_sqe *)((char *)fk.mem + FK_SQ_OFFSET);
	fk.cq = (struct capos_cqe *)(fk.sq + sq_entries);
	fk.hdr->magic = CAPOS_RING_MAGIC;
	fk.hdr->version = CAPOS_RING_VERSION;
	fk.hdr->sq_entries = sq_entries;
	fk.hdr->cq_entries = cq_entries;
	fk.hdr->sq_offset = FK_SQ_OFFSET;
	fk.hdr->cq_offset = FK_SQ_OFFSET + sq_entries * (uint32_t)sizeof(struct capos_sqe);
	fk.hdr->size = (uint32_t)fk.size;
	fk.sq_head = fk.cq_tail = start;
	fk.hdr->sq_head = fk.hdr->sq_tail = fk.hdr->cq_head = fk.hdr->cq_tail = start;
}

void fk_free(void)
{
	free(fk.mem);
	fk.mem = NULL;
}

static void post(uint64_t user_data, int32_t status, uint32_t len, uint64_t aux)
{
	struct capos_cqe *c = &fk.cq[fk.cq_tail & (fk.hdr->cq_entries - 1)];

	*c = (struct capos_cqe){ .user_data = user_data, .status = status, .result_len = len, .aux = aux };
	fk.cq_tail++;
	fk.reserved--;
	__atomic_store_n(&fk.hdr->cq_tail, fk.cq_tail, __ATOMIC_RELEASE);
}

int fk_complete_one(int32_t status)
{
	if (!fk.npending)
		return 0;
	post(fk.pending[0].user_data, status, 0, fk.pending[0].arg);
	memmove(&fk.pending[0], &fk.pending[1], (fk.npending - 1) * sizeof fk.pending[0]);
	fk.npending--;
	return 1;
}

static void execute(const struct capos_sqe *s)
{
	uint32_t n;

	if (s->opcode == CAPOS_OP_NOP) {
		post(s->user_data, 0, 0, 0);
		return;
	}
	if (s->opcode != CAPOS_OP_CALL) {
		post(s->user_data, -CAPOS_ENOSYS, 0, 0);
		return;
	}
	switch (s->iface) {
	case FK_IFACE_ECHO:
		n = s->params_len < s->result_len ? s->params_len : s->result_len;
		if (n)
			memcpy((void *)(uintptr_t)s->result_addr, (const void *)(uintptr_t)s->params_addr, n);
		post(s->user_data, 0, n, 0);
		break;
	case FK_IFACE_DEFER:
		fk.pending[fk.npending++] = (struct fk_pending){ s->user_data, s->params_len };
		break;
	case FK_IFACE_SELF:
		fk.self_thread = fk.current_thread;
		fk.self_count++;
		post(s->user_data, 0, 0, 0);
		break;
	default:
		post(s->user_data, -CAPOS_ENOSYS, 0, 0);
	}
}

static int64_t consume(void)
{
	uint32_t tail = __atomic_load_n(&fk.hdr->sq_tail, __ATOMIC_ACQUIRE);
	uint32_t head = __atomic_load_n(&fk.hdr->cq_head, __ATOMIC_ACQUIRE);
	int64_t done = 0;

	if (tail - fk.sq_head > fk.hdr->sq_entries || fk.cq_tail - head > fk.hdr->cq_entries) {
		fk.corrupt = 1;
		return -CAPOS_EINVAL;
	}
	while (fk.sq_head != tail) {
		struct capos_sqe s;

		if (fk.consume_limit && done == fk.consume_limit)
			break;
		if ((fk.cq_tail - head) + fk.reserved >= fk.hdr->cq_entries)
			break;
		s = fk.sq[fk.sq_head & (fk.hdr->sq_entries - 1)];
		fk.sq_head++;
		fk.reserved++;
		__atomic_store_n(&fk.hdr->sq_head, fk.sq_head, __ATOMIC_RELEASE);
		execute(&s);
		done++;
	}
	return done;
}

int64_t capos_cap_enter(uint32_t min_complete, uint64_t timeout_ns)
{
	int64_t done;

	fk.enters++;
	if (fk.corrupt)
		return -CAPOS_EINVAL;
	done = consume();
	if (done < 0)
		return done;
	while (min_complete && timeout_ns &&
	       fk.cq_tail - __atomic_load_n(&fk.hdr->cq_head, __ATOMIC_ACQUIRE) < min_complete) {
		if (!fk_complete_one(0)) {
			fk.waits_unsatisfied++;  /* a real kernel would sleep until the timeout */
			break;
		}
	}
	return done;
}
