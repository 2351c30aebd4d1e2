/*
 * The pthread subset (what it covers: capos/pthread_np.h) over the
 * runtime's threads (capos_thread_create: ThreadSpawner) and park words
 * (ParkSpace).
 *
 * Objects.  newlib's pthread_t, pthread_mutex_t and pthread_cond_t are
 * 32-bit, so they are handles into one table of objects: bits 0-19 the
 * slot + 1, bits 20-30 a generation bumped when the slot is freed (a
 * stale handle is refused: ESRCH for threads, EINVAL otherwise), bit 31
 * clear.  The table grows in chunks of 256 slots (malloc) that are never
 * given back, so a lookup is two loads without a lock.  Mutex and
 * condition handles 0 and 0xFFFFFFFF (the static initializers) are
 * allocated with default attributes on first use (a compare-and-swap
 * decides between racing first users).  A thread not started by
 * pthread_create (the main thread, capos_thread_create threads) is named
 * by bit 31 | its kernel thread id (ThreadControl.self, asked once).
 *
 * Threads.  A record per pthread_create'd thread holds the start
 * routine, its result and a state word: RUNNING (joinable), DETACHED,
 * EXITED (result stored, waiting for its joiner).  The thread ends with
 * state RUNNING -> EXITED, or frees its own record when DETACHED;
 * pthread_detach of an EXITED thread frees it instead.  One joiner at a
 * time (a second concurrent pthread_join: EINVAL).  The kernel-level
 * thread (struct capos_thread) is joined or detached through the
 * runtime, which frees its stack.  A new thread waits for its creator to
 * have stored the runtime's record before it runs the start routine, so
 * pthread_detach(pthread_self()) at once is safe.  pthread_exit runs the
 * key destructors, gives back the C library state
 * (capos_libc_thread_end) and ends with capos_thread_exit(0): a process
 * whose last thread is a pthread ends with code 0, as POSIX says.
 *
 * Mutexes.  A capos_mutex (three-state park word) plus owner (TCB
 * address) and depth for the recursive and error-checking types.
 * Condition variables: a sequence word the waiters park on; signal and
 * broadcast bump it and wake one or all parked waiters (only when some
 * are counted in).  Waiters may wake spuriously, as POSIX allows.  Keys:
 * a global table of destructors with generations, and per-thread (TLS)
 * values stamped with the generation they were set under, so a value
 * left from a deleted key reads as NULL under a new one.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <capos/pthread_np.h>
#include <capos/rt.h>

/* ------------------------------------------------------------- handles */

#define H_SLOT_BITS 20u
#define H_SLOT_MASK ((1u << H_SLOT_BITS) - 1)
#define H_GEN_MASK 0x7ffu
#define H_FOREIGN 0x80000000u
#define H_LAZY 0xffffffffu
#define CHUNK_SLOTS 256u
#define MAX_SLOTS (H_SLOT_MASK - 1)               /* slot + 1 fits in 20 bits, never all ones */
#define MAX_CHUNKS ((MAX_SLOTS + CHUNK_SLOTS - 1) / CHUNK_SLOTS)

enum obj_kind { OBJ_FREE, OBJ_THREAD, OBJ_MUTEX, OBJ_COND };

enum thread_state { T_RUNNING, T_DETACHED, T_EXITED };

struct pt_thread {
	void *(*start)(void *);
	void *arg;
	void *result;
	struct capos_thread *ct;
	uint32_t ready;        /* 1 once ct is stored (the new thread parks on it) */
	uint32_t state;        /* enum thread_state, atomic */
	uint32_t joining;      /* 1 while a pthread_join is under way */
};

struct pt_mutex {
	struct capos_mutex m;
	int type;              /* PTHREAD_MUTEX_* */
	uint32_t depth;        /* recursive: times the owner holds it */
	struct capos_tcb *owner;
};

struct pt_cond {
	uint32_t seq;          /* the park word: bumped by signal and broadcast */
	uint32_t waiters;
	clockid_t clock;
};

struct pt_obj {
	uint32_t handle;       /* the live handle, 0 when free (atomic) */
	uint32_t slot;         /* its index in the table */
	uint32_t gen;
	uint32_t kind;
	struct pt_obj *next_free;
	union {
		struct pt_thread t;
		struct pt_mutex m;
		struct pt_cond c;
	} u;
};

