/*
 * Host tests of memory objects (exo/proc/memobj.c) and their mappings:
 * creation refusals with nothing charged, zeroed frames charged to the
 * creator, sharing between spaces, frames freed only after the last
 * reference and the last mapping (in either order), split mappings,
 * object-scoped unmap and protect, a creator quota outliving its
 * process, and mappings made through a revocable copy (vma_via).
 */
#include <string.h>
#include <capos/error.h>
#include "check.h"
#include "fake_env.h"
#include "proc/aspace.h"
#include "proc/memobj.h"
#include "proc/uaccess.h"
#include "proc/uvm_env.h"

#define P CAPOS_PAGE_SIZE
#define RW (CAPOS_PROT_READ | CAPOS_PROT_WRITE)
#define RO CAPOS_PROT_READ
#define BASE 0x400000ull

static struct quota *new_quota(uint64_t frames)
{
	const struct quota_limits lim = { .frames = frames, .kmem = 1 << 20 };

	return quota_create(&lim);
}

static void test_create_refusals(void)
{
	struct quota *q = new_quota(8);
	struct memobj *mo = NULL;

	fake_reset();
	CHECK_EQ(memobj_create(q, 0, &mo), -CAPOS_EINVAL);
	CHECK_EQ(memobj_create(q, MEMOBJ_MAX_PAGES + 1, &mo), -CAPOS_ERANGE);
	CHECK_EQ(memobj_create(q, 9, &mo), -CAPOS_EQUOTA);
	fake.frame_fail_after = 3;
	CHECK_EQ(memobj_create(q, 5, &mo), -CAPOS_ENOMEM);
	fake_reset();
	fake.zalloc_fail_after = 1;          /* the object, not its frame list */
	CHECK_EQ(memobj_create(q, 5, &mo), -CAPOS_ENOMEM);
	fake_reset();
	CHECK_EQ(q->frames_used, 0);
	CHECK_EQ(fake.frames_live, 0);
	CHECK_EQ(q->refs, 1);
	quota_put(q);
}

static void test_create_and_release(void)
{
	struct quota *q = new_quota(8);
	struct memobj *mo;
	struct memobj_info info;
	uint64_t f0;

	fake_reset();
	CHECK_EQ(memobj_create(q, 8, &mo), 0);
	CHECK_EQ(q->frames_used, 8);
	CHECK_EQ(q->refs, 4);  /* ours, the object's, one per heap block charged (struct, frame array) */
	CHECK(q->kmem_used >= q->kmem_self + sizeof(uint64_t) * 8);
	CHECK_EQ(fake.frames_live, 8);
	memobj_info(mo, &info);
	CHECK_EQ(info.pages, 8);
	CHECK_EQ(info.mappings, 0);
	f0 = memobj_frame(mo, 0);
	CHECK_EQ(((uint8_t *)(uintptr_t)memobj_frame(mo, 7))[4095], 0);
	memobj_ref(mo);
	memobj_unref(mo);
	CHECK(fake_frame_live(f0));
	memobj_unref(mo);
	CHECK(!fake_frame_live(f0));
	CHECK_EQ(q->frames_used, 0);
	CHECK_EQ(q->refs, 1);
	quota_put(q);
}

