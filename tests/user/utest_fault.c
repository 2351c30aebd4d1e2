/*
 * Performs the CPU fault named by its argument, in user mode, so the
 * kernel must end this process (reason fault, code -vector) and nothing
 * else.  Kinds: exec-data (jump into a non-executable data page, #PF),
 * write-code (store into the read-only text, #PF), divide (#DE),
 * gp (non-canonical address, #GP), pf (NULL write, #PF), ud (#UD),
 * int3 (#BP), kernel-read (load from the kernel half, #PF).  Returning
 * means the fault did not happen: exit 1; an unknown kind: exit 2.
 */
#include <capos/rt.h>

static uint8_t data_code[16] __attribute__((aligned(16))) = { 0xc3 };  /* ret, in RW+NX memory */

static void exec_data(void)
{
	void (*fn)(void) = (void (*)(void))(uintptr_t)data_code;

	__asm__ volatile("" : "+r"(fn));
	fn();
}

static void write_code(void)
{
	volatile uint8_t *p = (volatile uint8_t *)(uintptr_t)&exec_data;

	*p = 0xcc;
}

static void divide(void)
{
	volatile int zero = 0;
	int r;

	__asm__ volatile("cltd; idivl %2" : "=a"(r) : "a"(1), "r"(zero) : "rdx");
	(void)r;
}

static void gp(void)
{
	volatile uint64_t *p = (volatile uint64_t *)0x8000000000000000ull;

	(void)*p;
}

static void pf(void)
{
	volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)0;

	__asm__ volatile("" : "+r"(p));
	*p = 1;
}

static void ud(void)
{
	__asm__ volatile("ud2");
}

static void int3(void)
{
	__asm__ volatile("int3");
}

static void kernel_read(void)
{
	volatile uint64_t *p = (volatile uint64_t *)0xffffffff80000000ull;

	(void)*p;
}

static const struct {
	const char *name;
	void (*fn)(void);
	int vector;
} faults[] = {
	{ "exec-data", exec_data, 14 }, { "write-code", write_code, 14 }, { "divide", divide, 0 },
	{ "gp", gp, 13 }, { "pf", pf, 14 }, { "ud", ud, 6 }, { "int3", int3, 3 },
	{ "kernel-read", kernel_read, 14 },
};

static int same(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

int main(int argc, char **argv)
{
	const char *kind = argc > 1 ? argv[1] : "";

	for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++) {
		if (!same(kind, faults[i].name))
			continue;
		capos_printf("utest-fault: performing %s (expect vector %d)\n", kind, faults[i].vector);
		faults[i].fn();
		capos_printf("utest-fault: %s did not fault\n", kind);
		return 1;
	}
	capos_printf("utest-fault: unknown fault '%s'\n", kind);
	return 2;
}
