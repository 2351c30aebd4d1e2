/*
 * The capabilities the runtime uses itself, found once by name in the
 * bootstrap page (the names are the ones init and the loader's grant lists
 * use; see capos/rt.h).  "stdio" counts only when it is a
 * TerminalSession: then it carries standard input and output instead of
 * "console".
 */
#include <capos/rt.h>
#include "rt_internal.h"

static const char *const rt_cap_names[RT_CAP_COUNT] = {
	[RT_CAP_CONSOLE] = "console",
	[RT_CAP_THREAD] = "thread",
	[RT_CAP_THREADS] = "threads",
	[RT_CAP_VM] = "vm",
	[RT_CAP_TIMER] = "timer",
	[RT_CAP_PARK] = "park",
	[RT_CAP_SPAWNER] = "spawner",
	[RT_CAP_STDIO] = "stdio",
};

static uint32_t rt_caps[RT_CAP_COUNT];

void rt_caps_init(const struct capos_bootstrap *boot)
{
	(void)boot;
	uint32_t iface = 0;

	for (int i = 0; i < RT_CAP_COUNT; i++)
		rt_caps[i] = capos_cap_find(rt_cap_names[i], i == RT_CAP_STDIO ? &iface : NULL);
	if (iface != CAPOS_IFACE_TERMINAL_SESSION)
		rt_caps[RT_CAP_STDIO] = 0;
}

uint32_t rt_cap(enum rt_cap which)
{
	return which < RT_CAP_COUNT ? rt_caps[which] : 0;
}
