/*
 * Hostile callers of the session services (docs/sessions.md), under
 * tests/manifests/boot/sessions-hostile.yaml with the real audit,
 * sessiond (over accounts-nooperator: guest/guest, setup open) and broker.
 * Every method of SessionManager, AuthorityBroker, ShellLauncher,
 * AuditWriter and AuditReader gets parameters too short and too long,
 * lengths that lie, fields without a NUL, unknown method ids, capabilities
 * where none belong or of the wrong interface, result buffers too small
 * for the answer, and UserSessions that are moved, revoked or ended.  Each
 * must fail cleanly (an application error or -CAPOS_ERANGE) and, after
 * each group, the services must still serve a valid login, status, audit
 * read and broker call.  At the end the broker's refusals are in the audit
 * log one `refused` record each, and init's process registry shows
 * audit, sessiond and broker live under the pids they had, with no
 * capability slot more.
 *
 * Mode "child" acts for a guest session of its own (granted its UserSession
 * and its broker client): the attacks that need the caller's own
 * UserSession.
 */
#include <stdio.h>
#include <string.h>
#include <capos/audit.h>
#include <capos/ipc.h>
#include <capos/services.h>
#include <capos/session.h>
#include "utest.h"

#define PARAMS_OVER_RECV 600u    /* past the services' RECV buffers (apps/session/serve.h: 512) */
#define LOGIN_IN_SIZE ((uint32_t)sizeof(struct capos_session_manager_login_in))
#define LOGIN_MIN CAPOS_SESSION_MANAGER_LOGIN_IN_MIN
#define CHILD_REFUSALS 2u        /* the refusals run_child provokes */

static uint32_t sessions, broker, launcher, audit_log, audit_read, terminal, null_cap, timer_cap;
static uint32_t nulls[CAPOS_XFER_MAX];   /* distinct copies of Null: a CALL takes no handle twice */
static unsigned refusals;        /* broker and launcher refusals provoked: each must be audited */
static uint8_t params[PARAMS_OVER_RECV] __attribute__((aligned(8)));
static uint8_t result[2048 + CAPOS_XFER_MAX * sizeof(struct capos_ipc_cap) + 8] __attribute__((aligned(8)));

/* CALL with caps[0..n) sent in mode, into result (out_cap bytes of it). */
static int call(uint32_t cap, uint32_t iface, uint16_t method, const void *in, uint32_t in_len,
		const uint32_t *caps, uint16_t n, uint32_t mode, uint32_t out_cap, struct capos_ipc_reply *r)
{
	struct capos_xfer x[CAPOS_XFER_MAX] = { { 0 } };

	for (uint16_t i = 0; i < n; i++)
		x[i] = (struct capos_xfer){ caps[i], mode };
	memset(r, 0, sizeof *r);
	return capos_ipc_call(cap, iface, method, in, in_len, x, n, result, out_cap, r);
}

/* An application error code with message (NULL: any message). */
static int is_app_error(int status, const struct capos_ipc_reply *r, int32_t code, const char *message)
{
	return status == CAPOS_STATUS_APP_ERROR && r->app_code == code &&
	       (!message || (r->app_message_len == strlen(message) &&
			     memcmp(r->app_message, message, r->app_message_len) == 0));
}

static void expect_app(const char *what, int status, const struct capos_ipc_reply *r, int32_t code,
		       const char *message)
{
	int app = status == CAPOS_STATUS_APP_ERROR;

	ut_check(is_app_error(status, r, code, message), what, "status %d, code %d, message '%.*s'", status,
		 app ? r->app_code : 0, app ? (int)r->app_message_len : 0, app ? r->app_message : "");
}

/* A broker or launcher refusal: application error 1 with message, audited. */
static void expect_refused(const char *what, int status, const struct capos_ipc_reply *r, const char *message)
{
	refusals++;
	expect_app(what, status, r, 1, message);
}

/* --- logins: the valid one that proves sessiond serves, and the hostile ones --- */

static void fill_login(struct capos_session_manager_login_in *in, const char *user, const char *password)
{
	memset(in, 0, sizeof *in);
	memcpy(in->user, user, strlen(user));
	in->password_len = (uint32_t)strlen(password);
	memcpy(in->password, password, in->password_len);
}

/* guest/guest: the UserSession, or 0.  Also resets the caller's failure delay. */
static uint32_t login_guest(void)
{
	struct capos_session_manager_login_in in;
	struct capos_ipc_reply r;
	int status;

	fill_login(&in, "guest", "guest");
	status = call(sessions, CAPOS_IFACE_SESSION_MANAGER, CAPOS_SESSION_MANAGER_LOGIN, &in, LOGIN_MIN + 5,
		      NULL, 0, 0, sizeof result, &r);
	if (status == 0 && r.cap_count == 1 && r.caps[0].iface == CAPOS_IFACE_USER_SESSION &&
	    strcmp((const char *)result, "guest") == 0)
		return r.caps[0].handle;
	for (uint16_t i = 0; i < r.cap_count; i++)
		capos_release(capos_ring(), r.caps[i].handle);
	return 0;
}

static void end_session(uint32_t session)
{
	capos_user_session_logout(capos_ring(), session);
	capos_release(capos_ring(), session);
}

/* Every service answers a valid call: a guest login, status, an audit read, a broker refusal. */
static void check_serving(const char *after)
{
	static struct capos_audit_reader_read_out out;
	struct capos_audit_reader_read_in rin = { .after_seq = 0 };
	struct capos_session_manager_status_out st;
	struct capos_ipc_reply r;
	char what[96];
	uint32_t len = 0, gs = login_guest();
	int st_err = capos_session_manager_status(capos_ring(), sessions, &st);
	int rd_err = capos_audit_reader_read(capos_ring(), audit_read, &rin, &out, &len);
	int br = call(broker, CAPOS_IFACE_AUTHORITY_BROKER, CAPOS_AUTHORITY_BROKER_UPGRADE, NULL, 0, NULL, 0, 0,
		      sizeof result, &r);

	refusals++;
	snprintf(what, sizeof what, "after %s: login, status, audit read and broker still serve", after);
	ut_check(gs && st_err == 0 && rd_err == 0 && out.count > 0 &&
		 is_app_error(br, &r, 1, "refused: the first capability must be a UserSession"), what,
		 "login %s, status %d, read %d (%u records), broker %d", gs ? "ok" : "failed", st_err, rd_err,
		 out.count, br);
	if (gs)
		end_session(gs);
}

