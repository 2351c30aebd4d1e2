/*
 * Kernel-internal interface of the Interrupt object (exo/dev/interrupt.c)
 * for the code that owns interrupt sources: DeviceRoot's legacy lines and
 * a PciFunction's INTx, MSI and MSI-X vectors (docs/devices.md).
 *
 * An Interrupt delivers one CPU vector.  When it fires the kernel calls the
 * source's mask (level lines and anything maskable), records it, sends the
 * EOI and completes a pending wait; ack calls unmask.  The owner of a
 * source that goes away (a PciFunction whose claim ends) calls irq_revoke:
 * the source is masked and released, a pending wait completes with
 * -CAPOS_EREVOKED and every later call on the object answers the same.
 */
#ifndef EXO_DEV_IRQ_H
#define EXO_DEV_IRQ_H

#include <stdbool.h>
#include <stdint.h>
#include <capos/iface.h>
#include "kobj.h"

/*
 * mask and unmask are called with sched_lock held and interrupts off (from
 * the interrupt handler too): they may only touch the device's registers
 * and leaf locks.  release is called with no lock held.
 */
struct irq_source_ops {
	void (*mask)(void *ctx);      /* stop the source raising the vector (may be NULL: not maskable) */
	void (*unmask)(void *ctx);
	void (*release)(void *ctx);   /* the Interrupt is gone or revoked: leave the source masked, free ctx */
};

/* Boot: take every vector in VEC_IRQ_FIRST..VEC_IRQ_LAST and read the MADT's overrides (after ioapic_init). */
void irq_init(void);

/*
 * A new Interrupt on a freshly allocated vector, raised by a source the
 * caller programs (MSI, MSI-X) once *vector is known.  kind and line are
 * what info reports (CAPOS_IRQ_KIND_*).  0, -CAPOS_ENOMEM or -CAPOS_EBUSY
 * (no vector left); on failure nothing is kept and ctx is not released.
 * The kernel takes the source as enabled and first calls ops when it
 * fires (or on ack, mask, unmask, the end); the caller returns one
 * reference in *out.
 */
int irq_create_vectored(const struct irq_source_ops *ops, void *ctx, uint32_t kind, uint32_t line,
			struct kobj **out, uint8_t *vector);

/*
 * A new Interrupt on an IOAPIC GSI (PCI INTx: level, active low; possibly
 * shared: the line stays masked until every holder has acked).  0,
 * -CAPOS_ENOENT (no IOAPIC pin for gsi), -CAPOS_EBUSY (gsi is a legacy
 * line's, or shared with another trigger mode or polarity, or no vector
 * left), -CAPOS_ENOMEM.
 */
int irq_create_gsi(uint32_t gsi, bool level, bool active_low, uint32_t kind, struct kobj **out);

/* The MSI address and data that deliver vector to the boot CPU, fixed, edge. */
void irq_msi_message(uint8_t vector, uint64_t *addr, uint32_t *data);

/* The source behind irq is gone: see the top of this file.  Idempotent. */
void irq_revoke(struct kobj *irq);

/* What Interrupt.info reports (for tests and diagnostics). */
void irq_info(struct kobj *irq, struct capos_interrupt_info_out *out);

#endif
