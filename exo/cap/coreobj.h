/*
 * The kernel's singleton capability objects: one Null, Console, Timer,
 * EntropySource and FrameAllocator for the whole machine
 * (they act on behalf of whoever calls, charging the caller), created at
 * boot and never freed.  Per-process objects (VirtualMemory, ThreadSpawner,
 * ThreadControl, ParkSpace) are made at spawn by their own files.  The
 * boot package, a read-only MemoryObject, is the kernel's too (obj_bootmem.c).
 */
#ifndef EXO_CAP_COREOBJ_H
#define EXO_CAP_COREOBJ_H

#include "kobj.h"

struct kobj *coreobj_null(void);
struct kobj *coreobj_console(void);
struct kobj *coreobj_timer(void);
struct kobj *coreobj_entropy(void);
struct kobj *coreobj_bootpkg(void);     /* obj_bootmem.c */
struct kobj *coreobj_endpoints(void);   /* endpoint.c */
struct kobj *coreobj_capspace(void);    /* obj_capspace.c */

/* 64 random bits for kernel keys (RDSEED/RDRAND; a TSC mix without them). */
uint64_t entropy_u64(void);

#endif
