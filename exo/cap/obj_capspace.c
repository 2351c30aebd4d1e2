/*
 * Revocation (docs/ipc.md, "Revocation"): CapSpace.derive makes a
 * revocable copy — a forwarding object (KOBJ_FORWARD) holding one
 * reference to what it copies — and a Revoker for it.  Handles to the copy
 * travel like any other; every use resolves the chain of copies to the
 * real object (kobj_resolve), so cutting one link (Revoker.revoke drops
 * the copy's reference to its target) makes every handle to the copy and
 * to copies derived from it stale at once, in every process.
 *
 * Invariants: a copy's target is NULL exactly when it is revoked; depth is
 * 1 + the depth of a target that is itself a copy, at most
 * KOBJ_FORWARD_DEPTH; a Revoker points at its copy without holding it
 * (the copy lives as long as handles and derived copies use it, so when
 * the last of them goes, what it copies is released too — a server
 * waiting for its endpoint's last client learns so — and the Revoker then
 * has nothing left to revoke); a released Revoker leaves the copy valid.
 *
 * In flight.  An operation posted through a copy (a RECV on an Endpoint
 * copy, a CALL through a client copy, any wait) outlives its decode: kcall
 * records the copy in the kop (kop.via, with a reference) and puts the kop
 * on one machine-wide list while it is pending.  Cutting a copy walks that
 * list and finishes, through each kop's own cancel, every operation whose
 * copy no longer resolves — posted through the cut copy or through a copy
 * derived from it — with -CAPOS_EREVOKED, before anything else can run; so
 * nothing is delivered through a revoked copy afterwards.  The list holds
 * at most every process's ring-operation quota of kops; operations posted
 * through an original handle are never on it.  Memory mapped through a
 * MemoryObject copy is in flight in the same sense: the cut unmaps it from
 * every space (revmap.c).
 *
 * Announced revocation — a holder told before its copy is cut and given
 * a grace to give it back (CapSpace.watch_revoke, Revoker.revoke_within)
 * — is in revnotice.c; the two share revocable.h.
 */
#include <capos/cap.h>
#include <capos/error.h>
#include <capos/iface.h>
#include "coreobj.h"
#include "iface_kernel.h"
#include "kcall.h"
#include "revocable.h"
#include "../mm/mm.h"
#include "../proc/process.h"
#include "../proc/sched.h"

static struct kobj capspace_obj = KOBJ_STATIC(CAPOS_IFACE_CAP_SPACE);

struct kobj *coreobj_capspace(void)
{
	return &capspace_obj;
}

/* ------------------------------------------------------ revocable copies */

static struct kobj *revocable_forward(struct kobj *o)
{
	return KOBJ_CONTAINER(o, struct revocable, base)->target;
}

static void revocable_destroy(struct kobj *o)
{
	struct revocable *r = KOBJ_CONTAINER(o, struct revocable, base);
	uint64_t flags = sched_lock_irqsave();

	if (r->revoker)
		r->revoker->copy = NULL;
	if (r->pending)
		revnotice_copy_gone_locked(r);
	sched_unlock_irqrestore(flags);
	if (r->target)
		kobj_unref(r->target);
	kmem_free(o->payer, r);
}

static const struct kobj_ops revocable_ops = { .destroy = revocable_destroy, .forward = revocable_forward };

struct kobj *kobj_resolve(struct kobj *o, int *err)
{
	for (uint32_t hops = 0; o->kind == KOBJ_FORWARD; hops++) {
		o = hops < KOBJ_FORWARD_DEPTH ? o->ops->forward(o) : NULL;  /* derive bounds the depth */
		if (!o) {
			*err = -CAPOS_EREVOKED;
			return NULL;
		}
	}
	return o;
}

bool revocable_leads_through_locked(struct kobj *o, const struct revocable *copy)
{
	for (uint32_t hops = 0; o && o->kind == KOBJ_FORWARD && hops < KOBJ_FORWARD_DEPTH; hops++) {
		if (o == &copy->base)
			return true;
		o = o->ops->forward(o);
	}
	return false;
}

