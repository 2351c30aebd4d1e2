/*
 * Shared by the OS hooks of libos/libc/ (the part of libcapos_rt that
 * newlib calls into): turning a CAPOS_E* code into errno, and the hooks
 * the runtime (libos/rt/) calls back into the C library layer.
 */
#ifndef LIBOS_LIBC_INTERNAL_H
#define LIBOS_LIBC_INTERNAL_H

#include <errno.h>
#include <stdint.h>

/* The errno value for a CAPOS_E* code (either sign); EIO for unknown codes. */
int capos_errno_from(int capos_err);

/* Set errno and return -1: the failure convention of every hook. */
static inline int libc_fail(int e)
{
	errno = e;
	return -1;
}

/* errno from a CAPOS_E* code, -1. */
static inline int libc_fail_capos(int capos_err)
{
	return libc_fail(capos_errno_from(capos_err));
}

#endif
