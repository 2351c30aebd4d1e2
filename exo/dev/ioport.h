/*
 * Kernel-internal interface of the IoPortRange object (exo/dev/ioport.c)
 * for DeviceRoot's legacy ranges and a PciFunction's I/O BARs.
 */
#ifndef EXO_DEV_IOPORT_H
#define EXO_DEV_IOPORT_H

#include <stdint.h>
#include "kobj.h"

/* A new IoPortRange over [base, base + count); NULL when memory is short. */
struct kobj *ioport_range_create(uint32_t base, uint32_t count);

/*
 * The ports' owner is gone (a PciFunction's claim ended): close them in
 * every process that had them open; later calls answer -CAPOS_EREVOKED.
 */
void ioport_range_revoke(struct kobj *range);

#endif
