/*
 * The IoPortRange and Interrupt test (docs/devices.md, "I/O ports" and
 * "Interrupts"), run as init with COM2 attached (ci/qemu_run.py
 * --session-*): DeviceRoot.ioports("com2") gives the UART's eight ports,
 * which it drives with in/out from user mode (the scratch register; a
 * byte sent through the transmit register, checked in the session log),
 * and DeviceRoot.irq(3) gives COM2's interrupt, raised by the UART's
 * transmit-empty condition and received through Interrupt.wait on the
 * ring: a wait completed by the next fire, a fire remembered while nobody
 * waits, ack, a second concurrent wait, mask ending a pending wait,
 * waits on a masked interrupt, CANCEL, a wait pending when the handle
 * goes.  Hostile claims: unknown names, COM1, lines the kernel keeps,
 * second claims.
 *
 * Children (this program with an argument) show what the I/O permission
 * bitmap enforces: each is killed by a #GP (exit reason fault, code -13)
 * for a port outside its range ("outside"), after disable ("disabled"),
 * after releasing its handle ("released"), after moving its only handle
 * to a grandchild that uses the ports itself ("mover", "holder"), after
 * the revocable copy it holds is revoked ("revoked"); "quota" meets -CAPOS_EQUOTA for the bitmap
 * when its frame quota is spent; "irqholder" holds the Interrupt until it
 * is killed, after which the line can be claimed again; "irqwaiter" waits
 * through a revocable copy of it, and the revocation ends that wait.
 *
 * Prints one line per check and exits with the number of failures.
 */
#include <string.h>
#include <capos/cap.h>
#include <capos/dev.h>
#include <capos/device.h>
#include <capos/process.h>
#include "utest.h"

#define rc capos_ring()
#define COM2 0x2f8u
#define REG_THR 0u
#define REG_IER 1u
#define REG_IIR 2u
#define REG_MCR 4u
#define REG_LSR 5u
#define REG_SCR 7u
#define IER_THRI 0x02u
#define IIR_NO_INT 0x01u
#define IIR_ID_MASK 0x0eu
#define IIR_THRI 0x02u
#define MCR_DTR_RTS_OUT2 0x0bu
#define LSR_TEMT 0x40u
#define FAULT_GP (-13)

static uint32_t devices;


static int claim_ports(const char *name, uint32_t *range, struct capos_device_root_ioports_out *out)
{
	struct capos_device_root_ioports_in in;

	memset(&in, 0, sizeof in);
	memcpy(in.name, name, strnlen(name, sizeof in.name));
	*range = 0;
	int err = capos_device_root_ioports(rc, devices, &in, out);

	if (!err)
		*range = out->range;
	return err;
}

static int claim_line(uint32_t line, uint32_t *irq)
{
	struct capos_device_root_irq_in in = { .line = line };
	struct capos_device_root_irq_out out = { 0 };
	int err = capos_device_root_irq(rc, devices, &in, &out);

	*irq = err ? 0 : out.interrupt;
	return err;
}

static struct capos_interrupt_info_out irq_info(uint32_t irq)
{
	struct capos_interrupt_info_out info;

	memset(&info, 0xee, sizeof info);
	capos_interrupt_info(rc, irq, &info);
	return info;
}

/* Wait for the transmitter to drain, then read IIR: a THRE interrupt reported there is cleared. */
static uint8_t uart_take_iir(void)
{
	for (int i = 0; i < 100000 && !(capos_inb(COM2 + REG_LSR) & LSR_TEMT); i++)
		;
	return capos_inb(COM2 + REG_IIR);
}

/* ---- children ---- */

