/*
 * parkq: the waiters of one ParkSpace, as pure data — a small hash table
 * of FIFO lists keyed by the user address each waiter sleeps on.  Nodes
 * are embedded in the waiting operation (obj_park.c), so adding and
 * removing never allocate and never fail.  Waiters on one address are
 * woken in the order they arrived; a node knows whether it is queued, so
 * the owner can tell "still waiting" from "already completed" after a
 * lock was dropped.
 *
 * No locking here: the owner serialises every call (obj_park.c uses
 * sched_lock, the lock its timers and cancellations already hold).
 */
#ifndef EXO_CAP_PARKQ_H
#define EXO_CAP_PARKQ_H

#include <stdbool.h>
#include <stdint.h>

#define PARKQ_BUCKETS 16u  /* a power of two */

struct parkq_node {
	uint64_t addr;
	struct parkq_node *prev, *next;
	bool queued;
};

struct parkq {
	struct parkq_node *head[PARKQ_BUCKETS], *tail[PARKQ_BUCKETS];
	uint32_t count;
};

void parkq_init(struct parkq *q);

/* Append n (not queued) as the newest waiter on addr. */
void parkq_add(struct parkq *q, struct parkq_node *n, uint64_t addr);

/* Unlink n: true, or false (nothing changed) when n was not queued. */
bool parkq_remove(struct parkq *q, struct parkq_node *n);

/* Unlink and return the oldest waiter on addr, or NULL. */
struct parkq_node *parkq_take(struct parkq *q, uint64_t addr);

/* Unlink and return some waiter (any address), or NULL when empty. */
struct parkq_node *parkq_take_any(struct parkq *q);

static inline bool parkq_queued(const struct parkq_node *n)
{
	return n->queued;
}

static inline uint32_t parkq_count(const struct parkq *q)
{
	return q->count;
}

#endif
