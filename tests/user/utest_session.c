/*
 * utest-session: sessions carried by the kernel (docs/sessions.md).  Runs
 * as init (system session) holding "sessions", "spawner", "endpoints" and
 * "capspace".  It creates sessions and checks what their UserSession
 * handles say; spawns children of this same program with and without the
 * grant word @session and, serving an endpoint itself, reads the session
 * of each child from ProcessHandle.info while its CALL is in service; ends
 * sessions by logout and by expiry and checks that wait_end completes and
 * that CALLs from the ended session are refused with -CAPOS_ESESSION; and
 * tries hostile handles, a cancelled wait_end and a holder killed with its
 * wait_end pending.  One line per check, "utest-session: <what>: ok"; exit
 * code = failures.
 *
 * Child modes (argv[1]): "call" CALLs "ep" once and exits with the status;
 * "late N" waits for the end of "sess", expects state N, then CALLs "ep"
 * (expecting -CAPOS_ESESSION) and exits with its failure count; "hold"
 * starts a wait_end on "sess" and CALLs "ep", which is never answered (it
 * is killed there).
 */
#include <string.h>
#include <capos/session.h>
#include "utest_ipc.h"

#define rc capos_ring()
#define MS 1000000ull
#define YEAR_NS (365ull * 24 * 3600 * 1000000000ull)

static uint32_t sessions;

/* ------------------------------------------------------------ helpers */

static void label(char dst[CAPOS_SESSION_LABEL_MAX], const char *src)
{
	memset(dst, 0, CAPOS_SESSION_LABEL_MAX);
	memcpy(dst, src, strnlen(src, CAPOS_SESSION_LABEL_MAX));
}

static int create_raw(const struct capos_session_factory_create_in *in, uint32_t *s, uint64_t *audit)
{
	struct capos_session_factory_create_out out = { .session = 0 };
	int err = capos_session_factory_create(rc, sessions, in, &out);

	*s = err ? 0 : out.session;
	if (audit)
		*audit = err ? 0 : out.audit_id;
	return err;
}

static int create(const char *user, const char *profile, uint64_t lifetime, uint32_t *s, uint64_t *audit)
{
	struct capos_session_factory_create_in in = { .lifetime_ns = lifetime };

	label(in.user, user);
	label(in.profile, profile);
	return create_raw(&in, s, audit);
}

/* A session for a test; 0 (reported) when it cannot be made. */
static uint32_t new_session(const char *user, uint64_t lifetime)
{
	uint32_t s;
	int err = create(user, "user", lifetime, &s, NULL);

	if (err)
		ut_check(0, "SessionFactory.create", "%s: %d %s", user, err, capos_strerror(err));
	return s;
}

static uint32_t state_of(uint32_t s)
{
	struct capos_user_session_info_out info;
	int err = capos_user_session_info(rc, s, &info);

	return err ? 0xdead : info.state;
}

/* RECV one call of child proc within 5 s and echo it back: 0 and *session (its audit id), or a negative code. */
static int serve_one(uint32_t server, uint32_t proc, uint64_t *session)
{
	struct capos_process_handle_info_out info;
	static uint8_t buf[CAPOS_IPC_RECV_BUF(256)];
	struct capos_ipc_request req;
	struct capos_completion c;
	uint64_t ud;
	int err = ipc_recv_async(server, buf, sizeof buf, &ud);

	*session = 0;
	if (err)
		return err;
	err = ipc_wait_op(ud, 5 * IPC_S, &c);
	if (err == -CAPOS_ETIMEDOUT) {
		capos_cancel(rc, ud);
		ipc_wait_op(ud, CAPOS_TIMEOUT_INFINITE, &c);
	}
	if (err)
		return err;
	err = capos_ipc_parse_request(buf, c.result_len, c.aux, &req);
	if (err)
		return err;
	err = capos_process_handle_info(rc, proc, &info);   /* alive: its CALL waits for this answer */
	*session = err ? 0 : info.session;
	capos_ipc_return(req.token, req.params, req.params_len, NULL, 0);
	return err;
}