/* A login that must fail: "login incorrect" (after the delay), then a right one resets the delay. */
static void expect_login_incorrect(const char *what, const void *in, uint32_t len)
{
	struct capos_ipc_reply r;
	int status = call(sessions, CAPOS_IFACE_SESSION_MANAGER, CAPOS_SESSION_MANAGER_LOGIN, in, len, NULL, 0, 0,
			  sizeof result, &r);
	uint32_t gs;

	expect_app(what, status, &r, 1, "login incorrect");
	gs = login_guest();
	ut_check(gs != 0, "a right login after it", "failed");
	if (gs)
		end_session(gs);
}

static void attack_login(void)
{
	struct capos_session_manager_login_in in;
	struct capos_ipc_reply r;
	uint32_t gs, caps[2];
	int status;

	fill_login(&in, "guest", "guest");
	expect_login_incorrect("login: no parameters", &in, 0);
	expect_login_incorrect("login: parameters one short of the minimum", &in, LOGIN_MIN - 1);
	memcpy(params, &in, sizeof in);
	expect_login_incorrect("login: parameters one past the maximum", params, LOGIN_IN_SIZE + 1);
	status = call(sessions, CAPOS_IFACE_SESSION_MANAGER, CAPOS_SESSION_MANAGER_LOGIN, params, PARAMS_OVER_RECV,
		      NULL, 0, 0, sizeof result, &r);
	ut_status("login: parameters past the server's buffer", status, -CAPOS_ERANGE);
	in.password_len = 6;
	expect_login_incorrect("login: password_len past the parameters", &in, LOGIN_MIN + 5);
	in.password_len = 0;
	expect_login_incorrect("login: password_len 0", &in, LOGIN_MIN + 5);
	in.password_len = 129;
	expect_login_incorrect("login: password_len 129", &in, LOGIN_IN_SIZE);
	in.password_len = 0xffffffffu;
	expect_login_incorrect("login: password_len 0xffffffff", &in, LOGIN_IN_SIZE);
	fill_login(&in, "guest", "guest");
	memset(in.user + 5, 'x', sizeof in.user - 5);
	expect_login_incorrect("login: a user field without a NUL", &in, LOGIN_MIN + 5);
	memset(in.user, 'g', sizeof in.user);
	expect_login_incorrect("login: 32 name characters, no NUL", &in, LOGIN_MIN + 5);
	fill_login(&in, "guest", "guest");
	status = call(sessions, CAPOS_IFACE_SESSION_MANAGER, CAPOS_SESSION_MANAGER_LOGIN, &in, LOGIN_MIN + 5,
		      NULL, 0, 0, sizeof(struct capos_session_manager_login_out), &r);
	ut_status("login: a result buffer without room for the UserSession", status, -CAPOS_ERANGE);
	caps[0] = null_cap;
	caps[1] = timer_cap;
	status = call(sessions, CAPOS_IFACE_SESSION_MANAGER, CAPOS_SESSION_MANAGER_LOGIN, &in, LOGIN_MIN + 5,
		      caps, 2, CAPOS_XFER_COPY, sizeof result, &r);
	gs = status == 0 && r.cap_count == 1 ? r.caps[0].handle : 0;
	ut_check(gs != 0 && r.caps[0].iface == CAPOS_IFACE_USER_SESSION,
		 "login: capabilities passed along are dropped, the login answered", "status %d, %u caps", status,
		 r.cap_count);
	if (gs)
		end_session(gs);
	check_serving("the login attacks");
}

static void attack_setup(void)
{
	static const char closed[] = "setup is closed: an operator account exists";
	static const char bad[] = "setup: a name is 1..31 of a-z 0-9 _ -, a password 1..128 bytes";
	struct capos_session_manager_login_in in;    /* setup's parameters have login's layout */
	struct capos_session_manager_status_out st;
	struct capos_ipc_reply r;
	const uint16_t m = CAPOS_SESSION_MANAGER_SETUP;
	const uint32_t s = CAPOS_IFACE_SESSION_MANAGER;
	int status;

	fill_login(&in, "admin", "secret");
	expect_app("setup: no parameters", call(sessions, s, m, &in, 0, NULL, 0, 0, sizeof result, &r), &r, 2, bad);
	expect_app("setup: one short of the minimum", call(sessions, s, m, &in, LOGIN_MIN - 1, NULL, 0, 0,
							   sizeof result, &r), &r, 2, bad);
	memcpy(params, &in, sizeof in);
	expect_app("setup: one past the maximum", call(sessions, s, m, params, LOGIN_IN_SIZE + 1, NULL, 0, 0,
						       sizeof result, &r), &r, 2, bad);
	in.password_len = 7;
	expect_app("setup: password_len past the parameters", call(sessions, s, m, &in, LOGIN_MIN + 6, NULL, 0, 0,
								   sizeof result, &r), &r, 2, bad);
	in.password_len = 0;
	expect_app("setup: password_len 0", call(sessions, s, m, &in, LOGIN_MIN + 6, NULL, 0, 0, sizeof result, &r),
		   &r, 2, bad);
	in.password_len = 129;
	expect_app("setup: password_len 129", call(sessions, s, m, &in, LOGIN_IN_SIZE, NULL, 0, 0, sizeof result,
						   &r), &r, 2, bad);
	in.password_len = 6;
	memset(in.user, 'a', sizeof in.user);
	expect_app("setup: 32 name characters, no NUL", call(sessions, s, m, &in, LOGIN_MIN + 6, NULL, 0, 0,
							     sizeof result, &r), &r, 2, bad);
	fill_login(&in, "Admin\n", "secret");
	expect_app("setup: a name outside a-z 0-9 _ -", call(sessions, s, m, &in, LOGIN_MIN + 6, NULL, 0, 0,
							     sizeof result, &r), &r, 2, bad);
	fill_login(&in, "guest", "secret");
	expect_app("setup: a taken name", call(sessions, s, m, &in, LOGIN_MIN + 6, NULL, 0, 0, sizeof result, &r),
		   &r, 2, "setup: the name is taken");
	status = capos_session_manager_status(capos_ring(), sessions, &st);
	ut_check(status == 0 && st.accounts == 1 && st.operators == 0 && st.setup_open == 1,
		 "setup: no refused setup added an account", "status %d: %u %u %u", status, st.accounts,
		 st.operators, st.setup_open);
	fill_login(&in, "admin", "secret");
	status = call(sessions, s, m, &in, LOGIN_MIN + 6, NULL, 0, 0, sizeof result, &r);
	ut_status("setup: a valid setup after them adds the operator", status, 0);
	expect_app("setup: then closed", call(sessions, s, m, &in, LOGIN_MIN + 6, NULL, 0, 0, sizeof result, &r), &r,
		   1, closed);
	status = capos_session_manager_status(capos_ring(), sessions, &st);
	ut_check(status == 0 && st.accounts == 2 && st.operators == 1 && st.setup_open == 0,
		 "setup: status shows 2 accounts, 1 operator", "status %d: %u %u %u", status, st.accounts,
		 st.operators, st.setup_open);
	check_serving("the setup attacks");
}

