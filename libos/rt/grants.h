/*
 * The grant language of capos_spawn: which capabilities a child starts
 * with and under which names.  grants is a space-separated list of words:
 * NAME takes the next capability the caller passes (a transfer
 * descriptor, copied into the child), NAME=@KIND gives the child an
 * object bound to itself (@vm, @threads, @thread, @park, @self).  Names are 1..23 characters
 * of [a-z0-9_.-].  Pure: the loader and the host tests link it.
 */
#ifndef LIBOS_RT_GRANTS_H
#define LIBOS_RT_GRANTS_H

#include <stdint.h>
#include <capos/process.h>

#define GRANTS_MAX CAPOS_BOOTSTRAP_MAX_CAPS
#define GRANTS_TEXT_MAX 256   /* bytes including the NUL, as ProcessSpawner.spawn took them */

struct grant {
	char name[CAPOS_CAP_NAME_MAX];
	uint32_t bind;      /* CAPOS_BIND_*; 0 for a passed capability */
	uint32_t xfer;      /* the passed capability's index, when bind is 0 */
};

struct grant_plan {
	struct grant g[GRANTS_MAX];
	uint32_t count;
};

/*
 * Parse text against ncaps passed capabilities.  0 with *plan, or
 * -CAPOS_EINVAL (malformed word, unknown kind, ncaps not the number of
 * plain names), -CAPOS_ERANGE (more than
 * GRANTS_MAX names, text of GRANTS_TEXT_MAX bytes or more), -CAPOS_EEXIST
 * (a name twice).  text NULL is the empty list.
 */
int grants_parse(const char *text, uint32_t ncaps, struct grant_plan *plan);

#endif
