/* In-kernel test registry and runner; see ktest.h. */
#include <capos/verdict.h>
#include "ktest.h"
#include "log.h"
#include "verdict.h"
#include "../lib/string.h"

extern const struct ktest __ktests_start[], __ktests_end[];

static void list_tests(void)
{
	kprintf("available tests:");
	for (const struct ktest *t = __ktests_start; t < __ktests_end; t++)
		kprintf(" %s", t->name);
	kprintf("\n");
}

void ktest_run(const char *name)
{
	if (strcmp(name, "list") == 0) {
		list_tests();
		verdict_exit(CAPOS_VERDICT_PASS);
	}
	for (const struct ktest *t = __ktests_start; t < __ktests_end; t++) {
		if (strcmp(t->name, name) != 0)
			continue;
		kinfo("ktest %s: start", name);
		if (t->run() == 0) {
			kinfo("ktest %s: PASS", name);
			verdict_exit(CAPOS_VERDICT_PASS);
		}
		kerror("ktest %s: FAIL", name);
		verdict_exit(CAPOS_VERDICT_FAIL);
	}
	kerror("ktest %s: no such test", name);
	list_tests();
	verdict_exit(CAPOS_VERDICT_FAIL);
}
