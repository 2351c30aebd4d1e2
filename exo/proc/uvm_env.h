/*
 * What the user-memory layer (aspace, memobj, uaccess, quota) needs
 * from the rest of the kernel, in one narrow list.  uvm_env.c implements it
 * with the frame allocator, the heap, the direct map and CR3; the host
 * tests (tests/host/uvm) implement it over malloc'd pages, so the whole
 * layer runs on Linux under ASan.
 */
#ifndef EXO_PROC_UVM_ENV_H
#define EXO_PROC_UVM_ENV_H

#include <stddef.h>
#include <stdint.h>
#include "../kern/spinlock.h"

int uvm_frame_alloc(uint64_t *phys);  /* one zeroed 4 KiB frame: 0 or -CAPOS_ENOMEM */
void uvm_frame_free(uint64_t phys);
void *uvm_phys_ptr(uint64_t phys);    /* where the frame at phys is readable and writable */
void *uvm_zalloc(size_t size);        /* zeroed kernel memory; NULL when exhausted */
void *uvm_alloc(size_t size);         /* uninitialised kernel memory; NULL when exhausted */
void uvm_free(void *p);               /* NULL is allowed */
size_t uvm_alloc_size(const void *p); /* the whole block behind p (what a charge counts) */

uint64_t uvm_kernel_root(void);       /* physical address of the kernel's PML4 */
uint64_t uvm_current_root(void);      /* PML4 this CPU runs on */
void uvm_load_root(uint64_t root);    /* switch this CPU to another PML4 */
void uvm_flush_page(uint64_t va);     /* drop va from this CPU's TLB */

/* The address-space lock (in the kernel a spinlock taken with interrupts on: see uvm_env.c). */
uint64_t uvm_lock(struct spinlock *l);
void uvm_unlock(struct spinlock *l, uint64_t flags);

#endif
