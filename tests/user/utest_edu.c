/*
 * utest-edu: QEMU's edu device driven from user space (acceptance point 9
 * of the device work; docs/devices.md "Writing a driver").  Run with
 * `-device edu,dma_mask=...` either as init (it claims 1234:11e8 through
 * "devices") or under a manifest granting `edu: device:edu`
 * (tests/manifests/boot/edu.yaml).  In order:
 *
 *   identity   PciFunction.info and the capability list (an MSI capability,
 *              found by the libOS walk) agree with what QEMU builds
 *   registers  BAR 0 mapped: the ID register, liveness (inverted read-back),
 *              factorials 0..12 through the polled registers
 *   MSI        bus mastering on (an MSI is a memory write); through the
 *              ring: a raise (0x60) and a factorial with
 *              interrupt-on-completion, each dispatched by capos_ring_poll
 *              beside a Timer.sleep; the status register read, the bits
 *              cleared (0x64), the Interrupt acked; an interrupt that fires
 *              while nobody waits is remembered; a mask ends the wait
 *   DMA        a DmaPool page filled with a pattern is copied by the device
 *              into its buffer and back into another page, half a page at
 *              a time (one DMA may not reach the buffer's last byte,
 *              EDU_DMA_SPAN); every byte compared; with bus mastering off
 *              the device reaches nothing
 *
 * Exit code: the number of failed checks.
 */
#include <string.h>
#include <capos/dev.h>
#include "utest.h"
#include "edu.h"

#define WAIT_NS (2000ull * UT_MS)        /* generous under TCG; a DMA takes 100 ms of virtual time */

static struct edu e;
static struct capos_irq_waiter waiter;
static uint32_t irq_bits;                /* IRQ_STATUS bits the handler has seen and cleared */
static uint32_t irq_events;

/* The handler: read what the device says, clear it, let the helper ack and wait again. */
static int on_irq(struct capos_irq_waiter *w, uint32_t count)
{
	uint32_t status;

	(void)w;
	if (count == 0)
		return CAPOS_IRQ_STOP;           /* waiting ended: w->status says why */
	status = edu_read(&e, EDU_REG_IRQ_STATUS);
	edu_write(&e, EDU_REG_IRQ_ACK, status);
	irq_bits |= status;
	irq_events++;
	return CAPOS_IRQ_AGAIN;
}

/* Run the event loop until the handler has seen every bit of `bits` (and *flag, if given, is set). */
static int loop_until(uint32_t bits, const int *flag)
{
	uint64_t deadline = capos_time_ns() + WAIT_NS;

	while ((irq_bits & bits) != bits || (flag && !*flag)) {
		uint64_t now = capos_time_ns();
		int ran;

		if (now >= deadline)
			return -CAPOS_ETIMEDOUT;
		ran = capos_ring_poll(capos_ring(), deadline - now);
		if (ran < 0)
			return ran;
	}
	return 0;
}

static void check_identity(void)
{
	struct capos_pci_function_info_out out = { 0 };
	struct capos_pci_info info;
	uint8_t msi = 0;
	int err = capos_pci_function_info(capos_ring(), e.fn, &out, NULL);

	memcpy(&info, out.info, sizeof info);
	ut_status("PciFunction.info", err, 0);
	ut_check(info.id.vendor == EDU_VENDOR && info.id.device == EDU_DEVICE, "identity 1234:11e8",
		 "got %04x:%04x", info.id.vendor, info.id.device);
	ut_check(info.msi_vectors == 1 && info.msix_vectors == 0, "one MSI vector, no MSI-X",
		 "msi %u msix %u", info.msi_vectors, info.msix_vectors);
	err = capos_pci_cap_find(capos_pci_function_cfg_read, &e.fn, CAPOS_PCI_CAP_MSI, 0, &msi);
	ut_status("capability walk finds MSI", err, 0);
	ut_check(msi >= 0x40 && (info.cap_ptr == 0 || info.cap_ptr <= msi), "MSI capability in the list",
		 "at 0x%x, list from 0x%x", msi, info.cap_ptr);
	ut_check(e.bar.size == 1024 * 1024 && e.bar.pages == 256, "BAR 0: 1 MiB mapped",
		 "size %llu pages %llu", (unsigned long long)e.bar.size, (unsigned long long)e.bar.pages);
}

