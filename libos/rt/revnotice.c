/*
 * Revocation notices for programs (API: capos/revnotice.h; model:
 * docs/ipc.md, "Revocation notices"): the watch and the graceful revoke
 * as ring operations, and capos_loan, a borrowed memory buffer that gives
 * itself back when its lender asks.
 */
#include <capos/revnotice.h>
#include <capos/rt.h>
#include <string.h>

int capos_revoke_watch(uint32_t copy, struct capos_cap_space_watch_revoke_out *out, uint64_t *user_data)
{
	struct capos_cap_space_watch_revoke_in in = { .cap = copy };
	uint32_t space = capos_cap_find("capspace", NULL);

	struct capos_completion c;
	int err;

	*user_data = 0;
	if (!space)
		return -CAPOS_ENOENT;
	err = capos_cap_space_watch_revoke_async(capos_ring(), space, &in, out, user_data);
	/* The kernel performed it during the submission: a refusal, or a grace already running, is posted by now. */
	if (err || capos_ring_wait(capos_ring(), *user_data, 0, &c) != 0)
		return err;
	*user_data = 0;
	return c.status < 0 ? c.status : 1;
}

int capos_revoke_within(uint32_t revoker, uint64_t grace_ns, uint32_t *given_back, uint32_t *taken)
{
	struct capos_revoker_revoke_within_in in = { .grace_ns = grace_ns };
	struct capos_revoker_revoke_within_out out = { 0 };
	int err = capos_revoker_revoke_within(capos_ring(), revoker, &in, &out);

	if (err)
		return err < 0 ? err : -CAPOS_EIO;
	*given_back = out.given_back;
	*taken = out.taken;
	return 0;
}

/* Flush, unmap and release: the buffer is the lender's again. */
static int loan_give_back(struct capos_loan *l)
{
	struct capos_memory_object_unmap_in un = { .vaddr = (uint64_t)(uintptr_t)l->addr, .pages = l->pages };
	int err;

	if (l->flush)
		l->flush(l->ctx, l->addr, l->pages * CAPOS_PAGE_SIZE);
	err = capos_memory_object_unmap(capos_ring(), l->mem, &un);
	capos_release(capos_ring(), l->mem);
	l->state = CAPOS_LOAN_RETURNED;
	return err > 0 ? -CAPOS_EIO : err;
}

/* The watch completed: revocation has begun (or happened at once). */
static void loan_noticed(void *ctx, const struct capos_completion *c)
{
	struct capos_loan *l = ctx;

	l->watch_ud = 0;
	l->notice_status = c->status;
	l->deadline_ns = c->status == 0 ? l->notice.deadline_ns : 0;
	if (l->state == CAPOS_LOAN_MAPPED)
		loan_give_back(l);
}

int capos_loan_map(struct capos_loan *l, uint32_t mem, uint64_t pages, capos_loan_flush_fn flush, void *ctx)
{
	struct capos_memory_object_map_in in = { .vaddr = 0, .first_page = 0, .pages = pages,
						 .prot = CAPOS_PROT_READ | CAPOS_PROT_WRITE };
	struct capos_memory_object_map_out out = { 0 };
	struct capos_memory_object_unmap_in un = { .pages = pages };
	int err;

	memset(l, 0, sizeof *l);
	l->mem = mem;
	l->pages = pages;
	l->flush = flush;
	l->ctx = ctx;
	err = capos_memory_object_map(capos_ring(), mem, &in, &out);
	if (err)
		return err < 0 ? err : -CAPOS_EIO;
	l->addr = (void *)(uintptr_t)out.vaddr;
	err = capos_revoke_watch(mem, &l->notice, &l->watch_ud);
	if (err == 1)
		err = -CAPOS_EREVOKED;  /* its lender is taking it back already */
	if (!err)
		err = capos_ring_watch(capos_ring(), l->watch_ud, loan_noticed, l);
	if (err) {
		if (l->watch_ud)
			capos_cancel(capos_ring(), l->watch_ud);
		un.vaddr = out.vaddr;
		capos_memory_object_unmap(capos_ring(), mem, &un);
		return err;
	}
	l->state = CAPOS_LOAN_MAPPED;
	return 0;
}

int capos_loan_return(struct capos_loan *l)
{
	if (l->state != CAPOS_LOAN_MAPPED)
		return -CAPOS_EINVAL;
	if (l->watch_ud && capos_ring_unwatch(capos_ring(), l->watch_ud) == 0)
		capos_cancel(capos_ring(), l->watch_ud);
	l->watch_ud = 0;
	return loan_give_back(l);
}