static void test_shared_lifetime(void)
{
	struct quota *qa = new_quota(64), *qb = new_quota(64);
	struct aspace *a, *b;
	struct memobj *mo;
	struct memobj_info info;
	uint64_t f2;
	char got[8] = { 0 };

	fake_reset();
	CHECK_EQ(aspace_create(qa, &a), 0);
	CHECK_EQ(aspace_create(qb, &b), 0);
	CHECK_EQ(memobj_create(qa, 4, &mo), 0);
	f2 = memobj_frame(mo, 2);
	CHECK_EQ(aspace_map_memobj(a, BASE, mo, 0, 4, RW, NULL), 0);
	CHECK_EQ(aspace_map_memobj(b, BASE, mo, 2, 2, RO, NULL), 0);
	CHECK_EQ(qb->frames_used, 1 + 3);               /* B pays only for its tables */
	CHECK_EQ(uaccess_copy_to(a, BASE + 2 * P, "hello", 6), 0);
	CHECK_EQ(uaccess_copy_from(b, got, BASE, 6), 0);
	CHECK_STR(got, "hello");
	CHECK_EQ(uaccess_copy_to(b, BASE, "x", 1), -CAPOS_EFAULT);
	memobj_info(mo, &info);
	CHECK_EQ(info.mappings, 2);
	memobj_unref(mo);                               /* the capability goes first */
	CHECK(fake_frame_live(f2));
	CHECK_EQ(aspace_unmap(a, BASE, 4), 0);
	CHECK(fake_frame_live(f2));
	CHECK_EQ(qa->frames_used, 1 + 4);
	aspace_destroy(b);                              /* the last mapping */
	CHECK(!fake_frame_live(f2));
	CHECK_EQ(qa->frames_used, 1);
	aspace_destroy(a);
	quota_put(qa);
	quota_put(qb);
	CHECK_EQ(fake.frames_live, 0);
}

static void test_split_mappings(void)
{
	struct quota *q = new_quota(64);
	struct aspace *a;
	struct memobj *mo;
	struct memobj_info info;
	struct vma r;

	fake_reset();
	CHECK_EQ(aspace_create(q, &a), 0);
	CHECK_EQ(memobj_create(q, 6, &mo), 0);
	CHECK_EQ(aspace_map_memobj(a, BASE, mo, 0, 6, RW, NULL), 0);
	CHECK_EQ(aspace_unmap(a, BASE + 2 * P, 1), 0);
	memobj_info(mo, &info);
	CHECK_EQ(info.mappings, 2);
	CHECK_EQ(aspace_region_at(a, BASE + 4 * P, &r), 0);
	CHECK_EQ(r.first_page, 3);
	CHECK_EQ(aspace_protect(a, BASE + 4 * P, 1, RO), 0);   /* splits again */
	memobj_info(mo, &info);
	CHECK_EQ(info.mappings, 4);
	CHECK_EQ(aspace_unmap(a, BASE, 6), -CAPOS_ENOENT);      /* hole at page 2 */
	CHECK_EQ(aspace_unmap(a, BASE, 2), 0);
	CHECK_EQ(aspace_unmap(a, BASE + 3 * P, 3), 0);
	memobj_info(mo, &info);
	CHECK_EQ(info.mappings, 0);
	CHECK_EQ(q->frames_used, 1 + 6);
	memobj_unref(mo);
	CHECK_EQ(q->frames_used, 1);
	aspace_destroy(a);
	quota_put(q);
	CHECK_EQ(fake.frames_live, 0);
}

static void test_scoped_unmap_protect(void)
{
	struct quota *q = new_quota(64);
	struct aspace *a;
	struct memobj *mo, *other;

	fake_reset();
	CHECK_EQ(aspace_create(q, &a), 0);
	CHECK_EQ(memobj_create(q, 2, &mo), 0);
	CHECK_EQ(memobj_create(q, 2, &other), 0);
	CHECK_EQ(aspace_map_memobj(a, BASE, mo, 0, 2, RW, NULL), 0);
	CHECK_EQ(aspace_map_memobj(a, BASE + 2 * P, other, 0, 2, RW, NULL), 0);
	CHECK_EQ(aspace_map_anon(a, BASE + 4 * P, 1, RW, NULL), 0);
	CHECK_EQ(aspace_unmap_memobj(a, BASE, 3, mo), -CAPOS_ENOENT);
	CHECK_EQ(aspace_unmap_memobj(a, BASE + 4 * P, 1, mo), -CAPOS_ENOENT);
	CHECK_EQ(aspace_protect_memobj(a, BASE + 2 * P, 1, RO, mo), -CAPOS_ENOENT);
	CHECK_EQ(aspace_protect_memobj(a, BASE + P, 1, RO, mo), 0);
	CHECK_EQ(aspace_protect_memobj(a, BASE + P, 1, CAPOS_PROT_ALL, mo), -CAPOS_EPERM);
	CHECK_EQ(aspace_unmap_memobj(a, BASE, 2, mo), 0);
	CHECK_EQ(aspace_region_count(a), 2);
	/* Object page range checks. */
	CHECK_EQ(aspace_map_memobj(a, 0, mo, 2, 1, RW, NULL), -CAPOS_ERANGE);
	CHECK_EQ(aspace_map_memobj(a, 0, mo, 1, 2, RW, NULL), -CAPOS_ERANGE);
	CHECK_EQ(aspace_map_memobj(a, 0, mo, UINT64_MAX, 2, RW, NULL), -CAPOS_ERANGE);
	CHECK_EQ(aspace_map_memobj(a, 0, mo, 0, 0, RW, NULL), -CAPOS_EINVAL);
	CHECK_EQ(aspace_map_memobj(a, 0, mo, 0, 1, CAPOS_PROT_ALL, NULL), -CAPOS_EPERM);
	CHECK_EQ(aspace_map_memobj(a, BASE + 2 * P, mo, 0, 1, RW, NULL), -CAPOS_EEXIST);
	memobj_unref(mo);
	memobj_unref(other);
	aspace_destroy(a);                              /* drops other's last mapping */
	CHECK_EQ(q->frames_used, 0);
	quota_put(q);
	CHECK_EQ(fake.frames_live, 0);
}

