/*
 * Sessions (obj_session.h; model: docs/sessions.md): the struct session
 * every process acts in, the SessionFactory singleton that makes them and
 * the UserSession objects that name them.
 *
 * Ids.  The audit id is a serial number (the system session is 1).
 *
 * Ending.  end_locked() is the one way a session ends: it records the
 * state, takes the session off the expiry list and completes every
 * wait_end.  Sessions with an expiry sit on one list sorted by expiry, so
 * the tick looks only at its head; session_state() also notices a passed
 * expiry itself, so nobody acts on a session the tick has not reached yet.
 *
 * Locks.  sched_lock guards state, waiters and the expiry list (the tick
 * and kop cancel hooks already hold it); labels, ids and times are fixed
 * at creation; refs and processes are atomic.
 */
#include <stdbool.h>
#include <capos/cap.h>
#include <capos/error.h>
#include <capos/iface.h>
#include <capos/session.h>
#include "coreobj.h"
#include "iface_kernel.h"
#include "kcall.h"
#include "obj_session.h"
#include "../kern/clock.h"
#include "../lib/string.h"
#include "../mm/mm.h"
#include "../proc/process.h"
#include "../proc/sched.h"

#define LIFETIME_MAX_NS (365ull * 24 * 3600 * 1000000000ull)  /* one year */

struct session {
	uint32_t refs;                  /* atomic; unused for the static system session */
	struct quota *payer;            /* the SessionFactory's holder pays (kmem_zalloc) */
	uint32_t processes;             /* atomic: processes joined and not yet left */
	uint64_t audit_id;
	uint64_t created_ns;
	uint64_t expires_ns;            /* 0: never */
	char user[CAPOS_SESSION_LABEL_MAX];
	char profile[CAPOS_SESSION_LABEL_MAX];
	uint32_t state;                 /* [sched] to write; CAPOS_SESSION_*, read lock-free (one-way) */
	bool on_expiry_list;            /* [sched] */
	struct session *expiry_next;    /* [sched] */
	struct kop *waiters;            /* [sched] wait_end operations */
};

/* A UserSession capability object: one reference to its session. */
struct user_session {
	struct kobj base;
	struct session *s;
};

/* A pending wait_end: holds a reference so the session outlives it. */
struct end_wait {
	struct kop k;                   /* first: kfree(k) frees the whole op */
	struct session *s;
};

static struct session system_session = {
	.audit_id = CAPOS_SESSION_SYSTEM_AUDIT_ID,
	.user = "system",
	.profile = "system",
	.state = CAPOS_SESSION_LIVE,
};

static uint64_t next_audit_id = CAPOS_SESSION_SYSTEM_AUDIT_ID + 1;
static struct session *expiry_head;   /* [sched] sorted by expires_ns */

static struct kobj factory_obj = KOBJ_STATIC(CAPOS_IFACE_SESSION_FACTORY);

struct kobj *coreobj_sessions(void)
{
	return &factory_obj;
}

struct session *session_system(void)
{
	return &system_session;
}

/* ---------------------------------------------------------- the expiry list */

static void expiry_insert_locked(struct session *s)
{
	struct session **link = &expiry_head;

	while (*link && (*link)->expires_ns <= s->expires_ns)
		link = &(*link)->expiry_next;
	s->expiry_next = *link;
	*link = s;
	s->on_expiry_list = true;
}

static void expiry_remove_locked(struct session *s)
{
	struct session **link = &expiry_head;

	if (!s->on_expiry_list)
		return;
	while (*link && *link != s)
		link = &(*link)->expiry_next;
	if (*link)
		*link = s->expiry_next;
	s->expiry_next = NULL;
	s->on_expiry_list = false;
}

/* ------------------------------------------------------------ life and end */

void session_ref(struct session *s)
{
	if (s != &system_session)
		__atomic_fetch_add(&s->refs, 1, __ATOMIC_RELAXED);
}