static void attack_status_and_methods(void)
{
	uint32_t caps[CAPOS_XFER_MAX];
	struct capos_ipc_reply r;
	const uint32_t s = CAPOS_IFACE_SESSION_MANAGER;
	int status;

	for (uint32_t i = 0; i < CAPOS_XFER_MAX; i++)
		caps[i] = nulls[i];
	memset(params, 0, sizeof params);
	expect_app("status: with parameters", call(sessions, s, CAPOS_SESSION_MANAGER_STATUS, params, 8, NULL, 0, 0,
						   sizeof result, &r), &r, 4, NULL);
	status = call(sessions, s, CAPOS_SESSION_MANAGER_STATUS, NULL, 0, NULL, 0, 0, 8, &r);
	ut_status("status: a result buffer too small", status, -CAPOS_ERANGE);
	status = call(sessions, s, CAPOS_SESSION_MANAGER_STATUS, NULL, 0, caps, CAPOS_XFER_MAX, CAPOS_XFER_COPY,
		      sizeof result, &r);
	ut_check(status == 0 && r.len == sizeof(struct capos_session_manager_status_out) && r.cap_count == 0,
		 "status: 16 capabilities passed along are dropped, status answered", "status %d, %u bytes",
		 status, r.len);
	expect_app("sessiond: method 6", call(sessions, s, 6, NULL, 0, NULL, 0, 0, sizeof result, &r), &r, 4,
		   "sessiond: no such method");
	ut_status("login_from: not on the frontend export: -CAPOS_EPERM",
		  call(sessions, s, CAPOS_SESSION_MANAGER_LOGIN_FROM, params, 40, NULL, 0, 0, sizeof result, &r),
		  -CAPOS_EPERM);
	ut_status("check: 16 capabilities instead of one: -CAPOS_EINVAL",
		  call(sessions, s, CAPOS_SESSION_MANAGER_CHECK, NULL, 0, caps, CAPOS_XFER_MAX, CAPOS_XFER_COPY,
		       sizeof result, &r), -CAPOS_EINVAL);
	ut_status("check: parameters where none belong: -CAPOS_EINVAL",
		  call(sessions, s, CAPOS_SESSION_MANAGER_CHECK, params, 8, caps, 1, CAPOS_XFER_COPY, sizeof result, &r),
		  -CAPOS_EINVAL);
	ut_status("check: a Null capability: -CAPOS_ETYPE", call(sessions, s, CAPOS_SESSION_MANAGER_CHECK, NULL, 0, caps,
								 1, CAPOS_XFER_COPY, sizeof result, &r), -CAPOS_ETYPE);
	ut_status("anonymous: not init: -CAPOS_EPERM", call(sessions, s, CAPOS_SESSION_MANAGER_ANONYMOUS, NULL, 0,
							    NULL, 0, 0, sizeof result, &r), -CAPOS_EPERM);
	expect_app("sessiond: method 0xffff", call(sessions, s, 0xffff, params, 40, caps, 1, CAPOS_XFER_COPY,
						   sizeof result, &r), &r, 4, "sessiond: no such method");
	status = call(sessions, s, 0xffff, NULL, 0, NULL, 0, 0, 8, &r);
	ut_status("sessiond: an error answer that does not fit the result buffer", status, -CAPOS_ERANGE);
	check_serving("the status and method attacks");
}

/* --- the broker, from a caller in the system session --- */

static int broker_call(uint16_t method, const void *in, uint32_t len, const uint32_t *caps, uint16_t n,
		       uint32_t mode, uint32_t out_cap, struct capos_ipc_reply *r)
{
	return call(broker, CAPOS_IFACE_AUTHORITY_BROKER, method, in, len, caps, n, mode, out_cap, r);
}

/* A revocable copy of session, already revoked: 0 when CapSpace fails. */
static uint32_t revoked_copy(uint32_t session)
{
	uint32_t copy = 0, revoker = 0;

	if (capos_cap_derive(session, CAPOS_RIGHT_ALL, &copy, &revoker))
		return 0;
	capos_cap_revoke(revoker);
	capos_release(capos_ring(), revoker);
	return copy;
}

