/*
 * utest-pci: DeviceRoot, PciFunction and DmaPool from user mode
 * (docs/devices.md), against QEMU's edu device (1234:11e8, booted with
 * -device edu) and, when present, q35's e1000e (8086:10d3: an I/O BAR and
 * an MSI-X table).  Runs as init (it needs "devices" and "capspace").
 *
 * The edu device: BAR0 is 1 MiB of registers — 0x00 identification
 * (0x010000ed), 0x04 liveness (reads back the complement of what was
 * written), 0x08 factorial (computed while bit 0 of status 0x20 is set).
 *
 * Interrupts: edu's MSI and INTx are raised and arrive through
 * Interrupt.wait; the e1000e's MSI-X is enabled by the kernel, its I/O BAR
 * becomes a port range that the end of the claim revokes.  Quarantine is
 * seen in this process's frame count (ProcessHandle.info on "self"): a
 * pool released with bus mastering on stays charged until bus mastering
 * goes off.
 *
 * Children (this program in another mode): "driver" claims edu, turns bus
 * mastering on, maps BAR0 and a DMA pool and then faults; "quota" asks
 * for pools beyond its small frame quota.  Afterwards this process claims
 * edu again and finds bus mastering off.  One line per check; exit code =
 * failures.
 */
#include <stdlib.h>
#include <string.h>
#include <capos/cap.h>
#include <capos/dev.h>
#include <capos/device.h>
#include <capos/session.h>
#include "utest.h"

#define rc capos_ring()
#define EDU_VENDOR 0x1234
#define EDU_DEVICE 0x11e8
#define EDU_ID 0x00
#define EDU_LIVENESS 0x04
#define EDU_FACTORIAL 0x08
#define EDU_STATUS 0x20
#define EDU_COMPUTING 0x01u
#define EDU_IRQ_STATUS 0x24
#define EDU_IRQ_RAISE 0x60
#define EDU_IRQ_ACK 0x64
#define EDU_DMA_SRC 0x80
#define EDU_DMA_DST 0x88
#define EDU_DMA_COUNT 0x90
#define EDU_DMA_CMD 0x98
#define EDU_DMA_START 0x1u
#define EDU_DMA_TO_RAM 0x2u
#define EDU_BUFFER 0x40000u
#define CMD_MEMORY 0x2u
#define CMD_BUS_MASTER 0x4u
#define CHILD_BOUND "thread=@thread threads=@threads vm=@vm park=@park"

static uint32_t devices;
static uint32_t edu_msi;   /* edu's MSI Interrupt, kept until the revocation test */

/* --------------------------------------------------------------- helpers */

static int claim(uint16_t vendor, uint16_t device, uint32_t instance, uint32_t *fn)
{
	struct capos_device_root_claim_in in = { .vendor = vendor, .device = device, .instance = instance };
	struct capos_device_root_claim_out out = { 0 };
	int err = capos_device_root_claim(rc, devices, &in, &out);

	*fn = err ? 0 : out.function;
	return err;
}

static int info(uint32_t fn, struct capos_pci_info *pi)
{
	struct capos_pci_function_info_out out;
	uint32_t len = 0;
	int err = capos_pci_function_info(rc, fn, &out, &len);

	memset(pi, 0xff, sizeof *pi);
	if (!err && len == sizeof *pi)
		memcpy(pi, out.info, sizeof *pi);
	return err;
}

static int cfg_read(uint32_t fn, uint32_t offset, uint32_t width, uint32_t *value)
{
	struct capos_pci_function_config_read_in in = { .offset = offset, .width = width };
	struct capos_pci_function_config_read_out out = { 0 };
	int err = capos_pci_function_config_read(rc, fn, &in, &out);

	*value = out.value;
	return err;
}

static int cfg_write(uint32_t fn, uint32_t offset, uint32_t width, uint32_t value)
{
	struct capos_pci_function_config_write_in in = { .offset = offset, .width = width, .value = value };

	return capos_pci_function_config_write(rc, fn, &in);
}

static int bus_master(uint32_t fn, uint32_t enable)
{
	struct capos_pci_function_set_bus_master_in in = { .enable = enable };

	return capos_pci_function_set_bus_master(rc, fn, &in);
}

static int map_bar(uint32_t fn, uint32_t index, uint64_t vaddr, uint32_t prot, uint64_t *va)
{
	struct capos_pci_function_map_bar_in in = { .index = index, .vaddr = vaddr, .prot = prot };
	struct capos_pci_function_map_bar_out out = { 0 };
	int err = capos_pci_function_map_bar(rc, fn, &in, &out);

	if (va)
		*va = out.vaddr;
	return err;
}

static int dma_pool(uint32_t fn, uint64_t pages, uint32_t addr_bits, uint32_t *pool, uint64_t *dev)
{
	struct capos_pci_function_dma_pool_in in = { .pages = pages, .addr_bits = addr_bits };
	struct capos_pci_function_dma_pool_out out = { 0 };
	int err = capos_pci_function_dma_pool(rc, fn, &in, &out);

	*pool = out.pool;
	if (dev)
		*dev = out.device_addr;
	return err;
}

static int interrupt(uint32_t fn, uint32_t kind, uint32_t index, uint32_t *irq)
{
	struct capos_pci_function_interrupt_in in = { .kind = kind, .index = index };
	struct capos_pci_function_interrupt_out out = { 0 };
	int err = capos_pci_function_interrupt(rc, fn, &in, &out);

	*irq = out.interrupt;
	return err;
}

