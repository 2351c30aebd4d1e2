/*
 * The network buffer queues of capos/netq.h: single-producer,
 * single-consumer rings of (offset, length) descriptors between a NIC
 * driver and a network stack (docs/network.md, "Queues between driver and
 * stack").  Indices run free and wrap at 2^32; the slot is the index
 * masked by capacity - 1, so count is tail - head in unsigned arithmetic.
 *
 * Ordering: the producer stores the entry before it publishes tail
 * (release) and the consumer loads tail (acquire) before the entry; the
 * consumer loads the entry before it publishes head (release) and the
 * producer loads head (acquire) before it reuses the slot.  The peer's
 * index is read once per call, and a count above capacity (a peer that
 * scribbled on its index) reads as full to the producer and as empty to
 * the consumer (count 0, empty and full all at once) rather than handing
 * out stale entries: the queue is dead until the peer is replaced.
 */
#include <capos/error.h>
#include <capos/netq.h>

int capos_netq_init(struct capos_netq *q, struct capos_netq_desc *storage, uint32_t capacity)
{
	if (!q || !storage || capacity == 0 || (capacity & (capacity - 1)) != 0)
		return -CAPOS_EINVAL;
	q->head = 0;
	q->tail = 0;
	q->capacity = capacity;
	q->consumer_waiting = 0;
	q->ring = storage;
	return 0;
}

int capos_netq_push(struct capos_netq *q, struct capos_netq_desc d)
{
	uint32_t head = __atomic_load_n(&q->head, __ATOMIC_ACQUIRE);
	uint32_t tail = q->tail;      /* ours: only this side writes it */

	if (tail - head >= q->capacity)
		return -CAPOS_EAGAIN;
	q->ring[tail & (q->capacity - 1)] = d;
	__atomic_store_n(&q->tail, tail + 1, __ATOMIC_RELEASE);
	return 0;
}

int capos_netq_pop(struct capos_netq *q, struct capos_netq_desc *d)
{
	uint32_t tail = __atomic_load_n(&q->tail, __ATOMIC_ACQUIRE);
	uint32_t head = q->head;      /* ours: only this side writes it */
	uint32_t n = tail - head;

	if (n == 0 || n > q->capacity)
		return -CAPOS_EAGAIN;
	*d = q->ring[head & (q->capacity - 1)];
	__atomic_store_n(&q->head, head + 1, __ATOMIC_RELEASE);
	return 0;
}

uint32_t capos_netq_count(const struct capos_netq *q)
{
	uint32_t n = __atomic_load_n(&q->tail, __ATOMIC_ACQUIRE) - __atomic_load_n(&q->head, __ATOMIC_ACQUIRE);

	return n > q->capacity ? 0 : n;
}

bool capos_netq_empty(const struct capos_netq *q)
{
	return capos_netq_count(q) == 0;
}

bool capos_netq_full(const struct capos_netq *q)
{
	uint32_t n = __atomic_load_n(&q->tail, __ATOMIC_ACQUIRE) - __atomic_load_n(&q->head, __ATOMIC_ACQUIRE);

	return n >= q->capacity;
}

bool capos_netq_desc_valid(struct capos_netq_desc d, uint32_t region_size, uint32_t slot_size)
{
	if (slot_size == 0 || d.offset >= region_size || d.offset % slot_size != 0)
		return false;
	/* the whole slot inside the region, and the frame inside the slot */
	return region_size - d.offset >= slot_size && d.len <= slot_size;
}
