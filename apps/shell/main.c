/*
 * The shell's start, prompt and command table.
 *
 * Prompts: "anonymous$ " in the anonymous shell; "USER@capos# " in a
 * session of the operator profile (it may halt the machine, see every
 * process and read the audit log); "USER@capos$ " in any other profile.
 *
 * The loop: read a line (^C gives a fresh prompt, ^D logs out of a
 * logged-in shell and is ignored by the anonymous one), recall `!N` from
 * the history, keep the line in the history, split it into words and run
 * the command named by the first.  A logged-in shell whose session has
 * ended (expiry, or a logout elsewhere) exits instead of running
 * anything more, at once when it waits at the prompt; its exit code says
 * how, and the shell that launched it tells the person (the broker kills
 * an ended session's shells that linger, so this one says nothing more).
 */
#include <string.h>
#include "shell.h"

#define END_DRAIN_NS 1000000000ull   /* how long to wait for a cancelled wait_end */

enum who { ANYONE, ANONYMOUS_ONLY, LOGGED_IN_ONLY };

struct command {
	const char *name;
	const char *usage;
	const char *help;
	void (*run)(struct shell *sh, const struct shell_words *w);
	enum who who;
	const char *needs[2];    /* capabilities, any one of which it needs */
};

static void cmd_help(struct shell *sh, const struct shell_words *w);
static void cmd_exit(struct shell *sh, const struct shell_words *w);

static const struct command commands[] = {
	{ "help", "help", "list the commands", cmd_help, ANYONE, { 0 } },
	{ "whoami", "whoami", "who this session is: user, profile, session, expiry", cmd_whoami, ANYONE, { 0 } },
	{ "caps", "caps", "every capability this shell holds: name, interface, handle", cmd_caps, ANYONE, { 0 } },
	{ "ps", "ps", "the processes this session may see", cmd_ps, ANYONE, { "procs", "session-procs" } },
	{ "run", "run BINARY [ARGS...] [NAME=CAP...]", "start a program with the capabilities named; ^C kills it",
	  cmd_run, ANYONE, { "spawner" } },
	{ "audit", "audit [N]", "the last N records of the audit log (default 16)", cmd_audit, ANYONE, { "audit" } },
	{ "history", "history", "the last 32 commands; !N repeats command N", cmd_history, ANYONE, { 0 } },
	{ "login", "login", "log in with a user name and a password", cmd_login, ANONYMOUS_ONLY,
	  { "sessions" } },
	{ "setup", "setup", "create the first operator account (only while none exists), then log in",
	  cmd_setup, ANONYMOUS_ONLY, { "sessions" } },
	{ "logout", "logout", "end the session: its capabilities are revoked", cmd_logout, LOGGED_IN_ONLY, { 0 } },
	{ "exit", "exit", "the same as logout", cmd_exit, LOGGED_IN_ONLY, { 0 } },
	{ "halt", "halt", "power the machine off", cmd_halt, ANYONE, { "power" } },
};
#define COMMAND_COUNT (sizeof commands / sizeof commands[0])

static struct shell the_shell;

uint32_t shell_cap(const struct shell *sh, const char *name, uint32_t *iface)
{
	for (uint32_t i = 0; i < sh->cap_count; i++)
		if (strcmp(sh->caps[i].name, name) == 0) {
			if (iface)
				*iface = sh->caps[i].iface;
			return sh->caps[i].handle;
		}
	return 0;
}

int shell_cap_add(struct shell *sh, const char *name, uint32_t handle, uint32_t iface, int bundle)
{
	struct shell_cap *c;

	if (sh->cap_count == SHELL_CAPS_MAX)
		return -CAPOS_EQUOTA;
	c = &sh->caps[sh->cap_count++];
	capos_snprintf(c->name, sizeof c->name, "%s", name);
	c->handle = handle;
	c->iface = iface;
	c->bundle = (uint8_t)bundle;
	return 0;
}

const char *shell_app_error(const struct capos_ipc_reply *reply, char *buf, uint32_t size)
{
	uint32_t n = reply->app_message_len < size ? reply->app_message_len : size - 1;

	if (reply->app_message)
		memcpy(buf, reply->app_message, n);
	else
		n = 0;
	buf[n] = '\0';
	return n ? buf : "the service refused without saying why";
}

const char *shell_call_error(int err, const struct capos_ipc_reply *reply, char *buf, uint32_t size)
{
	if (err == CAPOS_STATUS_APP_ERROR)
		return shell_app_error(reply, buf, size);
	return capos_strerror(err);
}

const char *shell_plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* Why sh may not use c, or NULL when it may. */
static const char *refusal(const struct shell *sh, const struct command *c)
{
	if (c->who == ANONYMOUS_ONLY && sh->session)
		return "only in the anonymous shell";
	if (c->who == LOGGED_IN_ONLY && !sh->session)
		return "only in a logged-in shell";
	if (!c->needs[0] || shell_cap(sh, c->needs[0], NULL) || (c->needs[1] && shell_cap(sh, c->needs[1], NULL)))
		return NULL;
	return "not in this session";
}

static void cmd_help(struct shell *sh, const struct shell_words *w)
{
	(void)w;
	shell_printf(sh, "commands (those marked - this session cannot use):\n");
	for (uint32_t i = 0; i < COMMAND_COUNT; i++) {
		const char *why = refusal(sh, &commands[i]);

		shell_printf(sh, "%c %-36s %s%s%s%s\n", why ? '-' : ' ', commands[i].usage, commands[i].help,
			     why ? " (" : "", why ? why : "", why ? ")" : "");
	}
}

static void cmd_exit(struct shell *sh, const struct shell_words *w)
{
	(void)w;
	shell_logout(sh, "exit");
}

