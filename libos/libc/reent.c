/*
 * Per-thread C library state.  newlib is built with __DYNAMIC_REENT__, so
 * _REENT (errno, strtok's position, rand48, number-conversion buffers,
 * ...) is whatever __getreent returns: the global _impure_ptr for the
 * main thread, and for every other thread a struct _reent of its own kept
 * in its TLS block (each thread's copy starts from the .tdata template,
 * so it needs no set-up).  stdin, stdout and stderr are the same three
 * streams for every thread (newlib's global stdio streams), guarded by
 * their locks (lock.c).  atexit handlers are process-wide.
 *
 * When a runtime thread other than the main one ends, capos_libc_thread_end
 * gives back what its _reent allocated on demand (the thread entry calls
 * it when the thread's function returns).
 */
#include <reent.h>
#include <capos/rt.h>
#include "libc_internal.h"

static __thread struct _reent thread_reent = _REENT_INIT(thread_reent);

struct _reent *__getreent(void)
{
	return capos_tcb_self()->thread ? &thread_reent : _impure_ptr;
}

void capos_libc_thread_end(void)
{
	if (capos_tcb_self()->thread)
		_reclaim_reent(&thread_reent);
}
