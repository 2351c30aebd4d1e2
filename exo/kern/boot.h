/*
 * What the kernel keeps from boot: the loader's record (which stays in
 * CAPOS_MEM_BOOTINFO memory for the kernel's lifetime), the command line
 * copy and the checked boot package.
 */
#ifndef EXO_KERN_BOOT_H
#define EXO_KERN_BOOT_H
#include <capos/bootinfo.h>
#include "../lib/bootpkg.h"

const struct capos_boot_info *boot_record(void);
const char *boot_cmdline(void);
/* The boot package, or NULL when it failed the kernel's own check. */
const struct bootpkg_view *boot_package(void);

#endif
