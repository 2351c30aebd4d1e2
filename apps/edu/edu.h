/*
 * A user-space driver of QEMU's educational PCI device (`-device edu`,
 * 1234:11e8; QEMU docs/specs/edu.rst), written with the libOS driver
 * helpers (capos/dev.h) as the worked example of docs/devices.md.  The
 * device: one 1 MiB memory BAR of 32-bit registers, one MSI vector (no
 * MSI-X, no per-vector mask), INTx pin A, and a 4 KiB buffer it copies
 * to and from memory by DMA.
 *
 * Used by the driver test (tests/user/utest_edu.c) and the interrupt
 * wake-up row of the benchmark (apps/bench/rows_irq.c).
 */
#ifndef APPS_EDU_EDU_H
#define APPS_EDU_EDU_H

#include <stdint.h>
#include <capos/dev.h>

#define EDU_VENDOR 0x1234u
#define EDU_DEVICE 0x11e8u

/* Registers (offsets into BAR 0). */
#define EDU_REG_ID        0x00u   /* reads 0x010000ed: version 1.0, 0xed */
#define EDU_REG_LIVENESS  0x04u   /* reads back the inverse of what was written */
#define EDU_REG_FACT      0x08u   /* write n to start n!; read the result */
#define EDU_REG_STATUS    0x20u
#define EDU_STATUS_COMPUTING 0x01u
#define EDU_STATUS_IRQ_FACT  0x80u  /* raise FACT when a factorial is done */
#define EDU_REG_IRQ_STATUS 0x24u
#define EDU_REG_IRQ_RAISE 0x60u   /* ORs the value into IRQ_STATUS and interrupts */
#define EDU_REG_IRQ_ACK   0x64u   /* clears those bits */
#define EDU_REG_DMA_SRC   0x80u   /* 64-bit */
#define EDU_REG_DMA_DST   0x88u
#define EDU_REG_DMA_COUNT 0x90u
#define EDU_REG_DMA_CMD   0x98u
#define EDU_DMA_RUN       0x1u
#define EDU_DMA_TO_RAM    0x2u    /* direction: clear = memory to the device's buffer */
#define EDU_DMA_IRQ       0x4u    /* raise DMA when done */

#define EDU_ID 0x010000edu
#define EDU_IRQ_FACT 0x001u
#define EDU_IRQ_DMA  0x100u
#define EDU_BUFFER 0x40000u       /* the device's buffer, as DMA_SRC/DST name it */
#define EDU_BUFFER_SIZE 4096u
/*
 * What one DMA may span of the buffer: QEMU 7.2's range check wants the
 * transfer's end strictly inside the buffer, and stops the whole machine
 * (hw_error) when it is not — so the last byte is never reached.
 */
#define EDU_DMA_SPAN (EDU_BUFFER_SIZE - 1u)

struct edu {
	uint32_t fn;                  /* the PciFunction */
	int claimed;                  /* 1: claimed here through "devices"; 0: granted as "edu" */
	struct capos_pci_bar bar;     /* BAR 0 */
};

/*
 * The device: the PciFunction granted as "edu" (the manifest's
 * `device:edu`), else the first 1234:11e8 claimed through "devices" (when
 * run as init); then BAR 0 mapped.  0 or a negative code.
 */
int edu_open(struct edu *e);
/* Unmap BAR 0 and release the function (and with it the claim, when this was its last handle). */
void edu_close(struct edu *e);

static inline uint32_t edu_read(const struct edu *e, uint32_t reg)
{
	return capos_mmio_read32(&e->bar, reg);
}
static inline void edu_write(const struct edu *e, uint32_t reg, uint32_t v)
{
	capos_mmio_write32(&e->bar, reg, v);
}

/* n! computed by the device (polling the status register); -CAPOS_ETIMEDOUT after timeout_ns. */
int edu_factorial(const struct edu *e, uint32_t n, uint64_t timeout_ns, uint32_t *result);

/*
 * Start a DMA of count bytes (offset + count at most EDU_DMA_SPAN) between
 * device address `addr` and the device's buffer at `offset`: to the buffer
 * unless to_ram.  With irq the device raises EDU_IRQ_DMA when done.
 * Bus mastering must be on.  0, or -CAPOS_EINVAL for a range past the
 * buffer, -CAPOS_EBUSY while a DMA runs.
 */
int edu_dma_start(const struct edu *e, uint64_t addr, uint32_t offset, uint32_t count, int to_ram, int irq);
/* Is a DMA running? */
int edu_dma_busy(const struct edu *e);

#endif
