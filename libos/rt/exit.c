/*
 * Ending threads and the process.
 *
 * capos_thread_exit ends the calling thread (ThreadControl.exit on
 * "thread"); the kernel ends the process with its last thread, whose exit
 * code reaches the parent's ProcessHandle.wait.  The runtime's threads
 * give back their C library state first (capos_libc_thread_end, called by
 * the thread entry when fn returns; pthread_exit must do the same).
 *
 * capos_process_exit (what _exit and so exit() and returning from main
 * use) ends the whole process, but the kernel has no "end my process"
 * operation and a thread cannot end another thread.  So: the first caller
 * records the code and raises a process-wide flag, then ends its own
 * thread with the code.  Every other thread ends itself with the same
 * code at its next wait in the ring client (capos_ring_set_interrupt):
 * every capability call, sleep, park wait, join or process wait passes
 * there, and with several threads a blocked waiter wakes at least every
 * CAPOS_RC_CONTENDED_SLICE_NS (2 ms) to look.  The last thread to end
 * therefore carries the code to the parent.  A single-threaded process
 * ends at once, exactly as asked.  A thread that computes without ever
 * calling into the runtime keeps the process alive until it does; a
 * thread that ends on its own (capos_thread_exit) while the process is
 * exiting may carry its own code if it happens to be the last.
 */
#include <capos/rt.h>
#include "rt_internal.h"

static uint32_t exit_pending;       /* 1 once capos_process_exit ran */
static int64_t exit_code;
static __thread int exiting;       /* this thread is on its way out */

__attribute__((noreturn)) static void rt_die(void)
{
	for (;;)
		__asm__ volatile("ud2");
}

/*
 * ThreadControl.exit: never returns (ud2 without "thread", see capos/rt.h).
 * Uses no TLS, so bare threads (started through ThreadSpawner without the
 * runtime's TLS) may call it; capos_submit_self_noreturn never passes the
 * ring client's interrupt.
 */
__attribute__((noreturn)) static void thread_exit_now(int64_t code)
{
	struct capos_thread_control_exit_in in = { .exit_code = code };
	uint32_t cap = rt_cap(RT_CAP_THREAD);

	if (cap)
		capos_thread_control_exit(capos_ring(), cap, &in);  /* capos_submit_self_noreturn */
	rt_die();
}

void capos_thread_exit(int64_t code)
{
	thread_exit_now(code);
}

void capos_process_exit(int64_t code)
{
	uint32_t was = 0;

	exiting = 1;
	if (__atomic_compare_exchange_n(&exit_pending, &was, 2, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		exit_code = code;
		__atomic_store_n(&exit_pending, 1, __ATOMIC_RELEASE);
	} else {
		while (__atomic_load_n(&exit_pending, __ATOMIC_ACQUIRE) != 1)
			__builtin_ia32_pause();
		code = exit_code;
	}
	thread_exit_now(code);
}

/* TLS is looked at only once the process is exiting: bare threads use the ring too. */
void rt_exit_interrupt(void)
{
	if (__atomic_load_n(&exit_pending, __ATOMIC_ACQUIRE) == 1 && !exiting) {
		exiting = 1;
		thread_exit_now(exit_code);
	}
}
