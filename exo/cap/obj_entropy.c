/*
 * EntropySource: random bytes from the CPU's RDSEED (preferred) or RDRAND.
 * A CPU without either gets -CAPOS_ENOTSUP, never made-up bytes; a source
 * that keeps failing its retries gets -CAPOS_EIO.
 */
#include <stdbool.h>
#include <capos/error.h>
#include <capos/iface.h>
#include "coreobj.h"
#include "iface_kernel.h"
#include "../arch/x86_64/arch.h"
#include "../arch/x86_64/cpu.h"
#include "../lib/string.h"

#define ENTROPY_RETRIES 64

static struct kobj entropy_obj = KOBJ_STATIC(CAPOS_IFACE_ENTROPY_SOURCE);

struct kobj *coreobj_entropy(void)
{
	return &entropy_obj;
}

/* A random word from RDSEED or RDRAND; false when the CPU has neither or they keep failing. */
static bool hw_random(uint64_t *v)
{
	if (!boot_cpu.rdrand && !boot_cpu.rdseed)
		return false;
	for (int i = 0; i < ENTROPY_RETRIES; i++) {
		uint8_t ok;

		if (boot_cpu.rdseed)
			__asm__ volatile("rdseed %0; setc %1" : "=r"(*v), "=qm"(ok));
		else
			__asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok));
		if (ok)
			return true;
		__asm__ volatile("pause");
	}
	return false;
}

uint64_t entropy_u64(void)
{
	uint64_t v;

	if (hw_random(&v))
		return v;
	/* No RDRAND/RDSEED answer: the TSC mixed through a 64-bit finaliser (weak, but unique). */
	v = rdtsc() ^ 0x9e3779b97f4a7c15ull;
	v = (v ^ (v >> 30)) * 0xbf58476d1ce4e5b9ull;
	v = (v ^ (v >> 27)) * 0x94d049bb133111ebull;
	return v ^ (v >> 31);
}

int kcap_entropy_source_read(struct kcall *call, const struct capos_entropy_source_read_in *in,
			     uint32_t in_len, struct capos_entropy_source_read_out *out, uint32_t *out_len)
{
	(void)call; (void)in_len;
	if (!boot_cpu.rdrand && !boot_cpu.rdseed)
		return -CAPOS_ENOTSUP;
	if (in->length > sizeof out->data || in->length > *out_len)
		return -CAPOS_ERANGE;
	for (uint32_t done = 0; done < in->length; done += 8) {
		uint64_t v;
		uint32_t n = in->length - done < 8 ? in->length - done : 8;

		if (!hw_random(&v))
			return -CAPOS_EIO;
		memcpy(out->data + done, &v, n);
	}
	*out_len = in->length;
	return 0;
}
