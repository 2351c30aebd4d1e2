/*
 * Slab and large-run allocator behind kmalloc; see heap_core.h for the
 * layout.  Small objects: each class has a doubly linked list of slabs
 * with at least one free object; a slab's free objects form a singly
 * linked list threaded through the objects, and its bitmap says which
 * objects are allocated (the bitmap, not the list, is what free checks,
 * so a double free is caught even though the object's first word was
 * reused as a link).  Freed objects are poisoned with 0xdf.
 */
#include <stdbool.h>
#include <capos/error.h>
#include "heap_core.h"
#include "../lib/string.h"

#define HEAP_SLAB_MAGIC  0x736c61626865617aull  /* mixed with the header address */
#define HEAP_LARGE_MAGIC 0x6c61726765686561ull
#define HEAP_SLAB_HEADER 256u
#define HEAP_LARGE_HEADER 64u
#define HEAP_SLAB_MAX_OBJECTS ((HEAP_BLOCK_SIZE - HEAP_SLAB_HEADER) / HEAP_MIN_CLASS)
#define HEAP_SLAB_MAP_WORDS ((HEAP_SLAB_MAX_OBJECTS + 63) / 64)
#define HEAP_POISON 0xdf

struct heap_slab {
	uint64_t magic;                 /* HEAP_SLAB_MAGIC ^ own address */
	struct heap_slab *prev, *next;  /* partial list of this class */
	void *free_list;
	uint32_t class_index;
	uint32_t object_size;
	uint32_t capacity;
	uint32_t in_use;
	uint32_t on_partial;
	uint64_t used_map[HEAP_SLAB_MAP_WORDS];  /* bit set: object allocated */
};
_Static_assert(sizeof(struct heap_slab) <= HEAP_SLAB_HEADER, "slab header fits");

struct heap_large {
	uint64_t magic;  /* HEAP_LARGE_MAGIC ^ own address */
	uint64_t pages;
	uint64_t size;   /* bytes asked for */
};
_Static_assert(sizeof(struct heap_large) <= HEAP_LARGE_HEADER, "large header fits");

void heap_core_init(struct heap *heap, const struct heap_page_source *src)
{
	memset(heap, 0, sizeof *heap);
	heap->src = *src;
}

int heap_core_class(size_t size)
{
	for (int c = 0; c < HEAP_CLASS_COUNT; c++)
		if (size <= (size_t)HEAP_MIN_CLASS << c)
			return c;
	return -1;
}

static void heap_partial_add(struct heap *heap, struct heap_slab *s)
{
	struct heap_slab **head = &heap->partial[s->class_index];

	s->prev = NULL;
	s->next = *head;
	if (*head)
		(*head)->prev = s;
	*head = s;
	s->on_partial = 1;
}

static void heap_partial_remove(struct heap *heap, struct heap_slab *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		heap->partial[s->class_index] = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->prev = s->next = NULL;
	s->on_partial = 0;
}

static uint8_t *heap_slab_object(struct heap_slab *s, uint32_t index)
{
	return (uint8_t *)s + HEAP_SLAB_HEADER + (size_t)index * s->object_size;
}

static struct heap_slab *heap_slab_new(struct heap *heap, int c)
{
	struct heap_slab *s = heap->src.alloc_pages(heap->src.ctx, HEAP_BLOCK_PAGES, HEAP_BLOCK_PAGES);

	if (!s)
		return NULL;
	memset(s, 0, HEAP_SLAB_HEADER);
	s->magic = HEAP_SLAB_MAGIC ^ (uint64_t)(uintptr_t)s;
	s->class_index = (uint32_t)c;
	s->object_size = HEAP_MIN_CLASS << c;
	s->capacity = (HEAP_BLOCK_SIZE - HEAP_SLAB_HEADER) / s->object_size;
	for (uint32_t i = s->capacity; i-- > 0;) {
		void **obj = (void **)heap_slab_object(s, i);

		*obj = s->free_list;
		s->free_list = obj;
	}
	heap_partial_add(heap, s);
	heap->stats.slabs++;
	return s;
}

static void *heap_slab_alloc(struct heap *heap, int c)
{
	struct heap_slab *s = heap->partial[c];
	void **obj;
	uint32_t index;

	if (!s && !(s = heap_slab_new(heap, c)))
		return NULL;
	obj = s->free_list;
	s->free_list = *obj;
	index = (uint32_t)(((uint8_t *)obj - heap_slab_object(s, 0)) / s->object_size);
	s->used_map[index / 64] |= 1ull << (index % 64);
	s->in_use++;
	if (!s->free_list)
		heap_partial_remove(heap, s);
	heap->stats.objects++;
	heap->stats.bytes_in_use += s->object_size;
	return obj;
}

