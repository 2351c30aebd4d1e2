/*
 * The session services end to end (docs/sessions.md), under the manifests
 * tests/manifests/boot/sessions*.yaml with the real audit, sessiond and
 * broker.  Modes (the first argument):
 *
 *   (none)  the client, in the system session: a wrong password answers
 *           "login incorrect" after the delay; the right one gives a guest
 *           UserSession; the broker refuses an upgrade with a session the
 *           caller is not in, and launches with a profile mismatch, an
 *           extra capability or wrong interfaces; a launch that passes the
 *           checks starts `shell` when the boot package has one; a child
 *           started for the guest session with the broker client
 *           ShellLauncher.session_broker gives for it upgrades (mode
 *           child); the
 *           session's logout ends it for the launcher too; the audit log
 *           holds the events and never the password; setup is closed.
 *           While a failed login's answer waits (the second failure:
 *           500 ms), another login from the client gets error 2 at once,
 *           and a child in another session (mode peer), calling through
 *           the manifest's second import of sessiond ("sessions-peer", a
 *           badge of its own), has its status and a login answered before
 *           that failure's answer arrives.
 *   child   for the guest session (its broker client and UserSession): upgrade gets the bundle (echo), a second
 *           upgrade is refused, the copy works, release revokes it.
 *   peer    for a fresh guest session: status and a guest login answer.
 *   setup   under accounts-nooperator: setup adds a volatile operator
 *           account, which logs in; then setup is closed.
 */
#include <string.h>
#include <capos/audit.h>
#include <capos/bootfiles.h>
#include <capos/ipc.h>
#include <capos/services.h>
#include <capos/session.h>
#include "utest.h"

#define WRONG_PASSWORD "not-the-password"
/* Room after a reply for the capabilities it brings (capos_ipc_caps_offset). */
#define CAP_ROOM (CAPOS_XFER_MAX * sizeof(struct capos_ipc_cap) + 8)

static uint8_t answer[sizeof(struct capos_app_error) + CAPOS_APP_ERROR_MESSAGE_MAX];  /* setup's: none or an error */

static uint32_t sessions, broker, launcher;

/* Did a call end in application error code with exactly message? */
static void check_app_error(const char *what, int status, const struct capos_ipc_reply *r, int32_t code,
			    const char *message)
{
	size_t len = strlen(message);
	int ok = status == CAPOS_STATUS_APP_ERROR && r->app_code == code && r->app_message_len == len &&
		 memcmp(r->app_message, message, len) == 0;

	ut_check(ok, what, "status %d, code %d, message '%.*s'", status, status == CAPOS_STATUS_APP_ERROR ? r->app_code : 0,
		 status == CAPOS_STATUS_APP_ERROR ? (int)r->app_message_len : 0,
		 status == CAPOS_STATUS_APP_ERROR ? r->app_message : "");
}

static int login(const char *user, const char *password, char *profile, struct capos_ipc_reply *r)
{
	struct capos_session_manager_login_in in;
	static union {
		struct capos_session_manager_login_out out;
		uint8_t room[sizeof(struct capos_session_manager_login_out) + CAP_ROOM];
	} u;
	struct capos_session_manager_login_out *out = &u.out;
	int status;

	memset(&in, 0, sizeof in);
	strncpy(in.user, user, sizeof in.user - 1);
	in.password_len = (uint32_t)strlen(password);
	memcpy(in.password, password, in.password_len);
	status = capos_ipc_call(sessions, CAPOS_IFACE_SESSION_MANAGER, CAPOS_SESSION_MANAGER_LOGIN, &in,
				CAPOS_SESSION_MANAGER_LOGIN_IN_MIN + in.password_len, NULL, 0, &u, sizeof u, r);
	if (profile)
		memcpy(profile, out->profile, sizeof out->profile);
	return status;
}