static void test_failed_map_takes_no_reference(void)
{
	struct quota *qa = new_quota(16), *qb = new_quota(2);
	struct aspace *b;
	struct memobj *mo;
	struct memobj_info info;

	fake_reset();
	CHECK_EQ(memobj_create(qa, 4, &mo), 0);
	CHECK_EQ(aspace_create(qb, &b), 0);
	CHECK_EQ(aspace_map_memobj(b, BASE, mo, 0, 4, RW, NULL), -CAPOS_EQUOTA);  /* tables */
	memobj_info(mo, &info);
	CHECK_EQ(info.mappings, 0);
	CHECK_EQ(qb->frames_used, 1);
	CHECK_EQ(mo->count, 1);
	aspace_destroy(b);
	memobj_unref(mo);
	quota_put(qa);
	quota_put(qb);
	CHECK_EQ(fake.frames_live, 0);
}

static void test_creator_quota_outlives_process(void)
{
	struct quota *creator = new_quota(16), *user = new_quota(16);
	struct aspace *ua;
	struct memobj *mo;

	fake_reset();
	CHECK_EQ(memobj_create(creator, 3, &mo), 0);
	CHECK_EQ(aspace_create(user, &ua), 0);
	CHECK_EQ(aspace_map_memobj(ua, BASE, mo, 0, 3, RW, NULL), 0);
	memobj_unref(mo);
	quota_put(creator);                  /* the creating process is gone */
	CHECK_EQ(creator->refs, 3);          /* held by the object and its two charged heap blocks */
	CHECK_EQ(creator->frames_used, 3);
	CHECK_EQ(aspace_unmap(ua, BASE, 3), 0);  /* frees the object and the quota (ASan checks) */
	aspace_destroy(ua);
	quota_put(user);
	CHECK_EQ(fake.frames_live, 0);
}

/* memobj_adopt: frames the caller allocated, charged on adoption, freed
 * (after the last mapping) by the object; refusals leave them the caller's. */
