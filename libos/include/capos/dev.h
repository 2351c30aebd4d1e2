/*
 * Driver helpers of the libOS (libos/dev/; model and walkthrough:
 * docs/devices.md, "Writing a driver").  The kernel exports a device raw —
 * a PciFunction with its config space, BARs, interrupts and DMA pools —
 * and a driver in user space does the rest with these:
 *
 *   capability list   capos_pci_cap_find / _walk over config reads (bounded,
 *                     loop-safe), also PCIe extended capabilities
 *   BARs              capos_pci_bar_map: a memory BAR into this process,
 *                     with MMIO accessors
 *   DMA               capos_dma_open: a DmaPool mapped here, handing out
 *                     aligned chunks with their virtual and device addresses
 *   interrupts        capos_pci_irq_setup: MSI-X, MSI or INTx, unmasked
 *   event loop        capos_irq_waiter: Interrupt.wait as a ring operation
 *                     beside any others, dispatched by capos_ring_poll,
 *                     acked after the handler
 *
 * The pure parts (the capability walk over any reader, the chunk
 * allocator) take no capability and are host-tested.  Errors are negative
 * CAPOS_E* codes; memory is the caller's (structs with no hidden
 * allocation).
 */
#ifndef CAPOS_DEV_H
#define CAPOS_DEV_H

#include <stdint.h>
#include <capos/device.h>
#include <capos/iface.h>

/* ------------------------------------------------------ capability list */

#define CAPOS_PCI_CAP_MSI   0x05u
#define CAPOS_PCI_CAP_PCIE  0x10u
#define CAPOS_PCI_CAP_MSIX  0x11u
#define CAPOS_PCI_CAP_VENDOR 0x09u

/* Read `width` (1, 2, 4) bytes of config space at offset: 0 or a negative code. */
typedef int (*capos_pci_cfg_read_fn)(void *ctx, uint32_t offset, uint32_t width, uint32_t *value);

/*
 * Visit every capability of the classic list (0x40..0xff) in list order:
 * visit(vctx, id, offset) returns 0 to go on or non-zero to stop (that
 * value is returned; it should be positive).  0 when the list ended,
 * -CAPOS_ENOENT without a list (status bit 4 clear, or a null first
 * pointer), -CAPOS_EFORMAT for a list that points outside 0x40..0xfc or
 * back to a capability already visited (never loops: at most 48
 * entries), or a read's error.
 */
int capos_pci_cap_walk(capos_pci_cfg_read_fn read, void *ctx,
		       int (*visit)(void *vctx, uint8_t id, uint8_t offset), void *vctx);

/*
 * The offset of the first capability `id` after offset `after` in list
 * order (0: from the start): 0 with *offset, -CAPOS_ENOENT when there is
 * none, or capos_pci_cap_walk's errors.
 */
int capos_pci_cap_find(capos_pci_cfg_read_fn read, void *ctx, uint8_t id, uint8_t after, uint8_t *offset);

/*
 * The same over PCIe extended capabilities (0x100..config_size, 16-bit
 * ids): -CAPOS_ENOENT when config_size is 256 (no extended space) or the
 * list is empty; bounded and loop-safe likewise.
 */
int capos_pci_ext_cap_find(capos_pci_cfg_read_fn read, void *ctx, uint32_t config_size, uint16_t id,
			   uint32_t *offset);

/* A capos_pci_cfg_read_fn over a PciFunction: ctx points to its handle (uint32_t). */
int capos_pci_function_cfg_read(void *ctx, uint32_t offset, uint32_t width, uint32_t *value);

/*
 * PciFunction.set_bus_master: whether the device may reach memory.  It
 * starts off.  DMA needs it, and so do MSI and MSI-X: their messages are
 * memory writes by the device.  0 or a negative code.
 */
int capos_pci_bus_master(uint32_t fn, int enable);

/* -------------------------------------------------------------- BARs */

struct capos_pci_bar {
	volatile uint8_t *base;   /* the mapping: uncached, never executable */
	uint64_t size;            /* bytes the BAR decodes */
	uint64_t pages;           /* pages mapped */
	uint32_t index, kind;     /* CAPOS_BAR_MEM32 / _MEM64 */
};

