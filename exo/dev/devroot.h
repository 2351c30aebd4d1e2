/*
 * The device root: init's "devices", the one capability from which every
 * PCI function, legacy port range and legacy IRQ line is handed out
 * (docs/devices.md).
 */
#ifndef EXO_DEV_DEVROOT_H
#define EXO_DEV_DEVROOT_H

#include "kobj.h"

struct kobj *coreobj_devices(void);

#endif
