/*
 * The three calibration references (see refclock.h).
 *
 *   ACPI PM timer: 3.579545 MHz, 24 or 32 bits (FADT TMR_VAL_EXT), an I/O
 *     port that counts up whether or not ACPI mode is enabled.
 *   HPET: main counter at 0xf0, period in femtoseconds in the capability
 *     register; enabled here if the firmware left it halted.
 *   PIT channel 2: 1.193182 MHz, 16 bits counting down; gated through
 *     port 0x61 with the speaker output off, programmed in mode 0 with
 *     reload 0 so it wraps freely.  Counts are read with a latch command.
 *
 * Before use, each source is checked to advance: a source that reads a
 * constant (absent device, 0xffffffff) is refused rather than waited on.
 */
#include <stdint.h>
#include <capos/error.h>
#include "refclock.h"
#include "cpu.h"
#include "../../mm/mm.h"

#define PM_TIMER_HZ 3579545ull
#define PIT_HZ 1193182ull
#define PIT_CH2_DATA 0x42
#define PIT_CMD 0x43
#define PIT_GATE_PORT 0x61
#define PIT_GATE_BIT 0x01
#define PIT_SPEAKER_BIT 0x02
#define PIT_CMD_CH2_MODE0_LOHI 0xb0
#define PIT_CMD_CH2_LATCH 0x80
#define HPET_CAP 0x00
#define HPET_CONFIG 0x10
#define HPET_COUNTER 0xf0
#define HPET_ENABLE 1ull
#define HPET_MAX_PERIOD_FS 100000000ull  /* the spec's upper bound: 100 ns */
#define ADVANCE_TRIES 100000

/* The counter must change within a bounded number of reads. */
static int refclock_check_advances(const struct refclock *rc)
{
	uint64_t first = rc->read(rc);

	for (int i = 0; i < ADVANCE_TRIES; i++)
		if (rc->read(rc) != first)
			return 0;
	return -CAPOS_EIO;
}

static uint64_t pm_read(const struct refclock *rc)
{
	return inl(rc->port) & rc->mask;
}

int refclock_acpi_pm(struct refclock *rc, uint32_t port, bool is_32bit)
{
	if (port == 0 || port > 0xfffc)
		return -CAPOS_ENOENT;
	*rc = (struct refclock){ .name = "acpi-pm", .hz = PM_TIMER_HZ,
				 .mask = is_32bit ? 0xffffffffull : 0xffffffull,
				 .read = pm_read, .port = (uint16_t)port };
	return refclock_check_advances(rc);
}

static uint64_t hpet_read(const struct refclock *rc)
{
	return rc->hpet[HPET_COUNTER / 8];
}

/* One mapping per HPET block, made on first use (boot CPU, during bring-up or a ktest). */
static volatile uint64_t *hpet_map(uint64_t phys)
{
	static volatile uint64_t *regs;
	static uint64_t regs_phys;

	if (regs && regs_phys == phys)
		return regs;
	regs = vm_map_mmio(phys, PAGE_SIZE);
	regs_phys = regs ? phys : 0;
	return regs;
}

int refclock_hpet(struct refclock *rc, uint64_t phys)
{
	volatile uint64_t *regs;
	uint64_t period_fs;

	if (phys == 0 || (phys & 7))
		return -CAPOS_ENOENT;
	regs = hpet_map(phys);
	if (!regs)
		return -CAPOS_ENOMEM;
	period_fs = regs[HPET_CAP / 8] >> 32;
	if (period_fs == 0 || period_fs > HPET_MAX_PERIOD_FS)
		return -CAPOS_EIO;
	if (!(regs[HPET_CONFIG / 8] & HPET_ENABLE))
		regs[HPET_CONFIG / 8] |= HPET_ENABLE;
	*rc = (struct refclock){ .name = "hpet", .hz = 1000000000000000ull / period_fs,
				 .mask = UINT64_MAX, .read = hpet_read, .hpet = regs };
	return refclock_check_advances(rc);
}

static uint64_t pit_read(const struct refclock *rc)
{
	uint8_t lo, hi;

	(void)rc;
	outb(PIT_CMD, PIT_CMD_CH2_LATCH);
	lo = inb(PIT_CH2_DATA);
	hi = inb(PIT_CH2_DATA);
	/* Counts down; negate to count up. */
	return (uint16_t)-(uint16_t)(lo | (hi << 8));
}

int refclock_pit(struct refclock *rc)
{
	uint8_t gate = inb(PIT_GATE_PORT);

	outb(PIT_GATE_PORT, (uint8_t)((gate & ~PIT_SPEAKER_BIT) | PIT_GATE_BIT));
	outb(PIT_CMD, PIT_CMD_CH2_MODE0_LOHI);
	outb(PIT_CH2_DATA, 0);  /* reload 0 = 65536: wraps through every value */
	outb(PIT_CH2_DATA, 0);
	*rc = (struct refclock){ .name = "pit", .hz = PIT_HZ, .mask = 0xffff, .read = pit_read };
	return refclock_check_advances(rc);
}
