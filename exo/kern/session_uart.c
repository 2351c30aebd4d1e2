/*
 * COM2, the session UART (interface and locking: session_uart.h).
 * Receive is polled from the tick: with the 16550's 16-byte FIFO and a
 * 100 Hz tick a typed byte reaches the ring within 10 ms, and input faster
 * than 16 bytes per tick (about 1600 bytes/s, a paste) overruns the FIFO
 * on real hardware; QEMU holds bytes back until the FIFO has room, so
 * nothing is lost there.  Transmit waits for the holding register with a
 * bound, as COM1 does, so a missing or stuck UART cannot hang the kernel.
 */
#include "session_uart.h"
#include "../arch/x86_64/cpu.h"

#define COM2 0x2f8
#define REG_DATA 0
#define REG_IER  1
#define REG_FCR  2
#define REG_LCR  3
#define REG_MCR  4
#define REG_LSR  5
#define LSR_DR   0x01   /* a received byte is waiting */
#define LSR_THRE 0x20   /* the transmit holding register is empty */
#define POLL_MAX 64     /* bytes taken per poll: more than a FIFO, bounded */

static bool present;
static uint8_t rx_ring[SESSION_UART_RX_RING];
static uint32_t rx_head, rx_tail;   /* free-running: tail - head bytes queued */
static uint32_t rx_dropped;

bool session_uart_init(void)
{
	outb(COM2 + REG_IER, 0x00);   /* no interrupts: polled */
	outb(COM2 + REG_LCR, 0x80);   /* DLAB on */
	outb(COM2 + REG_DATA, 0x01);  /* divisor 1: 115200 baud */
	outb(COM2 + REG_IER, 0x00);
	outb(COM2 + REG_LCR, 0x03);   /* 8N1, DLAB off */
	outb(COM2 + REG_FCR, 0xc7);   /* FIFOs on and cleared, 14-byte threshold */
	outb(COM2 + REG_MCR, 0x03);   /* DTR, RTS */
	/* A missing UART reads back 0xff from the line status register. */
	present = inb(COM2 + REG_LSR) != 0xff;
	return present;
}

bool session_uart_present(void)
{
	return present;
}

static void put_raw(char c)
{
	for (int spin = 0; spin < 100000 && !(inb(COM2 + REG_LSR) & LSR_THRE); spin++)
		cpu_relax();
	outb(COM2 + REG_DATA, (uint8_t)c);
}

void session_uart_write(const char *s, size_t len, bool crlf)
{
	if (!present)
		return;
	for (size_t i = 0; i < len; i++) {
		if (crlf && s[i] == '\n')
			put_raw('\r');
		put_raw(s[i]);
	}
}

void session_uart_poll(void)
{
	if (!present)
		return;
	for (int n = 0; n < POLL_MAX && (inb(COM2 + REG_LSR) & LSR_DR); n++) {
		uint8_t c = inb(COM2 + REG_DATA);

		if (rx_tail - rx_head == SESSION_UART_RX_RING) {
			rx_dropped++;
			continue;
		}
		rx_ring[rx_tail++ % SESSION_UART_RX_RING] = c;
	}
}

int session_uart_getc(void)
{
	if (rx_tail == rx_head)
		return -1;
	return rx_ring[rx_head++ % SESSION_UART_RX_RING];
}

bool session_uart_flush_through(uint8_t c)
{
	for (uint32_t i = rx_head; i != rx_tail; i++) {
		if (rx_ring[i % SESSION_UART_RX_RING] == c) {
			rx_head = i + 1;
			return true;
		}
	}
	return false;
}

uint32_t session_uart_dropped(void)
{
	return rx_dropped;
}
