/*
 * Local APIC: this CPU's interrupt controller and its timer.
 *
 * Accessed through MMIO (xAPIC) mapped uncached with vm_map_mmio, or
 * through MSRs when the firmware left the LAPIC in x2APIC mode.  Each
 * CPU programs only its own LAPIC, so these functions take no lock; the
 * mapping itself is set once by the boot CPU in lapic_init.
 */
#ifndef EXO_ARCH_LAPIC_H
#define EXO_ARCH_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

#define LAPIC_TIMER_DIVIDE 16u

/* Map and enable the boot CPU's LAPIC; acpi_phys (0 if unknown) is cross-checked. */
void lapic_init(uint64_t acpi_phys);
bool lapic_ready(void);
bool lapic_x2apic_mode(void);
uint32_t lapic_id(void);
uint64_t lapic_phys(void);
void lapic_eoi(void);
/* Send an NMI to this CPU through the ICR (for tests of the NMI path). */
void lapic_send_nmi_self(void);
/* Raise vector on this CPU through the ICR, as a device would (fixed delivery; for tests). */
void lapic_send_self(uint8_t vector);

/* Timer, counting at the input clock / LAPIC_TIMER_DIVIDE. */
void lapic_timer_oneshot_masked(uint32_t count);  /* counts down, never interrupts */
void lapic_timer_periodic(uint8_t vector, uint32_t count);
void lapic_timer_stop(void);
uint32_t lapic_timer_current(void);

#endif