/* The offset of capability id in fn's list, 0 when absent. */
static uint32_t find_cap(uint32_t fn, uint32_t first, uint8_t id)
{
	uint32_t off = first, v;

	for (int hops = 0; off >= 0x40 && hops < 48; hops++) {
		if (cfg_read(fn, off, 2, &v) != 0)
			return 0;
		if ((v & 0xff) == id)
			return off;
		off = (v >> 8) & 0xfc;
	}
	return 0;
}

/* Frames charged to this process, from ProcessHandle.info on its own handle ("self"). */
static uint64_t own_frames(void)
{
	struct capos_process_handle_info_out me;

	return capos_process_handle_info(rc, ut_cap("self"), &me) == 0 ? me.frames : 0;
}

/* Is the page at va mapped in this process (protect answers ENOENT when not)? */
static int page_mapped(uint64_t va, uint32_t prot)
{
	struct capos_virtual_memory_protect_in in = { .vaddr = va, .pages = 1, .prot = prot };

	return capos_virtual_memory_protect(rc, ut_cap("vm"), &in) == 0;
}


static volatile uint32_t *reg(uint64_t bar, uint32_t off)
{
	return (volatile uint32_t *)(uintptr_t)(bar + off);
}

/* --------------------------------------------------------------- listing */

static uint32_t test_list(void)
{
	struct capos_device_root_list_in in = { .after_index = CAPOS_PCI_LIST_START };
	static struct capos_device_root_list_out out;
	uint32_t len = 0, total = 0, edu = 0xffffffffu;
	int err;

	do {
		err = capos_device_root_list(rc, devices, &in, &out, &len);
		if (err)
			break;
		for (uint32_t i = 0; i < out.count; i++) {
			struct capos_pci_entry e;

			memcpy(&e, out.entries + i * sizeof e, sizeof e);
			ut_note("list: %u %02x:%02x.%u %04x:%04x class %06x", e.index, e.bus, e.slot, e.function,
				e.vendor, e.device, e.class_code);
			if (e.vendor == EDU_VENDOR && e.device == EDU_DEVICE && edu == 0xffffffffu)
				edu = e.index;
			in.after_index = e.index;
			total++;
		}
	} while (out.more && out.count);
	ut_check(!err && total >= 2 && edu != 0xffffffffu, "DeviceRoot.list finds the functions and edu",
		 "error %d, %u functions, edu index %u", err, total, edu);
	ut_check(len == 8 + out.count * sizeof(struct capos_pci_entry), "DeviceRoot.list result length",
		 "%u bytes for %u entries", len, out.count);
	in.after_index = total + 5;
	err = capos_device_root_list(rc, devices, &in, &out, &len);
	ut_check(!err && out.count == 0 && !out.more, "DeviceRoot.list past the end is empty", "error %d, %u",
		 err, out.count);
	return total;
}

/* ------------------------------------------------------------ identity */

static void test_identity(uint32_t fn, struct capos_pci_info *pi)
{
	struct capos_pci_function_bar_in bin = { .index = 0 };
	struct capos_pci_function_bar_out bout = { 0 };
	uint32_t v;

	ut_status("PciFunction.info", info(fn, pi), 0);
	ut_check(pi->id.vendor == EDU_VENDOR && pi->id.device == EDU_DEVICE && pi->id.claimed == 1,
		 "info identifies edu, claimed", "%04x:%04x claimed %u", pi->id.vendor, pi->id.device,
		 pi->id.claimed);
	ut_check(pi->config_size == 256 || pi->config_size == 4096, "info config size", "%u", pi->config_size);
	ut_check(pi->msi_vectors >= 1 && pi->msix_vectors == 0 && pi->cap_ptr >= 0x40,
		 "info: MSI, no MSI-X, a capability list", "msi %u msix %u cap_ptr %#x", pi->msi_vectors,
		 pi->msix_vectors, pi->cap_ptr);
	ut_status("PciFunction.bar 0", capos_pci_function_bar(rc, fn, &bin, &bout), 0);
	ut_check(bout.kind == CAPOS_BAR_MEM32 && bout.size == 0x100000, "BAR0: 32-bit memory, 1 MiB",
		 "kind %u size %#llx", bout.kind, (unsigned long long)bout.size);
	bin.index = 1;
	ut_status("PciFunction.bar 1", capos_pci_function_bar(rc, fn, &bin, &bout), 0);
	ut_check(bout.kind == CAPOS_BAR_NONE && bout.size == 0, "BAR1 unimplemented", "kind %u", bout.kind);
	bin.index = 6;
	ut_status("PciFunction.bar 6", capos_pci_function_bar(rc, fn, &bin, &bout), -CAPOS_ERANGE);
	v = 0;
	cfg_read(fn, 0, 4, &v);
	ut_check(v == 0x11e81234, "config_read 0/4: vendor and device", "%#x", v);
	cfg_read(fn, 2, 2, &v);
	ut_check(v == 0x11e8, "config_read 2/2: device", "%#x", v);
	cfg_read(fn, 0x3d, 1, &v);
	ut_check(v == pi->id.irq_pin, "config_read 0x3d/1: interrupt pin", "%#x", v);
	ut_status("config_read at the config size", cfg_read(fn, pi->config_size, 4, &v), -CAPOS_ERANGE);
	ut_status("config_read straddling the end", cfg_read(fn, pi->config_size - 2, 4, &v), -CAPOS_EINVAL);
	ut_status("config_read misaligned", cfg_read(fn, 1, 2, &v), -CAPOS_EINVAL);
	ut_status("config_read width 3", cfg_read(fn, 0, 3, &v), -CAPOS_EINVAL);
	ut_status("config_read width 8", cfg_read(fn, 0, 8, &v), -CAPOS_EINVAL);
}