static int upgrade(uint32_t session, struct capos_authority_broker_upgrade_out *out, struct capos_ipc_reply *r)
{
	static uint8_t buf[sizeof *out + CAP_ROOM] __attribute__((aligned(8)));
	struct capos_xfer x = { session, CAPOS_XFER_COPY };
	int status = capos_ipc_call(broker, CAPOS_IFACE_AUTHORITY_BROKER, CAPOS_AUTHORITY_BROKER_UPGRADE, NULL, 0,
				    &x, 1, buf, sizeof buf, r);

	memcpy(out, buf, sizeof *out);
	return status;
}

static int launch(const char *profile, const uint32_t *caps, uint16_t n, struct capos_ipc_reply *r,
		  struct capos_shell_launcher_launch_out *out)
{
	static uint8_t buf[sizeof *out + CAP_ROOM] __attribute__((aligned(8)));
	struct capos_shell_launcher_launch_in in;
	struct capos_xfer x[4];
	int status;

	memset(&in, 0, sizeof in);
	strncpy(in.profile, profile, sizeof in.profile - 1);
	for (uint16_t i = 0; i < n; i++)
		x[i] = (struct capos_xfer){ caps[i], CAPOS_XFER_COPY };
	status = capos_ipc_call(launcher, CAPOS_IFACE_SHELL_LAUNCHER, CAPOS_SHELL_LAUNCHER_LAUNCH, &in,
				sizeof in, x, n, buf, sizeof buf, r);
	memcpy(out, buf, sizeof *out);
	return status;
}

/* --- mode child: inside the guest session --- */

static int run_child(void)
{
	struct capos_authority_broker_upgrade_out out;
	struct capos_authority_broker_release_out rel;
	struct capos_ipc_reply r;
	uint32_t session = ut_cap("session"), echo = 0;
	char answer[16];
	int status;

	ut_init("utest-sessions child");
	broker = ut_cap("broker");
	status = upgrade(session, &out, &r);
	ut_status("upgrade from inside the session", status, 0);
	ut_check(status == 0 && strcmp(out.profile, "guest") == 0 && strcmp(out.names, "echo") == 0 &&
		 r.cap_count == 1, "the guest bundle: profile guest, names 'echo', one capability",
		 "profile '%s', names '%s', %u capabilities", out.profile, out.names, r.cap_count);
	if (status == 0 && r.cap_count == 1)
		echo = r.caps[0].handle;
	check_app_error("a second upgrade while the bundle is held is refused", upgrade(session, &out, &r), &r,
			1, "refused: the session already holds its bundle");
	memset(answer, 0, sizeof answer);
	status = capos_ipc_call(echo, CAPOS_IFACE_ECHO, 0, "ping", 4, NULL, 0, answer, sizeof answer, &r);
	ut_check(status == 0 && r.len == 4 && memcmp(answer, "ping", 4) == 0, "the bundle's echo answers",
		 "status %d, %u bytes", status, r.len);
	memset(&rel, 0, sizeof rel);
	{
		struct capos_xfer x = { session, CAPOS_XFER_COPY };

		status = capos_ipc_call(broker, CAPOS_IFACE_AUTHORITY_BROKER, CAPOS_AUTHORITY_BROKER_RELEASE,
					NULL, 0, &x, 1, &rel, sizeof rel, &r);
	}
	ut_check(status == 0 && rel.revoked == 1, "release revokes the bundle", "status %d, revoked %u",
		 status, rel.revoked);
	status = capos_ipc_call(echo, CAPOS_IFACE_ECHO, 0, "ping", 4, NULL, 0, answer, sizeof answer, &r);
	ut_status("the released echo answers revoked", status, -CAPOS_EREVOKED);
	return ut_failures();
}

/* --- mode peer: another caller of sessiond, from a fresh guest session --- */