/* Run as a child: the capability named "range" opened, then the access that must kill. */
static int run_child(const char *mode)
{
	uint32_t range = ut_cap("range");
	struct capos_io_port_range_info_out info;

	ut_status("enable in the child", capos_io_port_range_enable(rc, range), 0);
	capos_outb(COM2 + REG_SCR, 0x3c);
	ut_check(capos_inb(COM2 + REG_SCR) == 0x3c, "the child reaches its own ports", "scratch mismatch");
	if (strcmp(mode, "outside") == 0) {
		ut_note("reading COM1's line status, outside the range");
		(void)capos_inb(0x3f8 + REG_LSR);
	} else if (strcmp(mode, "neighbour") == 0) {
		ut_note("reading the port just past the range");
		(void)capos_inb(COM2 + 8);
	} else if (strcmp(mode, "disabled") == 0) {
		ut_status("disable in the child", capos_io_port_range_disable(rc, range), 0);
		ut_note("reading the scratch register after disable");
		(void)capos_inb(COM2 + REG_SCR);
	} else if (strcmp(mode, "released") == 0) {
		ut_status("release in the child", capos_release(rc, range), 0);
		ut_note("reading the scratch register after release");
		(void)capos_inb(COM2 + REG_SCR);
	} else if (strcmp(mode, "revoked") == 0) {
		/* The parent revokes the copy this child holds; the handle says so, then the port must be shut. */
		while (capos_io_port_range_info(rc, range, &info) == 0)
			capos_sleep_ns(2 * UT_MS);
		ut_note("reading the scratch register after the revocation");
		(void)capos_inb(COM2 + REG_SCR);
	}
	ut_note("still alive: the access did not fault");
	return 100;
}

/*
 * Move the range (its only handle) to a grandchild that opens the ports
 * itself; the mover's own ports must be shut once the handle is gone.
 */
static int run_mover(void)
{
	struct capos_io_port_range_info_out info;
	uint32_t range = ut_cap("range"), reason = 99, proc = 0;
	struct capos_xfer x[2] = { { ut_cap("console"), CAPOS_XFER_COPY }, { range, CAPOS_XFER_MOVE } };
	int64_t code = -1;

	ut_status("enable in the mover", capos_io_port_range_enable(rc, range), 0);
	(void)capos_inb(COM2 + REG_SCR);
	ut_status("spawn with the range moved", capos_spawn_xfer(0, "utest-devports", "console range thread=@thread",
		  "holder", x, 2, NULL, &proc, NULL), 0);
	ut_status("the grandchild opened the ports and ended", capos_process_wait(proc, &code, &reason), 0);
	ut_check(code == 0 && reason == CAPOS_EXIT_NORMAL, "the grandchild's ports worked", "code %lld", (long long)code);
	ut_status("the moved handle is gone", capos_io_port_range_info(rc, range, &info), -CAPOS_EBADF);
	ut_note("reading the scratch register after moving the range away");
	(void)capos_inb(COM2 + REG_SCR);
	ut_note("still alive: the access did not fault");
	return 100;
}

/* The grandchild of run_mover: the moved range works here. */
static int run_holder(void)
{
	uint32_t range = ut_cap("range");

	ut_status("enable in the grandchild", capos_io_port_range_enable(rc, range), 0);
	capos_outb(COM2 + REG_SCR, 0x66);
	ut_check(capos_inb(COM2 + REG_SCR) == 0x66, "the grandchild reaches the moved ports", "mismatch");
	return ut_failures();
}

/* With its frame quota spent, enable cannot have its bitmap; with two frames back it can. */
static int run_quota(void)
{
	uint32_t frames = ut_cap("frames"), range = ut_cap("range");
	uint32_t objs[64], n = 0;
	uint64_t sizes[] = { 64, 16, 4, 1 };

	for (uint32_t s = 0; s < 4; s++) {
		for (;;) {
			struct capos_frame_allocator_alloc_in in = { .pages = sizes[s] };
			struct capos_frame_allocator_alloc_out out = { 0 };

			if (n == 64 || capos_frame_allocator_alloc(rc, frames, &in, &out) != 0)
				break;
			objs[n++] = out.memory;
		}
	}
	ut_check(n > 0 && n < 64, "the frame quota is spent", "%u objects", n);
	ut_status("enable with the frame quota spent", capos_io_port_range_enable(rc, range), -CAPOS_EQUOTA);
	for (uint32_t i = 0; i < n && i < 3; i++)
		capos_release(rc, objs[--n]);
	ut_status("enable with frames given back", capos_io_port_range_enable(rc, range), 0);
	capos_outb(COM2 + REG_SCR, 0x77);
	ut_check(capos_inb(COM2 + REG_SCR) == 0x77, "the ports work once the bitmap fits the quota", "mismatch");
	return ut_failures();
}