static void attack_broker_method(uint16_t m, const char *name, uint32_t gs, uint32_t ended, uint32_t dead)
{
	static const char first[] = "refused: the first capability must be a UserSession";
	static const char only[] = "refused: pass only your UserSession";
	uint32_t caps[CAPOS_XFER_MAX];
	struct capos_ipc_reply r;
	char what[96];
	int status;

#define WHAT(text) (snprintf(what, sizeof what, "%s: %s", name, text), what)
	for (uint32_t i = 0; i < CAPOS_XFER_MAX; i++)
		caps[i] = i ? nulls[i] : gs;
	expect_refused(WHAT("no capability"), broker_call(m, NULL, 0, NULL, 0, 0, sizeof result, &r), &r, first);
	expect_refused(WHAT("a Null capability"), broker_call(m, NULL, 0, &null_cap, 1, CAPOS_XFER_COPY,
							      sizeof result, &r), &r, first);
	expect_refused(WHAT("a Timer capability"), broker_call(m, NULL, 0, &timer_cap, 1, CAPOS_XFER_COPY,
							       sizeof result, &r), &r, first);
	expect_refused(WHAT("the terminal"), broker_call(m, NULL, 0, &terminal, 1, CAPOS_XFER_COPY, sizeof result,
							 &r), &r, first);
	expect_refused(WHAT("a session and a Null"), broker_call(m, NULL, 0, caps, 2, CAPOS_XFER_COPY,
								 sizeof result, &r), &r, only);
	expect_refused(WHAT("a session and 15 more"), broker_call(m, NULL, 0, caps, CAPOS_XFER_MAX,
								  CAPOS_XFER_COPY, sizeof result, &r), &r, only);
	ut_status(WHAT("a revoked copy of a session: the CALL fails"),
		  broker_call(m, NULL, 0, &dead, 1, CAPOS_XFER_COPY, sizeof result, &r), -CAPOS_EREVOKED);
	expect_refused(WHAT("a session the caller is not in (copied)"),
		       broker_call(m, NULL, 0, &gs, 1, CAPOS_XFER_COPY, sizeof result, &r), &r,
		       "refused: not the caller's own session");
	expect_refused(WHAT("an ended session"), broker_call(m, NULL, 0, &ended, 1, CAPOS_XFER_COPY, sizeof result,
							     &r), &r, NULL);
	status = broker_call(m, NULL, 0, &gs, 1, CAPOS_XFER_COPY, 8, &r);
	refusals++;      /* refused and audited; the answer does not fit */
	ut_status(WHAT("a refusal that does not fit the result buffer"), status, -CAPOS_ERANGE);
	memset(params, 0, sizeof params);
	expect_app(WHAT("with parameters"), broker_call(m, params, 8, &gs, 1, CAPOS_XFER_COPY, sizeof result, &r),
		   &r, 2, "broker: no such method");
	ut_status(WHAT("parameters past the server's buffer"), broker_call(m, params, PARAMS_OVER_RECV, &gs, 1,
									   CAPOS_XFER_COPY, sizeof result, &r),
		  -CAPOS_ERANGE);
	ut_check(capos_user_session_info(capos_ring(), gs, &(struct capos_user_session_info_out){ 0 }) == 0,
		 WHAT("a copied session stays the caller's"), "it does not");
#undef WHAT
}

/*
 * A UserSession this client forged: a client of its own endpoint speaking
 * the interface, which would answer info with whatever it likes.  The
 * broker asks sessiond (SessionManager.check), which does not know it.
 */
static void attack_forged_session(void)
{
	struct capos_ipc_reply r;
	uint32_t server = 0, forged = 0;
	int err = capos_endpoint_create(CAPOS_IFACE_USER_SESSION, &server, &forged);

	ut_status("an endpoint of the client's speaking UserSession", err, 0);
	if (err)
		return;
	expect_refused("upgrade: a forged UserSession (a client of another endpoint)",
		       broker_call(CAPOS_AUTHORITY_BROKER_UPGRADE, NULL, 0, &forged, 1, CAPOS_XFER_COPY, sizeof result,
				   &r), &r, "refused: not a session of the session manager");
	capos_release(capos_ring(), forged);
	capos_release(capos_ring(), server);
}

static void attack_broker(void)
{
	struct capos_ipc_reply r;
	uint32_t gs = login_guest(), ended = login_guest(), moved = login_guest(), dead;
	int status;

	ut_check(gs && ended && moved, "three guest sessions for the broker attacks", "a login failed");
	if (!gs || !ended || !moved)
		return;
	capos_user_session_logout(capos_ring(), ended);
	dead = revoked_copy(gs);
	ut_check(dead != 0, "a revoked copy of a UserSession", "CapSpace.derive failed");
	attack_broker_method(CAPOS_AUTHORITY_BROKER_UPGRADE, "upgrade", gs, ended, dead);
	attack_broker_method(CAPOS_AUTHORITY_BROKER_RELEASE, "release", gs, ended, dead);
	expect_app("broker: method 2", broker_call(2, NULL, 0, NULL, 0, 0, sizeof result, &r), &r, 2,
		   "broker: no such method");
	expect_app("broker: method 0xffff", broker_call(0xffff, NULL, 0, &gs, 1, CAPOS_XFER_COPY, sizeof result, &r),
		   &r, 2, "broker: no such method");
	expect_refused("upgrade: a session the caller is not in (moved)",
		       broker_call(CAPOS_AUTHORITY_BROKER_UPGRADE, NULL, 0, &moved, 1, CAPOS_XFER_MOVE, sizeof result,
				   &r), &r, "refused: not the caller's own session");
	status = capos_user_session_info(capos_ring(), moved, &(struct capos_user_session_info_out){ 0 });
	ut_check(status < 0, "upgrade: a moved session is gone from the caller", "info answers %d", status);
	attack_forged_session();
	end_session(ended);
	capos_release(capos_ring(), dead);
	end_session(gs);
	check_serving("the broker attacks");
}

/* --- the launcher --- */

static int launch_call(uint16_t method, const void *in, uint32_t len, const uint32_t *caps, uint16_t n,
		       uint32_t mode, uint32_t out_cap, struct capos_ipc_reply *r)
{
	return call(launcher, CAPOS_IFACE_SHELL_LAUNCHER, method, in, len, caps, n, mode, out_cap, r);
}