static int run_peer(void)
{
	struct capos_session_manager_status_out st;
	struct capos_ipc_reply r;
	char profile[32];
	int status;

	ut_init("utest-sessions peer");
	sessions = ut_cap("sessions");
	status = capos_session_manager_status(capos_ring(), sessions, &st);
	ut_check(status == 0 && st.accounts == 2, "status answers while another caller's failure waits",
		 "status %d, %u accounts", status, st.accounts);
	status = login("guest", "guest", profile, &r);
	ut_check(status == 0 && strcmp(profile, "guest") == 0 && r.cap_count == 1,
		 "a guest login answers while another caller's failure waits", "status %d", status);
	if (status == 0 && r.cap_count == 1) {
		ut_status("logout of the peer's login", capos_user_session_logout(capos_ring(), r.caps[0].handle), 0);
		capos_release(capos_ring(), r.caps[0].handle);
	}
	return ut_failures();
}

/* --- the client --- */

static uint32_t check_logins(void)
{
	struct capos_ipc_reply r;
	char profile[32];
	uint64_t t0 = capos_time_ns(), took;
	int status = login("guest", WRONG_PASSWORD, NULL, &r);

	took = capos_time_ns() - t0;
	check_app_error("a wrong password: login incorrect", status, &r, 1, "login incorrect");
	ut_check(took >= 240 * UT_MS, "the failure is answered after the delay (250 ms)", "took %llu ms",
		 (unsigned long long)(took / UT_MS));
	check_app_error("an unknown name: the same answer", login("nobody", "guest", NULL, &r), &r, 1,
			"login incorrect");
	check_app_error("a malformed name: the same answer", login("No Body", "guest", NULL, &r), &r, 1,
			"login incorrect");
	status = login("guest", "guest", profile, &r);
	ut_check(status == 0 && strcmp(profile, "guest") == 0 && r.cap_count == 1 &&
		 r.caps[0].iface == CAPOS_IFACE_USER_SESSION, "the right password: a guest UserSession",
		 "status %d, profile '%.31s', %u capabilities", status, status == 0 ? profile : "", r.cap_count);
	return status == 0 && r.cap_count == 1 ? r.caps[0].handle : 0;
}

/* A wrong-password login submitted without waiting: its user_data, or 0. */
static uint64_t login_wrong_async(void *out, uint32_t out_cap)
{
	static struct capos_session_manager_login_in in;   /* stays valid while the CALL is in flight */
	uint64_t ud = 0;

	memset(&in, 0, sizeof in);
	strcpy(in.user, "guest");
	in.password_len = sizeof WRONG_PASSWORD - 1;
	memcpy(in.password, WRONG_PASSWORD, in.password_len);
	if (capos_call_async(capos_ring(), sessions, CAPOS_IFACE_SESSION_MANAGER, CAPOS_SESSION_MANAGER_LOGIN, &in,
			     CAPOS_SESSION_MANAGER_LOGIN_IN_MIN + in.password_len, out, out_cap, &ud))
		return 0;
	return ud;
}

/*
 * Run the peer child in session ps to its end: did all its checks pass?
 * It calls sessiond through "sessions-peer", the manifest's second import
 * of the export, whose badge makes it a caller of its own.
 */
static int run_peer_child(uint32_t ps)
{
	uint32_t caps[2] = { ut_cap("console"), ut_cap("sessions-peer") }, proc = 0, reason = 99;
	int64_t code = -1;
	int err = capos_spawn("utest-sessions", "console sessions thread=@thread vm=@vm", "peer", caps, 2, &proc,
			      NULL);

	(void)ps;   /* the peer acts for that session: a process is in no session the kernel knows */
	ut_status("spawn a peer child for a fresh guest session", err, 0);
	if (err)
		return 0;
	err = capos_process_wait(proc, &code, &reason);
	capos_release(capos_ring(), proc);
	return err == 0 && code == 0 && reason == CAPOS_EXIT_NORMAL;
}

/* Has the CALL ud completed?  Looks without waiting; the first completion seen is kept in *c. */
static int call_done(uint64_t ud, struct capos_completion *c, int *done)
{
	if (!*done)
		*done = capos_ring_wait(capos_ring(), ud, 0, c) == 0;
	return *done;
}

