/*
 * Kernel context switch (context.h).
 *
 * arch_context_switch(from, to) pushes the callee-saved registers (rbp,
 * rbx, r12-r15) on the running stack, stores RSP in from->rsp, loads
 * to->rsp, pops the same registers from there and returns into whatever
 * called arch_context_switch on that stack.  Everything else the C ABI
 * lets a call clobber.  The user GS base (which sits in MSR_KERNEL_GS
 * while the kernel runs) is per thread as well, so it is saved into from
 * and loaded from to; the user FS base and the FPU state are switched by
 * the scheduler (arch_set_fs_base, fpu_save/fpu_restore).  Interrupts are
 * off throughout (the caller holds sched_lock).
 *
 * A context that has never run was laid out by arch_context_init with
 * arch_context_start as the return address, the entry function in r12,
 * its argument in r13 and a zero rbp: arch_context_start calls entry(arg)
 * with RSP 16-byte aligned, as a frame whose caller's RBP is zero, so
 * backtraces end there.  entry must not return; if it does,
 * arch_context_entry_returned panics.
 */
#include "asm_defs.h"

#define MSR_KERNEL_GS_NUM 0xc0000102

	.text
	.globl arch_context_switch
	.type arch_context_switch, @function
arch_context_switch:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, CTX_RSP(%rdi)
	/* user GS base: from's out of MSR_KERNEL_GS, to's in (rdmsr/wrmsr use rcx, rdx, rax) */
	movl $MSR_KERNEL_GS_NUM, %ecx
	rdmsr
	movl %eax, CTX_USER_GSBASE(%rdi)
	movl %edx, CTX_USER_GSBASE + 4(%rdi)
	movl CTX_USER_GSBASE(%rsi), %eax
	movl CTX_USER_GSBASE + 4(%rsi), %edx
	wrmsr
	movq CTX_RSP(%rsi), %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
	.size arch_context_switch, . - arch_context_switch

	.globl arch_context_start
	.type arch_context_start, @function
arch_context_start:
	movq %r13, %rdi
	call *%r12
	movq %r12, %rdi
	call arch_context_entry_returned
1:	cli
	hlt
	jmp 1b
	.size arch_context_start, . - arch_context_start

	.section .note.GNU-stack, "", @progbits
