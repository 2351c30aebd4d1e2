/*
 * The credential store: one record per account holding a salted
 * PBKDF2-HMAC-SHA256 hash of its password, with the iteration count
 * chosen per account (counts rise over the years; old records keep theirs
 * until their password is set again).  docs/credentials.md describes the
 * record and the parameters.
 *
 * Pure logic: no capOS calls, no allocation.  The caller owns the array of
 * records and hands in a source of random bytes (on capOS, the entropy
 * capability).  Every function returns 0 or a negative CAPOS_E* code.
 *
 * Verification is built not to tell an unknown name from a wrong password:
 * both answer -CAPOS_EPERM, and an unknown name runs PBKDF2 against a
 * dummy record with the store's iteration count, so both cost about the
 * same.  The account is found by a scan that touches every record.
 */
#ifndef SESSION_CREDSTORE_H
#define SESSION_CREDSTORE_H

#include <stddef.h>
#include <stdint.h>

#define CREDSTORE_USER_MAX 32           /* characters of [a-z0-9_-] */
#define CREDSTORE_PASSWORD_MAX 128      /* bytes, any value */
#define CREDSTORE_SALT_LEN 16
#define CREDSTORE_KEY_LEN 32            /* one SHA-256 block of PBKDF2 output */
#define CREDSTORE_ITERATIONS_MIN 1000
#define CREDSTORE_ITERATIONS_MAX 1000000
#define CREDSTORE_ITERATIONS_DEFAULT 100000   /* about 40 ms on the build host (docs/credentials.md) */

struct credstore_record {
	char user[CREDSTORE_USER_MAX + 1];   /* NUL-terminated, zero-padded to the end */
	uint8_t salt[CREDSTORE_SALT_LEN];
	uint32_t iterations;                 /* CREDSTORE_ITERATIONS_MIN..MAX */
	uint8_t key[CREDSTORE_KEY_LEN];      /* PBKDF2-HMAC-SHA256(password, salt, iterations) */
};

/* Fill buf with len random bytes; 0 or a negative CAPOS_E* code. */
typedef int (*credstore_random_fn)(void *ctx, void *buf, size_t len);

struct credstore {
	struct credstore_record *records;    /* caller's array; the first count are accounts */
	size_t capacity;
	size_t count;
	credstore_random_fn random;
	void *random_ctx;
	struct credstore_record dummy;       /* what an unknown name is checked against */
};

/*
 * Set up an empty store over the caller's array of `capacity` records
 * (which must outlive the store).  `iterations` is what an unknown name
 * costs: give the count new accounts get.  Draws the dummy record's salt
 * and key from `random`.  -CAPOS_EINVAL for a NULL pointer, -CAPOS_ERANGE
 * for iterations out of range, or the random source's error.
 */
int credstore_init(struct credstore *store, struct credstore_record *records, size_t capacity,
                   uint32_t iterations, credstore_random_fn random, void *random_ctx);

/* The checks every entry point applies; 0, -CAPOS_EINVAL or -CAPOS_ERANGE. */
int credstore_check_user(const char *user);   /* 1..32 of [a-z0-9_-], else EINVAL/ERANGE */
int credstore_check_password(const void *password, size_t len);   /* 1..128 bytes */
int credstore_check_iterations(uint32_t iterations);

/*
 * Add an account with a fresh salt.  Errors: the checks above,
 * -CAPOS_EEXIST when the name is taken, -CAPOS_EQUOTA when the array is
 * full, the random source's error.  Nothing changes on failure.
 */
int credstore_add(struct credstore *store, const char *user, const void *password,
                  size_t password_len, uint32_t iterations);

/*
 * Add a record made earlier (loaded from storage): checked like an added
 * account (name, iterations), then copied with the name's padding zeroed.
 * -CAPOS_EEXIST, -CAPOS_EQUOTA as for credstore_add.
 */
int credstore_insert(struct credstore *store, const struct credstore_record *record);

/*
 * Check a name and a password.  0 when they match an account;
 * -CAPOS_EPERM for a wrong password and for an unknown name alike.
 * A malformed name or password (credstore_check_*) is refused at once
 * with -CAPOS_EINVAL or -CAPOS_ERANGE: its shape is no secret.  Callers
 * show one message for every failure and apply the delay (faildelay.h).
 */
int credstore_verify(const struct credstore *store, const char *user, const void *password,
                     size_t password_len);

#endif