static void attack_launch_params(uint32_t gs)
{
	static const char takes[] = "refused: launch takes a profile";
	struct capos_shell_launcher_launch_in in;
	struct capos_ipc_reply r;
	uint32_t caps[2] = { gs, terminal };
	const uint16_t m = CAPOS_SHELL_LAUNCHER_LAUNCH;

	memset(&in, 0, sizeof in);
	memcpy(in.profile, "guest", 5);
	memcpy(params, &in, sizeof in);
	expect_refused("launch: no parameters", launch_call(m, NULL, 0, caps, 2, CAPOS_XFER_COPY, sizeof result, &r),
		       &r, takes);
	expect_refused("launch: one short", launch_call(m, &in, sizeof in - 1, caps, 2, CAPOS_XFER_COPY,
							sizeof result, &r), &r, takes);
	expect_refused("launch: one past", launch_call(m, params, sizeof in + 1, caps, 2, CAPOS_XFER_COPY,
						       sizeof result, &r), &r, takes);
	ut_status("launch: parameters past the server's buffer",
		  launch_call(m, params, PARAMS_OVER_RECV, caps, 2, CAPOS_XFER_COPY, sizeof result, &r), -CAPOS_ERANGE);
	expect_refused("launch: method 2", launch_call(2, &in, sizeof in, caps, 2, CAPOS_XFER_COPY, sizeof result,
						       &r), &r, takes);
	expect_refused("session_broker: with parameters",
		       launch_call(CAPOS_SHELL_LAUNCHER_SESSION_BROKER, &in, sizeof in, caps, 1, CAPOS_XFER_COPY,
				   sizeof result, &r), &r, "refused: pass only the UserSession");
	expect_refused("session_broker: a session and a terminal",
		       launch_call(CAPOS_SHELL_LAUNCHER_SESSION_BROKER, NULL, 0, caps, 2, CAPOS_XFER_COPY, sizeof result,
				   &r), &r, "refused: pass only the UserSession");
	expect_refused("session_broker: the terminal for the session",
		       launch_call(CAPOS_SHELL_LAUNCHER_SESSION_BROKER, NULL, 0, &terminal, 1, CAPOS_XFER_COPY,
				   sizeof result, &r), &r, "refused: the first capability must be a UserSession");
	expect_refused("session_broker: no capability",
		       launch_call(CAPOS_SHELL_LAUNCHER_SESSION_BROKER, NULL, 0, NULL, 0, 0, sizeof result, &r), &r,
		       "refused: the first capability must be a UserSession");
	expect_refused("launch: method 0xffff", launch_call(0xffff, &in, sizeof in, NULL, 0, 0, sizeof result, &r),
		       &r, takes);
	memset(in.profile, 'g', sizeof in.profile);
	memcpy(in.profile, "guest", 5);
	expect_refused("launch: a profile field without a NUL", launch_call(m, &in, sizeof in, caps, 2,
									    CAPOS_XFER_COPY, sizeof result, &r),
		       &r, takes);
	memset(&in, 0, sizeof in);
	expect_refused("launch: an empty profile", launch_call(m, &in, sizeof in, caps, 2, CAPOS_XFER_COPY,
							       sizeof result, &r), &r, "refused: profile mismatch");
	memcpy(in.profile, "operator", 8);
	expect_refused("launch: another profile", launch_call(m, &in, sizeof in, caps, 2, CAPOS_XFER_COPY,
							      sizeof result, &r), &r, "refused: profile mismatch");
	refusals++;
	ut_status("launch: a refusal that does not fit the result buffer",
		  launch_call(m, &in, sizeof in, caps, 2, CAPOS_XFER_COPY, 8, &r), -CAPOS_ERANGE);
}

static void attack_launch_caps(uint32_t gs, uint32_t ended, uint32_t dead)
{
	static const char count[] = "refused: only a session and a terminal may be passed";
	static const char want[] = "refused: want a UserSession and a TerminalSession";
	struct capos_shell_launcher_launch_in in;
	struct capos_ipc_reply r;
	uint32_t caps[CAPOS_XFER_MAX];
	const uint16_t m = CAPOS_SHELL_LAUNCHER_LAUNCH;
	const uint32_t c = CAPOS_XFER_COPY, n = sizeof result;

	memset(&in, 0, sizeof in);
	memcpy(in.profile, "guest", 5);
	for (uint32_t i = 0; i < CAPOS_XFER_MAX; i++)
		caps[i] = i == 0 ? gs : i == 1 ? terminal : nulls[i];
	expect_refused("launch: no capability", launch_call(m, &in, sizeof in, NULL, 0, 0, n, &r), &r, count);
	expect_refused("launch: the session alone", launch_call(m, &in, sizeof in, caps, 1, c, n, &r), &r, count);
	expect_refused("launch: 3 capabilities", launch_call(m, &in, sizeof in, caps, 3, c, n, &r), &r, count);
	expect_refused("launch: 16 capabilities", launch_call(m, &in, sizeof in, caps, 16, c, n, &r), &r, count);
	caps[0] = null_cap;
	expect_refused("launch: a Null for the session", launch_call(m, &in, sizeof in, caps, 2, c, n, &r), &r, want);
	caps[0] = timer_cap;
	expect_refused("launch: a Timer for the session", launch_call(m, &in, sizeof in, caps, 2, c, n, &r), &r, want);
	caps[0] = gs;
	caps[1] = ended;
	expect_refused("launch: a UserSession for the terminal", launch_call(m, &in, sizeof in, caps, 2, c, n, &r),
		       &r, want);
	caps[0] = terminal;
	expect_refused("launch: terminal and session swapped", launch_call(m, &in, sizeof in, caps, 2, c, n, &r), &r,
		       want);
	caps[0] = dead;
	caps[1] = terminal;
	ut_status("launch: a revoked copy of the session: the CALL fails",
		  launch_call(m, &in, sizeof in, caps, 2, c, n, &r), -CAPOS_EREVOKED);
	caps[0] = ended;
	expect_refused("launch: an ended session", launch_call(m, &in, sizeof in, caps, 2, c, n, &r), &r,
		       "refused: the session has ended");
}

static void attack_launcher(void)
{
	struct capos_shell_launcher_launch_in in;
	struct capos_ipc_reply r;
	uint32_t gs = login_guest(), ended = login_guest(), moved = login_guest(), dead, caps[2];
	int status;

	ut_check(gs && ended && moved, "three guest sessions for the launcher attacks", "a login failed");
	if (!gs || !ended || !moved)
		return;
	capos_user_session_logout(capos_ring(), ended);
	dead = revoked_copy(gs);
	attack_launch_params(gs);
	attack_launch_caps(gs, ended, dead);
	memset(&in, 0, sizeof in);
	memcpy(in.profile, "operator", 8);
	caps[0] = moved;
	caps[1] = terminal;
	expect_refused("launch: a moved session, profile mismatch",
		       launch_call(CAPOS_SHELL_LAUNCHER_LAUNCH, &in, sizeof in, caps, 2, CAPOS_XFER_MOVE, sizeof result,
				   &r), &r, "refused: profile mismatch");
	status = capos_user_session_info(capos_ring(), moved, &(struct capos_user_session_info_out){ 0 });
	ut_check(status < 0, "launch: a moved session is gone from the caller", "info answers %d", status);
	status = capos_user_session_info(capos_ring(), gs, &(struct capos_user_session_info_out){ 0 });
	ut_status("launch: a copied session stays the caller's", status, 0);
	end_session(ended);
	capos_release(capos_ring(), dead);
	end_session(gs);
	check_serving("the launcher attacks");
}

/* --- the audit log --- */

static uint64_t append(const struct capos_audit_writer_append_in *in, uint32_t len, int *status)
{
	struct capos_ipc_reply r;
	uint64_t seq = 0;

	*status = call(audit_log, CAPOS_IFACE_AUDIT_WRITER, CAPOS_AUDIT_WRITER_APPEND, in, len, NULL, 0, 0,
		       sizeof result, &r);
	if (*status == 0 && r.len == sizeof seq)
		memcpy(&seq, result, sizeof seq);
	return seq;
}

