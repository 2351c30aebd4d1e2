/*
 * PCI enumeration at boot.  With an MCFG window for segment 0 the
 * functions are reached through ECAM (q35), else through the legacy ports
 * (-M pc, Google Compute Engine).  Buses are visited breadth first from
 * bus 0 — plus the root buses of further host bridges when 00:00.0 is
 * multi-function — and every PCI-to-PCI bridge queues its secondary bus;
 * each bus is visited once, so a bridge that names an already visited bus
 * (a loop, or firmware that left it unprogrammed) cannot make the walk
 * run forever.  Functions 1..7 are probed only behind a multi-function
 * function 0.
 *
 * Functions start quiet: bus mastering is turned off in every function
 * but bridges (whose bit forwards the DMA of the devices behind them),
 * since firmware may leave it on and no holder has asked for DMA yet.
 *
 * Per function the kernel records its identity, its BARs (sized with
 * memory and I/O decode turned off, every BAR restored to the value the
 * firmware gave it, then decode restored), its capability list (walked
 * over a copy of the whole configuration space) and the GSI its INTx pin
 * arrives on.  The GSI is the Interrupt Line register the firmware wrote
 * (OVMF and SeaBIOS program the legacy IRQ of the PIRQ routing there),
 * translated through the MADT's interrupt source overrides; capOS does
 * not read the ACPI _PRT, so on a machine whose INTx lines reach the
 * IOAPIC on pins the firmware did not put in that register the GSI is
 * wrong (docs/devices.md, "Limits").
 */
#include <capos/error.h>
#include "pci.h"
#include "../acpi/acpi.h"
#include "../arch/x86_64/cpu.h"
#include "../kern/log.h"
#include "../lib/fmt.h"
#include "../lib/string.h"
#include "../mm/mm.h"

#define PCI_BUSES 256u
#define PCI_SLOTS 32u
#define PCI_FUNCS 8u
#define PCI_ECAM_BUS_SIZE (1u << 20)
#define PCI_HEADER_MULTI 0x80u
#define PCI_HEADER_TYPE_MASK 0x7fu
#define PCI_NO_GSI 0xffffffffu
#define PCI_QUEUE (PCI_MAX_FUNCTIONS + PCI_FUNCS)  /* roots, then one per bridge at most */

static struct pci_dev pci_devs[PCI_MAX_FUNCTIONS];
static uint32_t pci_ndevs;
static bool pci_ecam;                 /* ECAM for segment 0 */
static uint64_t ecam_base;
static uint8_t ecam_bus_start, ecam_bus_end;
static volatile uint8_t *ecam_bus[PCI_BUSES];  /* each visited bus's 1 MiB window */

uint32_t pci_count(void) { return pci_ndevs; }
bool pci_uses_ecam(void) { return pci_ecam; }

struct pci_dev *pci_at(uint32_t index)
{
	return index < pci_ndevs ? &pci_devs[index] : NULL;
}

/* ---------------------------------------------------------------- windows */

static void ecam_choose(void)
{
	for (uint32_t i = 0; acpi.mcfg_present && i < acpi.ecam_count; i++) {
		if (acpi.ecam[i].segment != 0)
			continue;
		pci_ecam = true;
		ecam_base = acpi.ecam[i].base;
		ecam_bus_start = acpi.ecam[i].bus_start;
		ecam_bus_end = acpi.ecam[i].bus_end;
		return;
	}
}

/* A location to probe: a pci_dev with only its address filled in. */
static bool pci_locate(uint32_t bus, uint32_t slot, uint32_t fn, struct pci_dev *d)
{
	memset(d, 0, sizeof *d);
	d->id.bus = (uint8_t)bus;
	d->id.slot = (uint8_t)slot;
	d->id.function = (uint8_t)fn;
	d->config_size = PCI_CFG_LEGACY_SIZE;
	if (!pci_ecam)
		return true;
	if (!ecam_bus[bus])
		return false;
	d->ecam = ecam_bus[bus] + (slot << 15) + (fn << 12);
	d->config_size = PCI_CFG_ECAM_SIZE;
	return true;
}

/* Map bus's ECAM window (the legacy ports need nothing). */
static bool bus_open(uint32_t bus)
{
	if (!pci_ecam)
		return true;
	if (bus < ecam_bus_start || bus > ecam_bus_end)
		return false;
	ecam_bus[bus] = vm_map_mmio(ecam_base + ((uint64_t)(bus - ecam_bus_start) << 20), PCI_ECAM_BUS_SIZE);
	if (!ecam_bus[bus])
		kwarn("pci: bus %u: its ECAM window could not be mapped; skipped", bus);
	return ecam_bus[bus] != NULL;
}