static uint32_t depth_of(struct kobj *o)
{
	return o->kind == KOBJ_FORWARD ? KOBJ_CONTAINER(o, struct revocable, base)->depth : 0;
}

static struct revocable *revocable_create(struct kobj *target, struct quota *payer, int *err)
{
	struct revocable *r = kmem_zalloc(payer, sizeof *r, err);

	if (!r)
		return NULL;
	kobj_init_kind(&r->base, target->iface, &revocable_ops, KOBJ_FORWARD);
	r->base.payer = payer;
	r->target = kobj_ref(target);
	r->depth = depth_of(target) + 1;
	return r;
}

/* [sched] every pending kop posted through a revocable copy (kop.via set). */
static struct kop *inflight;

void revocable_track(struct kop *k, struct kobj *via)
{
	uint64_t flags = sched_lock_irqsave();

	k->via = kobj_ref(via);
	k->via_next = inflight;
	if (inflight)
		inflight->via_prev = &k->via_next;
	k->via_prev = &inflight;
	inflight = k;
	sched_unlock_irqrestore(flags);
}

void revocable_untrack_locked(struct kop *k)
{
	if (!k->via_prev)
		return;
	*k->via_prev = k->via_next;
	if (k->via_next)
		k->via_next->via_prev = k->via_prev;
	k->via_next = NULL;
	k->via_prev = NULL;
}

void revocable_put(struct kop *k)
{
	if (k->via)
		kobj_unref(k->via);
	k->via = NULL;
}

/*
 * A link was just cut: finish every in-flight operation whose copy no
 * longer resolves, as CANCEL would, with -CAPOS_EREVOKED (finishing
 * takes it off the list).  sched_lock held; kobj_resolve only reads.
 */
static void finish_revoked_locked(void)
{
	struct kop *k = inflight;

	while (k) {
		struct kop *next = k->via_next;
		int err;

		if (!kobj_resolve(k->via, &err)) {
			if (k->cancel)
				k->cancel(k);
			kop_finish_locked(k, -CAPOS_EREVOKED);
			revocable_untrack_locked(k);  /* finished already: off the list all the same */
		}
		k = next;
	}
}

/*
 * Cut the copy: operations in flight through it end (above), memory
 * mapped through it is unmapped everywhere (revmap.c), its target loses
 * the reference the copy held, and the real object behind it is told
 * (kobj_ops.copy_revoked), while that reference still keeps it alive.
 * Idempotent.
 */
void revocable_cut(struct revocable *r)
{
	uint64_t flags = sched_lock_irqsave();
	struct kobj *target = r->target;
	struct kobj *real;
	int err;

	r->target = NULL;
	if (target) {
		finish_revoked_locked();
		revnotice_cut_locked();
	}
	sched_unlock_irqrestore(flags);
	if (!target)
		return;
	if (r->base.iface == CAPOS_IFACE_MEMORY_OBJECT)
		revmap_cut();  /* memory mapped through it, or a copy derived from it, leaves every space */
	real = kobj_resolve(target, &err);
	if (real && real->ops && real->ops->copy_revoked)
		real->ops->copy_revoked(real);
	kobj_unref(target);
}

/* -------------------------------------------------------------- revokers */

static void revoker_destroy(struct kobj *o)
{
	struct revoker *v = KOBJ_CONTAINER(o, struct revoker, base);
	uint64_t flags = sched_lock_irqsave();

	if (v->copy)
		v->copy->revoker = NULL;
	sched_unlock_irqrestore(flags);
	kmem_free(o->payer, v);
}

static const struct kobj_ops revoker_ops = { .destroy = revoker_destroy };

static struct kobj *revoker_create(struct revocable *copy, struct quota *payer, int *err)
{
	struct revoker *v = kmem_zalloc(payer, sizeof *v, err);
	uint64_t flags;