/* The record of seq read back into *rec: 0 or a status. */
static int read_record(uint64_t seq, struct capos_audit_record *rec)
{
	static struct capos_audit_reader_read_out out;
	struct capos_audit_reader_read_in in = { .after_seq = seq - 1 };
	uint32_t len = 0;
	int status = capos_audit_reader_read(capos_ring(), audit_read, &in, &out, &len);

	if (status)
		return status;
	if (out.count < 1 || len < CAPOS_AUDIT_READER_READ_OUT_MIN + sizeof *rec)
		return -CAPOS_EFORMAT;
	memcpy(rec, out.records, sizeof *rec);
	return rec->seq == seq ? 0 : -CAPOS_EFORMAT;
}

/* A text field as the log must keep it: src up to a NUL or size - 1 bytes, non-printables as '?'. */
static int text_kept(const char *got, const uint8_t *src, size_t size)
{
	size_t i = 0;

	for (; i + 1 < size && src[i]; i++)
		if (got[i] != (src[i] >= 0x20 && src[i] < 0x7f ? (char)src[i] : '?'))
			return 0;
	for (; i < size; i++)
		if (got[i])
			return 0;
	return 1;
}

/* Fill a field with the byte values from *next on (1..255, cycling): the size - 1 kept, then one more. */
static void fill_bytes(char *field, size_t size, unsigned *next)
{
	for (size_t i = 0; i + 1 < size; i++)
		field[i] = (char)(uint8_t)((*next)++ % 255 + 1);
	field[size - 1] = (char)0xff;     /* no NUL: the field's last byte is cut */
}

/* Every byte value 1..255 in each text field, in as many records as the event field needs. */
static void check_every_byte(void)
{
	struct capos_audit_writer_append_in in;
	struct capos_audit_record rec;
	unsigned ev = 0, user = 0, detail = 0, kept = 0, runs = 0;
	int status;

	while (ev < 255) {
		uint64_t seq;

		fill_bytes(in.event, sizeof in.event, &ev);
		fill_bytes(in.user, sizeof in.user, &user);
		fill_bytes(in.detail, sizeof in.detail, &detail);
		in.audit_id = ~0ull - runs;
		seq = append(&in, sizeof in, &status);
		runs++;
		kept += status == 0 && seq && read_record(seq, &rec) == 0 && rec.audit_id == in.audit_id &&
			text_kept(rec.event, (const uint8_t *)in.event, sizeof rec.event) &&
			text_kept(rec.user, (const uint8_t *)in.user, sizeof rec.user) &&
			text_kept(rec.detail, (const uint8_t *)in.detail, sizeof rec.detail);
	}
	ut_check(kept == runs, "append: every byte value in the text fields comes back as one line, '?' for "
		 "non-printables", "%u of %u records right", kept, runs);
	memset(&in, 0, sizeof in);
	memcpy(in.event, "ev\0hidden", 9);
	memcpy(in.detail, "shown\0\n\nhidden", 14);
	status = read_record(append(&in, sizeof in, &status), &rec);
	ut_check(status == 0 && strcmp(rec.event, "ev") == 0 && strcmp(rec.detail, "shown") == 0 &&
		 rec.user[0] == 0, "append: text stops at a NUL", "status %d, event '%s', detail '%s'", status,
		 rec.event, rec.detail);
}

static void attack_audit(void)
{
	struct capos_audit_writer_append_in in;
	struct capos_ipc_reply r;
	uint32_t caps[CAPOS_XFER_MAX];
	const uint32_t w = CAPOS_IFACE_AUDIT_WRITER, rd = CAPOS_IFACE_AUDIT_READER;
	uint64_t after = ~0ull;
	int status;

	for (uint32_t i = 0; i < CAPOS_XFER_MAX; i++)
		caps[i] = nulls[i];
	memset(&in, 0, sizeof in);
	memcpy(in.event, "hostile", 7);
	memcpy(params, &in, sizeof in);
	expect_app("append: no parameters", call(audit_log, w, 0, NULL, 0, NULL, 0, 0, sizeof result, &r), &r, 1, NULL);
	expect_app("append: one short", call(audit_log, w, 0, &in, sizeof in - 1, NULL, 0, 0, sizeof result, &r), &r, 1,
		   NULL);
	expect_app("append: one past", call(audit_log, w, 0, params, sizeof in + 1, NULL, 0, 0, sizeof result, &r), &r,
		   1, NULL);
	ut_status("append: parameters past the server's buffer",
		  call(audit_log, w, 0, params, PARAMS_OVER_RECV, NULL, 0, 0, sizeof result, &r), -CAPOS_ERANGE);
	expect_app("append: method 1", call(audit_log, w, 1, &in, sizeof in, NULL, 0, 0, sizeof result, &r), &r, 1, NULL);
	expect_app("append: method 0xffff", call(audit_log, w, 0xffff, &in, sizeof in, caps, 1, CAPOS_XFER_COPY,
						 sizeof result, &r), &r, 1, NULL);
	ut_status("append: an answer that does not fit the result buffer",
		  call(audit_log, w, 0, &in, sizeof in, NULL, 0, 0, 4, &r), -CAPOS_ERANGE);
	status = call(audit_log, w, 0, &in, sizeof in, caps, CAPOS_XFER_MAX, CAPOS_XFER_COPY, sizeof result, &r);
	ut_check(status == 0 && r.len == 8 && r.cap_count == 0, "append: 16 capabilities passed along are dropped",
		 "status %d, %u bytes", status, r.len);
	check_every_byte();
	expect_app("read: no parameters", call(audit_read, rd, 0, NULL, 0, NULL, 0, 0, sizeof result, &r), &r, 1, NULL);
	expect_app("read: one short", call(audit_read, rd, 0, &after, 7, NULL, 0, 0, sizeof result, &r), &r, 1, NULL);
	expect_app("read: one past", call(audit_read, rd, 0, params, 9, NULL, 0, 0, sizeof result, &r), &r, 1, NULL);
	expect_app("read: method 0xffff", call(audit_read, rd, 0xffff, &after, 8, caps, 2, CAPOS_XFER_COPY,
					       sizeof result, &r), &r, 1, NULL);
	status = call(audit_read, rd, 0, &after, 8, caps, CAPOS_XFER_MAX, CAPOS_XFER_COPY, sizeof result, &r);
	ut_check(status == 0 && r.len == CAPOS_AUDIT_READER_READ_OUT_MIN && ((uint32_t *)result)[0] == 0 &&
		 ((uint32_t *)result)[1] == 0, "read: after the last seq there, with 16 capabilities: nothing, no more",
		 "status %d, %u bytes", status, r.len);
	after = 0;
	ut_status("read: records that do not fit the result buffer",
		  call(audit_read, rd, 0, &after, 8, NULL, 0, 0, CAPOS_AUDIT_READER_READ_OUT_MIN + 175, &r),
		  -CAPOS_ERANGE);
	check_serving("the audit attacks");
}

