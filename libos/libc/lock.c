/*
 * newlib's retargetable locks (configured --enable-newlib-retargetable-
 * locking) over the runtime's park mutex (capos_mutex: a futex-style word
 * on ParkSpace).  These guard stdio streams, the stream list, atexit,
 * the environment, time zones, arc4random and — through newlib's
 * __malloc_lock/__malloc_unlock, which take __lock___malloc_recursive_mutex
 * — malloc, so every allocator entry is thread-safe.
 *
 * A lock is a capos_mutex plus, for the recursive kind, the owning
 * thread (its TCB address) and a depth.  newlib's dynamic locks (one per
 * FILE) are allocated with malloc; when that fails they share one
 * fallback lock of their kind, which is correct, only coarser.
 * Uncontended, a lock is one atomic exchange; a waiter parks in the
 * kernel (or spins without "park").
 *
 * newlib requires all these functions and static locks together, or its
 * single-threaded dummies are linked: libos/rt/start.c refers to this
 * file so it is always taken from libcapos_rt before libc.a is searched.
 */
#include <stdlib.h>
#include <sys/lock.h>
#include <capos/rt.h>

struct __lock {
	struct capos_mutex m;
	uint32_t depth;            /* recursive locks: times the owner holds it */
	struct capos_tcb *owner;   /* recursive locks: the holder, or NULL */
};

#define LOCK_INIT { CAPOS_MUTEX_INIT, 0, NULL }

struct __lock __lock___sinit_recursive_mutex = LOCK_INIT;
struct __lock __lock___sfp_recursive_mutex = LOCK_INIT;
struct __lock __lock___atexit_recursive_mutex = LOCK_INIT;
struct __lock __lock___at_quick_exit_mutex = LOCK_INIT;
struct __lock __lock___malloc_recursive_mutex = LOCK_INIT;
struct __lock __lock___env_recursive_mutex = LOCK_INIT;
struct __lock __lock___tz_mutex = LOCK_INIT;
struct __lock __lock___dd_hash_mutex = LOCK_INIT;
struct __lock __lock___arc4random_mutex = LOCK_INIT;

/* Shared by the dynamic locks malloc could not provide, one per kind. */
static struct __lock fallback_lock = LOCK_INIT, fallback_recursive = LOCK_INIT;

static int is_static(_LOCK_T lock)
{
	return lock == &fallback_lock || lock == &fallback_recursive || lock == &__lock___sinit_recursive_mutex ||
	       lock == &__lock___sfp_recursive_mutex || lock == &__lock___atexit_recursive_mutex ||
	       lock == &__lock___at_quick_exit_mutex || lock == &__lock___malloc_recursive_mutex ||
	       lock == &__lock___env_recursive_mutex || lock == &__lock___tz_mutex ||
	       lock == &__lock___dd_hash_mutex || lock == &__lock___arc4random_mutex;
}

static void lock_new(_LOCK_T *lock, struct __lock *fallback)
{
	struct __lock *l = malloc(sizeof *l);

	if (l)
		*l = (struct __lock)LOCK_INIT;
	*lock = l ? l : fallback;
}

void __retarget_lock_init(_LOCK_T *lock)
{
	lock_new(lock, &fallback_lock);
}

void __retarget_lock_init_recursive(_LOCK_T *lock)
{
	lock_new(lock, &fallback_recursive);
}

void __retarget_lock_close(_LOCK_T lock)
{
	if (lock && !is_static(lock))
		free(lock);
}

void __retarget_lock_close_recursive(_LOCK_T lock)
{
	__retarget_lock_close(lock);
}

void __retarget_lock_acquire(_LOCK_T lock)
{
	capos_mutex_lock(&lock->m);
}

int __retarget_lock_try_acquire(_LOCK_T lock)
{
	return capos_mutex_trylock(&lock->m) == 0 ? 0 : 1;
}

void __retarget_lock_release(_LOCK_T lock)
{
	capos_mutex_unlock(&lock->m);
}

static struct capos_tcb *owner_of(_LOCK_T lock)
{
	return __atomic_load_n(&lock->owner, __ATOMIC_RELAXED);
}

void __retarget_lock_acquire_recursive(_LOCK_T lock)
{
	struct capos_tcb *self = capos_tcb_self();

	if (owner_of(lock) == self) {
		lock->depth++;
		return;
	}
	capos_mutex_lock(&lock->m);
	__atomic_store_n(&lock->owner, self, __ATOMIC_RELAXED);
	lock->depth = 1;
}

int __retarget_lock_try_acquire_recursive(_LOCK_T lock)
{
	struct capos_tcb *self = capos_tcb_self();

	if (owner_of(lock) == self) {
		lock->depth++;
		return 0;
	}
	if (capos_mutex_trylock(&lock->m) != 0)
		return 1;
	__atomic_store_n(&lock->owner, self, __ATOMIC_RELAXED);
	lock->depth = 1;
	return 0;
}

void __retarget_lock_release_recursive(_LOCK_T lock)
{
	if (--lock->depth)
		return;
	__atomic_store_n(&lock->owner, NULL, __ATOMIC_RELAXED);
	capos_mutex_unlock(&lock->m);
}
