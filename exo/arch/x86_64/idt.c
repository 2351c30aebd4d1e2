/*
 * Interrupt descriptor table, shared by all CPUs.  Every vector gets an
 * interrupt gate (IF cleared on entry) to its isr.S stub.  #DF, NMI and
 * #MC run on their own IST stacks, since they can arrive when the
 * current stack is unusable (overflowed into its guard page, or in the
 * middle of being switched).  #BP is callable from user mode (DPL 3) so
 * a user int3 reports a breakpoint rather than a protection fault.
 *
 * The table is written once by idt_init before interrupts are enabled
 * and is read-only afterwards.
 */
#include <stdint.h>
#include "trap.h"
#include "percpu.h"
#include "../../kern/panic.h"

#define ISR_STUB_SIZE 16
#define GATE_INTERRUPT 0x8e   /* P, DPL0, 64-bit interrupt gate */
#define GATE_DPL3      0x60

struct idt_gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct idt_gate) == 16, "IDT gate layout");

struct idt_pointer {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

extern const char isr_stubs[], isr_stubs_end[];

static struct idt_gate idt[VEC_COUNT] __attribute__((aligned(16)));

static void idt_set_gate(unsigned vector, uint64_t handler, uint8_t ist, uint8_t type_attr)
{
	struct idt_gate *g = &idt[vector];

	g->offset_low = handler & 0xffff;
	g->selector = SEL_KCODE;
	g->ist = ist;
	g->type_attr = type_attr;
	g->offset_mid = (handler >> 16) & 0xffff;
	g->offset_high = handler >> 32;
	g->reserved = 0;
}

static uint8_t idt_ist_for(unsigned vector)
{
	switch (vector) {
	case VEC_DF: return IST_DOUBLE_FAULT;
	case VEC_NMI: return IST_NMI;
	case VEC_MC: return IST_MACHINE_CHECK;
	default: return 0;
	}
}

void idt_init(void)
{
	KASSERT(isr_stubs_end - isr_stubs == VEC_COUNT * ISR_STUB_SIZE);
	for (unsigned v = 0; v < VEC_COUNT; v++) {
		uint8_t attr = GATE_INTERRUPT | (v == VEC_BP ? GATE_DPL3 : 0);

		idt_set_gate(v, (uint64_t)(uintptr_t)(isr_stubs + v * ISR_STUB_SIZE), idt_ist_for(v), attr);
	}
}

void idt_load(void)
{
	struct idt_pointer ip = { sizeof idt - 1, (uint64_t)(uintptr_t)idt };

	__asm__ volatile("lidt %0" :: "m"(ip) : "memory");
}
