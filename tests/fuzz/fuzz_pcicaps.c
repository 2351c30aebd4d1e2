/*
 * libFuzzer target for the PCI capability walk and config-write filter
 * (exo/dev/pci_parse.c).  The input is a configuration space image (its
 * first 4096 bytes; shorter inputs are padded with 0xff as absent
 * registers read), walked as a 256-byte legacy space and as a 4 KiB ECAM
 * space.  Every recorded header must lie where a capability can sit, the
 * MSI length must be one of the four shapes, and the filter, asked about
 * every byte, must never allow a write inside the header (but the command
 * and status registers), a capability header, an MSI/MSI-X structure or
 * the power-management control register, nor a function-level reset.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <capos/error.h>
#include "dev/pci_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_walk(const struct pci_caps *c, uint32_t space)
{
	if (c->count > PCI_CAPS_MAX)
		abort();
	for (uint32_t i = 0; i < c->count; i++) {
		uint16_t at = c->at[i];

		if (at < PCI_CFG_HEADER_END || at >= space || (at & 3))
			abort();
	}
	if (c->msi && c->msi_len != 10 && c->msi_len != 14 && c->msi_len != 20 && c->msi_len != 24)
		abort();
	if (c->msi && (c->msi_vectors < 1 || c->msi_vectors > 32))
		abort();
	if (c->msix && (c->msix_vectors < 1 || c->msix_vectors > 2048 || c->msix_table_bar > 7))
		abort();
}

static int protected_byte(const struct pci_caps *c, uint32_t b)
{
	if (b < PCI_CFG_HEADER_END)
		return b < PCI_CFG_COMMAND || b > PCI_CFG_STATUS + 1;
	if (c->msi && b >= c->msi && b < (uint32_t)c->msi + c->msi_len)
		return 1;
	if (c->msix && b >= c->msix && b < (uint32_t)c->msix + PCI_MSIX_CAP_LEN)
		return 1;
	if (c->pm && b >= c->pm + PCI_PM_CTRL + 0u && b < c->pm + PCI_PM_CTRL + 2u)
		return 1;
	for (uint32_t i = 0; i < c->count; i++)
		if (b >= c->at[i] && b < c->at[i] + 2u)
			return 1;
	return 0;
}

static void check_filter(const struct pci_caps *c, uint32_t space)
{
	for (uint32_t b = 0; b < space; b++)
		if (protected_byte(c, b) && pci_cfg_write_check(c, b, 1, 0, 0) != -CAPOS_EPERM)
			abort();
	/* the bus-master bit can never be set through the filter, nor a reset started */
	if (pci_cfg_write_check(c, PCI_CFG_COMMAND, 2, PCI_CMD_BUS_MASTER, 0) != -CAPOS_EPERM)
		abort();
	if (c->pcie && c->pcie + PCI_PCIE_DEVCTL + 2u <= space &&
	    pci_cfg_write_check(c, c->pcie + PCI_PCIE_DEVCTL, 2, 0x8000, 0) != -CAPOS_EPERM)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t img[PCI_CFG_ECAM_SIZE];
	struct pci_caps c;
	struct pci_cfg_image v;

	memset(img, 0xff, sizeof img);
	memcpy(img, data, size < sizeof img ? size : sizeof img);
	v = (struct pci_cfg_image){ img, PCI_CFG_LEGACY_SIZE };
	pci_caps_walk(&v, &c);
	check_walk(&c, PCI_CFG_LEGACY_SIZE);
	check_filter(&c, PCI_CFG_LEGACY_SIZE);
	v.size = PCI_CFG_ECAM_SIZE;
	pci_caps_walk(&v, &c);
	check_walk(&c, PCI_CFG_ECAM_SIZE);
	check_filter(&c, PCI_CFG_ECAM_SIZE);
	return 0;
}