/* ------------------------------------------------------------------- BARs */

static uint32_t bar_probe(const struct pci_dev *d, uint32_t off, uint32_t *orig)
{
	uint32_t probe;

	*orig = pci_cfg_read(d, off, 4);
	pci_cfg_write(d, off, 4, 0xffffffffu);
	probe = pci_cfg_read(d, off, 4);
	pci_cfg_write(d, off, 4, *orig);
	return probe;
}

/* Size the BARs with decode off, so a BAR briefly holding all ones
 * claims no addresses; every value is put back. */
static void bars_size(struct pci_dev *d, uint32_t nbars)
{
	uint16_t cmd = (uint16_t)pci_cfg_read(d, PCI_CFG_COMMAND, 2);

	pci_cfg_write(d, PCI_CFG_COMMAND, 2, cmd & ~(PCI_CMD_IO | PCI_CMD_MEMORY));
	for (uint32_t i = 0; i < nbars;) {
		uint32_t orig, orig_hi = 0, probe_hi = 0, probe = bar_probe(d, PCI_CFG_BAR0 + 4 * i, &orig);

		if (!(orig & 1u) && (orig & 6u) == 4u && i + 1 < nbars)
			probe_hi = bar_probe(d, PCI_CFG_BAR0 + 4 * (i + 1), &orig_hi);
		i += pci_bar_decode(i, orig, probe, orig_hi, probe_hi, &d->bars[i]);
	}
	pci_cfg_write(d, PCI_CFG_COMMAND, 2, cmd);
}

/* -------------------------------------------------------- capabilities, INTx */

static void caps_read(struct pci_dev *d)
{
	static uint32_t image[PCI_CFG_ECAM_SIZE / 4];  /* boot CPU only */
	struct pci_cfg_image img = { (const uint8_t *)image, d->config_size };

	for (uint32_t off = 0; off < d->config_size; off += 4)
		image[off / 4] = pci_cfg_read(d, off, 4);
	pci_caps_walk(&img, &d->caps);
}

/* The GSI of the line the firmware wrote, through the MADT overrides. */
static uint32_t intx_gsi(uint8_t pin, uint8_t line)
{
	if (pin == 0 || pin > 4 || line == 0 || line >= 16)
		return PCI_NO_GSI;
	for (uint32_t i = 0; i < acpi.iso_count; i++)
		if (acpi.iso[i].bus_irq == line)
			return acpi.iso[i].gsi;
	return line;
}

/* ------------------------------------------------------------- functions */

static const char *bar_kind_name(uint32_t kind)
{
	return kind == CAPOS_BAR_IO ? "io" : kind == CAPOS_BAR_MEM64 ? "mem64" : "mem";
}

static void pci_log(const struct pci_dev *d)
{
	char bars[200];
	size_t used = 0;

	bars[0] = '\0';
	for (uint32_t i = 0; i < CAPOS_PCI_BARS; i++)
		if (d->bars[i].kind != CAPOS_BAR_NONE)
			used += ksnprintf(bars + used, sizeof bars - used, " bar%u=%s:%#llx+%#llx", i,
					  bar_kind_name(d->bars[i].kind), (unsigned long long)d->bars[i].base,
					  (unsigned long long)d->bars[i].size);
	char intx[24] = "";

	if (d->id.irq_pin && d->intx_gsi != PCI_NO_GSI)
		ksnprintf(intx, sizeof intx, " intx gsi %u", d->intx_gsi);
	kinfo("pci: %02x:%02x.%u %04x:%04x class %06x rev %u%s%s%s%s%s", d->id.bus, d->id.slot,
	      d->id.function, d->id.vendor, d->id.device, d->id.class_code, d->id.revision, bars,
	      d->caps.msi ? " msi" : "", d->caps.msix ? " msix" : "", intx,
	      d->caps.truncated ? " (capability list broken)" : "");
}

