/*
 * Thread-local storage blocks (layout: capos/tls.h, tls.h).  A program linked
 * with capos-app.ld has one PT_TLS segment; the kernel reports its
 * template in the bootstrap page.  The same layout serves the main thread
 * (a static area, or pages when the template is large) and every thread
 * capos_thread_create starts.
 */
#include "tls.h"

#define TCB_ALIGN 64u

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static uint64_t tls_align(const struct rt_tls_image *t)
{
	uint64_t a = t->align ? t->align : 1;

	return a > TCB_ALIGN ? a : TCB_ALIGN;
}

static uint64_t tls_block_size(const struct rt_tls_image *t)
{
	return align_up(t->memsz, t->align ? t->align : 1);
}

size_t rt_tls_area_size(const struct rt_tls_image *t)
{
	return (size_t)(tls_block_size(t) + sizeof(struct capos_tcb) + tls_align(t) - 1);
}

struct capos_tcb *rt_tls_setup(void *area, size_t area_size, const struct rt_tls_image *t)
{
	uint64_t block = tls_block_size(t);
	uintptr_t tp = (uintptr_t)align_up((uintptr_t)area + block, tls_align(t));
	uint8_t *start = (uint8_t *)(tp - block);
	const uint8_t *src = t->image;
	struct capos_tcb *tcb = (struct capos_tcb *)tp;

	if (tp + sizeof *tcb > (uintptr_t)area + area_size)
		return NULL;
	for (uint64_t i = 0; i < block; i++)
		start[i] = i < t->filesz ? src[i] : 0;
	*tcb = (struct capos_tcb){ .self = tcb };
	return tcb;
}

void rt_tls_image(const struct capos_bootstrap *boot, struct rt_tls_image *t)
{
	t->image = (const void *)(uintptr_t)boot->tls_image;
	t->filesz = boot->tls_memsz ? boot->tls_filesz : 0;
	t->memsz = boot->tls_memsz;
	t->align = boot->tls_align;
}
