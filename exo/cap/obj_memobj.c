/*
 * MemoryObject: frames owned by an object rather than by an address
 * space.  info reports its size and how many mapped region pieces use it;
 * map, unmap and protect act on the CALLER's address space (the object
 * may have been copied or moved to another process since it was made).
 * The frames stay charged to the quota of the process that allocated
 * them and return to the frame allocator only when the last holder and
 * the last mapping are gone (proc/memobj.h), so releasing the capability
 * while mapped is safe and the mapping keeps working.  A revocable copy
 * is the exception: what was mapped through it (or through a copy derived
 * from it) is unmapped from every space when it is revoked (revmap.c), so
 * a later touch faults.
 *
 * Errors (each method decodes and checks everything first; a failed call
 * changes nothing):
 *   map      -CAPOS_EINVAL vaddr 0 (the result has no address field, so
 *            the caller must choose), vaddr not page aligned, pages 0,
 *            unknown prot bits or no READ; -CAPOS_EPERM WRITE|EXEC, or
 *            WRITE of a read-only object (the boot package);
 *            -CAPOS_ERANGE the range leaves the user window or
 *            [first_page, first_page + pages) is not inside the object;
 *            -CAPOS_EEXIST overlap with an existing region;
 *            -CAPOS_EQUOTA region limit or no frame quota left for page
 *            tables; -CAPOS_ENOMEM
 *   unmap    -CAPOS_EINVAL / -CAPOS_ERANGE for the range as above;
 *            -CAPOS_ENOENT some page of the range is not a mapping of
 *            this object
 *   protect  as unmap, plus the prot checks of map
 */
#include <capos/error.h>
#include <capos/iface.h>
#include "iface_kernel.h"
#include "kcall.h"
#include "memcap.h"
#include "revocable.h"
#include "../kern/panic.h"
#include "../mm/mm.h"
#include "../proc/aspace.h"
#include "../proc/memobj.h"
#include "../proc/process.h"
#include "../proc/vma.h"

struct memcap {
	struct kobj base;
	struct memobj *mo;  /* one holder reference */
};

static void memcap_destroy(struct kobj *o)
{
	struct memcap *mc = KOBJ_CONTAINER(o, struct memcap, base);

	memobj_unref(mc->mo);
	kmem_free(o->payer, mc);
}

static const struct kobj_ops memcap_ops = { .destroy = memcap_destroy };

struct kobj *memcap_create(struct memobj *mo, int *err)
{
	struct memcap *mc = kmem_zalloc(mo->q, sizeof *mc, err);  /* whoever pays for the memory pays for this */

	if (!mc) {
		memobj_unref(mo);
		return NULL;
	}
	kobj_init(&mc->base, CAPOS_IFACE_MEMORY_OBJECT, &memcap_ops);
	mc->base.payer = mo->q;
	mc->mo = mo;
	return &mc->base;
}

static struct memobj *call_memobj(const struct kcall *call)
{
	KASSERT(call->obj->iface == CAPOS_IFACE_MEMORY_OBJECT);
	return KOBJ_CONTAINER(call->obj, struct memcap, base)->mo;
}

/* [first, first + pages) inside an object of size pages: 0 or -CAPOS_ERANGE. */
static int check_object_range(const struct memobj *mo, uint64_t first, uint64_t pages)
{
	uint64_t size = memobj_pages(mo);

	if (first >= size || pages > size - first)
		return -CAPOS_ERANGE;
	return 0;
}

int memcap_check_map(const struct memobj *mo, uint64_t vaddr, uint64_t first_page, uint64_t pages, uint32_t prot)
{
	int err = vaddr ? vma_check_range(vaddr, pages) : 0;  /* 0: the kernel picks */

	if (!err)
		err = vma_check_prot(prot);
	if (!err)
		err = check_object_range(mo, first_page, pages);
	return err;
}

struct memobj *memcap_memobj(struct kobj *o)
{
	return o->ops == &memcap_ops ? KOBJ_CONTAINER(o, struct memcap, base)->mo : NULL;
}

static int decode_map(const struct memobj *mo, const struct capos_memory_object_map_in *in)
{
	return memcap_check_map(mo, in->vaddr, in->first_page, in->pages, in->prot);
}

int kcap_memory_object_info(struct kcall *call, const struct capos_memory_object_info_in *in,
			    uint32_t in_len, struct capos_memory_object_info_out *out, uint32_t *out_len)
{
	struct memobj_info info;

	(void)in; (void)in_len;
	memobj_info(call_memobj(call), &info);
	out->pages = info.pages;
	out->mappings = info.mappings;
	*out_len = sizeof *out;
	return 0;
}

int kcap_memory_object_map(struct kcall *call, const struct capos_memory_object_map_in *in,
			   uint32_t in_len, struct capos_memory_object_map_out *out, uint32_t *out_len)
{
	struct memobj *mo = call_memobj(call);
	int err = decode_map(mo, in);

	(void)in_len;
	*out_len = 0;
	if (!err)
		err = revmap_map(call->via, process_quota(call->proc), process_aspace(call->proc), in->vaddr, mo,
				 in->first_page, in->pages, in->prot, &out->vaddr);
	if (!err)
		*out_len = sizeof *out;
	return err;
}

int kcap_memory_object_unmap(struct kcall *call, const struct capos_memory_object_unmap_in *in,
			     uint32_t in_len, struct capos_memory_object_unmap_out *out, uint32_t *out_len)
{
	struct memobj *mo = call_memobj(call);
	int err = vma_check_range(in->vaddr, in->pages);

	(void)in_len; (void)out;
	*out_len = 0;
	if (err)
		return err;
	return aspace_unmap_memobj(process_aspace(call->proc), in->vaddr, in->pages, mo);
}

int kcap_memory_object_protect(struct kcall *call, const struct capos_memory_object_protect_in *in,
			       uint32_t in_len, struct capos_memory_object_protect_out *out,
			       uint32_t *out_len)
{
	struct memobj *mo = call_memobj(call);
	int err = vma_check_range(in->vaddr, in->pages);

	(void)in_len; (void)out;
	*out_len = 0;
	if (!err)
		err = vma_check_prot(in->prot);
	if (err)
		return err;
	return aspace_protect_memobj(process_aspace(call->proc), in->vaddr, in->pages, in->prot, mo);
}
