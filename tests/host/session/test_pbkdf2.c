/*
 * PBKDF2-HMAC-SHA256 (apps/session/lib/pbkdf2.c) against known answers:
 * the two vectors of RFC 7914 section 11, and a few more (output cut
 * inside a block, spanning blocks, a key longer than SHA-256's block,
 * empty password or salt, NUL bytes) whose expected values were computed
 * with Python's hashlib.pbkdf2_hmac.  Then the refusals.
 */
#include <stdint.h>
#include <stdlib.h>

#include <capos/error.h>

#include "check.h"
#include "pbkdf2.h"

/* Decode a hex string into out; answers the number of bytes. */
static size_t unhex(const char *hex, uint8_t *out)
{
	size_t n = strlen(hex) / 2;

	for (size_t i = 0; i < n; i++) {
		char byte[3] = { hex[2 * i], hex[2 * i + 1], 0 };
		out[i] = (uint8_t)strtoul(byte, NULL, 16);
	}
	return n;
}

/* Derive with the given parameters and compare with the expected hex. */
static int derive_matches(const void *pw, size_t pw_len, const void *salt, size_t salt_len,
                          uint32_t iterations, const char *expected_hex)
{
	uint8_t expected[128], got[128];
	size_t n = unhex(expected_hex, expected);

	if (pbkdf2_hmac_sha256(pw, pw_len, salt, salt_len, iterations, got, n) != 0)
		return 0;
	return memcmp(got, expected, n) == 0;
}

static void test_rfc7914_c1(void)
{
	CHECK(derive_matches("passwd", 6, "salt", 4, 1,
		"55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
		"49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783"));
}

static void test_rfc7914_c80000(void)
{
	CHECK(derive_matches("Password", 8, "NaCl", 4, 80000,
		"4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56"
		"a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d"));
}

static void test_one_block(void)
{
	CHECK(derive_matches("password", 8, "salt", 4, 4096,
		"c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a"));
}

static void test_spanning_blocks(void)
{
	CHECK(derive_matches("passwordPASSWORDpassword", 24,
		"saltSALTsaltSALTsaltSALTsaltSALTsalt", 36, 4096,
		"348c89dbcbd32b2f32d814b8116e84cf2b17347ebc1800181c4e2a1fb8dd53e1c635518c7dac47e9"));
}

static void test_short_output_and_nul_bytes(void)
{
	CHECK(derive_matches("pass\0word", 9, "sa\0lt", 5, 4096, "89b69d0516f829893c696226650a8687"));
}

static void test_long_key(void)
{
	char pw[100];

	memset(pw, 'x', sizeof(pw));
	CHECK(derive_matches(pw, sizeof(pw), "salt", 4, 3,
		"59bfa49750dd5462ce38370a1e7abe0736ff334cf1c2f0d84f23a03435d660d153"));
}

static void test_empty_password_or_salt(void)
{
	CHECK(derive_matches("", 0, "salt", 4, 2,
		"62384466264daadc4144018c6bd864648272b34da8980d31521ffcce92ae003b"));
	CHECK(derive_matches("password", 8, NULL, 0, 2,
		"8bc2f9167a81cdcfad1235cd9047f1136271c1f978fcfcb35e22dbeafa4634f6"));
}

static void test_refusals(void)
{
	uint8_t out[32];

	CHECK_EQ(pbkdf2_hmac_sha256("pw", 2, "salt", 4, 0, out, sizeof(out)), -CAPOS_EINVAL);
	CHECK_EQ(pbkdf2_hmac_sha256("pw", 2, "salt", 4, 1, out, 0), -CAPOS_EINVAL);
	CHECK_EQ(pbkdf2_hmac_sha256(NULL, 2, "salt", 4, 1, out, sizeof(out)), -CAPOS_EINVAL);
	CHECK_EQ(pbkdf2_hmac_sha256("pw", 2, NULL, 4, 1, out, sizeof(out)), -CAPOS_EINVAL);
	CHECK_EQ(pbkdf2_hmac_sha256("pw", 2, "salt", 4, 1, NULL, sizeof(out)), -CAPOS_EINVAL);
	CHECK_EQ(pbkdf2_hmac_sha256("pw", 2, "salt", 4, 1, out, (size_t)0xffffffff * 32 + 1),
	         -CAPOS_ERANGE);
}

int main(void)
{
	RUN(test_rfc7914_c1);
	RUN(test_rfc7914_c80000);
	RUN(test_one_block);
	RUN(test_spanning_blocks);
	RUN(test_short_output_and_nul_bytes);
	RUN(test_long_key);
	RUN(test_empty_password_or_salt);
	RUN(test_refusals);
	return check_done();
}
