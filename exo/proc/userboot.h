/*
 * The first process's program: the userboot image embedded in the kernel
 * (capos/userboot.h, userboot.c).
 */
#ifndef EXO_PROC_USERBOOT_H
#define EXO_PROC_USERBOOT_H

#include <capos/userboot.h>

struct aspace;

/*
 * Map every segment of the userboot image into as (pages charged to the
 * space's quota) and give its header (entry, heap start, TLS).
 * -CAPOS_EFORMAT when the embedded image breaks an invariant of
 * capos/userboot.h, or the mapping's error; on failure some segments may
 * be mapped: the caller abandons the process.
 */
int userboot_map(struct aspace *as, const struct capos_userboot_header **out);

#endif
