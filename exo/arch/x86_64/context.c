/*
 * Kernel contexts and per-thread machine state, the C half of context.h:
 * the initial frame of a new kernel context (switch.S does the switch
 * itself), the running thread's kernel stack (TSS.rsp0 and the per-CPU
 * SYSCALL stack) and its user FS base.  The user boundary (SYSCALL MSRs,
 * return to user mode, first entry) is user_entry.c and syscall.S.
 * Everything here touches only the current CPU's state.
 */
#include <stdbool.h>
#include <stdint.h>
#include <capos/bootinfo.h>
#include "arch.h"
#include "asm_defs.h"
#include "context.h"
#include "cpu.h"
#include "percpu.h"
#include "user_frame.h"
#include "../../kern/panic.h"
#include "../../mm/mm.h"

/* switch.S: where a new context starts, and what it calls if entry returns. */
void arch_context_start(void);
__attribute__((noreturn)) void arch_context_entry_returned(void (*entry)(void *));

/* What arch_context_switch pops the first time, then arch_context_start's frame. */
struct initial_frame {
	uint64_t r15, r14, r13, r12, rbx, rbp;
	uint64_t ret;       /* arch_context_start */
	uint64_t end[2];    /* a zero frame record; keeps the call in arch_context_start 16-aligned */
};
_Static_assert(sizeof(struct initial_frame) % 16 == 8, "entry must be called with RSP 16-aligned");

static bool kernel_stack_top_ok(uint64_t top)
{
	return top >= CAPOS_HHDM_BASE && (top & 15) == 0;
}

void arch_context_init(struct arch_context *ctx, uint64_t kstack_top, void (*entry)(void *), void *arg)
{
	struct initial_frame *fr;

	KASSERT(ctx != NULL && entry != NULL && kernel_stack_top_ok(kstack_top));
	fr = (struct initial_frame *)(uintptr_t)(kstack_top - sizeof *fr);
	*fr = (struct initial_frame){
		.r12 = (uint64_t)(uintptr_t)entry,
		.r13 = (uint64_t)(uintptr_t)arg,
		.rbp = 0,
		.ret = (uint64_t)(uintptr_t)arch_context_start,
	};
	ctx->rsp = (uint64_t)(uintptr_t)fr;
	ctx->user_gsbase = 0;
}

void arch_context_entry_returned(void (*entry)(void *))
{
	panic("arch: context entry %p returned (a thread body must not return)", (void *)entry);
}

void arch_set_kernel_stack(uint64_t top)
{
	struct arch_cpu *c = this_cpu();

	KASSERT(kernel_stack_top_ok(top));
	tss_set_rsp0(c, top);
	c->kstack_top = top;
}

void arch_set_fs_base(uint64_t base)
{
	if (!va_canonical(base, boot_cpu.virt_addr_bits ? boot_cpu.virt_addr_bits : 48))
		panic("arch: user FS base 0x%llx is not canonical", (unsigned long long)base);
	if (boot_cpu.fsgsbase)
		__asm__ volatile("wrfsbase %0" :: "r"(base) : "memory");
	else
		wrmsr(MSR_FS_BASE, base);
}

uint64_t arch_get_fs_base(void)
{
	uint64_t base;

	if (!boot_cpu.fsgsbase)
		return rdmsr(MSR_FS_BASE);
	__asm__ volatile("rdfsbase %0" : "=r"(base));
	return base;
}
