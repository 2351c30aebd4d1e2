/*
 * In-kernel tests of the interrupt plumbing (test=irq): the IOAPIC masked
 * at boot, vectored interrupts (the MSI path irq_create_vectored) fired
 * through a self-IPI, the vector set running out and coming back, shared
 * level GSIs (the INTx path irq_create_gsi) and the MSI message format.
 */
#include <capos/device.h>
#include <capos/error.h>
#include "irq.h"
#include "../arch/x86_64/ioapic.h"
#include "../arch/x86_64/lapic.h"
#include "../arch/x86_64/percpu.h"
#include "../arch/x86_64/trap.h"
#include "../kern/ktest.h"
#include "../kern/log.h"

#define REDIR_MASKED (1ull << 16)
#define REDIR_LEVEL (1ull << 15)
#define REDIR_LOW (1ull << 13)
#define TEST_GSI 23u     /* the last pin of QEMU's IOAPIC: no device of the test machine uses it */
#define VECTORS (VEC_IRQ_LAST - VEC_IRQ_FIRST + 1)

struct fake_source {
	int masks, unmasks, releases;
};

static void fake_mask(void *ctx) { ((struct fake_source *)ctx)->masks++; }
static void fake_unmask(void *ctx) { ((struct fake_source *)ctx)->unmasks++; }
static void fake_release(void *ctx) { ((struct fake_source *)ctx)->releases++; }

static const struct irq_source_ops fake_ops = { fake_mask, fake_unmask, fake_release };

static int check_boot_masked(void)
{
	uint32_t pins = 0;

	KTEST_CHECK(ioapic_count() > 0, "no IOAPIC");
	for (uint32_t gsi = 0; ioapic_has_gsi(gsi); gsi++, pins++)
		KTEST_CHECK(ioapic_entry(gsi) & REDIR_MASKED, "GSI %u unmasked at boot", gsi);
	kinfo("ktest irq: %u IOAPIC pins, every one masked at boot", pins);
	return 0;
}

static int check_vectored(void)
{
	struct fake_source src = { 0, 0, 0 };
	struct capos_interrupt_info_out info;
	struct kobj *irq;
	uint8_t vector;
	uint64_t addr;
	uint32_t data;

	KTEST_CHECK(irq_create_vectored(&fake_ops, &src, CAPOS_IRQ_KIND_MSI, 0, &irq, &vector) == 0, "create");
	KTEST_CHECK(vector >= VEC_IRQ_FIRST && vector <= VEC_IRQ_LAST, "vector 0x%x", vector);
	KTEST_CHECK(src.masks == 0 && src.unmasks == 0, "ops called before any fire");
	lapic_send_self(vector);
	lapic_send_self(vector);
	irq_info(irq, &info);
	KTEST_CHECK(info.fired == 2 && info.pending == 2 && info.vector == vector && info.kind == CAPOS_IRQ_KIND_MSI,
		    "after two fires: fired %llu pending %u", (unsigned long long)info.fired, info.pending);
	KTEST_CHECK(src.masks == 1, "masked on the first fire only (%d)", src.masks);
	irq_msi_message(vector, &addr, &data);
	KTEST_CHECK(addr == (0xfee00000ull | ((uint64_t)arch_cpus[0].apic_id << 12)) && data == vector,
		    "MSI message 0x%llx/0x%x", (unsigned long long)addr, data);
	irq_revoke(irq);
	irq_revoke(irq);
	KTEST_CHECK(src.releases == 1, "released once by two revokes (%d)", src.releases);
	lapic_send_self(vector);  /* the vector is free again: counted nowhere, just EOI'd */
	kobj_unref(irq);
	KTEST_CHECK(src.releases == 1, "destroy after revoke releases nothing more");
	kinfo("ktest irq: vectored interrupt on 0x%x fired twice, masked once, MSI 0x%llx/0x%x, revoked",
	      vector, (unsigned long long)addr, data);
	return 0;
}

static int check_exhaustion(void)
{
	static struct kobj *all[VECTORS];
	struct fake_source src = { 0, 0, 0 };
	struct kobj *extra;
	uint8_t vector;
	uint32_t n = 0;
	int err;

	while (n < VECTORS && irq_create_vectored(&fake_ops, &src, CAPOS_IRQ_KIND_MSIX, n, &all[n], &vector) == 0)
		n++;
	err = irq_create_vectored(&fake_ops, &src, CAPOS_IRQ_KIND_MSIX, n, &extra, &vector);
	KTEST_CHECK(n == VECTORS && err == -CAPOS_EBUSY, "%u vectors, then error %d", n, err);
	for (uint32_t i = 0; i < n; i++)
		kobj_unref(all[i]);
	KTEST_CHECK(src.releases == (int)n, "every source released (%d)", src.releases);
	KTEST_CHECK(irq_create_vectored(&fake_ops, &src, CAPOS_IRQ_KIND_MSIX, 0, &extra, &vector) == 0 &&
		    vector == VEC_IRQ_FIRST, "the first vector is free again");
	kobj_unref(extra);
	kinfo("ktest irq: %u vectors handed out, the next refused with -CAPOS_EBUSY, all back", n);
	return 0;
}

static int check_shared_gsi(void)
{
	struct capos_interrupt_info_out a_info, b_info;
	struct kobj *a, *b, *c;
	uint64_t e;

	KTEST_CHECK(ioapic_has_gsi(TEST_GSI), "no GSI %u", TEST_GSI);
	KTEST_CHECK(irq_create_gsi(TEST_GSI, true, true, CAPOS_IRQ_KIND_INTX, &a) == 0, "first holder");
	KTEST_CHECK(irq_create_gsi(TEST_GSI, true, true, CAPOS_IRQ_KIND_INTX, &b) == 0, "second holder");
	KTEST_CHECK(irq_create_gsi(TEST_GSI, false, false, CAPOS_IRQ_KIND_INTX, &c) == -CAPOS_EBUSY,
		    "an edge holder on a level line");
	KTEST_CHECK(irq_create_gsi(0xffff, true, true, CAPOS_IRQ_KIND_INTX, &c) == -CAPOS_ENOENT, "no such GSI");
	irq_info(a, &a_info);
	irq_info(b, &b_info);
	e = ioapic_entry(TEST_GSI);
	KTEST_CHECK(a_info.vector == b_info.vector && (e & 0xff) == a_info.vector, "one vector for the pin");
	KTEST_CHECK(!(e & REDIR_MASKED) && (e & REDIR_LEVEL) && (e & REDIR_LOW), "entry 0x%llx", (unsigned long long)e);
	lapic_send_self((uint8_t)a_info.vector);
	irq_info(a, &a_info);
	irq_info(b, &b_info);
	KTEST_CHECK(a_info.pending == 1 && b_info.pending == 1, "both holders counted the fire");
	KTEST_CHECK(ioapic_entry(TEST_GSI) & REDIR_MASKED, "a level pin is masked until acked");
	kobj_unref(a);
	KTEST_CHECK(ioapic_entry(TEST_GSI) & REDIR_MASKED, "still masked: the other holder has not acked");
	kobj_unref(b);
	KTEST_CHECK(ioapic_entry(TEST_GSI) & REDIR_MASKED, "masked with no holder");
	kinfo("ktest irq: GSI %u shared by two level holders on vector 0x%x; masked until acked, masked when released",
	      TEST_GSI, a_info.vector);
	return 0;
}

KTEST(irq)
{
	if (check_boot_masked() || check_vectored() || check_exhaustion() || check_shared_gsi())
		return -1;
	return 0;
}