/*
 * Call visit for every record of the log, oldest first, until it answers
 * non-zero: 0 when every record was seen, visit's answer, or a negative
 * code when a read fails.
 */
static int audit_walk(int (*visit)(const struct capos_audit_record *rec, void *ctx), void *ctx)
{
	static struct capos_audit_reader_read_out out;
	uint64_t after = 0;

	do {
		struct capos_audit_reader_read_in in = { .after_seq = after };
		const struct capos_audit_record *rec = (const void *)out.records;
		uint32_t len = 0;
		int status = capos_audit_reader_read(capos_ring(), audit_read, &in, &out, &len);

		if (status)
			return status > 0 ? -CAPOS_EIO : status;
		if (out.count > CAPOS_AUDIT_READ_BATCH)
			return -CAPOS_ERANGE;
		for (uint32_t i = 0; i < out.count; i++) {
			int answer = visit(&rec[i], ctx);

			if (answer)
				return answer;
			after = rec[i].seq;
		}
	} while (out.more && out.count);
	return 0;
}

struct wanted_record {
	const char *event, *detail;   /* detail: a prefix */
};

static int is_wanted(const struct capos_audit_record *rec, void *ctx)
{
	const struct wanted_record *w = ctx;

	return strcmp(rec->event, w->event) == 0 && strncmp(rec->detail, w->detail, strlen(w->detail)) == 0;
}

/* Wait up to 2 s for a record of event whose detail starts with detail. */
static int await_record(const char *event, const char *detail)
{
	struct wanted_record w = { event, detail };

	for (int tries = 0; tries < 40; tries++) {
		if (audit_walk(is_wanted, &w) == 1)
			return 1;
		capos_sleep_ns(50 * UT_MS);
	}
	return 0;
}

/* --- the child: in a guest session of its own --- */

/* ShellLauncher.session_broker: the client of "broker" for session gs (what its shell would get), or 0. */
static uint32_t session_broker(uint32_t gs)
{
	struct capos_xfer x = { gs, CAPOS_XFER_COPY };
	struct capos_ipc_cap room;
	struct capos_ipc_reply r;
	int status = capos_ipc_call(launcher, CAPOS_IFACE_SHELL_LAUNCHER, CAPOS_SHELL_LAUNCHER_SESSION_BROKER, NULL, 0,
				    &x, 1, &room, sizeof room, &r);

	ut_check(status == 0 && r.cap_count == 1, "session_broker: the child's session's client of the broker",
		 "status %d", status);
	return status == 0 && r.cap_count == 1 ? r.caps[0].handle : 0;
}

static void check_child(void)
{
	uint32_t gs = login_guest(), proc = 0, reason = 99, own_broker = gs ? session_broker(gs) : 0;
	uint32_t caps[5] = { ut_cap("console"), own_broker, gs, ut_cap("capspace"), timer_cap };
	int64_t code = -1;
	int err = own_broker ? 0 : -CAPOS_EPEER;

	if (!err)
		err = capos_spawn("utest-services-hostile", "console broker session capspace timer thread=@thread vm=@vm",
				  "child", caps, 5, &proc, NULL);
	ut_status("spawn a child for a guest session", err, 0);
	capos_release(capos_ring(), own_broker);
	if (!err) {
		err = capos_process_wait(proc, &code, &reason);
		ut_check(err == 0 && code == 0 && reason == CAPOS_EXIT_NORMAL, "the child's checks pass",
			 "wait %d, code %lld, reason %u", err, (long long)code, reason);
		capos_release(capos_ring(), proc);
		refusals += CHILD_REFUSALS;
	}
	if (gs) {
		ut_check(await_record("logout", "session ended: 1 capabilities revoked"),
			 "the broker revokes the bundle of the session the child ended", "no such record");
		capos_release(capos_ring(), gs);     /* the child logged it out */
	}
	check_serving("the child's attacks");
}

static int child_upgrade(uint32_t session, uint32_t extra, uint32_t out_cap, struct capos_ipc_reply *r)
{
	uint32_t caps[2] = { session, extra };

	return broker_call(CAPOS_AUTHORITY_BROKER_UPGRADE, NULL, 0, caps, extra ? 2 : 1, CAPOS_XFER_COPY, out_cap, r);
}

/* 1 once the broker client has been cut: an unknown method (answered, never audited) fails as revoked. */
static int broker_cut(void)
{
	struct capos_ipc_reply r;

	return broker_call(0x7f, NULL, 0, NULL, 0, 0, 128, &r) == -CAPOS_EREVOKED;
}

static int echo_answers(uint32_t echo)
{
	struct capos_ipc_reply r;
	char answer[8];

	return call(echo, CAPOS_IFACE_ECHO, 0, "ping", 4, NULL, 0, 0, sizeof answer, &r);
}

