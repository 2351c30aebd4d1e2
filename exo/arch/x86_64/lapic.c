/*
 * Local APIC driver (see lapic.h).  Register offsets and bits: Intel SDM
 * vol. 3, chapter 11 (xAPIC MMIO offsets; in x2APIC mode register
 * offset r is MSR 0x800 + r / 16).
 *
 * Bring-up leaves the LAPIC software-enabled with the spurious vector set,
 * task priority 0, LINT0 masked (the 8259s are masked too), LINT1 as NMI,
 * the error LVT on VEC_LAPIC_ERROR and the timer masked until
 * timer.c starts it.
 */
#include <stdint.h>
#include "lapic.h"
#include "cpu.h"
#include "percpu.h"
#include "trap.h"
#include "../../kern/log.h"
#include "../../kern/panic.h"
#include "../../mm/mm.h"

#define LAPIC_ID        0x020
#define LAPIC_VERSION   0x030
#define LAPIC_TPR       0x080
#define LAPIC_EOI       0x0b0
#define LAPIC_SVR       0x0f0
#define LAPIC_ESR       0x280
#define LAPIC_ICR_LOW   0x300
#define LAPIC_ICR_HIGH  0x310
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_THERMAL 0x330
#define LAPIC_LVT_PERF  0x340
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_ERROR 0x370
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR 0x390
#define LAPIC_TIMER_DIV 0x3e0

#define APIC_BASE_ENABLE (1ull << 11)
#define APIC_BASE_X2APIC (1ull << 10)
#define APIC_BASE_ADDR_MASK 0x000ffffffffff000ull
#define SVR_ENABLE      (1u << 8)
#define LVT_MASKED      (1u << 16)
#define LVT_PERIODIC    (1u << 17)
#define LVT_DELIVERY_NMI (4u << 8)
#define TIMER_DIV_16    0x3u
#define X2APIC_MSR_BASE 0x800u
#define X2APIC_MSR_ICR  0x830u
#define ICR_DELIVERY_NMI (4u << 8)
#define ICR_SEND_PENDING (1u << 12)
#define ICR_ASSERT      (1u << 14)
#define ICR_WAIT_POLLS  1000000

/* Set once by lapic_init on the boot CPU, read-only afterwards. */
static volatile uint32_t *lapic_mmio;
static bool x2apic;
static uint64_t lapic_base_phys;

static uint32_t lapic_read(uint32_t reg)
{
	if (x2apic)
		return (uint32_t)rdmsr(X2APIC_MSR_BASE + (reg >> 4));
	return lapic_mmio[reg / 4];
}

static void lapic_write(uint32_t reg, uint32_t v)
{
	if (x2apic)
		wrmsr(X2APIC_MSR_BASE + (reg >> 4), v);
	else
		lapic_mmio[reg / 4] = v;
}

bool lapic_ready(void) { return x2apic || lapic_mmio != NULL; }
bool lapic_x2apic_mode(void) { return x2apic; }
uint64_t lapic_phys(void) { return lapic_base_phys; }

uint32_t lapic_id(void)
{
	uint32_t id = lapic_read(LAPIC_ID);

	return x2apic ? id : id >> 24;
}

void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

/* Spurious interrupts need no EOI (SDM 11.9); just count them (trap.c does). */
static void lapic_spurious(struct trap_frame *f)
{
	(void)f;
}

static void lapic_error(struct trap_frame *f)
{
	uint32_t esr;

	(void)f;
	lapic_write(LAPIC_ESR, 0);  /* latch the current errors into ESR */
	esr = lapic_read(LAPIC_ESR);
	kwarn("lapic: error interrupt, ESR 0x%x", esr);
	lapic_eoi();
}

