/*
 * Laying out TLS blocks (capos/tls.h): rt_tls_area_size says how many
 * bytes an area needs to hold a thread's TLS block and TCB at any
 * placement; rt_tls_setup lays them out in the area, copies the template,
 * zeroes the rest and fills the TCB's self pointer.  Pure code, also
 * built into the host tests.
 */
#ifndef LIBOS_RT_TLS_H
#define LIBOS_RT_TLS_H

#include <stddef.h>
#include <stdint.h>
#include <capos/process.h>
#include <capos/tls.h>

struct rt_tls_image {
	const void *image;
	uint64_t filesz, memsz, align;
};

size_t rt_tls_area_size(const struct rt_tls_image *t);
/* The TCB (thread pointer), or NULL when the area is too small. */
struct capos_tcb *rt_tls_setup(void *area, size_t area_size, const struct rt_tls_image *t);
/* The program's TLS template, from the bootstrap page. */
void rt_tls_image(const struct capos_bootstrap *boot, struct rt_tls_image *t);

#endif
