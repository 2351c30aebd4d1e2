/*
 * Process start-up (the model: capos/rt.h).  capos_rt_start runs once, on
 * the main thread, before anything else of the program: it trusts nothing
 * it has not checked in the bootstrap page, and when the page or the ring
 * is unusable it stops with ud2 — there is no console to complain on yet,
 * and the fault is reported by the kernel.
 *
 * Order: bootstrap page, ring client, runtime capabilities, main thread
 * TLS (FS base), the ring's clock, then the C library's
 * start: __libc_init_array (.preinit_array, .init_array: constructors),
 * atexit(__libc_fini_array) (destructors run by exit), argv, and
 * exit(main(argc, argv)) — newlib's exit, so atexit handlers run and stdio
 * is flushed before the process ends (capos_process_exit).  stdio itself
 * needs no set-up: newlib opens its streams on first use.
 */
#include <stdlib.h>
#include <sys/lock.h>
#include <capos/rt.h>
#include "rt_internal.h"

#define RT_ARGV_MAX 32
#define MAIN_TLS_STATIC 8192

__thread int capos_errno;

static const struct capos_bootstrap *rt_boot;
static struct capos_ring_client rt_ring;
static uint8_t main_tls_area[MAIN_TLS_STATIC] __attribute__((aligned(64)));
static char arg_text[CAPOS_ARGS_MAX];
static char name_text[CAPOS_PROC_NAME_MAX];
static char *argv_table[RT_ARGV_MAX + 1];

void __libc_init_array(void);
void __libc_fini_array(void);

/*
 * newlib's locks must come from libos/libc/lock.c, never from the dummies
 * in libc.a: referring to one of them here (start.o is always linked)
 * takes lock.o from libcapos_rt before libc.a is searched.
 */
extern struct __lock __lock___malloc_recursive_mutex;
struct __lock *const capos_rt_libc_locks = &__lock___malloc_recursive_mutex;

__attribute__((noreturn)) static void rt_die(void)
{
	for (;;)
		__asm__ volatile("ud2");
}

const struct capos_bootstrap *capos_bootstrap(void)
{
	return rt_boot;
}

/*
 * The calling thread's ring client: the main thread's until TLS exists
 * (only the main thread runs then), afterwards the one in the thread's
 * TCB (every thread has FS base pointing at its TCB: capos_thread_create
 * and capos_bare_thread_start see to it).
 */
static int rt_tls_ready;

struct capos_ring_client *capos_ring(void)
{
	struct capos_tcb *t;

	if (!rt_tls_ready)
		return &rt_ring;
	__asm__("movq %%fs:0, %0" : "=r"(t));
	return t->ring;
}

uint64_t rt_clock(void)
{
	return capos_time_ns();
}

static int name_equal(const char *a, const char *b, size_t max)
{
	size_t i = 0;

	for (; i < max && a[i] && a[i] == b[i]; i++)
		;
	return i == max || a[i] == b[i];
}

uint32_t capos_cap_find(const char *name, uint32_t *iface)
{
	uint32_t n = rt_boot ? rt_boot->cap_count : 0;

	if (n > CAPOS_BOOTSTRAP_MAX_CAPS)
		n = CAPOS_BOOTSTRAP_MAX_CAPS;
	for (uint32_t i = 0; i < n; i++)
		if (name_equal(rt_boot->caps[i].name, name, CAPOS_CAP_NAME_MAX)) {
			if (iface)
				*iface = rt_boot->caps[i].iface;
			return rt_boot->caps[i].handle;
		}
	return 0;
}

int rt_set_fs_base(uint64_t fs_base)
{
	struct capos_thread_control_set_fs_base_in in = { .fs_base = fs_base };
	uint32_t cap = rt_cap(RT_CAP_THREAD);

	if (!cap)
		return -CAPOS_ENOENT;
	return capos_thread_control_set_fs_base(&rt_ring, cap, &in);  /* capos_submit_self */
}

/* The main thread's TLS: a static area when it fits, else pages; FS base set when "thread" exists. */
static void main_tls(void)
{
	struct rt_tls_image t;
	struct capos_tcb *tcb;
	size_t need;
	void *area = main_tls_area;

	rt_tls_image(rt_boot, &t);
	need = rt_tls_area_size(&t);
	if (need > sizeof main_tls_area)
		area = capos_pages_alloc((need + CAPOS_PAGE_SIZE - 1) / CAPOS_PAGE_SIZE);
	if (!area)
		rt_die();
	tcb = rt_tls_setup(area, need, &t);
	if (!tcb)
		rt_die();
	tcb->ring = &rt_ring;
	if (!rt_cap(RT_CAP_THREAD))
		return;  /* no FS base without "thread": TLS stays off, one thread */
	if (rt_set_fs_base((uint64_t)(uintptr_t)tcb) != 0)
		rt_die();
	rt_tls_ready = 1;
}

/* Copy the name and the argument string, split the words: argc. */
static int split_args(void)
{
	int argc = 0;
	char *p = arg_text;

	for (size_t i = 0; i + 1 < sizeof name_text && rt_boot->name[i]; i++)
		name_text[i] = rt_boot->name[i];
	for (size_t i = 0; i + 1 < sizeof arg_text && rt_boot->args[i]; i++)
		arg_text[i] = rt_boot->args[i];
	argv_table[argc++] = name_text;
	while (*p && argc < RT_ARGV_MAX) {
		while (*p == ' ')
			*p++ = '\0';
		if (!*p)
			break;
		argv_table[argc++] = p;
		while (*p && *p != ' ')
			p++;
	}
	argv_table[argc] = NULL;
	return argc;
}

void capos_rt_start(const struct capos_bootstrap *boot)
{
	int argc;

	if (!boot || boot->magic != CAPOS_BOOTSTRAP_MAGIC || boot->version != CAPOS_BOOTSTRAP_VERSION)
		rt_die();
	rt_boot = boot;
	if (capos_ring_init(&rt_ring, (void *)(uintptr_t)boot->ring_addr, boot->ring_size) != 0)
		rt_die();
	rt_caps_init(boot);
	main_tls();
	capos_ring_set_clock(&rt_ring, rt_clock);
	__libc_init_array();
	atexit(__libc_fini_array);
	argc = split_args();
	exit(main(argc, argv_table));
}

struct capos_tcb *capos_tcb_self(void)
{
	struct capos_tcb *t;

	__asm__("movq %%fs:0, %0" : "=r"(t));
	return t;
}