/* Spawn a child in mode "call" with "ep" = client and the extra names/caps; serve its call. */
static int child_session(uint32_t server, uint32_t client, const char *names, uint32_t extra0, uint32_t extra1,
			 uint64_t *session)
{
	uint32_t caps[3] = { client, extra0, extra1 };
	uint32_t n = 1 + (extra0 != 0) + (extra1 != 0);
	char grants[64];
	uint32_t proc;
	int err;

	capos_snprintf(grants, sizeof grants, "ep %s", names);
	proc = ipc_spawn("utest-session", "call", grants, caps, n);
	if (!proc)
		return -CAPOS_EINVAL;
	err = serve_one(server, proc, session);
	ipc_expect_exit("the calling child exits with its CALL's status, 0", proc, 0);
	return err;
}

/* capos_spawn of "call" with exactly these grants and caps: the status. */
static int spawn_status(const char *grants, const uint32_t *caps, uint32_t n)
{
	uint32_t proc = 0;
	int err = capos_spawn("utest-session", grants, "call", caps, n, &proc, NULL);

	if (!err) {
		capos_process_handle_kill(rc, proc);
		ipc_wait(proc, &(int64_t){ 0 }, &(uint32_t){ 0 });
	}
	return err;
}

/* ---------------------------------------------------------- the tests */

static void test_create(void)
{
	struct capos_user_session_info_out info;
	struct capos_user_session_audit_context_out ac;
	uint64_t before = capos_time_ns(), a1, a2;
	uint32_t s1, s2;
	int err = create("alice", "guest", 0, &s1, &a1);

	ut_check(!err && a1 > CAPOS_SESSION_SYSTEM_AUDIT_ID, "SessionFactory.create: a handle and an audit id past the system's",
		 "status %d, audit id %llu", err, (unsigned long long)a1);
	memset(&info, 0xee, sizeof info);
	err = capos_user_session_info(rc, s1, &info);
	ut_check(!err && strcmp(info.user, "alice") == 0 && strcmp(info.profile, "guest") == 0 && info.audit_id == a1 &&
			 info.state == CAPOS_SESSION_LIVE && info.expires_ns == 0 && info.processes == 0 &&
			 info.created_ns >= before && info.created_ns <= capos_time_ns(),
		 "UserSession.info: labels, audit id, live, no expiry, no processes",
		 "status %d: '%.32s' '%.32s' %llu state %u expires %llu processes %u", err, info.user, info.profile,
		 (unsigned long long)info.audit_id, info.state, (unsigned long long)info.expires_ns, info.processes);
	memset(&ac, 0xee, sizeof ac);
	err = capos_user_session_audit_context(rc, s1, &ac);
	ut_check(!err && ac.audit_id == a1 && strcmp(ac.user, "alice") == 0, "UserSession.audit_context: audit id and user",
		 "status %d: %llu '%.32s'", err, (unsigned long long)ac.audit_id, ac.user);
	err = create("bob_2", "op-x", 0, &s2, &a2);
	ut_check(!err && a2 == a1 + 1, "a second session gets the next audit id", "status %d: %llu after %llu", err,
		 (unsigned long long)a2, (unsigned long long)a1);
	capos_release(rc, s1);
	capos_release(rc, s2);
}

