/*
 * The kernel's window onto user memory under SMAP.
 *
 * With CR4.SMAP on, any kernel access to a user page faults unless
 * RFLAGS.AC is set.  Code that copies to or from user memory brackets the
 * copy with user_access_begin/end and does nothing else inside: no calls
 * that might sleep or log, so the window stays small.  Interrupt entry
 * (isr.S) clears AC, so handlers never inherit an open window; iretq
 * restores the interrupted flags.  Without SMAP both are no-ops.
 */
#ifndef EXO_ARCH_UACCESS_H
#define EXO_ARCH_UACCESS_H

#include "arch.h"

static inline void user_access_begin(void)
{
	if (boot_cpu.smap)
		__asm__ volatile("stac" ::: "memory", "cc");
}

static inline void user_access_end(void)
{
	if (boot_cpu.smap)
		__asm__ volatile("clac" ::: "memory", "cc");
}

#endif
