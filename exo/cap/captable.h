/*
 * A process's capability table: slots holding (object, type, rights,
 * interface), addressed by generation-checked handles (capos/cap.h).
 *
 * Pure code: no allocation (the caller provides the slot array, sized by the
 * process's capability quota), no locking (the owning process's lock guards
 * the table), no knowledge of what objects are — reference counting is the
 * caller's.  Built into the kernel and into host tests.
 *
 * Slot states: FREE (on the free list), LIVE, RESERVED (the source of a
 * move in flight: lookups fail with -CAPOS_EBUSY until the move commits,
 * which frees the slot, or aborts, which makes it LIVE again), RETIRED
 * (its generations are used up: never reused, see captable.c).
 * Invariants: every FREE slot is on the free list exactly once; a slot's
 * generation changes every time it is freed, is never 0 while LIVE, and
 * never comes back to a value it had: a handle names at most one object
 * in the life of its table.
 */
#ifndef EXO_CAP_CAPTABLE_H
#define EXO_CAP_CAPTABLE_H

#include <stdint.h>

enum cap_slot_state { CAP_SLOT_FREE = 0, CAP_SLOT_LIVE = 1, CAP_SLOT_RESERVED = 2, CAP_SLOT_RETIRED = 3 };

/* The last generation a slot is given; freeing it then retires the slot. */
#define CAP_GEN_LAST 0xffffu

struct cap_slot {
	void *object;
	uint32_t type;       /* kernel object type; 0 = none */
	uint32_t iface;      /* interface id the handle speaks */
	uint32_t rights;     /* CAPOS_RIGHT_* */
	uint16_t gen;
	uint8_t state;
	uint8_t reserved;
	uint32_t next_free;  /* free-list link (index), 0 = end */
};

struct cap_table {
	struct cap_slot *slots;  /* slots[0] is never used */
	uint32_t capacity;       /* number of slots including slot 0 */
	uint32_t free_head;      /* first free index, 0 = none */
	uint32_t live;           /* LIVE + RESERVED slots */
	uint32_t retired;        /* RETIRED slots */
};

/* Set up a table over slots[0..capacity) (2 <= capacity <= CAPOS_CAP_MAX_SLOTS). */
int cap_table_init(struct cap_table *t, struct cap_slot *slots, uint32_t capacity);

/* Put object in a free slot; returns the handle (> 0) or -CAPOS_EQUOTA. */
int64_t cap_insert(struct cap_table *t, void *object, uint32_t type, uint32_t iface, uint32_t rights);

/*
 * The LIVE slot a handle names: -CAPOS_EBADF for a malformed, free or stale
 * handle, -CAPOS_EBUSY when it is reserved by a move, -CAPOS_ETYPE when
 * want_type is non-zero and differs.
 */
int cap_lookup(const struct cap_table *t, uint32_t handle, uint32_t want_type, struct cap_slot **out);

/* Free a LIVE slot, returning its object in *object for the caller to drop. */
int cap_remove(struct cap_table *t, uint32_t handle, void **object);

/* Moves: reserve a LIVE slot, then commit (free it) or abort (make it LIVE). */
int cap_reserve(struct cap_table *t, uint32_t handle);
int cap_commit_move(struct cap_table *t, uint32_t handle, void **object);
int cap_abort_move(struct cap_table *t, uint32_t handle);

/* Free slots left (retired slots are not). */
static inline uint32_t cap_table_free(const struct cap_table *t)
{
	return t->capacity - 1 - t->live - t->retired;
}

#endif
