/*
 * sessiond: the session manager (docs/sessions.md).  Serves SessionManager
 * on its export "sessions": login (a name and a password -> a UserSession
 * of the account's profile), setup (a volatile operator account while
 * there is none), status, check (which session a presented UserSession
 * is) and anonymous (init's sessions for `session: anonymous` services).
 *
 * Sessions are sessiond's own records (records.h).  A UserSession is a
 * client of a second endpoint, made here with "endpoints", badged with
 * the session's audit id: the badge of a CALL on it names the record, and
 * Endpoint.identify tells check which record a presented one names,
 * without trusting whoever presents it.  A session ends by logout or by
 * its expiry, which one watched Timer.sleep until the earliest one
 * enforces (and every request first ends the sessions whose expiry has
 * passed, so nobody sees a session live past its end); its end answers
 * every wait_end kept for it.
 *
 * Front ends.  A program that logs in for many clients (the Web UI) holds
 * a client of the "frontend" export instead: login_from there carries the
 * client's address, a failure is answered at once (the front end delays
 * its own clients, per account and per address, and holding its one badge
 * back would let one client's failures delay everyone's), and the address
 * goes into the audit records.  Holding "frontend" is the authority to
 * say where a login comes from; nothing else takes login_from.
 *
 * Capabilities: "sessions" (its export's Endpoint), "frontend" (optional:
 * the front ends' export's Endpoint), "endpoints" (the
 * EndpointFactory for the session endpoint), "bootpkg" (the boot package,
 * where capos/bootfiles.h finds the credential file), "entropy" (salts,
 * the dummy record), "timer" (the failure delays and the expiries), "log"
 * (an AuditWriter) and "console".  Arguments: accounts.h.
 *
 * Failures.  Every failed login (malformed, unknown name, wrong password)
 * answers application error 1 "login incorrect", and only after the
 * caller's delay (faildelay.h): one tracker per caller, i.e. per badge
 * of the "sessions" client called — init mints one for each import of
 * the export (one per terminal's shell), and no caller can change it.  The delay never holds
 * up the server: the failure's reply token is kept in the tracker, a
 * watched Timer.sleep runs until the answer is due, and other callers'
 * logins, setups and status calls are served meanwhile.  While a failure's
 * answer waits, another login from the same caller is answered at once
 * with error 2 and is not checked, so a caller cannot run attempts in
 * parallel to skip the delay.  The table of trackers is bounded, and so
 * are the answers waiting (one per tracker, SESSIOND_TRACKERS at most,
 * watched beside the RECV within CAPOS_RC_WATCH_MAX); when it is full the
 * least recently used idle tracker is reused (its count is lost), and
 * when every tracker has an answer waiting, logins from new callers
 * answer error 2 at once, unchecked, until one is free.
 */
#include <string.h>
#include <capos/bootfiles.h>
#include <capos/bootpkg.h>
#include <capos/rt.h>
#include <capos/services.h>
#include <capos/session.h>
#include "accounts.h"
#include "auditlog.h"
#include "credstore.h"
#include "faildelay.h"
#include "records.h"
#include "serve.h"

#define SESSIOND_ACCOUNTS_TOTAL (ACCOUNTS_MAX + 8)   /* the file's and setup's */
#define SESSIOND_TRACKERS 32
#define LOGIN_INCORRECT 1
#define LOGIN_BUSY 2
#define SESSIOND_WAITERS 48      /* wait_end calls kept at once */

struct tracker {
	uint64_t caller;         /* the badge of the caller's client */
	uint64_t used_ns;        /* last attempt: 0 for a free entry */
	struct faildelay delay;
	int waiting;             /* an answer is waiting for the delay */
	uint64_t token;          /* its reply token */
	uint64_t due_ns;         /* when it may go (capos_time_ns) */
};

/* A wait_end kept until its session ends. */
struct waiter {
	uint64_t audit_id;       /* 0: a free entry */
	uint64_t token;
};

_Static_assert(SESSIOND_TRACKERS + 3 <= CAPOS_RC_WATCH_MAX,
	       "every waiting answer, the two RECVs and the expiry timer are watched");

