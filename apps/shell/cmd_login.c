/*
 * Sessions from the shell's side (docs/sessions.md, steps 2-3 and 5-7).
 *
 * Anonymous shell: `login` asks for a name (echoed) and a password (never
 * echoed, wiped from memory once sent) and calls SessionManager.login over
 * "sessions"; `setup` creates the first operator account and then logs
 * in the same way.  A UserSession that comes back goes, with the terminal
 * lent, to ShellLauncher.launch over "launcher"; the new shell runs until
 * its session ends, and ^C cannot interrupt it (only logout ends it).
 *
 * Logged-in shell: at start AuthorityBroker.upgrade over "broker" turns
 * its UserSession into the profile's bundle (revocable copies); `logout`
 * has the broker revoke them, proves each copy now answers
 * -CAPOS_EREVOKED, ends the session and exits.
 */
#include <string.h>
#include "shell.h"

#define PROBE_METHOD 0xffffu   /* no interface has it: a live capability refuses, a revoked one is EREVOKED */

/* Read one answer; 0, or -1 when cancelled or the terminal failed (said so). */
static int ask(struct shell *sh, const char *cmd, const char *question, uint32_t flags, char *buf,
	       uint32_t max, uint32_t size)
{
	int r;

	shell_printf(sh, "%s", question);
	r = shell_read(sh, flags, buf, max, size);
	if (r == SHELL_READ_LINE && buf[0])
		return 0;
	if (r == SHELL_READ_LINE)
		shell_printf(sh, "%s: nothing given; nothing done\n", cmd);
	else if (r == SHELL_READ_EOF)
		shell_printf(sh, "\n%s: cancelled\n", cmd);
	else if (r == SHELL_READ_CANCEL || r == SHELL_READ_ENDED)
		shell_printf(sh, "%s: cancelled\n", cmd);
	else
		shell_printf(sh, "%s: the terminal failed: %s\n", cmd, capos_strerror(r));
	return -1;
}

/* Ask for a user name and a password into the login message; 0 or -1. */
static int ask_credentials(struct shell *sh, const char *cmd, struct capos_session_manager_login_in *in)
{
	char pw[sizeof in->password + 1];

	memset(in, 0, sizeof *in);
	if (ask(sh, cmd, "username> ", 0, in->user, sizeof in->user - 1, sizeof in->user))
		return -1;
	if (ask(sh, cmd, "password> ", CAPOS_TERMINAL_READ_HIDDEN, pw, sizeof in->password, sizeof pw)) {
		shell_wipe(pw, sizeof pw);
		return -1;
	}
	in->password_len = (uint32_t)strlen(pw);
	memcpy(in->password, pw, in->password_len);
	shell_wipe(pw, sizeof pw);
	return 0;
}

/* The new shell ended: how, in a few words (for a session that ended under it, on its behalf). */
static void after_shell(struct shell *sh, uint32_t proc, const char *user)
{
	struct capos_process_handle_wait_out out;
	int err = capos_process_handle_wait(capos_ring(), proc, &out);

	capos_release(capos_ring(), proc);
	err = capos_terminal_session_reclaim(capos_ring(), sh->terminal);
	if (err && err != -CAPOS_ENOENT)
		shell_printf(sh, "cannot take the terminal back: %s\n", capos_strerror(err));
	if (out.reason == CAPOS_EXIT_NORMAL && (out.exit_code & ~(int64_t)3) == SHELL_EXIT_OVER) {
		shell_printf(sh, "%s%s's session has %s\nlogged out\n", out.exit_code & SHELL_OVER_MIDLINE ? "\n" : "",
			     user, out.exit_code & SHELL_OVER_EXPIRED ? "expired" : "ended");
	} else if (out.reason == CAPOS_EXIT_NORMAL && out.exit_code == 0)
		shell_printf(sh, "logged out\n");
	else if (out.reason == CAPOS_EXIT_NORMAL)
		shell_printf(sh, "logged out (the shell ended with code %lld)\n", (long long)out.exit_code);
	else
		shell_printf(sh, "logged out (the shell %s, code %lld)\n",
			     out.reason == CAPOS_EXIT_KILLED ? "was killed" : "faulted", (long long)out.exit_code);
}

