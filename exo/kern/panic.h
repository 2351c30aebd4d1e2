/*
 * panic: the kernel found a bug in itself.  Never called on user input:
 * user mistakes return errors.  Prints the message and a backtrace, then
 * reports CAPOS_VERDICT_PANIC and stops.  KASSERT is for invariants.
 */
#ifndef EXO_KERN_PANIC_H
#define EXO_KERN_PANIC_H

__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt, ...);

#define KASSERT(cond) \
	do { if (!(cond)) panic("assertion failed: %s (%s:%d)", #cond, __FILE__, __LINE__); } while (0)

#endif