/* Hold the Interrupt (the parent's only handle went to us) until killed. */
static int run_irqholder(void)
{
	uint32_t irq = ut_cap("irq");
	ut_note("holding the interrupt");
	capos_interrupt_mask(rc, irq);
	for (;;)
		capos_sleep_ns(1000 * UT_MS);
	return 0;
}

/* Wait through a revocable copy of the Interrupt; the parent revokes it. */
static int run_irqwaiter(void)
{
	struct capos_interrupt_wait_out out = { 0 };

	ut_status("the wait through a revoked copy", capos_interrupt_wait(rc, ut_cap("irq"), &out), -CAPOS_EREVOKED);
	return ut_failures();
}

/* Spawn this program as a child in mode with console, range (and frames for "quota"); check how it ends. */
static void spawn_child(const char *what, const char *mode, uint32_t range, const struct capos_spawn_quota *quota,
			int64_t want_code, uint32_t want_reason)
{
	uint32_t caps[3] = { ut_cap("console"), range, ut_cap("frames") }, proc = 0, reason = 99;
	int64_t code = 0;
	int err = quota ? capos_spawn_quota("utest-devports", "console range frames thread=@thread", mode, caps, 3,
					    quota, &proc, NULL)
			: capos_spawn("utest-devports", "console range thread=@thread", mode, caps, 2, &proc, NULL);

	ut_status(what, err, 0);
	if (err)
		return;
	ut_status("wait for the child", capos_process_wait(proc, &code, &reason), 0);
	ut_check(code == want_code && reason == want_reason, what, "code %lld reason %u", (long long)code, reason);
	capos_release(rc, proc);
}

/* ---- the parent ---- */

static void test_claims(void)
{
	struct capos_device_root_ioports_out out;
	struct capos_device_root_ioports_in raw;
	uint32_t r, irq;

	ut_status("ioports of an unknown name", claim_ports("lpt1", &r, &out), -CAPOS_ENOENT);
	ut_status("ioports of com1, the kernel console", claim_ports("com1", &r, &out), -CAPOS_ENOENT);
	ut_status("ioports of an empty name", claim_ports("", &r, &out), -CAPOS_ENOENT);
	ut_status("ioports of com3, where no UART answers", claim_ports("com3", &r, &out), -CAPOS_ENOENT);
	memset(&raw, 'x', sizeof raw);
	ut_status("ioports of a name without NUL", capos_device_root_ioports(rc, devices, &raw, &out), -CAPOS_EINVAL);
	ut_status("irq line 16", claim_line(16, &irq), -CAPOS_ERANGE);
	ut_status("irq line 0xffffffff", claim_line(0xffffffffu, &irq), -CAPOS_ERANGE);
	ut_status("irq line 0, the timer", claim_line(0, &irq), -CAPOS_EPERM);
	ut_status("irq line 2, the cascade", claim_line(2, &irq), -CAPOS_EPERM);
	ut_status("irq line 4, COM1", claim_line(4, &irq), -CAPOS_EPERM);
	ut_status("irq line 9, the ACPI SCI", claim_line(9, &irq), -CAPOS_EPERM);
}

