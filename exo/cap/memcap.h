/*
 * MemoryObject capability objects (obj_memobj.c): the kernel object a
 * MemoryObject handle points at, wrapping one holder reference on a
 * struct memobj (proc/memobj.h).  FrameAllocator.alloc (obj_frames.c)
 * makes them; the methods act on whoever calls, so a transferred object
 * maps into its new holder's address space.
 */
#ifndef EXO_CAP_MEMCAP_H
#define EXO_CAP_MEMCAP_H

#include "kobj.h"

struct memobj;

/* Wrap mo, taking over the caller's holder reference on it (also on
 * failure: NULL means no memory, and mo has been released). */
struct kobj *memcap_create(struct memobj *mo, int *err);

#endif
