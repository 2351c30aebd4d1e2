/*
 * Host tests of user-memory access (exo/proc/uaccess.c): copies across
 * page boundaries through the page tables, and every refusal — unmapped
 * page in the middle, read-only page for writes, guard pages, page 0,
 * kernel-half and non-canonical addresses, length overflow — with nothing
 * copied; loader writes to read-only pages; copies between spaces; page
 * translation; atomic 32-bit access.
 */
#include <capos/error.h>
#include "check.h"
#include "fake_env.h"
#include "proc/aspace.h"
#include "proc/uaccess.h"

#define P CAPOS_PAGE_SIZE
#define RW (CAPOS_PROT_READ | CAPOS_PROT_WRITE)
#define RO CAPOS_PROT_READ
#define BASE 0x400000ull

static struct quota *q;
static struct aspace *as;
static uint8_t buf[4 * 4096], back[4 * 4096];

/* BASE: 3 RW pages, 1 RO page, a hole, 1 RW page, 1 guard page. */
static void setup(void)
{
	const struct quota_limits lim = { .frames = 128, .kmem = 1 << 20 };

	fake_reset();
	q = quota_create(&lim);
	CHECK_EQ(aspace_create(q, &as), 0);
	CHECK_EQ(aspace_map_anon(as, BASE, 3, RW, NULL), 0);
	CHECK_EQ(aspace_map_anon(as, BASE + 3 * P, 1, RO, NULL), 0);
	CHECK_EQ(aspace_map_anon(as, BASE + 5 * P, 1, RW, NULL), 0);
	CHECK_EQ(aspace_map_guard(as, BASE + 6 * P, 1, NULL), 0);
	for (unsigned i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 31 + 7);
}

static void teardown(void)
{
	aspace_destroy(as);
	quota_put(q);
	CHECK_EQ(fake.frames_live, 0);
}

static uint8_t *user_byte(struct aspace *s, uint64_t va)
{
	struct pt_mapping m;

	if (pt_walk(&s->pt, va, &m) != 0)
		return NULL;
	return (uint8_t *)(uintptr_t)(m.phys + (va - m.va));
}

static void test_copy_round_trip(void)
{
	setup();
	CHECK_EQ(uaccess_copy_to(as, BASE + 100, buf, 2 * P + 50), 0);
	CHECK_EQ(*user_byte(as, BASE + 100), buf[0]);
	CHECK_EQ(*user_byte(as, BASE + P), buf[P - 100]);
	CHECK_EQ(*user_byte(as, BASE + 2 * P + 149), buf[2 * P + 49]);
	CHECK_EQ(*user_byte(as, BASE + 99), 0);
	memset(back, 0, sizeof(back));
	CHECK_EQ(uaccess_copy_from(as, back, BASE + 100, 2 * P + 50), 0);
	CHECK(memcmp(back, buf, 2 * P + 50) == 0);
	CHECK_EQ(uaccess_copy_from(as, back, BASE + 3 * P, P), 0);   /* RO is readable */
	CHECK_EQ(uaccess_check(as, BASE, 3 * P, true), 0);
	CHECK_EQ(uaccess_check(as, BASE, 4 * P, false), 0);
	teardown();
}

