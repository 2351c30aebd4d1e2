/*
 * Text for the CAPOS_E* codes of capos/error.h: the one table, shared by
 * every program through the runtime.  A code's text says what went wrong
 * from the caller's side.
 */
#include <capos/rt.h>

static const char *const error_text[CAPOS_ERROR_COUNT] = {
	[CAPOS_OK] = "success",
	[CAPOS_EINVAL] = "invalid argument",
	[CAPOS_ENOMEM] = "out of memory or address space",
	[CAPOS_ERANGE] = "value or length out of range",
	[CAPOS_EFAULT] = "bad address",
	[CAPOS_ENOENT] = "no such name",
	[CAPOS_EEXIST] = "already exists",
	[CAPOS_EBADF] = "bad or stale handle",
	[CAPOS_ETYPE] = "wrong object or interface type",
	[CAPOS_EPERM] = "not permitted",
	[CAPOS_EQUOTA] = "quota exhausted",
	[CAPOS_EAGAIN] = "try again",
	[CAPOS_ETIMEDOUT] = "timed out",
	[CAPOS_ECANCELED] = "cancelled",
	[CAPOS_ENOSYS] = "operation not provided",
	[CAPOS_EFORMAT] = "corrupt format",
	[CAPOS_ETRUNC] = "truncated data",
	[CAPOS_EBUSY] = "busy",
	[CAPOS_EIO] = "input/output error",
	[CAPOS_ENOTSUP] = "not supported",
	[CAPOS_EPEER] = "the other side is gone",
	[CAPOS_EREVOKED] = "capability revoked",
	[CAPOS_ESESSION] = "session ended",
	[CAPOS_EMASKED] = "interrupt masked",
};

const char *capos_strerror(int code)
{
	if (code == CAPOS_STATUS_APP_ERROR)
		return "application error";
	if (code < 0)
		code = -code;
	if (code >= CAPOS_ERROR_COUNT || !error_text[code])
		return "unknown error";
	return error_text[code];
}
