/*
 * MemoryObject capability objects (obj_memobj.c): the kernel object a
 * MemoryObject handle points at, wrapping one holder reference on a
 * struct memobj (proc/memobj.h).  FrameAllocator.alloc (obj_frames.c)
 * makes them; the methods act on whoever calls, so a transferred object
 * maps into its new holder's address space.
 */
#ifndef EXO_CAP_MEMCAP_H
#define EXO_CAP_MEMCAP_H

#include <stdint.h>
#include "kobj.h"

struct memobj;

/* Wrap mo, taking over the caller's holder reference on it (also on
 * failure: NULL means no memory, and mo has been released). */
struct kobj *memcap_create(struct memobj *mo, int *err);
/* The memobj behind a MemoryObject object, or NULL when o is something else. */
struct memobj *memcap_memobj(struct kobj *o);
/* A mapping request for mo (vaddr 0: the kernel will pick): 0, or -CAPOS_EINVAL (bad prot), -CAPOS_ERANGE, -CAPOS_EPERM (W|X). */
int memcap_check_map(const struct memobj *mo, uint64_t vaddr, uint64_t first_page, uint64_t pages, uint32_t prot);

#endif
