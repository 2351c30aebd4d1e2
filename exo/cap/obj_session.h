/*
 * Sessions in the kernel (model: docs/sessions.md).  A struct session is
 * what a process acts in: an audit id, the labels and lifetime the
 * session manager gave it, and its state.  Each process holds one reference for
 * its whole life (struct process.session, fixed at creation); each
 * UserSession kernel object holds one; the system session (init and
 * everything started at boot) is static and never ends.
 *
 * Ending is one-way: LIVE -> LOGGED_OUT (UserSession.logout) or LIVE ->
 * EXPIRED (its expiry passed, noticed at the next look or by the tick).
 * Ending completes every UserSession.wait_end.  Locking: the state and the
 * waiters are guarded by sched_lock; the labels and ids never change.
 */
#ifndef EXO_CAP_OBJ_SESSION_H
#define EXO_CAP_OBJ_SESSION_H

#include <stdbool.h>
#include <stdint.h>

struct kobj;
struct session;

/* The system session (audit id CAPOS_SESSION_SYSTEM_AUDIT_ID). */
struct session *session_system(void);

void session_ref(struct session *s);
void session_unref(struct session *s);

/* A process joins/leaves (counts UserSession.info's processes). */
void session_process_join(struct session *s);
void session_process_leave(struct session *s);

/* 0 while live, else the CAPOS_SESSION_* it ended with (expiry noticed here). */
uint32_t session_state(struct session *s);
uint64_t session_audit_id(const struct session *s);

/* The session a UserSession object (after forwarding) refers to, or NULL. */
struct session *session_of(struct kobj *o);

/* The SessionFactory singleton granted to init as "sessions". */
struct kobj *coreobj_sessions(void);

/* From the timer tick: end the sessions whose expiry has passed. */
void session_tick(uint64_t now_ns);

#endif