/* --------------------------------------------------------- config writes */

static void test_config_write(uint32_t fn, const struct capos_pci_info *pi)
{
	uint32_t msi = find_cap(fn, pi->cap_ptr, 0x05), cmd, v;

	ut_check(msi >= 0x40, "the MSI capability is in the list", "at %#x", msi);
	ut_status("config_write BAR0", cfg_write(fn, 0x10, 4, 0xffffffff), -CAPOS_EPERM);
	ut_status("config_write BAR5 high byte", cfg_write(fn, 0x27, 1, 0), -CAPOS_EPERM);
	ut_status("config_write ROM", cfg_write(fn, 0x30, 4, 0), -CAPOS_EPERM);
	ut_status("config_write capability pointer", cfg_write(fn, 0x34, 1, 0), -CAPOS_EPERM);
	ut_status("config_write vendor id", cfg_write(fn, 0, 2, 0), -CAPOS_EPERM);
	ut_status("config_write interrupt line", cfg_write(fn, 0x3c, 1, 3), -CAPOS_EPERM);
	ut_status("config_write MSI control", cfg_write(fn, msi + 2, 2, 1), -CAPOS_EPERM);
	ut_status("config_write MSI address", cfg_write(fn, msi + 4, 4, 0xfee00000), -CAPOS_EPERM);
	ut_status("config_write MSI next pointer", cfg_write(fn, msi + 1, 1, 0), -CAPOS_EPERM);
	ut_status("config_read 4/2: the command register", cfg_read(fn, 4, 2, &cmd), 0);
	ut_check(!(cmd & CMD_BUS_MASTER), "a function starts with bus mastering off", "command %#x", cmd);
	ut_status("config_write command with bus master", cfg_write(fn, 4, 2, cmd | CMD_BUS_MASTER),
		  -CAPOS_EPERM);
	ut_status("config_write command with SERR#", cfg_write(fn, 4, 2, cmd | 0x100), -CAPOS_EPERM);
	ut_status("config_write command: memory decode on", cfg_write(fn, 4, 2, cmd | CMD_MEMORY), 0);
	v = 0;
	cfg_read(fn, 4, 2, &v);
	ut_check((v & CMD_MEMORY) && !(v & CMD_BUS_MASTER), "the command register says memory on, bus master off",
		 "%#x", v);
	ut_status("config_write status (write one to clear)", cfg_write(fn, 6, 2, 0), 0);
	ut_status("config_write value wider than the access", cfg_write(fn, 4, 1, 0x102), -CAPOS_EINVAL);
	ut_status("config_write past the end", cfg_write(fn, pi->config_size, 4, 0), -CAPOS_ERANGE);
	ut_status("config_write misaligned", cfg_write(fn, 0x42, 4, 0), -CAPOS_EINVAL);
}

/* ------------------------------------------------------------------ MMIO */

static uint64_t test_mmio(uint32_t fn)
{
	uint64_t bar = 0, other;
	uint32_t fact = 0;
	int spins = 0;

	ut_status("map_bar 0 read-write", map_bar(fn, 0, 0, CAPOS_PROT_READ | CAPOS_PROT_WRITE, &bar), 0);
	if (!bar)
		return 0;
	ut_check(*reg(bar, EDU_ID) == 0x010000ed, "edu identification register reads 0x010000ed", "%#x",
		 *reg(bar, EDU_ID));
	*reg(bar, EDU_LIVENESS) = 0x12345678;
	ut_check(*reg(bar, EDU_LIVENESS) == ~0x12345678u, "edu liveness check reads back ~x", "%#x",
		 *reg(bar, EDU_LIVENESS));
	*reg(bar, EDU_FACTORIAL) = 10;
	while ((*reg(bar, EDU_STATUS) & EDU_COMPUTING) && spins++ < 1000000)
		;
	fact = *reg(bar, EDU_FACTORIAL);
	ut_check(fact == 3628800, "edu computes 10! = 3628800", "%u after %d polls", fact, spins);
	ut_check(page_mapped(bar + 0xff000, CAPOS_PROT_READ | CAPOS_PROT_WRITE),
		 "the BAR's last page is mapped", "no");
	ut_status("VirtualMemory.protect of a BAR page executable",
		  capos_virtual_memory_protect(rc, ut_cap("vm"), &(struct capos_virtual_memory_protect_in){
			  .vaddr = bar, .pages = 1, .prot = CAPOS_PROT_READ | CAPOS_PROT_EXEC }), -CAPOS_EPERM);
	ut_status("map_bar 0 read-only at a fixed address",
		  map_bar(fn, 0, 0x0000310000000000ull, CAPOS_PROT_READ, &other), 0);
	ut_check(other == 0x0000310000000000ull && *reg(other, EDU_ID) == 0x010000ed,
		 "the read-only mapping reads the same register", "at %#llx", (unsigned long long)other);
	ut_status("map_bar 1 (unimplemented)", map_bar(fn, 1, 0, CAPOS_PROT_READ, NULL), -CAPOS_ENOENT);
	ut_status("map_bar 6", map_bar(fn, 6, 0, CAPOS_PROT_READ, NULL), -CAPOS_ERANGE);
	ut_status("map_bar executable", map_bar(fn, 0, 0, CAPOS_PROT_READ | CAPOS_PROT_EXEC, NULL), -CAPOS_EPERM);
	ut_status("map_bar without READ", map_bar(fn, 0, 0, CAPOS_PROT_WRITE, NULL), -CAPOS_EINVAL);
	ut_status("map_bar unknown prot bits", map_bar(fn, 0, 0, 0x11, NULL), -CAPOS_EINVAL);
	ut_status("map_bar misaligned vaddr", map_bar(fn, 0, 0x0000320000000800ull, CAPOS_PROT_READ, NULL),
		  -CAPOS_EINVAL);
	ut_status("map_bar over the existing mapping", map_bar(fn, 0, bar, CAPOS_PROT_READ, NULL), -CAPOS_EEXIST);
	ut_status("map_bar into the kernel half", map_bar(fn, 0, 0xffff800000000000ull, CAPOS_PROT_READ, NULL),
		  -CAPOS_ERANGE);
	ut_status("map_bar running past the user window", map_bar(fn, 0, CAPOS_USER_MAX - 0x80000,
								   CAPOS_PROT_READ, NULL), -CAPOS_ERANGE);
	return bar;
}

