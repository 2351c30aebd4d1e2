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

/*
 * A new IoPortRange over [base, base + count), with one reference for the
 * caller.  NULL when memory is short, the range is empty or runs past
 * 0xffff, or it touches a port the kernel drives itself (COM1, the PICs,
 * the PIT, PCI configuration, ACPI, isa-debug-exit: logged).
 */
struct kobj *ioport_range_create(uint32_t base, uint32_t count);

/*
 * The ports' owner is gone (a PciFunction's claim ended): close them in
 * every process that had them open; later calls answer -CAPOS_EREVOKED.
 */
void ioport_range_revoke(struct kobj *range);

/*
 * Hooks.  ioport_activate: p (NULL: none) runs next on this CPU; load its
 * ports into the TSS (the scheduler calls it with sched_lock held).
 * ioport_slot_dropped: a capability slot of p was freed (release, move
 * away): ports of ranges p no longer holds close; it takes p->lock, so
 * call it with no lock held.  ioport_process_exit: p is being torn down
 * (before its capabilities are released); its map goes.
 */
void ioport_activate(struct process *p);
void ioport_slot_dropped(struct process *p);
void ioport_process_exit(struct process *p);

#endif