/*
 * Map memory BAR `index` of PciFunction fn read-write where the kernel
 * picks: 0 with *bar, -CAPOS_EINVAL for an I/O or absent BAR (use
 * PciFunction.ioports for I/O BARs), or the kernel's refusal.
 */
int capos_pci_bar_map(uint32_t fn, uint32_t index, struct capos_pci_bar *bar);

/*
 * Unmap a BAR mapped by capos_pci_bar_map (the kernel removes it anyway
 * when the claim ends): 0 or a negative code.
 */
int capos_pci_bar_unmap(struct capos_pci_bar *bar);

/* Register access inside a mapped BAR; offsets must be naturally aligned and below size. */
static inline uint32_t capos_mmio_read32(const struct capos_pci_bar *b, uint64_t off)
{
	return *(volatile uint32_t *)(b->base + off);
}
static inline void capos_mmio_write32(const struct capos_pci_bar *b, uint64_t off, uint32_t v)
{
	*(volatile uint32_t *)(b->base + off) = v;
}
static inline uint64_t capos_mmio_read64(const struct capos_pci_bar *b, uint64_t off)
{
	return *(volatile uint64_t *)(b->base + off);
}
static inline void capos_mmio_write64(const struct capos_pci_bar *b, uint64_t off, uint64_t v)
{
	*(volatile uint64_t *)(b->base + off) = v;
}

/*
 * Port I/O, for ports this process has open (IoPortRange.enable); any
 * other port is a #GP that ends the process.
 */
static inline uint8_t capos_inb(uint16_t p) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(p)); return v; }
static inline uint16_t capos_inw(uint16_t p) { uint16_t v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(p)); return v; }
static inline uint32_t capos_inl(uint16_t p) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(p)); return v; }
static inline void capos_outb(uint16_t p, uint8_t v) { __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(p)); }
static inline void capos_outw(uint16_t p, uint16_t v) { __asm__ volatile("outw %0, %1" :: "a"(v), "Nd"(p)); }
static inline void capos_outl(uint16_t p, uint32_t v) { __asm__ volatile("outl %0, %1" :: "a"(v), "Nd"(p)); }

/* --------------------------------------------------------------- DMA */

#define CAPOS_DMA_UNIT 64u        /* allocation granule: one cache line */
#define CAPOS_DMA_UNITS (CAPOS_DMA_POOL_MAX_PAGES * 4096u / CAPOS_DMA_UNIT)

/* The chunk allocator over one pool's bytes (pure; dma_chunks.c). */
struct capos_dma_chunks {
	uint64_t units;                                 /* the pool's size in CAPOS_DMA_UNIT */
	uint64_t used;                                  /* units handed out */
	uint64_t map[CAPOS_DMA_UNITS / 64];             /* bit set: unit in use */
};

/* Prepare for a pool of `bytes` (a multiple of 4096, at most the pool maximum): 0 or -CAPOS_ERANGE. */
int capos_dma_chunks_init(struct capos_dma_chunks *a, uint64_t bytes);
/*
 * First fit: the offset of `size` bytes (rounded up to CAPOS_DMA_UNIT)
 * aligned to `align` (a power of two; below CAPOS_DMA_UNIT counts as
 * CAPOS_DMA_UNIT): 0 with *offset, -CAPOS_EINVAL for a zero size or a bad
 * alignment, -CAPOS_ENOMEM when no such run is free.
 */
int capos_dma_chunks_alloc(struct capos_dma_chunks *a, uint64_t size, uint64_t align, uint64_t *offset);
/* Give back what alloc handed out: 0, or -CAPOS_EINVAL when [offset, +size) was not wholly in use. */
int capos_dma_chunks_free(struct capos_dma_chunks *a, uint64_t offset, uint64_t size);

/* A DmaPool mapped into this process, with its allocator (caller-owned, about 8 KiB). */
struct capos_dma {
	uint32_t pool;            /* the DmaPool handle */
	uint8_t *vaddr;           /* page 0 in this process */
	uint64_t device_addr;     /* page 0 for the device; the pool is contiguous for it */
	uint64_t pages;
	int mapped_here;          /* 1: this helper mapped it, and close unmaps it */
	struct capos_dma_chunks chunks;
};