static void *heap_large_alloc(struct heap *heap, size_t size)
{
	size_t pages = (size + HEAP_LARGE_HEADER + HEAP_PAGE_SIZE - 1) / HEAP_PAGE_SIZE;
	struct heap_large *l = heap->src.alloc_pages(heap->src.ctx, pages, HEAP_BLOCK_PAGES);

	if (!l)
		return NULL;
	l->magic = HEAP_LARGE_MAGIC ^ (uint64_t)(uintptr_t)l;
	l->pages = pages;
	l->size = size;
	heap->stats.large_pages += pages;
	heap->stats.objects++;
	heap->stats.bytes_in_use += pages * HEAP_PAGE_SIZE - HEAP_LARGE_HEADER;
	return (uint8_t *)l + HEAP_LARGE_HEADER;
}

void *heap_core_alloc(struct heap *heap, size_t size)
{
	int c;

	if (size > HEAP_LARGE_MAX)
		return NULL;
	c = heap_core_class(size);
	return c < 0 ? heap_large_alloc(heap, size) : heap_slab_alloc(heap, c);
}

/* What p points into: exactly one of *slab / *large is set on success.
 * *index is the object's slot in a slab. */
static int heap_lookup(const void *p, struct heap_slab **slab, struct heap_large **large,
		       uint32_t *index)
{
	uintptr_t base = (uintptr_t)p & ~(uintptr_t)(HEAP_BLOCK_SIZE - 1);
	uint64_t magic = *(const uint64_t *)base;
	uintptr_t off = (uintptr_t)p - base;

	*slab = NULL;
	*large = NULL;
	if (magic == (HEAP_LARGE_MAGIC ^ (uint64_t)base) && off == HEAP_LARGE_HEADER) {
		*large = (struct heap_large *)base;
		return 0;
	}
	if (magic != (HEAP_SLAB_MAGIC ^ (uint64_t)base) || off < HEAP_SLAB_HEADER)
		return -CAPOS_EINVAL;
	*slab = (struct heap_slab *)base;
	if ((off - HEAP_SLAB_HEADER) % (*slab)->object_size != 0)
		return -CAPOS_EINVAL;
	*index = (uint32_t)((off - HEAP_SLAB_HEADER) / (*slab)->object_size);
	if (*index >= (*slab)->capacity)
		return -CAPOS_EINVAL;
	if (!((*slab)->used_map[*index / 64] >> (*index % 64) & 1))
		return -CAPOS_EEXIST;
	return 0;
}

/* Give an empty slab back to the page source. */
static void heap_slab_release(struct heap *heap, struct heap_slab *s)
{
	heap_partial_remove(heap, s);
	s->magic = 0;
	heap->stats.slabs--;
	heap->src.free_pages(heap->src.ctx, s, HEAP_BLOCK_PAGES);
}

/* An empty slab goes back to the source unless it is its class's only
 * partial slab (that one is kept to absorb alloc/free ping-pong). */
static void heap_slab_release_if_idle(struct heap *heap, struct heap_slab *s)
{
	if (s->in_use != 0 || (heap->partial[s->class_index] == s && !s->next))
		return;
	heap_slab_release(heap, s);
}

uint64_t heap_core_trim(struct heap *heap)
{
	uint64_t released = 0;

	for (int c = 0; c < HEAP_CLASS_COUNT; c++) {
		struct heap_slab *s = heap->partial[c];

		while (s) {
			struct heap_slab *next = s->next;

			if (s->in_use == 0) {
				heap_slab_release(heap, s);
				released++;
			}
			s = next;
		}
	}
	return released;
}

static void heap_slab_free(struct heap *heap, struct heap_slab *s, uint32_t index)
{
	void **obj = (void **)heap_slab_object(s, index);

	memset(obj, HEAP_POISON, s->object_size);
	s->used_map[index / 64] &= ~(1ull << (index % 64));
	*obj = s->free_list;
	s->free_list = obj;
	s->in_use--;
	heap->stats.objects--;
	heap->stats.bytes_in_use -= s->object_size;
	if (!s->on_partial)
		heap_partial_add(heap, s);
	heap_slab_release_if_idle(heap, s);
}

static void heap_large_free(struct heap *heap, struct heap_large *l)
{
	uint64_t pages = l->pages;

	l->magic = 0;
	heap->stats.large_pages -= pages;
	heap->stats.objects--;
	heap->stats.bytes_in_use -= pages * HEAP_PAGE_SIZE - HEAP_LARGE_HEADER;
	heap->src.free_pages(heap->src.ctx, l, pages);
}

int heap_core_free(struct heap *heap, void *p)
{
	struct heap_slab *slab;
	struct heap_large *large;
	uint32_t index = 0;
	int err = heap_lookup(p, &slab, &large, &index);

	if (err)
		return err;
	if (large)
		heap_large_free(heap, large);
	else
		heap_slab_free(heap, slab, index);
	return 0;
}

size_t heap_core_usable_size(const struct heap *heap, const void *p)
{
	struct heap_slab *slab;
	struct heap_large *large;
	uint32_t index = 0;

	(void)heap;
	if (heap_lookup(p, &slab, &large, &index) != 0)
		return 0;
	if (large)
		return large->pages * HEAP_PAGE_SIZE - HEAP_LARGE_HEADER;
	return slab->object_size;
}
