/*
 * The completion stash of the ring client: completions reaped from the CQ
 * that their owner has not claimed yet, kept oldest first in a fixed
 * array.  Pure code (no locking, no system calls): the client holds its
 * lock around every call, and host tests drive it directly.
 */
#include <stddef.h>
#include <capos/error.h>
#include <capos/ring_client.h>

void capos_stash_init(struct capos_stash *s)
{
	s->count = 0;
}

int capos_stash_put(struct capos_stash *s, const struct capos_completion *c)
{
	if (s->count >= CAPOS_RC_STASH)
		return -CAPOS_EQUOTA;
	s->items[s->count++] = *c;
	return 0;
}

/* Remove items[i], keeping the order of the rest. */
static void stash_remove(struct capos_stash *s, uint32_t i, struct capos_completion *c)
{
	*c = s->items[i];
	for (; i + 1 < s->count; i++)
		s->items[i] = s->items[i + 1];
	s->count--;
}

int capos_stash_take(struct capos_stash *s, uint64_t user_data, struct capos_completion *c)
{
	for (uint32_t i = 0; i < s->count; i++)
		if (s->items[i].user_data == user_data) {
			stash_remove(s, i, c);
			return 0;
		}
	return -CAPOS_ENOENT;
}

int capos_stash_take_first(struct capos_stash *s, int (*want)(void *ctx, uint64_t user_data),
			   void *ctx, struct capos_completion *c)
{
	for (uint32_t i = 0; i < s->count; i++)
		if (want(ctx, s->items[i].user_data)) {
			stash_remove(s, i, c);
			return 0;
		}
	return -CAPOS_ENOENT;
}
