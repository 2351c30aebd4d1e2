/*
 * FrameAllocator: the machine-wide source of MemoryObjects.  alloc(pages)
 * makes an object of `pages` zeroed frames charged to the CALLER's frame
 * quota (the charge stays with the caller's quota even if the object is
 * later handed to someone else) and grants the caller a capability to it:
 * out.memory is the handle (also the CQE's aux), out.pages the size.
 * info reports the machine's memory at the moment of the call: frames
 * managed and free, and what the kernel heap holds — counts anybody who
 * may allocate machine memory can learn anyway by allocating.
 *
 * Errors (nothing is charged or allocated when a call fails):
 *   -CAPOS_EINVAL  pages is 0
 *   -CAPOS_ERANGE  pages above MEMOBJ_MAX_PAGES (1 GiB)
 *   -CAPOS_EQUOTA  the caller's frame quota or capability table is full
 *   -CAPOS_ENOMEM  no frames or kernel heap
 */
#include <capos/cap.h>
#include <capos/error.h>
#include <capos/iface.h>
#include "iface_kernel.h"
#include "kcall.h"
#include "memcap.h"
#include "procobj.h"
#include "../mm/heap_core.h"
#include "../mm/mm.h"
#include "../proc/memobj.h"
#include "../proc/process.h"

static struct kobj frames_obj = KOBJ_STATIC(CAPOS_IFACE_FRAME_ALLOCATOR);

struct kobj *coreobj_frames(void)
{
	return &frames_obj;
}

static int decode_alloc(const struct capos_frame_allocator_alloc_in *in)
{
	if (in->pages == 0)
		return -CAPOS_EINVAL;
	if (in->pages > MEMOBJ_MAX_PAGES)
		return -CAPOS_ERANGE;
	return 0;
}

/* A new MemoryObject charged to the caller, as a capability object with one reference. */
static int make_object(struct kcall *call, uint64_t pages, struct kobj **out)
{
	struct memobj *mo;
	int err = memobj_create(process_quota(call->proc), pages, &mo);

	if (err)
		return err;
	*out = memcap_create(mo, &err);  /* on failure mo is already released */
	return *out ? 0 : err;
}

int kcap_frame_allocator_alloc(struct kcall *call, const struct capos_frame_allocator_alloc_in *in,
			       uint32_t in_len, struct capos_frame_allocator_alloc_out *out,
			       uint32_t *out_len)
{
	struct kobj *obj;
	int64_t h;
	int err = decode_alloc(in);

	(void)in_len;
	*out_len = 0;
	if (!err)
		err = make_object(call, in->pages, &obj);
	if (err)
		return err;
	h = kcall_grant(call, obj, CAPOS_RIGHT_ALL);
	kobj_unref(obj);  /* the new slot holds the object; on failure this frees it */
	if (h < 0)
		return (int)h;
	out->memory = (uint32_t)h;
	out->pages = in->pages;
	*out_len = sizeof *out;
	return 0;
}

int kcap_frame_allocator_info(struct kcall *call, const struct capos_frame_allocator_info_in *in, uint32_t in_len,
			      struct capos_frame_allocator_info_out *out, uint32_t *out_len)
{
	struct frame_stats f;
	struct heap_stats h;

	(void)call;
	(void)in;
	(void)in_len;
	frame_get_stats(&f);
	heap_get_stats(&h);
	out->total_frames = f.total_pages;
	out->free_frames = f.free_pages;
	out->heap_bytes = h.bytes_in_use;
	out->heap_frames = h.slabs * HEAP_BLOCK_PAGES + h.large_pages;
	*out_len = sizeof *out;
	return 0;
}