/*
 * The failure delay holds up only its caller.  The order is proved by
 * completions: when the peer child has exited with its status and login
 * answered, the client's waiting failure has not completed yet; it then
 * arrives as "login incorrect", no sooner than its delay.
 */
static void check_delay_not_blocking(void)
{
	static uint8_t out[sizeof(struct capos_app_error) + CAPOS_APP_ERROR_MESSAGE_MAX] __attribute__((aligned(8)));
	const struct capos_app_error *e = (const void *)out;
	struct capos_completion c = { 0 };
	struct capos_ipc_reply r;
	uint64_t t0, ud, t_busy, t_peer, t_fail;
	int status = login("guest", "guest", NULL, &r), peer_ok, waiting, done = 0;
	uint32_t ps = status == 0 && r.cap_count == 1 ? r.caps[0].handle : 0;

	ut_check(ps != 0, "a fresh guest session for the peer", "status %d", status);
	if (!ps)
		return;
	check_app_error("a first failure (250 ms)", login("guest", WRONG_PASSWORD, NULL, &r), &r, 1,
			"login incorrect");
	t0 = capos_time_ns();
	ud = login_wrong_async(out, sizeof out);
	ut_check(ud != 0, "a second failure submitted without waiting (500 ms)", "not submitted");
	if (!ud)
		goto out;
	status = login("guest", "guest", NULL, &r);
	check_app_error("another login while the failure waits: error 2 at once", status, &r, 2,
			"a login from this session is already waiting");
	if (status == 0 && r.cap_count == 1)     /* a server that let it through: end what it gave */
		capos_user_session_logout(capos_ring(), r.caps[0].handle);
	t_busy = capos_time_ns() - t0;
	waiting = !call_done(ud, &c, &done);
	ut_check(waiting, "error 2 came before the waiting failure's answer", "the failure came first");
	peer_ok = run_peer_child(ps);
	t_peer = capos_time_ns() - t0;
	waiting = !call_done(ud, &c, &done);
	ut_check(peer_ok, "the peer child's status and login were answered", "its checks failed");
	ut_check(peer_ok && waiting, "the peer was answered before the waiting failure",
		 "peer %s, the failure %s (peer done at %llu ms)", peer_ok ? "ok" : "failed",
		 waiting ? "still waiting" : "already answered", (unsigned long long)(t_peer / UT_MS));
	status = done ? 0 : capos_ring_wait(capos_ring(), ud, CAPOS_TIMEOUT_INFINITE, &c);
	t_fail = capos_time_ns() - t0;     /* no earlier than it arrived */
	ut_check(status == 0 && c.status == CAPOS_STATUS_APP_ERROR && c.result_len == sizeof *e + 15 &&
		 e->code == 1 && e->message_len == 15 && memcmp(e->message, "login incorrect", 15) == 0,
		 "then the waiting failure: login incorrect", "wait %d, status %d, %u bytes", status, c.status,
		 c.result_len);
	ut_check(t_fail >= 490 * UT_MS, "after its delay (500 ms)", "took %llu ms",
		 (unsigned long long)(t_fail / UT_MS));
	ut_note("error 2 at %llu ms, peer done at %llu ms, failure answered at %llu ms",
		(unsigned long long)(t_busy / UT_MS), (unsigned long long)(t_peer / UT_MS),
		(unsigned long long)(t_fail / UT_MS));
out:
	capos_user_session_logout(capos_ring(), ps);
	capos_release(capos_ring(), ps);
}

