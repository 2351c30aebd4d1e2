/*
 * IOAPIC driver (see ioapic.h).  Registers: the 82093AA datasheet; each
 * IOAPIC has an index register (IOREGSEL, offset 0) and a data window
 * (IOWIN, offset 0x10).  Register 1 holds the number of pins less one in
 * bits 16-23; pin n's 64-bit redirection entry is registers 0x10 + 2n
 * (low half) and 0x11 + 2n (high half: the destination in bits 56-63).
 *
 * Writes to an entry go high half first and mask-preserving, so a pin is
 * never live with half of its new routing.
 */
#include <stdint.h>
#include "ioapic.h"
#include "../../acpi/acpi.h"
#include "../../kern/log.h"
#include "../../kern/panic.h"
#include "../../kern/spinlock.h"
#include "../../mm/mm.h"

#define IOREGSEL 0x00
#define IOWIN    0x10
#define REG_VERSION 0x01
#define REG_REDIR   0x10
#define REDIR_MASKED     (1u << 16)
#define REDIR_LEVEL      (1u << 15)
#define REDIR_ACTIVE_LOW (1u << 13)
#define IOAPIC_WINDOW 0x20

struct ioapic {
	volatile uint32_t *regs;
	uint32_t gsi_base;
	uint32_t pins;
	uint8_t id;
};

static struct ioapic ioapics[ACPI_MAX_IOAPICS];  /* set by ioapic_init, read-only after */
static uint32_t ioapic_n;
static struct spinlock ioapic_lock = SPINLOCK_INIT;  /* the register windows */

static uint32_t reg_read(const struct ioapic *a, uint32_t reg)
{
	a->regs[IOREGSEL / 4] = reg;
	return a->regs[IOWIN / 4];
}

static void reg_write(const struct ioapic *a, uint32_t reg, uint32_t v)
{
	a->regs[IOREGSEL / 4] = reg;
	a->regs[IOWIN / 4] = v;
}

/* The IOAPIC owning gsi and its pin there; NULL when none does. */
static const struct ioapic *find(uint32_t gsi, uint32_t *pin)
{
	for (uint32_t i = 0; i < ioapic_n; i++) {
		const struct ioapic *a = &ioapics[i];

		if (gsi >= a->gsi_base && gsi - a->gsi_base < a->pins) {
			*pin = gsi - a->gsi_base;
			return a;
		}
	}
	return NULL;
}

static void mask_all(const struct ioapic *a)
{
	for (uint32_t pin = 0; pin < a->pins; pin++) {
		reg_write(a, REG_REDIR + 2 * pin + 1, 0);
		reg_write(a, REG_REDIR + 2 * pin, REDIR_MASKED);
	}
}

void ioapic_init(void)
{
	for (uint32_t i = 0; acpi.present && i < acpi.ioapic_count; i++) {
		struct ioapic *a = &ioapics[ioapic_n];

		a->regs = vm_map_mmio(acpi.ioapic[i].phys, IOAPIC_WINDOW);
		if (!a->regs) {
			kwarn("ioapic: cannot map IOAPIC %u at 0x%llx; its lines are unavailable",
			      acpi.ioapic[i].id, (unsigned long long)acpi.ioapic[i].phys);
			continue;
		}
		a->gsi_base = acpi.ioapic[i].gsi_base;
		a->id = acpi.ioapic[i].id;
		a->pins = ((reg_read(a, REG_VERSION) >> 16) & 0xff) + 1;
		mask_all(a);
		ioapic_n++;
		kinfo("ioapic: id %u at 0x%llx, GSIs %u-%u, all masked", a->id,
		      (unsigned long long)acpi.ioapic[i].phys, a->gsi_base, a->gsi_base + a->pins - 1);
	}
	if (!ioapic_n)
		kinfo("ioapic: none; legacy interrupt lines are unavailable");
}

uint32_t ioapic_count(void)
{
	return ioapic_n;
}

bool ioapic_has_gsi(uint32_t gsi)
{
	uint32_t pin;

	return find(gsi, &pin) != NULL;
}

void ioapic_route(uint32_t gsi, uint8_t vector, bool level, bool active_low, uint32_t dest)
{
	uint32_t pin;
	const struct ioapic *a = find(gsi, &pin);
	uint32_t low = REDIR_MASKED | vector | (level ? REDIR_LEVEL : 0) | (active_low ? REDIR_ACTIVE_LOW : 0);
	uint64_t flags;

	KASSERT(a != NULL);
	flags = spin_lock_irqsave(&ioapic_lock);
	reg_write(a, REG_REDIR + 2 * pin, REDIR_MASKED);  /* masked before the destination moves */
	reg_write(a, REG_REDIR + 2 * pin + 1, (dest & 0xff) << 24);
	reg_write(a, REG_REDIR + 2 * pin, low);
	spin_unlock_irqrestore(&ioapic_lock, flags);
}

void ioapic_set_masked(uint32_t gsi, bool masked)
{
	uint32_t pin;
	const struct ioapic *a = find(gsi, &pin);
	uint64_t flags;
	uint32_t low;

	KASSERT(a != NULL);
	flags = spin_lock_irqsave(&ioapic_lock);
	low = reg_read(a, REG_REDIR + 2 * pin);
	low = masked ? low | REDIR_MASKED : low & ~REDIR_MASKED;
	reg_write(a, REG_REDIR + 2 * pin, low);
	spin_unlock_irqrestore(&ioapic_lock, flags);
}

uint64_t ioapic_entry(uint32_t gsi)
{
	uint32_t pin;
	const struct ioapic *a = find(gsi, &pin);
	uint64_t flags, v;

	if (!a)
		return 0;
	flags = spin_lock_irqsave(&ioapic_lock);
	v = ((uint64_t)reg_read(a, REG_REDIR + 2 * pin + 1) << 32) | reg_read(a, REG_REDIR + 2 * pin);
	spin_unlock_irqrestore(&ioapic_lock, flags);
	return v;
}