struct capos_dma_chunk {
	void *vaddr;              /* for the CPU */
	uint64_t device_addr;     /* for the device: program this into its registers */
	uint64_t size;            /* bytes asked for */
};

/*
 * A pool of `pages` pinned pages from PciFunction fn (charged to this
 * process's frame quota), every device address below 2^addr_bits (the
 * device's DMA reach, e.g. 32; 0: any), mapped read-write here: 0 with
 * *d, or a negative code (nothing is kept on failure).
 */
int capos_dma_open(uint32_t fn, uint64_t pages, uint32_t addr_bits, struct capos_dma *d);
/* The same over a DmaPool handle already held (mapped now unless it already is). */
int capos_dma_attach(uint32_t pool, struct capos_dma *d);
/* An aligned chunk of the pool: 0 with *c, or capos_dma_chunks_alloc's errors. */
int capos_dma_alloc(struct capos_dma *d, uint64_t size, uint64_t align, struct capos_dma_chunk *c);
/* Give a chunk back: 0 or -CAPOS_EINVAL (not a chunk of this pool in use). */
int capos_dma_free(struct capos_dma *d, const struct capos_dma_chunk *c);
/* The device address of a CPU pointer into the pool, or 0 when p is outside it. */
uint64_t capos_dma_device_addr(const struct capos_dma *d, const void *p);
/*
 * Unmap the pool (when this helper mapped it) and release its handle.
 * Stop the device's DMA first.  The frames go back to the allocator,
 * scrubbed, once no handle and no mapping of them is left and the kernel
 * knows the device cannot reach them (bus mastering off, or the claim
 * ended); until then they stay charged to this process.
 */
void capos_dma_close(struct capos_dma *d);

/* --------------------------------------------------------- interrupts */

/*
 * One interrupt of PciFunction fn: kind CAPOS_IRQ_KIND_MSIX, _MSI or
 * _INTX, or 0 for the best the function has (MSI-X, then MSI, then INTx);
 * vector `index` for MSI/MSI-X.  The Interrupt comes back unmasked in
 * *irq, its kind in *kind_out (may be NULL).  An MSI or MSI-X message
 * reaches the CPU only while bus mastering is on (capos_pci_bus_master).  -CAPOS_ENOENT when the function
 * has no interrupt of the kind asked, -CAPOS_ERANGE for an index past its
 * vectors, or the kernel's refusal.
 */
int capos_pci_irq_setup(uint32_t fn, uint32_t kind, uint32_t index, uint32_t *irq, uint32_t *kind_out);

/* --------------------------------------------- interrupts in an event loop */

struct capos_irq_waiter;

/*
 * Runs in capos_ring_poll when the interrupt fired (count: times since the
 * last wait, >= 1) or when waiting ended (count 0, w->status: e.g.
 * -CAPOS_EMASKED after a mask, -CAPOS_EREVOKED when the device went).
 * After a firing: quiet the device's own interrupt condition, then return
 * CAPOS_IRQ_AGAIN (the helper acks the Interrupt and waits again) or
 * CAPOS_IRQ_STOP (no ack, no new wait).
 */
typedef int (*capos_irq_fn)(struct capos_irq_waiter *w, uint32_t count);
#define CAPOS_IRQ_AGAIN 0
#define CAPOS_IRQ_STOP 1

struct capos_irq_waiter {
	uint32_t irq;             /* the Interrupt */
	capos_irq_fn fn;
	void *ctx;                /* the caller's */
	int armed;                /* 1 while a wait is outstanding */
	int status;               /* why waiting ended: 0 or a negative code */
	uint64_t fired;           /* firings seen (sum of counts) */
	uint64_t user_data;       /* of the outstanding wait */
	struct capos_interrupt_wait_out out;   /* its result buffer */
};

/*
 * Submit Interrupt.wait on irq as an async ring operation of the calling
 * thread and watch it: from then on every capos_ring_poll of this thread
 * dispatches it, beside timers, IPC and the rest.  w must stay put while
 * armed.  0 or a negative code.
 */
int capos_irq_waiter_start(struct capos_irq_waiter *w, uint32_t irq, capos_irq_fn fn, void *ctx);
/* Stop waiting (cancel the outstanding wait; fn is not called): 0 or a negative code. */
int capos_irq_waiter_stop(struct capos_irq_waiter *w);

#endif