static struct capos_mutex table_lock = CAPOS_MUTEX_INIT;
static struct pt_obj *chunks[MAX_CHUNKS];
static uint32_t slots_used;
static struct pt_obj *free_list;

static struct pt_obj *slot_at(uint32_t slot)
{
	struct pt_obj *c = __atomic_load_n(&chunks[slot / CHUNK_SLOTS], __ATOMIC_ACQUIRE);

	return c ? &c[slot % CHUNK_SLOTS] : NULL;
}

/* A new zeroed object of kind with its handle, or NULL (no memory / no handles left). */
static struct pt_obj *obj_new(enum obj_kind kind)
{
	struct pt_obj *o = NULL;

	capos_mutex_lock(&table_lock);
	if (free_list) {
		o = free_list;
		free_list = o->next_free;
	} else if (slots_used < MAX_SLOTS) {
		uint32_t slot = slots_used;

		if (!chunks[slot / CHUNK_SLOTS]) {
			struct pt_obj *c = calloc(CHUNK_SLOTS, sizeof *c);

			if (c)
				__atomic_store_n(&chunks[slot / CHUNK_SLOTS], c, __ATOMIC_RELEASE);
		}
		if (chunks[slot / CHUNK_SLOTS]) {
			o = slot_at(slot);
			o->slot = slot;
			slots_used++;
		}
	}
	capos_mutex_unlock(&table_lock);
	if (!o)
		return NULL;
	o->kind = kind;
	o->next_free = NULL;
	o->u = (__typeof__(o->u)){ 0 };
	__atomic_store_n(&o->handle, ((o->gen & H_GEN_MASK) << H_SLOT_BITS) | (o->slot + 1),
			 __ATOMIC_RELEASE);
	return o;
}

static void obj_free(struct pt_obj *o)
{
	capos_mutex_lock(&table_lock);
	__atomic_store_n(&o->handle, 0, __ATOMIC_RELEASE);
	o->kind = OBJ_FREE;
	o->gen = (o->gen + 1) & H_GEN_MASK;
	o->next_free = free_list;
	free_list = o;
	capos_mutex_unlock(&table_lock);
}

static struct pt_obj *obj_get(uint32_t h, enum obj_kind kind)
{
	struct pt_obj *o;

	if ((h & H_FOREIGN) || !(h & H_SLOT_MASK))
		return NULL;
	o = slot_at((h & H_SLOT_MASK) - 1);
	if (!o || __atomic_load_n(&o->handle, __ATOMIC_ACQUIRE) != h || o->kind != (uint32_t)kind)
		return NULL;
	return o;
}

/*
 * The object behind a mutex or condition handle, allocated on first use
 * when *h is 0 or the static initializer; init(o) sets its defaults.
 */
static struct pt_obj *obj_lazy(uint32_t *h, enum obj_kind kind, void (*init)(struct pt_obj *))
{
	uint32_t cur = __atomic_load_n(h, __ATOMIC_ACQUIRE);
	struct pt_obj *o;