static struct sessiond_config cfg;
static struct credstore store;
static struct credstore_record records[SESSIOND_ACCOUNTS_TOTAL];
static char profiles[SESSIOND_ACCOUNTS_TOTAL][SESSION_LABEL_MAX + 1];   /* per records[] index */
static uint32_t setup_iterations;
static struct tracker trackers[SESSIOND_TRACKERS];
static struct session_records sessions;
static struct waiter waiters[SESSIOND_WAITERS];
static uint32_t endpoints, bootpkg, entropy, timer;
static struct serve_ep ep = { .name = "sessiond" }, user_ep = { .name = "sessiond/sessions" };
static struct serve_ep frontend_ep = { .name = "sessiond/frontend" };
static struct {
	int in_flight;           /* a Timer.sleep for the earliest expiry is watched */
	int cancelling;          /* it was cancelled: its completion arms the next */
	uint64_t ud;
	uint64_t due_ns;         /* the expiry it sleeps until */
} expiry;

static int random_bytes(void *ctx, void *buf, size_t len)
{
	struct capos_entropy_source_read_out out;
	uint8_t *p = buf;

	(void)ctx;
	while (len) {
		struct capos_entropy_source_read_in in = { .length = len < sizeof out.data ? (uint32_t)len : sizeof out.data };
		uint32_t got = 0;
		int err = capos_entropy_source_read(capos_ring(), entropy, &in, &out, &got);

		if (err)
			return err < 0 ? err : -CAPOS_EIO;
		if (got == 0 || got > in.length)
			return -CAPOS_EIO;
		memcpy(p, out.data, got);
		p += got;
		len -= got;
	}
	return 0;
}

/* The credential file's bytes into buf: its length, or a negative code. */
static int read_accounts(char *buf, size_t size)
{
	const void *data;
	uint64_t length = 0;
	uint32_t kind = 0;
	int err = capos_bootfile_find(cfg.accounts, &data, &length, &kind);

	if (err)
		return err;
	if (kind != CAPOS_BOOTPKG_FILE)
		return -CAPOS_EFORMAT;
	if (length > size)
		return -CAPOS_ERANGE;
	memcpy(buf, data, length);
	return (int)length;
}

/* Read, parse and store the accounts: 0, or 2 (reported) when the file is bad. */
static int load_accounts(void)
{
	static char text[ACCOUNTS_FILE_MAX];
	static struct account acc[ACCOUNTS_MAX];
	size_t count = 0;
	unsigned line = 0;
	const char *why;
	int len = read_accounts(text, sizeof text), err;

	if (len < 0) {
		capos_printf("sessiond: %s: cannot read the credential file: %s\n", cfg.accounts,
			     len == -CAPOS_EFORMAT ? "not a data entry" :
			     len == -CAPOS_ERANGE ? "larger than 16 KiB" : capos_strerror(len));
		return 2;
	}
	if (accounts_parse(text, (size_t)len, acc, ACCOUNTS_MAX, &count, &line, &why)) {
		capos_printf("sessiond: %s:%u: %s\n", cfg.accounts, line, why);
		return 2;
	}
	setup_iterations = count ? acc[0].rec.iterations : CREDSTORE_ITERATIONS_DEFAULT;
	err = credstore_init(&store, records, SESSIOND_ACCOUNTS_TOTAL, setup_iterations, random_bytes, NULL);
	for (size_t i = 0; i < count && !err; i++) {
		err = credstore_insert(&store, &acc[i].rec);
		memcpy(profiles[i], acc[i].profile, sizeof profiles[i]);
	}
	memset(acc, 0, sizeof acc);
	if (err) {
		capos_printf("sessiond: %s: cannot store the accounts: %s\n", cfg.accounts, capos_strerror(err));
		return 2;
	}
	return 0;
}

static uint32_t operators(void)
{
	uint32_t n = 0;

	for (size_t i = 0; i < store.count; i++)
		n += strcmp(profiles[i], "operator") == 0;
	return n;
}

static const char *profile_of(const char *user)
{
	for (size_t i = 0; i < store.count; i++)
		if (strcmp(records[i].user, user) == 0)
			return profiles[i];
	return NULL;
}

/* The tracker of caller: found, a free one, or the least recently used idle one; NULL when all wait. */
static struct tracker *tracker_of(uint64_t caller)
{
	struct tracker *pick = NULL;

	for (size_t i = 0; i < SESSIOND_TRACKERS; i++)
		if (trackers[i].used_ns && trackers[i].caller == caller)
			return &trackers[i];
	for (size_t i = 0; i < SESSIOND_TRACKERS; i++) {
		struct tracker *t = &trackers[i];

		if (!t->waiting && (!pick || t->used_ns < pick->used_ns))
			pick = t;
	}
	if (pick) {
		memset(pick, 0, sizeof *pick);
		pick->caller = caller;
		faildelay_init(&pick->delay);
	}
	return pick;
}