static uint32_t test_ports(void)
{
	struct capos_device_root_ioports_out out = { 0 };
	struct capos_io_port_range_info_out info = { 0 };
	uint32_t range, again;

	ut_status("ioports com2", claim_ports("com2", &range, &out), 0);
	ut_check(out.base == COM2 && out.count == 8, "com2 is 0x2f8, 8 ports", "base 0x%x count %u", out.base, out.count);
	ut_status("a second claim of com2", claim_ports("com2", &again, &out), -CAPOS_EBUSY);
	ut_status("info", capos_io_port_range_info(rc, range, &info), 0);
	ut_check(info.base == COM2 && info.count == 8 && info.enabled == 0, "info before enable", "enabled %u", info.enabled);
	ut_status("disable before enable", capos_io_port_range_disable(rc, range), 0);
	ut_status("enable", capos_io_port_range_enable(rc, range), 0);
	ut_status("enable again", capos_io_port_range_enable(rc, range), 0);
	capos_io_port_range_info(rc, range, &info);
	ut_check(info.enabled == 1, "info after enable", "enabled %u", info.enabled);
	capos_outb(COM2 + REG_SCR, 0x5a);
	ut_check(capos_inb(COM2 + REG_SCR) == 0x5a, "the scratch register keeps 0x5a, written from user mode", "mismatch");
	capos_outb(COM2 + REG_SCR, 0xa5);
	ut_check(capos_inb(COM2 + REG_SCR) == 0xa5, "... and 0xa5", "mismatch");
	return range;
}

/* COM2's transmit-empty interrupt through line 3: wait, remember, ack, one wait at a time, mask. */
static uint32_t test_interrupt(void)
{
	struct capos_interrupt_wait_out w = { 0 };
	struct capos_interrupt_info_out info;
	struct capos_completion c = { 0 };
	uint32_t irq, again;
	uint64_t ud = 0;
	uint8_t iir;

	ut_status("irq line 3", claim_line(3, &irq), 0);
	ut_status("a second claim of line 3", claim_line(3, &again), -CAPOS_EBUSY);
	info = irq_info(irq);
	ut_check(info.kind == CAPOS_IRQ_KIND_LEGACY && info.line == 3 && info.vector >= 0x30 && info.vector <= 0xef &&
		 info.masked == 0 && info.pending == 0 && info.waiting == 0 && info.fired == 0,
		 "info of a fresh line 3", "kind %u line %u vector 0x%x masked %u pending %u", info.kind, info.line,
		 info.vector, info.masked, info.pending);
	ut_status("wait async", capos_interrupt_wait_async(rc, irq, &w, &ud), 0);
	ut_check(irq_info(irq).waiting == 1, "info shows the wait", "waiting %u", irq_info(irq).waiting);
	ut_status("a second concurrent wait", capos_interrupt_wait(rc, irq, &w), -CAPOS_EBUSY);
	capos_outb(COM2 + REG_MCR, MCR_DTR_RTS_OUT2);
	capos_outb(COM2 + REG_IER, IER_THRI);  /* the holding register is empty: the UART raises line 3 now */
	ut_status("the transmit-empty interrupt completes the wait", capos_ring_wait(rc, ud, 2000 * UT_MS, &c), 0);
	ut_check(c.status == 0 && w.count >= 1, "... with a count", "status %d count %u", c.status, w.count);
	iir = uart_take_iir();
	ut_check((iir & IIR_ID_MASK) == IIR_THRI, "the UART reports the transmit-empty interrupt", "IIR 0x%x", iir);
	ut_status("ack", capos_interrupt_ack(rc, irq), 0);

	capos_outb(COM2 + REG_THR, '#');  /* when it has gone out, the holding register is empty again: a fire */
	capos_sleep_ns(50 * UT_MS);
	info = irq_info(irq);
	ut_check(info.pending >= 1 && info.waiting == 0 && info.fired >= 2, "a fire with nobody waiting is remembered",
		 "pending %u fired %llu", info.pending, (unsigned long long)info.fired);
	ut_status("the next wait completes at once", capos_interrupt_wait(rc, irq, &w), 0);
	ut_check(w.count == info.pending, "... with the remembered count", "count %u", w.count);
	iir = uart_take_iir();
	ut_check(!(iir & IIR_NO_INT) || (iir & IIR_ID_MASK) == 0, "IIR read", "0x%x", iir);
	ut_status("ack", capos_interrupt_ack(rc, irq), 0);

	ut_status("wait async again", capos_interrupt_wait_async(rc, irq, &w, &ud), 0);
	ut_status("mask with a wait pending", capos_interrupt_mask(rc, irq), 0);
	ut_status("the pending wait completes", capos_ring_wait(rc, ud, 2000 * UT_MS, &c), 0);
	ut_status("... with -CAPOS_EMASKED", c.status, -CAPOS_EMASKED);
	ut_check(irq_info(irq).masked == 1, "info shows the mask", "masked %u", irq_info(irq).masked);
	ut_status("a wait on a masked interrupt", capos_interrupt_wait(rc, irq, &w), -CAPOS_EMASKED);
	ut_status("mask again", capos_interrupt_mask(rc, irq), 0);
	ut_status("unmask", capos_interrupt_unmask(rc, irq), 0);
	ut_status("wait async after unmask", capos_interrupt_wait_async(rc, irq, &w, &ud), 0);
	ut_status("CANCEL the wait", capos_cancel(rc, ud), 0);
	ut_status("the cancelled wait completes", capos_ring_wait(rc, ud, 2000 * UT_MS, &c), 0);
	ut_status("... with -CAPOS_ECANCELED", c.status, -CAPOS_ECANCELED);
	ut_status("a wait with a result buffer too small",
		  capos_call_sync(rc, irq, CAPOS_IFACE_INTERRUPT, CAPOS_INTERRUPT_WAIT, NULL, 0, &w, 2, NULL),
		  -CAPOS_ERANGE);
	ut_status("a wait with parameters",
		  capos_call_sync(rc, irq, CAPOS_IFACE_INTERRUPT, CAPOS_INTERRUPT_WAIT, &w, 4, &w, 4, NULL),
		  -CAPOS_ERANGE);
	capos_outb(COM2 + REG_IER, 0);
	return irq;
}

