/*
 * 16550 UART on COM1, polled.  115200 8N1, FIFOs on.  Polling keeps the
 * panic path usable with interrupts off; output waits for the transmit
 * holding register with a bound so a missing UART cannot hang the kernel.
 */
#include <stdint.h>
#include "serial.h"
#include "../arch/x86_64/cpu.h"

#define COM1 0x3f8
#define LSR_THRE 0x20

static int present;

void serial_init(void)
{
	outb(COM1 + 1, 0x00);   /* no interrupts */
	outb(COM1 + 3, 0x80);   /* DLAB on */
	outb(COM1 + 0, 0x01);   /* divisor 1: 115200 baud */
	outb(COM1 + 1, 0x00);
	outb(COM1 + 3, 0x03);   /* 8N1, DLAB off */
	outb(COM1 + 2, 0xc7);   /* FIFO on, cleared, 14-byte threshold */
	outb(COM1 + 4, 0x03);   /* DTR, RTS */
	/* A missing UART reads back 0xff from the line status register. */
	present = inb(COM1 + 5) != 0xff;
}

static void put_raw(char c)
{
	for (int spin = 0; spin < 100000 && !(inb(COM1 + 5) & LSR_THRE); spin++)
		cpu_relax();
	outb(COM1, (uint8_t)c);
}

void serial_putc(char c)
{
	if (!present)
		return;
	if (c == '\n')
		put_raw('\r');
	put_raw(c);
}

void serial_write(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		serial_putc(s[i]);
}