/* A login's name and password, from the request (the user field need not hold a NUL). */
struct attempt {
	char user[CREDSTORE_USER_MAX + 1];
	uint8_t password[CREDSTORE_PASSWORD_MAX];
	uint32_t password_len;
	int shape_ok;            /* name and password have valid shapes */
};

/* A name and a password of valid shapes (checked before any account is looked at). */
static int attempt_shape_ok(const struct attempt *a)
{
	return session_label_ok(a->user, strlen(a->user)) && !credstore_check_user(a->user) &&
	       !credstore_check_password(a->password, a->password_len);
}

static void take_attempt(const struct capos_ipc_request *req, struct attempt *a)
{
	const struct capos_session_manager_login_in *in = req->params;   /* setup's has the same layout */
	uint32_t tail;

	memset(a, 0, sizeof *a);
	if (req->params_len < CAPOS_SESSION_MANAGER_LOGIN_IN_MIN || req->params_len > sizeof *in)
		return;
	tail = req->params_len - CAPOS_SESSION_MANAGER_LOGIN_IN_MIN;
	memcpy(a->user, in->user, sizeof in->user);
	a->user[CREDSTORE_USER_MAX] = 0;
	if (in->password_len > tail)
		return;
	a->password_len = in->password_len;
	memcpy(a->password, in->password, a->password_len);
	a->shape_ok = attempt_shape_ok(a);
}

static void on_delay_done(void *ctx, const struct capos_completion *c);

/* Put a Timer.sleep until t->due_ns in flight, watched: 0 or a negative code (nothing in flight). */
static int watch_delay(struct tracker *t)
{
	uint64_t now = capos_time_ns(), ud;
	struct capos_timer_sleep_in in = { .ns = t->due_ns > now ? t->due_ns - now : 0 };
	struct capos_completion c;
	int err = capos_timer_sleep_async(capos_ring(), timer, &in, &ud);

	if (err)
		return err;
	err = capos_ring_watch(capos_ring(), ud, on_delay_done, t);
	if (err) {
		capos_cancel(capos_ring(), ud);     /* then reap it: cancelled, or done meanwhile */
		capos_ring_wait(capos_ring(), ud, CAPOS_TIMEOUT_INFINITE, &c);
	}
	return err;
}

/*
 * Answer t's waiting failure once it is due.  A sleep that ended early (an
 * error completion) is started again for the rest; with no timer operation
 * to spare the rest is slept here, holding up the server: never skip it.
 */
static void answer_when_due(struct tracker *t)
{
	uint64_t now;

	if (capos_time_ns() < t->due_ns && watch_delay(t) == 0)
		return;
	while ((now = capos_time_ns()) < t->due_ns)
		capos_sleep_ns(t->due_ns - now);
	serve_error(&ep, t->token, LOGIN_INCORRECT, "login incorrect");
	t->waiting = 0;
}

static void on_delay_done(void *ctx, const struct capos_completion *c)
{
	(void)c;   /* its status does not matter: the clock says whether the delay is over */
	answer_when_due(ctx);
}

/* Keep the failed login's token and answer it after the caller's delay, serving others meanwhile. */
static void fail_login(struct tracker *t, const struct capos_ipc_request *req, const struct attempt *a)
{
	uint32_t ms;

	faildelay_failed(&t->delay);
	ms = faildelay_next_ms(&t->delay);
	auditlog_write("login-fail", 0, a->shape_ok ? a->user : "", "caller %016llx, delay %u ms",
		       (unsigned long long)req->badge, ms);
	t->token = req->token;
	t->due_ns = capos_time_ns() + (uint64_t)ms * 1000000ull;
	t->waiting = 1;
	answer_when_due(t);
}

/* ------------------------------------------------------------ sessions */

/* End r with state: every wait_end kept for it completes with that state. */
static void end_session(struct session_record *r, uint32_t state)
{
	struct capos_user_session_wait_end_out out = { .state = state };

	if (records_end(r, state, capos_time_ns()))
		return;
	for (size_t i = 0; i < SESSIOND_WAITERS; i++) {
		struct waiter *w = &waiters[i];

		if (w->audit_id != r->audit_id)
			continue;
		if (capos_ipc_return(w->token, &out, sizeof out, NULL, 0))
			capos_release(capos_ring(), (uint32_t)w->token);   /* its caller is gone: let the token go */
		w->audit_id = 0;
	}
}

