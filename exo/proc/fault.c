/*
 * A CPU exception in user mode ends the process, never the kernel: say
 * what happened (the serial log is the user's view), mark the process
 * killed by a fault with code -(vector), and leave through thread_exit.
 * Other processes notice nothing.
 */
#include <capos/process.h>
#include "process.h"
#include "sched.h"
#include "thread.h"
#include "../arch/x86_64/context.h"
#include "../arch/x86_64/cpu.h"
#include "../kern/log.h"

static void describe(const struct process *p, const struct trap_frame *f)
{
	const char *name = trap_exception_name((unsigned)f->vector);

	if (f->vector == VEC_PF)
		kwarn("process %u (%s): %s at rip 0x%llx, address 0x%llx (%s, %s%s)", p->pid, p->name,
		      name, (unsigned long long)f->rip, (unsigned long long)read_cr2(),
		      (f->error & 1) ? "protection" : "not present", (f->error & 2) ? "write" : "read",
		      (f->error & 16) ? ", instruction fetch" : "");
	else
		kwarn("process %u (%s): %s at rip 0x%llx (error 0x%llx)", p->pid, p->name, name,
		      (unsigned long long)f->rip, (unsigned long long)f->error);
}

void proc_user_exception(struct trap_frame *f)
{
	struct thread *t = sched_current();
	struct process *p = t->proc;

	describe(p, f);
	process_kill(p, CAPOS_EXIT_FAULT, -(int64_t)f->vector);
	irq_enable();
	thread_exit(-(int64_t)f->vector);
}
