/*
 * CAPOS_E* codes (capos/error.h) to errno values, for the hooks that
 * report a capability call's failure through errno.  The C library's
 * strerror gives the text; capos_strerror remains for CAPOS_E* codes.
 */
#include <capos/error.h>
#include "libc_internal.h"

static const unsigned char errno_of[CAPOS_ERROR_COUNT] = {
	[CAPOS_OK] = 0,
	[CAPOS_EINVAL] = EINVAL,
	[CAPOS_ENOMEM] = ENOMEM,
	[CAPOS_ERANGE] = ERANGE,
	[CAPOS_EFAULT] = EFAULT,
	[CAPOS_ENOENT] = ENOENT,
	[CAPOS_EEXIST] = EEXIST,
	[CAPOS_EBADF] = EBADF,
	[CAPOS_ETYPE] = EINVAL,
	[CAPOS_EPERM] = EPERM,
	[CAPOS_EQUOTA] = ENOMEM,      /* the frame (or thread, capability) quota */
	[CAPOS_EAGAIN] = EAGAIN,
	[CAPOS_ETIMEDOUT] = ETIMEDOUT,
	[CAPOS_ECANCELED] = ECANCELED,
	[CAPOS_ENOSYS] = ENOSYS,
	[CAPOS_EFORMAT] = EINVAL,
	[CAPOS_ETRUNC] = EMSGSIZE,
	[CAPOS_EBUSY] = EBUSY,
	[CAPOS_EIO] = EIO,
	[CAPOS_ENOTSUP] = ENOTSUP,
	[CAPOS_EPEER] = EPIPE,
	[CAPOS_EREVOKED] = EACCES,
	[CAPOS_ESESSION] = EACCES,
	[CAPOS_EMASKED] = EINTR,
};

int capos_errno_from(int capos_err)
{
	if (capos_err < 0)
		capos_err = -capos_err;
	if (capos_err >= CAPOS_ERROR_COUNT || !errno_of[capos_err])
		return EIO;
	return errno_of[capos_err];
}