static void test_labels(void)
{
	struct capos_session_factory_create_in in = { .lifetime_ns = 0 };
	static const char *const bad[] = { "", "Alice", "a b", "a/b", "a.b", "caf\xc3\xa9" };
	char what[96];
	uint32_t s;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		capos_snprintf(what, sizeof what, "user label \"%s\" is refused", bad[i]);
		ut_status(what, create(bad[i], "guest", 0, &s, NULL), -CAPOS_EINVAL);
		capos_snprintf(what, sizeof what, "profile label \"%s\" is refused", bad[i]);
		ut_status(what, create("alice", bad[i], 0, &s, NULL), -CAPOS_EINVAL);
	}
	memset(in.user, 'a', sizeof in.user);  /* 32 characters: no NUL within the field */
	label(in.profile, "guest");
	ut_status("a user label of 32 characters without NUL is refused", create_raw(&in, &s, NULL), -CAPOS_EINVAL);
	memset(in.profile, 'b', sizeof in.profile);
	label(in.user, "alice");
	ut_status("a profile label of 32 characters without NUL is refused", create_raw(&in, &s, NULL), -CAPOS_EINVAL);
	in.user[31] = '\0';
	memset(in.user, 'a', 31);
	label(in.profile, "guest");
	ut_status("a label of 31 characters is accepted", create_raw(&in, &s, NULL), 0);
	capos_release(rc, s);
}

static void test_lifetime(void)
{
	struct capos_user_session_info_out info;
	uint32_t s;
	int err;

	ut_status("a lifetime over one year: -CAPOS_ERANGE", create("alice", "guest", YEAR_NS + 1, &s, NULL),
		  -CAPOS_ERANGE);
	ut_status("lifetime UINT64_MAX: -CAPOS_ERANGE", create("alice", "guest", UINT64_MAX, &s, NULL), -CAPOS_ERANGE);
	err = create("alice", "guest", YEAR_NS, &s, NULL);
	ut_status("a lifetime of exactly one year is accepted", err, 0);
	err = err ? err : capos_user_session_info(rc, s, &info);
	ut_check(!err && info.expires_ns == info.created_ns + YEAR_NS && info.state == CAPOS_SESSION_LIVE,
		 "info: expires_ns = created_ns + lifetime", "status %d: created %llu expires %llu", err,
		 (unsigned long long)info.created_ns, (unsigned long long)info.expires_ns);
	capos_release(rc, s);
}

/* Which session a child is in: fixed at creation by @session, else the spawner's. */
static void test_membership(uint32_t server, uint32_t client, uint32_t s)
{
	const uint64_t mine = CAPOS_SESSION_SYSTEM_AUDIT_ID;   /* this test runs as init */
	struct capos_user_session_info_out info;
	uint64_t seen = 0, sid;
	uint32_t copy = 0, revoker = 0;
	int err = capos_user_session_info(rc, s, &info);

	ut_status("UserSession.info of the session for the children", err, 0);
	sid = err ? 0 : info.audit_id;
	err = child_session(server, client, "@session", s, 0, &seen);
	ut_check(!err && seen == sid, "a child spawned with @session is in that session (ProcessHandle.info)",
		 "status %d, session %llu, want %llu", err, (unsigned long long)seen, (unsigned long long)sid);
	err = child_session(server, client, "", 0, 0, &seen);
	ut_check(!err && seen == mine, "a child spawned without @session is in the spawner's session",
		 "status %d, session %llu", err, (unsigned long long)seen);
	err = child_session(server, client, "sess", s, 0, &seen);
	ut_check(!err && seen == mine, "a child given the UserSession as a plain grant is still in the spawner's session",
		 "status %d, session %llu", err, (unsigned long long)seen);
	err = child_session(server, client, "@session n1", s, ut_cap("endpoints"), &seen);
	ut_check(!err && seen == sid, "@session between plain names takes the descriptor in its place",
		 "status %d, session %llu, want %llu", err, (unsigned long long)seen, (unsigned long long)sid);

	err = capos_cap_derive(s, CAPOS_RIGHT_ALL, &copy, &revoker);
	ut_status("derive a revocable copy of the UserSession", err, 0);
	ut_check(capos_user_session_info(rc, copy, &info) == 0 && info.state == CAPOS_SESSION_LIVE && info.audit_id == sid,
		 "UserSession.info through the copy: the same session", "failed");
	capos_cap_revoke(revoker);
	ut_status("UserSession.info on a revoked copy: -CAPOS_EREVOKED", capos_user_session_info(rc, copy, &info),
		  -CAPOS_EREVOKED);
	ut_status("@session naming a revoked copy: -CAPOS_EREVOKED",
		  spawn_status("@session", &copy, 1), -CAPOS_EREVOKED);
	capos_release(rc, copy);
	capos_release(rc, revoker);
}

