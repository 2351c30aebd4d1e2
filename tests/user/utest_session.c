/*
 * utest-session: sessions kept by sessiond (docs/sessions.md), run as a
 * service of tests/manifests/boot/session.yaml beside sessiond over
 * manifests/accounts (operator never expires, guest after 400 ms).  It
 * logs in and checks what the UserSession says (info, audit_context) and
 * what SessionManager.check says of it, which sessiond answers by
 * unwrapping the capability with Endpoint.identify: a forged UserSession
 * (a client of an endpoint of this test's speaking the interface), a
 * revoked copy, another kind of capability and a missing one are refused;
 * anonymous sessions are init's alone.  Then a session's end: logout
 * (once), wait_end at once after it, and expiry by sessiond's timer; a
 * cancelled wait_end and a holder killed with its wait_end pending leave
 * the session as it was.  One line per check, "utest-session: <what>: ok";
 * exit code = failures.
 *
 * Child mode "hold": starts a wait_end on "sess" and sleeps until killed.
 */
#include <string.h>
#include <capos/services.h>
#include <capos/session.h>
#include "utest_ipc.h"

#define rc capos_ring()
#define MS 1000000ull
#define GUEST_LIFETIME_MS 400ull
#define CAP_ROOM (8 + sizeof(struct capos_ipc_cap))

static uint32_t sessions;

/* ------------------------------------------------------------ helpers */

/* Log in: 0 with the UserSession, or the call's status. */
static int login(const char *user, const char *password, uint32_t *session)
{
	struct capos_session_manager_login_in in;
	static union {
		struct capos_session_manager_login_out out;
		uint8_t room[sizeof(struct capos_session_manager_login_out) + CAP_ROOM];
	} u;
	struct capos_ipc_reply r;
	int err;

	memset(&in, 0, sizeof in);
	strncpy(in.user, user, sizeof in.user - 1);
	in.password_len = (uint32_t)strlen(password);
	memcpy(in.password, password, in.password_len);
	*session = 0;
	err = capos_ipc_call(sessions, CAPOS_IFACE_SESSION_MANAGER, CAPOS_SESSION_MANAGER_LOGIN, &in,
			     CAPOS_SESSION_MANAGER_LOGIN_IN_MIN + in.password_len, NULL, 0, &u, sizeof u, &r);
	if (!err && r.cap_count == 1)
		*session = r.caps[0].handle;
	return err ? err : *session ? 0 : -CAPOS_EFORMAT;
}

/* SessionManager.check of cap (0: none passed): the call's status, *out filled on 0. */
static int check(uint32_t cap, struct capos_session_manager_check_out *out)
{
	struct capos_xfer x = { cap, CAPOS_XFER_COPY };
	struct capos_ipc_reply r;

	memset(out, 0, sizeof *out);
	return capos_ipc_call(sessions, CAPOS_IFACE_SESSION_MANAGER, CAPOS_SESSION_MANAGER_CHECK, NULL, 0,
			      cap ? &x : NULL, cap ? 1 : 0, out, sizeof *out, &r);
}

static uint32_t state_of(uint32_t s)
{
	struct capos_user_session_info_out info;
	int err = capos_user_session_info(rc, s, &info);

	return err ? 99 : info.state;
}

/* ------------------------------------------------------------ the tests */

