/*
 * In-kernel tests of the user-memory layer, run with "test=<name>":
 *   uvm_aspace  map/unmap/protect with the W^X, overlap, window and
 *               alignment refusals; uaccess copies and the faults they
 *               refuse; the CPU's own view of the space through CR3;
 *   uvm_quota   frame-quota exhaustion (pages and page tables) rolls back
 *               to exactly the charge before the call;
 *   uvm_memobj  one object mapped in two spaces: shared contents, and its
 *               frames return only after the last reference and mapping.
 * Each scenario runs once to warm the heap, then again with the free-frame
 * count compared before and after: no frame may leak.  Lines are
 * "ktest <name>: ..." for the QEMU tests to match.
 */
#include <capos/error.h>
#include <capos/prot.h>
#include "aspace.h"
#include "memobj.h"
#include "quota.h"
#include "uaccess.h"
#include "../arch/x86_64/uaccess.h"
#include "../kern/boot.h"
#include "../kern/ktest.h"
#include "../kern/log.h"
#include "../lib/string.h"
#include "../mm/mm.h"

#define RW (CAPOS_PROT_READ | CAPOS_PROT_WRITE)
#define RO CAPOS_PROT_READ
#define RX (CAPOS_PROT_READ | CAPOS_PROT_EXEC)
#define BASE 0x400000ull

static uint8_t uvm_kt_buf[3 * 4096];
static uint8_t uvm_kt_back[3 * 4096];

static uint64_t uvm_kt_free_pages(void)
{
	struct frame_stats st;

	frame_get_stats(&st);
	return st.free_pages;
}

static struct quota *uvm_kt_quota(uint64_t frames)
{
	const struct quota_limits lim = { .frames = frames, .kmem = 1 << 20, .caps = 16, .threads = 1, .ring_ops = 16 };

	return quota_create(&lim);
}

/* Run scenario twice (the first warms the heap) and check no frame leaks. */
static int uvm_kt_no_leak(const char *name, int (*scenario)(bool log))
{
	uint64_t before, after;

	if (scenario(false))
		return -1;
	before = uvm_kt_free_pages();
	if (scenario(true))
		return -1;
	after = uvm_kt_free_pages();
	kinfo("ktest %s: free frames before %llu after %llu", name, (unsigned long long)before,
	      (unsigned long long)after);
	KTEST_CHECK(before == after, "%s leaked %lld frames", name, (long long)(before - after));
	return 0;
}

static int uvm_kt_refusals(struct aspace *as)
{
	KTEST_CHECK(aspace_map_anon(as, BASE, 8, RW, NULL) == 0, "map 8 pages RW");
	KTEST_CHECK(aspace_map_anon(as, BASE + 0x10000, 1, RW | CAPOS_PROT_EXEC, NULL) == -CAPOS_EPERM,
		    "W|X map not refused");
	KTEST_CHECK(aspace_map_anon(as, BASE + 0x7000, 2, RW, NULL) == -CAPOS_EEXIST, "overlap not refused");
	KTEST_CHECK(aspace_map_anon(as, 0xffff800000000000ull, 1, RW, NULL) == -CAPOS_ERANGE,
		    "kernel-half map not refused");
	KTEST_CHECK(aspace_map_anon(as, BASE + 0x10010, 1, RW, NULL) == -CAPOS_EINVAL,
		    "misaligned map not refused");
	KTEST_CHECK(aspace_map_anon(as, CAPOS_USER_MAX - 0x1000, 2, RW, NULL) == -CAPOS_ERANGE,
		    "map past the user window not refused");
	KTEST_CHECK(aspace_map_anon(as, 0, 0, RW, NULL) == -CAPOS_EINVAL, "0-page map not refused");
	KTEST_CHECK(aspace_protect(as, BASE, 1, RW | CAPOS_PROT_EXEC) == -CAPOS_EPERM,
		    "W|X protect not refused");
	KTEST_CHECK(aspace_unmap(as, BASE + 0x7000, 2) == -CAPOS_ENOENT, "unmap over a hole not refused");
	return 0;
}

