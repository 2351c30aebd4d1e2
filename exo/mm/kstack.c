/*
 * Kernel stacks with guard pages.  The stack region (VM_KSTACK_BASE,
 * VM_KSTACK_SIZE) is cut into slots of KSTACK_SLOT_PAGES pages; a stack of
 * n pages occupies the top n pages of its slot and the rest of the slot
 * stays unmapped, so running off the bottom of a stack faults on its own
 * guard pages and running off the top faults on the next slot's.  Frames
 * come from the frame allocator, mapped RW+NX through vm_kernel_map_page.
 *
 * Slots are handed out lowest first, so the stack region's page tables
 * (never freed) only cover as many slots as were ever in use at once.
 *
 * kstack_lock (irqsave) guards only the slot bitmap; mapping happens
 * outside it, in a slot nobody else can touch.  Freeing a stack that was
 * not allocated, or the stack we are running on, is a kernel bug.
 */
#include <capos/error.h>
#include "mm.h"
#include "../kern/panic.h"
#include "../kern/spinlock.h"

#define KSTACK_SLOT_BYTES ((uint64_t)KSTACK_SLOT_PAGES * PAGE_SIZE)
#define KSTACK_SLOTS (VM_KSTACK_SIZE / KSTACK_SLOT_BYTES)

static struct spinlock kstack_lock = SPINLOCK_INIT;
static uint64_t kstack_used[KSTACK_SLOTS / 64];   /* guarded by kstack_lock; bit set: slot taken */
static uint64_t kstack_hint;                      /* guarded by kstack_lock: lowest word with a free slot, or below */

static int kstack_slot_take(uint64_t *slot)
{
	uint64_t flags = spin_lock_irqsave(&kstack_lock);
	uint64_t words = KSTACK_SLOTS / 64;

	for (uint64_t n = 0; n < words; n++) {
		uint64_t w = (kstack_hint + n) % words;

		if (kstack_used[w] != ~0ull) {
			uint64_t bit = (uint64_t)__builtin_ctzll(~kstack_used[w]);

			kstack_used[w] |= 1ull << bit;
			kstack_hint = w;
			spin_unlock_irqrestore(&kstack_lock, flags);
			*slot = w * 64 + bit;
			return 0;
		}
	}
	spin_unlock_irqrestore(&kstack_lock, flags);
	return -CAPOS_ENOMEM;
}

static bool kstack_slot_taken(uint64_t slot)
{
	uint64_t flags = spin_lock_irqsave(&kstack_lock);
	bool taken = kstack_used[slot / 64] >> (slot % 64) & 1;

	spin_unlock_irqrestore(&kstack_lock, flags);
	return taken;
}

static void kstack_slot_release(uint64_t slot)
{
	uint64_t flags = spin_lock_irqsave(&kstack_lock);

	kstack_used[slot / 64] &= ~(1ull << (slot % 64));
	if (slot / 64 < kstack_hint)
		kstack_hint = slot / 64;  /* keep stacks low: tables stay bounded by the peak */
	spin_unlock_irqrestore(&kstack_lock, flags);
}

/* Unmap and free pages [bottom, bottom + pages * PAGE_SIZE). */
static void kstack_unmap(uint64_t bottom, uint64_t pages)
{
	for (uint64_t i = 0; i < pages; i++) {
		uint64_t phys;

		if (vm_kernel_unmap_page(bottom + i * PAGE_SIZE, &phys) != 1)
			panic("kstack: page %#llx of a stack was not mapped",
			      (unsigned long long)(bottom + i * PAGE_SIZE));
		frame_free(phys);
	}
}

static int kstack_map(uint64_t bottom, uint64_t pages)
{
	for (uint64_t i = 0; i < pages; i++) {
		uint64_t phys;
		int err = frame_alloc(&phys);

		if (!err) {
			err = vm_kernel_map_page(bottom + i * PAGE_SIZE, phys, PT_WRITE | PT_NX);
			if (err)
				frame_free(phys);
		}
		if (err) {
			kstack_unmap(bottom, i);
			return err;
		}
	}
	return 0;
}

int kstack_alloc(struct kstack *out, uint64_t pages)
{
	uint64_t slot, top;
	int err;

	if (pages == 0 || pages > KSTACK_MAX_PAGES)
		return -CAPOS_EINVAL;
	err = kstack_slot_take(&slot);
	if (err)
		return err;
	top = VM_KSTACK_BASE + (slot + 1) * KSTACK_SLOT_BYTES;
	err = kstack_map(top - pages * PAGE_SIZE, pages);
	if (err) {
		kstack_slot_release(slot);
		return err;
	}
	out->bottom = top - pages * PAGE_SIZE;
	out->top = top;
	return 0;
}

void kstack_free(struct kstack *stack)
{
	uint64_t rsp = (uint64_t)(uintptr_t)__builtin_frame_address(0);
	uint64_t off = stack->top - VM_KSTACK_BASE;
	uint64_t pages = (stack->top - stack->bottom) / PAGE_SIZE;

	if (stack->top <= VM_KSTACK_BASE || off > VM_KSTACK_SIZE || off % KSTACK_SLOT_BYTES != 0 ||
	    stack->bottom >= stack->top || (stack->top - stack->bottom) % PAGE_SIZE != 0 ||
	    pages > KSTACK_MAX_PAGES)
		panic("kstack_free: [%#llx, %#llx) is not a kernel stack",
		      (unsigned long long)stack->bottom, (unsigned long long)stack->top);
	if (rsp >= stack->bottom && rsp < stack->top)
		panic("kstack_free: freeing the stack we are running on");
	if (!kstack_slot_taken(off / KSTACK_SLOT_BYTES - 1))
		panic("kstack_free: stack at %#llx is not allocated (double free?)",
		      (unsigned long long)stack->top);
	kstack_unmap(stack->bottom, pages);
	kstack_slot_release(off / KSTACK_SLOT_BYTES - 1);
	stack->bottom = stack->top = 0;
}

/* Allocate `stacks` one-page stacks at once (the lowest free slots, so
 * their tables get made) and free them again. */
int kstack_prepare_tables(uint64_t stacks)
{
	struct kstack *held = kzalloc(stacks * sizeof *held);
	uint64_t made = 0;
	int err = held ? 0 : -CAPOS_ENOMEM;

	while (!err && made < stacks) {
		err = kstack_alloc(&held[made], 1);
		if (!err)
			made++;
	}
	while (made > 0)
		kstack_free(&held[--made]);
	kfree(held);
	return err;
}
