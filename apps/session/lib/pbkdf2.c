/*
 * PBKDF2-HMAC-SHA256, written from RFC 8018 section 5.2.  The derived key
 * is T_1 || T_2 || ... cut to the requested length, where block i is
 *
 *   T_i = U_1 ^ U_2 ^ ... ^ U_c,  U_1 = PRF(P, S || INT(i)),
 *                                 U_j = PRF(P, U_{j-1})
 *
 * and INT(i) is i as four big-endian bytes.  The password is the HMAC key
 * for every U: br_hmac_key_init hashes it into the inner and outer pad
 * states once, so each U costs two SHA-256 compressions.
 */
#include "pbkdf2.h"

#include <bearssl_hash.h>
#include <bearssl_hmac.h>
#include <string.h>

#include <capos/error.h>

#include "ct.h"

/* The most blocks RFC 8018 allows: dkLen <= (2^32 - 1) * hLen. */
#define PBKDF2_MAX_BLOCKS 0xffffffffull

static void pbkdf2_encode_index(uint8_t be[4], uint32_t index)
{
	be[0] = (uint8_t)(index >> 24);
	be[1] = (uint8_t)(index >> 16);
	be[2] = (uint8_t)(index >> 8);
	be[3] = (uint8_t)index;
}

/* T_index into t: the first U from the salt, then iterations - 1 more. */
static void pbkdf2_block(const br_hmac_key_context *key, const void *salt, size_t salt_len,
                         uint32_t iterations, uint32_t index, uint8_t t[PBKDF2_SHA256_BLOCK_LEN])
{
	br_hmac_context mac;
	uint8_t u[PBKDF2_SHA256_BLOCK_LEN];
	uint8_t index_be[4];

	pbkdf2_encode_index(index_be, index);
	br_hmac_init(&mac, key, 0);
	if (salt_len > 0)
		br_hmac_update(&mac, salt, salt_len);
	br_hmac_update(&mac, index_be, sizeof(index_be));
	br_hmac_out(&mac, u);
	memcpy(t, u, sizeof(u));

	for (uint32_t round = 1; round < iterations; round++) {
		br_hmac_init(&mac, key, 0);
		br_hmac_update(&mac, u, sizeof(u));
		br_hmac_out(&mac, u);
		for (size_t k = 0; k < sizeof(u); k++)
			t[k] ^= u[k];
	}
	ct_wipe(u, sizeof(u));
	ct_wipe(&mac, sizeof(mac));
}

static int pbkdf2_check(const void *password, size_t password_len, const void *salt,
                        size_t salt_len, uint32_t iterations, const void *out, size_t out_len)
{
	if ((!password && password_len) || (!salt && salt_len) || !out)
		return -CAPOS_EINVAL;
	if (iterations == 0 || out_len == 0)
		return -CAPOS_EINVAL;
	if ((out_len - 1) / PBKDF2_SHA256_BLOCK_LEN >= PBKDF2_MAX_BLOCKS)
		return -CAPOS_ERANGE;
	return 0;
}

int pbkdf2_hmac_sha256(const void *password, size_t password_len,
                       const void *salt, size_t salt_len, uint32_t iterations,
                       void *out, size_t out_len)
{
	br_hmac_key_context key;
	uint8_t t[PBKDF2_SHA256_BLOCK_LEN];
	uint8_t *dst = out;
	uint32_t index = 1;
	int err;

	err = pbkdf2_check(password, password_len, salt, salt_len, iterations, out, out_len);
	if (err)
		return err;

	br_hmac_key_init(&key, &br_sha256_vtable, password, password_len);
	while (out_len > 0) {
		size_t n = out_len < sizeof(t) ? out_len : sizeof(t);

		pbkdf2_block(&key, salt, salt_len, iterations, index++, t);
		memcpy(dst, t, n);
		dst += n;
		out_len -= n;
	}
	ct_wipe(t, sizeof(t));
	ct_wipe(&key, sizeof(key));
	return 0;
}