static void check_refusals(uint32_t gs, uint32_t terminal, uint32_t console)
{
	struct capos_authority_broker_upgrade_out out;
	struct capos_shell_launcher_launch_out lo;
	struct capos_ipc_reply r;
	uint32_t caps[3] = { gs, terminal, console };
	uint32_t swapped[2] = { terminal, gs };

	check_app_error("upgrade with a session the caller is not in is refused", upgrade(gs, &out, &r), &r, 1,
			"refused: not the caller's own session");
	check_app_error("launch with a profile mismatch is refused", launch("operator", caps, 2, &r, &lo), &r, 1,
			"refused: profile mismatch");
	check_app_error("launch with an extra capability is refused", launch("guest", caps, 3, &r, &lo), &r, 1,
			"refused: only a session and a terminal may be passed");
	check_app_error("launch with the session alone is refused", launch("guest", caps, 1, &r, &lo), &r, 1,
			"refused: only a session and a terminal may be passed");
	check_app_error("launch with the interfaces swapped is refused", launch("guest", swapped, 2, &r, &lo),
			&r, 1, "refused: want a UserSession and a TerminalSession");
}

static int have_shell(void)
{
	const void *data;
	uint64_t size;
	uint32_t kind;

	return capos_bootfile_find("shell", &data, &size, &kind) == 0;
}

static void check_launched(int status, const struct capos_ipc_reply *rp);

/*
 * A launch that passes the checks, in a session of its own: the shell it
 * starts may upgrade before it is killed, and the child's upgrade in the
 * first session must not meet that bundle.
 */
static void check_launch(uint32_t terminal)
{
	struct capos_shell_launcher_launch_out lo = { 0 };
	struct capos_ipc_reply r;
	uint32_t caps[2] = { 0, terminal };
	int status = login("guest", "guest", NULL, &r);

	ut_check(status == 0 && r.cap_count == 1, "a second guest login for the launch", "status %d", status);
	if (status || r.cap_count != 1)
		return;
	caps[0] = r.caps[0].handle;
	status = launch("guest", caps, 2, &r, &lo);
	check_launched(status, &r);
	ut_status("logout ends the launched shell's session", capos_user_session_logout(capos_ring(), caps[0]), 0);
	capos_release(capos_ring(), caps[0]);
}

/* What the checked launch answered: the shell started, or no shell to start. */
static void check_launched(int status, const struct capos_ipc_reply *rp)
{
	struct capos_ipc_reply r = *rp;

	if (!have_shell()) {
		ut_note("no shell in the boot package: a checked launch fails to start it");
		check_app_error("launch without a shell binary", status, &r, 2, "launch: cannot start the shell");
		return;
	}
	ut_check(status == 0 && r.cap_count == 1 && r.caps[0].iface == CAPOS_IFACE_PROCESS_HANDLE,
		 "launch starts the shell in the session", "status %d, %u capabilities", status, r.cap_count);
	if (status == 0 && r.cap_count == 1) {
		capos_process_handle_kill(capos_ring(), r.caps[0].handle);
		capos_release(capos_ring(), r.caps[0].handle);
	}
}

/* ShellLauncher.session_broker: the client of "broker" badged for session gs, or 0 (reported). */
static uint32_t session_broker(uint32_t gs)
{
	struct capos_xfer x = { gs, CAPOS_XFER_COPY };
	struct capos_ipc_cap room;
	struct capos_ipc_reply r;
	int status = capos_ipc_call(launcher, CAPOS_IFACE_SHELL_LAUNCHER, CAPOS_SHELL_LAUNCHER_SESSION_BROKER, NULL, 0,
				    &x, 1, &room, sizeof room, &r);

	ut_check(status == 0 && r.cap_count == 1, "session_broker: the guest session's client of the broker",
		 "status %d, %u capabilities", status, status == 0 ? r.cap_count : 0);
	return status == 0 && r.cap_count == 1 ? r.caps[0].handle : 0;
}

/*
 * The child runs in the guest session with the broker client launched
 * processes of that session get; the client is returned (0 on failure) so
 * that the session's end can be seen to revoke it.
 */
