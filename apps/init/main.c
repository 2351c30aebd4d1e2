/*
 * init: the one process the kernel starts.  It composes the system the
 * compiled manifest describes (docs/manifest.md): load and check it,
 * check that every grant can be given, start the services in the
 * manifest's order, then supervise them for ever.
 *
 * Arguments (kernel command line init.args=WORD[,WORD...]; words are
 * separated by spaces or commas):
 *   manifest=NAME   the boot-package entry to run (default "manifest")
 *   check           for tests: end once the services that export nothing
 *                   have ended (killing the rest), with exit code 0 when
 *                   no service failed, 1 when one did, 2 when the
 *                   manifest could not be run
 *
 * Without "check" init never ends (when init ends, the kernel reports
 * that the system has stopped): after a manifest problem, reported as
 * "init: manifest: ...", it idles with nothing started.
 */
#include <string.h>
#include "init.h"

#define IDLE_NS (3600ull * 1000000000ull)
#define EXIT_MANIFEST 2

static struct init_state state = { .entry = "manifest" };
static char entry_name[40];

/* One argument word [w, w+len). */
static int take_word(struct init_state *st, const char *w, size_t len)
{
	if (len == 5 && strncmp(w, "check", 5) == 0) {
		st->check = 1;
		return 0;
	}
	if (len > 9 && strncmp(w, "manifest=", 9) == 0 && len - 9 < sizeof entry_name) {
		memcpy(entry_name, w + 9, len - 9);
		entry_name[len - 9] = '\0';
		st->entry = entry_name;
		return 0;
	}
	report_note("unknown argument '%.*s' (known: check, manifest=NAME)", (int)len, w);
	return -CAPOS_EINVAL;
}

static int parse_args(struct init_state *st, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *p = argv[i];

		while (*p) {
			size_t len = strcspn(p, ",");

			if (len && take_word(st, p, len))
				return -CAPOS_EINVAL;
			p += len + (p[len] == ',');
		}
	}
	return 0;
}

static __attribute__((noreturn)) void idle(void)
{
	for (;;) {
		int err = capos_sleep_ns(IDLE_NS);

		if (err) {
			report_note("cannot sleep (%s); idling in the kernel", capos_strerror(err));
			for (;;)
				capos_cap_enter(1, CAPOS_TIMEOUT_INFINITE);
		}
	}
}

int main(int argc, char **argv)
{
	struct init_state *st = &state;
	int err;

	report_banner(capos_bootstrap());
	err = parse_args(st, argc, argv);
	if (!err)
		registry_start();   /* a manifest that imports init:procs then fails its check */
	if (!err)
		err = load_manifest(st);
	if (!err)
		graph_start(st);    /* likewise for init:graph */
	if (!err)
		err = wire_check(st);
	if (err) {
		report_note("manifest '%s' not started%s", st->entry, st->check ? "" : "; idle");
		if (st->check)
			return EXIT_MANIFEST;
		idle();
	}
	for (uint32_t i = 0; i < st->count; i++)
		supervise_start(st, &st->svcs[i]);
	err = supervise_run(st);
	if (st->check)
		return err;
	report_note("idle");
	idle();
}