/* The device reaches a pool at its device address: edu copies 64 bytes
 * from the pool into its buffer (0x40000) and back to another place. */
static void test_dma(uint32_t fn, uint64_t bar)
{
	struct capos_dma_pool_map_out mout = { 0 };
	volatile uint8_t *p;
	uint32_t pool;
	uint64_t dev = 0;
	int same = 1, spins;

	if (!bar || dma_pool(fn, 1, 28, &pool, &dev) != 0 ||
	    capos_dma_pool_map(rc, pool, &(struct capos_dma_pool_map_in){ 0 }, &mout) != 0) {
		ut_check(0, "a pool for edu's DMA", "no pool or no BAR");
		return;
	}
	p = (volatile uint8_t *)(uintptr_t)mout.vaddr;
	for (int i = 0; i < 64; i++)
		p[i] = (uint8_t)(0x40 + i);
	ut_status("set_bus_master 1 for DMA", bus_master(fn, 1), 0);
	for (int dir = 0; dir < 2; dir++) {
		*(volatile uint64_t *)(uintptr_t)(bar + EDU_DMA_SRC) = dir ? EDU_BUFFER : dev;
		*(volatile uint64_t *)(uintptr_t)(bar + EDU_DMA_DST) = dir ? dev + 2048 : EDU_BUFFER;
		*(volatile uint64_t *)(uintptr_t)(bar + EDU_DMA_COUNT) = 64;
		*(volatile uint64_t *)(uintptr_t)(bar + EDU_DMA_CMD) = EDU_DMA_START | (dir ? EDU_DMA_TO_RAM : 0);
		for (spins = 0; (*reg(bar, EDU_DMA_CMD) & EDU_DMA_START) && spins < 200; spins++)
			capos_sleep_ns(5 * UT_MS);
	}
	for (int i = 0; i < 64; i++)
		same &= p[2048 + i] == (uint8_t)(0x40 + i);
	ut_check(same, "edu copied 64 bytes pool -> device -> pool by device address", "first byte %#x",
		 p[2048]);
	ut_status("set_bus_master 0 after DMA", bus_master(fn, 0), 0);
	capos_release(rc, pool);
}

/* -------------------------------------------------------------- DMA pools */

static void test_pools(uint32_t fn)
{
	struct capos_dma_pool_info_out pinfo = { 0 };
	struct capos_dma_pool_map_in min = { 0 };
	struct capos_dma_pool_map_out mout = { 0 };
	uint32_t pool, low;
	uint64_t dev = 0, ldev = 0;
	volatile uint8_t *p;

	ut_status("dma_pool of 0 pages", dma_pool(fn, 0, 0, &pool, NULL), -CAPOS_EINVAL);
	ut_status("dma_pool past the limit", dma_pool(fn, CAPOS_DMA_POOL_MAX_PAGES + 1, 0, &pool, NULL),
		  -CAPOS_ERANGE);
	ut_status("dma_pool with addr_bits 65", dma_pool(fn, 1, 65, &pool, NULL), -CAPOS_EINVAL);
	ut_status("dma_pool of 4 pages", dma_pool(fn, 4, 0, &pool, &dev), 0);
	ut_check(dev && !(dev & 0xfff), "the device address is page aligned", "%#llx", (unsigned long long)dev);
	ut_status("DmaPool.info", capos_dma_pool_info(rc, pool, &pinfo), 0);
	ut_check(pinfo.pages == 4 && pinfo.device_addr == dev && pinfo.vaddr == 0,
		 "info: 4 pages, the same device address, not mapped", "%llu %#llx %#llx",
		 (unsigned long long)pinfo.pages, (unsigned long long)pinfo.device_addr,
		 (unsigned long long)pinfo.vaddr);
	ut_status("DmaPool.map", capos_dma_pool_map(rc, pool, &min, &mout), 0);
	p = (volatile uint8_t *)(uintptr_t)mout.vaddr;
	ut_check(p && p[0] == 0 && p[4 * 4096 - 1] == 0, "the pool is mapped and zeroed", "at %p", (void *)p);
	if (p) {
		p[0] = 0xa5;
		p[4 * 4096 - 1] = 0x5a;
		ut_check(p[0] == 0xa5 && p[4 * 4096 - 1] == 0x5a, "the pool is writable", "no");
	}
	capos_dma_pool_info(rc, pool, &pinfo);
	ut_check(pinfo.vaddr == mout.vaddr, "info reports the mapping", "%#llx", (unsigned long long)pinfo.vaddr);
	ut_status("DmaPool.map at a misaligned address",
		  capos_dma_pool_map(rc, pool, &(struct capos_dma_pool_map_in){ .vaddr = 0x123 }, &mout),
		  -CAPOS_EINVAL);
	ut_status("dma_pool below 2^28 (edu's DMA mask)", dma_pool(fn, 8, 28, &low, &ldev), 0);
	ut_check(ldev + 8 * 4096 <= (1ull << 28), "the pool lies below 256 MiB", "%#llx", (unsigned long long)ldev);
	ut_status("release the low pool", capos_release(rc, low), 0);
	ut_status("release the mapped pool", capos_release(rc, pool), 0);
	ut_check(p && p[0] == 0xa5, "its mapping stays usable after the release", "no");
	ut_status("the released pool's handle is stale", capos_dma_pool_info(rc, pool, &pinfo), -CAPOS_EBADF);
}

