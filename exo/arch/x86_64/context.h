/*
 * Threads at the machine level: kernel context switch, first entry to user
 * mode, the SYSCALL path and per-CPU scheduling state.  The scheduler
 * (exo/proc/sched.c) is written against this header; the implementation is
 * switch.S, syscall.S, context.c and user_entry.c in this directory.
 *
 * A thread that is not running has its callee-saved registers pushed on
 * its own kernel stack; struct arch_context holds the saved stack pointer.
 * A thread running user code entered the kernel through an interrupt, an
 * exception or SYSCALL, each of which saves the full user register set as a
 * struct trap_frame at the top of the thread's kernel stack; returning to
 * user mode restores exactly that frame, so no kernel register value
 * reaches user mode.
 */
#ifndef EXO_ARCH_CONTEXT_H
#define EXO_ARCH_CONTEXT_H

#include <stdint.h>
#include "asm_defs.h"
#include "trap.h"

struct arch_context {
	uint64_t rsp;   /* saved kernel stack pointer while switched out */
	uint64_t user_gsbase;  /* the thread's user GS base while switched out (switch.S) */
};
_Static_assert(__builtin_offsetof(struct arch_context, rsp) == CTX_RSP, "switch.S offset");
_Static_assert(__builtin_offsetof(struct arch_context, user_gsbase) == CTX_USER_GSBASE, "switch.S offset");

/*
 * Prepare ctx so that the first arch_context_switch() to it runs
 * entry(arg) on the kernel stack whose top is kstack_top.  entry must not
 * return.
 */
void arch_context_init(struct arch_context *ctx, uint64_t kstack_top,
		       void (*entry)(void *), void *arg);

/* Save the running context in *from and resume *to.  Interrupts off. */
void arch_context_switch(struct arch_context *from, struct arch_context *to);

/*
 * Leave the kernel for user mode for the first time: rip, rsp, rdi = arg0,
 * rsi = arg1, every other general register zero, RFLAGS = IF only, user
 * code and data selectors.  Uses the current thread's kernel stack top
 * (set with arch_set_kernel_stack) for later entries.
 */
__attribute__((noreturn)) void arch_enter_user(uint64_t rip, uint64_t rsp, uint64_t arg0, uint64_t arg1);

/* The kernel stack that traps and SYSCALL from user mode land on (TSS.rsp0 and the per-CPU syscall stack). */
void arch_set_kernel_stack(uint64_t top);

/*
 * User FS base of the running thread (TLS).  base must be canonical (a
 * non-canonical one panics): a value from a system call must be checked
 * against ARCH_USER_TOP first.  User code may itself load any canonical
 * value with WRFSBASE, so arch_get_fs_base can return a kernel-half one.
 */
void arch_set_fs_base(uint64_t base);
uint64_t arch_get_fs_base(void);

/* Program MSRs (STAR, LSTAR, SFMASK, EFER.SCE) so SYSCALL enters syscall_entry. */
void arch_syscall_init(void);

/*
 * The last step of every return to user mode (trap_dispatch for a user
 * frame, the SYSCALL path, arch_enter_user), interrupts off: calls
 * sched_return_to_user(f), then checks that f can go back to user mode
 * (user CS and SS, RIP below ARCH_USER_TOP).  A frame that cannot is the
 * process's general-protection fault (proc_user_exception with vector
 * #GP); if the thread would still resume with it, the kernel panics.
 * Finally RFLAGS is limited to what user code may hold (IF set, IOPL 0,
 * no NT/RF/VM).
 */
void arch_user_return(struct trap_frame *f);

/* User-mode addresses are canonical lower-half: [0, 0x0000800000000000). */
#define ARCH_USER_TOP 0x0000800000000000ull

/*
 * Called from the SYSCALL path with the user registers saved in *f:
 * f->rax = number, f->rdi, f->rsi, ... = arguments; the return value goes
 * to f->rax.  Implemented by exo/proc/syscall.c.
 */
void syscall_dispatch(struct trap_frame *f);

/*
 * Called by trap_dispatch for an exception taken in user mode (instead of
 * the kernel dump-and-panic): the process is told and killed.  Implemented
 * by exo/proc/process.c.  Returns only if the thread should resume.
 */
void proc_user_exception(struct trap_frame *f);

/*
 * Called on every return to user mode (end of trap_dispatch for a user
 * frame, end of the SYSCALL path) with interrupts off: reschedule when the
 * timer asked for it, and finish a thread whose process is dying.
 * Implemented by exo/proc/sched.c.
 */
void sched_return_to_user(struct trap_frame *f);

/* Called from the LAPIC timer interrupt on every tick.  Implemented by exo/proc/sched.c. */
void sched_tick(void);

#endif
