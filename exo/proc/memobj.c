/*
 * Memory objects: creation, reference counting and freeing; see memobj.h.
 */
#include <capos/error.h>
#include <capos/prot.h>
#include "memobj.h"
#include "uvm_env.h"
#include "../kern/panic.h"
#include "../lib/string.h"

static void memobj_free_frames(struct memobj *mo, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		if (mo->scrub)
			memset(uvm_phys_ptr(mo->frames[i]), 0, 4096);
		uvm_frame_free(mo->frames[i]);
	}
}

static int memobj_alloc_frames(struct memobj *mo)
{
	for (uint64_t i = 0; i < mo->pages; i++) {
		int err = uvm_frame_alloc(&mo->frames[i]);

		if (err) {
			memobj_free_frames(mo, i);
			return err;
		}
	}
	return 0;
}

/*
 * A memory object of `pages` empty frame slots, its frames charged to q:
 * the checks and the charge shared by memobj_create and memobj_adopt.
 * On success the caller fills mo->frames and calls memobj_publish.
 */
static int memobj_new(struct quota *q, uint64_t pages, struct memobj **out)
{
	struct memobj *mo;
	int err;

	if (pages == 0)
		return -CAPOS_EINVAL;
	if (pages > MEMOBJ_MAX_PAGES)
		return -CAPOS_ERANGE;
	err = quota_charge_frames(q, pages);
	if (err)
		return err;
	mo = kmem_zalloc(q, sizeof(*mo), &err);
	if (mo)
		mo->frames = kmem_zalloc(q, pages * sizeof(mo->frames[0]), &err);
	if (!mo || !mo->frames) {
		kmem_free(q, mo);
		quota_release_frames(q, pages);
		return err;
	}
	mo->pages = pages;
	*out = mo;
	return 0;
}

/* Undo memobj_new (no frame is held). */
static void memobj_discard(struct quota *q, struct memobj *mo)
{
	quota_release_frames(q, mo->pages);
	kmem_free(q, mo->frames);
	kmem_free(q, mo);
}

static void memobj_publish(struct quota *q, struct memobj *mo, struct memobj **out)
{
	mo->q = q;
	mo->count = 1;
	quota_get(q);
	*out = mo;
}

int memobj_create(struct quota *q, uint64_t pages, struct memobj **out)
{
	struct memobj *mo;
	int err = memobj_new(q, pages, &mo);

	if (err)
		return err;
	err = memobj_alloc_frames(mo);
	if (err) {
		memobj_discard(q, mo);
		return err;
	}
	memobj_publish(q, mo, out);
	return 0;
}

int memobj_adopt(struct quota *q, const uint64_t *frames, uint64_t pages, bool scrub, struct memobj **out)
{
	struct memobj *mo;
	int err = memobj_new(q, pages, &mo);

	if (err)
		return err;
	memcpy(mo->frames, frames, pages * sizeof(mo->frames[0]));
	mo->scrub = scrub;
	memobj_publish(q, mo, out);
	return 0;
}

int memobj_init_kernel(struct memobj *mo, uint64_t *frames, uint64_t pages)
{
	if (pages == 0)
		return -CAPOS_EINVAL;
	if (pages > MEMOBJ_MAX_PAGES)
		return -CAPOS_ERANGE;
	*mo = (struct memobj){ .pages = pages, .frames = frames, .count = 1,
			       .readonly = true, .kernel_owned = true };
	return 0;
}

static void memobj_get(struct memobj *mo)
{
	uint32_t old = __atomic_fetch_add(&mo->count, 1, __ATOMIC_RELAXED);

	KASSERT(old > 0 && old < UINT32_MAX);
}

static void memobj_destroy(struct memobj *mo)
{
	struct quota *q = mo->q;

	KASSERT(mo->maps == 0);
	KASSERT(!mo->kernel_owned);  /* its own reference is never dropped */
	memobj_free_frames(mo, mo->pages);
	quota_release_frames(q, mo->pages);
	kmem_free(q, mo->frames);
	kmem_free(q, mo);
	quota_put(q);
}

static void memobj_put(struct memobj *mo)
{
	uint32_t old = __atomic_fetch_sub(&mo->count, 1, __ATOMIC_ACQ_REL);

	KASSERT(old > 0);
	if (old == 1)
		memobj_destroy(mo);
}

void memobj_ref(struct memobj *mo)
{
	memobj_get(mo);
}

void memobj_unref(struct memobj *mo)
{
	memobj_put(mo);
}

void memobj_map_get(struct memobj *mo)
{
	memobj_get(mo);
	__atomic_fetch_add(&mo->maps, 1, __ATOMIC_RELAXED);
}

void memobj_map_put(struct memobj *mo)
{
	uint32_t old = __atomic_fetch_sub(&mo->maps, 1, __ATOMIC_RELAXED);

	KASSERT(old > 0);
	memobj_put(mo);
}

void memobj_info(const struct memobj *mo, struct memobj_info *out)
{
	out->pages = mo->pages;
	out->mappings = __atomic_load_n(&mo->maps, __ATOMIC_RELAXED);
}

uint64_t memobj_pages(const struct memobj *mo)
{
	return mo->pages;
}

bool memobj_readonly(const struct memobj *mo)
{
	return mo->readonly;
}

int memobj_check_prot(const struct memobj *mo, uint32_t prot)
{
	return mo->readonly && (prot & CAPOS_PROT_WRITE) ? -CAPOS_EPERM : 0;
}

uint64_t memobj_frame(const struct memobj *mo, uint64_t page)
{
	KASSERT(page < mo->pages);
	return mo->frames[page];
}
