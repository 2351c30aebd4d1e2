/*
 * The user/kernel boundary for system calls, and the first entry to user
 * mode (context.h).
 *
 * syscall_entry is where SYSCALL lands (MSR_LSTAR): ring 0, CS/SS from
 * STAR, RCX = user RIP, R11 = user RFLAGS, RFLAGS masked by SFMASK (IF,
 * TF, DF, AC, IOPL, NT clear), and RSP and GS still the user's.  It swaps
 * GS, parks the user RSP in the per-CPU record, moves to the running
 * thread's kernel stack (per-CPU kstack_top, which arch_set_kernel_stack
 * keeps equal to TSS.rsp0) and builds there the same struct trap_frame a
 * trap from user mode would leave: CPU-style frame (user SS, RSP, RFLAGS,
 * CS, RIP), error 0, vector VEC_SYSCALL, all general registers.  Under a
 * frame record (user RIP, user RBP) it runs syscall_dispatch(frame) with
 * interrupts on, then, interrupts off, arch_user_return(frame) (which
 * calls sched_return_to_user and may switch threads; this thread comes
 * back on its own stack, to its own frame).
 *
 * The way out restores every general register from the frame.  SYSRETQ
 * is used when the frame allows it: RIP below ASM_USER_TOP (SYSRET with
 * a non-canonical RCX faults in ring 0 on Intel, on the user GS and RSP)
 * and the user CS and SS.  It loads RIP from RCX and RFLAGS from R11, so
 * those two are first set in the frame to RIP and RFLAGS, as the CPU did
 * on entry.  Any other frame leaves through IRETQ.  arch_user_return has
 * already vetted the frame, so the IRETQ path is the defensive one.
 *
 * arch_user_iret is the first entry of a thread: from the top of its
 * kernel stack, an IRETQ frame (user SS, RSP, RFLAGS, CS, RIP), every
 * general register zero but RDI and RSI, then swapgs so the kernel GS
 * base waits in MSR_KERNEL_GS for the next entry.
 */
#include "asm_defs.h"

	.text
	.globl syscall_entry
	.type syscall_entry, @function
syscall_entry:
	swapgs
	movq %rsp, %gs:CPU_USER_RSP
	movq %gs:CPU_KSTACK_TOP, %rsp
	pushq $SEL_UDATA
	pushq %gs:CPU_USER_RSP
	pushq %r11
	pushq $SEL_UCODE
	pushq %rcx
	pushq $0
	pushq $VEC_SYSCALL
	SAVE_GPRS
	movq %rsp, %rdi
	pushq FRAME_RIP(%rdi)
	pushq %rbp
	movq %rsp, %rbp
	sti
	call syscall_dispatch
	cli
	leaq 16(%rsp), %rdi
	call arch_user_return
	addq $16, %rsp
	/* %rsp = the frame.  SYSRETQ only for a canonical user RIP and user selectors. */
	movq FRAME_RIP(%rsp), %rcx
	movabsq $ASM_USER_TOP, %r11
	cmpq %r11, %rcx
	jae syscall_exit_iret
	cmpq $SEL_UCODE, FRAME_CS(%rsp)
	jne syscall_exit_iret
	cmpq $SEL_UDATA, FRAME_SS(%rsp)
	jne syscall_exit_iret
	movq %rcx, FRAME_RCX(%rsp)
	movq FRAME_RFLAGS(%rsp), %r11
	movq %r11, FRAME_R11(%rsp)
	RESTORE_GPRS
	swapgs
	movq (FRAME_RSP - FRAME_VECTOR)(%rsp), %rsp
	sysretq

syscall_exit_iret:
	RESTORE_GPRS
	testb $3, (FRAME_CS - FRAME_VECTOR)(%rsp)
	jz 1f
	swapgs
1:	addq $16, %rsp
	iretq
	.size syscall_entry, . - syscall_entry

/* void arch_user_iret(rip, rsp, rflags, arg0, arg1): interrupts off, GS the kernel's. */
	.globl arch_user_iret
	.type arch_user_iret, @function
arch_user_iret:
	movq %gs:CPU_KSTACK_TOP, %rsp
	pushq $SEL_UDATA
	pushq %rsi
	pushq %rdx
	pushq $SEL_UCODE
	pushq %rdi
	movq %rcx, %rdi
	movq %r8, %rsi
	xorl %eax, %eax
	xorl %ebx, %ebx
	xorl %ecx, %ecx
	xorl %edx, %edx
	xorl %ebp, %ebp
	xorl %r8d, %r8d
	xorl %r9d, %r9d
	xorl %r10d, %r10d
	xorl %r11d, %r11d
	xorl %r12d, %r12d
	xorl %r13d, %r13d
	xorl %r14d, %r14d
	xorl %r15d, %r15d
	swapgs
	iretq
	.size arch_user_iret, . - arch_user_iret

	.section .note.GNU-stack, "", @progbits
