/*
 * Kernel-internal interface of the IoPortRange object (exo/dev/ioport.c)
 * for DeviceRoot's legacy ranges and a PciFunction's I/O BARs, and the
 * hooks by which the scheduler, the process code and the capability code
 * keep each process's open ports in step with the handles it holds.
 */
#ifndef EXO_DEV_IOPORT_H
#define EXO_DEV_IOPORT_H

#include <stdint.h>
#include "kobj.h"

struct process;

/* A new IoPortRange over [base, base + count) (within 0..0xffff); NULL when memory is short or the range is empty or past 0xffff. */
struct kobj *ioport_range_create(uint32_t base, uint32_t count);

/*
 * The ports' owner is gone (a PciFunction's claim ended): close them in
 * every process that had them open; later calls answer -CAPOS_EREVOKED.
 */
void ioport_range_revoke(struct kobj *range);

/*
 * Hooks.  ioport_activate: p (NULL: none) runs next on this CPU; load its
 * ports into the TSS (sched_lock may be held; interrupts off).
 * ioport_slot_dropped: a capability slot of p was freed (release, move
 * away): ports of ranges p no longer holds close.  ioport_process_exit:
 * p is being torn down; its map goes.  None of them takes p->lock's
 * callers' locks: call with no lock held, except ioport_activate.
 */
void ioport_activate(struct process *p);
void ioport_slot_dropped(struct process *p);
void ioport_process_exit(struct process *p);

#endif