/* Find the LAPIC: the MSR is authoritative; ACPI's MADT should agree. */
static void lapic_locate(uint64_t acpi_phys)
{
	uint64_t msr = rdmsr(MSR_APIC_BASE);

	if (!(msr & APIC_BASE_ENABLE)) {
		msr |= APIC_BASE_ENABLE;
		wrmsr(MSR_APIC_BASE, msr);
	}
	x2apic = (msr & APIC_BASE_X2APIC) != 0;
	lapic_base_phys = msr & APIC_BASE_ADDR_MASK;
	if (acpi_phys && acpi_phys != lapic_base_phys)
		kwarn("lapic: MADT says 0x%llx but IA32_APIC_BASE says 0x%llx; using the MSR",
		      (unsigned long long)acpi_phys, (unsigned long long)lapic_base_phys);
	if (x2apic)
		return;
	lapic_mmio = vm_map_mmio(lapic_base_phys, PAGE_SIZE);
	if (!lapic_mmio)
		panic("lapic: cannot map the local APIC registers at 0x%llx",
		      (unsigned long long)lapic_base_phys);
}

static void lapic_program_lvts(void)
{
	uint32_t max_lvt = (lapic_read(LAPIC_VERSION) >> 16) & 0xff;

	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | VEC_LAPIC_TIMER);
	lapic_write(LAPIC_LVT_LINT0, LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT1, LVT_DELIVERY_NMI);
	if (max_lvt >= 4)
		lapic_write(LAPIC_LVT_PERF, LVT_MASKED);
	if (max_lvt >= 5)
		lapic_write(LAPIC_LVT_THERMAL, LVT_MASKED);
	lapic_write(LAPIC_LVT_ERROR, VEC_LAPIC_ERROR);
	/* Back-to-back ESR writes clear errors latched before we took over. */
	lapic_write(LAPIC_ESR, 0);
	lapic_write(LAPIC_ESR, 0);
}

void lapic_init(uint64_t acpi_phys)
{
	KASSERT(!lapic_ready());
	lapic_locate(acpi_phys);
	trap_set_irq_handler(VEC_SPURIOUS, lapic_spurious);
	trap_set_irq_handler(VEC_LAPIC_ERROR, lapic_error);
	lapic_program_lvts();
	lapic_write(LAPIC_SVR, SVR_ENABLE | VEC_SPURIOUS);
	lapic_eoi();  /* drop anything the firmware left in service */
	this_cpu()->apic_id = lapic_id();
	kinfo("lapic: %s at 0x%llx, id %u, version 0x%x", x2apic ? "x2APIC (MSR)" : "xAPIC (MMIO)",
	      (unsigned long long)lapic_base_phys, lapic_id(), lapic_read(LAPIC_VERSION) & 0xff);
}

void lapic_timer_oneshot_masked(uint32_t count)
{
	lapic_write(LAPIC_TIMER_DIV, TIMER_DIV_16);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | VEC_LAPIC_TIMER);
	lapic_write(LAPIC_TIMER_INIT, count);
}

void lapic_timer_periodic(uint8_t vector, uint32_t count)
{
	KASSERT(count > 0);
	lapic_write(LAPIC_TIMER_DIV, TIMER_DIV_16);
	lapic_write(LAPIC_LVT_TIMER, LVT_PERIODIC | vector);
	lapic_write(LAPIC_TIMER_INIT, count);
}

void lapic_timer_stop(void)
{
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | VEC_LAPIC_TIMER);
	lapic_write(LAPIC_TIMER_INIT, 0);
}

uint32_t lapic_timer_current(void)
{
	return lapic_read(LAPIC_TIMER_CUR);
}

/*
 * An IPI to our own APIC id with no shorthand (the "self" shorthand is not
 * valid for NMI delivery).  In xAPIC mode the high half (destination)
 * must be written before the low half, which sends.
 */
static void lapic_send_to_self(uint32_t low)
{
	if (x2apic) {
		wrmsr(X2APIC_MSR_ICR, ((uint64_t)lapic_id() << 32) | low);
		return;
	}
	lapic_write(LAPIC_ICR_HIGH, lapic_id() << 24);
	lapic_write(LAPIC_ICR_LOW, low);
	for (int i = 0; i < ICR_WAIT_POLLS && (lapic_read(LAPIC_ICR_LOW) & ICR_SEND_PENDING); i++)
		cpu_relax();
}

void lapic_send_self(uint8_t vector)
{
	lapic_send_to_self(ICR_ASSERT | vector);  /* fixed delivery mode is 0 */
}

void lapic_send_nmi_self(void)
{
	lapic_send_to_self(ICR_DELIVERY_NMI | ICR_ASSERT);
}
