/*
 * User-memory access through page-table walks and the direct map; see
 * uaccess.h.  Checks and copies run under the space's lock.
 */
#include <capos/error.h>
#include <capos/prot.h>
#include "uaccess.h"
#include "aspace.h"
#include "uvm_env.h"
#include "../lib/string.h"

enum ua_mode {
	UA_READ,   /* present and user */
	UA_WRITE,  /* present, user and writable */
	UA_LOAD,   /* present and user; the loader writes regardless */
};

static int ua_range(uint64_t va, size_t len)
{
	if (va < CAPOS_USER_MIN || va >= CAPOS_USER_MAX || len > CAPOS_USER_MAX - va)
		return -CAPOS_EFAULT;
	return 0;
}

/* Where the user byte va lives, if mode allows it (as->lock held). */
static int ua_translate(struct aspace *as, uint64_t va, enum ua_mode mode, uint64_t *phys)
{
	uint64_t page = va & ~(CAPOS_PAGE_SIZE - 1);
	struct pt_mapping m;

	if (!as->ua.valid || as->ua.page != page) {
		/* Device registers (uncached) are never touched on a process's
		 * behalf: a read could have side effects, and the direct map
		 * does not cover them. */
		if (pt_walk(&as->pt, va, &m) != 0 || !(m.flags & PT_USER) || (m.flags & PT_NOCACHE))
			return -CAPOS_EFAULT;
		as->ua = (struct ua_cache){ page, m.phys + (page - m.va), m.flags, true };
	}
	if (mode == UA_WRITE && !(as->ua.flags & PT_WRITE))
		return -CAPOS_EFAULT;
	*phys = as->ua.frame + (va - page);
	return 0;
}

static int ua_check_locked(struct aspace *as, uint64_t va, size_t len, enum ua_mode mode)
{
	uint64_t page, end, phys;
	int err = ua_range(va, len);

	if (err || len == 0)
		return err;
	end = va + len;
	for (page = va & ~(CAPOS_PAGE_SIZE - 1); page < end; page += CAPOS_PAGE_SIZE) {
		err = ua_translate(as, page, mode, &phys);
		if (err)
			return err;
	}
	return 0;
}

/* Bytes from va to the end of its page, at most len. */
static size_t ua_chunk(uint64_t va, size_t len)
{
	uint64_t left = CAPOS_PAGE_SIZE - (va & (CAPOS_PAGE_SIZE - 1));

	return len < left ? len : (size_t)left;
}

/*
 * The frame behind va in a range the caller has already checked under the
 * space's lock: a miss here is a kernel bug, so it traps (a kernel #UD
 * dump and panic) instead of copying through an undefined address.
 */
static uint64_t ua_checked_phys(struct aspace *as, uint64_t va)
{
	uint64_t phys = 0;

	if (ua_translate(as, va, UA_READ, &phys) != 0)
		__builtin_trap();
	return phys;
}

/* Copy between a checked user range and a kernel buffer. */
static void ua_copy_locked(struct aspace *as, uint64_t va, uint8_t *kbuf, size_t len, bool to_user)
{
	while (len > 0) {
		size_t n = ua_chunk(va, len);
		uint8_t *p = uvm_phys_ptr(ua_checked_phys(as, va));

		if (to_user)
			memcpy(p, kbuf, n);
		else
			memcpy(kbuf, p, n);
		va += n;
		kbuf += n;
		len -= n;
	}
}

/* A range inside one page: one walk both checks it and finds the frame. */
static bool ua_one_page(uint64_t va, size_t len)
{
	return ((va ^ (va + len - 1)) & ~(CAPOS_PAGE_SIZE - 1)) == 0;
}

static int ua_copy(struct aspace *as, uint64_t va, uint8_t *kbuf, size_t len, enum ua_mode mode)
{
	uint64_t flags, phys;
	int err;

	if (len == 0)
		return 0;
	err = ua_range(va, len);
	if (err)
		return err;
	flags = uvm_lock(&as->lock);
	if (ua_one_page(va, len)) {
		err = ua_translate(as, va, mode, &phys);
		if (!err && mode != UA_READ)
			memcpy(uvm_phys_ptr(phys), kbuf, len);
		else if (!err)
			memcpy(kbuf, uvm_phys_ptr(phys), len);
	} else {
		err = ua_check_locked(as, va, len, mode);
		if (!err)
			ua_copy_locked(as, va, kbuf, len, mode != UA_READ);
	}
	uvm_unlock(&as->lock, flags);
	return err;
}