/* ------------------------------------------------------- bus mastering, IRQ */

/* edu raises its MSI; the Interrupt's wait completes. */
static void test_msi_delivery(uint32_t fn, uint32_t irq, uint64_t bar)
{
	struct capos_interrupt_wait_out w = { 0 };
	struct capos_completion c = { 0 };
	uint64_t ud = 0;

	if (!bar)
		return;
	ut_status("bus mastering on (an MSI is a memory write)", bus_master(fn, 1), 0);
	ut_status("Interrupt.wait async", capos_interrupt_wait_async(rc, irq, &w, &ud), 0);
	*reg(bar, EDU_IRQ_RAISE) = 0x1;
	ut_status("edu's MSI completes the wait", capos_ring_wait(rc, ud, 2000 * UT_MS, &c), 0);
	ut_check(c.status == 0 && w.count >= 1, "the wait counts the interrupt", "status %d count %u", c.status,
		 w.count);
	*reg(bar, EDU_IRQ_ACK) = *reg(bar, EDU_IRQ_STATUS);
	ut_status("Interrupt.ack", capos_interrupt_ack(rc, irq), 0);
	bus_master(fn, 0);
}

static void test_bus_master_and_interrupts(uint32_t fn, const struct capos_pci_info *pi0, uint64_t bar)
{
	struct capos_pci_info pi;
	uint32_t v, irq, other, pool, msi = find_cap(fn, pi0->cap_ptr, 0x05);
	uint64_t f0, f1, f2, f3;
	int err;

	ut_status("set_bus_master 2", bus_master(fn, 2), -CAPOS_EINVAL);
	ut_status("set_bus_master 1", bus_master(fn, 1), 0);
	info(fn, &pi);
	cfg_read(fn, 4, 2, &v);
	ut_check(pi.bus_master == 1 && (v & CMD_BUS_MASTER), "bus mastering on (info and command)",
		 "info %u command %#x", pi.bus_master, v);
	/* a pool released while the device can reach it waits for bus mastering to go off:
	 * its frames stay charged to this process until they are freed */
	f0 = own_frames();
	ut_status("a pool of 16 pages made with bus mastering on", dma_pool(fn, 16, 0, &pool, NULL), 0);
	f1 = own_frames();
	ut_check(f1 == f0 + 16, "its 16 frames are charged", "%llu -> %llu", (unsigned long long)f0,
		 (unsigned long long)f1);
	ut_status("... released while bus mastering is on", capos_release(rc, pool), 0);
	f2 = own_frames();
	ut_check(f2 == f1, "... its frames stay (quarantined)", "%llu -> %llu", (unsigned long long)f1,
		 (unsigned long long)f2);
	ut_status("set_bus_master 0", bus_master(fn, 0), 0);
	f3 = own_frames();
	ut_check(f3 == f0, "bus mastering off frees the quarantined frames", "%llu -> %llu (before the pool %llu)",
		 (unsigned long long)f2, (unsigned long long)f3, (unsigned long long)f0);
	ut_status("a pool made and released with bus mastering off",
		  dma_pool(fn, 16, 0, &pool, NULL) || capos_release(rc, pool), 0);
	ut_check(own_frames() == f0, "... is freed at once", "%llu", (unsigned long long)own_frames());
	info(fn, &pi);
	ut_check(pi.bus_master == 0, "bus mastering off", "%u", pi.bus_master);
	ut_status("interrupt of kind 9", interrupt(fn, 9, 0, &irq), -CAPOS_EINVAL);
	ut_status("interrupt MSI-X on a function without it", interrupt(fn, CAPOS_IRQ_KIND_MSIX, 0, &irq),
		  -CAPOS_ENOENT);
	ut_status("interrupt MSI index 1", interrupt(fn, CAPOS_IRQ_KIND_MSI, 1, &irq), -CAPOS_ERANGE);
	ut_status("interrupt INTx index 1", interrupt(fn, CAPOS_IRQ_KIND_INTX, 1, &irq), -CAPOS_ERANGE);
	err = interrupt(fn, CAPOS_IRQ_KIND_MSI, 0, &irq);
	ut_status("interrupt MSI 0", err, 0);
	if (err)
		return;
	edu_msi = irq;
	cfg_read(fn, msi + 2, 2, &v);
	ut_check(v & 1, "MSI is enabled in the capability", "control %#x", v);
	cfg_read(fn, msi + 4, 4, &v);
	ut_check((v & 0xfff00000u) == 0xfee00000u, "the MSI address is the kernel's", "%#x", v);
	ut_status("interrupt INTx while MSI is in use", interrupt(fn, CAPOS_IRQ_KIND_INTX, 0, &other), -CAPOS_EBUSY);
	ut_status("interrupt MSI 0 again (the same Interrupt)", interrupt(fn, CAPOS_IRQ_KIND_MSI, 0, &other), 0);
	capos_release(rc, other);
	test_msi_delivery(fn, irq, bar);
}

/* ------------------------------------------------------- another function */