static uint32_t check_child(uint32_t gs)
{
	uint32_t proc = 0, reason = 99, own_broker = session_broker(gs);
	uint32_t caps[3] = { ut_cap("console"), own_broker, gs };
	int64_t code = -1;
	int err = own_broker ? 0 : -CAPOS_ENOENT;

	if (!err)
		err = capos_spawn("utest-sessions", "console broker session thread=@thread vm=@vm", "child", caps, 3,
				  &proc, NULL);
	ut_status("spawn a child for the guest session", err, 0);
	if (err)
		return own_broker;
	err = capos_process_wait(proc, &code, &reason);
	ut_check(err == 0 && code == 0 && reason == CAPOS_EXIT_NORMAL, "the child's checks pass",
		 "wait %d, code %lld, reason %u", err, (long long)code, reason);
	capos_release(capos_ring(), proc);
	return own_broker;
}

/* Once session gs has ended, the broker revokes its clients: own_broker answers -CAPOS_EREVOKED. */
static void check_client_revoked(uint32_t own_broker, uint32_t gs)
{
	static uint8_t buf[sizeof(struct capos_authority_broker_upgrade_out) + CAP_ROOM] __attribute__((aligned(8)));
	struct capos_xfer x = { gs, CAPOS_XFER_COPY };
	struct capos_ipc_reply r;
	int status = 0;

	for (int tries = 0; tries < 40 && status != -CAPOS_EREVOKED; tries++) {
		/* the broker's revocation follows the session's end at its own pace */
		status = capos_ipc_call(own_broker, CAPOS_IFACE_AUTHORITY_BROKER, CAPOS_AUTHORITY_BROKER_UPGRADE, NULL,
					0, &x, 1, buf, sizeof buf, &r);
		if (status != -CAPOS_EREVOKED)
			capos_sleep_ns(50 * UT_MS);
	}
	ut_status("the session's end revokes its broker client", status, -CAPOS_EREVOKED);
	capos_release(capos_ring(), own_broker);
}

/* Every record; checks the events wanted are there and the wrong password is not. */
static void check_audit(void)
{
	static const char *const want[] = { "login-fail", "login-ok", "upgrade", "refused", "logout" };
	static struct capos_audit_reader_read_out out;
	int seen[5] = { 0 }, leaked = 0, status = 0;
	uint32_t read = ut_cap("read"), records = 0;
	uint64_t after = 0;

	do {
		const struct capos_audit_record *rec = (const void *)out.records;
		uint32_t len = 0;
		struct capos_audit_reader_read_in in = { .after_seq = after };

		status = capos_audit_reader_read(capos_ring(), read, &in, &out, &len);
		if (status || out.count > CAPOS_AUDIT_READ_BATCH ||
		    len != CAPOS_AUDIT_READER_READ_OUT_MIN + out.count * sizeof *rec)
			break;
		for (uint32_t i = 0; i < out.count; i++, records++) {
			for (int w = 0; w < 5; w++)
				seen[w] |= strcmp(rec[i].event, want[w]) == 0;
			leaked |= strstr(rec[i].detail, WRONG_PASSWORD) != NULL ||
				  strstr(rec[i].user, WRONG_PASSWORD) != NULL;
			after = rec[i].seq;
		}
	} while (out.more);
	ut_check(status == 0 && records > 0, "the audit log reads", "status %d, %u records", status, records);
	for (int w = 0; w < 5; w++)
		ut_check(seen[w], want[w], "no '%s' record among %u", want[w], records);
	ut_check(!leaked, "no record holds the password", "it does");
}

static void check_setup_closed(void)
{
	struct capos_session_manager_status_out st;
	struct capos_session_manager_setup_in in;
	struct capos_ipc_reply r;
	int status = capos_session_manager_status(capos_ring(), sessions, &st);

	ut_check(status == 0 && st.accounts == 2 && st.operators == 1 && st.setup_open == 0,
		 "status: 2 accounts, 1 operator, setup closed", "status %d: %u %u %u", status, st.accounts,
		 st.operators, st.setup_open);
	memset(&in, 0, sizeof in);
	strcpy(in.user, "intruder");
	in.password_len = 6;
	memcpy(in.password, "secret", 6);
	status = capos_ipc_call(sessions, CAPOS_IFACE_SESSION_MANAGER, CAPOS_SESSION_MANAGER_SETUP, &in,
				CAPOS_SESSION_MANAGER_SETUP_IN_MIN + 6, NULL, 0, answer, sizeof answer, &r);
	check_app_error("setup while an operator exists is refused", status, &r, 1,
			"setup is closed: an operator account exists");
}

