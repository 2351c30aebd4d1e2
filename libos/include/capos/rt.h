/*
 * The capOS runtime (libcapos_rt): start-up, the ring client, typed
 * capability calls, memory, time, threads, processes — and, in the same
 * archive, the OS hooks newlib (the C library, libos/libc/) calls:
 * write, sbrk, clock_gettime, _exit, __getreent, its locks, ...
 * Programs use standard C (<stdio.h>, <stdlib.h>, <time.h>, ...) and this
 * header for what is capOS's own.
 *
 * Start-up.  crt0's _start receives the bootstrap page (capos/process.h)
 * in %rdi and calls capos_rt_start, which checks the page, attaches the
 * ring client, sets up the main thread's TLS (x86_64 variant II: the TLS
 * block sits just below the thread pointer, and %fs:0 holds the TCB's own
 * address), runs constructors (newlib's __libc_init_array), registers
 * destructors with atexit, splits the argument string into argv (argv[0]
 * is the process name) and calls exit(main(argc, argv)).
 *
 * Ending.  A thread ends with ThreadControl.exit on the capability named
 * "thread" (capos_thread_exit); the process ends when its last thread
 * does, and the exit code of that thread reaches the parent's
 * ProcessHandle.wait.  exit() and returning from main end the whole
 * process (capos_process_exit: ThreadControl.exit_process, every thread
 * stops).  Every process therefore needs "thread" to exit cleanly
 * (and to use TLS, whose FS base is set through it).  Without it, the
 * exit executes ud2: the deliberate fault makes the kernel end the
 * process (reason fault, code -6) instead of leaving it spinning.
 *
 * Capabilities are found by the names the spawner gave them
 * (capos_cap_find).  The runtime looks up the ones it uses itself:
 * "console" (stdout, stderr, capos_printf), "stdio" (a TerminalSession
 * that, when given, takes stdin, stdout, stderr and capos_printf over
 * from "console"; libos/README.md), "thread", "threads", "vm"
 * (heap, thread stacks), "timer" (time, sleep, the ring client's clock),
 * "park" (capos_mutex, the C library's locks), and "entropy"
 * (getentropy) when asked.  A call whose capability is missing fails
 * with -CAPOS_ENOENT (the C library hooks say ENOSYS, EBADF or ENOMEM:
 * see libos/libc/).
 *
 * Errors are negative CAPOS_E* codes; capos_strerror gives the text,
 * capos_errno_from the matching errno value.
 */
#ifndef CAPOS_RT_H
#define CAPOS_RT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <capos/error.h>
#include <capos/iface.h>
#include <capos/iface_client.h>
#include <capos/process.h>
#include <capos/prot.h>
#include <capos/ring_client.h>
#include <capos/services.h>
#include <capos/tls.h>

/* --- process --- */

/*
 * The error of the last runtime call on this thread that reports failure
 * without a code (capos_pages_alloc, capos_time_ns): a CAPOS_E* code, 0.
 */
extern __thread int capos_errno;

int main(int argc, char **argv);

/* The bootstrap page of this process. */
const struct capos_bootstrap *capos_bootstrap(void);
/* The calling thread's ring client (every thread has its own ring). */
struct capos_ring_client *capos_ring(void);

/*
 * For a thread started through ThreadSpawner directly rather than
 * capos_thread_create: call it first, with the ring address the thread
 * received in %rsi (its second argument).  It attaches a ring client in
 * b and points FS base at a minimal TCB in b (no TLS block: __thread
 * variables must not be used), so capos_ring() and the runtime's calls
 * work on this thread.  b must outlive the thread.  0 or a negative code.
 */
struct capos_bare_thread {
	struct capos_tcb tcb;
	struct capos_ring_client ring;
};
int capos_bare_thread_start(struct capos_bare_thread *b, uint64_t ring_addr);
/* Handle of the capability granted under name, 0 when absent; *iface (optional) gets its interface. */
uint32_t capos_cap_find(const char *name, uint32_t *iface);
/* End the calling thread (the process with its last thread).  Uses no TLS: bare threads may call it. */
__attribute__((noreturn)) void capos_thread_exit(int64_t code);
/*
 * Give back the calling thread's C library state (what its errno/strtok/
 * rand48/... block allocated); for a thread of capos_thread_create about
 * to end by itself (the runtime calls it when the thread function
 * returns; pthread_exit calls it before capos_thread_exit).  Nothing for
 * the main thread.
 */
