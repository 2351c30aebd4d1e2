/* Host tests of ISA line routing and the reserved lines (exo/dev/isairq.c). */
#include <capos/error.h>
#include "check.h"
#include "dev/isairq.h"

/* What QEMU q35 (and most PCs) put in the MADT: IRQ0 -> GSI 2, and level, active-high 5, 9, 10, 11. */
static const struct isa_override q35[] = {
	{ 0, 2, 0x0 }, { 5, 5, 0xd }, { 9, 9, 0xd }, { 10, 10, 0xd }, { 11, 11, 0xd },
};
#define Q35_N (sizeof q35 / sizeof q35[0])

static void test_default_is_edge_high_identity(void)
{
	struct isa_route r;

	isa_irq_route(q35, Q35_N, 3, &r);
	CHECK_EQ(r.gsi, 3);
	CHECK(!r.level);
	CHECK(!r.active_low);
	isa_irq_route(NULL, 0, 7, &r);
	CHECK_EQ(r.gsi, 7);
}

static void test_override_applies(void)
{
	struct isa_route r;

	isa_irq_route(q35, Q35_N, 0, &r);
	CHECK_EQ(r.gsi, 2);
	CHECK(!r.level && !r.active_low);  /* flags 0: conforms to the bus, ISA edge high */
	isa_irq_route(q35, Q35_N, 9, &r);
	CHECK_EQ(r.gsi, 9);
	CHECK(r.level && !r.active_low);   /* 0xd: level (3 << 2), active high (1) */
}

static void test_low_and_reserved_encodings(void)
{
	static const struct isa_override iso[] = { { 7, 20, 0xf }, { 6, 6, 0x2 | (0x2 << 2) } };
	struct isa_route r;

	isa_irq_route(iso, 2, 7, &r);
	CHECK_EQ(r.gsi, 20);
	CHECK(r.level && r.active_low);
	isa_irq_route(iso, 2, 6, &r);   /* reserved encodings keep the ISA defaults */
	CHECK(!r.level && !r.active_low);
}

static void test_reserved_lines(void)
{
	CHECK_EQ(isa_irq_grantable(q35, Q35_N, 0, 9), -CAPOS_EPERM);
	CHECK_EQ(isa_irq_grantable(q35, Q35_N, 2, 9), -CAPOS_EPERM);
	CHECK_EQ(isa_irq_grantable(q35, Q35_N, 4, 9), -CAPOS_EPERM);
	CHECK_EQ(isa_irq_grantable(q35, Q35_N, 9, 9), -CAPOS_EPERM);
	CHECK_EQ(isa_irq_grantable(q35, Q35_N, 3, 9), 0);
	CHECK_EQ(isa_irq_grantable(q35, Q35_N, 9, ISA_IRQ_NO_SCI), 0);
	CHECK_EQ(isa_irq_grantable(q35, Q35_N, 16, 9), -CAPOS_ERANGE);
	CHECK_EQ(isa_irq_grantable(q35, Q35_N, 0xffffffffu, 9), -CAPOS_ERANGE);
}

static void test_sharing_a_reserved_gsi(void)
{
	/* A board routing line 7 onto the SCI's GSI and line 8 onto COM1's. */
	static const struct isa_override iso[] = { { 9, 21, 0xf }, { 7, 21, 0xf }, { 8, 4, 0 } };

	CHECK_EQ(isa_irq_grantable(iso, 3, 7, 9), -CAPOS_EPERM);
	CHECK_EQ(isa_irq_grantable(iso, 3, 8, 9), -CAPOS_EPERM);
	CHECK_EQ(isa_irq_grantable(iso, 3, 3, 9), 0);
	/* Without the IRQ0 -> GSI 2 override, line 0 sits on GSI 0, and line 2 is still the cascade. */
	CHECK_EQ(isa_irq_grantable(NULL, 0, 2, 9), -CAPOS_EPERM);
}

int main(void)
{
	RUN(test_default_is_edge_high_identity);
	RUN(test_override_applies);
	RUN(test_low_and_reserved_encodings);
	RUN(test_reserved_lines);
	RUN(test_sharing_a_reserved_gsi);
	return check_done();
}