/* @session and its descriptor, refused before anything is created. */
static void test_spawn_refusals(uint32_t s)
{
	uint32_t caps[2] = { s, ut_cap("null") };
	uint32_t ended = new_session("ended", 0);

	ut_status("@session naming a Null capability: -CAPOS_ETYPE", spawn_status("@session", &caps[1], 1),
		  -CAPOS_ETYPE);
	ut_status("@session twice: -CAPOS_EINVAL", spawn_status("@session @session", caps, 2), -CAPOS_EINVAL);
	ut_status("@session without its descriptor: -CAPOS_EINVAL", spawn_status("@session", NULL, 0), -CAPOS_EINVAL);
	ut_status("@session glued to a name: -CAPOS_EINVAL", spawn_status("@sessionx", caps, 1), -CAPOS_EINVAL);
	capos_user_session_logout(rc, ended);
	ut_status("@session naming an ended session: -CAPOS_ESESSION", spawn_status("@session", &ended, 1),
		  -CAPOS_ESESSION);
	capos_release(rc, ended);
}

/* A child counted in its session while it runs. */
static void test_process_count(uint32_t server, uint32_t client, uint32_t s)
{
	static uint8_t buf[CAPOS_IPC_RECV_BUF(256)];
	struct capos_user_session_info_out info;
	struct capos_ipc_request req;
	uint32_t caps[2] = { client, s };
	uint32_t proc = ipc_spawn("utest-session", "call", "ep @session", caps, 2);
	int err = capos_ipc_recv(server, buf, sizeof buf, &req);

	ut_check(!err && capos_user_session_info(rc, s, &info) == 0 && info.processes == 1,
		 "info.processes counts the child while it runs", "status %d, processes %u", err, info.processes);
	if (!err)
		capos_ipc_return(req.token, req.params, req.params_len, NULL, 0);
	ipc_expect_exit("the counted child exits 0", proc, 0);
	ut_check(capos_user_session_info(rc, s, &info) == 0 && info.processes == 0,
		 "info.processes is 0 once it has ended", "processes %u", info.processes);
}

/* A child in s waits for its end, then CALLs: the session ends with want. */
static uint32_t late_child(uint32_t client, uint32_t s, uint32_t want)
{
	uint32_t copy = 0, revoker = 0, proc;
	uint32_t caps[3] = { client, 0, s };
	char args[16];

	if (capos_cap_derive(s, CAPOS_RIGHT_ALL, &copy, &revoker)) {
		ut_check(0, "derive a second handle for the child", "failed");
		return 0;
	}
	caps[1] = copy;
	capos_snprintf(args, sizeof args, "late %u", want);
	proc = ipc_spawn("utest-session", args, "ep sess @session", caps, 3);
	capos_release(rc, copy);
	capos_release(rc, revoker);
	return proc;
}

static void test_logout(uint32_t server, uint32_t client)
{
	struct capos_user_session_wait_end_out end = { 99 };
	struct capos_endpoint_info_out ei;
	uint32_t s = new_session("carol", 0);
	uint32_t proc = late_child(client, s, CAPOS_SESSION_LOGGED_OUT);

	ut_status("UserSession.logout", capos_user_session_logout(rc, s), 0);
	ut_status("a second logout: -CAPOS_ESESSION", capos_user_session_logout(rc, s), -CAPOS_ESESSION);
	ut_check(state_of(s) == CAPOS_SESSION_LOGGED_OUT, "info after logout: state LOGGED_OUT", "state %u", state_of(s));
	ut_check(capos_user_session_wait_end(rc, s, &end) == 0 && end.state == CAPOS_SESSION_LOGGED_OUT,
		 "wait_end on an ended session completes at once with LOGGED_OUT", "state %u", end.state);
	ipc_expect_exit("the child in the session saw the end and was refused its CALL", proc, 0);
	ut_check(ipc_info(server, &ei) == 0 && ei.queued == 0 && ei.in_flight == 0,
		 "nothing reached the endpoint from the ended session", "queued %u in flight %u", ei.queued, ei.in_flight);
	capos_release(rc, s);
}