static void check_registers(void)
{
	uint32_t fact = 1, got = 0;
	int bad = 0, err = 0;

	ut_check(edu_read(&e, EDU_REG_ID) == EDU_ID, "ID register reads 0x010000ed", "got 0x%x",
		 edu_read(&e, EDU_REG_ID));
	edu_write(&e, EDU_REG_LIVENESS, 0x12345678u);
	ut_check(edu_read(&e, EDU_REG_LIVENESS) == 0xedcba987u, "liveness inverts 0x12345678", "got 0x%x",
		 edu_read(&e, EDU_REG_LIVENESS));
	edu_write(&e, EDU_REG_LIVENESS, 0);
	ut_check(edu_read(&e, EDU_REG_LIVENESS) == 0xffffffffu, "liveness inverts 0", "got 0x%x",
		 edu_read(&e, EDU_REG_LIVENESS));
	for (uint32_t n = 0; n <= 12 && !err; n++) {
		fact *= n ? n : 1;
		err = edu_factorial(&e, n, WAIT_NS, &got);
		if (!err && got != fact) {
			ut_note("%u! = %u, the device says %u", n, fact, got);
			bad++;
		}
	}
	ut_status("factorials 0..12 computed", err, 0);
	ut_check(bad == 0, "factorials 0..12 right", "%d wrong", bad);
}

static void on_timer(void *ctx, const struct capos_completion *c)
{
	(void)c;
	*(int *)ctx = 1;
}

/* Before the event loop: a firing with no wait outstanding is remembered for the next wait. */
static void check_remembered(uint32_t irq)
{
	struct capos_interrupt_wait_out out = { 0 };
	struct capos_completion c = { 0 };
	uint64_t ud = 0;
	int err;

	edu_write(&e, EDU_REG_IRQ_RAISE, 0x10);
	capos_sleep_ns(10 * UT_MS);              /* it fires now, with nobody waiting */
	err = capos_interrupt_wait_async(capos_ring(), irq, &out, &ud);
	if (!err && (err = capos_ring_wait(capos_ring(), ud, WAIT_NS, &c)) == -CAPOS_ETIMEDOUT) {
		capos_cancel(capos_ring(), ud);
		capos_ring_wait(capos_ring(), ud, CAPOS_TIMEOUT_INFINITE, &c);
	}
	ut_check(err == 0 && c.status == 0 && out.count >= 1, "a firing with nobody waiting is remembered",
		 "wait: %s, status %d, count %u", capos_strerror(err), c.status, out.count);
	ut_check(edu_read(&e, EDU_REG_IRQ_STATUS) & 0x10, "IRQ status shows the raised bit", "0x%x",
		 edu_read(&e, EDU_REG_IRQ_STATUS));
	edu_write(&e, EDU_REG_IRQ_ACK, 0x10);
	ut_status("Interrupt.ack", capos_interrupt_ack(capos_ring(), irq), 0);
}

