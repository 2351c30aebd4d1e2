/*
 * The edu driver's device access (edu.h): finding the function, mapping
 * its registers, the polled factorial and starting a DMA.  Interrupts and
 * DMA memory are the caller's, through the libOS helpers directly, so a
 * program can wait for the device in its own event loop.
 */
#include <capos/error.h>
#include <capos/rt.h>
#include "edu.h"

static int claim(uint32_t *fn)
{
	struct capos_device_root_claim_in in = { .vendor = EDU_VENDOR, .device = EDU_DEVICE };
	struct capos_device_root_claim_out out = { 0 };
	uint32_t root = capos_cap_find("devices", NULL);
	int err;

	if (!root)
		return -CAPOS_ENOENT;
	err = capos_device_root_claim(capos_ring(), root, &in, &out);
	*fn = out.function;
	return err;
}

int edu_open(struct edu *e)
{
	int err;

	*e = (struct edu){ .fn = capos_cap_find("edu", NULL) };
	if (!e->fn) {
		if ((err = claim(&e->fn)))
			return err;
		e->claimed = 1;
	}
	err = capos_pci_bar_map(e->fn, 0, &e->bar);
	if (err)
		edu_close(e);
	return err;
}

void edu_close(struct edu *e)
{
	capos_pci_bar_unmap(&e->bar);
	if (e->fn)
		capos_release(capos_ring(), e->fn);
	e->fn = 0;
}

int edu_factorial(const struct edu *e, uint32_t n, uint64_t timeout_ns, uint32_t *result)
{
	uint64_t deadline = capos_time_ns() + timeout_ns;

	if (edu_read(e, EDU_REG_STATUS) & EDU_STATUS_COMPUTING)
		return -CAPOS_EBUSY;
	edu_write(e, EDU_REG_FACT, n);
	/* The device computes in a thread of its own: poll, as its spec asks. */
	while (edu_read(e, EDU_REG_STATUS) & EDU_STATUS_COMPUTING)
		if (capos_time_ns() > deadline)
			return -CAPOS_ETIMEDOUT;
	*result = edu_read(e, EDU_REG_FACT);
	return 0;
}

int edu_dma_busy(const struct edu *e)
{
	return (int)(capos_mmio_read64(&e->bar, EDU_REG_DMA_CMD) & EDU_DMA_RUN);
}

int edu_dma_start(const struct edu *e, uint64_t addr, uint32_t offset, uint32_t count, int to_ram, int irq)
{
	uint64_t buf = EDU_BUFFER + offset;

	if (count == 0 || offset >= EDU_DMA_SPAN || count > EDU_DMA_SPAN - offset)
		return -CAPOS_EINVAL;
	if (edu_dma_busy(e))
		return -CAPOS_EBUSY;
	capos_mmio_write64(&e->bar, EDU_REG_DMA_SRC, to_ram ? buf : addr);
	capos_mmio_write64(&e->bar, EDU_REG_DMA_DST, to_ram ? addr : buf);
	capos_mmio_write64(&e->bar, EDU_REG_DMA_COUNT, count);
	capos_mmio_write64(&e->bar, EDU_REG_DMA_CMD,
			   EDU_DMA_RUN | (to_ram ? EDU_DMA_TO_RAM : 0) | (irq ? EDU_DMA_IRQ : 0));
	return 0;
}
