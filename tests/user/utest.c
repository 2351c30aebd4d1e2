/*
 * The user test kit (utest.h): one output line per check, a failure
 * count, and capability look-ups that report what is missing.
 */
#include "utest.h"

static const char *ut_program = "utest";
static int ut_failed;

void ut_init(const char *program)
{
	ut_program = program;
	ut_failed = 0;
}

void ut_check(int cond, const char *what, const char *detail, ...)
{
	char text[160];
	va_list ap;

	if (cond) {
		capos_printf("%s: %s: ok\n", ut_program, what);
		return;
	}
	va_start(ap, detail);
	capos_vsnprintf(text, sizeof text, detail, ap);
	va_end(ap);
	capos_printf("%s: %s: FAILED (%s)\n", ut_program, what, text);
	ut_failed++;
}

void ut_status(const char *what, int got, int want)
{
	ut_check(got == want, what, "got %d %s, expected %d %s", got, capos_strerror(got), want,
		 capos_strerror(want));
}

void ut_note(const char *fmt, ...)
{
	char text[256];
	va_list ap;

	va_start(ap, fmt);
	capos_vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	capos_printf("%s: %s\n", ut_program, text);
}

int ut_failures(void)
{
	return ut_failed;
}

uint32_t ut_cap(const char *name)
{
	uint32_t h = capos_cap_find(name, NULL);

	if (!h) {
		capos_printf("%s: capability %s: FAILED (not granted)\n", ut_program, name);
		ut_failed++;
	}
	return h;
}
