/*
 * Starting init, the only process the kernel starts by itself.  The
 * program is the boot-package entry named by "init=" on the command line
 * (default "init").  init receives every core capability, under fixed
 * names, and composes the rest of the system from them.  When init ends,
 * the kernel reports it; under a test (exit=debug) init's exit code is the
 * verdict: 0 passes, anything else fails.
 */
#include <capos/cap.h>
#include <capos/error.h>
#include <capos/verdict.h>
#include "init.h"
#include "process.h"
#include "../cap/coreobj.h"
#include "../cap/procobj.h"
#include "../kern/boot.h"
#include "../kern/log.h"
#include "../kern/verdict.h"
#include "../lib/cmdline.h"

#define INIT_NAME_MAX 40

struct init_grant {
	const char *name;
	struct kobj *(*singleton)(void);
	struct kobj *(*bound)(struct process *p);
};

static const struct init_grant init_grants[] = {
	{ "console", coreobj_console, NULL },
	{ "bootpkg", coreobj_bootpkg, NULL },
	{ "frames", coreobj_frames, NULL },
	{ "vm", NULL, vmcap_create },
	{ "timer", coreobj_timer, NULL },
	{ "threads", NULL, thread_spawner_create },
	{ "thread", NULL, thread_control_create },
	{ "park", NULL, parkspace_create },
	{ "spawner", coreobj_spawner, NULL },
	{ "entropy", coreobj_entropy, NULL },
	{ "null", coreobj_null, NULL },
};

static void init_exited(struct process *p)
{
	bool ok = p->exit_reason == CAPOS_EXIT_NORMAL && p->exit_code == 0;

	kinfo("init exited (%s, code %lld); the system has stopped", ok ? "success" : "failure",
	      (long long)p->exit_code);
	if (verdict_enabled())
		verdict_exit(ok ? CAPOS_VERDICT_PASS : CAPOS_VERDICT_FAIL);
}

static int grant_core(struct process *p)
{
	for (size_t i = 0; i < sizeof init_grants / sizeof init_grants[0]; i++) {
		const struct init_grant *g = &init_grants[i];
		struct kobj *obj = g->singleton ? g->singleton() : g->bound(p);
		int64_t h;

		if (!obj)
			return -CAPOS_ENOMEM;
		h = process_grant(p, g->name, obj, CAPOS_RIGHT_ALL);
		if (!g->singleton)
			kobj_unref(obj);
		if (h < 0)
			return (int)h;
	}
	return 0;
}

int init_start(const char *cmdline)
{
	struct quota_limits limits = { PROCESS_DEFAULT_FRAMES * 4, PROCESS_DEFAULT_CAPS,
				       PROCESS_DEFAULT_THREADS, PROCESS_DEFAULT_RING_OPS };
	char name[INIT_NAME_MAX] = "init";
	char args[CAPOS_ARGS_MAX] = "";
	const struct bootpkg_view *v = boot_package();
	const struct capos_bootpkg_entry *e;
	struct elf_fault fault = { -1, NULL };
	struct process *p;
	int err;

	cmdline_get(cmdline, "init", name, sizeof name);
	cmdline_get(cmdline, "init.args", args, sizeof args);
	e = v ? bootpkg_find(v, name) : NULL;
	if (!e || e->kind != CAPOS_BOOTPKG_ELF) {
		kwarn("init: no program '%s' in the boot package", name);
		return -CAPOS_ENOENT;
	}
	err = process_create(name, &limits, &p);
	if (err) {
		kerror("init: cannot create the process (error %d)", err);
		return err;
	}
	err = process_load(p, bootpkg_data(v, e), e->size, args, &fault);
	if (err)
		kerror("init: %s: %s", name, fault.what ? fault.what : "out of memory");
	if (!err)
		err = grant_core(p);
	if (err) {
		process_abandon(p);
		return err;
	}
	p->on_exit = init_exited;
	process_start(p);
	return 0;
}
