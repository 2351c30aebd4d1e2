/*
 * getentropy over "entropy" (EntropySource.read, at most 256 bytes per
 * call, which is also getentropy's limit).  newlib's arc4random seeds
 * itself from here.
 *
 * Errors: EIO for more than 256 bytes (as glibc and OpenBSD do); EFAULT
 * for a NULL buffer; ENOSYS without "entropy" or when the machine has no
 * hardware random source (the kernel says ENOTSUP: no RDRAND/RDSEED);
 * EIO when the kernel returns fewer bytes than asked.
 */
#include <string.h>
#include <unistd.h>
#include <capos/rt.h>
#include "libc_internal.h"

#define ENTROPY_MAX 256u

int getentropy(void *buf, size_t len)
{
	struct capos_entropy_source_read_in in = { .length = (uint32_t)len };
	struct capos_entropy_source_read_out out;
	uint32_t cap, got = 0;
	int err;

	if (len > ENTROPY_MAX)
		return libc_fail(EIO);
	if (!buf && len)
		return libc_fail(EFAULT);
	cap = capos_cap_find("entropy", NULL);
	if (!cap)
		return libc_fail(ENOSYS);
	if (len == 0)
		return 0;
	err = capos_entropy_source_read(capos_ring(), cap, &in, &out, &got);
	if (err == -CAPOS_ENOTSUP)
		return libc_fail(ENOSYS);
	if (err)
		return libc_fail_capos(err);
	if (got != len)
		return libc_fail(EIO);
	memcpy(buf, out.data, len);
	memset(&out, 0, sizeof out);
	return 0;
}
