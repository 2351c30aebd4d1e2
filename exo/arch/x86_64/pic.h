/*
 * Legacy 8259 PIC pair: capOS uses the LAPIC (and later the IOAPIC), so
 * the 8259s are only moved out of the exception vectors and silenced.
 */
#ifndef EXO_ARCH_PIC_H
#define EXO_ARCH_PIC_H

/* Remap to VEC_PIC_BASE..+15 and mask every line. */
void pic_disable(void);

#endif