/* End every session whose expiry has passed. */
static void sweep_expired(void)
{
	uint64_t now = capos_time_ns();
	struct session_record *r;

	while ((r = records_due(&sessions, now)) != NULL)
		end_session(r, CAPOS_SESSION_EXPIRED);
}

static void arm_expiry(void);

static void on_expiry(void *ctx, const struct capos_completion *c)
{
	(void)ctx; (void)c;   /* early, cancelled or on time: the clock says what is due */
	expiry.in_flight = 0;
	expiry.cancelling = 0;
	sweep_expired();
	arm_expiry();
}

/*
 * Keep one watched sleep until the earliest expiry.  One for a later
 * expiry is cancelled, and its completion arms the right one.  With no
 * timer operation to spare, the next request's sweep still ends the
 * session on time for whoever asks.
 */
static void arm_expiry(void)
{
	uint64_t next = records_next_expiry(&sessions), now = capos_time_ns();
	struct capos_timer_sleep_in in;

	if (!next)
		return;
	if (expiry.in_flight) {
		if (next < expiry.due_ns && !expiry.cancelling) {
			expiry.cancelling = 1;
			capos_cancel(capos_ring(), expiry.ud);
		}
		return;
	}
	in.ns = next > now ? next - now : 0;
	if (capos_timer_sleep_async(capos_ring(), timer, &in, &expiry.ud))
		return;
	if (capos_ring_watch(capos_ring(), expiry.ud, on_expiry, NULL)) {
		struct capos_completion c;

		capos_cancel(capos_ring(), expiry.ud);
		capos_ring_wait(capos_ring(), expiry.ud, CAPOS_TIMEOUT_INFINITE, &c);
		return;
	}
	expiry.in_flight = 1;
	expiry.due_ns = next;
}

/* A new session and its UserSession (a client of the session endpoint badged with its audit id). */
static struct session_record *new_session(const char *user, const char *profile, uint64_t lifetime_ns,
					  uint32_t *handle, int *err)
{
	struct session_record *r = records_new(&sessions, user, profile, capos_time_ns(), lifetime_ns, err);

	if (!r)
		return NULL;
	*err = capos_endpoint_mint_badged(user_ep.endpoint, CAPOS_IFACE_USER_SESSION, CAPOS_RIGHT_ALL, r->audit_id,
					  handle);
	if (*err) {
		memset(r, 0, sizeof *r);   /* nobody can name it: the entry is free again */
		return NULL;
	}
	arm_expiry();
	return r;
}

/* ------------------------------------------------------------ SessionManager */

/* The profile of the account the attempt names when its password is right, else NULL; the password is wiped. */
static const char *verify(struct attempt *a)
{
	int err = a->shape_ok ? credstore_verify(&store, a->user, a->password, a->password_len) : -CAPOS_EINVAL;

	memset(a->password, 0, sizeof a->password);
	return err ? NULL : profile_of(a->user);
}

/* A source address for an audit record: printable ASCII only, else "?". */
static const char *audit_source(char *source)
{
	if (!source[0])
		return "?";
	for (char *c = source; *c; c++)
		if (*c < 0x21 || *c > 0x7e)
			return "?";
	return source;
}

/* A new session for a verified attempt, moved to the caller with its profile: 1 when it was granted. */
static int grant_session(const struct capos_ipc_request *req, const struct attempt *a, const char *profile,
			 const char *source)
{
	struct capos_session_manager_login_out out;
	struct session_record *r;
	struct capos_xfer x;
	uint64_t lifetime = sessiond_lifetime_ns(&cfg, profile);
	uint32_t handle = 0;
	int err;

	r = new_session(a->user, profile, lifetime, &handle, &err);
	if (!r) {
		capos_printf("sessiond: cannot create a session for %s: %s\n", a->user, capos_strerror(err));
		serve_error(&ep, req->token, 3, "cannot create the session");
		return 0;
	}
	auditlog_write("login-ok", r->audit_id, a->user, "profile %s, lifetime %llu ms%s%s", profile,
		       (unsigned long long)(lifetime / 1000000ull), source[0] ? ", source " : "", source);
	memset(&out, 0, sizeof out);
	memcpy(out.profile, profile, strlen(profile));
	x = (struct capos_xfer){ handle, CAPOS_XFER_MOVE };
	if (serve_return(&ep, req->token, &out, sizeof out, &x, 1))
		capos_release(capos_ring(), handle);
	return 1;
}

