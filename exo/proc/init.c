/*
 * Starting init, the only process the kernel starts by itself.  The
 * kernel names it by "init=" on the command line (default "init") and
 * gives it "init.args" as arguments, but runs userboot in it: the image
 * prepared at build time and embedded in the kernel (userboot.h), which
 * finds the program of that name in the boot package and becomes it
 * (apps/userboot).  The kernel parses no program and looks no name up.
 * init receives every core capability, under fixed names, and composes
 * the rest of the system from them.  When init ends,
 * the kernel reports it; under a test (exit=debug) init's exit code is the
 * verdict: 0 passes, anything else fails.
 *
 * "leakcheck" on the command line proves teardown reclaims everything:
 * the kernel makes the stack page tables it may need (they are never
 * freed), takes a memory census (mm.h) before init is created, and once
 * init and every process it started have ended and the scheduler has
 * reaped their threads (idle work, sched.h) takes another and compares
 * them exactly.  Any difference fails the verdict, even if init passed.
 */
#include <capos/cap.h>
#include <capos/error.h>
#include <capos/verdict.h>
#include "init.h"
#include "process.h"
#include "sched.h"
#include "../cap/coreobj.h"
#include "../cap/obj_power.h"
#include "../dev/devroot.h"
#include "../cap/procobj.h"
#include "../kern/log.h"
#include "../kern/irqwatch.h"
#include "../kern/verdict.h"
#include "../lib/cmdline.h"
#include "../mm/mm.h"

#define INIT_NAME_MAX 40
#define LEAKCHECK_STACKS 256  /* kernel stacks whose tables leakcheck makes up front */

static struct mm_census leak_before;
static bool leak_checking, init_succeeded;

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
	{ "self", NULL, process_handle_self },
	{ "spawner", coreobj_process_factory, NULL },   /* ProcessFactory: the libOS builds children over it */
	{ "entropy", coreobj_entropy, NULL },
	{ "null", coreobj_null, NULL },
	{ "endpoints", coreobj_endpoints, NULL },
	{ "capspace", coreobj_capspace, NULL },
	{ "power", coreobj_power, NULL },
	{ "devices", coreobj_devices, NULL },
};

static void finish(bool ok)
{
	if (verdict_enabled())
		verdict_exit(ok ? CAPOS_VERDICT_PASS : CAPOS_VERDICT_FAIL);
}

/* Idle work: once no process is left, compare the census with the one before init. */
static bool leakcheck_finish(void)
{
	struct mm_census after;
	bool same;

	if (process_count() != 0)
		return false;
	irqwatch_log("every process has ended");
	mm_census_take(&after);
	same = mm_census_report("leakcheck", &leak_before, &after);
	kinfo("leakcheck: %s", same ? "every frame and heap object is back" : "LEAK: memory was not returned");
	finish(init_succeeded && same);
	return true;
}

static void leakcheck_start(const char *cmdline)
{
	int err;

	if (!cmdline_has(cmdline, "leakcheck"))
		return;
	err = kstack_prepare_tables(LEAKCHECK_STACKS);
	if (err)
		kwarn("leakcheck: cannot make the tables of %u kernel stacks (error %d)", LEAKCHECK_STACKS, err);
	mm_census_take(&leak_before);
	leak_checking = true;
	kinfo("leakcheck: %llu free frames before init; compared when every process has ended",
	      (unsigned long long)leak_before.free_frames);
}

static void init_exited(struct process *p)
{
	bool ok = p->exit_reason == CAPOS_EXIT_NORMAL && p->exit_code == 0;

	kinfo("init exited (%s, code %lld); %s", ok ? "success" : "failure", (long long)p->exit_code,
	      leak_checking ? "leakcheck runs once every process has ended" : "the system has stopped");
	init_succeeded = ok;
	irqwatch_log("init exited");
	if (leak_checking)
		sched_when_idle(leakcheck_finish);
	else
		finish(ok);
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
	struct quota_limits limits = { .frames = PROCESS_DEFAULT_FRAMES * 4,
				       .kmem = INIT_KMEM_KIB * 1024ull,
				       .caps = PROCESS_DEFAULT_CAPS,
				       .threads = PROCESS_DEFAULT_THREADS,
				       .ring_ops = PROCESS_DEFAULT_RING_OPS };
	char name[INIT_NAME_MAX] = "init";
	char args[CAPOS_ARGS_MAX] = "";
	struct process *p;
	int err;

	/* Bring-up (device probing, page-table building) is logged and set
	 * aside: from here on the watch measures what processes cause. */
	irqwatch_log("boot");
	irqwatch_reset();
	/* The boot package's MemoryObject is the kernel's for ever: made
	 * before leakcheck's census (grant_core reports it missing). */
	coreobj_bootpkg();
	leakcheck_start(cmdline);
	cmdline_get(cmdline, "init", name, sizeof name);
	cmdline_get(cmdline, "init.args", args, sizeof args);
	err = process_create(name, &limits, &p);
	if (err) {
		kerror("init: cannot create the process (error %d)", err);
		return err;
	}
	err = process_load_userboot(p, args);
	if (err)
		kerror("init: cannot load userboot (error %d)", err);
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
