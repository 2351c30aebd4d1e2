/*
 * sbrk over VirtualMemory: the heap is the range from the bootstrap
 * page's heap_start (the first page after the program image) upwards,
 * mapped page by page as the break grows and unmapped as it shrinks
 * (capos_sbrk in libos/rt/memory.c, serialised by its own lock).  newlib's
 * malloc (dlmalloc) calls it under the malloc lock and gives memory back
 * when the top of the heap is free beyond its trim threshold.
 *
 * Errors: ENOMEM when the process's frame quota or the machine's memory
 * is exhausted (the kernel maps nothing then) or the break would leave
 * user space; ENOMEM as well without "vm"; EINVAL when shrinking below
 * heap_start.
 */
#include <unistd.h>
#include <capos/rt.h>
#include "libc_internal.h"

void *sbrk(ptrdiff_t increment)
{
	int err = 0;
	void *old = capos_sbrk(increment, &err);

	if (old == (void *)-1) {
		errno = err == -CAPOS_ENOENT ? ENOMEM : capos_errno_from(err);
		return (void *)-1;
	}
	return old;
}