static uint64_t test_info(uint32_t s)
{
	struct capos_user_session_info_out info;
	struct capos_user_session_audit_context_out ac;
	struct capos_session_manager_check_out c;
	uint32_t s2 = 0;
	int err = capos_user_session_info(rc, s, &info);

	ut_check(!err && strcmp(info.user, "operator") == 0 && strcmp(info.profile, "operator") == 0 &&
		 info.audit_id > CAPOS_SESSION_SYSTEM_AUDIT_ID && info.state == CAPOS_SESSION_LIVE &&
		 info.expires_ns == 0 && info.created_ns > 0,
		 "UserSession.info: labels, an audit id past the system's, live, no expiry",
		 "status %d, user %s, audit %llu, state %u", err, info.user, (unsigned long long)info.audit_id,
		 info.state);
	err = capos_user_session_audit_context(rc, s, &ac);
	ut_check(!err && ac.audit_id == info.audit_id && strcmp(ac.user, "operator") == 0,
		 "UserSession.audit_context: the same audit id and user", "status %d", err);
	err = login("operator", "capos", &s2);
	ut_status("a second login", err, 0);
	if (!err) {
		struct capos_user_session_info_out i2;

		ut_check(capos_user_session_info(rc, s2, &i2) == 0 && i2.audit_id > info.audit_id,
			 "a second session gets a later audit id", "%llu after %llu", (unsigned long long)i2.audit_id,
			 (unsigned long long)info.audit_id);
		ut_status("logout of the second session", capos_user_session_logout(rc, s2), 0);
		ut_check(state_of(s) == CAPOS_SESSION_LIVE, "the first session is still live", "state %u",
			 state_of(s));
		capos_release(rc, s2);
	}
	err = check(s, &c);
	ut_check(!err && c.audit_id == info.audit_id && strcmp(c.user, "operator") == 0 &&
		 strcmp(c.profile, "operator") == 0 && c.state == CAPOS_SESSION_LIVE && c.created_ns == info.created_ns,
		 "SessionManager.check of the session: its record", "status %d, audit %llu", err,
		 (unsigned long long)c.audit_id);
	return info.audit_id;
}

/* check unwraps the capability itself: nothing but a client of sessiond's session endpoint passes. */
static void test_check_hostile(uint32_t s, uint64_t audit)
{
	struct capos_session_manager_check_out c;
	uint32_t server = 0, forged = 0, copy = 0, rev = 0;
	uint32_t room[2];

	ipc_endpoint(CAPOS_IFACE_USER_SESSION, &server, &forged);
	ut_status("SessionManager.check of a forged UserSession (a client of another endpoint): -CAPOS_ETYPE",
		  check(forged, &c), -CAPOS_ETYPE);
	ut_status("SessionManager.check of a Null capability: -CAPOS_ETYPE", check(ut_cap("null"), &c),
		  -CAPOS_ETYPE);
	ut_status("SessionManager.check of sessiond's own client: -CAPOS_ETYPE", check(sessions, &c), -CAPOS_ETYPE);
	ut_status("SessionManager.check without a capability: -CAPOS_EINVAL", check(0, &c), -CAPOS_EINVAL);
	ut_status("CapSpace.derive of the session", capos_cap_derive(s, CAPOS_RIGHT_ALL, &copy, &rev), 0);
	ut_check(check(copy, &c) == 0 && c.audit_id == audit, "SessionManager.check of a revocable copy: the session",
		 "audit %llu", (unsigned long long)c.audit_id);
	ut_status("Revoker.revoke of the copy", capos_cap_revoke(rev), 0);
	ut_status("SessionManager.check of the revoked copy: -CAPOS_EREVOKED", check(copy, &c), -CAPOS_EREVOKED);
	ut_check(state_of(s) == CAPOS_SESSION_LIVE, "the session itself is untouched", "state %u", state_of(s));
	ut_status("SessionManager.anonymous from a caller that is not init: -CAPOS_EPERM",
		  capos_ipc_call(sessions, CAPOS_IFACE_SESSION_MANAGER, CAPOS_SESSION_MANAGER_ANONYMOUS, NULL, 0, NULL,
				 0, room, sizeof room, NULL), -CAPOS_EPERM);
	capos_release(rc, copy);
	capos_release(rc, rev);
	capos_release(rc, forged);
	capos_release(rc, server);
}

static void test_logout(uint32_t s)
{
	struct capos_user_session_wait_end_out end = { 99 };
	struct capos_session_manager_check_out c;

	ut_status("UserSession.logout", capos_user_session_logout(rc, s), 0);
	ut_status("a second logout: -CAPOS_ESESSION", capos_user_session_logout(rc, s), -CAPOS_ESESSION);
	ut_check(state_of(s) == CAPOS_SESSION_LOGGED_OUT, "info after logout: state LOGGED_OUT", "state %u",
		 state_of(s));
	ut_check(capos_user_session_wait_end(rc, s, &end) == 0 && end.state == CAPOS_SESSION_LOGGED_OUT,
		 "wait_end on an ended session completes at once with LOGGED_OUT", "state %u", end.state);
	ut_check(check(s, &c) == 0 && c.state == CAPOS_SESSION_LOGGED_OUT,
		 "SessionManager.check of the ended session: LOGGED_OUT", "state %u", c.state);
}