/* MSI-X on the e1000e: programmed and enabled by the kernel. */
static void test_msix(uint32_t fn, const struct capos_pci_info *pi)
{
	uint32_t irq, other, msix = find_cap(fn, pi->cap_ptr, 0x11), ctrl = 0;
	int err = interrupt(fn, CAPOS_IRQ_KIND_MSIX, 0, &irq);

	ut_status("config_write MSI-X table offset", cfg_write(fn, msix + 4, 4, 0), -CAPOS_EPERM);
	ut_status("interrupt MSI-X past the table", interrupt(fn, CAPOS_IRQ_KIND_MSIX, pi->msix_vectors, &other),
		  -CAPOS_ERANGE);
	ut_status("interrupt MSI-X 0", err, 0);
	if (err)
		return;
	cfg_read(fn, msix + 2, 2, &ctrl);
	ut_check((ctrl & 0x8000) && !(ctrl & 0x4000), "MSI-X enabled, function not masked", "control %#x", ctrl);
	ut_status("interrupt MSI-X 1", interrupt(fn, CAPOS_IRQ_KIND_MSIX, 1, &other), 0);
	ut_status("interrupt MSI while MSI-X is in use", interrupt(fn, CAPOS_IRQ_KIND_MSI, 0, &other),
		  -CAPOS_EBUSY);
}

static void test_e1000e(void)
{
	struct capos_pci_function_ioports_in in = { .index = 0 };
	struct capos_pci_function_ioports_out out;
	struct capos_pci_info pi;
	uint32_t fn, range = 0;
	uint64_t bar;

	if (claim(0x8086, 0x10d3, 0, &fn) != 0) {
		ut_note("no e1000e: the I/O BAR and MSI-X checks are skipped");
		return;
	}
	info(fn, &pi);
	ut_check(pi.msix_vectors > 0 && pi.msix_bar == 3, "e1000e info: MSI-X table in BAR3",
		 "vectors %u bar %u offset %#x", pi.msix_vectors, pi.msix_bar, pi.msix_offset);
	ut_status("map_bar of an I/O BAR", map_bar(fn, 2, 0, CAPOS_PROT_READ, NULL), -CAPOS_ETYPE);
	ut_status("ioports of a memory BAR", capos_pci_function_ioports(rc, fn, &in, &out), -CAPOS_ETYPE);
	in.index = 4;
	ut_status("ioports of an empty BAR", capos_pci_function_ioports(rc, fn, &in, &out), -CAPOS_ENOENT);
	in.index = 2;
	ut_status("ioports of the I/O BAR", capos_pci_function_ioports(rc, fn, &in, &out), 0);
	ut_check(out.count == 32 && out.base >= 0x1000, "the range is the BAR's 32 ports", "base %#x count %u",
		 out.base, out.count);
	range = out.range;
	ut_status("IoPortRange.enable", capos_io_port_range_enable(rc, range), 0);
	capos_outl((uint16_t)out.base, 0x8);   /* IOADDR: the STATUS register */
	ut_check(capos_inl((uint16_t)out.base) == 0x8, "IOADDR reads back what was written", "%#x",
		 capos_inl((uint16_t)out.base));
	ut_status("map_bar 3 (MSI-X table and PBA inside)", map_bar(fn, 3, 0, CAPOS_PROT_READ, &bar), 0);
	if (bar) {
		ut_check(!page_mapped(bar + 0x0000, CAPOS_PROT_READ), "the MSI-X table page is not mapped", "mapped");
		ut_check(!page_mapped(bar + 0x2000, CAPOS_PROT_READ), "the PBA page is not mapped", "mapped");
		ut_check(page_mapped(bar + 0x1000, CAPOS_PROT_READ) && page_mapped(bar + 0x3000, CAPOS_PROT_READ),
			 "the other pages are mapped", "not mapped");
	}
	test_msix(fn, &pi);
	ut_status("release the e1000e", capos_release(rc, fn), 0);
	ut_status("its port range was revoked with the claim",
		  capos_io_port_range_info(rc, range, &(struct capos_io_port_range_info_out){ 0 }), -CAPOS_EREVOKED);
	capos_release(rc, range);
	ut_check(!bar || !page_mapped(bar + 0x1000, CAPOS_PROT_READ), "its BAR mapping went with the claim",
		 "still mapped");
	if (claim(0x8086, 0x10d3, 0, &fn) == 0) {
		uint32_t msix = find_cap(fn, pi.cap_ptr, 0x11), ctrl = 0xffff;

		cfg_read(fn, msix + 2, 2, &ctrl);
		ut_check(!(ctrl & 0x8000), "after the claim ended MSI-X is disabled", "control %#x", ctrl);
		capos_release(rc, fn);
	}
}

/* ------------------------------------------------------------ revocation */

static void test_revoke(uint32_t fn)
{
	struct capos_cap_space_derive_in din = { .cap = fn, .rights = CAPOS_RIGHT_ALL };
	struct capos_cap_space_derive_out dout = { 0 };
	struct capos_pci_info pi;
	uint64_t bar = 0;

	ut_status("derive a revocable copy of the function",
		  capos_cap_space_derive(rc, ut_cap("capspace"), &din, &dout), 0);
	ut_status("the copy turns bus mastering on", bus_master(dout.copy, 1), 0);
	ut_status("the copy maps BAR0", map_bar(dout.copy, 0, 0, CAPOS_PROT_READ, &bar), 0);
	ut_status("revoke the copy", capos_revoker_revoke(rc, dout.revoker), 0);
	info(fn, &pi);
	ut_check(pi.bus_master == 0, "after the revocation bus mastering is off", "%u", pi.bus_master);
	ut_status("... and the function's Interrupt answers EREVOKED",
		  capos_interrupt_info(rc, edu_msi, &(struct capos_interrupt_info_out){ 0 }), -CAPOS_EREVOKED);
	capos_release(rc, edu_msi);
	ut_check(bar && !page_mapped(bar, CAPOS_PROT_READ), "... and the copy's BAR mapping is gone", "mapped");
	ut_status("... and the copy answers EREVOKED", info(dout.copy, &pi), -CAPOS_EREVOKED);
	capos_release(rc, dout.copy);
	capos_release(rc, dout.revoker);
}