static void test_expiry(uint32_t client)
{
	struct capos_user_session_wait_end_out end = { 99 };
	uint64_t t0 = capos_time_ns();
	uint32_t s = new_session("dave", 50 * MS);
	int err = capos_user_session_wait_end(rc, s, &end);
	uint64_t took = capos_time_ns() - t0;
	uint32_t s2 = new_session("dave2", 500 * MS);  /* time for a child to start in it */
	uint32_t proc = late_child(client, s2, CAPOS_SESSION_EXPIRED);

	ut_check(!err && end.state == CAPOS_SESSION_EXPIRED && took >= 50 * MS && took < 5000 * MS,
		 "a 50 ms session: wait_end completes with EXPIRED after its lifetime", "status %d state %u after %llu ns",
		 err, end.state, (unsigned long long)took);
	ut_check(state_of(s) == CAPOS_SESSION_EXPIRED, "info after expiry: state EXPIRED", "state %u", state_of(s));
	ut_status("logout of an expired session: -CAPOS_ESESSION", capos_user_session_logout(rc, s), -CAPOS_ESESSION);
	ipc_expect_exit("the child in the expired session saw the end and was refused its CALL", proc, 0);
	ut_check(state_of(s2) == CAPOS_SESSION_EXPIRED, "the child's 500 ms session expired", "state %u", state_of(s2));
	capos_release(rc, s);
	capos_release(rc, s2);
}

static void test_hostile(uint32_t server)
{
	struct capos_user_session_info_out info;
	struct capos_user_session_audit_context_out ac;
	struct capos_user_session_wait_end_out end;
	uint32_t null = ut_cap("null"), stale = new_session("gone", 0);
	const struct {
		const char *name;
		uint32_t handle;
		int want;
	} h[] = { { "handle 0", 0, -CAPOS_EBADF }, { "a released handle", stale, -CAPOS_EBADF },
		  { "a Null handle", null, -CAPOS_ETYPE } };
	char what[96];

	capos_release(rc, stale);
	for (size_t i = 0; i < sizeof h / sizeof h[0]; i++) {
		capos_snprintf(what, sizeof what, "UserSession.info on %s", h[i].name);
		ut_status(what, capos_user_session_info(rc, h[i].handle, &info), h[i].want);
		capos_snprintf(what, sizeof what, "UserSession.audit_context on %s", h[i].name);
		ut_status(what, capos_user_session_audit_context(rc, h[i].handle, &ac), h[i].want);
		capos_snprintf(what, sizeof what, "UserSession.logout on %s", h[i].name);
		ut_status(what, capos_user_session_logout(rc, h[i].handle), h[i].want);
		capos_snprintf(what, sizeof what, "UserSession.wait_end on %s", h[i].name);
		ut_status(what, capos_user_session_wait_end(rc, h[i].handle, &end), h[i].want);
	}
	ut_status("UserSession.info on an Endpoint: -CAPOS_ETYPE", capos_user_session_info(rc, server, &info),
		  -CAPOS_ETYPE);
	ut_status("SessionFactory.create on a Null handle: -CAPOS_ETYPE",
		  capos_session_factory_create(rc, null, &(struct capos_session_factory_create_in){ .user = "a", .profile = "b" },
					       &(struct capos_session_factory_create_out){ .session = 0 }),
		  -CAPOS_ETYPE);
}