void capos_libc_thread_end(void);
/*
 * End the process with code (what _exit does; exit() flushes stdio
 * first): ThreadControl.exit_process — every thread stops at its next
 * return to user mode (a blocked one is woken for it), and the parent's
 * ProcessHandle.wait sees reason normal and this code.  The first
 * caller's code wins.
 */
__attribute__((noreturn)) void capos_process_exit(int64_t code);

/* Entry from crt0 (not for programs). */
__attribute__((noreturn)) void capos_rt_start(const struct capos_bootstrap *boot);

/* --- output (beside stdio: unbuffered, no malloc, one Console.write per call when it fits) --- */

/* Write bytes to "stdio" or else "console" (in chunks of at most 4 KiB): bytes written or a negative code. */
int capos_write(const char *buf, size_t len);
int capos_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int capos_vprintf(const char *fmt, va_list ap);
int capos_snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int capos_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
/* Text for a CAPOS_E* code (either sign); "unknown error" otherwise. */
const char *capos_strerror(int code);
/* The errno value for a CAPOS_E* code (either sign): ENOMEM for EQUOTA, EIO for unknown codes. */
int capos_errno_from(int code);

/* --- time --- */

/*
 * Monotonic nanoseconds since boot: the kernel's clock computed from the TSC
 * with the parameters in the bootstrap page (no system call, the value
 * Timer.now would give); Timer.now over "timer" when the kernel published
 * none, and then 0 without "timer".
 */
uint64_t capos_time_ns(void);
/* Timer.sleep: 0 or a negative code. */
int capos_sleep_ns(uint64_t ns);
/* The raw time-stamp counter (rdtsc): tsc_hz in the bootstrap page says its rate. */
uint64_t capos_tsc(void);

/* --- memory (over "vm") --- */

/* Map pages of zeroed read-write memory where the kernel chooses: the address or NULL. */
void *capos_pages_alloc(uint64_t pages);
int capos_pages_free(void *addr, uint64_t pages);
/* Pages [0, pages) of MemoryObject mo mapped where the kernel finds room, with prot: 0 and *out, or a negative code. */
int capos_memory_map(uint32_t mo, uint64_t pages, uint32_t prot, void **out);
/*
 * Grow (or shrink) the heap, which starts at the bootstrap page's
 * heap_start and is mapped page by page: the old break, or (void *)-1
 * with *err (optional) set.  sbrk (and so malloc) is built on it.
 */
void *capos_sbrk(intptr_t increment, int *err);

/* --- threads (over "threads", "thread", "vm") --- */

struct capos_thread;
typedef int64_t (*capos_thread_fn)(void *arg);

#define CAPOS_THREAD_STACK_DEFAULT (64u * 1024u)

/*
 * Start fn(arg) on a new thread with its own stack (stack_size bytes, 0 for
 * the default, below it one unmapped guard page) and TLS.  The thread
 * ends when fn returns (its value is the exit code) or calls
 * capos_thread_exit.  0 and *t, or a negative code.
 */
int capos_thread_create(struct capos_thread **t, capos_thread_fn fn, void *arg, size_t stack_size);
/* Wait for t to end; *code gets its exit code; frees t.  0 or a negative code. */
int capos_thread_join(struct capos_thread *t, int64_t *code);
/* Let t end on its own; its memory is reclaimed by a later create/join/detach. */
int capos_thread_detach(struct capos_thread *t);
/* Kernel thread id of t (from ThreadSpawner.spawn). */
uint32_t capos_thread_id(const struct capos_thread *t);
/* The calling thread's TCB. */
struct capos_tcb *capos_tcb_self(void);

/* --- waiting on a word (over "park") --- */

/*
 * ParkSpace.wait: sleep while *addr == expected, until woken or timeout_ns
 * (CAPOS_TIMEOUT_INFINITE).  0 when woken, or the kernel's status.
 */
int capos_park_wait(const uint32_t *addr, uint32_t expected, uint64_t timeout_ns);
/* ParkSpace.wake: wake up to count waiters; the number woken or a negative code. */
int capos_park_wake(const uint32_t *addr, uint32_t count);