/* ------------------------------------------------------------------ INTx */

/* A new claim (MSI left off by the last one's end): edu's INTx line. */
static void test_intx(void)
{
	struct capos_interrupt_wait_out w = { 0 };
	struct capos_completion c = { 0 };
	struct capos_pci_info pi;
	uint32_t fn, irq, msi, ctrl = 0xffff;
	uint64_t ud = 0, bar = 0;
	int err;

	if (claim(EDU_VENDOR, EDU_DEVICE, 0, &fn) != 0)
		return;
	info(fn, &pi);
	msi = find_cap(fn, pi.cap_ptr, 0x05);
	cfg_read(fn, msi + 2, 2, &ctrl);
	ut_check(!(ctrl & 1), "the last claim's end left MSI disabled", "control %#x", ctrl);
	err = interrupt(fn, CAPOS_IRQ_KIND_INTX, 0, &irq);
	if (err == 0 && map_bar(fn, 0, 0, CAPOS_PROT_READ | CAPOS_PROT_WRITE, &bar) == 0) {
		ut_note("INTx of edu arrives on GSI %u", pi.intx_gsi);
		ut_status("Interrupt.wait async on INTx", capos_interrupt_wait_async(rc, irq, &w, &ud), 0);
		*reg(bar, EDU_IRQ_RAISE) = 0x2;
		ut_status("edu's INTx completes the wait", capos_ring_wait(rc, ud, 2000 * UT_MS, &c), 0);
		*reg(bar, EDU_IRQ_ACK) = *reg(bar, EDU_IRQ_STATUS);
		ut_status("Interrupt.ack of INTx", capos_interrupt_ack(rc, irq), 0);
	} else {
		ut_status("interrupt INTx", err, 0);
	}
	capos_release(rc, fn);
}

/* ------------------------------------------------------------- children */

/* This program in another mode, with devices, or fn as "edu" when given. */
static uint32_t spawn(const char *mode, uint64_t frames, uint32_t fn)
{
	uint32_t caps[] = { ut_cap("console"), ut_cap("timer"), fn ? fn : devices }, proc = 0;
	struct capos_spawn_quota q = { .frames = frames };
	char grants[128];
	int err;

	capos_snprintf(grants, sizeof grants, "console timer %s " CHILD_BOUND, fn ? "edu" : "devices");
	err = capos_spawn_quota("utest-pci", grants, mode, caps, 3, frames ? &q : NULL, &proc, NULL);
	ut_status(mode, err, 0);
	return err ? 0 : proc;
}

static void wait_child(const char *what, uint32_t proc, uint32_t reason_want, int64_t code_want)
{
	int64_t code = -1;
	uint32_t reason = 99;
	int err = proc ? capos_process_wait(proc, &code, &reason) : -CAPOS_EBADF;

	ut_check(!err && reason == reason_want && (reason_want != CAPOS_EXIT_NORMAL || code == code_want), what,
		 "error %d reason %u code %lld", err, reason, (long long)code);
	if (proc)
		capos_release(rc, proc);
}

__attribute__((noreturn)) static void crash(void)
{
	volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)0;

	__asm__ volatile("" : "+r"(p));
	*p = 1;
	for (;;)
		__asm__ volatile("ud2");
}

/* Claim edu (or use the "edu" it was given), drive it, fault (or wait to be killed). */
static int child_driver(int kill_me)
{
	uint32_t fn = capos_cap_find("edu", NULL), pool;
	uint64_t bar = 0;
	struct capos_dma_pool_map_out mout = { 0 };

	devices = capos_cap_find("devices", NULL);
	if ((!fn && claim(EDU_VENDOR, EDU_DEVICE, 0, &fn)) || bus_master(fn, 1) ||
	    map_bar(fn, 0, 0, CAPOS_PROT_READ | CAPOS_PROT_WRITE, &bar) || dma_pool(fn, 4, 28, &pool, NULL) ||
	    capos_dma_pool_map(rc, pool, &(struct capos_dma_pool_map_in){ 0 }, &mout))
		return 1;
	memset((void *)(uintptr_t)mout.vaddr, 0x77, 4 * 4096);
	if (kill_me) {
		capos_printf("utest-pci: driver: edu claimed, bus mastering on, BAR0 at %#llx; waiting to be killed\n",
			     (unsigned long long)bar);
		for (;;)
			capos_sleep_ns(1000 * UT_MS);
	}
	capos_printf("utest-pci: driver: edu claimed, bus mastering on, BAR0 at %#llx; faulting now\n",
		     (unsigned long long)bar);
	crash();
}

static int child_quota(void)
{
	uint32_t fn, pool;
	int bad = 0;

	devices = capos_cap_find("devices", NULL);
	if (claim(EDU_VENDOR, EDU_DEVICE, 0, &fn))
		return 1;
	bad += dma_pool(fn, 512, 0, &pool, NULL) != -CAPOS_EQUOTA;
	bad += dma_pool(fn, CAPOS_DMA_POOL_MAX_PAGES, 0, &pool, NULL) != -CAPOS_EQUOTA;
	bad += dma_pool(fn, 4, 0, &pool, NULL) != 0;
	capos_printf("utest-pci: quota child: %d unexpected answers\n", bad);
	return bad;
}

