/*
 * PBKDF2 (RFC 8018 section 5.2) with HMAC-SHA256 as the pseudorandom
 * function, on BearSSL's HMAC.  Pure computation: no allocation, no
 * capOS calls; builds for capOS programs and for the host tests.
 */
#ifndef SESSION_PBKDF2_H
#define SESSION_PBKDF2_H

#include <stddef.h>
#include <stdint.h>

#define PBKDF2_SHA256_BLOCK_LEN 32   /* hLen: one HMAC-SHA256 output */

/*
 * Derive out_len bytes into out from the password and the salt with
 * `iterations` rounds per block.  The password may hold any bytes
 * (including NUL).  Returns 0, or -CAPOS_EINVAL when a pointer is NULL
 * with a non-zero length, iterations is 0 or out_len is 0, and
 * -CAPOS_ERANGE when out_len exceeds (2^32 - 1) * 32 bytes.  The work is
 * iterations * ceil(out_len / 32) HMACs, independent of the bytes.
 */
int pbkdf2_hmac_sha256(const void *password, size_t password_len,
                       const void *salt, size_t salt_len, uint32_t iterations,
                       void *out, size_t out_len);

#endif
