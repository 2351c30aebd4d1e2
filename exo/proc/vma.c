/*
 * Region-list arithmetic for user address spaces; see vma.h.  Pure code:
 * the array grows through uvm_zalloc, everything else is index juggling.
 */
#include <capos/error.h>
#include "vma.h"
#include "uvm_env.h"
#include "../kern/panic.h"
#include "../lib/string.h"

#define VMA_MIN_CAP 8u

int vma_check_range(uint64_t va, uint64_t pages)
{
	if ((va & (CAPOS_PAGE_SIZE - 1)) || pages == 0)
		return -CAPOS_EINVAL;
	if (va < CAPOS_USER_MIN || va >= CAPOS_USER_MAX)
		return -CAPOS_ERANGE;
	if (pages > (CAPOS_USER_MAX - va) / CAPOS_PAGE_SIZE)
		return -CAPOS_ERANGE;
	return 0;
}

int vma_check_prot(uint32_t prot)
{
	if ((prot & ~CAPOS_PROT_ALL) || !(prot & CAPOS_PROT_READ))
		return -CAPOS_EINVAL;
	if ((prot & CAPOS_PROT_WRITE) && (prot & CAPOS_PROT_EXEC))
		return -CAPOS_EPERM;
	return 0;
}

void vma_set_init(struct vma_set *s, struct quota *q)
{
	s->v = NULL;
	s->count = s->cap = 0;
	s->q = q;
}

void vma_set_fini(struct vma_set *s)
{
	KASSERT(s->count == 0);
	kmem_free(s->q, s->v);
	s->v = NULL;
	s->cap = 0;
}

int vma_reserve(struct vma_set *s, uint32_t extra)
{
	uint32_t want, cap;
	struct vma *v;
	int err;

	if (extra > VMA_MAX_REGIONS || s->count > VMA_MAX_REGIONS - extra)
		return -CAPOS_EQUOTA;
	want = s->count + extra;
	if (want <= s->cap)
		return 0;
	cap = s->cap ? s->cap : VMA_MIN_CAP;
	while (cap < want)
		cap *= 2;
	if (cap > VMA_MAX_REGIONS)
		cap = VMA_MAX_REGIONS;
	v = kmem_zalloc(s->q, (size_t)cap * sizeof(*v), &err);
	if (!v)
		return err;
	if (s->count)
		memcpy(v, s->v, (size_t)s->count * sizeof(*v));
	kmem_free(s->q, s->v);
	s->v = v;
	s->cap = cap;
	return 0;
}

uint32_t vma_lower(const struct vma_set *s, uint64_t va)
{
	uint32_t lo = 0, hi = s->count;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (vma_end(&s->v[mid]) <= va)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int vma_find(const struct vma_set *s, uint64_t va)
{
	uint32_t i = vma_lower(s, va);

	if (i < s->count && s->v[i].start <= va)
		return (int)i;
	return -1;
}

bool vma_overlaps(const struct vma_set *s, uint64_t va, uint64_t pages)
{
	uint32_t i = vma_lower(s, va);

	return i < s->count && s->v[i].start < va + pages * CAPOS_PAGE_SIZE;
}

/* Lowest gap of `bytes` inside [lo, hi), or 0. */
static uint64_t vma_first_fit(const struct vma_set *s, uint64_t bytes, uint64_t lo, uint64_t hi)
{
	uint64_t cur = lo;

	for (uint32_t i = vma_lower(s, lo); i < s->count && s->v[i].start < hi; i++) {
		if (s->v[i].start >= cur && s->v[i].start - cur >= bytes)
			return cur;
		if (vma_end(&s->v[i]) > cur)
			cur = vma_end(&s->v[i]);
	}
	return cur < hi && hi - cur >= bytes ? cur : 0;
}

int vma_find_free(const struct vma_set *s, uint64_t pages, uint64_t *va)
{
	uint64_t bytes, found;

	if (pages == 0 || pages > (CAPOS_USER_MAX - CAPOS_USER_MIN) / CAPOS_PAGE_SIZE)
		return -CAPOS_ENOMEM;
	bytes = pages * CAPOS_PAGE_SIZE;
	found = vma_first_fit(s, bytes, CAPOS_USER_MAP_BASE, CAPOS_USER_MAX);
	if (!found)
		found = vma_first_fit(s, bytes, CAPOS_USER_MIN, CAPOS_USER_MAX);
	if (!found)
		return -CAPOS_ENOMEM;
	*va = found;
	return 0;
}

int vma_span(const struct vma_set *s, uint64_t va, uint64_t pages, uint32_t *first, uint32_t *end)
{
	uint64_t stop = va + pages * CAPOS_PAGE_SIZE, cur = va;
	uint32_t i = vma_lower(s, va);

	*first = i;
	for (; cur < stop; i++) {
		if (i >= s->count || s->v[i].start > cur)
			return -CAPOS_ENOENT;
		cur = vma_end(&s->v[i]);
	}
	*end = i;
	return 0;
}

static bool vma_mergeable(const struct vma *a, const struct vma *b)
{
	return a->kind == VMA_ANON && b->kind == VMA_ANON && a->prot == b->prot &&
	       vma_end(a) == b->start;
}

static void vma_open_slot(struct vma_set *s, uint32_t i)
{
	KASSERT(s->count < s->cap);
	memmove(&s->v[i + 1], &s->v[i], (size_t)(s->count - i) * sizeof(s->v[0]));
	s->count++;
}

uint32_t vma_insert(struct vma_set *s, const struct vma *r)
{
	uint32_t i = vma_lower(s, r->start);

	KASSERT(r->pages > 0);
	KASSERT(i == s->count || s->v[i].start >= vma_end(r));
	vma_open_slot(s, i);
	s->v[i] = *r;
	vma_merge(s, i, i + 1);
	return (uint32_t)vma_find(s, r->start);
}

int vma_split(struct vma_set *s, uint64_t va)
{
	int i = vma_find(s, va);
	struct vma *lo;
	uint64_t low_pages;

	if (i < 0 || s->v[i].start == va)
		return -1;
	vma_open_slot(s, (uint32_t)i + 1);
	lo = &s->v[i];
	low_pages = (va - lo->start) / CAPOS_PAGE_SIZE;
	s->v[i + 1] = *lo;
	s->v[i + 1].start = va;
	s->v[i + 1].pages = lo->pages - low_pages;
	s->v[i + 1].first_page = lo->first_page + low_pages;
	lo->pages = low_pages;
	return i + 1;
}

void vma_remove(struct vma_set *s, uint32_t first, uint32_t n)
{
	KASSERT(first <= s->count && n <= s->count - first);
	memmove(&s->v[first], &s->v[first + n], (size_t)(s->count - first - n) * sizeof(s->v[0]));
	s->count -= n;
}

uint32_t vma_merge(struct vma_set *s, uint32_t first, uint32_t end)
{
	uint32_t i = first > 0 ? first - 1 : 0, gone = 0;

	if (end >= s->count)
		end = s->count ? s->count - 1 : 0;
	while (i < end && i + 1 < s->count) {
		if (vma_mergeable(&s->v[i], &s->v[i + 1])) {
			s->v[i].pages += s->v[i + 1].pages;
			vma_remove(s, i + 1, 1);
			end--;
			gone++;
		} else {
			i++;
		}
	}
	return gone;
}
