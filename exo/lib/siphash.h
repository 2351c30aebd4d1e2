/*
 * SipHash-2-4 (Aumasson and Bernstein): a keyed 64-bit pseudorandom
 * function.  The kernel uses it to turn a caller's session id into the
 * opaque reference an endpoint server sees (docs/ipc.md): without the
 * endpoint's key the values cannot be linked to a session or to the values
 * another endpoint sees.  Pure code, built into the kernel and host tests.
 */
#ifndef EXO_LIB_SIPHASH_H
#define EXO_LIB_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

struct siphash_key {
	uint64_t k0, k1;
};

uint64_t siphash24(const struct siphash_key *key, const void *data, size_t len);

/* The hash of one 64-bit value (its 8 little-endian bytes). */
uint64_t siphash24_u64(const struct siphash_key *key, uint64_t value);

#endif