	if (!v)
		return NULL;
	kobj_init(&v->base, CAPOS_IFACE_REVOKER, &revoker_ops);
	v->base.payer = payer;
	flags = sched_lock_irqsave();
	v->copy = copy;
	copy->revoker = v;
	sched_unlock_irqrestore(flags);
	return &v->base;
}

struct revocable *revoker_copy_ref(struct kobj *revoker)
{
	struct revoker *v = KOBJ_CONTAINER(revoker, struct revoker, base);
	uint64_t flags = sched_lock_irqsave();
	struct revocable *copy = v->copy;

	/*
	 * Held for the cut, unless its last reference is already gone and its
	 * destroy is about to clear v->copy: then there is nothing to revoke.
	 */
	if (copy && !kobj_tryref(&copy->base))
		copy = NULL;
	sched_unlock_irqrestore(flags);
	return copy;
}

int kcap_revoker_revoke(struct kcall *call, const struct capos_revoker_revoke_in *in, uint32_t in_len,
			struct capos_revoker_revoke_out *out, uint32_t *out_len)
{
	struct revocable *copy = revoker_copy_ref(call->obj);

	(void)in; (void)in_len; (void)out;
	if (copy) {
		revnotice_hurry(copy);  /* a revoke_within in its grace completes, counting its holders */
		revocable_cut(copy);
		kobj_unref(&copy->base);
	}
	*out_len = 0;
	return 0;
}

/* -------------------------------------------------------------- CapSpace */

/* The caller's slot for handle, refusing revoked ones. */
static int lookup_live(struct kcall *call, uint32_t handle, struct cap_slot **slot)
{
	int err = cap_lookup(process_caps(call->proc), handle, 0, slot);

	if (!err && !kobj_resolve((*slot)->object, &err))
		return err;
	return err;
}

int kcap_cap_space_derive(struct kcall *call, const struct capos_cap_space_derive_in *in, uint32_t in_len,
			  struct capos_cap_space_derive_out *out, uint32_t *out_len)
{
	struct cap_slot *slot;
	struct revocable *copy;
	struct kobj *revoker;
	int err = lookup_live(call, in->cap, &slot);

	(void)in_len;
	if (err)
		return err;
	if (in->rights & ~CAPOS_RIGHT_ALL)
		return -CAPOS_EINVAL;
	if (slot->iface == CAPOS_IFACE_REPLY)
		return -CAPOS_ETYPE;  /* a reply token is used once, by the server it was given to */
	if (depth_of(slot->object) >= KOBJ_FORWARD_DEPTH)
		return -CAPOS_ERANGE;
	if (cap_table_free(process_caps(call->proc)) < 2)
		return -CAPOS_EQUOTA;
	copy = revocable_create(slot->object, process_quota(call->proc), &err);
	revoker = copy ? revoker_create(copy, process_quota(call->proc), &err) : NULL;
	if (!revoker) {
		if (copy)
			kobj_unref(&copy->base);
		return err;
	}
	err = kcall_grant_pair(call, &copy->base, slot->rights & in->rights, revoker, CAPOS_RIGHT_ALL,
			       &out->copy, &out->revoker);
	kobj_unref(&copy->base);
	kobj_unref(revoker);
	if (!err)
		*out_len = sizeof *out;
	return err;
}

int kcap_cap_space_inspect(struct kcall *call, const struct capos_cap_space_inspect_in *in,
			   uint32_t in_len, struct capos_cap_space_inspect_out *out, uint32_t *out_len)
{
	struct cap_slot *slot;
	int err = cap_lookup(process_caps(call->proc), in->cap, 0, &slot);

	(void)in_len;
	if (err)
		return err;
	out->iface = slot->iface;
	out->rights = slot->rights;
	out->revocable = ((struct kobj *)slot->object)->kind == KOBJ_FORWARD;
	*out_len = sizeof *out;
	return 0;
}