static void test_refusals_copy_nothing(void)
{
	setup();
	memset(back, 0x5a, sizeof(back));
	/* Write over the read-only page: refused before the writable part is touched. */
	CHECK_EQ(uaccess_copy_to(as, BASE + 2 * P, buf, 2 * P), -CAPOS_EFAULT);
	CHECK_EQ(*user_byte(as, BASE + 2 * P), 0);
	CHECK_EQ(uaccess_check(as, BASE + 3 * P, 1, true), -CAPOS_EFAULT);
	/* Unmapped page in the middle. */
	CHECK_EQ(uaccess_copy_from(as, back, BASE + 3 * P, 3 * P), -CAPOS_EFAULT);
	CHECK_EQ(back[0], 0x5a);
	CHECK_EQ(uaccess_copy_to(as, BASE + 4 * P - 1, buf, 2), -CAPOS_EFAULT);
	/* Guard page. */
	CHECK_EQ(uaccess_copy_from(as, back, BASE + 6 * P, 1), -CAPOS_EFAULT);
	CHECK_EQ(uaccess_copy_from(as, back, BASE + 5 * P, P + 1), -CAPOS_EFAULT);
	/* Page 0, the kernel half, non-canonical addresses, the window's top. */
	CHECK_EQ(uaccess_copy_from(as, back, 0, 1), -CAPOS_EFAULT);
	CHECK_EQ(uaccess_copy_from(as, back, 0xff8, 16), -CAPOS_EFAULT);
	CHECK_EQ(uaccess_copy_from(as, back, 0xffff800000000000ull, 8), -CAPOS_EFAULT);
	CHECK_EQ(uaccess_copy_from(as, back, 0xffffffff80000000ull, 8), -CAPOS_EFAULT);
	CHECK_EQ(uaccess_copy_from(as, back, 0x0000800000000000ull, 8), -CAPOS_EFAULT);
	CHECK_EQ(uaccess_copy_from(as, back, 0x8000000000000000ull, 8), -CAPOS_EFAULT);
	CHECK_EQ(uaccess_copy_from(as, back, CAPOS_USER_MAX - 4, 8), -CAPOS_EFAULT);
	/* Lengths that overflow or run past the window. */
	CHECK_EQ(uaccess_copy_from(as, back, BASE, SIZE_MAX), -CAPOS_EFAULT);
	CHECK_EQ(uaccess_copy_from(as, back, BASE, (size_t)(UINT64_MAX - BASE + 2)), -CAPOS_EFAULT);
	CHECK_EQ(uaccess_copy_to(as, BASE, buf, (size_t)CAPOS_USER_MAX), -CAPOS_EFAULT);
	CHECK_EQ(back[0], 0x5a);
	/* Zero length never looks at the address. */
	CHECK_EQ(uaccess_copy_from(as, back, 0xffff800000000000ull, 0), 0);
	CHECK_EQ(uaccess_check(as, 0, 0, true), 0);
	teardown();
}

static void test_loader_writes_read_only(void)
{
	setup();
	CHECK_EQ(uaccess_load(as, BASE + 3 * P + 10, buf, 20), 0);
	CHECK_EQ(*user_byte(as, BASE + 3 * P + 10), buf[0]);
	CHECK_EQ(uaccess_load(as, BASE + 4 * P, buf, 1), -CAPOS_EFAULT);
	CHECK_EQ(uaccess_load(as, 0xffff800000000000ull, buf, 1), -CAPOS_EFAULT);
	teardown();
}

static void test_copy_between_spaces(void)
{
	const struct quota_limits lim = { .frames = 32, .kmem = 1 << 20 };
	struct quota *q2;
	struct aspace *other;

	setup();
	q2 = quota_create(&lim);
	CHECK_EQ(aspace_create(q2, &other), 0);
	CHECK_EQ(aspace_map_anon(other, 0x10000000, 2, RW, NULL), 0);
	CHECK_EQ(aspace_map_anon(other, 0x10002000, 1, RO, NULL), 0);
	CHECK_EQ(uaccess_copy_to(as, BASE, buf, 3 * P), 0);
	CHECK_EQ(uaccess_copy_user(other, 0x10000100, as, BASE + 50, P + 300), 0);
	CHECK_EQ(*user_byte(other, 0x10000100), buf[50]);
	CHECK_EQ(*user_byte(other, 0x10000100 + P + 299), buf[50 + P + 299]);
	CHECK_EQ(uaccess_copy_user(as, BASE + 5 * P, other, 0x10000100, 16), 0);
	CHECK_EQ(*user_byte(as, BASE + 5 * P + 15), buf[65]);
	/* Destination runs into a read-only page: refused, nothing written. */
	CHECK_EQ(uaccess_copy_user(other, 0x10001f00, as, BASE, 0x200), -CAPOS_EFAULT);
	CHECK_EQ(*user_byte(other, 0x10001f00), 0);
	CHECK_EQ(uaccess_copy_user(other, 0x10000000, as, BASE + 4 * P, 1), -CAPOS_EFAULT);
	CHECK_EQ(uaccess_copy_user(other, 0x10000000, as, 0xffff800000000000ull, 1), -CAPOS_EFAULT);
	/* Within one space: fine apart, refused overlapping. */
	CHECK_EQ(uaccess_copy_user(as, BASE + 2 * P, as, BASE, 100), 0);
	CHECK_EQ(*user_byte(as, BASE + 2 * P + 99), buf[99]);
	CHECK_EQ(uaccess_copy_user(as, BASE + 10, as, BASE, 100), -CAPOS_EINVAL);
	CHECK_EQ(uaccess_copy_user(as, BASE, as, BASE + 10, 100), -CAPOS_EINVAL);
	aspace_destroy(other);
	quota_put(q2);
	teardown();
}

