/*
 * uaccess: the kernel's only way to read and write user memory.  The
 * kernel never dereferences a user virtual address: it walks the address
 * space's page tables and copies through the direct map, so every call
 * works whether or not `as` is loaded on this CPU (IPC between processes,
 * completions posted to a blocked process) and SMAP never matters.
 *
 * Every call validates the whole range before touching a byte: the range
 * must not overflow, must lie inside [CAPOS_USER_MIN, CAPOS_USER_MAX), and
 * every page must be present and user-accessible (and writable for
 * writes); otherwise -CAPOS_EFAULT and nothing was copied.  The space's
 * lock is held from the check to the end of the copy, so a concurrent
 * unmap cannot free a page in between.  A length of 0 succeeds without
 * looking at the address.
 */
#ifndef EXO_PROC_UACCESS_H
#define EXO_PROC_UACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct aspace;

/* 0 when [va, va + len) could be read (write false) or written now. */
int uaccess_check(struct aspace *as, uint64_t va, size_t len, bool write);

/* Copy len bytes from user src into kernel dst / from kernel src into user dst. */
int uaccess_copy_from(struct aspace *as, void *dst, uint64_t src, size_t len);
int uaccess_copy_to(struct aspace *as, uint64_t dst, const void *src, size_t len);

/* Like uaccess_copy_to but ignoring the write permission (pages must still
 * be present and user): how the program loader fills read-only and
 * executable segments.  Not for anything a process asks for. */
int uaccess_load(struct aspace *as, uint64_t dst, const void *src, size_t len);

/* Copy between two spaces (or within one; the ranges must then not
 * overlap: -CAPOS_EINVAL).  Both ranges are checked before any byte moves;
 * the locks are taken in address order. */
int uaccess_copy_user(struct aspace *dst_as, uint64_t dst, struct aspace *src_as, uint64_t src,
		      size_t len);

/* Physical address of the byte at user va (present, user, writable when
 * write).  The answer is only good while the caller keeps the page from
 * being unmapped (e.g. the region is one the kernel owns). */
int uaccess_page_phys(struct aspace *as, uint64_t va, bool write, uint64_t *phys);

/* Atomic 32-bit access to a user word (ParkSpace): va must be 4-byte
 * aligned (-CAPOS_EINVAL).  cmpxchg needs a writable page; it stores
 * desired only when the word equals expected, and *old gets the value
 * found either way. */
int uaccess_read_u32(struct aspace *as, uint64_t va, uint32_t *out);
int uaccess_cmpxchg_u32(struct aspace *as, uint64_t va, uint32_t expected, uint32_t desired,
			uint32_t *old);

#endif