/* Lend the terminal and have the launcher start a shell in session; wait for it. */
static void launch(struct shell *sh, const char *cmd, uint32_t session, const char *profile, const char *user)
{
	struct capos_shell_launcher_launch_in in;
	static union { struct capos_shell_launcher_launch_out out; uint8_t raw[SHELL_REPLY_MAX]; } res;
	uint32_t borrower = 0;
	struct capos_ipc_reply reply;
	struct capos_xfer x[2];
	uint32_t iface, launcher = shell_cap(sh, "launcher", &iface);
	char msg[CAPOS_APP_ERROR_MESSAGE_MAX];
	int err = launcher ? capos_terminal_lend(sh->terminal, &borrower) : -CAPOS_ENOENT;

	if (err) {
		shell_printf(sh, "%s: no shell can start here: %s\n", cmd,
			     launcher ? capos_strerror(err) : "this shell holds no launcher");
		capos_user_session_logout(capos_ring(), session);
		capos_release(capos_ring(), session);
		return;
	}
	memset(&in, 0, sizeof in);
	capos_snprintf(in.profile, sizeof in.profile, "%s", profile);
	x[0] = (struct capos_xfer){ session, CAPOS_XFER_MOVE };
	x[1] = (struct capos_xfer){ borrower, CAPOS_XFER_MOVE };
	err = capos_ipc_call(launcher, iface, CAPOS_SHELL_LAUNCHER_LAUNCH, &in, sizeof in, x, 2, &res,
			     sizeof res, &reply);
	if (err || reply.cap_count < 1) {
		shell_printf(sh, "%s: the shell could not start: %s\n", cmd,
			     err ? shell_call_error(err, &reply, msg, sizeof msg) : "the launcher returned no process");
		capos_terminal_session_reclaim(capos_ring(), sh->terminal);
		if (err) {   /* nothing moved: end the session nobody will use */
			capos_user_session_logout(capos_ring(), session);
			capos_release(capos_ring(), session);
			capos_release(capos_ring(), borrower);
		}
		return;
	}
	after_shell(sh, reply.caps[0].handle, user);
}

/* SessionManager.login with in; on success launch a shell in the new session. */
static void log_in(struct shell *sh, const char *cmd, struct capos_session_manager_login_in *in)
{
	static union { struct capos_session_manager_login_out out; uint8_t raw[SHELL_REPLY_MAX]; } res;
	struct capos_ipc_reply reply;
	uint32_t iface, sessions = shell_cap(sh, "sessions", &iface);
	char msg[CAPOS_APP_ERROR_MESSAGE_MAX], user[sizeof in->user];
	int err = capos_ipc_call(sessions, iface, CAPOS_SESSION_MANAGER_LOGIN, in, sizeof *in, NULL, 0, &res,
				 sizeof res, &reply);

	memcpy(user, in->user, sizeof user);
	user[sizeof user - 1] = '\0';
	shell_wipe(in, sizeof *in);
	if (err == CAPOS_STATUS_APP_ERROR) {
		shell_printf(sh, "login incorrect\n");
		return;
	}
	if (err || reply.cap_count < 1) {
		shell_printf(sh, "%s: the session manager failed: %s\n", cmd,
			     err ? shell_call_error(err, &reply, msg, sizeof msg) : "no session came back");
		return;
	}
	res.out.profile[sizeof res.out.profile - 1] = '\0';
	launch(sh, cmd, reply.caps[0].handle, res.out.profile, user);
}

void cmd_login(struct shell *sh, const struct shell_words *w)
{
	static struct capos_session_manager_login_in in;

	if (!shell_cap(sh, "sessions", NULL)) {
		shell_printf(sh, "login: this shell holds no session manager\n");
		return;
	}
	if (w->count > 1) {
		shell_printf(sh, "login: takes no arguments; it asks for the name and the password\n");
		return;
	}
	if (ask_credentials(sh, "login", &in) == 0)
		log_in(sh, "login", &in);
}

