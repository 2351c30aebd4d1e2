/*
 * Loading a process's I/O permission bitmap into this CPU's TSS (see
 * iopb.h).  The CPU checks the bitmap in memory on every in/out from user
 * mode, so rewriting it takes effect at once, without reloading TR.
 */
#include <stdint.h>
#include "cpu.h"
#include "iopb.h"
#include "percpu.h"
#include "../../kern/panic.h"
#include "../../lib/string.h"

void arch_iopb_load(const uint8_t *bits, uint32_t used, uint64_t version)
{
	struct arch_cpu *c = this_cpu();

	KASSERT(!(read_rflags() & RFLAGS_IF));
	KASSERT(used <= ARCH_IOPB_BYTES && (bits != NULL || used == 0));
	if (c->iopb_used > used)
		memset(c->iopb + used, 0xff, c->iopb_used - used);
	if (used)
		memcpy(c->iopb, bits, used);
	c->iopb_used = used;
	c->iopb_version = version;
}

uint64_t arch_iopb_version(void)
{
	return this_cpu()->iopb_version;
}