static void test_adopt(void)
{
	struct quota *q = new_quota(4), *sq = new_quota(16);
	struct aspace *as;
	struct memobj *mo = NULL;
	uint64_t frames[3], va;
	uint8_t *p;

	fake_reset();
	for (int i = 0; i < 3; i++)
		CHECK_EQ(uvm_frame_alloc(&frames[i]), 0);
	CHECK_EQ(memobj_adopt(q, frames, 0, true, &mo), -CAPOS_EINVAL);
	CHECK_EQ(memobj_adopt(q, frames, MEMOBJ_MAX_PAGES + 1, true, &mo), -CAPOS_ERANGE);
	CHECK_EQ(quota_charge_frames(q, 2), 0);
	CHECK_EQ(memobj_adopt(q, frames, 3, true, &mo), -CAPOS_EQUOTA);   /* 2 + 3 > 4 */
	quota_release_frames(q, 2);
	fake.zalloc_fail_after = 0;
	CHECK_EQ(memobj_adopt(q, frames, 3, true, &mo), -CAPOS_ENOMEM);
	fake.zalloc_fail_after = -1;
	CHECK_EQ(q->frames_used, 0);
	CHECK_EQ(fake.frames_live, 3);                 /* still the caller's */
	CHECK_EQ(memobj_adopt(q, frames, 3, true, &mo), 0);
	CHECK_EQ(q->frames_used, 3);
	CHECK_EQ(memobj_frame(mo, 2), frames[2]);
	CHECK_EQ(aspace_create(sq, &as), 0);
	CHECK_EQ(aspace_map_memobj(as, 0, mo, 0, 3, RW, &va), 0);
	p = uvm_phys_ptr(frames[1]);
	p[7] = 0xab;
	memobj_unref(mo);                              /* the mapping keeps the frames */
	CHECK_EQ(fake.frames_live, 3 + 4);             /* + PML4 and three tables */
	CHECK_EQ(p[7], 0xab);
	aspace_destroy(as);
	CHECK_EQ(fake.frames_live, 0);                 /* freed (scrubbed first) by the object */
	CHECK_EQ(q->frames_used, 0);
	CHECK_EQ(q->refs, 1);
	quota_put(q);
	quota_put(sq);
}

/* A kernel-owned object (the boot package): read-only through every
 * mapping path, charged to nobody, and its frames stay when the last
 * mapping and every extra reference are gone. */
static void test_kernel_owned_readonly(void)
{
	struct quota *sq = new_quota(16);
	struct aspace *as;
	struct memobj mo;
	struct memobj_info info;
	uint64_t frames[3], va, anon;
	char got[4] = "";

	fake_reset();
	for (int i = 0; i < 3; i++)
		CHECK_EQ(uvm_frame_alloc(&frames[i]), 0);
	memcpy(uvm_phys_ptr(frames[1]), "pkg", 4);
	CHECK_EQ(memobj_init_kernel(&mo, frames, 0), -CAPOS_EINVAL);
	CHECK_EQ(memobj_init_kernel(&mo, frames, MEMOBJ_MAX_PAGES + 1), -CAPOS_ERANGE);
	CHECK_EQ(memobj_init_kernel(&mo, frames, 3), 0);
	CHECK(memobj_readonly(&mo));
	CHECK_EQ(aspace_create(sq, &as), 0);
	CHECK_EQ(aspace_map_memobj(as, BASE, &mo, 0, 3, RW, &va), -CAPOS_EPERM);
	CHECK_EQ(aspace_map_memobj(as, BASE, &mo, 1, 1, RW, &va), -CAPOS_EPERM);
	memobj_info(&mo, &info);
	CHECK_EQ(info.mappings, 0);                    /* a refused map takes nothing */
	CHECK_EQ(aspace_map_memobj(as, BASE, &mo, 0, 3, RO, &va), 0);
	CHECK_EQ(aspace_map_anon(as, BASE + 3 * P, 1, RW, &anon), 0);
	CHECK_EQ(aspace_protect_memobj(as, va + P, 1, RW, &mo), -CAPOS_EPERM);
	CHECK_EQ(aspace_protect(as, va, 3, RW), -CAPOS_EPERM);
	CHECK_EQ(aspace_protect(as, va + 2 * P, 2, RW), -CAPOS_EPERM);   /* with the anonymous page after it */
	CHECK_EQ(aspace_protect(as, va + P, 1, RO | CAPOS_PROT_EXEC), 0); /* anything but WRITE is the holder's */
	CHECK_EQ(uaccess_copy_to(as, va + P, "x", 1), -CAPOS_EFAULT);
	CHECK_EQ(uaccess_copy_to(as, anon, "x", 1), 0);                   /* the refusals changed nothing else */
	CHECK_EQ(uaccess_copy_from(as, got, va + P, 4), 0);
	CHECK(memcmp(got, "pkg", 4) == 0);
	memobj_ref(&mo);
	memobj_unref(&mo);
	aspace_destroy(as);
	memobj_info(&mo, &info);
	CHECK_EQ(info.mappings, 0);
	CHECK_EQ(fake.frames_live, 3);                 /* never freed: still the kernel's */
	CHECK(memcmp(uvm_phys_ptr(frames[1]), "pkg", 4) == 0);   /* nor scrubbed */
	CHECK_EQ(sq->frames_used, 0);
	for (int i = 0; i < 3; i++)
		uvm_frame_free(frames[i]);
	quota_put(sq);
}

