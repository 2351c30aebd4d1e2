/*
 * shell: the native capability shell (docs/sessions.md, "Boot to login").
 *
 * It talks to a person over the TerminalSession it holds as "terminal"
 * and does nothing but with the capabilities it holds.  Holding a
 * "session" (UserSession) makes it a logged-in shell: at start it asks the
 * authority broker ("broker") for its profile's bundle and keeps the
 * copies under their names.  Without one it is the anonymous shell, from
 * which `login` and `setup` start a logged-in shell through the launcher.
 *
 * Pieces: main.c (start, prompt, dispatch, help), term.c (terminal I/O),
 * cmd_info.c (whoami, caps, ps, audit, history, halt), cmd_run.c (run),
 * cmd_login.c (login, setup, logout); pure and host-tested: words.c,
 * runspec.c, history.c and the generated interface-name table.
 */
#ifndef SHELL_H
#define SHELL_H

#include <stdint.h>
#include <capos/ipc.h>
#include <capos/rt.h>
#include <capos/services.h>
#include <capos/session.h>
#include <capos/terminal.h>
#include "history.h"
#include "words.h"

#define SHELL_CAPS_MAX (CAPOS_BOOTSTRAP_MAX_CAPS + CAPOS_XFER_MAX)
/*
 * Room for any service reply: its results, then the capabilities it
 * returns, or an application error with its message (a smaller buffer
 * would turn the error into -CAPOS_ERANGE).
 */
#define SHELL_REPLY_MAX 2048u

struct shell_cap {
	char name[CAPOS_CAP_NAME_MAX];
	uint32_t handle;
	uint32_t iface;
	uint8_t bundle;          /* 1: a copy from AuthorityBroker.upgrade (revoked at logout) */
};

struct shell {
	uint32_t terminal;       /* the TerminalSession */
	uint32_t session;        /* the UserSession; 0: the anonymous shell */
	int operator;            /* the session's profile is "operator" */
	char user[CAPOS_SESSION_LABEL_MAX];
	char profile[CAPOS_SESSION_LABEL_MAX];
	uint32_t cap_count;
	struct shell_cap caps[SHELL_CAPS_MAX];   /* the bootstrap names, then the bundle */
	struct shell_history history;
	/*
	 * A logged-in shell keeps UserSession.wait_end pending on its session
	 * for as long as it runs (the kernel writes end until it completes;
	 * exit cancels it), so a read at the prompt ends when the session does.
	 */
	struct capos_user_session_wait_end_out end;
	uint32_t ended;          /* CAPOS_SESSION_* once wait_end completed; LIVE until then */
};

/* --- term.c --- */

/* read_line's outcome besides a line */
#define SHELL_READ_LINE   1
#define SHELL_READ_EOF    2      /* ^D on an empty line */
#define SHELL_READ_CANCEL 3      /* ^C */
#define SHELL_READ_ENDED  4      /* the shell's session ended first (the read was cancelled) */

/* Text to the terminal; errors are dropped (there is nobody else to tell). */
void shell_write(struct shell *sh, const char *text, uint32_t len);
void shell_printf(struct shell *sh, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * One line (at most max bytes, max < size) into buf, NUL-terminated.
 * flags: CAPOS_TERMINAL_READ_*.  SHELL_READ_* or a negative code.  While
 * it waits, the completions of other watched operations are delivered
 * (the session's end among them): SHELL_READ_ENDED once sh->ended is set.
 */
int shell_read(struct shell *sh, uint32_t flags, char *buf, uint32_t max, uint32_t size);
/* Overwrite a secret in memory (a store the compiler cannot drop). */
void shell_wipe(void *p, uint32_t len);

/* --- main.c --- */

/* The handle of the capability the shell holds as name (0: none); *iface optional. */
uint32_t shell_cap(const struct shell *sh, const char *name, uint32_t *iface);
/* Remember a received capability; 0 or -CAPOS_EQUOTA when the table is full. */
int shell_cap_add(struct shell *sh, const char *name, uint32_t handle, uint32_t iface, int bundle);
/* Text of an application error reply (its message, cut to fit), for "...: %s". */
const char *shell_app_error(const struct capos_ipc_reply *reply, char *buf, uint32_t size);
/* A CALL's failure in words: the app error's message or capos_strerror. */
const char *shell_call_error(int err, const struct capos_ipc_reply *reply, char *buf, uint32_t size);
/* one when n is 1, else many: "1 process", "2 processes", "0 processes". */
const char *shell_plural(uint64_t n, const char *one, const char *many);

/* --- commands: each gets the split line (word 0 is its name) --- */
void cmd_whoami(struct shell *sh, const struct shell_words *w);
void cmd_caps(struct shell *sh, const struct shell_words *w);
void cmd_ps(struct shell *sh, const struct shell_words *w);
void cmd_audit(struct shell *sh, const struct shell_words *w);
void cmd_history(struct shell *sh, const struct shell_words *w);
void cmd_halt(struct shell *sh, const struct shell_words *w);
void cmd_run(struct shell *sh, const struct shell_words *w);
void cmd_login(struct shell *sh, const struct shell_words *w);
void cmd_setup(struct shell *sh, const struct shell_words *w);
void cmd_logout(struct shell *sh, const struct shell_words *w);

/*
 * The session has ended (state CAPOS_SESSION_*): exit with a code that
 * says how, for the shell that launched this one to tell the person — an
 * ended session's capabilities are revoked, and the broker kills its
 * shells that are still running a second after the end.
 * midline: the cursor was after the prompt.
 */
#define SHELL_EXIT_OVER 64          /* | SHELL_OVER_EXPIRED | SHELL_OVER_MIDLINE */
#define SHELL_OVER_EXPIRED 1
#define SHELL_OVER_MIDLINE 2
__attribute__((noreturn)) void shell_session_over(struct shell *sh, uint32_t state, int midline);

/* Start of a logged-in shell: learn who it is, upgrade through "broker". */
void shell_upgrade(struct shell *sh);
/* End of a logged-in shell: release, logout, show the revoked bundle, exit. */
__attribute__((noreturn)) void shell_logout(struct shell *sh, const char *why);

#endif
