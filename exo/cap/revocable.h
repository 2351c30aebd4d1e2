/*
 * Revocable copies as obj_capspace.c (derive, revoke, the cut),
 * revnotice.c (revocation notices: CapSpace.watch_revoke and
 * Revoker.revoke_within) and revmap.c (memory mapped through a copy)
 * share them.  Private to those files and to the MemoryObject map paths
 * (obj_memobj.c, obj_procbuild.c), which map through revmap_map.
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

/*
 * revmap.c.  revmap_map: map object pages into as as aspace_map_memobj
 * does; when via (the caller's slot object) is a revocable copy, the
 * mapping is recorded on it (a record charged to payer, the quota of the
 * space mapped into) so revoking it removes the mapping; via NULL: a
 * plain map, nothing allocated.  revmap_cut: a MemoryObject copy was just
 * cut (no lock held): every region mapped through a copy that no longer
 * resolves leaves its space.  revmap_maps_through: does as map anything
 * through copy or a copy derived from it.
 */
struct aspace;
struct memobj;
struct quota;
int revmap_map(struct kobj *via, struct quota *payer, struct aspace *as, uint64_t va, struct memobj *mo,
	       uint64_t first_page, uint64_t pages, uint32_t prot, uint64_t *out_va);
void revmap_cut(void);
bool revmap_maps_through(struct aspace *as, const struct revocable *copy);

#endif