static int uvm_kt_copies(struct aspace *as)
{
	for (unsigned i = 0; i < sizeof(uvm_kt_buf); i++)
		uvm_kt_buf[i] = (uint8_t)(i * 13 + 1);
	KTEST_CHECK(uaccess_copy_to(as, BASE + 0x800, uvm_kt_buf, sizeof(uvm_kt_buf)) == 0, "copy_to");
	memset(uvm_kt_back, 0, sizeof(uvm_kt_back));
	KTEST_CHECK(uaccess_copy_from(as, uvm_kt_back, BASE + 0x800, sizeof(uvm_kt_back)) == 0, "copy_from");
	KTEST_CHECK(memcmp(uvm_kt_buf, uvm_kt_back, sizeof(uvm_kt_buf)) == 0, "copy round trip differs");
	KTEST_CHECK(aspace_protect(as, BASE + 0x2000, 1, RO) == 0, "protect one page RO");
	KTEST_CHECK(uaccess_copy_to(as, BASE + 0x1800, uvm_kt_back, 0x1000) == -CAPOS_EFAULT,
		    "copy_to a read-only page not refused");
	KTEST_CHECK(uaccess_copy_from(as, uvm_kt_back, BASE + 0x1800, 0x1000) == 0, "read RO page");
	KTEST_CHECK(memcmp(uvm_kt_back, uvm_kt_buf + 0x1000, 0x1000) == 0,
		    "refused copy_to changed memory");
	KTEST_CHECK(uaccess_copy_from(as, uvm_kt_back, 0xffff800000000000ull, 8) == -CAPOS_EFAULT,
		    "kernel-half source not refused");
	KTEST_CHECK(uaccess_copy_from(as, uvm_kt_back, 0x0000900000000000ull, 8) == -CAPOS_EFAULT,
		    "non-canonical source not refused");
	KTEST_CHECK(uaccess_copy_from(as, uvm_kt_back, BASE, UINT64_MAX) == -CAPOS_EFAULT,
		    "overflowing length not refused");
	KTEST_CHECK(aspace_unmap(as, BASE + 0x4000, 1) == 0, "unmap a middle page");
	KTEST_CHECK(uaccess_copy_from(as, uvm_kt_back, BASE + 0x3000, 0x2000) == -CAPOS_EFAULT,
		    "copy across an unmapped page not refused");
	return 0;
}

/* Load as here and read the first mapped page through its user address. */
static int uvm_kt_cpu_view(struct aspace *as)
{
	volatile const uint8_t *user = (volatile const uint8_t *)(uintptr_t)(BASE + 0x800);
	uint8_t got[16];

	aspace_activate(as);
	KTEST_CHECK(aspace_is_active(as), "aspace not active after activate");
	user_access_begin();
	for (int i = 0; i < 16; i++)
		got[i] = user[i];
	user_access_end();
	aspace_activate(NULL);
	KTEST_CHECK(!aspace_is_active(as), "still active after activate(NULL)");
	KTEST_CHECK(memcmp(got, uvm_kt_buf, 16) == 0, "CPU view differs from copied bytes");
	return 0;
}

static int uvm_kt_aspace_scenario(bool log)
{
	struct quota *q = uvm_kt_quota(256);
	struct aspace *as;
	uint64_t auto_va;

	KTEST_CHECK(q && aspace_create(q, &as) == 0, "aspace_create");
	if (uvm_kt_refusals(as) || uvm_kt_copies(as))
		return -1;
	KTEST_CHECK(aspace_region_count(as) == 4, "expected 4 regions after protect+unmap, got %u",
		    aspace_region_count(as));
	KTEST_CHECK(aspace_map_anon(as, 0, 3, RO, &auto_va) == 0 && auto_va >= CAPOS_USER_MAP_BASE,
		    "auto-placed map");
	if (log)
		kinfo("ktest uvm_aspace: map/unmap/protect ok, W^X/overlap/window/alignment refused, "
		      "%u regions, auto va %#llx", aspace_region_count(as), (unsigned long long)auto_va);
	if (log)
		kinfo("ktest uvm_aspace: uaccess ok; refused read-only, kernel-half, non-canonical, "
		      "overflowing and unmapped ranges");
	if (uvm_kt_cpu_view(as))
		return -1;
	if (log)
		kinfo("ktest uvm_aspace: CPU view through CR3 %#llx matches", (unsigned long long)aspace_root_phys(as));
	aspace_destroy(as);
	KTEST_CHECK(q->frames_used == 0, "quota still charged %llu frames", (unsigned long long)q->frames_used);
	quota_put(q);
	return 0;
}

KTEST(uvm_aspace)
{
	return uvm_kt_no_leak("uvm_aspace", uvm_kt_aspace_scenario);
}

