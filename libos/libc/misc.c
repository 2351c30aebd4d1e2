/*
 * Small POSIX queries and newlib's start-up hooks.
 *
 * sysconf: _SC_PAGESIZE (4096), _SC_CLK_TCK (100, the
 * kernel's tick), _SC_NPROCESSORS_CONF/_ONLN (1: the kernel schedules
 * on one CPU today), _SC_OPEN_MAX (3, descriptors 0-2); anything else
 * is EINVAL.
 *
 * posix_memalign over newlib's memalign (newlib 3.3.0 refers to it from
 * aligned_alloc but does not define it).
 *
 * _init and _fini: newlib is configured with init/fini arrays, so its
 * __libc_init_array and __libc_fini_array run .preinit_array/.init_array
 * and .fini_array; these two are the empty legacy hooks (.init/.fini
 * sections are not used by capOS programs).
 */
#include <malloc.h>
#include <stdlib.h>
#include <unistd.h>
#include <capos/rt.h>
#include "libc_internal.h"

long sysconf(int name)
{
	switch (name) {
	case _SC_PAGESIZE:
		return CAPOS_PAGE_SIZE;
	case _SC_CLK_TCK:
		return 100;
	case _SC_NPROCESSORS_CONF:
	case _SC_NPROCESSORS_ONLN:
		return 1;
	case _SC_OPEN_MAX:
		return 3;
	default:
		return libc_fail(EINVAL);
	}
}

int getpagesize(void)
{
	return CAPOS_PAGE_SIZE;
}

int posix_memalign(void **out, size_t align, size_t size)
{
	void *p;

	if (align < sizeof(void *) || (align & (align - 1)))
		return EINVAL;
	p = memalign(align, size);
	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}

void _init(void)
{
}

void _fini(void)
{
}
