/*
 * The session UART, a 16550 at the base of an IoPortRange the service
 * opened (IoPortRange.enable): plain in/out from user mode, no kernel
 * entry per access.  Receive is interrupt-driven (IER: received data
 * available; main.c waits on the Interrupt and drains here); transmit
 * waits for the holding register with a bound, so a missing or stuck UART
 * cannot hang the service.
 */
#ifndef APPS_TERMINAL_UART_H
#define APPS_TERMINAL_UART_H

#include <stdbool.h>
#include <stdint.h>

#define UART_PORTS 8u          /* registers of a 16550 */

/* Program 115200 8N1, FIFOs, receive interrupts on; false when no UART answers (LSR reads 0xff). */
bool uart_init(uint16_t base);
void uart_write(uint16_t base, const char *s, uint32_t len);
/* Move what the receiver holds into buf (at most size bytes); how many. */
uint32_t uart_drain(uint16_t base, uint8_t *buf, uint32_t size);

#endif