/* Ask the password a second time; 0 when both match. */
static int confirm(struct shell *sh, const struct capos_session_manager_login_in *in)
{
	char again[sizeof in->password + 1];
	int same;

	if (ask(sh, "setup", "password again> ", CAPOS_TERMINAL_READ_HIDDEN, again, sizeof in->password,
		sizeof again))
		return -1;
	same = strlen(again) == in->password_len && memcmp(again, in->password, in->password_len) == 0;
	shell_wipe(again, sizeof again);
	if (!same)
		shell_printf(sh, "setup: the passwords differ; nothing was created\n");
	return same ? 0 : -1;
}

void cmd_setup(struct shell *sh, const struct shell_words *w)
{
	static struct capos_session_manager_login_in in;
	static struct capos_session_manager_setup_in setup;
	static union { struct capos_session_manager_status_out out; uint8_t raw[SHELL_REPLY_MAX]; } status;
	struct capos_ipc_reply reply;
	uint32_t iface, sessions = shell_cap(sh, "sessions", &iface);
	char msg[CAPOS_APP_ERROR_MESSAGE_MAX];
	int err;

	(void)w;
	if (!sessions) {
		shell_printf(sh, "setup: this shell holds no session manager\n");
		return;
	}
	err = capos_ipc_call(sessions, iface, CAPOS_SESSION_MANAGER_STATUS, NULL, 0, NULL, 0, &status,
			     sizeof status, &reply);
	if (err) {
		shell_printf(sh, "setup: %s\n", shell_call_error(err, &reply, msg, sizeof msg));
		return;
	}
	if (!status.out.setup_open) {
		shell_printf(sh, "setup is closed: an operator account exists; log in with login\n");
		return;
	}
	shell_printf(sh, "setup: a new operator account (kept until reboot)\n");
	if (ask_credentials(sh, "setup", &in) || confirm(sh, &in)) {
		shell_wipe(&in, sizeof in);
		return;
	}
	memcpy(setup.user, in.user, sizeof setup.user);
	setup.password_len = in.password_len;
	memcpy(setup.password, in.password, sizeof setup.password);
	err = capos_ipc_call(sessions, iface, CAPOS_SESSION_MANAGER_SETUP, &setup, sizeof setup, NULL, 0, &status,
			     sizeof status, &reply);
	shell_wipe(&setup, sizeof setup);
	if (err) {
		shell_wipe(&in, sizeof in);
		shell_printf(sh, "setup: %s\n", shell_call_error(err, &reply, msg, sizeof msg));
		return;
	}
	shell_printf(sh, "setup: operator account '%s' created\n", in.user);
	log_in(sh, "setup", &in);
}

/* Keep the bundle's copies under their names ("a b c" in transfer order). */
static uint32_t keep_bundle(struct shell *sh, const char *names, const struct capos_ipc_reply *reply)
{
	uint32_t kept = 0;

	while (*names && kept < reply->cap_count) {
		char name[CAPOS_CAP_NAME_MAX];
		size_t n = strcspn(names, " ");

		if (n && n < sizeof name) {
			memcpy(name, names, n);
			name[n] = '\0';
			if (shell_cap_add(sh, name, reply->caps[kept].handle, reply->caps[kept].iface, 1) == 0)
				kept++;
		}
		names += n;
		names += strspn(names, " ");
	}
	return kept;
}