static void check_msi(uint32_t irq)
{
	struct capos_timer_sleep_in sleep = { .ns = 20 * UT_MS };
	uint32_t timer = capos_cap_find("timer", NULL), got = 0;
	uint64_t ud = 0;
	int timer_done = 0, err;

	err = capos_irq_waiter_start(&waiter, irq, on_irq, NULL);
	ut_status("Interrupt.wait submitted to the ring", err, 0);
	if (err)
		return;
	/* A timer in the same loop: both completions are dispatched by capos_ring_poll. */
	err = capos_timer_sleep_async(capos_ring(), timer, &sleep, &ud);
	if (!err)
		err = capos_ring_watch(capos_ring(), ud, on_timer, &timer_done);
	ut_status("Timer.sleep beside it", err, 0);
	edu_write(&e, EDU_REG_IRQ_RAISE, 0x20000);
	err = loop_until(0x20000, &timer_done);
	ut_status("raised MSI and timer dispatched by one loop", err, 0);
	ut_check(edu_read(&e, EDU_REG_IRQ_STATUS) == 0, "IRQ status cleared by the handler", "0x%x",
		 edu_read(&e, EDU_REG_IRQ_STATUS));

	edu_write(&e, EDU_REG_STATUS, EDU_STATUS_IRQ_FACT);
	edu_write(&e, EDU_REG_FACT, 10);
	err = loop_until(EDU_IRQ_FACT, NULL);
	ut_status("factorial-done MSI through the ring", err, 0);
	got = edu_read(&e, EDU_REG_FACT);
	ut_check(got == 3628800u, "10! read after its interrupt", "got %u", got);
	edu_write(&e, EDU_REG_STATUS, 0);
	ut_check(waiter.fired >= 2 && waiter.armed, "waiter counted the firings and waits again",
		 "fired %llu armed %d", (unsigned long long)waiter.fired, waiter.armed);
}

/* Pattern byte i of a run: not a repeat of any short period, so a shifted copy shows. */
static uint8_t pattern(uint32_t i)
{
	return (uint8_t)(i * 7u + 13u + (i >> 8) * 31u);
}

#define HALF (EDU_BUFFER_SIZE / 2)

/* DMA count bytes and wait for the device's DMA interrupt in the event loop. */
static int dma_and_wait(uint64_t addr, uint32_t count, int to_ram)
{
	int err = edu_dma_start(&e, addr, 0, count, to_ram, 1);

	irq_bits &= ~EDU_IRQ_DMA;
	return err ? err : loop_until(EDU_IRQ_DMA, NULL);
}

/* The same without an interrupt (with bus mastering off no MSI reaches the CPU: it is a write too). */
static int dma_and_poll(uint64_t addr, uint32_t count, int to_ram)
{
	uint64_t deadline = capos_time_ns() + WAIT_NS;
	int err = edu_dma_start(&e, addr, 0, count, to_ram, 0);

	while (!err && edu_dma_busy(&e)) {
		if (capos_time_ns() > deadline)
			return -CAPOS_ETIMEDOUT;
		capos_sleep_ns(10 * UT_MS);
	}
	return err;
}

static void check_dma(uint32_t fn)
{
	struct capos_dma dma;
	struct capos_dma_chunk src, dst;
	uint32_t wrong = 0;
	uint8_t *a, *b;
	int err = capos_dma_open(fn, 2, &dma);

	ut_status("DmaPool of 2 pages mapped", err, 0);
	if (err)
		return;
	ut_note("pool at %p, device address 0x%llx", (void *)dma.vaddr, (unsigned long long)dma.device_addr);
	err = capos_dma_alloc(&dma, EDU_BUFFER_SIZE, 4096, &src);
	if (!err)
		err = capos_dma_alloc(&dma, EDU_BUFFER_SIZE, 4096, &dst);
	ut_status("two page chunks", err, 0);
	if (err)
		goto out;
	a = src.vaddr;
	b = dst.vaddr;
	for (uint32_t i = 0; i < EDU_BUFFER_SIZE; i++) {
		a[i] = pattern(i);
		b[i] = 0;
	}
	for (uint32_t half = 0; half < 2; half++) {
		int to_dev = dma_and_wait(src.device_addr + half * HALF, HALF, 0);
		int to_ram = to_dev ? to_dev : dma_and_wait(dst.device_addr + half * HALF, HALF, 1);

		ut_check(!to_dev && !to_ram, half ? "DMA second half: page -> device -> page, each done by interrupt"
						  : "DMA first half: page -> device -> page, each done by interrupt",
			 "to the device: %s, back: %s", capos_strerror(to_dev), capos_strerror(to_ram));
	}
	for (uint32_t i = 0; i < EDU_BUFFER_SIZE; i++)
		wrong += b[i] != pattern(i);
	ut_check(wrong == 0, "every one of 4096 bytes came back", "%u bytes differ", wrong);

	/* Bus mastering off: the device's writes reach no memory (and no MSI comes). */
	memset(b, 0, EDU_BUFFER_SIZE);
	ut_status("bus mastering off", capos_pci_bus_master(fn, 0), 0);
	ut_status("DMA with bus mastering off ends", dma_and_poll(dst.device_addr, HALF, 1), 0);
	wrong = 0;
	for (uint32_t i = 0; i < HALF; i++)
		wrong += b[i] != 0;
	ut_check(wrong == 0, "with bus mastering off the page stays untouched", "%u bytes written", wrong);
	edu_write(&e, EDU_REG_IRQ_ACK, EDU_IRQ_DMA);     /* raised, but its MSI went nowhere */
	ut_status("chunks given back", capos_dma_free(&dma, &src) | capos_dma_free(&dma, &dst), 0);
out:
	capos_dma_close(&dma);
}

