/* Starting init (see init.c). */
#ifndef EXO_PROC_INIT_H
#define EXO_PROC_INIT_H

/* Create and start init from the boot package; 0 or a negative CAPOS_E* code (logged). */
int init_start(const char *cmdline);

#endif
