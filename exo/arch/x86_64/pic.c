/*
 * 8259A programmable interrupt controllers, remapped and masked.
 *
 * The firmware may leave them on vectors 0x08-0x0f, on top of the CPU
 * exceptions, so they are re-initialised (ICW1-ICW4) onto VEC_PIC_BASE
 * (master) and VEC_PIC_BASE + 8 (slave), then every line is masked.  A
 * masked 8259 can still raise a spurious IRQ 7 or 15; those get a
 * handler that follows the 8259 rules: no EOI for a spurious master IRQ,
 * an EOI to the master only (for the cascade line) for a spurious slave.
 */
#include <stdint.h>
#include "pic.h"
#include "cpu.h"
#include "trap.h"

#define PIC1_CMD  0x20
#define PIC1_DATA 0x21
#define PIC2_CMD  0xa0
#define PIC2_DATA 0xa1
#define ICW1_INIT_ICW4 0x11   /* edge triggered, cascaded, ICW4 follows */
#define ICW4_8086 0x01
#define OCW3_READ_ISR 0x0b
#define PIC_EOI 0x20
#define PIC_CASCADE_IRQ 2

static void pic_init_chip(uint16_t cmd, uint16_t data, uint8_t vector_base, uint8_t cascade)
{
	outb(cmd, ICW1_INIT_ICW4);
	io_wait();
	outb(data, vector_base);  /* ICW2 */
	io_wait();
	outb(data, cascade);      /* ICW3 */
	io_wait();
	outb(data, ICW4_8086);
	io_wait();
	outb(data, 0xff);         /* OCW1: mask all */
}

static uint8_t pic_in_service(uint16_t cmd)
{
	outb(cmd, OCW3_READ_ISR);
	return inb(cmd);
}

/* IRQ 7 on the master: real only if its in-service bit is set. */
static void pic_master_irq7(struct trap_frame *f)
{
	(void)f;
	if (pic_in_service(PIC1_CMD) & 0x80)
		outb(PIC1_CMD, PIC_EOI);
}

/* IRQ 15 on the slave: when spurious, the master still saw the cascade line. */
static void pic_slave_irq15(struct trap_frame *f)
{
	(void)f;
	if (pic_in_service(PIC2_CMD) & 0x80)
		outb(PIC2_CMD, PIC_EOI);
	outb(PIC1_CMD, PIC_EOI);
}

void pic_disable(void)
{
	pic_init_chip(PIC1_CMD, PIC1_DATA, VEC_PIC_BASE, 1u << PIC_CASCADE_IRQ);
	pic_init_chip(PIC2_CMD, PIC2_DATA, VEC_PIC_BASE + 8, PIC_CASCADE_IRQ);
	trap_set_irq_handler(VEC_PIC_BASE + 7, pic_master_irq7);
	trap_set_irq_handler(VEC_PIC_BASE + 15, pic_slave_irq15);
}
