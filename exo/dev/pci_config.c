/*
 * PCI configuration access.  Through ECAM each function has its own 4 KiB
 * window (mapped uncached by pci_enum.c), read and written with single
 * loads and stores of the access width.  Through the legacy mechanism 1
 * an address goes to port 0xCF8 and the data through 0xCFC..0xCFF, two
 * steps that must not interleave with another access — so every access,
 * ECAM too (the read-modify-writes of the command and MSI registers need
 * it), runs under one irqsave lock: masking an MSI vector happens in
 * interrupt context.
 */
#include "pci.h"
#include "../arch/x86_64/cpu.h"
#include "../kern/spinlock.h"

#define PCI_LEGACY_ADDR 0xcf8
#define PCI_LEGACY_DATA 0xcfc
#define PCI_LEGACY_ENABLE 0x80000000u

static struct spinlock pci_cfg_lock;

static uint32_t legacy_address(const struct pci_dev *d, uint32_t offset)
{
	return PCI_LEGACY_ENABLE | ((uint32_t)d->id.bus << 16) | ((uint32_t)d->id.slot << 11) |
	       ((uint32_t)d->id.function << 8) | (offset & 0xfcu);
}

static uint32_t cfg_read_locked(const struct pci_dev *d, uint32_t offset, uint32_t width)
{
	uint16_t port = (uint16_t)(PCI_LEGACY_DATA + (offset & 3u));

	if (d->ecam) {
		volatile uint8_t *p = d->ecam + offset;

		if (width == 1)
			return *p;
		if (width == 2)
			return *(volatile uint16_t *)p;
		return *(volatile uint32_t *)p;
	}
	outl(PCI_LEGACY_ADDR, legacy_address(d, offset));
	if (width == 1)
		return inb(port);
	if (width == 2)
		return inw(port);
	return inl(port);
}

static void cfg_write_locked(const struct pci_dev *d, uint32_t offset, uint32_t width, uint32_t value)
{
	uint16_t port = (uint16_t)(PCI_LEGACY_DATA + (offset & 3u));

	if (d->ecam) {
		volatile uint8_t *p = d->ecam + offset;

		if (width == 1)
			*p = (uint8_t)value;
		else if (width == 2)
			*(volatile uint16_t *)p = (uint16_t)value;
		else
			*(volatile uint32_t *)p = value;
		return;
	}
	outl(PCI_LEGACY_ADDR, legacy_address(d, offset));
	if (width == 1)
		outb(port, (uint8_t)value);
	else if (width == 2)
		outw(port, (uint16_t)value);
	else
		outl(port, value);
}

uint32_t pci_cfg_read(const struct pci_dev *d, uint32_t offset, uint32_t width)
{
	uint64_t flags = spin_lock_irqsave(&pci_cfg_lock);
	uint32_t v = cfg_read_locked(d, offset, width);

	spin_unlock_irqrestore(&pci_cfg_lock, flags);
	return v;
}

void pci_cfg_write(const struct pci_dev *d, uint32_t offset, uint32_t width, uint32_t value)
{
	uint64_t flags = spin_lock_irqsave(&pci_cfg_lock);

	cfg_write_locked(d, offset, width, value);
	spin_unlock_irqrestore(&pci_cfg_lock, flags);
}

void pci_cmd_update(const struct pci_dev *d, uint16_t set, uint16_t clear)
{
	uint64_t flags = spin_lock_irqsave(&pci_cfg_lock);
	uint16_t cmd = (uint16_t)cfg_read_locked(d, PCI_CFG_COMMAND, 2);

	cfg_write_locked(d, PCI_CFG_COMMAND, 2, (uint16_t)((cmd & ~clear) | set));
	spin_unlock_irqrestore(&pci_cfg_lock, flags);
}
