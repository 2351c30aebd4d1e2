/*
 * capOS: appended to newlib.h when the libOS build installs newlib
 * (subprojects/packagefiles/newlib/capos-config.h), so every program that
 * includes a newlib header sees the configuration the library was built
 * with, without extra compiler flags.
 *
 * __DYNAMIC_REENT__: _REENT is __getreent(), the calling thread's C
 *   library state (errno, strtok, ...), defined by the libOS
 *   (libos/libc/reent.c).  newlib itself is compiled with it.
 * _POSIX_TIMERS, _POSIX_MONOTONIC_CLOCK, _POSIX_CLOCK_SELECTION: declare
 *   clock_gettime, clock_getres, nanosleep, clock_nanosleep and
 *   CLOCK_MONOTONIC (libos/libc/time.c).
 * _POSIX_THREADS: declare the pthread types and functions (the libOS
 *   pthread subset).
 * _READ_WRITE_RETURN_TYPE: read and write return ssize_t, as POSIX says
 *   (newlib is compiled with the same definition).
 */
#ifndef __CAPOS_NEWLIB_CONFIG_H
#define __CAPOS_NEWLIB_CONFIG_H
#define __capos__ 1
#ifndef __DYNAMIC_REENT__
#define __DYNAMIC_REENT__ 1
#endif
#ifndef _POSIX_TIMERS
#define _POSIX_TIMERS 1
#endif
#ifndef _POSIX_MONOTONIC_CLOCK
#define _POSIX_MONOTONIC_CLOCK 200112L
#endif
#ifndef _POSIX_CLOCK_SELECTION
#define _POSIX_CLOCK_SELECTION 200112L
#endif
#ifndef _READ_WRITE_RETURN_TYPE
#define _READ_WRITE_RETURN_TYPE _ssize_t
#endif
#ifndef _POSIX_THREADS
#define _POSIX_THREADS 1
#endif
#endif
