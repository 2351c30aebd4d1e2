/*
 * Interrupt and exception entry.  One 16-byte stub per vector (all 256):
 * it pushes a zero error code when the CPU does not push one, then the
 * vector number, and jumps to isr_common (or, for NMI, #DF and #MC, to
 * isr_paranoid), which saves every general register into a struct
 * trap_frame (trap.h) and calls trap_dispatch.  idt.c finds stub n at
 * isr_stubs + 16 * n.
 *
 * Both paths also:
 *   - make %gs:0 this CPU's struct arch_cpu for the handler and give the
 *     interrupted context its own GS base back on the way out;
 *   - clear RFLAGS.DF and RFLAGS.AC: the C ABI wants DF clear, and a
 *     handler must not run with SMAP's user-access window open (the
 *     interrupted context's flags come back with iretq);
 *   - link a frame record (trapped RIP, trapped RBP) so backtraces from
 *     inside a handler continue into the interrupted code.
 * The CPU aligns RSP to 16 before pushing its frame; 5 + 2 + 15 pushes
 * keep that, and the two-word link keeps it for the call.
 *
 * GS: isr_common trusts CS: a trap from user mode (RPL 3) swaps on entry
 * and swaps back just before iretq.  Ordinary interrupts cannot arrive in
 * the instructions where the kernel runs on the user GS (syscall_entry's
 * first one, the exit paths after their swapgs: interrupts are off
 * there), but NMI, #MC and #DF can, so isr_paranoid compares the GS base
 * with the CPU pointer stored at the top of its IST stack (asm_defs.h),
 * swaps only when they differ and swaps back only if it swapped.
 *
 * A trap from user mode lands at the top of the running thread's kernel
 * stack (TSS.rsp0); trap_dispatch returns from it through arch_user_return,
 * which may switch threads: the frame restored here is then still this
 * thread's own, found again at the top of its own stack.
 */
#include "asm_defs.h"

#define MSR_GS_BASE_NUM 0xc0000101

	.text
	.balign 16
	.globl isr_stubs
isr_stubs:
	.set vec, 0
	.rept 256
	.balign 16
	/* Vectors that push an error code: #DF #TS #NP #SS #GP #PF #AC #CP #VC #SX. */
	.if !(vec == 8 || vec == 10 || vec == 11 || vec == 12 || vec == 13 || vec == 14 || vec == 17 || vec == 21 || vec == 29 || vec == 30)
	pushq $0
	.endif
	pushq $vec
	.if vec == 2 || vec == 8 || vec == 18
	jmp isr_paranoid
	.else
	jmp isr_common
	.endif
	.set vec, vec + 1
	.endr
	.balign 16
	.globl isr_stubs_end
isr_stubs_end:

	.type isr_common, @function
isr_common:
	cld
	testb $3, (FRAME_CS - FRAME_VECTOR)(%rsp)
	jz 1f
	swapgs
1:	SAVE_GPRS
	CLEAR_AC
	CALL_WITH_FRAME trap_dispatch
	RESTORE_GPRS
	testb $3, (FRAME_CS - FRAME_VECTOR)(%rsp)
	jz 2f
	swapgs
2:	addq $16, %rsp
	iretq
	.size isr_common, . - isr_common

/*
 * NMI, #DF, #MC, on their IST stacks.  %rbx (callee-saved, so it survives
 * trap_dispatch) remembers whether we swapped.
 */
	.type isr_paranoid, @function
isr_paranoid:
	cld
	SAVE_GPRS
	CLEAR_AC
	movl $MSR_GS_BASE_NUM, %ecx
	rdmsr
	shlq $32, %rdx
	orq %rax, %rdx
	xorl %ebx, %ebx
	cmpq FRAME_SIZE(%rsp), %rdx
	je 1f
	swapgs
	movl $1, %ebx
1:	CALL_WITH_FRAME trap_dispatch
	testl %ebx, %ebx
	jz 2f
	swapgs
2:	RESTORE_GPRS
	addq $16, %rsp
	iretq
	.size isr_paranoid, . - isr_paranoid

	.section .note.GNU-stack, "", @progbits