/* Masking the Interrupt ends the waiter's wait: its handler hears count 0, status -CAPOS_EMASKED. */
static void check_mask_ends_wait(uint32_t irq)
{
	uint64_t deadline = capos_time_ns() + WAIT_NS;

	ut_status("Interrupt.mask", capos_interrupt_mask(capos_ring(), irq), 0);
	while (waiter.armed && capos_time_ns() < deadline)
		capos_ring_poll(capos_ring(), deadline - capos_time_ns());
	ut_check(!waiter.armed && waiter.status == -CAPOS_EMASKED, "a mask ends the wait in the event loop",
		 "armed %d, status %s", waiter.armed, capos_strerror(waiter.status));
	ut_status("Interrupt.unmask", capos_interrupt_unmask(capos_ring(), irq), 0);
}

/* Run as init: a second claim of the function is refused while this one lives. */
static void check_exclusive(void)
{
	struct capos_device_root_claim_in in = { .vendor = EDU_VENDOR, .device = EDU_DEVICE };
	struct capos_device_root_claim_out out = { 0 };

	if (!e.claimed)
		return;
	ut_status("a second claim is refused", capos_device_root_claim(capos_ring(), capos_cap_find("devices", NULL),
								       &in, &out), -CAPOS_EBUSY);
}

/* Run as init: releasing the last handle ends the claim, so the function can be claimed again. */
static void reclaim_after_close(void)
{
	struct capos_device_root_claim_in in = { .vendor = EDU_VENDOR, .device = EDU_DEVICE };
	struct capos_device_root_claim_out out = { 0 };
	int claimed = e.claimed, err;

	edu_close(&e);
	if (!claimed)
		return;
	err = capos_device_root_claim(capos_ring(), capos_cap_find("devices", NULL), &in, &out);
	ut_status("released, the function can be claimed again", err, 0);
	if (!err)
		capos_release(capos_ring(), out.function);
}

int main(int argc, char **argv)
{
	uint32_t irq = 0, kind = 0;
	int err;

	(void)argc;
	(void)argv;
	ut_init("utest-edu");
	err = edu_open(&e);
	ut_status("edu function claimed and BAR 0 mapped", err, 0);
	if (err) {
		ut_note("%d failures", ut_failures());
		return ut_failures();
	}
	ut_note("function from %s", e.claimed ? "devices (claimed here)" : "the manifest (edu)");
	check_identity();
	check_exclusive();
	check_registers();
	/* An MSI is a memory write by the device: it arrives only while bus mastering is on. */
	ut_status("bus mastering on", capos_pci_bus_master(e.fn, 1), 0);
	err = capos_pci_irq_setup(e.fn, 0, 0, &irq, &kind);
	ut_status("interrupt set up", err, 0);
	ut_check(kind == CAPOS_IRQ_KIND_MSI, "the best it has is MSI", "kind %u", kind);
	if (!err) {
		check_remembered(irq);
		check_msi(irq);
		check_dma(e.fn);
		check_mask_ends_wait(irq);
		ut_status("waiter stopped", capos_irq_waiter_stop(&waiter), 0);
		capos_release(capos_ring(), irq);
	}
	reclaim_after_close();
	ut_note("%d failures", ut_failures());
	return ut_failures();
}