static int run_child(void)
{
	struct capos_ipc_reply r;
	uint32_t session, dead, echo = 0;
	const uint32_t up_out = sizeof(struct capos_authority_broker_upgrade_out);
	int status;

	ut_init("utest-services-hostile child");
	broker = ut_cap("broker");
	session = ut_cap("session");
	null_cap = ut_cap("console");     /* any capability that is not a UserSession */
	dead = revoked_copy(session);
	expect_refused("upgrade: own session and one more", child_upgrade(session, null_cap, sizeof result, &r), &r,
		       "refused: pass only your UserSession");
	ut_status("upgrade: a revoked copy of the own session: the CALL fails",
		  child_upgrade(dead, 0, sizeof result, &r), -CAPOS_EREVOKED);
	ut_status("upgrade: no room for the bundle's capabilities", child_upgrade(session, 0, up_out, &r),
		  -CAPOS_ERANGE);
	status = child_upgrade(session, 0, sizeof result, &r);
	ut_check(status == 0 && r.cap_count == 1, "upgrade: after the failed answer the bundle can be had",
		 "status %d, %u caps", status, r.cap_count);
	if (status == 0 && r.cap_count == 1)
		echo = r.caps[0].handle;
	expect_refused("upgrade: a second while held", child_upgrade(session, 0, sizeof result, &r), &r,
		       "refused: the session already holds its bundle");
	ut_status("release: an answer that does not fit", broker_call(CAPOS_AUTHORITY_BROKER_RELEASE, NULL, 0, &session,
								       1, CAPOS_XFER_COPY, 2, &r), -CAPOS_ERANGE);
	ut_status("release: the bundle is revoked all the same", echo_answers(echo), -CAPOS_EREVOKED);
	status = child_upgrade(session, 0, sizeof result, &r);
	ut_check(status == 0 && r.cap_count == 1, "upgrade: again after the release", "status %d", status);
	echo = status == 0 && r.cap_count == 1 ? r.caps[0].handle : 0;   /* its end on logout: the client reads the audit */
	ut_status("logout of the own session", capos_user_session_logout(capos_ring(), session), 0);
	/*
	 * The broker sees the end at its own pace; it revokes the bundle, then
	 * the session's broker clients.  Wait for both (CapSpace.inspect of the
	 * client's CALLs fail with -CAPOS_EREVOKED once it is cut): a CALL made between
	 * the two would reach the broker's RECV and be audited as refused
	 * although it fails for the caller as revoked.  The probe is a method
	 * the broker answers without an audit record.
	 */
	for (int tries = 0; tries < 80 && (echo_answers(echo) != -CAPOS_EREVOKED || !broker_cut()); tries++)
		capos_sleep_ns(25 * UT_MS);
	ut_status("upgrade: from an ended session: its broker client is revoked",
		  child_upgrade(session, 0, sizeof result, &r), -CAPOS_EREVOKED);
	capos_release(capos_ring(), echo);
	capos_release(capos_ring(), dead);
	return ut_failures();
}

/* --- the services' processes --- */

struct service_proc {
	const char *name;
	uint32_t pid, caps, state;
};

#define SERVICE_PROCS { { .name = "audit" }, { .name = "sessiond" }, { .name = "broker" } }
static struct service_proc procs_seen[3] = SERVICE_PROCS;

/* Fill p[] from init's process registry ("procs"): 0, or a status / -CAPOS_ENOENT when one is not listed. */
static int list_services(struct service_proc *p)
{
	static struct capos_process_registry_list_out out;
	uint32_t after = 0, len, found = 0;
	int err;

	do {
		struct capos_process_registry_list_in in = { .after_pid = after };

		err = capos_process_registry_list(capos_ring(), ut_cap("procs"), &in, &out, &len);
		if (err || out.count > CAPOS_PROCINFO_BATCH)
			return err ? err : -CAPOS_EFORMAT;
		for (uint32_t i = 0; i < out.count; i++) {
			struct capos_procinfo_entry e;

			memcpy(&e, out.entries + i * sizeof e, sizeof e);
			after = e.pid;
			for (int k = 0; k < 3; k++)
				if (strcmp(e.name, p[k].name) == 0) {
					p[k].pid = e.pid;
					p[k].caps = e.caps;
					p[k].state = e.state;
					found |= 1u << k;
				}
		}
	} while (out.more);
	return found == 7 ? 0 : -CAPOS_ENOENT;
}

static void check_procs(void)
{
	struct service_proc now[3] = SERVICE_PROCS;
	int err = -CAPOS_ENOENT, same = 0;

	for (int tries = 0; tries < 20 && !same; tries++) {   /* the broker settles a session's end */
		err = list_services(now);
		same = !err;
		for (int k = 0; k < 3; k++)
			same &= now[k].pid == procs_seen[k].pid && now[k].state == CAPOS_PROCINFO_LIVE &&
				now[k].caps == procs_seen[k].caps;
		if (!same)
			capos_sleep_ns(50 * UT_MS);
	}
	ut_check(same, "audit, sessiond and broker are live under their pids, with no capability more",
		 "list %d: audit pid %u->%u caps %u->%u, sessiond pid %u->%u caps %u->%u, broker pid %u->%u caps %u->%u",
		 err, procs_seen[0].pid, now[0].pid, procs_seen[0].caps, now[0].caps, procs_seen[1].pid, now[1].pid,
		 procs_seen[1].caps, now[1].caps, procs_seen[2].pid, now[2].pid, procs_seen[2].caps, now[2].caps);
}

static int count_refused(const struct capos_audit_record *rec, void *ctx)
{
	*(unsigned *)ctx += strcmp(rec->event, "refused") == 0 && strstr(rec->detail, "(caller ") != NULL;
	return 0;
}

/* Every `refused` record of the log against the refusals provoked. */
static void check_refused_audited(void)
{
	unsigned seen = 0;
	int status = audit_walk(count_refused, &seen);

	ut_check(status == 0 && seen == refusals, "every broker and launcher refusal has its `refused` record",
		 "status %d, %u records for %u refusals", status, seen, refusals);
}

static int make_nulls(void)
{
	for (uint32_t i = 0; i < CAPOS_XFER_MAX; i++) {
		uint32_t revoker;
		int err = capos_cap_derive(null_cap, CAPOS_RIGHT_ALL, &nulls[i], &revoker);

		if (err)
			return err;
		capos_release(capos_ring(), revoker);
	}
	return 0;
}

static int run_client(void)
{
	ut_init("utest-services-hostile");
	sessions = ut_cap("sessions");
	broker = ut_cap("broker");
	launcher = ut_cap("launcher");
	audit_log = ut_cap("log");
	audit_read = ut_cap("read");
	terminal = ut_cap("terminal");
	null_cap = ut_cap("null");
	timer_cap = ut_cap("timer");
	ut_status("distinct copies of Null", make_nulls(), 0);
	check_serving("start");
	ut_status("the process registry lists audit, sessiond and broker", list_services(procs_seen), 0);
	attack_login();
	attack_status_and_methods();
	attack_broker();
	attack_launcher();
	attack_audit();
	check_child();
	attack_setup();
	check_refused_audited();
	check_procs();
	return ut_failures();
}

int main(int argc, char **argv)
{
	int failures;

	if (argc > 1 && strcmp(argv[1], "child") == 0)
		return run_child();
	failures = run_client();
	capos_printf("utest-services-hostile: %s\n", failures ? "FAILED" : "all checks passed");
	return failures;
}