static const struct command *find_command(const char *name)
{
	for (uint32_t i = 0; i < COMMAND_COUNT; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* Run one line (already taken from the history where it was a recall). */
static void run_line(struct shell *sh, const char *line)
{
	static struct shell_words w;
	const struct command *c;
	const char *error;

	if (shell_split(line, &w, &error)) {
		shell_printf(sh, "%s\n", error);
		return;
	}
	if (w.count == 0)
		return;
	c = find_command(w.word[0]);
	if (!c) {
		shell_printf(sh, "%s: unknown command (try help)\n", w.word[0]);
		return;
	}
	if (c->who == ANONYMOUS_ONLY && sh->session) {
		shell_printf(sh, "%s: only the anonymous shell can do that; log out first\n", c->name);
		return;
	}
	if (c->who == LOGGED_IN_ONLY && !sh->session) {
		if (strcmp(c->name, "exit") == 0)
			shell_printf(sh, "exit: the anonymous shell does not end; log in with login\n");
		else
			shell_printf(sh, "%s: nobody is logged in here\n", c->name);
		return;
	}
	c->run(sh, &w);
}

void shell_session_over(struct shell *sh, uint32_t state, int midline)
{
	(void)sh;
	capos_process_exit(SHELL_EXIT_OVER | (state == CAPOS_SESSION_EXPIRED ? SHELL_OVER_EXPIRED : 0) |
			   (midline ? SHELL_OVER_MIDLINE : 0));
}

static void session_ended(void *ctx, const struct capos_completion *c)
{
	struct shell *sh = ctx;

	if (c->status == 0 && sh->end.state != CAPOS_SESSION_LIVE)
		sh->ended = sh->end.state;
}

/*
 * Keep UserSession.wait_end pending for the rest of the shell's life, so
 * that a read at the prompt ends with the session.  Nothing cancels it:
 * logout completes it, and exit takes it away with the ring.  Without it
 * the shell still notices the end after the next line, as check_session.
 */
static void watch_session(struct shell *sh)
{
	struct capos_completion c;
	uint64_t ud;
	int err = capos_user_session_wait_end_async(capos_ring(), sh->session, &sh->end, &ud);

	if (!err) {
		err = capos_ring_watch(capos_ring(), ud, session_ended, sh);
		if (err) {   /* take the wait back; sh->end stays valid whatever comes (the shell is static) */
			capos_cancel(capos_ring(), ud);
			capos_ring_wait(capos_ring(), ud, END_DRAIN_NS, &c);
		}
	}
	if (err)
		shell_printf(sh, "%s: the end of the session will show only after a line: %s\n", sh->user,
			     capos_strerror(err));
}

/*
 * A logged-in shell whose session has ended (expiry, or a logout done
 * elsewhere) can do nothing more: the broker has revoked its bundle.
 * Checked before each prompt and again once a line is read, so nothing
 * typed after the end runs; a read at the prompt itself ends with the
 * session (watch_session).
 */
static void check_session(struct shell *sh)
{
	struct capos_user_session_info_out info;

	if (sh->ended != CAPOS_SESSION_LIVE)
		shell_session_over(sh, sh->ended, 0);
	if (!sh->session || capos_user_session_info(capos_ring(), sh->session, &info) != 0 ||
	    info.state == CAPOS_SESSION_LIVE)
		return;
	shell_session_over(sh, info.state, 0);
}

static void prompt(struct shell *sh)
{
	if (!sh->session)
		shell_printf(sh, "anonymous$ ");
	else
		shell_printf(sh, "%s@capos%s ", sh->user, sh->operator ? "#" : "$");
}

/* Read and run lines until the terminal goes away: the exit code. */
static int loop(struct shell *sh)
{
	static char line[SHELL_LINE_MAX + 1], err[160];

	for (;;) {
		const char *todo;
		int r, recalled;

		check_session(sh);
		prompt(sh);
		r = shell_read(sh, 0, line, SHELL_LINE_MAX, sizeof line);
		if (r == SHELL_READ_ENDED)
			shell_session_over(sh, sh->ended, 1);
		check_session(sh);   /* it may have ended just as the line came */
		if (r == SHELL_READ_CANCEL)
			continue;
		if (r == SHELL_READ_EOF) {
			shell_write(sh, "\n", 1);
			if (sh->session)
				shell_logout(sh, "logout");
			continue;
		}
		if (r < 0)
			return 1;   /* the terminal was taken away: nobody is left to talk to */
		recalled = shell_history_expand(&sh->history, line, &todo, err, sizeof err);
		if (recalled < 0) {
			shell_printf(sh, "%s\n", err);
			continue;
		}
		if (recalled)
			shell_printf(sh, "%s\n", todo);
		shell_history_add(&sh->history, todo);
		run_line(sh, todo);
	}
}

int main(int argc, char **argv)
{
	const struct capos_bootstrap *b = capos_bootstrap();
	struct shell *sh = &the_shell;

	(void)argc;
	(void)argv;
	shell_history_init(&sh->history);
	for (uint32_t i = 0; i < b->cap_count && i < CAPOS_BOOTSTRAP_MAX_CAPS; i++)
		shell_cap_add(sh, b->caps[i].name, b->caps[i].handle, b->caps[i].iface, 0);
	sh->terminal = shell_cap(sh, "terminal", NULL);
	if (!sh->terminal)
		return 2;   /* no terminal: there is nobody to serve */
	sh->session = shell_cap(sh, "session", NULL);
	if (sh->session) {
		shell_upgrade(sh);
		watch_session(sh);
	} else
		shell_printf(sh, "capOS shell (anonymous session): type help, or login\n");
	return loop(sh);
}