/* A mutex over a park word: 0 unlocked, 1 locked, 2 locked with waiters. */
struct capos_mutex {
	uint32_t state;
};
#define CAPOS_MUTEX_INIT { 0 }
void capos_mutex_lock(struct capos_mutex *m);
int capos_mutex_trylock(struct capos_mutex *m);  /* 0 or -CAPOS_EBUSY */
void capos_mutex_unlock(struct capos_mutex *m);

/* --- processes (over "spawner": ProcessFactory; the loader is libos/rt/spawn.c) --- */
/*
 * Start the boot-package program binary with the capabilities grants
 * names and the argument string args.  grants is a space-separated list
 * (at most 255 bytes): NAME takes the next of caps[0..ncaps), copied into
 * the child; NAME=@vm|@threads|@thread|@park|@self gives the child an object
 * bound to itself.  0 with *proc (a ProcessHandle) and *pid
 * (optional), or a negative code: -CAPOS_EINVAL (malformed word, unknown
 * kind, ncaps not matching), -CAPOS_EEXIST (a name
 * twice), -CAPOS_ERANGE (text too long, too many names, a quota outside
 * capos/process.h), -CAPOS_ENOENT (no such program, or no "spawner"),
 * -CAPOS_ETYPE (not a program), -CAPOS_EFORMAT when the file fails its
 * checks (exo/lib/elf.c and the PT_TLS checks: header, segments in the
 * user half without overlap, never writable and executable, sizes, entry
 * in an executable segment) — then the console shows "spawn NAME: not
 * started: FAULT" and capos_spawn_fault() gives FAULT — or the kernel's
 * code while building (-CAPOS_EQUOTA, ...).
 * Nothing of a child that did not start stays behind.
 */
int capos_spawn(const char *binary, const char *grants, const char *args, const uint32_t *caps,
		uint32_t ncaps, uint32_t *proc, uint32_t *pid);
/* The child's quotas for capos_spawn_quota: 0 in a field keeps the kernel's default. */
struct capos_spawn_quota {
	uint64_t frames;
	uint32_t caps, threads, ring_ops;
	uint32_t kmem_kib;
};
/* capos_spawn with quotas (NULL: all defaults); -CAPOS_ERANGE outside capos/process.h's ranges. */
int capos_spawn_quota(const char *binary, const char *grants, const char *args, const uint32_t *caps,
		      uint32_t ncaps, const struct capos_spawn_quota *quota, uint32_t *proc, uint32_t *pid);
/*
 * Replace this process's program with the ELF file image[0..size)
 * (8-byte aligned), keeping the pid, capabilities, ring and quotas; args
 * become the new program's argument string.  Only a program linked above
 * the new one's image can do it — userboot is (CAPOS_USERBOOT_BASE) — and
 * it does not return on success.  -CAPOS_EFORMAT for a bad file (said on
 * the console as "exec NAME: not started: ..."), -CAPOS_EEXIST when the
 * image would overlap this program, -CAPOS_ENOENT without "frames";
 * after an error the process should end: part of the image may be mapped.
 */
int capos_exec_image(const char *name, const void *image, uint64_t size, const char *args);
/*
 * capos_spawn_quota over an ELF file the caller holds in memory
 * (image[0..size), 8-byte aligned: -CAPOS_EINVAL otherwise), started
 * under name (1..39 bytes).
 */
int capos_spawn_image(const char *name, const void *image, uint64_t size, const char *grants, const char *args,
		      const uint32_t *caps, uint32_t ncaps, const struct capos_spawn_quota *quota, uint32_t *proc,
		      uint32_t *pid);
/*
 * capos_spawn_quota over the ProcessFactory factory (0: "spawner") with
 * each passed capability's mode: x[i].mode CAPOS_XFER_MOVE gives the
 * child the caller's handle itself (it is gone from the caller once
 * granted, even when a later step fails and the child is discarded).
 */
int capos_spawn_xfer(uint32_t factory, const char *binary, const char *grants, const char *args, const struct capos_xfer *x,
		     uint32_t n, const struct capos_spawn_quota *quota, uint32_t *proc, uint32_t *pid);
/* Why this thread's last spawn refused its program ("program header 1: ..."); "" when it did not. */
const char *capos_spawn_fault(void);
/* ProcessHandle.wait: 0 with *code and *reason (CAPOS_EXIT_*), or a negative code. */
int capos_process_wait(uint32_t proc, int64_t *code, uint32_t *reason);

#endif
