/*
 * Test verdicts the guest hands QEMU through the isa-debug-exit device
 * (iobase 0xf4).  QEMU exits with (value << 1) | 1, so the values below
 * become host exit statuses 33, 35 and 37.  A clean ACPI power-off exits 0.
 * ci/qemu_run.py decodes the same numbers; keep both in step.
 */
#ifndef CAPOS_VERDICT_H
#define CAPOS_VERDICT_H

#define CAPOS_DEBUG_EXIT_PORT 0xf4

#define CAPOS_VERDICT_PASS  0x10 /* host status 33 */
#define CAPOS_VERDICT_FAIL  0x11 /* host status 35 */
#define CAPOS_VERDICT_PANIC 0x12 /* host status 37 */

#endif
