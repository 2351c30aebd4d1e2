/*
 * The one system call: cap_enter(min_complete, timeout_ns), rax = 0.
 * Any other number is -CAPOS_ENOSYS; the ring does the rest.
 */
#include <stdint.h>
#include <capos/error.h>
#include <capos/ring.h>
#include "process.h"
#include "sched.h"
#include "thread.h"
#include "../arch/x86_64/context.h"
#include "../cap/ring.h"

void syscall_dispatch(struct trap_frame *f)
{
	struct thread *t = sched_current();

	if (f->rax != CAPOS_SYS_CAP_ENTER || !t->proc || !t->ring) {
		f->rax = (uint64_t)(int64_t)-CAPOS_ENOSYS;
		return;
	}
	if (f->rdi > UINT32_MAX) {
		f->rax = (uint64_t)(int64_t)-CAPOS_EINVAL;
		return;
	}
	f->rax = (uint64_t)ring_enter(t->ring, (uint32_t)f->rdi, f->rsi);
}
