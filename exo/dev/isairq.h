/*
 * Legacy ISA IRQ lines on an IOAPIC machine (pure: built into the host
 * tests).  A line reaches the IOAPIC as the GSI of the same number, edge
 * triggered and active high, unless the MADT carries an interrupt source
 * override for it (ACPI 6.5, 5.2.12.5), whose MPS INTI flags may change
 * the GSI, the trigger mode and the polarity.
 *
 * Some lines are the kernel's or the firmware's and are never granted:
 * 0 (the PIT; capOS ticks with the LAPIC timer but the line stays the
 * platform timer's), 2 (the 8259 cascade), 4 (COM1, the kernel console)
 * and the ACPI SCI (FADT), nor any line whose GSI after overrides is one
 * of theirs.
 */
#ifndef EXO_DEV_ISAIRQ_H
#define EXO_DEV_ISAIRQ_H

#include <stdbool.h>
#include <stdint.h>

#define ISA_IRQ_LINES 16u
#define ISA_IRQ_NO_SCI 0xffffu   /* sci_irq when the FADT gives none */

struct isa_override {
	uint8_t bus_irq;
	uint32_t gsi;
	uint16_t flags;   /* MPS INTI flags: polarity bits 0-1, trigger mode bits 2-3 */
};

struct isa_route {
	uint32_t gsi;
	bool level;
	bool active_low;
};

/* Where ISA line (< 16) arrives, with the first override for it applied. */
void isa_irq_route(const struct isa_override *iso, uint32_t n, uint8_t line, struct isa_route *out);

/*
 * May a driver have line?  0, -CAPOS_ERANGE for a line past 15,
 * -CAPOS_EPERM for a reserved line (above) or one that shares a reserved
 * line's GSI.
 */
int isa_irq_grantable(const struct isa_override *iso, uint32_t n, uint32_t line, uint32_t sci_irq);

#endif