static int uvm_kt_quota_scenario(bool log)
{
	struct quota *q = uvm_kt_quota(8);
	struct aspace *as;
	uint64_t used;

	KTEST_CHECK(q && aspace_create(q, &as) == 0, "aspace_create");
	used = q->frames_used;
	KTEST_CHECK(aspace_map_anon(as, BASE, 8, RW, NULL) == -CAPOS_EQUOTA, "8 pages over quota 8");
	/* 4 pages fit the precheck, but with 3 new tables they do not. */
	KTEST_CHECK(aspace_map_anon(as, BASE, 5, RW, NULL) == -CAPOS_EQUOTA, "pages+tables over quota");
	KTEST_CHECK(q->frames_used == used && aspace_region_count(as) == 0,
		    "failed map left %llu frames charged (was %llu)", (unsigned long long)q->frames_used,
		    (unsigned long long)used);
	KTEST_CHECK(aspace_map_anon(as, BASE, 4, RW, NULL) == 0, "4 pages + 3 tables fit quota 8");
	KTEST_CHECK(q->frames_used == 8, "charge %llu, expected 8", (unsigned long long)q->frames_used);
	KTEST_CHECK(aspace_unmap(as, BASE, 4) == 0, "unmap");
	KTEST_CHECK(q->frames_used == 1, "after unmap %llu frames charged, expected 1 (PML4)",
		    (unsigned long long)q->frames_used);
	if (log)
		kinfo("ktest uvm_quota: over-quota maps refused with nothing charged; "
		      "unmap frees pages and tables (charge back to 1 frame)");
	aspace_destroy(as);
	KTEST_CHECK(q->frames_used == 0, "quota still charged");
	quota_put(q);
	return 0;
}

KTEST(uvm_quota)
{
	return uvm_kt_no_leak("uvm_quota", uvm_kt_quota_scenario);
}

static int uvm_kt_memobj_share(struct aspace *a, struct aspace *b, struct memobj *mo)
{
	struct memobj_info info;
	uint32_t word = 0;

	KTEST_CHECK(aspace_map_memobj(a, BASE, mo, 0, 4, RW, NULL) == 0, "map in A");
	KTEST_CHECK(aspace_map_memobj(b, BASE + 0x100000, mo, 1, 3, RO, NULL) == 0, "map in B");
	KTEST_CHECK(aspace_map_memobj(b, 0, mo, 3, 2, RO, NULL) == -CAPOS_ERANGE, "range past the object");
	KTEST_CHECK(uaccess_copy_to(a, BASE + 0x1000, "shared!", 8) == 0, "write through A");
	KTEST_CHECK(uaccess_copy_from(b, uvm_kt_back, BASE + 0x100000, 8) == 0, "read through B");
	KTEST_CHECK(memcmp(uvm_kt_back, "shared!", 8) == 0, "B does not see A's write");
	KTEST_CHECK(uaccess_copy_to(b, BASE + 0x100000, "x", 1) == -CAPOS_EFAULT, "B's RO map writable");
	KTEST_CHECK(uaccess_cmpxchg_u32(a, BASE + 0x1000, 0x72616873u, 7, &word) == 0 && word == 0x72616873u,
		    "cmpxchg through A");
	KTEST_CHECK(uaccess_read_u32(b, BASE + 0x100000, &word) == 0 && word == 7, "read_u32 through B");
	memobj_info(mo, &info);
	KTEST_CHECK(info.pages == 4 && info.mappings == 2, "info pages %llu mappings %u",
		    (unsigned long long)info.pages, info.mappings);
	return 0;
}

static int uvm_kt_memobj_scenario(bool log)
{
	struct quota *qa = uvm_kt_quota(64), *qb = uvm_kt_quota(64);
	struct aspace *a, *b;
	struct memobj *mo;
	uint64_t frame;

	KTEST_CHECK(qa && qb && aspace_create(qa, &a) == 0 && aspace_create(qb, &b) == 0, "create");
	KTEST_CHECK(memobj_create(qa, 0, &mo) == -CAPOS_EINVAL, "0-page object");
	KTEST_CHECK(memobj_create(qa, 100, &mo) == -CAPOS_EQUOTA, "object over quota");
	KTEST_CHECK(memobj_create(qa, 4, &mo) == 0, "memobj_create");
	frame = memobj_frame(mo, 0);
	if (uvm_kt_memobj_share(a, b, mo))
		return -1;
	memobj_unref(mo);
	KTEST_CHECK(frame_is_allocated(frame), "frames freed while still mapped");
	KTEST_CHECK(aspace_unmap(a, BASE, 4) == 0, "unmap in A");
	KTEST_CHECK(frame_is_allocated(frame), "frames freed while B still maps them");
	aspace_destroy(b);
	KTEST_CHECK(!frame_is_allocated(frame), "frames not freed after the last mapping");
	KTEST_CHECK(qa->frames_used == 1, "creator still charged %llu frames", (unsigned long long)qa->frames_used);
	if (log)
		kinfo("ktest uvm_memobj: shared between two spaces; frames freed only after the last "
		      "reference and mapping, charge released to the creator");
	aspace_destroy(a);
	quota_put(qa);
	quota_put(qb);
	return 0;
}

KTEST(uvm_memobj)
{
	return uvm_kt_no_leak("uvm_memobj", uvm_kt_memobj_scenario);
}