void shell_upgrade(struct shell *sh)
{
	static union { struct capos_authority_broker_upgrade_out out; uint8_t raw[SHELL_REPLY_MAX]; } res;
	struct capos_user_session_info_out info;
	struct capos_ipc_reply reply;
	struct capos_xfer x = { sh->session, CAPOS_XFER_COPY };
	uint32_t iface, broker = shell_cap(sh, "broker", &iface), kept;
	char msg[CAPOS_APP_ERROR_MESSAGE_MAX];
	int err = capos_user_session_info(capos_ring(), sh->session, &info);

	if (!err) {
		memcpy(sh->user, info.user, sizeof sh->user - 1);
		memcpy(sh->profile, info.profile, sizeof sh->profile - 1);
	} else {
		capos_snprintf(sh->user, sizeof sh->user, "unknown");
	}
	sh->operator = strcmp(sh->profile, "operator") == 0;
	err = broker ? capos_ipc_call(broker, iface, CAPOS_AUTHORITY_BROKER_UPGRADE, NULL, 0, &x, 1, &res,
				      sizeof res, &reply) : -CAPOS_ENOENT;
	if (err) {
		shell_printf(sh, "%s: the authority broker gave nothing: %s\n", sh->user,
			     broker ? shell_call_error(err, &reply, msg, sizeof msg) : "this shell holds no broker");
		return;
	}
	res.out.names[sizeof res.out.names - 1] = '\0';
	kept = keep_bundle(sh, res.out.names, &reply);
	shell_printf(sh, "logged in as %s (profile %s, session %llu); %u %s: %s\n", sh->user, sh->profile,
		     (unsigned long long)info.audit_id, kept, shell_plural(kept, "capability", "capabilities"),
		     kept ? res.out.names : "(none)");
}

/* Does the copy answer -CAPOS_EREVOKED?  (A method no interface has: a live one refuses otherwise.) */
static int revoked(const struct shell_cap *c)
{
	return capos_call_sync(capos_ring(), c->handle, c->iface, PROBE_METHOD, NULL, 0, NULL, 0, NULL) ==
	       -CAPOS_EREVOKED;
}

void shell_logout(struct shell *sh, const char *why)
{
	static union { struct capos_authority_broker_release_out out; uint8_t raw[SHELL_REPLY_MAX]; } res;
	struct capos_ipc_reply reply;
	struct capos_xfer x = { sh->session, CAPOS_XFER_COPY };
	uint32_t iface, broker = shell_cap(sh, "broker", &iface), count = 0, live = 0;
	char msg[CAPOS_APP_ERROR_MESSAGE_MAX], names[256] = "", stale[256] = "";
	int err = broker ? capos_ipc_call(broker, iface, CAPOS_AUTHORITY_BROKER_RELEASE, NULL, 0, &x, 1, &res,
					  sizeof res, &reply) : -CAPOS_ENOENT;

	if (err)
		shell_printf(sh, "%s: the authority broker did not release the bundle: %s\n", why,
			     broker ? shell_call_error(err, &reply, msg, sizeof msg) : "this shell holds no broker");
	for (uint32_t i = 0; i < sh->cap_count; i++) {
		const struct shell_cap *c = &sh->caps[i];
		char *list;
		size_t len;

		if (!c->bundle)
			continue;
		list = revoked(c) ? names : stale;
		len = strlen(list);
		if (list == names)
			count++;
		else
			live++;
		capos_snprintf(list + len, 256 - len, " %s", c->name);
		capos_release(capos_ring(), c->handle);
	}
	/* Said before the session ends: at its end the broker ends this shell too, should it linger. */
	shell_printf(sh, "%s: %u %s revoked:%s\n", why, count, shell_plural(count, "capability", "capabilities"),
		     count ? names : " (none)");
	if (live)
		shell_printf(sh, "%s: %u %s still %s:%s\n", why, live, shell_plural(live, "capability", "capabilities"),
			     shell_plural(live, "answers", "answer"), stale);
	err = capos_user_session_logout(capos_ring(), sh->session);
	if (err)
		shell_printf(sh, "%s: the session did not end: %s\n", why, capos_strerror(err));
	capos_process_exit(live || err ? 1 : 0);
}

void cmd_logout(struct shell *sh, const struct shell_words *w)
{
	(void)w;
	shell_logout(sh, "logout");
}
