/*
 * probe: a small service for the tests of init (tests/qemu/init).  Its
 * argument words are acted on in order, each printing one line that
 * starts with its tag:
 *   tag=NAME    the tag of the lines that follow (default "probe")
 *   caps        list every capability the process holds: name(interface)
 *   call=CAP    call method 0 of CAP's interface (an echo service) and say
 *               what came back
 *   sleep=MS    Timer.sleep (needs "timer")
 *   alloc=PAGES map PAGES pages of memory (needs "vm") and say whether the
 *               frame quota allowed it (the mapping is given back)
 *   exit=N      end with exit code N
 *   fault       write to address 0: the kernel ends the process (#PF)
 * Without exit= or fault, probe ends with 0 after the last word.
 */
#include <stdlib.h>
#include <string.h>
#include <capos/ipc.h>
#include <capos/rt.h>

static const char *tag = "probe";
static volatile uintptr_t no_page;   /* 0, read at run time: a plain NULL store could become ud2 */

static void list_caps(void)
{
	const struct capos_bootstrap *b = capos_bootstrap();
	char line[512];
	size_t len = 0;

	len += (size_t)capos_snprintf(line, sizeof line, "%s: %u capabilities:", tag, b->cap_count);
	for (uint32_t i = 0; i < b->cap_count && i < CAPOS_BOOTSTRAP_MAX_CAPS && len < sizeof line; i++)
		len += (size_t)capos_snprintf(line + len, sizeof line - len, " %s(0x%x)", b->caps[i].name,
					      b->caps[i].iface);
	capos_printf("%s\n", line);
}

static void call(const char *name)
{
	uint32_t iface = 0, cap = capos_cap_find(name, &iface);
	struct capos_ipc_reply reply;
	char out[64];
	int err;

	if (!cap) {
		capos_printf("%s: call %s: no such capability\n", tag, name);
		return;
	}
	err = capos_ipc_call(cap, iface, 0, "probe", 5, NULL, 0, out, sizeof out - 1, &reply);
	if (err == 0) {
		out[reply.len] = '\0';
		capos_printf("%s: call %s: answered '%s'\n", tag, name, out);
	} else if (err == CAPOS_STATUS_APP_ERROR) {
		capos_printf("%s: call %s: application error %d\n", tag, name, reply.app_code);
	} else {
		capos_printf("%s: call %s: %s\n", tag, name, capos_strerror(err));
	}
}

static void alloc_pages(uint64_t pages)
{
	void *p = capos_pages_alloc(pages);

	if (!p) {
		capos_printf("%s: alloc %llu pages: refused: %s\n", tag, (unsigned long long)pages,
			     capos_strerror(capos_errno));
		return;
	}
	for (uint64_t i = 0; i < pages; i++)
		((volatile char *)p)[i * CAPOS_PAGE_SIZE] = 1;  /* every frame really taken */
	capos_pages_free(p, pages);
	capos_printf("%s: alloc %llu pages: ok\n", tag, (unsigned long long)pages);
}

static int act(const char *w)
{
	if (strncmp(w, "tag=", 4) == 0)
		tag = w + 4;
	else if (strcmp(w, "caps") == 0)
		list_caps();
	else if (strncmp(w, "call=", 5) == 0)
		call(w + 5);
	else if (strncmp(w, "alloc=", 6) == 0)
		alloc_pages((uint64_t)atoi(w + 6));
	else if (strncmp(w, "sleep=", 6) == 0)
		capos_sleep_ns((uint64_t)atoi(w + 6) * 1000000ull);
	else if (strncmp(w, "exit=", 5) == 0) {
		capos_printf("%s: exiting with code %d\n", tag, atoi(w + 5));
		exit(atoi(w + 5));
	} else if (strcmp(w, "fault") == 0) {
		capos_printf("%s: writing to address 0\n", tag);
		*(volatile int *)no_page = 1;
	} else {
		capos_printf("%s: unknown word '%s'\n", tag, w);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int bad = 0;

	for (int i = 1; i < argc; i++)
		bad |= act(argv[i]);
	return bad;
}