void session_unref(struct session *s)
{
	uint64_t flags;

	if (s == &system_session || __atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	flags = sched_lock_irqsave();
	expiry_remove_locked(s);  /* a waiter holds a reference: none can be left */
	sched_unlock_irqrestore(flags);
	kmem_free(s->payer, s);
}

void session_process_join(struct session *s)
{
	__atomic_fetch_add(&s->processes, 1, __ATOMIC_RELAXED);
}

void session_process_leave(struct session *s)
{
	__atomic_fetch_sub(&s->processes, 1, __ATOMIC_RELAXED);
}

static void deliver_end(struct kop *k, uint32_t state)
{
	struct capos_user_session_wait_end_out out = { .state = state };

	memcpy(k->out, &out, sizeof out);
	k->out_len = sizeof out;
	kop_finish_locked(k, 0);
}

/* End a live session with state; complete every wait_end.  sched_lock held. */
static void end_locked(struct session *s, uint32_t state)
{
	__atomic_store_n(&s->state, state, __ATOMIC_RELEASE);
	expiry_remove_locked(s);
	while (s->waiters) {
		struct kop *k = s->waiters;

		s->waiters = k->next_waiter;
		k->next_waiter = NULL;
		deliver_end(k, state);
	}
}

/* The state, ending the session first if its expiry has passed.  sched_lock held. */
static uint32_t state_locked(struct session *s, uint64_t now)
{
	if (s->state == CAPOS_SESSION_LIVE && s->expires_ns && now >= s->expires_ns)
		end_locked(s, CAPOS_SESSION_EXPIRED);
	return s->state;
}

/*
 * Every endpoint CALL asks, so the common cases take no lock: ending is
 * one-way (an ended state never changes again) and a session without an
 * expiry can end only by logout, which stores its state under sched_lock;
 * a CALL that reads LIVE just before a logout is ordered before it.  Only
 * a live session with an expiry needs the clock and the lock.
 */
uint32_t session_state(struct session *s)
{
	uint32_t state = __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);
	uint64_t now, flags;

	if (state != CAPOS_SESSION_LIVE || !s->expires_ns)
		return state;
	now = clock_ns();
	flags = sched_lock_irqsave();
	state = state_locked(s, now);

	sched_unlock_irqrestore(flags);
	return state;
}

uint64_t session_audit_id(const struct session *s)
{
	return s->audit_id;
}

void session_tick(uint64_t now_ns)
{
	uint64_t flags = sched_lock_irqsave();

	while (expiry_head && expiry_head->expires_ns <= now_ns)
		end_locked(expiry_head, CAPOS_SESSION_EXPIRED);
	sched_unlock_irqrestore(flags);
}

/* ------------------------------------------------------ UserSession objects */

static void user_session_destroy(struct kobj *o)
{
	struct user_session *u = KOBJ_CONTAINER(o, struct user_session, base);

	session_unref(u->s);
	kmem_free(o->payer, u);
}

static const struct kobj_ops user_session_ops = { .destroy = user_session_destroy };

struct session *session_of(struct kobj *o)
{
	int err;

	o = kobj_resolve(o, &err);
	if (!o || o->ops != &user_session_ops)
		return NULL;
	return KOBJ_CONTAINER(o, struct user_session, base)->s;
}

static struct session *call_session(struct kcall *call)
{
	return KOBJ_CONTAINER(call->obj, struct user_session, base)->s;
}

/* ---------------------------------------------------------- SessionFactory */

static bool label_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* 1..31 characters of [a-z0-9_-], NUL-terminated within the field. */
static bool label_valid(const char *l)
{
	size_t n = 0;

	while (n < CAPOS_SESSION_LABEL_MAX && l[n] && label_char(l[n]))
		n++;
	return n > 0 && n < CAPOS_SESSION_LABEL_MAX && l[n] == '\0';
}

/* Copy a checked label, zero-filled past its NUL. */
static void label_copy(char *dst, const char *src)
{
	size_t n = strlen(src);

	memset(dst, 0, CAPOS_SESSION_LABEL_MAX);
	memcpy(dst, src, n);
}

static struct session *session_new(const struct capos_session_factory_create_in *in, struct quota *payer,
				   int *err)
{
	struct session *s = kmem_zalloc(payer, sizeof *s, err);

	if (!s)
		return NULL;
	s->payer = payer;
	s->refs = 1;
	s->audit_id = __atomic_fetch_add(&next_audit_id, 1, __ATOMIC_RELAXED);
	s->created_ns = clock_ns();
	s->expires_ns = in->lifetime_ns ? s->created_ns + in->lifetime_ns : 0;
	label_copy(s->user, in->user);
	label_copy(s->profile, in->profile);
	s->state = CAPOS_SESSION_LIVE;
	return s;
}

static struct kobj *user_session_create(struct session *s, struct quota *payer, int *err)
{
	struct user_session *u = kmem_zalloc(payer, sizeof *u, err);

	if (!u)
		return NULL;
	kobj_init(&u->base, CAPOS_IFACE_USER_SESSION, &user_session_ops);
	u->base.payer = payer;
	session_ref(s);
	u->s = s;
	return &u->base;
}

