/*
 * Per-CPU records (see percpu.h) and the stacks their TSS points at.
 *
 * Before memory management exists the boot CPU takes its IST stacks from
 * .bss: they work but have no guard page.  arch_late_init swaps in stacks
 * from kstack_alloc, each with an unmapped page below it, so a handler
 * that overruns its stack faults instead of corrupting memory.  The top
 * 16 bytes of every IST stack name the CPU that owns it (asm_defs.h), for
 * the GS check of isr.S's NMI/#MC/#DF path.
 */
#include <stdint.h>
#include "percpu.h"
#include "cpu.h"
#include "../../kern/log.h"
#include "../../kern/panic.h"

#define EARLY_IST_STACK_SIZE 8192

struct arch_cpu arch_cpus[ARCH_MAX_CPUS];

static uint8_t early_ist_stacks[IST_USED][EARLY_IST_STACK_SIZE] __attribute__((aligned(16)));

struct arch_cpu *percpu_init_boot(void)
{
	struct arch_cpu *c = &arch_cpus[0];

	c->self = c;
	c->index = 0;
	for (unsigned slot = 1; slot <= IST_USED; slot++)
		percpu_set_ist_stack(c, slot, (uint64_t)(uintptr_t)&early_ist_stacks[slot - 1][EARLY_IST_STACK_SIZE]);
	gdt_init(c);
	/* After gdt_init: loading a segment selector may clear the GS base. */
	wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)c);
	wrmsr(MSR_KERNEL_GS, 0);
	return c;
}

void percpu_set_ist_stack(struct arch_cpu *c, unsigned slot, uint64_t top)
{
	uint64_t *mark = (uint64_t *)(uintptr_t)(top - IST_TOP_RESERVED);

	KASSERT((top & 15) == 0);
	mark[0] = (uint64_t)(uintptr_t)c;
	mark[1] = 0;
	tss_set_ist(c, slot, top - IST_TOP_RESERVED);
}

static const char *const ist_names[IST_USED] = { "double fault", "NMI", "machine check" };

void percpu_alloc_ist(struct arch_cpu *c)
{
	for (unsigned slot = 1; slot <= IST_USED; slot++) {
		struct kstack *s = &c->ist_stack[slot - 1];

		KASSERT(s->top == 0);
		if (kstack_alloc(s, IST_STACK_PAGES) != 0)
			panic("no memory for the %s stack of CPU %u", ist_names[slot - 1], c->index);
		percpu_set_ist_stack(c, slot, s->top);
		kdebug("arch: CPU %u %s stack 0x%llx-0x%llx (guarded)", c->index, ist_names[slot - 1],
		       (unsigned long long)s->bottom, (unsigned long long)s->top);
	}
}
