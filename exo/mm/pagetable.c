/*
 * Page-table walker and editor; see pagetable.h for the rules.  Levels
 * are numbered from the leaf up: 0 = PT (4 KiB), 1 = PD (2 MiB),
 * 2 = PDPT (1 GiB), 3 = PML4.  A walk records the entry it used at each
 * level (struct pt_path) so callers can both edit the leaf and fix up
 * the intermediate entries above it.
 */
#include <stdbool.h>
#include <capos/error.h>
#include "pagetable.h"

#define PT_PHYS_LIMIT (1ull << 52)
#define PT_UPPER_HALF_START 0xffff800000000000ull

struct pt_path {
	uint64_t *entry[4];  /* entry used at each level, NULL below the leaf */
	int leaf;            /* level of the leaf, -1 when nothing is mapped */
};

static uint64_t *pt_table(const struct pt_space *s, uint64_t phys)
{
	return s->ops->table_ptr(s->ops->ctx, phys);
}

static unsigned pt_index(uint64_t va, int level)
{
	return (unsigned)(va >> (12 + 9 * level)) & (PT_ENTRIES - 1);
}

static uint64_t pt_level_size(int level)
{
	return 1ull << (12 + 9 * level);
}

static bool pt_canonical(uint64_t va)
{
	return va < PT_LOWER_HALF_END || va >= PT_UPPER_HALF_START;
}

static uint64_t pt_leaf_bits(uint32_t flags, bool huge)
{
	uint64_t e = PTE_PRESENT;

	if (flags & PT_WRITE)
		e |= PTE_WRITABLE;
	if (flags & PT_USER)
		e |= PTE_USER;
	if (flags & PT_NX)
		e |= PTE_NX;
	if (flags & PT_GLOBAL)
		e |= PTE_GLOBAL;
	if (flags & PT_NOCACHE)
		e |= PTE_PCD | PTE_PWT;
	if (huge)
		e |= PTE_HUGE;
	return e;
}

static uint32_t pt_entry_flags(uint64_t e)
{
	uint32_t flags = 0;

	if (e & PTE_WRITABLE)
		flags |= PT_WRITE;
	if (e & PTE_USER)
		flags |= PT_USER;
	if (e & PTE_NX)
		flags |= PT_NX;
	if (e & PTE_GLOBAL)
		flags |= PT_GLOBAL;
	if (e & (PTE_PCD | PTE_PWT))
		flags |= PT_NOCACHE;
	return flags;
}

static int pt_check_flags(uint64_t va, uint32_t flags)
{
	if (flags & ~PT_FLAGS_ALL)
		return -CAPOS_EINVAL;
	if ((flags & PT_USER) && (va >= PT_LOWER_HALF_END || (flags & PT_GLOBAL)))
		return -CAPOS_EINVAL;
	if ((flags & PT_WRITE) && !(flags & PT_NX))
		return -CAPOS_EPERM;
	return 0;
}

/* Follow *entry one level down, creating the table when asked. */
static int pt_descend(struct pt_space *s, uint64_t *entry, bool user, bool create, uint64_t **next)
{
	uint64_t phys;
	int err;

	if (*entry & PTE_PRESENT) {
		if (*entry & PTE_HUGE)
			return -CAPOS_EEXIST;
		if (user)
			*entry |= PTE_USER;
		*next = pt_table(s, *entry & PTE_ADDR_MASK);
		return 0;
	}
	if (!create)
		return -CAPOS_ENOENT;
	err = s->ops->alloc_table(s->ops->ctx, &phys);
	if (err)
		return err;
	*entry = phys | PTE_PRESENT | PTE_WRITABLE | (user ? PTE_USER : 0);
	*next = pt_table(s, phys);
	return 0;
}

/* The table at leaf_level covering va, creating levels above it. */
static int pt_table_for(struct pt_space *s, uint64_t va, int leaf_level, bool user, uint64_t **out)
{
	uint64_t *t = pt_table(s, s->root);

	for (int level = 3; level > leaf_level; level--) {
		int err = pt_descend(s, &t[pt_index(va, level)], user, true, &t);

		if (err)
			return err;
	}
	*out = t;
	return 0;
}

static void pt_find(const struct pt_space *s, uint64_t va, struct pt_path *path)
{
	uint64_t *t = pt_table(s, s->root);

	path->leaf = -1;
	for (int level = 3; level >= 0; level--) {
		uint64_t *e = &t[pt_index(va, level)];

		path->entry[level] = e;
		if (!(*e & PTE_PRESENT))
			return;
		if (level == 0 || (level <= 2 && (*e & PTE_HUGE))) {
			path->leaf = level;
			return;
		}
		t = pt_table(s, *e & PTE_ADDR_MASK);
	}
}

static void pt_describe(const struct pt_path *path, uint64_t va, struct pt_mapping *out)
{
	uint64_t size = pt_level_size(path->leaf);
	uint64_t e = *path->entry[path->leaf];

	out->va = va & ~(size - 1);
	out->phys = e & PTE_ADDR_MASK & ~(size - 1);
	out->size = size;
	out->flags = pt_entry_flags(e);
}

