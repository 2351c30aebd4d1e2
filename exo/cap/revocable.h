/*
 * Revocable copies as obj_capspace.c (derive, revoke, the cut) and
 * revnotice.c (revocation notices: CapSpace.watch_revoke and
 * Revoker.revoke_within) share them.  Private to those two files.
 */
#ifndef EXO_CAP_REVOCABLE_H
#define EXO_CAP_REVOCABLE_H

#include <stdbool.h>
#include <stdint.h>
#include "kobj.h"

struct revoker;
struct revoke_op;

struct revocable {
	struct kobj base;           /* kind KOBJ_FORWARD, iface of the target */
	struct kobj *target;        /* [sched] one reference; NULL once revoked */
	struct revoker *revoker;    /* [sched] its Revoker while both exist */
	struct revoke_op *pending;  /* [sched] a revoke_within in its grace, no reference; NULL: none */
	uint32_t depth;
};

struct revoker {
	struct kobj base;
	struct revocable *copy;  /* [sched] no reference; NULL once the copy is gone */
};

/* o is copy, or a copy derived from it, while no link between them is cut.  sched_lock held. */
bool revocable_leads_through_locked(struct kobj *o, const struct revocable *copy);

/* The copy a Revoker revokes, with a reference, or NULL once it is gone. */
struct revocable *revoker_copy_ref(struct kobj *revoker);

/* Cut copy (obj_capspace.c): in-flight operations end, the target is told and released.  Idempotent. */
void revocable_cut(struct revocable *copy);

/*
 * revnotice.c.  revnotice_copy_gone_locked: copy's last reference is
 * gone while a revoke_within waits (sched_lock held): that revoke ends
 * now, nothing is left to take.  revnotice_hurry: Revoker.revoke
 * during the grace takes the copy at once and completes the pending
 * revoke_within with its counts (no lock held, copy referenced).
 */
void revnotice_copy_gone_locked(struct revocable *copy);
/* A link was just cut (sched_lock held): watches on copies that no longer resolve end with -CAPOS_EREVOKED. */
void revnotice_cut_locked(void);
void revnotice_hurry(struct revocable *copy);

#endif
