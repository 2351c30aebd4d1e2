/*
 * In-kernel tests, chosen with "test=<name>" on the command line and run
 * once the kernel is up.  A test returns 0 for pass or a negative code for
 * fail (having logged why); kmain turns that into a verdict for QEMU.
 * Tests that end the machine themselves (a deliberate fault, power-off)
 * never return.  The QEMU runner (ci/qemu_run.py) also checks the serial
 * log, so a test may pass here and still fail on what it printed.
 */
#ifndef EXO_KERN_KTEST_H
#define EXO_KERN_KTEST_H

struct ktest {
	const char *name;
	int (*run)(void);
};

#define KTEST(id)                                                        \
	static int ktest_fn_##id(void);                                  \
	static const struct ktest ktest_rec_##id                         \
		__attribute__((used, section(".ktests"), aligned(8))) = \
		{ #id, ktest_fn_##id };                                  \
	static int ktest_fn_##id(void)

/* Run the test named name; never returns (reports a verdict). */
__attribute__((noreturn)) void ktest_run(const char *name);

/* Fail helper: log "ktest: FAIL: <why>" and return -1 from the test. */
#define KTEST_CHECK(cond, ...) \
	do { if (!(cond)) { kerror("ktest: check failed: " __VA_ARGS__); return -1; } } while (0)

#endif
