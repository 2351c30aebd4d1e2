/*
 * The credential store (credstore.h): checks on names, passwords and
 * iteration counts; adding accounts (fresh salt, PBKDF2 of the password)
 * and records loaded from storage; verification that costs the same and
 * answers the same for an unknown name as for a wrong password.
 *
 * Every entry point validates all of its arguments before it changes
 * anything, so a refused call leaves the store as it was.
 */
#include "credstore.h"

#include <string.h>

#include <capos/error.h>

#include "ct.h"
#include "pbkdf2.h"

static int credstore_user_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

int credstore_check_user(const char *user)
{
	size_t len;

	if (!user)
		return -CAPOS_EINVAL;
	len = strnlen(user, CREDSTORE_USER_MAX + 1);
	if (len == 0 || len > CREDSTORE_USER_MAX)
		return -CAPOS_ERANGE;
	for (size_t i = 0; i < len; i++)
		if (!credstore_user_char_ok(user[i]))
			return -CAPOS_EINVAL;
	return 0;
}

int credstore_check_password(const void *password, size_t len)
{
	if (!password)
		return -CAPOS_EINVAL;
	if (len == 0 || len > CREDSTORE_PASSWORD_MAX)
		return -CAPOS_ERANGE;
	return 0;
}

int credstore_check_iterations(uint32_t iterations)
{
	if (iterations < CREDSTORE_ITERATIONS_MIN || iterations > CREDSTORE_ITERATIONS_MAX)
		return -CAPOS_ERANGE;
	return 0;
}

/* The name as stored: its characters, then zeros to the end of the field. */
static void credstore_pad_user(char padded[CREDSTORE_USER_MAX + 1], const char *user)
{
	memset(padded, 0, CREDSTORE_USER_MAX + 1);
	memcpy(padded, user, strnlen(user, CREDSTORE_USER_MAX));
}

static int credstore_random(credstore_random_fn random, void *ctx, void *buf, size_t len)
{
	int err = random(ctx, buf, len);

	return err > 0 ? -CAPOS_EIO : err;
}

static int credstore_derive(struct credstore_record *rec, const void *password, size_t len)
{
	return pbkdf2_hmac_sha256(password, len, rec->salt, sizeof(rec->salt), rec->iterations,
	                          rec->key, sizeof(rec->key));
}

int credstore_init(struct credstore *store, struct credstore_record *records, size_t capacity,
                   uint32_t iterations, credstore_random_fn random, void *random_ctx)
{
	struct credstore_record dummy;
	int err;

	if (!store || (!records && capacity) || !random)
		return -CAPOS_EINVAL;
	err = credstore_check_iterations(iterations);
	if (err)
		return err;

	memset(&dummy, 0, sizeof(dummy));
	dummy.iterations = iterations;
	err = credstore_random(random, random_ctx, dummy.salt, sizeof(dummy.salt));
	if (!err)
		err = credstore_random(random, random_ctx, dummy.key, sizeof(dummy.key));
	if (err)
		return err;

	store->records = records;
	store->capacity = capacity;
	store->count = 0;
	store->random = random;
	store->random_ctx = random_ctx;
	store->dummy = dummy;
	return 0;
}

/* Account management is no secret path: a plain search is fine here. */
static int credstore_has_user(const struct credstore *store, const char *padded)
{
	for (size_t i = 0; i < store->count; i++)
		if (memcmp(store->records[i].user, padded, CREDSTORE_USER_MAX + 1) == 0)
			return 1;
	return 0;
}

/* -CAPOS_EEXIST or -CAPOS_EQUOTA when a record for `padded` cannot go in. */
static int credstore_check_room(const struct credstore *store, const char *padded)
{
	if (credstore_has_user(store, padded))
		return -CAPOS_EEXIST;
	if (store->count >= store->capacity)
		return -CAPOS_EQUOTA;
	return 0;
}

/* The checks every call naming an account and a password starts with. */
static int check_account_args(const struct credstore *store, const char *user, const void *password,
			      size_t password_len)
{
	int err;

	if (!store)
		return -CAPOS_EINVAL;
	err = credstore_check_user(user);
	return err ? err : credstore_check_password(password, password_len);
}

int credstore_add(struct credstore *store, const char *user, const void *password,
                  size_t password_len, uint32_t iterations)
{
	struct credstore_record rec;
	int err = check_account_args(store, user, password, password_len);

	if (!err)
		err = credstore_check_iterations(iterations);
	if (err)
		return err;

	credstore_pad_user(rec.user, user);
	rec.iterations = iterations;
	err = credstore_check_room(store, rec.user);
	if (!err)
		err = credstore_random(store->random, store->random_ctx, rec.salt, sizeof(rec.salt));
	if (!err)
		err = credstore_derive(&rec, password, password_len);
	if (!err)
		store->records[store->count++] = rec;
	ct_wipe(&rec, sizeof(rec));
	return err;
}

int credstore_insert(struct credstore *store, const struct credstore_record *record)
{
	struct credstore_record rec;
	int err;

	if (!store || !record)
		return -CAPOS_EINVAL;
	if (memchr(record->user, 0, sizeof(record->user)) == NULL)
		return -CAPOS_ERANGE;
	err = credstore_check_user(record->user);
	if (!err)
		err = credstore_check_iterations(record->iterations);
	if (err)
		return err;

	rec = *record;
	credstore_pad_user(rec.user, record->user);
	err = credstore_check_room(store, rec.user);
	if (!err)
		store->records[store->count++] = rec;
	ct_wipe(&rec, sizeof(rec));
	return err;
}

/*
 * Copy into *chosen the account named `padded`, or the dummy when there is
 * none; answers 1 when an account matched.  Every record is read and
 * compared in full, whichever matches.
 */
static uint32_t credstore_select(const struct credstore *store, const char *padded,
                                 struct credstore_record *chosen)
{
	uint32_t found = 0;

	*chosen = store->dummy;
	for (size_t i = 0; i < store->count; i++) {
		const struct credstore_record *rec = &store->records[i];
		uint32_t match = ct_equal(rec->user, padded, sizeof(rec->user));

		ct_copy_if(chosen, rec, sizeof(*rec), match);
		found |= match;
	}
	return found;
}

int credstore_verify(const struct credstore *store, const char *user, const void *password,
                     size_t password_len)
{
	char padded[CREDSTORE_USER_MAX + 1];
	struct credstore_record chosen;
	uint8_t key[CREDSTORE_KEY_LEN];
	uint32_t ok;
	int err = check_account_args(store, user, password, password_len);

	if (err)
		return err;

	credstore_pad_user(padded, user);
	ok = credstore_select(store, padded, &chosen);
	err = pbkdf2_hmac_sha256(password, password_len, chosen.salt, sizeof(chosen.salt),
	                         chosen.iterations, key, sizeof(key));
	ok &= ct_equal(key, chosen.key, sizeof(key));
	ct_wipe(key, sizeof(key));
	ct_wipe(&chosen, sizeof(chosen));
	if (err)
		return err;
	return ok ? 0 : -CAPOS_EPERM;
}
