/*
 * The capabilities the runtime uses itself, found once by name in the
 * bootstrap page (the names are the ones init and ProcessSpawner grants
 * use; see capos/rt.h).
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
};

static uint32_t rt_caps[RT_CAP_COUNT];

void rt_caps_init(const struct capos_bootstrap *boot)
{
	(void)boot;
	for (int i = 0; i < RT_CAP_COUNT; i++)
		rt_caps[i] = capos_cap_find(rt_cap_names[i], NULL);
}

uint32_t rt_cap(enum rt_cap which)
{
	return which < RT_CAP_COUNT ? rt_caps[which] : 0;
}
