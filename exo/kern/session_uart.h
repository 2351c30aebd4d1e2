/*
 * The session UART: a 16550 on COM2 (0x2f8) carrying a person's terminal
 * session, apart from the kernel's log on COM1.  Output is polled like
 * COM1's; input is polled too — session_uart_poll, called from the
 * scheduler tick (100 Hz), moves what the UART's 16-byte FIFO holds into a
 * bounded receive ring, and bytes that find the ring full are dropped and
 * counted.
 *
 * Not locked here: the one user (exo/cap/obj_terminal.c) calls every
 * function with sched_lock held, which also keeps the tick out.
 */
#ifndef EXO_KERN_SESSION_UART_H
#define EXO_KERN_SESSION_UART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SESSION_UART_RX_RING 1024u  /* bytes of type-ahead kept */

/* Program 115200 8N1, FIFOs on, no interrupts.  Returns whether the UART exists. */
bool session_uart_init(void);
bool session_uart_present(void);

/* Send len bytes (crlf: each "\n" as "\r\n"); a missing UART drops them. */
void session_uart_write(const char *s, size_t len, bool crlf);

/* Move received bytes from the UART into the ring (at most one FIFO's worth and a little). */
void session_uart_poll(void);
/* The oldest received byte, or -1 when the ring is empty. */
int session_uart_getc(void);
/*
 * If byte c is queued, drop every byte up to and including its first
 * occurrence and return true (an interrupt flushes the input typed
 * before it); otherwise leave the ring alone and return false.
 */
bool session_uart_flush_through(uint8_t c);
/* Bytes dropped because the ring was full, since boot. */
uint32_t session_uart_dropped(void);

#endif