int pt_create(struct pt_space *space, const struct pt_ops *ops)
{
	uint64_t root;
	int err = ops->alloc_table(ops->ctx, &root);

	if (err)
		return err;
	pt_attach(space, ops, root);
	return 0;
}

void pt_attach(struct pt_space *space, const struct pt_ops *ops, uint64_t root)
{
	space->ops = ops;
	space->root = root & PTE_ADDR_MASK;
}

int pt_map(struct pt_space *space, uint64_t va, uint64_t phys, uint64_t size, uint32_t flags)
{
	int leaf_level = size == PT_SIZE_4K ? 0 : size == PT_SIZE_2M ? 1 : -1;
	uint64_t *t;
	int err;

	if (leaf_level < 0 || !pt_canonical(va) || (va & (size - 1)) || (phys & (size - 1)) ||
	    phys >= PT_PHYS_LIMIT)
		return -CAPOS_EINVAL;
	err = pt_check_flags(va, flags);
	if (err)
		return err;
	err = pt_table_for(space, va, leaf_level, flags & PT_USER, &t);
	if (err)
		return err;
	if (t[pt_index(va, leaf_level)] & PTE_PRESENT)
		return -CAPOS_EEXIST;
	t[pt_index(va, leaf_level)] = phys | pt_leaf_bits(flags, leaf_level > 0);
	return 0;
}

static void pt_invalidate(struct pt_space *space, uint64_t va)
{
	if (space->ops->invalidate)
		space->ops->invalidate(space->ops->ctx, va);
}

int pt_unmap(struct pt_space *space, uint64_t va, struct pt_mapping *old)
{
	struct pt_path path;
	struct pt_mapping m;

	if (!pt_canonical(va) || (va & (PT_SIZE_4K - 1)))
		return -CAPOS_EINVAL;
	pt_find(space, va, &path);
	if (path.leaf < 0)
		return 0;
	pt_describe(&path, va, &m);
	if (m.va != va)
		return -CAPOS_EINVAL;
	*path.entry[path.leaf] = 0;
	pt_invalidate(space, va);
	if (old)
		*old = m;
	return 1;
}

int pt_protect(struct pt_space *space, uint64_t va, uint32_t flags)
{
	struct pt_path path;
	struct pt_mapping m;
	int err;

	if (!pt_canonical(va) || (va & (PT_SIZE_4K - 1)))
		return -CAPOS_EINVAL;
	err = pt_check_flags(va, flags);
	if (err)
		return err;
	pt_find(space, va, &path);
	if (path.leaf < 0)
		return -CAPOS_ENOENT;
	pt_describe(&path, va, &m);
	if (m.va != va)
		return -CAPOS_EINVAL;
	for (int level = 3; level > path.leaf && (flags & PT_USER); level--)
		*path.entry[level] |= PTE_USER;
	*path.entry[path.leaf] = m.phys | pt_leaf_bits(flags, path.leaf > 0);
	pt_invalidate(space, va);
	return 0;
}

int pt_walk(const struct pt_space *space, uint64_t va, struct pt_mapping *out)
{
	struct pt_path path;

	if (!pt_canonical(va))
		return -CAPOS_EINVAL;
	pt_find(space, va, &path);
	if (path.leaf < 0)
		return -CAPOS_ENOENT;
	pt_describe(&path, va, out);
	return 0;
}

int pt_ensure_top(struct pt_space *space, uint64_t va)
{
	uint64_t *root = pt_table(space, space->root);
	uint64_t *next;

	if (!pt_canonical(va))
		return -CAPOS_EINVAL;
	return pt_descend(space, &root[pt_index(va, 3)], false, true, &next);
}

/* Free the table at phys (a level-`level` table) and everything below it. */
static uint64_t pt_free_table(struct pt_space *s, uint64_t phys, int level)
{
	uint64_t *t = pt_table(s, phys);
	uint64_t leaves = 0;

	for (unsigned i = 0; i < PT_ENTRIES; i++) {
		if (!(t[i] & PTE_PRESENT))
			continue;
		if (level == 0 || (t[i] & PTE_HUGE))
			leaves++;
		else
			leaves += pt_free_table(s, t[i] & PTE_ADDR_MASK, level - 1);
		t[i] = 0;
	}
	s->ops->free_table(s->ops->ctx, phys);
	return leaves;
}

uint64_t pt_destroy(struct pt_space *space, unsigned first_slot, unsigned end_slot, int free_root)
{
	uint64_t *root = pt_table(space, space->root);
	uint64_t leaves = 0;

	for (unsigned i = first_slot; i < end_slot && i < PT_ENTRIES; i++) {
		if (root[i] & PTE_PRESENT)
			leaves += pt_free_table(space, root[i] & PTE_ADDR_MASK, 2);
		root[i] = 0;
	}
	if (free_root) {
		space->ops->free_table(space->ops->ctx, space->root);
		space->root = 0;
	}
	return leaves;
}
