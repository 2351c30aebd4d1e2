/*
 * DMA memory for a driver: a DmaPool (pinned pages the device reaches by
 * device address, charged to this process's frame quota) mapped into this
 * process, and the chunk allocator over it (dma_chunks.c).  A chunk comes
 * with both addresses: the CPU's pointer and the device's, which is the
 * pool's device address plus the same offset, since the pool is
 * contiguous for the device (physical today, an IOMMU window later,
 * without change here).
 */
#include <capos/dev.h>
#include <capos/error.h>
#include <capos/rt.h>

int capos_dma_attach(uint32_t pool, struct capos_dma *d)
{
	struct capos_dma_pool_info_out info = { 0 };
	struct capos_dma_pool_map_in in = { .vaddr = 0 };
	struct capos_dma_pool_map_out out = { 0 };
	int mapped_here = 0;
	int err = capos_dma_pool_info(capos_ring(), pool, &info);

	if (err)
		return err;
	if ((err = capos_dma_chunks_init(&d->chunks, info.pages * 4096)))
		return err;
	if (!info.vaddr) {
		if ((err = capos_dma_pool_map(capos_ring(), pool, &in, &out)))
			return err;
		info.vaddr = out.vaddr;
		mapped_here = 1;
	}
	d->mapped_here = mapped_here;
	d->pool = pool;
	d->vaddr = (uint8_t *)(uintptr_t)info.vaddr;
	d->device_addr = info.device_addr;
	d->pages = info.pages;
	return 0;
}

int capos_dma_open(uint32_t fn, uint64_t pages, struct capos_dma *d)
{
	struct capos_pci_function_dma_pool_in in = { .pages = pages };
	struct capos_pci_function_dma_pool_out out = { 0 };
	int err = capos_pci_function_dma_pool(capos_ring(), fn, &in, &out);

	if (err)
		return err;
	err = capos_dma_attach(out.pool, d);
	if (err)
		capos_release(capos_ring(), out.pool);
	return err;
}

int capos_dma_alloc(struct capos_dma *d, uint64_t size, uint64_t align, struct capos_dma_chunk *c)
{
	uint64_t off;
	int err = capos_dma_chunks_alloc(&d->chunks, size, align, &off);

	if (err)
		return err;
	*c = (struct capos_dma_chunk){ .vaddr = d->vaddr + off, .device_addr = d->device_addr + off, .size = size };
	return 0;
}

int capos_dma_free(struct capos_dma *d, const struct capos_dma_chunk *c)
{
	uint8_t *p = c->vaddr;

	if (p < d->vaddr || p >= d->vaddr + d->pages * 4096 ||
	    c->device_addr != d->device_addr + (uint64_t)(p - d->vaddr))
		return -CAPOS_EINVAL;
	return capos_dma_chunks_free(&d->chunks, (uint64_t)(p - d->vaddr), c->size);
}

uint64_t capos_dma_device_addr(const struct capos_dma *d, const void *p)
{
	const uint8_t *b = p;

	if (b < d->vaddr || b >= d->vaddr + d->pages * 4096)
		return 0;
	return d->device_addr + (uint64_t)(b - d->vaddr);
}

void capos_dma_close(struct capos_dma *d)
{
	if (d->mapped_here && d->vaddr)
		capos_pages_free(d->vaddr, d->pages);
	d->mapped_here = 0;
	if (d->pool)
		capos_release(capos_ring(), d->pool);
	d->pool = 0;
	d->vaddr = NULL;
}
