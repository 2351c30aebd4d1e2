/*
 * Runtime internals shared by the files of libcapos_rt: the capabilities
 * the runtime itself uses (looked up once at start-up) and the hooks
 * start-up and threads call into each other with.
 */
#ifndef LIBOS_RT_INTERNAL_H
#define LIBOS_RT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <capos/rt.h>
#include "tls.h"

enum rt_cap {
	RT_CAP_CONSOLE,
	RT_CAP_THREAD,
	RT_CAP_THREADS,
	RT_CAP_VM,
	RT_CAP_TIMER,
	RT_CAP_PARK,
	RT_CAP_SPAWNER,
	RT_CAP_STDIO,      /* a TerminalSession; 0 when "stdio" is missing or something else */
	RT_CAP_COUNT
};

/* Handle of a runtime capability, 0 when the process was not given it. */
uint32_t rt_cap(enum rt_cap which);
/* Look the runtime capabilities up in the bootstrap page. */
void rt_caps_init(const struct capos_bootstrap *boot);

/* The calling thread's FS base through ThreadControl.set_fs_base. */
int rt_set_fs_base(uint64_t fs_base);

/* The monotonic clock every thread's ring client uses for finite waits (start.c). */
uint64_t rt_clock(void);

/* Bytes of s before its NUL, at most max; rt_copy_text: -CAPOS_ERANGE when src does not fit (spawn.c). */
size_t rt_text_len(const char *s, size_t max);
int rt_copy_text(char *dst, size_t size, const char *src);

struct elf_fault;
/* Why a program was refused: kept for capos_spawn_fault, said on the console as "VERB NAME: not started: ...". */
void rt_load_fault(const char *verb, const char *name, const struct elf_fault *f);

/* Unmap the boot package's view (bootfiles.c), if it was mapped: exec leaves nothing of it behind. */
void rt_bootfiles_unmap(void);

/* Enter a program for good, as the kernel enters one: %rsp stack, %rdi boot, %rsi ring (crt0.S). */
__attribute__((noreturn)) void rt_exec_enter(uint64_t entry, uint64_t stack, uint64_t boot, uint64_t ring);

/*
 * Growable thread stacks (fault.c), while the fault handler runs: map the
 * top `pages` pages of a free stack slot (NULL: no handler, no slot, or
 * the map failed, capos_errno set), the slot's mapping now (it grows
 * down), and giving the slot back (its mapping gone or on its way).
 */
void *rt_stack_map(uint64_t pages, int32_t *slot);
void *rt_stack_mapping(int32_t slot, uint64_t *pages);
void rt_stack_release(int32_t slot);

#endif
