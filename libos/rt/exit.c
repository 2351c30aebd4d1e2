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
 * use) ends the whole process with ThreadControl.exit_process: the kernel
 * records reason normal and this code (the first caller's code wins) and
 * every thread leaves at its next return to user mode — a thread blocked
 * in a wait is woken for it, one computing is stopped at its next timer
 * tick.
 *
 * Without "thread" neither can be asked for: the exit executes ud2, and
 * the deliberate fault makes the kernel end the process (reason fault,
 * code -6) instead of leaving it spinning.
 */
#include <capos/rt.h>
#include "rt_internal.h"

__attribute__((noreturn)) static void rt_die(void)
{
	for (;;)
		__asm__ volatile("ud2");
}

void capos_thread_exit(int64_t code)
{
	struct capos_thread_control_exit_in in = { .exit_code = code };
	uint32_t cap = rt_cap(RT_CAP_THREAD);

	if (cap)
		capos_thread_control_exit(capos_ring(), cap, &in);  /* returns only when refused */
	rt_die();
}

void capos_process_exit(int64_t code)
{
	struct capos_thread_control_exit_process_in in = { .exit_code = code };
	uint32_t cap = rt_cap(RT_CAP_THREAD);

	if (cap)
		capos_thread_control_exit_process(capos_ring(), cap, &in);
	rt_die();
}
