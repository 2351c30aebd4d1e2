/*
 * run BINARY [ARGS...] [NAME=CAP...]: start a program with exactly the
 * capabilities named (plus its own vm, thread, threads and park), lend it
 * the terminal as "stdio", and wait for it.
 *
 * While the child runs the shell waits on two operations at once, both
 * watched through the ring client: ProcessHandle.wait (the child ended)
 * and TerminalSession.wait_interrupt (^C typed while the terminal is
 * lent).  ^C kills the child; either way the shell reclaims the terminal
 * (every holder lent from it is revoked, so nothing the child passed on
 * keeps reading) and says how the child ended.  The results of both
 * operations live in static storage: the kernel may write them until
 * they complete, after this function returned in the worst case.
 */
#include <string.h>
#include "runspec.h"
#include "shell.h"

#define INTERRUPT_DRAIN_NS 1000000000ull   /* how long to wait for a cancelled wait_interrupt */

struct run_wait {
	struct capos_process_handle_wait_out exit;
	struct capos_terminal_session_wait_interrupt_out intr;
	int exited, exit_status;
	int intr_pending, intr_seen;
};

static struct run_wait rw;

static void child_ended(void *ctx, const struct capos_completion *c)
{
	(void)ctx;
	rw.exited = 1;
	rw.exit_status = c->status;
}

static void on_interrupt(void *ctx, const struct capos_completion *c)
{
	(void)ctx;
	rw.intr_pending = 0;
	rw.intr_seen = c->status == 0;
}

/* Watch for ^C; 0 or a negative code (the caller runs the child without it). */
static int watch_interrupt(uint32_t terminal, uint64_t *ud)
{
	int err = capos_terminal_session_wait_interrupt_async(capos_ring(), terminal, &rw.intr, ud);

	if (!err)
		err = capos_ring_watch(capos_ring(), *ud, on_interrupt, NULL);
	if (!err)
		rw.intr_pending = 1;
	return err;
}

/* Stop watching for ^C: cancel the wait and let its completion arrive. */
static void drop_interrupt(uint64_t ud)
{
	uint64_t until = capos_time_ns() + INTERRUPT_DRAIN_NS;

	if (!rw.intr_pending)
		return;
	capos_cancel(capos_ring(), ud);
	while (rw.intr_pending && capos_time_ns() < until)
		capos_ring_poll(capos_ring(), INTERRUPT_DRAIN_NS / 10);
	if (rw.intr_pending)
		capos_ring_unwatch(capos_ring(), ud);
}

/* Wait for the child, killing it on ^C; the reclaim and the report follow. */
static void wait_child(struct shell *sh, const char *binary, uint32_t proc, uint32_t pid)
{
	uint64_t exit_ud, intr_ud = 0;
	int killed = 0, err;
	char text[80];

	memset(&rw, 0, sizeof rw);
	err = capos_process_handle_wait_async(capos_ring(), proc, &rw.exit, &exit_ud);
	if (!err)
		err = capos_ring_watch(capos_ring(), exit_ud, child_ended, NULL);
	if (err) {
		shell_printf(sh, "run: cannot wait for %s: %s; killing it\n", binary, capos_strerror(err));
		capos_process_handle_kill(capos_ring(), proc);
		capos_terminal_session_reclaim(capos_ring(), sh->terminal);
		return;
	}
	err = watch_interrupt(sh->terminal, &intr_ud);
	if (err)
		shell_printf(sh, "run: ^C cannot stop %s: %s\n", binary, capos_strerror(err));
	while (!rw.exited) {
		int n = capos_ring_poll(capos_ring(), CAPOS_TIMEOUT_INFINITE);

		if (n < 0) {
			shell_printf(sh, "run: waiting for %s failed: %s\n", binary, capos_strerror(n));
			capos_ring_unwatch(capos_ring(), exit_ud);
			capos_process_handle_kill(capos_ring(), proc);
			break;
		}
		if (rw.intr_seen && !killed && !rw.exited) {
			err = capos_process_handle_kill(capos_ring(), proc);
			shell_printf(sh, "^C: killing %s (pid %u)%s%s\n", binary, pid, err ? ": " : "",
				     err ? capos_strerror(err) : "");
			killed = 1;
		}
	}
	drop_interrupt(intr_ud);
	err = capos_terminal_session_reclaim(capos_ring(), sh->terminal);
	if (err && err != -CAPOS_ENOENT)
		shell_printf(sh, "run: cannot take the terminal back: %s\n", capos_strerror(err));
	if (!rw.exited)
		return;
	if (rw.exit_status) {
		shell_printf(sh, "run: lost track of %s: %s\n", binary, capos_strerror(rw.exit_status));
		return;
	}
	shell_exit_text(rw.exit.exit_code, rw.exit.reason, text, sizeof text);
	shell_printf(sh, "[%s]\n", text);
}

