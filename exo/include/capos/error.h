/*
 * The one error convention of capOS: functions return 0 (or a non-negative
 * count) on success and a negative CAPOS_E* code on failure.  Kernel, libOS,
 * loader and host tools share these numbers; capos_strerror() (exo/lib)
 * gives the text.  New codes go at the end: numbers are ABI.
 */
#ifndef CAPOS_ERROR_H
#define CAPOS_ERROR_H

enum capos_error {
	CAPOS_OK = 0,
	CAPOS_EINVAL = 1,     /* malformed argument */
	CAPOS_ENOMEM = 2,     /* out of memory or address space */
	CAPOS_ERANGE = 3,     /* value or length out of range */
	CAPOS_EFAULT = 4,     /* bad user pointer */
	CAPOS_ENOENT = 5,     /* no such name */
	CAPOS_EEXIST = 6,     /* already exists */
	CAPOS_EBADF = 7,      /* bad or stale handle */
	CAPOS_ETYPE = 8,      /* wrong object or interface type */
	CAPOS_EPERM = 9,      /* not permitted by the capability held */
	CAPOS_EQUOTA = 10,    /* a quota is exhausted */
	CAPOS_EAGAIN = 11,    /* try again later */
	CAPOS_ETIMEDOUT = 12,
	CAPOS_ECANCELED = 13,
	CAPOS_ENOSYS = 14,    /* operation not provided */
	CAPOS_EFORMAT = 15,   /* corrupt file or record (bad magic, checksum, layout) */
	CAPOS_ETRUNC = 16,    /* data ends before a structure does */
	CAPOS_EBUSY = 17,
	CAPOS_EIO = 18,
	CAPOS_ENOTSUP = 19,   /* valid but unsupported (e.g. a CPU feature) */
	CAPOS_EPEER = 20,     /* the other side died */
	CAPOS_EREVOKED = 21,  /* the capability was revoked */
	CAPOS_ESESSION = 22,  /* the session has ended (logout or expiry), or sessiond keeps it no more */
	CAPOS_EMASKED = 23,   /* the interrupt was masked */
	CAPOS_ERROR_COUNT
};

#endif
