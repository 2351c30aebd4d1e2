/* Ring index arithmetic; see ringidx.h and capos/ring.h. */
#include <capos/error.h>
#include <capos/ring.h>
#include "ringidx.h"

static int size_ok(uint32_t n)
{
	return n && n <= CAPOS_RING_MAX_ENTRIES && (n & (n - 1)) == 0;
}

int ring_idx_init(struct ring_idx *r, uint32_t sq_entries, uint32_t cq_entries)
{
	if (!size_ok(sq_entries) || !size_ok(cq_entries))
		return -CAPOS_EINVAL;
	*r = (struct ring_idx){ .sq_entries = sq_entries, .cq_entries = cq_entries };
	return 0;
}

int64_t ring_idx_sq_pending(const struct ring_idx *r, uint32_t user_sq_tail)
{
	if (!capos_ring_valid(r->sq_head, user_sq_tail, r->sq_entries))
		return -CAPOS_EINVAL;
	return capos_ring_used(r->sq_head, user_sq_tail);
}

int64_t ring_idx_cq_space(const struct ring_idx *r, uint32_t user_cq_head)
{
	uint32_t posted;

	if (!capos_ring_valid(user_cq_head, r->cq_tail, r->cq_entries))
		return -CAPOS_EINVAL;
	posted = capos_ring_used(user_cq_head, r->cq_tail);
	if (posted + r->cq_reserved >= r->cq_entries)
		return 0;
	return r->cq_entries - posted - r->cq_reserved;
}

uint32_t ring_idx_consume(struct ring_idx *r)
{
	uint32_t slot = capos_ring_slot(r->sq_head, r->sq_entries);

	r->sq_head++;
	r->cq_reserved++;
	return slot;
}

uint32_t ring_idx_post(struct ring_idx *r)
{
	uint32_t slot = capos_ring_slot(r->cq_tail, r->cq_entries);

	r->cq_tail++;
	r->cq_reserved--;
	return slot;
}
