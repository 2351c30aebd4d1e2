/*
 * Interrupt-to-user wake-up latency: QEMU's edu device (apps/edu; the
 * machine needs `-device edu`) raises its MSI when the main thread writes
 * its raise register, and a driver thread blocked in Interrupt.wait wakes
 * up.  One sample: the TSC just before the raise, to the TSC the waiting
 * thread reads first thing after its wait returns — the device's message,
 * the kernel's interrupt entry, the completion posted to the waiter's ring
 * and the waiter scheduled and back in user mode.  With one CPU the raiser
 * is running when the interrupt arrives: the kernel switches to the waiter
 * as the raiser returns to user mode (an interrupt wait's completion
 * preempts), or at the latest when the raiser sleeps on its park word
 * right after the raise.  That switch is part of what a driver on a busy
 * machine sees.
 *
 * Before each raise the main thread waits until Interrupt.info says the
 * waiter's wait is pending, so no sample is a firing remembered for a
 * wait not yet made.  The waiter clears the device's status (0x64) and
 * acks before it signals the main thread.
 */
#include "bench.h"
#include "edu.h"

#define WARMUP 16u

struct irq_bench {
	struct edu edu;
	uint32_t irq;
	uint32_t rounds;
	volatile uint32_t seq;          /* the waiter's count of interrupts taken */
	volatile uint64_t raised_at;    /* TSC just before the raise */
	uint64_t *lat;                  /* per round: wake-up TSC - raised_at */
	int err;
};

static int64_t waiter(void *arg)
{
	struct irq_bench *b = arg;

	for (uint32_t i = 0; i < b->rounds; i++) {
		struct capos_interrupt_wait_out out = { 0 };
		int err = capos_interrupt_wait(capos_ring(), b->irq, &out);
		uint64_t now = bench_tsc();

		if (err) {
			b->err = err;
			__atomic_store_n(&b->seq, ~0u, __ATOMIC_SEQ_CST);
			capos_park_wake((const uint32_t *)&b->seq, 1);
			return err;
		}
		b->lat[i] = now - b->raised_at;
		edu_write(&b->edu, EDU_REG_IRQ_ACK, edu_read(&b->edu, EDU_REG_IRQ_STATUS));
		capos_interrupt_ack(capos_ring(), b->irq);
		__atomic_store_n(&b->seq, i + 1, __ATOMIC_SEQ_CST);
		capos_park_wake((const uint32_t *)&b->seq, 1);
	}
	return 0;
}

/*
 * Until the waiter's Interrupt.wait is pending in the kernel.  Usually it
 * is at the first look: the waiter woke this thread and then went on into
 * its wait, and on one CPU this thread runs once it has blocked.
 */
static int wait_for_waiter(uint32_t irq)
{
	for (int tries = 0; tries < 2000; tries++) {
		struct capos_interrupt_info_out info = { 0 };
		int err = capos_interrupt_info(capos_ring(), irq, &info);

		if (err)
			return err;
		if (info.waiting)
			return 0;
		capos_sleep_ns(1000000);         /* let it run (there is no yield) */
	}
	return -CAPOS_ETIMEDOUT;
}

static int measure(struct irq_bench *b, struct bench_samples *s)
{
	struct capos_thread *t;
	int64_t code;
	int err = capos_thread_create(&t, waiter, b, 0);

	if (err)
		return err;
	for (uint32_t i = 0; !err && i < b->rounds; i++) {
		err = wait_for_waiter(b->irq);
		if (err)
			break;
		b->raised_at = bench_tsc();
		edu_write(&b->edu, EDU_REG_IRQ_RAISE, 0x1000);
		while (b->seq == i)
			capos_park_wait((const uint32_t *)&b->seq, i, CAPOS_TIMEOUT_INFINITE);
		if (b->seq == ~0u)
			err = b->err;
		else if (i >= WARMUP)
			s->tsc[s->count++] = b->lat[i];
	}
	if (err)
		capos_interrupt_mask(capos_ring(), b->irq);   /* the waiter's wait ends with -CAPOS_EMASKED */
	capos_thread_join(t, &code);
	return err;
}

int bench_irq_wakeup(struct bench_samples *s, uint32_t iters)
{
	static struct irq_bench b;
	static uint64_t lat[BENCH_SAMPLES_MAX + WARMUP];
	int err;

	b = (struct irq_bench){ .rounds = iters + WARMUP, .lat = lat };
	if (b.rounds > sizeof lat / sizeof lat[0])
		return -CAPOS_ERANGE;
	err = edu_open(&b.edu);
	if (err)
		return err;
	err = capos_pci_bus_master(b.edu.fn, 1);            /* an MSI is a memory write */
	if (!err)
		err = capos_pci_irq_setup(b.edu.fn, 0, 0, &b.irq, NULL);
	if (!err) {
		err = measure(&b, s);
		capos_release(capos_ring(), b.irq);
	}
	edu_close(&b.edu);
	return err;
}
