/*
 * I/O permission bitmap arithmetic (see portmap.h).  Ports are opened and
 * closed a bit at a time: ranges are a few ports (a UART's 8, an I/O
 * BAR's up to 256), so simplicity wins over word tricks.
 */
#include "portmap.h"

bool portmap_range_ok(uint32_t base, uint32_t count)
{
	return count > 0 && base < PORTMAP_PORTS && count <= PORTMAP_PORTS - base;
}

void portmap_init(uint8_t bits[PORTMAP_BYTES])
{
	for (uint32_t i = 0; i < PORTMAP_BYTES; i++)
		bits[i] = 0xff;
}

uint32_t portmap_open(uint8_t bits[PORTMAP_BYTES], uint32_t used, uint32_t base, uint32_t count)
{
	uint32_t end_byte = (base + count - 1) / 8 + 1;

	for (uint32_t port = base; port < base + count; port++)
		bits[port / 8] &= (uint8_t)~(1u << (port % 8));
	return end_byte > used ? end_byte : used;
}

uint32_t portmap_close(uint8_t bits[PORTMAP_BYTES], uint32_t used, uint32_t base, uint32_t count)
{
	for (uint32_t port = base; port < base + count; port++)
		bits[port / 8] |= (uint8_t)(1u << (port % 8));
	while (used > 0 && bits[used - 1] == 0xff)
		used--;
	return used;
}

bool portmap_is_open(const uint8_t bits[PORTMAP_BYTES], uint32_t port)
{
	return port < PORTMAP_PORTS && !(bits[port / 8] & (1u << (port % 8)));
}