static void test_cancel(void)
{
	struct capos_user_session_wait_end_out end = { 99 };
	struct capos_completion c;
	uint32_t s = new_session("erin", 0);
	uint64_t ud = 0;
	int err = capos_user_session_wait_end_async(rc, s, &end, &ud);

	ut_check(!err && ipc_wait_op(ud, 20 * MS, &c) == -CAPOS_ETIMEDOUT, "wait_end on a live session stays pending",
		 "status %d", err);
	ut_status("CANCEL of the pending wait_end", capos_cancel(rc, ud), 0);
	ut_status("the cancelled wait_end completes with -CAPOS_ECANCELED", ipc_wait_op(ud, 5 * IPC_S, &c),
		  -CAPOS_ECANCELED);
	ut_status("logout after the cancelled wait_end", capos_user_session_logout(rc, s), 0);
	capos_release(rc, s);
}

/* The holder is killed with wait_end pending: its session and its wait go cleanly. */
static void test_holder_dies(uint32_t server, uint32_t client)
{
	static uint8_t buf[CAPOS_IPC_RECV_BUF(256)];
	struct capos_ipc_request req;
	uint32_t s = new_session("frank", 0);
	uint32_t caps[2] = { client, s };
	uint32_t proc = ipc_spawn("utest-session", "hold", "ep sess", caps, 2);
	int64_t code;
	uint32_t reason;
	int err = capos_ipc_recv(server, buf, sizeof buf, &req);

	ut_status("the holding child has its wait_end pending and calls", err, 0);
	capos_process_handle_kill(rc, proc);
	err = ipc_wait(proc, &code, &reason);
	ut_check(!err && reason == CAPOS_EXIT_KILLED, "the holder is killed with its wait_end pending",
		 "status %d reason %u", err, reason);
	ut_status("the held call's RETURN: -CAPOS_EPEER", capos_ipc_return(req.token, NULL, 0, NULL, 0), -CAPOS_EPEER);
	ut_status("logout after the holder died", capos_user_session_logout(rc, s), 0);
	ut_check(state_of(s) == CAPOS_SESSION_LOGGED_OUT, "the session is LOGGED_OUT", "state %u", state_of(s));
	capos_release(rc, s);
}

/* ------------------------------------------------------------ children */

static int call_ep(void)
{
	char out[8];

	return capos_ipc_call(capos_cap_find("ep", NULL), PING_IFACE, PING_ECHO, "hi", 3, NULL, 0, out, sizeof out,
			      NULL);
}

static int late_mode(uint32_t want)
{
	struct capos_user_session_wait_end_out end = { 99 };
	int err;

	ut_init("utest-session child");
	err = capos_user_session_wait_end(rc, capos_cap_find("sess", NULL), &end);
	ut_check(!err && end.state == want, "wait_end completes with the ending state", "status %d state %u", err,
		 end.state);
	ut_status("a CALL from the ended session: -CAPOS_ESESSION", call_ep(), -CAPOS_ESESSION);
	return ut_failures();
}

static int hold_mode(void)
{
	struct capos_user_session_wait_end_out end;
	uint64_t ud;

	capos_user_session_wait_end_async(rc, capos_cap_find("sess", NULL), &end, &ud);
	return call_ep();  /* never answered: killed here */
}

int main(int argc, char **argv)
{
	uint32_t server, client, s;

	if (argc > 1 && strcmp(argv[1], "call") == 0)
		return call_ep();
	if (argc > 2 && strcmp(argv[1], "late") == 0)
		return late_mode((uint32_t)(argv[2][0] - '0'));
	if (argc > 1 && strcmp(argv[1], "hold") == 0)
		return hold_mode();
	ut_init("utest-session");
	sessions = ut_cap("sessions");
	test_create();
	test_labels();
	test_lifetime();
	ipc_endpoint(PING_IFACE, &server, &client);
	s = new_session("alice", 0);
	test_membership(server, client, s);
	test_spawn_refusals(s);
	test_process_count(server, client, s);
	test_logout(server, client);
	test_expiry(client);
	test_hostile(server);
	test_cancel();
	test_holder_dies(server, client);
	capos_release(rc, s);
	ut_note("%d failures", ut_failures());
	return ut_failures();
}