static void serve_login(const struct capos_ipc_request *req)
{
	struct tracker *t = tracker_of(req->badge);
	struct attempt a;
	const char *profile;

	if (!t) {
		serve_error(&ep, req->token, LOGIN_BUSY, "too many failed logins are waiting: try again");
		return;
	}
	if (t->waiting) {
		serve_error(&ep, req->token, LOGIN_BUSY, "a login from this session is already waiting");
		return;
	}
	t->used_ns = capos_time_ns() | 1;
	take_attempt(req, &a);
	profile = verify(&a);
	if (!profile) {
		fail_login(t, req, &a);
		return;
	}
	if (grant_session(req, &a, profile, ""))
		faildelay_succeeded(&t->delay);
}

/* A front end's login for one of its clients: failures answered at once, the source audited. */
static void serve_login_from(const struct capos_ipc_request *req)
{
	const struct capos_session_manager_login_from_in *in = req->params;
	char source[sizeof in->source + 1];
	const char *profile;
	struct attempt a;

	memset(&a, 0, sizeof a);
	memset(source, 0, sizeof source);
	if (req->params_len >= CAPOS_SESSION_MANAGER_LOGIN_FROM_IN_MIN && req->params_len <= sizeof *in &&
	    in->password_len <= req->params_len - CAPOS_SESSION_MANAGER_LOGIN_FROM_IN_MIN) {
		memcpy(a.user, in->user, sizeof in->user);
		a.user[CREDSTORE_USER_MAX] = 0;
		memcpy(source, in->source, sizeof in->source);
		a.password_len = in->password_len;
		memcpy(a.password, in->password, a.password_len);
		a.shape_ok = attempt_shape_ok(&a);
	}
	profile = verify(&a);
	if (!profile) {
		auditlog_write("login-fail", 0, a.shape_ok ? a.user : "", "source %s (front end %016llx)",
			       audit_source(source), (unsigned long long)req->badge);
		serve_error(&frontend_ep, req->token, LOGIN_INCORRECT, "login incorrect");
		return;
	}
	grant_session(req, &a, profile, audit_source(source));
}

/* check: which of our sessions the one capability passed is (Endpoint.identify), whoever passes it. */
static void serve_check(const struct capos_ipc_request *req)
{
	struct capos_endpoint_identify_out id = { 0 };
	struct capos_session_manager_check_out out;
	struct session_record *r = NULL;
	int err = req->cap_count == 1 && req->params_len == 0 ? 0 : -CAPOS_EINVAL;

	if (!err)
		err = capos_endpoint_identify(capos_ring(), user_ep.endpoint,
					      &(struct capos_endpoint_identify_in){ .cap = req->caps[0].handle }, &id);
	serve_release_caps(req, 0);
	if (!err && id.iface != CAPOS_IFACE_USER_SESSION)
		err = -CAPOS_ETYPE;
	if (!err) {
		r = records_find(&sessions, id.badge);
		err = r ? 0 : -CAPOS_ESESSION;
	}
	if (err) {
		capos_ipc_return_status(req->token, err);
		return;
	}
	memset(&out, 0, sizeof out);
	memcpy(out.user, r->user, sizeof out.user);
	memcpy(out.profile, r->profile, sizeof out.profile);
	out.audit_id = r->audit_id;
	out.created_ns = r->created_ns;
	out.expires_ns = r->expires_ns;
	out.state = r->state;
	serve_return(&ep, req->token, &out, sizeof out, NULL, 0);
}

/*
 * anonymous: a fresh session for one start of an init service with
 * `session: anonymous`.  Only init may make them (the client it mints
 * itself carries CAPOS_SESSION_INIT_BADGE; the importers' badges are
 * manifest indexes): anybody else could fill the table with live sessions.
 */
static void serve_anonymous(const struct capos_ipc_request *req)
{
	struct capos_session_manager_anonymous_out out = { 0 };
	struct session_record *r;
	struct capos_xfer x;
	uint32_t handle = 0;
	int err = req->badge == CAPOS_SESSION_INIT_BADGE ? 0 : -CAPOS_EPERM;

	r = err ? NULL : new_session("anonymous", "anonymous", 0, &handle, &err);
	if (!r) {
		capos_ipc_return_status(req->token, err);
		return;
	}
	out.audit_id = r->audit_id;
	x = (struct capos_xfer){ handle, CAPOS_XFER_MOVE };
	if (serve_return(&ep, req->token, &out, sizeof out, &x, 1))
		capos_release(capos_ring(), handle);
}