int uaccess_check(struct aspace *as, uint64_t va, size_t len, bool write)
{
	uint64_t flags;
	int err;

	if (len == 0)
		return 0;
	flags = uvm_lock(&as->lock);
	err = ua_check_locked(as, va, len, write ? UA_WRITE : UA_READ);
	uvm_unlock(&as->lock, flags);
	return err;
}

int uaccess_copy_from(struct aspace *as, void *dst, uint64_t src, size_t len)
{
	return ua_copy(as, src, dst, len, UA_READ);
}

int uaccess_copy_to(struct aspace *as, uint64_t dst, const void *src, size_t len)
{
	return ua_copy(as, dst, (uint8_t *)(uintptr_t)src, len, UA_WRITE);
}

int uaccess_load(struct aspace *as, uint64_t dst, const void *src, size_t len)
{
	return ua_copy(as, dst, (uint8_t *)(uintptr_t)src, len, UA_LOAD);
}

static void ua_copy_between(struct aspace *dst_as, uint64_t dst, struct aspace *src_as,
			    uint64_t src, size_t len)
{
	while (len > 0) {
		size_t n = ua_chunk(src, len), m = ua_chunk(dst, n);

		memcpy(uvm_phys_ptr(ua_checked_phys(dst_as, dst)), uvm_phys_ptr(ua_checked_phys(src_as, src)), m);
		dst += m;
		src += m;
		len -= m;
	}
}

static bool ua_overlap(uint64_t a, uint64_t b, size_t len)
{
	return a < b + len && b < a + len;
}

int uaccess_copy_user(struct aspace *dst_as, uint64_t dst, struct aspace *src_as, uint64_t src,
		      size_t len)
{
	struct aspace *first = dst_as < src_as ? dst_as : src_as;
	struct aspace *second = dst_as < src_as ? src_as : dst_as;
	uint64_t f1, f2 = 0;
	int err;

	if (len == 0)
		return 0;
	err = ua_range(dst, len);
	if (!err)
		err = ua_range(src, len);
	if (err)
		return err;
	if (dst_as == src_as && ua_overlap(dst, src, len))
		return -CAPOS_EINVAL;
	f1 = uvm_lock(&first->lock);
	if (second != first)
		f2 = uvm_lock(&second->lock);
	if (ua_one_page(dst, len) && ua_one_page(src, len)) {
		uint64_t pd, ps;

		err = ua_translate(dst_as, dst, UA_WRITE, &pd);
		if (!err)
			err = ua_translate(src_as, src, UA_READ, &ps);
		if (!err)
			memcpy(uvm_phys_ptr(pd), uvm_phys_ptr(ps), len);
	} else {
		err = ua_check_locked(dst_as, dst, len, UA_WRITE);
		if (!err)
			err = ua_check_locked(src_as, src, len, UA_READ);
		if (!err)
			ua_copy_between(dst_as, dst, src_as, src, len);
	}
	if (second != first)
		uvm_unlock(&second->lock, f2);
	uvm_unlock(&first->lock, f1);
	return err;
}

int uaccess_page_phys(struct aspace *as, uint64_t va, bool write, uint64_t *phys)
{
	uint64_t flags;
	int err = ua_range(va, 1);

	if (err)
		return err;
	flags = uvm_lock(&as->lock);
	err = ua_translate(as, va, write ? UA_WRITE : UA_READ, phys);
	uvm_unlock(&as->lock, flags);
	return err;
}

/* The direct-map address of an aligned user word, checked for mode. */
static int ua_word(struct aspace *as, uint64_t va, enum ua_mode mode, uint32_t **word)
{
	uint64_t phys;
	int err;

	if (va & 3)
		return -CAPOS_EINVAL;
	err = ua_range(va, 4);
	if (!err)
		err = ua_translate(as, va, mode, &phys);
	if (!err)
		*word = uvm_phys_ptr(phys);
	return err;
}

int uaccess_read_u32(struct aspace *as, uint64_t va, uint32_t *out)
{
	uint64_t flags = uvm_lock(&as->lock);
	uint32_t *word;
	int err = ua_word(as, va, UA_READ, &word);

	if (!err)
		*out = __atomic_load_n(word, __ATOMIC_ACQUIRE);
	uvm_unlock(&as->lock, flags);
	return err;
}

int uaccess_cmpxchg_u32(struct aspace *as, uint64_t va, uint32_t expected, uint32_t desired,
			uint32_t *old)
{
	uint64_t flags = uvm_lock(&as->lock);
	uint32_t *word;
	int err = ua_word(as, va, UA_WRITE, &word);

	if (!err) {
		__atomic_compare_exchange_n(word, &expected, desired, 0, __ATOMIC_ACQ_REL,
					    __ATOMIC_ACQUIRE);
		*old = expected;
	}
	uvm_unlock(&as->lock, flags);
	return err;
}