/* Record the function at d's address; queue a bridge's secondary bus. */
static void pci_add(struct pci_dev *d, uint8_t *queue, uint32_t *queued)
{
	uint32_t id = pci_cfg_read(d, PCI_CFG_VENDOR, 4);
	uint32_t class_rev = pci_cfg_read(d, PCI_CFG_REVISION, 4);
	uint32_t subsys = pci_cfg_read(d, PCI_CFG_SUBSYS, 4);
	uint8_t type = (uint8_t)(pci_cfg_read(d, PCI_CFG_HEADER, 1) & PCI_HEADER_TYPE_MASK);

	d->id.index = pci_ndevs;
	d->id.vendor = (uint16_t)id;
	d->id.device = (uint16_t)(id >> 16);
	d->id.class_code = class_rev >> 8;
	d->id.revision = (uint8_t)class_rev;
	d->id.header_type = type;
	d->id.irq_pin = (uint8_t)pci_cfg_read(d, PCI_CFG_INT_PIN, 1);
	if (type == 0) {
		d->id.subsys_vendor = (uint16_t)subsys;
		d->id.subsys_device = (uint16_t)(subsys >> 16);
		bars_size(d, CAPOS_PCI_BARS);
	} else if (type == 1) {
		bars_size(d, 2);
		if (*queued < PCI_QUEUE)
			queue[(*queued)++] = (uint8_t)pci_cfg_read(d, PCI_CFG_SECONDARY, 1);
	}
	d->intx_gsi = intx_gsi(d->id.irq_pin, (uint8_t)pci_cfg_read(d, PCI_CFG_INT_LINE, 1));
	if (type == 0 && (d->id.class_code >> 16) != PCI_CLASS_BRIDGE)
		pci_cmd_update(d, 0, PCI_CMD_BUS_MASTER);  /* no DMA until a holder asks (firmware may leave it on) */
	caps_read(d);
	pci_devs[pci_ndevs++] = *d;
	pci_log(d);
}

static bool pci_present(uint32_t bus, uint32_t slot, uint32_t fn, struct pci_dev *d)
{
	return pci_locate(bus, slot, fn, d) && (pci_cfg_read(d, PCI_CFG_VENDOR, 4) & 0xffffu) != 0xffffu;
}

static void pci_scan_slot(uint32_t bus, uint32_t slot, uint8_t *queue, uint32_t *queued)
{
	struct pci_dev d;
	uint32_t fns;

	if (!pci_present(bus, slot, 0, &d))
		return;
	fns = (pci_cfg_read(&d, PCI_CFG_HEADER, 1) & PCI_HEADER_MULTI) ? PCI_FUNCS : 1;
	for (uint32_t fn = 0; fn < fns; fn++) {
		if (pci_ndevs == PCI_MAX_FUNCTIONS) {
			kwarn("pci: more than %u functions; the rest are not listed", PCI_MAX_FUNCTIONS);
			return;
		}
		if (pci_present(bus, slot, fn, &d))
			pci_add(&d, queue, queued);
	}
}

/* Host bridges past the first: 00:00.N present means root bus N. */
static void pci_queue_roots(uint8_t *queue, uint32_t *queued)
{
	struct pci_dev d;

	queue[(*queued)++] = 0;
	if (!pci_present(0, 0, 0, &d) || !(pci_cfg_read(&d, PCI_CFG_HEADER, 1) & PCI_HEADER_MULTI))
		return;
	for (uint32_t fn = 1; fn < PCI_FUNCS; fn++)
		if (pci_present(0, 0, fn, &d))
			queue[(*queued)++] = (uint8_t)fn;
}

static bool legacy_ports_present(void)
{
	outl(0xcf8, 0x80000000u);
	return inl(0xcf8) == 0x80000000u;
}

void pci_init(void)
{
	static uint8_t queue[PCI_QUEUE];
	static bool seen[PCI_BUSES];
	uint32_t queued = 0;

	ecam_choose();
	if (!pci_ecam && !legacy_ports_present()) {
		kwarn("pci: no ECAM window and no configuration ports; no PCI functions");
		return;
	}
	if (pci_ecam && !bus_open(0))
		return;
	pci_queue_roots(queue, &queued);
	for (uint32_t next = 0; next < queued; next++) {
		uint32_t bus = queue[next];

		if (seen[bus] || (bus != 0 && !bus_open(bus)))
			continue;
		seen[bus] = true;
		for (uint32_t slot = 0; slot < PCI_SLOTS; slot++)
			pci_scan_slot(bus, slot, queue, &queued);
	}
	kinfo("pci: %u functions through %s", pci_ndevs, pci_ecam ? "ECAM" : "the legacy ports");
}