/* A wait pending when the last handle goes; then the line is free again. */
static void test_interrupt_release(uint32_t irq)
{
	struct capos_interrupt_wait_out w = { 0 };
	struct capos_completion c = { 0 };
	uint64_t ud = 0;
	uint32_t again;

	ut_status("wait async before the release", capos_interrupt_wait_async(rc, irq, &w, &ud), 0);
	ut_status("release the interrupt", capos_release(rc, irq), 0);
	ut_status("the pending wait completes", capos_ring_wait(rc, ud, 2000 * UT_MS, &c), 0);
	ut_status("... with -CAPOS_ECANCELED", c.status, -CAPOS_ECANCELED);
	ut_status("a wait on the released handle", capos_interrupt_wait(rc, irq, &w), -CAPOS_EBADF);
	ut_status("line 3 can be claimed again", claim_line(3, &again), 0);
	capos_release(rc, again);
}

/* A child holds the only handle to line 3; when it is killed, the line is free. */
static void test_interrupt_holder_dies(void)
{
	uint32_t irq, again, caps[3], proc = 0, reason = 0;
	int64_t code = 0;
	int err;

	ut_status("irq line 3 for the child", claim_line(3, &irq), 0);
	caps[0] = ut_cap("console");
	caps[1] = irq;
	caps[2] = ut_cap("timer");
	err = capos_spawn("utest-devports", "console irq timer thread=@thread", "irqholder", caps, 3, &proc, NULL);
	ut_status("spawn the interrupt holder", err, 0);
	capos_release(rc, irq);
	if (err)
		return;
	capos_sleep_ns(50 * UT_MS);
	ut_status("line 3 while the child holds it", claim_line(3, &again), -CAPOS_EBUSY);
	ut_status("kill the holder", capos_process_handle_kill(rc, proc), 0);
	ut_status("wait for it", capos_process_wait(proc, &code, &reason), 0);
	capos_release(rc, proc);
	ut_status("line 3 once the holder is dead", claim_line(3, &again), 0);
	capos_release(rc, again);
}

