/* CRC-32 (IEEE 802.3, reflected, as zlib and the ESP tools compute it). */
#ifndef EXO_LIB_CRC32_H
#define EXO_LIB_CRC32_H
#include <stddef.h>
#include <stdint.h>

/* Continue a CRC over more data: start with crc = 0. */
uint32_t crc32_update(uint32_t crc, const void *data, size_t len);

#endif
