/*
 * Weak stand-ins for the IoPortRange and Interrupt internals (ioport.h,
 * irq.h) while those objects are written in another branch: each answers
 * an error, so PciFunction.ioports and .interrupt fail cleanly with
 * -CAPOS_ENOSYS / -CAPOS_ENOMEM.  The real definitions in ioport.c and
 * interrupt.c are strong and replace these at link time; this file can go
 * once they have landed.
 */
#include <capos/error.h>
#include "ioport.h"
#include "irq.h"

__attribute__((weak)) struct kobj *ioport_range_create(uint32_t base, uint32_t count)
{
	(void)base; (void)count;
	return NULL;
}

__attribute__((weak)) void ioport_range_revoke(struct kobj *range)
{
	(void)range;
}

__attribute__((weak)) int irq_create_vectored(const struct irq_source_ops *ops, void *ctx, uint32_t kind,
					      uint32_t line, struct kobj **out, uint8_t *vector)
{
	(void)ops; (void)ctx; (void)kind; (void)line; (void)out; (void)vector;
	return -CAPOS_ENOSYS;
}

__attribute__((weak)) int irq_create_gsi(uint32_t gsi, bool level, bool active_low, uint32_t kind,
					 struct kobj **out)
{
	(void)gsi; (void)level; (void)active_low; (void)kind; (void)out;
	return -CAPOS_ENOSYS;
}

__attribute__((weak)) void irq_msi_message(uint8_t vector, uint64_t *addr, uint32_t *data)
{
	*addr = 0xfee00000u;
	*data = vector;
}

__attribute__((weak)) void irq_revoke(struct kobj *irq)
{
	(void)irq;
}
