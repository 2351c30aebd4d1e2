/*
 * The user/kernel boundary, the C half (context.h; syscall.S is the
 * assembly half): the SYSCALL MSRs, the checks every return to user mode
 * passes (arch_user_return) and a thread's first entry to user mode.
 *
 * The return-to-user rule (user_frame.h): a frame goes back to user mode
 * only with the user code and stack selectors and a RIP in the lower
 * canonical half, so neither SYSRETQ nor IRETQ can fault in ring 0 on the
 * user GS, and with RFLAGS cut down to the flags user code may own (IF
 * always on, IOPL 0).  A frame that breaks the rule is the process's #GP,
 * never the kernel's.  Everything here runs on the current CPU with
 * interrupts off.
 */
#include <stdbool.h>
#include <stdint.h>
#include "asm_defs.h"
#include "context.h"
#include "cpu.h"
#include "percpu.h"
#include "trap.h"
#include "user_frame.h"
#include "../../kern/irqwatch.h"
#include "../../kern/panic.h"
#include "../../mm/mm.h"

/* SYSCALL clears these: no interrupts, single-step, DF, SMAP window, IOPL or NT in the kernel. */
#define SYSCALL_RFLAGS_MASK (RFLAGS_BIT_IF | RFLAGS_BIT_TF | RFLAGS_BIT_DF | RFLAGS_BIT_AC | \
			     RFLAGS_BIT_IOPL | RFLAGS_BIT_NT)

/* syscall.S */
void syscall_entry(void);
__attribute__((noreturn)) void arch_user_iret(uint64_t rip, uint64_t rsp, uint64_t rflags,
					      uint64_t arg0, uint64_t arg1);

void arch_syscall_init(void)
{
	wrmsr(MSR_STAR, STAR_VALUE);
	wrmsr(MSR_LSTAR, (uint64_t)(uintptr_t)syscall_entry);
	wrmsr(MSR_SFMASK, SYSCALL_RFLAGS_MASK);
	wrmsr(MSR_EFER, read_efer() | EFER_SCE);
}

/* A frame that cannot go back: the process takes a #GP, as if the CPU had raised it in user mode. */
static void user_frame_refuse(struct trap_frame *f)
{
	f->vector = VEC_GP;
	f->error = 0;
	proc_user_exception(f);
	sched_return_to_user(f);
	if (!user_frame_ok(f))
		panic("arch: a thread resumed to RIP 0x%llx CS 0x%llx SS 0x%llx, not user mode",
		      (unsigned long long)f->rip, (unsigned long long)f->cs, (unsigned long long)f->ss);
}

void arch_user_return(struct trap_frame *f)
{
	KASSERT(!(read_rflags() & RFLAGS_IF));
	irqwatch_begin_if_idle();  /* syscall_entry's cli is not a hook */
	sched_return_to_user(f);
	if (!user_frame_ok(f))
		user_frame_refuse(f);
	f->rflags = user_rflags(f->rflags);
	KASSERT(!(read_rflags() & RFLAGS_IF));
	irqwatch_end();  /* sysretq or iretq turns them back on */
}

/* We must be on the thread's own kernel stack: arch_user_iret restarts it from the top. */
static bool on_kernel_stack(uint64_t top)
{
	uint64_t rsp = (uint64_t)(uintptr_t)__builtin_frame_address(0);

	return top != 0 && rsp < top && top - rsp < KSTACK_MAX_PAGES * PAGE_SIZE;
}

void arch_enter_user(uint64_t rip, uint64_t rsp, uint64_t arg0, uint64_t arg1)
{
	/* Not made by a trap: vector VEC_SYSCALL marks a frame that no CPU vector saved. */
	struct trap_frame f = {
		.rip = rip, .rsp = rsp, .rdi = arg0, .rsi = arg1, .rflags = RFLAGS_USER_INIT,
		.cs = SEL_UCODE, .ss = SEL_UDATA, .vector = VEC_SYSCALL,
	};

	irq_disable();
	if (!on_kernel_stack(this_cpu()->kstack_top))
		panic("arch: arch_enter_user off the thread's kernel stack (top 0x%llx)",
		      (unsigned long long)this_cpu()->kstack_top);
	arch_user_return(&f);
	arch_user_iret(f.rip, f.rsp, f.rflags, f.rdi, f.rsi);
}
