/* Verdict reporting through isa-debug-exit; see verdict.h. */
#include <capos/verdict.h>
#include "verdict.h"
#include "log.h"
#include "../lib/cmdline.h"
#include "../arch/x86_64/cpu.h"

static int debug_exit;

void verdict_init(const char *cmdline)
{
	char value[16];

	debug_exit = cmdline_get(cmdline, "exit", value, sizeof value) >= 0 &&
		     value[0] == 'd' && value[1] == 'e' && value[2] == 'b' &&
		     value[3] == 'u' && value[4] == 'g' && value[5] == '\0';
}

int verdict_enabled(void)
{
	return debug_exit;
}

void verdict_exit(uint32_t code)
{
	if (debug_exit)
		outl(CAPOS_DEBUG_EXIT_PORT, code);
	kprintf("capOS: stopped (verdict 0x%x); the machine is halted\n", code);
	cpu_stop();
}