/* A mapping through a revocable copy (struct vma_via): counted per region
 * piece, handed back once its last region goes (unmap or teardown), and
 * removed whole by aspace_remove_via without being handed back. */
static int released;

static void count_release(struct vma_via *v)
{
	(void)v;
	released++;
}

static void test_mapping_via_copy(void)
{
	struct quota *q = new_quota(64);
	struct vma_via v1 = { .release = count_release }, v2 = { .release = count_release };
	struct vma_via v3 = { .release = count_release };
	struct aspace *a;
	struct memobj *mo;
	struct memobj_info info;
	uint64_t f0;

	fake_reset();
	released = 0;
	CHECK_EQ(aspace_create(q, &a), 0);
	CHECK_EQ(memobj_create(q, 6, &mo), 0);
	f0 = memobj_frame(mo, 0);
	CHECK_EQ(aspace_map_memobj_via(a, BASE, mo, 0, 6, RW, &v1, NULL), 0);
	CHECK_EQ(aspace_map_memobj_via(a, BASE + 8 * P, mo, 0, 2, RW, &v2, NULL), 0);
	CHECK_EQ(aspace_map_memobj_via(a, BASE, mo, 0, 1, RW, &v3, NULL), -CAPOS_EEXIST);
	CHECK_EQ(v3.regions, 0);                                  /* a failed map leaves via unused */
	CHECK_EQ(v1.regions, 1);
	CHECK_EQ(aspace_unmap(a, BASE + 2 * P, 1), 0);            /* splits v1's region */
	CHECK_EQ(aspace_protect(a, BASE + 4 * P, 1, RO), 0);      /* splits again */
	CHECK_EQ(v1.regions, 4);
	CHECK_EQ(aspace_unmap(a, BASE, 2), 0);
	CHECK_EQ(v1.regions, 3);
	CHECK_EQ(released, 0);
	CHECK(aspace_remove_via(a, &v1));                         /* the copy is revoked */
	CHECK_EQ(v1.regions, 0);
	CHECK_EQ(released, 0);                                    /* the revoker keeps the record */
	CHECK_EQ(aspace_region_count(a), 1);
	CHECK_EQ(uaccess_check(a, BASE + 3 * P, 4, false), -CAPOS_EFAULT);
	CHECK(!aspace_remove_via(a, &v1));                        /* nothing left: not ours again */
	memobj_info(mo, &info);
	CHECK_EQ(info.mappings, 1);
	CHECK_EQ(aspace_unmap(a, BASE + 8 * P, 2), 0);
	CHECK_EQ(released, 1);                                    /* v2's last region: handed back */
	CHECK_EQ(aspace_map_memobj_via(a, 0, mo, 1, 2, RW, &v3, NULL), 0);
	memobj_unref(mo);
	CHECK(fake_frame_live(f0));
	aspace_destroy(a);                                        /* teardown hands v3 back */
	CHECK_EQ(released, 2);
	CHECK(!fake_frame_live(f0));
	quota_put(q);
	CHECK_EQ(fake.frames_live, 0);
}

int main(void)
{
	RUN(test_create_refusals);
	RUN(test_create_and_release);
	RUN(test_shared_lifetime);
	RUN(test_split_mappings);
	RUN(test_scoped_unmap_protect);
	RUN(test_failed_map_takes_no_reference);
	RUN(test_creator_quota_outlives_process);
	RUN(test_adopt);
	RUN(test_kernel_owned_readonly);
	RUN(test_mapping_via_copy);
	return check_done();
}