static int run_client(void)
{
	struct capos_shell_launcher_launch_out lo;
	struct capos_ipc_reply r;
	uint32_t terminal, console, gs, caps[2], own_broker;

	ut_init("utest-sessions");
	sessions = ut_cap("sessions");
	broker = ut_cap("broker");
	launcher = ut_cap("launcher");
	terminal = ut_cap("terminal");
	console = ut_cap("console");
	gs = check_logins();
	if (!gs)
		return ut_failures();
	check_delay_not_blocking();
	check_refusals(gs, terminal, console);
	check_launch(terminal);
	own_broker = check_child(gs);
	ut_status("logout ends the guest session", capos_user_session_logout(capos_ring(), gs), 0);
	if (own_broker)
		check_client_revoked(own_broker, gs);
	caps[0] = gs;
	caps[1] = terminal;
	check_app_error("launch with an ended session is refused", launch("guest", caps, 2, &r, &lo), &r, 1,
			"refused: the session has ended");
	check_audit();
	check_setup_closed();
	return ut_failures();
}

/* --- mode setup: under accounts-nooperator --- */

static int run_setup(void)
{
	struct capos_session_manager_status_out st;
	struct capos_session_manager_setup_in in;
	struct capos_ipc_reply r;
	char profile[32];
	int status;

	ut_init("utest-sessions setup");
	sessions = ut_cap("sessions");
	status = capos_session_manager_status(capos_ring(), sessions, &st);
	ut_check(status == 0 && st.accounts == 1 && st.operators == 0 && st.setup_open == 1,
		 "status: 1 account, no operator, setup open", "status %d: %u %u %u", status, st.accounts,
		 st.operators, st.setup_open);
	memset(&in, 0, sizeof in);
	strcpy(in.user, "root");
	in.password_len = 6;
	memcpy(in.password, "secret", 6);
	status = capos_ipc_call(sessions, CAPOS_IFACE_SESSION_MANAGER, CAPOS_SESSION_MANAGER_SETUP, &in,
				CAPOS_SESSION_MANAGER_SETUP_IN_MIN + 6, NULL, 0, answer, sizeof answer, &r);
	ut_status("setup adds an operator account", status, 0);
	status = login("root", "secret", profile, &r);
	ut_check(status == 0 && strcmp(profile, "operator") == 0 && r.cap_count == 1,
		 "the new account logs in as operator", "status %d", status);
	status = capos_ipc_call(sessions, CAPOS_IFACE_SESSION_MANAGER, CAPOS_SESSION_MANAGER_SETUP, &in,
				CAPOS_SESSION_MANAGER_SETUP_IN_MIN + 6, NULL, 0, answer, sizeof answer, &r);
	check_app_error("a second setup is refused", status, &r, 1, "setup is closed: an operator account exists");
	status = capos_session_manager_status(capos_ring(), sessions, &st);
	ut_check(status == 0 && st.accounts == 2 && st.operators == 1 && st.setup_open == 0,
		 "status: 2 accounts, 1 operator, setup closed", "status %d", status);
	return ut_failures();
}

int main(int argc, char **argv)
{
	int failures;

	if (argc > 1 && strcmp(argv[1], "child") == 0)
		return run_child();
	if (argc > 1 && strcmp(argv[1], "peer") == 0)
		return run_peer();
	failures = argc > 1 && strcmp(argv[1], "setup") == 0 ? run_setup() : run_client();
	capos_printf("%s: %s\n", argc > 1 ? "utest-sessions setup" : "utest-sessions",
		     failures ? "FAILED" : "all checks passed");
	return failures;
}
