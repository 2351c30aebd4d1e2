/*
 * parkq (see parkq.h): each bucket is a doubly linked FIFO so removal of
 * a cancelled or timed-out waiter is O(1); a bucket mixes addresses that
 * hash alike, so parkq_take walks it for the first node with the address.
 */
#include <stddef.h>
#include "parkq.h"

/* Fibonacci hashing of the word index (addresses are 4-byte aligned). */
static uint32_t parkq_bucket(uint64_t addr)
{
	return (uint32_t)(((addr >> 2) * 0x9e3779b97f4a7c15ull) >> 60) & (PARKQ_BUCKETS - 1);
}

void parkq_init(struct parkq *q)
{
	for (uint32_t i = 0; i < PARKQ_BUCKETS; i++) {
		q->head[i] = NULL;
		q->tail[i] = NULL;
	}
	q->count = 0;
}

void parkq_add(struct parkq *q, struct parkq_node *n, uint64_t addr)
{
	uint32_t b = parkq_bucket(addr);

	n->addr = addr;
	n->next = NULL;
	n->prev = q->tail[b];
	if (q->tail[b])
		q->tail[b]->next = n;
	else
		q->head[b] = n;
	q->tail[b] = n;
	n->queued = true;
	q->count++;
}

bool parkq_remove(struct parkq *q, struct parkq_node *n)
{
	uint32_t b;

	if (!n->queued)
		return false;
	b = parkq_bucket(n->addr);
	if (n->prev)
		n->prev->next = n->next;
	else
		q->head[b] = n->next;
	if (n->next)
		n->next->prev = n->prev;
	else
		q->tail[b] = n->prev;
	n->prev = NULL;
	n->next = NULL;
	n->queued = false;
	q->count--;
	return true;
}

struct parkq_node *parkq_take(struct parkq *q, uint64_t addr)
{
	struct parkq_node *n = q->head[parkq_bucket(addr)];

	while (n && n->addr != addr)
		n = n->next;
	if (n)
		parkq_remove(q, n);
	return n;
}

struct parkq_node *parkq_take_any(struct parkq *q)
{
	for (uint32_t i = 0; i < PARKQ_BUCKETS; i++) {
		struct parkq_node *n = q->head[i];

		if (n) {
			parkq_remove(q, n);
			return n;
		}
	}
	return NULL;
}
