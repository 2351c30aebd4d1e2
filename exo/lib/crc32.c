/*
 * Bitwise CRC-32.  Used to check the boot package at boot, where a table
 * would cost more in code and cache than the few milliseconds it saves.
 */
#include "crc32.h"

uint32_t crc32_update(uint32_t crc, const void *data, size_t len)
{
	const uint8_t *p = data;

	crc = ~crc;
	while (len--) {
		crc ^= *p++;
		for (int bit = 0; bit < 8; bit++)
			crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1u));
	}
	return ~crc;
}