static void test_page_phys(void)
{
	uint64_t phys = 0;

	setup();
	CHECK_EQ(uaccess_page_phys(as, BASE + 0x123, true, &phys), 0);
	CHECK_EQ(phys, (uint64_t)(uintptr_t)user_byte(as, BASE + 0x123));
	CHECK_EQ(uaccess_page_phys(as, BASE + 3 * P, false, &phys), 0);
	CHECK_EQ(uaccess_page_phys(as, BASE + 3 * P, true, &phys), -CAPOS_EFAULT);
	CHECK_EQ(uaccess_page_phys(as, BASE + 4 * P, false, &phys), -CAPOS_EFAULT);
	CHECK_EQ(uaccess_page_phys(as, 0xffff800000000000ull, false, &phys), -CAPOS_EFAULT);
	teardown();
}

/* The remembered translation never outlives its mapping: after unmap or protect the same page is refused. */
static void test_translation_cache_follows_changes(void)
{
	setup();
	CHECK_EQ(uaccess_copy_to(as, BASE + 8, buf, 16), 0);        /* remembered: BASE, writable */
	CHECK_EQ(aspace_protect(as, BASE, 1, RO), 0);
	CHECK_EQ(uaccess_copy_to(as, BASE + 8, buf, 16), -CAPOS_EFAULT);
	CHECK_EQ(uaccess_copy_from(as, back, BASE + 8, 16), 0);     /* still readable */
	CHECK_EQ(aspace_unmap(as, BASE, 1), 0);
	CHECK_EQ(uaccess_copy_from(as, back, BASE + 8, 16), -CAPOS_EFAULT);
	CHECK_EQ(uaccess_check(as, BASE, 1, false), -CAPOS_EFAULT);
	CHECK_EQ(aspace_map_anon(as, BASE, 1, RW, NULL), 0);         /* a new frame: no stale bytes */
	CHECK_EQ(uaccess_copy_from(as, back, BASE + 8, 16), 0);
	CHECK_EQ(back[0], 0);
	teardown();
}

static void test_u32(void)
{
	uint32_t v = 0, old = 0;

	setup();
	CHECK_EQ(uaccess_copy_to(as, BASE + 8, "\x01\x02\x03\x04", 4), 0);
	CHECK_EQ(uaccess_read_u32(as, BASE + 8, &v), 0);
	CHECK_EQ(v, 0x04030201u);
	CHECK_EQ(uaccess_read_u32(as, BASE + 9, &v), -CAPOS_EINVAL);
	CHECK_EQ(uaccess_read_u32(as, BASE + 4 * P, &v), -CAPOS_EFAULT);
	CHECK_EQ(uaccess_read_u32(as, 0xffff800000000000ull, &v), -CAPOS_EFAULT);
	CHECK_EQ(uaccess_read_u32(as, 0, &v), -CAPOS_EFAULT);
	CHECK_EQ(uaccess_cmpxchg_u32(as, BASE + 8, 5, 6, &old), 0);
	CHECK_EQ(old, 0x04030201u);                     /* no swap */
	CHECK_EQ(uaccess_read_u32(as, BASE + 8, &v), 0);
	CHECK_EQ(v, 0x04030201u);
	CHECK_EQ(uaccess_cmpxchg_u32(as, BASE + 8, 0x04030201u, 42, &old), 0);
	CHECK_EQ(old, 0x04030201u);
	CHECK_EQ(uaccess_read_u32(as, BASE + 8, &v), 0);
	CHECK_EQ(v, 42);
	CHECK_EQ(uaccess_cmpxchg_u32(as, BASE + 3 * P, 0, 1, &old), -CAPOS_EFAULT);  /* read-only */
	CHECK_EQ(uaccess_cmpxchg_u32(as, BASE + 2, 0, 1, &old), -CAPOS_EINVAL);
	teardown();
}

int main(void)
{
	RUN(test_copy_round_trip);
	RUN(test_refusals_copy_nothing);
	RUN(test_loader_writes_read_only);
	RUN(test_copy_between_spaces);
	RUN(test_page_phys);
	RUN(test_u32);
	RUN(test_translation_cache_follows_changes);
	return check_done();
}