/* Is edu claimed (by anyone)? */
static int edu_claimed(void)
{
	struct capos_device_root_list_in in = { .after_index = CAPOS_PCI_LIST_START };
	static struct capos_device_root_list_out out;
	uint32_t len = 0;

	if (capos_device_root_list(rc, devices, &in, &out, &len) != 0)
		return 0;
	for (uint32_t i = 0; i < out.count; i++) {
		struct capos_pci_entry e;

		memcpy(&e, out.entries + i * sizeof e, sizeof e);
		if (e.vendor == EDU_VENDOR && e.device == EDU_DEVICE)
			return e.claimed;
	}
	return 0;
}

static void test_children(void)
{
	struct capos_pci_info pi;
	uint32_t fn, proc, v = 0xffff;

	wait_child("a child over its frame quota gets EQUOTA for pools", spawn("quota", 400, 0), CAPOS_EXIT_NORMAL,
		   0);
	wait_child("the driver child dies by its fault", spawn("driver", 0, 0), CAPOS_EXIT_FAULT, 0);
	ut_status("claim edu again after the driver died", claim(EDU_VENDOR, EDU_DEVICE, 0, &fn), 0);
	info(fn, &pi);
	cfg_read(fn, 4, 2, &v);
	ut_check(pi.bus_master == 0 && !(v & CMD_BUS_MASTER), "the dead driver's device was left quiet",
		 "info %u command %#x", pi.bus_master, v);
	capos_release(rc, fn);
	/* killed while driving: the parent waits for the claim to show, then for the driver to be busy */
	proc = spawn("driver-killed", 0, 0);
	for (int i = 0; i < 200 && !edu_claimed(); i++)
		capos_sleep_ns(5 * UT_MS);
	capos_sleep_ns(200 * UT_MS);
	ut_status("ProcessHandle.kill of the driver", proc ? capos_process_handle_kill(rc, proc) : -CAPOS_EBADF, 0);
	wait_child("the killed driver ends", proc, CAPOS_EXIT_KILLED, 0);
	ut_status("claim edu again after the kill", claim(EDU_VENDOR, EDU_DEVICE, 0, &fn), 0);
	v = 0xffff;
	info(fn, &pi);
	cfg_read(fn, 4, 2, &v);
	ut_check(pi.bus_master == 0 && !(v & CMD_BUS_MASTER), "the killed driver's device was left quiet",
		 "info %u command %#x", pi.bus_master, v);
	/* a driver given a copy of our claim: its death quiesces the function we still hold */
	wait_child("a driver holding a copy of our claim dies by its fault", spawn("driver", 0, fn),
		   CAPOS_EXIT_FAULT, 0);
	v = 0xffff;
	info(fn, &pi);
	cfg_read(fn, 4, 2, &v);
	ut_check(pi.bus_master == 0 && !(v & CMD_BUS_MASTER) && pi.id.claimed == 1,
		 "our claim lives on, with bus mastering off", "info %u command %#x claimed %u", pi.bus_master, v,
		 pi.id.claimed);
	capos_release(rc, fn);
}

/* ------------------------------------------------------------------ main */

static void test_claims(void)
{
	struct capos_device_root_claim_in in = { .vendor = CAPOS_PCI_ANY, .device = CAPOS_PCI_ANY,
						 .class_code = 0x00ff00, .class_mask = 0xffff00 };
	struct capos_device_root_claim_out out;
	struct capos_pci_info pi;
	uint32_t fn, again;
	uint64_t bar;

	ut_status("claim edu", claim(EDU_VENDOR, EDU_DEVICE, 0, &fn), 0);
	ut_status("a second claim of edu", claim(EDU_VENDOR, EDU_DEVICE, 0, &again), -CAPOS_EBUSY);
	ut_status("a claim of edu by class", capos_device_root_claim(rc, devices, &in, &out), -CAPOS_EBUSY);
	ut_status("a claim of a second edu", claim(EDU_VENDOR, EDU_DEVICE, 1, &again), -CAPOS_ENOENT);
	ut_status("a claim matching nothing", claim(0xdead, 0xbeef, 0, &again), -CAPOS_ENOENT);
	in.class_mask = 0x1000000;
	ut_status("a claim with class bits past 24", capos_device_root_claim(rc, devices, &in, &out), -CAPOS_EINVAL);
	in.class_code = 0x060000;
	in.class_mask = 0xff0000;
	ut_status("a claim of a bridge (the host bridge)", capos_device_root_claim(rc, devices, &in, &out),
		  -CAPOS_EPERM);
	test_identity(fn, &pi);
	test_config_write(fn, &pi);
	bar = test_mmio(fn);
	test_pools(fn);
	test_dma(fn, bar);
	test_bus_master_and_interrupts(fn, &pi, bar);
	test_revoke(fn);
	ut_status("release edu", capos_release(rc, fn), 0);
	ut_status("the released function's handle is stale", info(fn, &pi), -CAPOS_EBADF);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "driver") == 0)
		return child_driver(0);
	if (argc > 1 && strcmp(argv[1], "driver-killed") == 0)
		return child_driver(1);
	if (argc > 1 && strcmp(argv[1], "quota") == 0)
		return child_quota();
	ut_init("utest-pci");
	devices = ut_cap("devices");
	test_list();
	test_claims();
	test_intx();
	test_e1000e();
	test_children();
	ut_note("%d failures", ut_failures());
	return ut_failures();
}