/* A child waits through a revocable copy of line 3; revoking the copy ends its wait, not the parent's line. */
static void test_interrupt_copy_revoked(void)
{
	struct capos_cap_space_derive_in din = { .rights = CAPOS_RIGHT_ALL };
	struct capos_cap_space_derive_out dout = { 0 };
	uint32_t irq, caps[2], proc = 0, reason = 0;
	int64_t code = -1;
	int err;

	ut_status("irq line 3 to lend", claim_line(3, &irq), 0);
	din.cap = irq;
	ut_status("derive a revocable copy of the interrupt", capos_cap_space_derive(rc, ut_cap("capspace"), &din, &dout), 0);
	caps[0] = ut_cap("console");
	caps[1] = dout.copy;
	err = capos_spawn("utest-devports", "console irq thread=@thread", "irqwaiter", caps, 2, &proc, NULL);
	ut_status("spawn a child waiting through the copy", err, 0);
	if (!err) {
		capos_sleep_ns(100 * UT_MS);
		ut_check(irq_info(irq).waiting == 1, "the child's wait is pending", "waiting %u", irq_info(irq).waiting);
		ut_status("revoke the interrupt's copy", capos_revoker_revoke(rc, dout.revoker), 0);
		ut_status("wait for the child", capos_process_wait(proc, &code, &reason), 0);
		ut_check(code == 0 && reason == CAPOS_EXIT_NORMAL, "the revocation ended the child's wait",
			 "code %lld reason %u", (long long)code, reason);
		capos_release(rc, proc);
	}
	ut_check(irq_info(irq).waiting == 0 && irq_info(irq).masked == 0, "the parent's line is untouched",
		 "waiting %u masked %u", irq_info(irq).waiting, irq_info(irq).masked);
	capos_release(rc, dout.copy);
	capos_release(rc, dout.revoker);
	capos_release(rc, irq);
}

