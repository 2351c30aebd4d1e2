/*
 * The running process's I/O permission bitmap in this CPU's TSS.  A
 * process's ports are a bitmap of its own (exo/dev/ioport.c); on every
 * switch the scheduler hands it here, and only its used prefix is copied
 * (plus the bytes the previous process had open are closed again).  A
 * version number names each state of a process's map, so a switch
 * between threads of one process, or back to a process whose map did not
 * change, copies nothing.
 */
#ifndef EXO_ARCH_IOPB_H
#define EXO_ARCH_IOPB_H

#include <stdint.h>

/*
 * Load bits[0, used) (set bit = closed port) as version (> 0) on this
 * CPU; bits NULL (used and version 0) closes every port.  Interrupts off.
 */
void arch_iopb_load(const uint8_t *bits, uint32_t used, uint64_t version);

/* The version loaded on this CPU (0: none).  Interrupts off. */
uint64_t arch_iopb_version(void);

#endif
