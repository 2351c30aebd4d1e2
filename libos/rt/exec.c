/*
 * Exec in place: this process replaces its program with another ELF file
 * and keeps everything else — its pid, its capability table, its ring,
 * its quotas.  userboot, the program the kernel starts as the first
 * process, uses it to become init (apps/userboot); it is linked at
 * CAPOS_USERBOOT_BASE, out of the way of every program linked at the
 * usual 0x400000, because the old program runs until the last moment.
 *
 * Everything that can be refused is decided before anything is mapped:
 * the ELF file (loadplan.c, the checks spawn uses) and that the new image
 * lies wholly below this one.  Then each segment gets fresh pages charged
 * to this process (FrameAllocator "frames"), filled here and mapped with
 * its own protection (segments.c); then a new bootstrap page: the current
 * one with the new program's TLS, heap and arguments.  The boot package's
 * view is unmapped and the new program is entered on the main stack from
 * its top, as the kernel enters a program.  A failure after the first
 * mapping cannot be undone (the old program's memory is intact but the
 * new one's is half there): exec then returns the error and the caller
 * should end.  This program's own pages stay mapped, out of the new
 * program's way, for the life of the process.
 */
#include <capos/rt.h>
#include "loadplan.h"
#include "rt_internal.h"
#include "segments.h"

extern const char __capos_image_start[];

struct self_target {
	uint32_t frames;        /* FrameAllocator */
	uint64_t mapped_at;     /* where the last map went (the kernel picks for vaddr 0) */
};

static int self_memory(void *ctx, uint64_t pages, uint32_t *mo)
{
	struct self_target *s = ctx;
	struct capos_frame_allocator_alloc_in in = { .pages = pages };
	struct capos_frame_allocator_alloc_out out = { 0 };
	int err = capos_frame_allocator_alloc(capos_ring(), s->frames, &in, &out);

	if (!err)
		*mo = out.memory;
	return err;
}

static int self_map(void *ctx, uint32_t mo, uint64_t vaddr, uint64_t pages, uint32_t prot)
{
	struct self_target *s = ctx;
	struct capos_memory_object_map_in in = { .vaddr = vaddr, .first_page = 0, .pages = pages, .prot = prot };
	struct capos_memory_object_map_out out = { 0 };
	int err = capos_memory_object_map(capos_ring(), mo, &in, &out);

	if (!err)
		s->mapped_at = out.vaddr;
	return err;
}

/* This process's bootstrap page as the new program must see it. */
static void next_bootstrap(struct capos_bootstrap *b, const struct load_plan *plan, const char *args)
{
	*b = *capos_bootstrap();
	b->tls_image = plan->tls_image;
	b->tls_filesz = plan->tls_filesz;
	b->tls_memsz = plan->tls_memsz;
	b->tls_align = plan->tls_align;
	b->heap_start = plan->heap_start;
	rt_copy_text(b->args, sizeof b->args, args);
}

int capos_exec_image(const char *name, const void *image, uint64_t size, const char *args)
{
	struct elf_fault fault = { -1, NULL };
	struct self_target self = { capos_cap_find("frames", NULL), 0 };
	const struct load_target target = { self_memory, self_map, &self };
	static struct capos_bootstrap boot;  /* one exec per process: no stack room needed */
	struct load_plan plan;
	int err;

	if ((uintptr_t)image % 8 || rt_text_len(args, CAPOS_ARGS_MAX) == CAPOS_ARGS_MAX)
		return -CAPOS_EINVAL;
	if (!self.frames || !capos_bootstrap())
		return -CAPOS_ENOENT;
	if (load_plan_check(image, size, &plan, &fault)) {
		rt_load_fault("exec", name, &fault);
		return -CAPOS_EFORMAT;
	}
	if (plan.heap_start > (uint64_t)(uintptr_t)__capos_image_start)
		return -CAPOS_EEXIST;  /* the new image would land on this one */
	err = load_segments(&target, &plan);
	if (err)
		return err;
	next_bootstrap(&boot, &plan, args);
	err = load_give_memory(&target, 0, 1, CAPOS_PROT_READ, 0, &boot, sizeof boot);
	if (err)
		return err;
	rt_bootfiles_unmap();
	rt_exec_enter(plan.entry, boot.stack_top, self.mapped_at, boot.ring_addr);
}