static void serve_setup(const struct capos_ipc_request *req)
{
	struct attempt a;
	int err;

	if (operators()) {
		serve_error(&ep, req->token, 1, "setup is closed: an operator account exists");
		return;
	}
	take_attempt(req, &a);
	if (!a.shape_ok) {
		memset(a.password, 0, sizeof a.password);
		serve_error(&ep, req->token, 2, "setup: a name is 1..31 of a-z 0-9 _ -, a password 1..128 bytes");
		return;
	}
	err = credstore_add(&store, a.user, a.password, a.password_len, setup_iterations);
	memset(a.password, 0, sizeof a.password);
	if (err) {
		serve_error(&ep, req->token, 2, err == -CAPOS_EEXIST ? "setup: the name is taken" :
			    err == -CAPOS_EQUOTA ? "setup: no room for another account" :
			    "setup: cannot add the account");
		return;
	}
	memcpy(profiles[store.count - 1], "operator", sizeof "operator");
	auditlog_write("setup", 0, a.user, "volatile operator account (lost at reboot)");
	serve_return(&ep, req->token, NULL, 0, NULL, 0);
}

static void serve_status(const struct capos_ipc_request *req)
{
	struct capos_session_manager_status_out out;

	if (req->params_len) {
		serve_error(&ep, req->token, 4, "sessiond: status takes no parameters");
		return;
	}
	out.accounts = (uint32_t)store.count;
	out.operators = operators();
	out.setup_open = out.operators == 0;
	serve_return(&ep, req->token, &out, sizeof out, NULL, 0);
}

static void serve_request(struct serve_ep *e, const struct capos_ipc_request *req)
{
	sweep_expired();
	if (req->method == CAPOS_SESSION_MANAGER_CHECK) {
		serve_check(req);
		return;
	}
	serve_release_caps(req, 0);    /* nothing else is wanted beside the parameters */
	if ((e == &frontend_ep) != (req->method == CAPOS_SESSION_MANAGER_LOGIN_FROM) &&
	    req->method != CAPOS_SESSION_MANAGER_STATUS) {
		capos_ipc_return_status(req->token, -CAPOS_EPERM);   /* front ends log in with login_from only */
		return;
	}
	switch (req->method) {
	case CAPOS_SESSION_MANAGER_LOGIN_FROM:
		serve_login_from(req);
		break;
	case CAPOS_SESSION_MANAGER_LOGIN:
		serve_login(req);
		break;
	case CAPOS_SESSION_MANAGER_SETUP:
		serve_setup(req);
		break;
	case CAPOS_SESSION_MANAGER_STATUS:
		serve_status(req);
		break;
	case CAPOS_SESSION_MANAGER_ANONYMOUS:
		serve_anonymous(req);
		break;
	default:
		serve_error(&ep, req->token, 4, "sessiond: no such method");
	}
}

/* ------------------------------------------------------------ UserSession */

/* Keep req's wait_end until r ends: 0, or a negative code when no entry is free. */
static int keep_waiter(const struct session_record *r, const struct capos_ipc_request *req)
{
	struct waiter *free_entry = NULL;

	for (size_t i = 0; i < SESSIOND_WAITERS && !free_entry; i++)
		if (!waiters[i].audit_id)
			free_entry = &waiters[i];
	for (size_t i = 0; i < SESSIOND_WAITERS && !free_entry; i++) {
		/* Full: drop the ones whose caller no longer waits (cancelled, or ended). */
		struct capos_reply_info_out info = { .waiting = 1 };

		if (capos_reply_info(capos_ring(), (uint32_t)waiters[i].token, &info) == 0 && !info.waiting) {
			capos_release(capos_ring(), (uint32_t)waiters[i].token);
			waiters[i].audit_id = 0;
			free_entry = &waiters[i];
		}
	}
	if (!free_entry)
		return -CAPOS_EBUSY;
	free_entry->audit_id = r->audit_id;
	free_entry->token = req->token;
	return 0;
}

