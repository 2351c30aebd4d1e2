/*
 * Processes: an address space, a capability table, a bootstrap page,
 * quotas and one or more threads, each with its own capability ring.
 *
 * Life cycle: process_create -> the program's memory and main thread
 * (ProcessHandle's methods; for the first process, process_load_userboot)
 * -> capabilities granted -> process_start.  A
 * process ends when its last thread exits, or when it is killed (a fault,
 * ProcessHandle.kill): then it is DYING, every thread leaves at its next
 * return to user mode or wake-up, and the last one tears everything down
 * — capabilities released, pending operations cancelled, ring and address
 * space freed — and completes the ProcessHandle.wait operations.  The
 * struct itself lives until the last reference (ProcessHandles) goes.
 *
 * Locking: p->lock (irqsave) guards the capability table, the thread list
 * and the state/exit fields.  Order: ring->lock -> p->lock -> sched_lock.
 * The exit waiters are guarded by sched_lock.
 */
#ifndef EXO_PROC_PROCESS_H
#define EXO_PROC_PROCESS_H

#include <stdbool.h>
#include <stdint.h>
#include <capos/process.h>
#include "quota.h"
#include "../cap/captable.h"
#include "../kern/spinlock.h"
#include "../lib/elf.h"

struct aspace;
struct ring;
struct thread;
struct kobj;
struct kop;
struct ioport_map;

enum proc_state { PROC_LIVE = 0, PROC_DYING = 1, PROC_DEAD = 2 };

struct process {
	uint32_t pid;
	char name[CAPOS_PROC_NAME_MAX];
	struct spinlock lock;
	enum proc_state state;          /* [lock]; read unlocked as a hint */
	struct quota *q;                /* one reference, dropped at teardown */
	struct quota *struct_q;         /* pays for this struct until process_unref frees it (p's own) */
	struct aspace *as;
	struct ring *rings;             /* [lock] one per thread (process_ring_new) */
	struct cap_table caps;          /* [lock] for inserts/removes */
	struct cap_slot *cap_slots;
	struct thread *threads;         /* [lock] */
	struct thread *main_thread;
	uint32_t live_threads;          /* [lock] */
	int64_t exit_code;              /* [lock] valid once DYING */
	uint32_t exit_reason;           /* [lock] CAPOS_EXIT_* */
	struct kop *exit_waiters;       /* [sched] ProcessHandle.wait */
	uint32_t refs;                  /* atomic: 1 while alive + one per ProcessHandle */
	uint64_t bootstrap_va;
	uint64_t bootstrap_phys;
	struct capos_bootstrap *boot;   /* kernel view through the direct map */
	bool started;                   /* counted in process_count */
	void (*on_exit)(struct process *p);  /* kernel hook, run after teardown */
	/*
	 * The ports it has open (exo/dev/ioport.c; guarded by that file's
	 * ioport_lock): its I/O permission bitmap, NULL until the first
	 * IoPortRange.enable and again once nothing is open.
	 */
	struct ioport_map *io;
};

/* Limits a spawner can set (manifest-driven later). */
#define PROCESS_DEFAULT_FRAMES   16384u   /* 64 MiB */
#define PROCESS_DEFAULT_CAPS     256u
#define PROCESS_DEFAULT_THREADS  64u
#define PROCESS_DEFAULT_RING_OPS 256u
#define PROCESS_DEFAULT_KMEM_KIB 1024u    /* 1 MiB of kernel heap */
#define INIT_KMEM_KIB            16384u   /* init starts every service and claims the devices */
#define PROCESS_STACK_PAGES      64u      /* 256 KiB main-thread stack */

/*
 * A new, empty process: quotas, capability table, an address space with
 * only the kernel half, the main thread's ring mapped; no thread yet.
 */
int process_create(const char *name, const struct quota_limits *limits, struct process **out);
/*
 * The first process's program: map the bootstrap page (args its argument
 * string), the userboot image (userboot.h) and the main stack, record
 * TLS and heap start in the bootstrap page and create (not start) the
 * main thread.  userboot then loads the program named like the process
 * itself.  On failure the process is unusable: call process_abandon.
 */
int process_load_userboot(struct process *p, const char *args);
/*
 * A new capability ring mapped into p, for a thread about to be created;
 * process_ring_drop unmaps and destroys one whose thread ended (its
 * pending operations are cancelled), teardown the rest.
 */
int process_ring_new(struct process *p, struct ring **out);
void process_ring_drop(struct process *p, struct ring *r);

/*
 * Create (not start) p's main thread on its first ring: %rip entry, %rsp
 * stack, %rdi arg0, %rsi arg1, FS base.  -CAPOS_EBUSY when it exists.
 */
int process_make_main_thread(struct process *p, uint64_t entry, uint64_t stack, uint64_t arg0, uint64_t arg1,
			     uint64_t fs_base);
struct capos_process_handle_info_out;
/* What ProcessHandle.info tells: state, use of each quota while alive, the exit once ended. */
void process_describe(struct process *p, struct capos_process_handle_info_out *out);
/* A process never started ends here (reason, code for its waiters); nothing once started. */
void process_discard_unstarted(struct process *p, uint32_t reason, int64_t code);
static inline bool process_started(const struct process *p) { return p->started; }

/* Give p a capability to obj under name (takes a reference); returns the handle. */
int64_t process_grant(struct process *p, const char *name, struct kobj *obj, uint32_t rights);
void process_start(struct process *p);
/* Undo a process that never started. */
void process_abandon(struct process *p);

/* End p (if it is not already ending) with reason and code. */
void process_kill(struct process *p, uint32_t reason, int64_t code);
/* Called by thread_exit for every thread of p. */
void process_thread_exited(struct process *p, struct thread *t);
/* Complete k with {exit_code, reason} when p is dead (at once if it is). */
void process_wait_exit(struct process *p, struct kop *k);
/* Register an extra thread of p (ThreadSpawner); -CAPOS_EQUOTA past the thread quota. */
int process_add_thread(struct process *p, struct thread *t);

/* Undo process_add_thread for a thread that never ran. */
void process_remove_new_thread(struct process *p, struct thread *t);

void process_ref(struct process *p);
void process_unref(struct process *p);

/* Load p's address space on this CPU (NULL: the kernel's). */
void process_activate(struct process *p);
static inline bool process_dying(const struct process *p) { return p->state != PROC_LIVE; }
static inline uint32_t process_pid(const struct process *p) { return p->pid; }
static inline struct aspace *process_aspace(struct process *p) { return p->as; }
static inline struct cap_table *process_caps(struct process *p) { return &p->caps; }
static inline struct quota *process_quota(struct process *p) { return p->q; }

int64_t process_cap_insert(struct process *p, struct kobj *obj, uint32_t rights);
int process_cap_remove(struct process *p, uint32_t handle, void **obj);
/*
 * Does a live slot of p lead to o, directly or through unrevoked copies?
 * p->lock held; false once p is torn down.
 */
bool process_holds_locked(struct process *p, const struct kobj *o);

/* Outstanding ring operations (kops) against the quota. */
int process_ring_op_charge(struct process *p);
void process_ring_op_done(struct process *p);

/* Started processes not yet torn down (leakcheck waits for none). */
uint32_t process_count(void);

#endif
