/*
 * 16550 register access from user mode (interface: uart.h).  The ports
 * must be open in this process (IoPortRange.enable), else in/out fault.
 */
#include <capos/dev.h>
#include "uart.h"

#define REG_DATA 0
#define REG_IER  1
#define REG_IIR  2      /* read */
#define REG_FCR  2      /* write */
#define REG_LCR  3
#define REG_MCR  4
#define REG_LSR  5
#define REG_MSR  6
#define IER_RX   0x01   /* interrupt when received data is available (or the FIFO times out) */
#define MCR_DTR_RTS_OUT2 0x0b  /* OUT2 gates the UART's interrupt line on PC boards */
#define LSR_DR   0x01   /* a received byte is waiting */
#define LSR_THRE 0x20   /* the transmit holding register is empty */
#define TX_SPIN_MAX 100000

bool uart_init(uint16_t base)
{
	capos_outb(base + REG_IER, 0x00);
	capos_outb(base + REG_LCR, 0x80);   /* DLAB on */
	capos_outb(base + REG_DATA, 0x01);  /* divisor 1: 115200 baud */
	capos_outb(base + REG_IER, 0x00);
	capos_outb(base + REG_LCR, 0x03);   /* 8N1, DLAB off */
	capos_outb(base + REG_FCR, 0x07);   /* FIFOs on and cleared, interrupt from the first byte */
	capos_outb(base + REG_MCR, MCR_DTR_RTS_OUT2);
	if (capos_inb(base + REG_LSR) == 0xff)
		return false;         /* nothing answers at these ports */
	/* Clear whatever was pending before we owned it, then ask for receive interrupts. */
	(void)capos_inb(base + REG_IIR);
	(void)capos_inb(base + REG_MSR);
	while (capos_inb(base + REG_LSR) & LSR_DR)
		(void)capos_inb(base + REG_DATA);
	capos_outb(base + REG_IER, IER_RX);
	return true;
}

static void put_raw(uint16_t base, char c)
{
	for (int spin = 0; spin < TX_SPIN_MAX && !(capos_inb(base + REG_LSR) & LSR_THRE); spin++)
		__asm__ volatile("pause");
	capos_outb(base + REG_DATA, (uint8_t)c);
}

void uart_write(uint16_t base, const char *s, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++)
		put_raw(base, s[i]);
}

uint32_t uart_drain(uint16_t base, uint8_t *buf, uint32_t size)
{
	uint32_t n = 0;

	while (n < size && (capos_inb(base + REG_LSR) & LSR_DR))
		buf[n++] = capos_inb(base + REG_DATA);
	return n;
}
