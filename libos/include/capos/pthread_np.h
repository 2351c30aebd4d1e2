/*
 * What the libOS pthread subset (libos/libc/pthread.c) adds to newlib's
 * <pthread.h>, which declares the functions and types under
 * _POSIX_THREADS but, in the configuration capOS builds newlib with, not
 * the UNIX98 mutex types (_UNIX98_THREAD_MUTEX_ATTRIBUTES is not
 * defined, so pthread_mutexattr_t has no `type` member; the type lives in
 * its `recursive` member: 1 = PTHREAD_MUTEX_RECURSIVE, as newlib's own
 * convention has it) nor the limits.
 *
 * The subset:
 *   threads    pthread_create (attrs: detach state, stack size),
 *              join, detach, self, equal, exit
 *   mutexes    normal (= default), recursive and error-checking types;
 *              lock, trylock, unlock, init, destroy
 *   condvars   wait, timedwait (CLOCK_REALTIME or CLOCK_MONOTONIC
 *              deadlines, pthread_condattr_setclock), signal, broadcast
 *   once, keys (destructors run when a thread started by pthread_create
 *              returns or calls pthread_exit)
 * Objects are 32-bit handles (newlib's types): PTHREAD_MUTEX_INITIALIZER,
 * PTHREAD_COND_INITIALIZER and zero-filled storage all mean "default
 * attributes, not yet used".  The main thread (and a thread started with
 * capos_thread_create) has a pthread_t (bit 31 set, its kernel thread id)
 * but cannot be joined or detached (EINVAL).
 */
#ifndef CAPOS_PTHREAD_NP_H
#define CAPOS_PTHREAD_NP_H

#include <pthread.h>

#ifndef PTHREAD_MUTEX_NORMAL
#define PTHREAD_MUTEX_NORMAL     0
#define PTHREAD_MUTEX_RECURSIVE  1
#define PTHREAD_MUTEX_ERRORCHECK 2
#define PTHREAD_MUTEX_DEFAULT    3
#endif

#if !defined(_UNIX98_THREAD_MUTEX_ATTRIBUTES)
int pthread_mutexattr_gettype(const pthread_mutexattr_t *attr, int *type);
int pthread_mutexattr_settype(pthread_mutexattr_t *attr, int type);
#endif

#define CAPOS_PTHREAD_STACK_MIN 16384
#if !defined(PTHREAD_STACK_MIN) || PTHREAD_STACK_MIN < CAPOS_PTHREAD_STACK_MIN
#undef PTHREAD_STACK_MIN
#define PTHREAD_STACK_MIN CAPOS_PTHREAD_STACK_MIN
#endif
#ifndef PTHREAD_KEYS_MAX
#define PTHREAD_KEYS_MAX 128
#endif
#ifndef PTHREAD_DESTRUCTOR_ITERATIONS
#define PTHREAD_DESTRUCTOR_ITERATIONS 4
#endif

#endif