/* The shell's handles for the grants, in order; 0 or -1 after saying which CAP is missing. */
static int resolve_grants(struct shell *sh, const struct shell_run *r, struct capos_xfer *x)
{
	for (uint32_t i = 0; i < r->grant_count; i++) {
		uint32_t h = shell_cap(sh, r->grants[i].cap, NULL);

		if (!h) {
			shell_printf(sh, "run: no capability '%s' (see caps)\n", r->grants[i].cap);
			return -1;
		}
		x[i] = (struct capos_xfer){ h, CAPOS_XFER_COPY };
	}
	return 0;
}

/* The libOS loader with the borrowed terminal moved and the grants copied. */
static int spawn(uint32_t spawner, const struct shell_run *r, const char *grants, const char *args, uint32_t borrower,
		 struct capos_xfer *x, uint32_t *proc, uint32_t *pid)
{
	/* "stdio" comes first among the plain names, so its descriptor is first. */
	memmove(&x[1], &x[0], r->grant_count * sizeof *x);
	x[0] = (struct capos_xfer){ borrower, CAPOS_XFER_MOVE };
	return capos_spawn_xfer(spawner, r->binary, grants, args, x, r->grant_count + 1, NULL, proc, pid);
}

/*
 * List the child in init's process registry, through whichever of "procs"
 * and "session-procs" this session holds, in the shell's own session: a
 * logged-in shell passes its UserSession, which the registry has the
 * session manager unwrap; the anonymous shell's session-procs names its
 * session by its badge.
 */
static void register_child(struct shell *sh, const char *binary, uint32_t proc)
{
	struct capos_process_registry_register_in in;
	struct capos_xfer x[2] = { { proc, CAPOS_XFER_COPY }, { sh->session, CAPOS_XFER_COPY } };
	uint32_t registry = shell_cap(sh, "procs", NULL);
	int err;

	if (!registry)
		registry = shell_cap(sh, "session-procs", NULL);
	if (!registry)
		return;
	memset(&in, 0, sizeof in);
	strncpy(in.name, binary, sizeof in.name - 1);
	err = capos_ipc_call(registry, CAPOS_IFACE_PROCESS_REGISTRY, CAPOS_PROCESS_REGISTRY_REGISTER, &in, sizeof in,
			     x, sh->session ? 2 : 1, NULL, 0, NULL);
	if (err && err != -CAPOS_EPEER)   /* EPEER: it has ended already, nothing to list */
		shell_printf(sh, "run: %s is not listed by ps: %s\n", binary,
			     err > 0 ? "the registry refused" : capos_strerror(err));
}

void cmd_run(struct shell *sh, const struct shell_words *w)
{
	static struct shell_run r;
	static char grants[SHELL_RUN_TEXT_MAX], args[SHELL_RUN_TEXT_MAX], err_text[200];
	struct capos_xfer x[CAPOS_XFER_MAX];
	uint32_t borrower = 0, proc = 0, pid = 0;
	uint32_t spawner = shell_cap(sh, "spawner", NULL);
	int err;

	if (!spawner) {
		shell_printf(sh, "run: this session may not start programs\n");
		return;
	}
	if (shell_parse_run(w, 1, &r, err_text, sizeof err_text) ||
	    shell_run_text(&r, grants, args, err_text, sizeof err_text)) {
		shell_printf(sh, "%s\n", err_text);
		return;
	}
	if (resolve_grants(sh, &r, x))
		return;
	err = capos_terminal_lend(sh->terminal, &borrower);
	if (err) {
		shell_printf(sh, "run: cannot lend the terminal: %s\n", capos_strerror(err));
		return;
	}
	err = spawn(spawner, &r, grants, args, borrower, x, &proc, &pid);
	if (err) {
		/* The borrower is ours unless the loader moved it into the discarded child: the reclaim revokes it. */
		capos_terminal_session_reclaim(capos_ring(), sh->terminal);
		capos_release(capos_ring(), borrower);
		shell_printf(sh, "run: cannot start %s: %s\n", r.binary,
			     err > 0 ? "the spawner refused" : capos_strerror(err));
		return;
	}
	register_child(sh, r.binary, proc);
	wait_child(sh, r.binary, proc, pid);
	capos_release(capos_ring(), proc);
}
