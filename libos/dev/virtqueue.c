/*
 * Split virtqueues (virtio 1.x section 2.7, and 0.9's identical rings):
 * the descriptor table, the available ring the driver writes and the used
 * ring the device writes, laid out in one chunk as legacy devices demand
 * (used ring on the next 4096 boundary; modern devices take the same
 * chunk as three addresses).
 *
 * The device is not trusted.  Everything that decides what the driver
 * does lives in this struct, outside the shared memory: the free list of
 * descriptors, each posted chain's links, length, writable bytes and
 * cookie.  From the used ring only the index and each entry's id and len
 * are read, each once, and checked: an index that moved further than the
 * ring is big kills the ring (nothing after it can be believed); an id
 * that is not the head of a chain we posted is skipped; a len past the
 * chain's writable bytes gives the buffer back with an error rather than
 * a length the caller would read past its buffer with.  The device never
 * makes this code free a descriptor twice or follow a link it wrote.
 *
 * Pure: no capability, host-tested (tests/host/libos/test_virtqueue.c).
 */
#include <capos/error.h>
#include <capos/virtio.h>

static uint32_t align_up(uint32_t v, uint32_t a)
{
	return (v + a - 1) & ~(a - 1);
}

int capos_virtq_layout(uint32_t size, struct capos_virtq_layout *l)
{
	if (size == 0 || size > CAPOS_VIRTQ_MAX || (size & (size - 1)) != 0)
		return -CAPOS_EINVAL;
	l->avail_off = 16 * size;
	/* avail: flags, idx, ring[size], used_event */
	l->used_off = align_up(l->avail_off + 6 + 2 * size, 4096);
	/* used: flags, idx, ring[size] of 8 bytes, avail_event */
	l->bytes = align_up(l->used_off + 6 + 8 * size, 64);
	return 0;
}

int capos_virtq_init(struct capos_virtq *q, uint16_t index, uint32_t size, void *mem, uint64_t dev_addr)
{
	struct capos_virtq_layout l;

	if (capos_virtq_layout(size, &l) || !mem || (dev_addr & 4095) != 0)
		return -CAPOS_EINVAL;
	*q = (struct capos_virtq){ .size = (uint16_t)size, .index = index, .num_free = (uint16_t)size };
	q->desc = mem;
	q->avail = (volatile uint16_t *)((uint8_t *)mem + l.avail_off);
	q->used = (volatile uint16_t *)((uint8_t *)mem + l.used_off);
	q->desc_addr = dev_addr;
	q->avail_addr = dev_addr + l.avail_off;
	q->used_addr = dev_addr + l.used_off;
	for (uint32_t i = 0; i < size; i++)
		q->next_free[i] = (uint16_t)(i + 1);
	return 0;
}

static int chain_ok(const struct capos_virtq_seg *segs, uint32_t n, uint32_t *writable)
{
	uint64_t w = 0;
	int seen_writable = 0;

	if (n == 0 || n > CAPOS_VIRTQ_MAX_SEGS)
		return 0;
	for (uint32_t i = 0; i < n; i++) {
		if (segs[i].len == 0)
			return 0;
		if (segs[i].device_writes) {
			seen_writable = 1;
			w += segs[i].len;
		} else if (seen_writable) {
			return 0;     /* the spec: device-readable parts come first */
		}
	}
	if (w > UINT32_MAX)
		return 0;
	*writable = (uint32_t)w;
	return 1;
}

int capos_virtq_add(struct capos_virtq *q, const struct capos_virtq_seg *segs, uint32_t n, uint32_t cookie)
{
	uint16_t ids[CAPOS_VIRTQ_MAX_SEGS];
	uint32_t writable;

	if (q->dead)
		return -CAPOS_EIO;
	if (!chain_ok(segs, n, &writable))
		return -CAPOS_EINVAL;
	if (q->num_free < n)
		return -CAPOS_EAGAIN;
	for (uint32_t i = 0; i < n; i++) {
		ids[i] = q->free_head;
		q->free_head = q->next_free[ids[i]];
	}
	q->num_free -= (uint16_t)n;
	for (uint32_t i = 0; i < n; i++) {
		uint16_t flags = segs[i].device_writes ? CAPOS_VRING_DESC_F_WRITE : 0;

		if (i + 1 < n) {
			flags |= CAPOS_VRING_DESC_F_NEXT;
			q->chain_next[ids[i]] = ids[i + 1];
		}
		q->desc[ids[i]] = (struct capos_vring_desc){ .addr = segs[i].addr, .len = segs[i].len,
							     .flags = flags, .next = i + 1 < n ? ids[i + 1] : 0 };
	}
	q->chain_len[ids[0]] = (uint8_t)n;
	q->posted[ids[0]] = 1;
	q->chains++;
	q->writable[ids[0]] = writable;
	q->cookie[ids[0]] = cookie;
	q->avail[2 + (q->avail_idx & (q->size - 1))] = ids[0];
	q->avail_idx++;
	return 0;
}

int capos_virtq_publish(struct capos_virtq *q)
{
	if (q->dead || q->published == q->avail_idx)
		return 0;
	/* descriptors and ring entries before the index the device reads */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	q->avail[1] = q->avail_idx;
	q->published = q->avail_idx;
	/* the index before the device's flag: else a notification may be missed */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return (q->used[0] & CAPOS_VRING_USED_F_NO_NOTIFY) ? 0 : 1;
}

static void chain_free(struct capos_virtq *q, uint16_t head)
{
	uint16_t d = head;

	for (uint32_t i = 0; i < q->chain_len[head]; i++) {
		uint16_t next = q->chain_next[d];

		q->next_free[d] = q->free_head;
		q->free_head = d;
		q->num_free++;
		d = next;
	}
	q->posted[head] = 0;
	q->chains--;
}

int capos_virtq_get(struct capos_virtq *q, struct capos_virtq_done *done)
{
	const volatile struct capos_vring_used_elem *ring = (const volatile void *)(q->used + 2);

	if (q->dead)
		return -CAPOS_EIO;
	for (;;) {
		uint16_t idx = q->used[1];
		uint32_t id, len;

		__atomic_thread_fence(__ATOMIC_ACQUIRE);   /* the index before the entries */
		if ((uint16_t)(idx - q->last_used) > q->size) {
			q->dead = 1;
			q->errors.bad_index++;
			return -CAPOS_EIO;
		}
		if (idx == q->last_used)
			return 0;
		id = ring[q->last_used & (q->size - 1)].id;
		len = ring[q->last_used & (q->size - 1)].len;
		q->last_used++;
		if (id >= q->size || !q->posted[id]) {
			q->errors.bad_id++;
			continue;
		}
		*done = (struct capos_virtq_done){ .cookie = q->cookie[id], .len = len };
		if (len > q->writable[id]) {
			q->errors.bad_len++;
			done->len = 0;
			done->err = -CAPOS_ERANGE;
		}
		chain_free(q, (uint16_t)id);
		return 1;
	}
}

void capos_virtq_suppress(struct capos_virtq *q, int off)
{
	q->avail[0] = off ? CAPOS_VRING_AVAIL_F_NO_INTERRUPT : 0;
}

uint32_t capos_virtq_outstanding(const struct capos_virtq *q)
{
	return q->chains;
}
