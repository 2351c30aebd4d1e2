/*
 * IOAPICs: the interrupt controllers that turn device lines (GSIs) into
 * CPU vectors.  ioapic_init maps every IOAPIC the MADT lists and masks all
 * of their pins; a pin then carries an interrupt only once it has been
 * routed (vector, trigger mode, polarity, destination) and unmasked.
 *
 * Locking: one leaf spinlock (irqsave) guards the register windows, whose
 * index/data pairs must not interleave; any context may call these.
 */
#ifndef EXO_ARCH_IOAPIC_H
#define EXO_ARCH_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>

/* Map and mask every IOAPIC of the MADT (acpi.ioapic); none is fine (no lines then). */
void ioapic_init(void);

/* Number of IOAPICs mapped. */
uint32_t ioapic_count(void);

/* Is gsi a pin of some IOAPIC? */
bool ioapic_has_gsi(uint32_t gsi);

/*
 * Program gsi's pin (ioapic_has_gsi) to deliver vector, fixed mode,
 * physically to the CPU with APIC id dest, and leave it MASKED.  The
 * entry holds an 8-bit destination: an x2APIC id above 255 would need
 * interrupt remapping, which capOS does not program.
 */
void ioapic_route(uint32_t gsi, uint8_t vector, bool level, bool active_low, uint32_t dest);

/* Mask or unmask gsi's pin, keeping its routing. */
void ioapic_set_masked(uint32_t gsi, bool masked);

/* The pin's redirection entry (for tests and diagnostics); 0 for an unknown gsi. */
uint64_t ioapic_entry(uint32_t gsi);

#endif