	if (cur != 0 && cur != H_LAZY)
		return obj_get(cur, kind);
	o = obj_new(kind);
	if (!o)
		return NULL;
	init(o);
	if (__atomic_compare_exchange_n(h, &cur, o->handle, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return o;
	obj_free(o);  /* another thread was first: cur is its handle */
	return obj_get(cur, kind);
}

/* ------------------------------------------------------------------ keys */

struct key_slot {
	uint32_t in_use;
	uint32_t gen;
	void (*destructor)(void *);
};

struct key_value {
	void *value;
	uint32_t gen;
};

static struct capos_mutex key_lock = CAPOS_MUTEX_INIT;
static struct key_slot keys[PTHREAD_KEYS_MAX];
static __thread struct key_value key_values[PTHREAD_KEYS_MAX];

int pthread_key_create(pthread_key_t *key, void (*destructor)(void *))
{
	int err = EAGAIN;

	capos_mutex_lock(&key_lock);
	for (uint32_t i = 0; i < PTHREAD_KEYS_MAX; i++)
		if (!keys[i].in_use) {
			keys[i].in_use = 1;
			keys[i].gen++;
			keys[i].destructor = destructor;
			*key = i;
			err = 0;
			break;
		}
	capos_mutex_unlock(&key_lock);
	return err;
}

int pthread_key_delete(pthread_key_t key)
{
	int err = EINVAL;

	capos_mutex_lock(&key_lock);
	if (key < PTHREAD_KEYS_MAX && keys[key].in_use) {
		keys[key].in_use = 0;
		keys[key].gen++;
		keys[key].destructor = NULL;
		err = 0;
	}
	capos_mutex_unlock(&key_lock);
	return err;
}

int pthread_setspecific(pthread_key_t key, const void *value)
{
	uint32_t gen;

	if (key >= PTHREAD_KEYS_MAX)
		return EINVAL;
	gen = __atomic_load_n(&keys[key].gen, __ATOMIC_ACQUIRE);
	if (!__atomic_load_n(&keys[key].in_use, __ATOMIC_ACQUIRE))
		return EINVAL;
	key_values[key] = (struct key_value){ (void *)(uintptr_t)value, gen };
	return 0;
}

void *pthread_getspecific(pthread_key_t key)
{
	if (key >= PTHREAD_KEYS_MAX ||
	    key_values[key].gen != __atomic_load_n(&keys[key].gen, __ATOMIC_ACQUIRE))
		return NULL;
	return key_values[key].value;
}

/* Run the destructors of the calling thread's non-NULL values, up to PTHREAD_DESTRUCTOR_ITERATIONS rounds. */
static void run_key_destructors(void)
{
	for (int round = 0; round < PTHREAD_DESTRUCTOR_ITERATIONS; round++) {
		int ran = 0;

		for (uint32_t i = 0; i < PTHREAD_KEYS_MAX; i++) {
			void (*d)(void *);
			void *v;

			capos_mutex_lock(&key_lock);
			d = keys[i].in_use && key_values[i].gen == keys[i].gen ? keys[i].destructor : NULL;
			capos_mutex_unlock(&key_lock);
			v = key_values[i].value;
			if (!d || !v)
				continue;
			key_values[i].value = NULL;
			d(v);
			ran = 1;
		}
		if (!ran)
			return;
	}
}

/* --------------------------------------------------------------- threads */

static __thread uint32_t self_handle;      /* 0 until known */

pthread_t pthread_self(void)
{
	struct capos_thread_control_self_out out = { 0 };
	uint32_t cap;

	if (self_handle)
		return self_handle;
	cap = capos_cap_find("thread", NULL);
	if (cap && capos_thread_control_self(capos_ring(), cap, &out) == 0)
		self_handle = H_FOREIGN | (out.thread_id & ~H_FOREIGN);
	else
		self_handle = H_FOREIGN;  /* no "thread": a single-threaded process */
	return self_handle;
}

int pthread_equal(pthread_t a, pthread_t b)
{
	return a == b;
}

/* The end of a pthread_create'd thread (o is its record; the caller ran the key destructors). */
__attribute__((noreturn)) static void thread_finish(struct pt_obj *o, void *result)
{
	uint32_t st = T_RUNNING;

	o->u.t.result = result;
	if (!__atomic_compare_exchange_n(&o->u.t.state, &st, T_EXITED, 0, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE))
		obj_free(o);  /* detached: nobody will look at the record again */
	capos_libc_thread_end();
	capos_thread_exit(0);
}

void pthread_exit(void *result)
{
	struct pt_obj *o = obj_get(pthread_self(), OBJ_THREAD);

	run_key_destructors();
	if (o)
		thread_finish(o, result);
	capos_libc_thread_end();
	capos_thread_exit(0);
}

static int64_t thread_entry(void *arg)
{
	struct pt_obj *o = arg;

	self_handle = o->handle;
	while (!__atomic_load_n(&o->u.t.ready, __ATOMIC_ACQUIRE))
		capos_park_wait(&o->u.t.ready, 0, CAPOS_TIMEOUT_INFINITE);
	pthread_exit(o->u.t.start(o->u.t.arg));
}

int pthread_attr_init(pthread_attr_t *a)
{
	*a = (pthread_attr_t){ 0 };
	a->is_initialized = 1;
	a->stacksize = 0;      /* the runtime's default */
	a->detachstate = PTHREAD_CREATE_JOINABLE;
	return 0;
}

int pthread_attr_destroy(pthread_attr_t *a)
{
	if (!a->is_initialized)
		return EINVAL;
	a->is_initialized = 0;
	return 0;
}

int pthread_attr_setstacksize(pthread_attr_t *a, size_t size)
{
	if (!a->is_initialized || size < PTHREAD_STACK_MIN || size > INT_MAX)
		return EINVAL;
	a->stacksize = (int)size;
	return 0;
}

int pthread_attr_getstacksize(const pthread_attr_t *a, size_t *size)
{
	if (!a->is_initialized)
		return EINVAL;
	*size = a->stacksize ? (size_t)a->stacksize : CAPOS_THREAD_STACK_DEFAULT;
	return 0;
}

int pthread_attr_setdetachstate(pthread_attr_t *a, int state)
{
	if (!a->is_initialized ||
	    (state != PTHREAD_CREATE_JOINABLE && state != PTHREAD_CREATE_DETACHED))
		return EINVAL;
	a->detachstate = state;
	return 0;
}

int pthread_attr_getdetachstate(const pthread_attr_t *a, int *state)
{
	if (!a->is_initialized)
		return EINVAL;
	*state = a->detachstate;
	return 0;
}

int pthread_create(pthread_t *out, const pthread_attr_t *attr, void *(*start)(void *), void *arg)
{
	size_t stack = 0;
	int detached = 0, err;
	struct capos_thread *ct;
	struct pt_obj *o;

	if (attr) {
		if (!attr->is_initialized)
			return EINVAL;
		stack = (size_t)attr->stacksize;
		detached = attr->detachstate == PTHREAD_CREATE_DETACHED;
	}
	o = obj_new(OBJ_THREAD);
	if (!o)
		return EAGAIN;
	o->u.t.start = start;
	o->u.t.arg = arg;
	o->u.t.state = detached ? T_DETACHED : T_RUNNING;
	err = capos_thread_create(&ct, thread_entry, o, stack);
	if (err) {
		obj_free(o);
		return err == -CAPOS_ENOMEM || err == -CAPOS_EQUOTA ? EAGAIN : capos_errno_from(err);
	}
	*out = o->handle;
	o->u.t.ct = ct;
	if (detached)
		capos_thread_detach(ct);  /* before ready: the record may be freed once the thread runs */
	__atomic_store_n(&o->u.t.ready, 1, __ATOMIC_RELEASE);
	capos_park_wake(&o->u.t.ready, 1);
	return 0;
}

int pthread_join(pthread_t th, void **result)
{
	struct pt_obj *o;
	uint32_t zero = 0;
	int64_t code;
	int err;

	if (th == pthread_self())
		return EDEADLK;
	if (th & H_FOREIGN)
		return EINVAL;  /* not started by pthread_create */
	o = obj_get(th, OBJ_THREAD);
	if (!o)
		return ESRCH;
	if (!__atomic_compare_exchange_n(&o->u.t.joining, &zero, 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return EINVAL;  /* somebody else is joining it */
	if (__atomic_load_n(&o->u.t.state, __ATOMIC_ACQUIRE) == T_DETACHED) {
		__atomic_store_n(&o->u.t.joining, 0, __ATOMIC_RELEASE);
		return EINVAL;
	}
	err = capos_thread_join(o->u.t.ct, &code);
	if (err) {
		__atomic_store_n(&o->u.t.joining, 0, __ATOMIC_RELEASE);
		return capos_errno_from(err);
	}
	if (result)
		*result = o->u.t.result;
	obj_free(o);
	return 0;
}

int pthread_detach(pthread_t th)
{
	uint32_t st = T_RUNNING;
	struct capos_thread *ct;
	struct pt_obj *o;

	if (th & H_FOREIGN)
		return EINVAL;
	o = obj_get(th, OBJ_THREAD);
	if (!o)
		return ESRCH;
	if (__atomic_load_n(&o->u.t.joining, __ATOMIC_ACQUIRE))
		return EINVAL;
	ct = o->u.t.ct;  /* read first: once DETACHED, the ending thread frees the record */
	if (__atomic_compare_exchange_n(&o->u.t.state, &st, T_DETACHED, 0, __ATOMIC_ACQ_REL,
					__ATOMIC_ACQUIRE)) {
		capos_thread_detach(ct);
		return 0;
	}
	if (st != T_EXITED)
		return EINVAL;  /* already detached */
	capos_thread_detach(ct);  /* ended already: its record is ours to free */
	obj_free(o);
	return 0;
}

/* ----------------------------------------------------------------- once */

enum { ONCE_NOT_RUN, ONCE_RUNNING, ONCE_DONE, ONCE_RUNNING_WAITERS };

int pthread_once(pthread_once_t *once, void (*init)(void))
{
	uint32_t *w = (uint32_t *)&once->init_executed;
	uint32_t st = ONCE_NOT_RUN;

	if (__atomic_load_n(w, __ATOMIC_ACQUIRE) == ONCE_DONE)
		return 0;
	if (__atomic_compare_exchange_n(w, &st, ONCE_RUNNING, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		init();
		if (__atomic_exchange_n(w, ONCE_DONE, __ATOMIC_ACQ_REL) == ONCE_RUNNING_WAITERS)
			capos_park_wake(w, UINT32_MAX);
		return 0;
	}
	while (st != ONCE_DONE) {
		if (st == ONCE_RUNNING &&
		    !__atomic_compare_exchange_n(w, &st, ONCE_RUNNING_WAITERS, 0, __ATOMIC_ACQ_REL,
						 __ATOMIC_ACQUIRE))
			continue;  /* st reloaded */
		if (capos_park_wait(w, ONCE_RUNNING_WAITERS, CAPOS_TIMEOUT_INFINITE) == -CAPOS_ENOENT)
			__builtin_ia32_pause();
		st = __atomic_load_n(w, __ATOMIC_ACQUIRE);
	}
	return 0;
}

/* --------------------------------------------------------------- mutexes */

int pthread_mutexattr_init(pthread_mutexattr_t *a)
{
	*a = (pthread_mutexattr_t){ 0 };
	a->is_initialized = 1;
	return 0;
}

int pthread_mutexattr_destroy(pthread_mutexattr_t *a)
{
	if (!a->is_initialized)
		return EINVAL;
	a->is_initialized = 0;
	return 0;
}

#if defined(_UNIX98_THREAD_MUTEX_ATTRIBUTES)
#define ATTR_TYPE(a) ((a)->type)
#else
#define ATTR_TYPE(a) ((a)->recursive)   /* see capos/pthread_np.h */
#endif

int pthread_mutexattr_settype(pthread_mutexattr_t *a, int type)
{
	if (!a->is_initialized || type < PTHREAD_MUTEX_NORMAL || type > PTHREAD_MUTEX_DEFAULT)
		return EINVAL;
	ATTR_TYPE(a) = type;
	return 0;
}

int pthread_mutexattr_gettype(const pthread_mutexattr_t *a, int *type)
{
	if (!a->is_initialized)
		return EINVAL;
	*type = ATTR_TYPE(a);
	return 0;
}

static void mutex_defaults(struct pt_obj *o)
{
	o->u.m.type = PTHREAD_MUTEX_DEFAULT;
}

int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *a)
{
	struct pt_obj *o;

	if (a && !a->is_initialized)
		return EINVAL;
	o = obj_new(OBJ_MUTEX);
	if (!o)
		return ENOMEM;
	o->u.m.type = a ? ATTR_TYPE(a) : PTHREAD_MUTEX_DEFAULT;
	__atomic_store_n(m, o->handle, __ATOMIC_RELEASE);
	return 0;
}

int pthread_mutex_destroy(pthread_mutex_t *m)
{
	uint32_t h = __atomic_load_n(m, __ATOMIC_ACQUIRE);
	struct pt_obj *o;

	if (h == 0 || h == H_LAZY)
		return 0;  /* never used */
	o = obj_get(h, OBJ_MUTEX);
	if (!o)
		return EINVAL;
	if (__atomic_load_n(&o->u.m.m.state, __ATOMIC_ACQUIRE) != 0)
		return EBUSY;
	*m = H_LAZY;
	obj_free(o);
	return 0;
}

static int owner_checked(const struct pt_mutex *pm)
{
	return pm->type == PTHREAD_MUTEX_RECURSIVE || pm->type == PTHREAD_MUTEX_ERRORCHECK;
}

static struct capos_tcb *mutex_owner(const struct pt_mutex *pm)
{
	return __atomic_load_n(&pm->owner, __ATOMIC_RELAXED);
}

static void mutex_take(struct pt_mutex *pm, struct capos_tcb *self)
{
	capos_mutex_lock(&pm->m);
	__atomic_store_n(&pm->owner, self, __ATOMIC_RELAXED);
	pm->depth = 1;
}

static void mutex_give(struct pt_mutex *pm)
{
	pm->depth = 0;
	__atomic_store_n(&pm->owner, NULL, __ATOMIC_RELAXED);
	capos_mutex_unlock(&pm->m);
}

int pthread_mutex_lock(pthread_mutex_t *m)
{
	struct pt_obj *o = obj_lazy(m, OBJ_MUTEX, mutex_defaults);
	struct capos_tcb *self = capos_tcb_self();
	struct pt_mutex *pm;

	if (!o)
		return EINVAL;
	pm = &o->u.m;
	if (owner_checked(pm) && mutex_owner(pm) == self) {
		if (pm->type == PTHREAD_MUTEX_ERRORCHECK)
			return EDEADLK;
		if (pm->depth == UINT32_MAX)
			return EAGAIN;
		pm->depth++;
		return 0;
	}
	mutex_take(pm, self);
	return 0;
}

int pthread_mutex_trylock(pthread_mutex_t *m)
{
	struct pt_obj *o = obj_lazy(m, OBJ_MUTEX, mutex_defaults);
	struct capos_tcb *self = capos_tcb_self();
	struct pt_mutex *pm;

	if (!o)
		return EINVAL;
	pm = &o->u.m;
	if (pm->type == PTHREAD_MUTEX_RECURSIVE && mutex_owner(pm) == self) {
		if (pm->depth == UINT32_MAX)
			return EAGAIN;
		pm->depth++;
		return 0;
	}
	if (capos_mutex_trylock(&pm->m) != 0)
		return EBUSY;
	__atomic_store_n(&pm->owner, self, __ATOMIC_RELAXED);
	pm->depth = 1;
	return 0;
}

int pthread_mutex_unlock(pthread_mutex_t *m)
{
	struct pt_obj *o = obj_lazy(m, OBJ_MUTEX, mutex_defaults);
	struct pt_mutex *pm;

	if (!o)
		return EINVAL;
	pm = &o->u.m;
	if (owner_checked(pm)) {
		if (mutex_owner(pm) != capos_tcb_self())
			return EPERM;
		if (--pm->depth > 0)
			return 0;
	}
	mutex_give(pm);
	return 0;
}

/* ----------------------------------------------------- condition variables */

int pthread_condattr_init(pthread_condattr_t *a)
{
	*a = (pthread_condattr_t){ 0 };
	a->is_initialized = 1;
	a->clock = CLOCK_REALTIME;
	return 0;
}

int pthread_condattr_destroy(pthread_condattr_t *a)
{
	if (!a->is_initialized)
		return EINVAL;
	a->is_initialized = 0;
	return 0;
}

int pthread_condattr_setclock(pthread_condattr_t *a, clockid_t clock)
{
	if (!a->is_initialized || (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC))
		return EINVAL;
	a->clock = (clock_t)clock;
	return 0;
}

int pthread_condattr_getclock(const pthread_condattr_t *restrict a, clockid_t *restrict clock)
{
	if (!a->is_initialized)
		return EINVAL;
	*clock = (clockid_t)a->clock;
	return 0;
}

static void cond_defaults(struct pt_obj *o)
{
	o->u.c.clock = CLOCK_REALTIME;
}

int pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *a)
{
	struct pt_obj *o;

	if (a && !a->is_initialized)
		return EINVAL;
	o = obj_new(OBJ_COND);
	if (!o)
		return ENOMEM;
	o->u.c.clock = a ? (clockid_t)a->clock : CLOCK_REALTIME;
	__atomic_store_n(c, o->handle, __ATOMIC_RELEASE);
	return 0;
}

int pthread_cond_destroy(pthread_cond_t *c)
{
	uint32_t h = __atomic_load_n(c, __ATOMIC_ACQUIRE);
	struct pt_obj *o;

	if (h == 0 || h == H_LAZY)
		return 0;
	o = obj_get(h, OBJ_COND);
	if (!o)
		return EINVAL;
	if (__atomic_load_n(&o->u.c.waiters, __ATOMIC_ACQUIRE))
		return EBUSY;
	*c = H_LAZY;
	obj_free(o);
	return 0;
}

static int cond_wake(pthread_cond_t *c, uint32_t count)
{
	struct pt_obj *o = obj_lazy(c, OBJ_COND, cond_defaults);

	if (!o)
		return EINVAL;
	__atomic_add_fetch(&o->u.c.seq, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&o->u.c.waiters, __ATOMIC_SEQ_CST))
		capos_park_wake(&o->u.c.seq, count);
	return 0;
}

int pthread_cond_signal(pthread_cond_t *c)
{
	return cond_wake(c, 1);
}

int pthread_cond_broadcast(pthread_cond_t *c)
{
	return cond_wake(c, UINT32_MAX);
}

/*
 * Wait on c with m held (owned by the caller), for at most timeout_ns:
 * 0 (woken, or spuriously) or ETIMEDOUT; m is held again on return.
 */
static int cond_wait_ns(struct pt_obj *co, struct pt_mutex *pm, uint64_t timeout_ns)
{
	struct capos_tcb *self = capos_tcb_self();
	uint32_t depth = pm->depth, seq;
	int r;

	__atomic_add_fetch(&co->u.c.waiters, 1, __ATOMIC_SEQ_CST);
	seq = __atomic_load_n(&co->u.c.seq, __ATOMIC_SEQ_CST);
	mutex_give(pm);
	r = capos_park_wait(&co->u.c.seq, seq, timeout_ns);
	mutex_take(pm, self);
	pm->depth = depth;
	__atomic_sub_fetch(&co->u.c.waiters, 1, __ATOMIC_SEQ_CST);
	return r == -CAPOS_ETIMEDOUT ? ETIMEDOUT : 0;
}

/* The objects of a wait, checking that the caller holds m where that is known. */
static int cond_wait_args(pthread_cond_t *c, pthread_mutex_t *m, struct pt_obj **co,
			  struct pt_obj **mo)
{
	*co = obj_lazy(c, OBJ_COND, cond_defaults);
	*mo = obj_lazy(m, OBJ_MUTEX, mutex_defaults);
	if (!*co || !*mo)
		return EINVAL;
	if (owner_checked(&(*mo)->u.m) && mutex_owner(&(*mo)->u.m) != capos_tcb_self())
		return EPERM;
	return 0;
}

int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
	struct pt_obj *co, *mo;
	int err = cond_wait_args(c, m, &co, &mo);

	if (err)
		return err;
	cond_wait_ns(co, &mo->u.m, CAPOS_TIMEOUT_INFINITE);
	return 0;
}

int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *abstime)
{
	struct pt_obj *co, *mo;
	struct timespec now;
	int64_t left;
	int err = cond_wait_args(c, m, &co, &mo);

	if (err)
		return err;
	if (abstime->tv_nsec < 0 || abstime->tv_nsec >= 1000000000)
		return EINVAL;
	if (clock_gettime(co->u.c.clock, &now) != 0)
		return EINVAL;
	if (abstime->tv_sec < now.tv_sec)
		return ETIMEDOUT;
	if ((int64_t)abstime->tv_sec - (int64_t)now.tv_sec > 1000000000)
		left = INT64_MAX;  /* beyond 31 years: no overflow */
	else
		left = ((int64_t)abstime->tv_sec - (int64_t)now.tv_sec) * 1000000000 +
		       (abstime->tv_nsec - now.tv_nsec);
	if (left <= 0)
		return ETIMEDOUT;
	return cond_wait_ns(co, &mo->u.m, (uint64_t)left);
}
