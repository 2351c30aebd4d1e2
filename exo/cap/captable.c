/*
 * Capability table operations; see captable.h for states and invariants.
 * Each operation decodes the handle completely (index range, state,
 * generation) before it changes anything.
 *
 * Generations never wrap: a slot freed at its last generation
 * (CAP_GEN_LAST) is retired — kept off the free list for the life of the
 * table — instead of starting again at 1, so a stale handle can never
 * name a later object in that slot.  Why retire rather than widen: the
 * handle is a 32-bit value everywhere in the ABI (SQEs, transfer
 * descriptors, received-capability lists, bootstrap grants), 16 bits of
 * which index up to CAPOS_CAP_MAX_SLOTS slots; wider generations would
 * mean 64-bit handles through all of it.  Retiring costs one slot per
 * 65535 frees of that slot, charged to the process whose table it is
 * (its capability quota shrinks by one; no kernel memory is involved),
 * and only that process can cause it: a table of n slots serves at least
 * 65535 * (n - 1) handles over its life (a process that churns through
 * them gets -CAPOS_EQUOTA, like a full table), and the table goes with
 * its process.
 */
#include <stddef.h>
#include <capos/cap.h>
#include <capos/error.h>
#include "captable.h"

int cap_table_init(struct cap_table *t, struct cap_slot *slots, uint32_t capacity)
{
	if (!slots || capacity < 2 || capacity > CAPOS_CAP_MAX_SLOTS)
		return -CAPOS_EINVAL;
	t->slots = slots;
	t->capacity = capacity;
	t->live = 0;
	t->retired = 0;
	t->free_head = 1;
	for (uint32_t i = 0; i < capacity; i++) {
		slots[i] = (struct cap_slot){ .gen = 1, .state = CAP_SLOT_FREE };
		slots[i].next_free = (i >= 1 && i + 1 < capacity) ? i + 1 : 0;
	}
	return 0;
}

int64_t cap_insert(struct cap_table *t, void *object, uint32_t type, uint32_t iface, uint32_t rights)
{
	uint32_t index = t->free_head;
	struct cap_slot *s;

	if (index == 0)
		return -CAPOS_EQUOTA;
	s = &t->slots[index];
	t->free_head = s->next_free;
	s->object = object;
	s->type = type;
	s->iface = iface;
	s->rights = rights;
	s->state = CAP_SLOT_LIVE;
	s->next_free = 0;
	t->live++;
	return capos_cap_make(index, s->gen);
}

/* Decode a handle to its slot whatever the state; -CAPOS_EBADF if malformed, free or stale. */
static int decode(const struct cap_table *t, uint32_t handle, struct cap_slot **out)
{
	uint32_t index = capos_cap_index(handle);
	struct cap_slot *s;

	if (index == 0 || index >= t->capacity)
		return -CAPOS_EBADF;
	s = &t->slots[index];
	if (s->state == CAP_SLOT_FREE || s->state == CAP_SLOT_RETIRED || s->gen != capos_cap_gen(handle))
		return -CAPOS_EBADF;
	*out = s;
	return 0;
}

int cap_lookup(const struct cap_table *t, uint32_t handle, uint32_t want_type, struct cap_slot **out)
{
	struct cap_slot *s;
	int err = decode(t, handle, &s);

	if (err)
		return err;
	if (s->state == CAP_SLOT_RESERVED)
		return -CAPOS_EBUSY;
	if (want_type && s->type != want_type)
		return -CAPOS_ETYPE;
	*out = s;
	return 0;
}

static void free_slot(struct cap_table *t, struct cap_slot *s, void **object)
{
	uint32_t index = (uint32_t)(s - t->slots);

	if (object)
		*object = s->object;
	s->object = NULL;
	s->type = 0;
	t->live--;
	if (s->gen >= CAP_GEN_LAST) {
		s->state = CAP_SLOT_RETIRED;  /* no generation left that no handle has carried */
		s->next_free = 0;
		t->retired++;
		return;
	}
	/* Generations start at 1 and only grow, so handle 0 stays invalid. */
	s->state = CAP_SLOT_FREE;
	s->gen++;
	s->next_free = t->free_head;
	t->free_head = index;
}

int cap_remove(struct cap_table *t, uint32_t handle, void **object)
{
	struct cap_slot *s;
	int err = cap_lookup(t, handle, 0, &s);

	if (err)
		return err;
	free_slot(t, s, object);
	return 0;
}

int cap_reserve(struct cap_table *t, uint32_t handle)
{
	struct cap_slot *s;
	int err = cap_lookup(t, handle, 0, &s);

	if (err)
		return err;
	s->state = CAP_SLOT_RESERVED;
	return 0;
}

static int reserved_slot(const struct cap_table *t, uint32_t handle, struct cap_slot **out)
{
	int err = decode(t, handle, out);

	if (err)
		return err;
	return (*out)->state == CAP_SLOT_RESERVED ? 0 : -CAPOS_EINVAL;
}

int cap_commit_move(struct cap_table *t, uint32_t handle, void **object)
{
	struct cap_slot *s;
	int err = reserved_slot(t, handle, &s);

	if (err)
		return err;
	free_slot(t, s, object);
	return 0;
}

int cap_abort_move(struct cap_table *t, uint32_t handle)
{
	struct cap_slot *s;
	int err = reserved_slot(t, handle, &s);

	if (err)
		return err;
	s->state = CAP_SLOT_LIVE;
	return 0;
}