int kcap_session_factory_create(struct kcall *call, const struct capos_session_factory_create_in *in,
				uint32_t in_len, struct capos_session_factory_create_out *out, uint32_t *out_len)
{
	struct session *s;
	struct kobj *handle;
	uint64_t flags;
	int64_t h;
	int err;

	(void)in_len;
	if (!label_valid(in->user) || !label_valid(in->profile))
		return -CAPOS_EINVAL;
	if (in->lifetime_ns > LIFETIME_MAX_NS)
		return -CAPOS_ERANGE;
	if (cap_table_free(process_caps(call->proc)) < 1)
		return -CAPOS_EQUOTA;
	s = session_new(in, process_quota(call->proc), &err);
	handle = s ? user_session_create(s, process_quota(call->proc), &err) : NULL;
	if (s)
		session_unref(s);  /* the handle object holds it now */
	if (!handle)
		return err;
	if (s->expires_ns) {
		flags = sched_lock_irqsave();
		expiry_insert_locked(s);
		sched_unlock_irqrestore(flags);
	}
	h = kcall_grant(call, handle, CAPOS_RIGHT_ALL);
	out->audit_id = s->audit_id;
	kobj_unref(handle);  /* on failure this frees the session, unlinking it */
	if (h < 0)
		return (int)h;
	out->session = (uint32_t)h;
	*out_len = sizeof *out;
	return 0;
}

/* ------------------------------------------------------ UserSession methods */

int kcap_user_session_info(struct kcall *call, const struct capos_user_session_info_in *in, uint32_t in_len,
			   struct capos_user_session_info_out *out, uint32_t *out_len)
{
	struct session *s = call_session(call);

	(void)in; (void)in_len;
	out->state = session_state(s);
	memcpy(out->user, s->user, sizeof out->user);
	memcpy(out->profile, s->profile, sizeof out->profile);
	out->audit_id = s->audit_id;
	out->created_ns = s->created_ns;
	out->expires_ns = s->expires_ns;
	out->processes = __atomic_load_n(&s->processes, __ATOMIC_RELAXED);
	*out_len = sizeof *out;
	return 0;
}

int kcap_user_session_audit_context(struct kcall *call, const struct capos_user_session_audit_context_in *in,
				    uint32_t in_len, struct capos_user_session_audit_context_out *out,
				    uint32_t *out_len)
{
	struct session *s = call_session(call);

	(void)in; (void)in_len;
	out->audit_id = s->audit_id;
	memcpy(out->user, s->user, sizeof out->user);
	*out_len = sizeof *out;
	return 0;
}

int kcap_user_session_logout(struct kcall *call, const struct capos_user_session_logout_in *in,
			     uint32_t in_len, struct capos_user_session_logout_out *out, uint32_t *out_len)
{
	struct session *s = call_session(call);
	uint64_t now = clock_ns();
	uint64_t flags = sched_lock_irqsave();
	int err = 0;

	(void)in; (void)in_len; (void)out;
	if (state_locked(s, now) != CAPOS_SESSION_LIVE)
		err = -CAPOS_ESESSION;
	else
		end_locked(s, CAPOS_SESSION_LOGGED_OUT);
	sched_unlock_irqrestore(flags);
	*out_len = 0;
	return err;
}

/* k->cancel: CANCEL or ring_destroy.  sched_lock held. */
static void end_wait_cancel(struct kop *k)
{
	struct session *s = ((struct end_wait *)k)->s;
	struct kop **link = &s->waiters;

	while (*link && *link != k)
		link = &(*link)->next_waiter;
	if (*link)
		*link = k->next_waiter;
	k->next_waiter = NULL;
}

/* k->settle: the operation is over; let the session go.  No lock held. */
static void end_wait_settle(struct kop *k)
{
	session_unref(((struct end_wait *)k)->s);
}

int kcap_user_session_wait_end(struct kcall *call, const struct capos_user_session_wait_end_in *in,
			       uint32_t in_len, struct capos_user_session_wait_end_out *out, uint32_t *out_len)
{
	struct session *s = call_session(call);
	struct end_wait *w = (struct end_wait *)kcall_defer(call, sizeof *w);
	uint64_t now = clock_ns();
	uint64_t flags;
	uint32_t state;

	(void)in; (void)in_len; (void)out; (void)out_len;
	if (!w)
		return -CAPOS_EQUOTA;
	session_ref(s);
	w->s = s;
	w->k.settle = end_wait_settle;
	flags = sched_lock_irqsave();
	state = state_locked(s, now);
	if (state != CAPOS_SESSION_LIVE) {
		deliver_end(&w->k, state);
	} else {
		w->k.ctx = s;
		w->k.cancel = end_wait_cancel;
		w->k.next_waiter = s->waiters;
		s->waiters = &w->k;
	}
	sched_unlock_irqrestore(flags);
	return KCALL_PENDING;
}
