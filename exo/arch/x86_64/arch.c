/*
 * x86_64 bring-up: the two entry points kmain calls (arch.h).
 *
 * arch_early_init runs on the boot stack with the loader's page tables
 * and no heap: the per-CPU record with its GDT and TSS (IST stacks from
 * .bss), the IDT (so every later fault prints a dump), the 8259s moved
 * away and masked, CPU protection features, then the FPU.
 *
 * arch_late_init runs on a guarded kernel stack after ACPI discovery:
 * guarded IST stacks, the LAPIC, the IOAPICs (every pin masked), timer
 * calibration and the periodic tick, and the SYSCALL MSRs.  It ends by enabling interrupts, so the
 * tick counts from then on.
 */
#include <stdint.h>
#include "arch.h"
#include "arch_setup.h"
#include "context.h"
#include "cpu.h"
#include "ioapic.h"
#include "lapic.h"
#include "percpu.h"
#include "pic.h"
#include "trap.h"
#include "../../acpi/acpi.h"
#include "../../kern/log.h"

void arch_early_init(void)
{
	struct arch_cpu *boot = percpu_init_boot();

	idt_init();
	idt_load();
	pic_disable();
	cpufeat_init();
	fpu_init();
	kinfo("arch: GDT, TSS and IDT loaded on CPU %u (IST: #DF %u, NMI %u, #MC %u)", boot->index,
	      IST_DOUBLE_FAULT, IST_NMI, IST_MACHINE_CHECK);
}

void arch_late_init(void)
{
	struct arch_cpu *boot = this_cpu();

	percpu_alloc_ist(boot);
	lapic_init(acpi.present ? acpi.lapic_phys : 0);
	ioapic_init();
	timer_init(acpi.present ? acpi.pm_timer_port : 0, acpi.pm_timer_32bit,
		   acpi.present ? acpi.hpet_phys : 0);
	arch_syscall_init();
	irq_enable();
}