static void test_expiry(void)
{
	struct capos_user_session_wait_end_out end = { 99 };
	uint64_t t0 = capos_time_ns(), took;
	uint32_t s = 0;
	int err = login("guest", "guest", &s);
	struct capos_user_session_info_out info;

	ut_status("a guest login (its sessions expire after 400 ms)", err, 0);
	if (err)
		return;
	err = capos_user_session_info(rc, s, &info);
	ut_check(!err && info.expires_ns == info.created_ns + GUEST_LIFETIME_MS * MS && info.state == CAPOS_SESSION_LIVE,
		 "info: live, expiring 400 ms after its creation", "status %d, state %u", err, info.state);
	err = capos_user_session_wait_end(rc, s, &end);
	took = capos_time_ns() - t0;
	ut_check(!err && end.state == CAPOS_SESSION_EXPIRED && capos_time_ns() >= info.expires_ns && took < 5000 * MS,
		 "a 400 ms session: wait_end completes with EXPIRED after its lifetime", "status %d, state %u, %llu ms",
		 err, end.state, (unsigned long long)(took / MS));
	ut_check(state_of(s) == CAPOS_SESSION_EXPIRED, "info after expiry: state EXPIRED", "state %u", state_of(s));
	ut_status("logout of an expired session: -CAPOS_ESESSION", capos_user_session_logout(rc, s), -CAPOS_ESESSION);
	capos_release(rc, s);
}

/* A wait_end cancelled, and one whose holder is killed: the session carries on, then ends as usual. */
static void test_waiters(void)
{
	struct capos_user_session_wait_end_out end = { 99 };
	struct capos_completion c;
	uint64_t ud = 0;
	uint32_t s = 0, proc;
	int err = login("operator", "capos", &s);

	ut_status("a login for the waiters", err, 0);
	if (err)
		return;
	err = capos_user_session_wait_end_async(rc, s, &end, &ud);
	ut_status("a wait_end in flight", err, 0);
	ut_status("it waits", ipc_wait_op(ud, 20 * MS, &c), -CAPOS_ETIMEDOUT);
	capos_cancel(rc, ud);
	ut_status("the cancelled wait_end completes with -CAPOS_ECANCELED", ipc_wait_op(ud, 1000 * MS, &c),
		  -CAPOS_ECANCELED);
	proc = ipc_spawn("utest-session", "hold", "sess", &s, 1);
	capos_sleep_ns(50 * MS);   /* its wait_end reaches sessiond */
	if (proc) {
		ut_status("the holder is killed with its wait_end pending", capos_process_handle_kill(rc, proc), 0);
		ipc_wait(proc, &(int64_t){ 0 }, &(uint32_t){ 0 });
	}
	ut_check(state_of(s) == CAPOS_SESSION_LIVE, "the session is still live", "state %u", state_of(s));
	ut_status("logout after the cancelled wait_end and the holder's death", capos_user_session_logout(rc, s), 0);
	ut_check(state_of(s) == CAPOS_SESSION_LOGGED_OUT, "the session is LOGGED_OUT", "state %u", state_of(s));
	capos_release(rc, s);
}

static int hold_mode(void)
{
	struct capos_user_session_wait_end_out end;
	uint64_t ud = 0;

	ut_init("utest-session hold");
	capos_user_session_wait_end_async(rc, capos_cap_find("sess", NULL), &end, &ud);
	while (capos_sleep_ns(60000 * MS) == 0)
		;
	return 1;   /* the sleep failed: killed it was not */
}

int main(int argc, char **argv)
{
	uint32_t s = 0;
	uint64_t audit;
	int err;

	if (argc > 1 && strcmp(argv[1], "hold") == 0)
		return hold_mode();
	ut_init("utest-session");
	sessions = ut_cap("sessions");
	err = login("operator", "capos", &s);
	ut_status("SessionManager.login: a UserSession", err, 0);
	if (!err) {
		audit = test_info(s);
		test_check_hostile(s, audit);
		test_logout(s);
		capos_release(rc, s);
	}
	test_expiry();
	test_waiters();
	ut_note("%d failures", ut_failures());
	return ut_failures();
}