static void test_children(uint32_t range)
{
	struct capos_cap_space_derive_in din = { .rights = CAPOS_RIGHT_ALL };
	struct capos_cap_space_derive_out dout = { 0 };
	struct capos_spawn_quota small = { .frames = 256 };
	uint32_t caps[4], proc = 0, reason = 0;
	int64_t code = 0;
	int err;

	spawn_child("a child reading a port outside its range is killed by #GP", "outside", range, NULL,
		    FAULT_GP, CAPOS_EXIT_FAULT);
	spawn_child("a child reading the port past its range is killed", "neighbour", range, NULL,
		    FAULT_GP, CAPOS_EXIT_FAULT);
	spawn_child("a child reading its port after disable is killed", "disabled", range, NULL,
		    FAULT_GP, CAPOS_EXIT_FAULT);
	spawn_child("a child reading its port after releasing the range is killed", "released", range, NULL,
		    FAULT_GP, CAPOS_EXIT_FAULT);
	caps[0] = ut_cap("console");
	caps[1] = range;
	caps[2] = ut_cap("spawner");
	caps[3] = ut_cap("bootpkg");   /* the mover's loader finds its grandchild there (and maps it with vm) */
	err = capos_spawn("utest-devports", "console range spawner bootpkg thread=@thread vm=@vm", "mover", caps, 4,
			  &proc, NULL);
	ut_status("spawn a child that moves its range away", err, 0);
	if (!err) {
		ut_status("wait for the child", capos_process_wait(proc, &code, &reason), 0);
		ut_check(code == FAULT_GP && reason == CAPOS_EXIT_FAULT,
			 "a child reading its port after moving the range away is killed", "code %lld reason %u",
			 (long long)code, reason);
		capos_release(rc, proc);
	}
	spawn_child("a child meets -CAPOS_EQUOTA for the bitmap, then opens the ports", "quota", range, &small,
		    0, CAPOS_EXIT_NORMAL);

	/* A revocable copy: the child holds only the copy; revoking it shuts the child's ports. */
	din.cap = range;
	ut_status("derive a revocable copy of the range", capos_cap_space_derive(rc, ut_cap("capspace"), &din, &dout), 0);
	caps[0] = ut_cap("console");
	caps[1] = dout.copy;
	caps[2] = ut_cap("timer");
	err = capos_spawn("utest-devports", "console range timer thread=@thread", "revoked", caps, 3, &proc, NULL);
	ut_status("spawn a child holding the copy", err, 0);
	if (!err) {
		capos_sleep_ns(100 * UT_MS);  /* the child enables and starts polling */
		ut_status("revoke the copy", capos_revoker_revoke(rc, dout.revoker), 0);
		ut_status("wait for the child", capos_process_wait(proc, &code, &reason), 0);
		ut_check(code == FAULT_GP && reason == CAPOS_EXIT_FAULT,
			 "a child reading its port after the revocation of its copy is killed", "code %lld reason %u",
			 (long long)code, reason);
		capos_release(rc, proc);
	}
	ut_status("info through the revoked copy", capos_io_port_range_info(rc, dout.copy, &(struct capos_io_port_range_info_out){ 0 }),
		  -CAPOS_EREVOKED);
	ut_status("enable through the revoked copy", capos_io_port_range_enable(rc, dout.copy), -CAPOS_EREVOKED);
	capos_release(rc, dout.copy);
	capos_release(rc, dout.revoker);
	capos_outb(COM2 + REG_SCR, 0x11);
	ut_check(capos_inb(COM2 + REG_SCR) == 0x11, "the parent's own ports stay open through all that", "mismatch");
}

static void test_range_release(uint32_t range)
{
	struct capos_device_root_ioports_out out = { 0 };
	struct capos_io_port_range_info_out info;
	uint32_t again;

	ut_status("disable", capos_io_port_range_disable(rc, range), 0);
	ut_status("release the range", capos_release(rc, range), 0);
	ut_status("info on the released handle", capos_io_port_range_info(rc, range, &info), -CAPOS_EBADF);
	ut_status("com2 can be claimed again", claim_ports("com2", &again, &out), 0);
	capos_release(rc, again);
}

int main(int argc, char **argv)
{
	uint32_t range, irq;

	if (argc > 1 && strcmp(argv[1], "irqholder") == 0) {
		ut_init("utest-devports irqholder");
		return run_irqholder();
	}
	if (argc > 1 && strcmp(argv[1], "irqwaiter") == 0) {
		ut_init("utest-devports irqwaiter");
		return run_irqwaiter();
	}
	if (argc > 1 && strcmp(argv[1], "mover") == 0) {
		ut_init("utest-devports mover");
		return run_mover();
	}
	if (argc > 1 && strcmp(argv[1], "holder") == 0) {
		ut_init("utest-devports holder");
		return run_holder();
	}
	if (argc > 1 && strcmp(argv[1], "quota") == 0) {
		ut_init("utest-devports quota");
		return run_quota();
	}
	if (argc > 1) {
		ut_init("utest-devports child");
		return run_child(argv[1]);
	}
	ut_init("utest-devports");
	devices = ut_cap("devices");
	test_claims();
	range = test_ports();
	irq = test_interrupt();
	test_interrupt_release(irq);
	test_interrupt_holder_dies();
	test_interrupt_copy_revoked();
	test_children(range);
	test_range_release(range);
	ut_note("%d failures", ut_failures());
	return ut_failures();
}