/* The methods of a UserSession: its badge is the audit id of the record it names. */
static void serve_user_session(struct serve_ep *e, const struct capos_ipc_request *req)
{
	struct session_record *r;
	int err;

	(void)e;
	serve_release_caps(req, 0);
	sweep_expired();
	r = records_find(&sessions, req->badge);
	if (!r) {
		capos_ipc_return_status(req->token, -CAPOS_ESESSION);
		return;
	}
	switch (req->method) {
	case CAPOS_USER_SESSION_INFO: {
		struct capos_user_session_info_out out;

		memset(&out, 0, sizeof out);
		memcpy(out.user, r->user, sizeof out.user);
		memcpy(out.profile, r->profile, sizeof out.profile);
		out.audit_id = r->audit_id;
		out.created_ns = r->created_ns;
		out.expires_ns = r->expires_ns;
		out.state = r->state;
		serve_return(&user_ep, req->token, &out, sizeof out, NULL, 0);
		return;
	}
	case CAPOS_USER_SESSION_AUDIT_CONTEXT: {
		struct capos_user_session_audit_context_out out;

		memset(&out, 0, sizeof out);
		out.audit_id = r->audit_id;
		memcpy(out.user, r->user, sizeof out.user);
		serve_return(&user_ep, req->token, &out, sizeof out, NULL, 0);
		return;
	}
	case CAPOS_USER_SESSION_LOGOUT:
		err = r->state == CAPOS_SESSION_LIVE ? 0 : -CAPOS_ESESSION;
		if (!err)
			end_session(r, CAPOS_SESSION_LOGGED_OUT);
		break;
	case CAPOS_USER_SESSION_WAIT_END:
		if (r->state != CAPOS_SESSION_LIVE) {
			struct capos_user_session_wait_end_out out = { .state = r->state };

			serve_return(&user_ep, req->token, &out, sizeof out, NULL, 0);
			return;
		}
		err = keep_waiter(r, req);
		if (!err)
			return;   /* answered when the session ends */
		break;
	default:
		err = -CAPOS_EINVAL;
	}
	if (err)
		capos_ipc_return_status(req->token, err);
	else
		serve_return(&user_ep, req->token, NULL, 0, NULL, 0);
}

/* The session endpoint: its clients are the UserSessions. */
static int make_user_endpoint(void)
{
	struct capos_endpoint_factory_create_in in = { .iface = CAPOS_IFACE_USER_SESSION };
	struct capos_endpoint_factory_create_out out = { 0 };
	int err = capos_endpoint_factory_create(capos_ring(), endpoints, &in, &out);

	if (err)
		return err;
	capos_release(capos_ring(), out.client);   /* unbadged: no session's; each is minted */
	user_ep.endpoint = out.server;
	user_ep.handle = serve_user_session;
	return 0;
}

/* Every capability by name, or 0 with a message naming the first missing. */
static int find_caps(void)
{
	static const struct { const char *name; uint32_t *cap; } need[] = {
		{ "sessions", &ep.endpoint }, { "endpoints", &endpoints }, { "bootpkg", &bootpkg },
		{ "entropy", &entropy }, { "timer", &timer },
	};

	for (size_t i = 0; i < sizeof need / sizeof need[0]; i++) {
		*need[i].cap = capos_cap_find(need[i].name, NULL);
		if (!*need[i].cap) {
			capos_printf("sessiond: no capability '%s'\n", need[i].name);
			return 0;
		}
	}
	return 1;
}

int main(int argc, char **argv)
{
	const char *bad, *why;
	int err;

	if (sessiond_parse_args(argc, argv, &cfg, &bad, &why)) {
		capos_printf("sessiond: argument '%s': %s\n", bad, why);
		return 2;
	}
	if (!find_caps())
		return 2;
	auditlog_open("sessiond", "log");
	err = load_accounts();
	if (err)
		return err;
	records_init(&sessions);
	ep.handle = serve_request;
	frontend_ep.handle = serve_request;
	frontend_ep.endpoint = capos_cap_find("frontend", NULL);
	err = make_user_endpoint();
	if (!err)
		err = serve_start(&user_ep);
	if (!err)
		err = serve_start(&ep);
	if (!err && frontend_ep.endpoint)
		err = serve_start(&frontend_ep);
	if (!err) {
		capos_printf("sessiond: serving: %u accounts (%u operators) from %s\n",
			     (unsigned)store.count, operators(), cfg.accounts);
		err = serve_loop();
	}
	capos_printf("sessiond: stopped: %s\n", capos_strerror(err));
	return 1;
}
