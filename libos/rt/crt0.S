/*
 * Process and thread entry points.  The kernel enters a new process at
 * _start with the bootstrap page in %rdi and a ready stack; a thread made
 * by capos_thread_create enters at capos_rt_thread_entry with its TCB in
 * %rdi.  Both clear the frame pointer (the end of every backtrace), align
 * the stack to 16 bytes as the SysV ABI wants before a call, and never
 * return: if the C code ever did, ud2 makes the kernel end the process.
 * rt_exec_enter (exec.c) enters a replacement program exactly as the
 * kernel enters the first.
 */
	.section .text.capos_start, "ax", @progbits
	.globl _start
	.type _start, @function
_start:
	xorl %ebp, %ebp
	andq $-16, %rsp
	call capos_rt_start
	ud2
	.size _start, . - _start

	.globl capos_rt_thread_entry
	.type capos_rt_thread_entry, @function
capos_rt_thread_entry:
	xorl %ebp, %ebp
	andq $-16, %rsp
	call capos_rt_thread_main
	ud2
	.size capos_rt_thread_entry, . - capos_rt_thread_entry

/* rt_exec_enter(entry, stack, boot, ring): the state _start expects, then the new program. */
	.globl rt_exec_enter
	.type rt_exec_enter, @function
rt_exec_enter:
	movq %rsi, %rsp
	movq %rdi, %rax
	movq %rdx, %rdi
	movq %rcx, %rsi
	xorl %ebp, %ebp
	jmp *%rax
	.size rt_exec_enter, . - rt_exec_enter

	.section .note.GNU-stack, "", @progbits
