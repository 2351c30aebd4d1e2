/*
 * Interrupt: one device interrupt delivered to user space through the
 * ring (model and errors: docs/devices.md, "Interrupts"; the kernel-side
 * contract for its owners: irq.h).
 *
 * Lines and holders.  A line is one CPU vector and the source behind it:
 * an IOAPIC pin (a legacy ISA line from DeviceRoot.irq, with the MADT's
 * overrides applied, or a PCI INTx GSI, irq_create_gsi) or a vectored
 * source its owner programs (MSI, MSI-X: irq_create_vectored).  Each
 * Interrupt object is a holder of one line.  A legacy line has exactly
 * one holder; an INTx GSI may have several (shared, level).
 *
 * Firing.  The vector's handler (every vector in VEC_IRQ_FIRST..LAST
 * lands in irq_vector_fired) masks the source if the line masks on fire
 * (level pins; vectored sources that can be masked), counts the fire in
 * every holder that is not masked, completes a holder's pending wait with
 * the count since its last wait, then sends the LAPIC's EOI.  A fire with
 * nobody waiting stays counted (pending) and the next wait completes at
 * once.  Edge pins are never masked on fire: an edge that came while the
 * pin was masked would be lost, and the count already tells the driver.
 *
 * The source is unmasked exactly when some holder is not masked and every
 * such holder has acked its last fire (line_update_locked): a shared
 * level line stays masked until all its drivers have handled it, and a
 * line nobody listens to stays masked.
 *
 * Ends.  The last handle gone (irq_destroy): a pending wait completes
 * with -CAPOS_ECANCELED, the holder leaves its line, and a line without
 * holders is masked, its vector freed and its source released.
 * irq_revoke does the same but the object stays, answering
 * -CAPOS_EREVOKED.  A thread or process that ends with a wait pending
 * has it cancelled by the ring (k->cancel unlinks it here).  A wait made
 * through a revocable copy ends with -CAPOS_EREVOKED when that copy is
 * revoked and its process holds no other way to the Interrupt.
 *
 * Locks.  sched_lock guards every line and holder field marked [sched]
 * (the handler, kop completion and k->cancel already run under it); the
 * vector set has its own leaf lock and the IOAPIC registers theirs.
 * Source ops are called with sched_lock held and interrupts off, except
 * release, which is called with no lock held.
 */
#include <stdbool.h>
#include <capos/cap.h>
#include <capos/device.h>
#include <capos/error.h>
#include <capos/iface.h>
#include "iface_kernel.h"
#include "irq.h"
#include "isairq.h"
#include "kcall.h"
#include "vecalloc.h"
#include "../acpi/acpi.h"
#include "../arch/x86_64/ioapic.h"
#include "../arch/x86_64/lapic.h"
#include "../arch/x86_64/percpu.h"
#include "../arch/x86_64/trap.h"
#include "../kern/log.h"
#include "../kern/panic.h"
#include "../kern/spinlock.h"
#include "../lib/string.h"
#include "../mm/mm.h"
#include "../proc/process.h"
#include "../proc/sched.h"

#define MSI_ADDRESS_BASE 0xfee00000ull
#define MSI_DEST_SHIFT 12

struct irq;

struct irq_line {
	uint8_t vector;
	bool pin;                          /* an IOAPIC pin (gsi); else a vectored source (ops, ctx) */
	uint32_t gsi;
	bool level, active_low;
	bool exclusive;                    /* a legacy line: never a second holder */
	bool mask_on_fire;
	bool src_masked;                   /* [sched] what the source was last told */
	const struct irq_source_ops *ops;
	void *ctx;
	struct irq *holders;               /* [sched] never empty while the line is installed */
	struct irq_line *pin_next;         /* [sched] pin_lines */
};

struct irq_wait {
	struct kop k;                      /* first: ring.c frees the whole op */
	struct irq *irq;                   /* [sched] irq->wait == this while pending */
};

struct irq {
	struct kobj base;
	struct irq_line *line;             /* [sched] NULL once revoked or destroyed */
	struct irq *next;                  /* [sched] the line's holders */
	uint32_t kind, info_line;
	uint8_t vector;
	bool masked, unacked, revoked;     /* [sched] */
	uint32_t pending;                  /* [sched] fires not yet taken by a wait */
	uint64_t fired;                    /* [sched] */
	struct irq_wait *wait;             /* [sched] */
};

static struct irq_line *by_vector[VEC_COUNT];   /* [sched] */
static struct irq_line *pin_lines;              /* [sched] installed pin lines */
static struct vecalloc vectors;                 /* [vec_lock] */
static struct spinlock vec_lock = SPINLOCK_INIT;
static struct isa_override isos[ACPI_MAX_ISOS]; /* set by irq_init, read-only after */
static uint32_t iso_n;

static struct irq *irq_of(struct kobj *o)
{
	KASSERT(o->iface == CAPOS_IFACE_INTERRUPT && o->kind == KOBJ_KERNEL);
	return KOBJ_CONTAINER(o, struct irq, base);
}

/* ---- vectors ---- */

static int vector_get(void)
{
	uint64_t flags = spin_lock_irqsave(&vec_lock);
	int v = vecalloc_get(&vectors);

	spin_unlock_irqrestore(&vec_lock, flags);
	return v;
}

static void vector_put(uint8_t v)
{
	uint64_t flags = spin_lock_irqsave(&vec_lock);
	bool was_used = vecalloc_put(&vectors, v);

	spin_unlock_irqrestore(&vec_lock, flags);
	KASSERT(was_used);
}

/* ---- the source of a line ---- */

static void source_set_locked(struct irq_line *l, bool masked)
{
	if (l->pin)
		ioapic_set_masked(l->gsi, masked);
	else if (masked && l->ops->mask)
		l->ops->mask(l->ctx);
	else if (!masked && l->ops->unmask)
		l->ops->unmask(l->ctx);
	l->src_masked = masked;
}

/* Unmask the source iff some holder listens and every listener has acked.  sched_lock held. */
static void line_update_locked(struct irq_line *l)
{
	bool listened = false, acked = true;
	bool masked;

	for (const struct irq *h = l->holders; h; h = h->next) {
		if (h->masked)
			continue;
		listened = true;
		acked = acked && !h->unacked;
	}
	masked = !(listened && acked);
	if (masked != l->src_masked)
		source_set_locked(l, masked);
}

/* ---- waits ---- */

/*
 * End h's pending wait: status 0 takes the pending count.  A fire (status
 * 0) preempts whatever it interrupted, so the driver runs at once rather
 * than after the running thread's slice.  sched_lock held.
 */
static void wait_finish_locked(struct irq *h, int32_t status)
{
	struct irq_wait *op = h->wait;

	h->wait = NULL;
	if (status == 0) {
		struct capos_interrupt_wait_out result = { .count = h->pending };

		h->pending = 0;
		memcpy(op->k.out, &result, sizeof result);
		op->k.out_len = sizeof result;
		kop_finish_preempt_locked(&op->k, status);
		return;
	}
	kop_finish_locked(&op->k, status);
}

/* k->cancel: CANCEL, or the waiter's ring destroyed.  sched_lock held. */
static void wait_cancel(struct kop *k)
{
	struct irq_wait *op = (struct irq_wait *)k;

	KASSERT(op->irq->wait == op);
	op->irq->wait = NULL;
}

/* ---- firing ---- */

static void line_fire_locked(struct irq_line *l)
{
	if (l->mask_on_fire && !l->src_masked)
		source_set_locked(l, true);
	for (struct irq *h = l->holders; h; h = h->next) {
		if (h->masked)
			continue;
		h->fired++;
		if (h->pending != UINT32_MAX)
			h->pending++;
		h->unacked = l->mask_on_fire;
		if (h->wait)
			wait_finish_locked(h, 0);
	}
	line_update_locked(l);
}

static void irq_vector_fired(struct trap_frame *f)
{
	uint64_t flags = sched_lock_irqsave();
	struct irq_line *l = by_vector[f->vector];

	if (l)
		line_fire_locked(l);
	sched_unlock_irqrestore(flags);
	lapic_eoi();  /* after the mask: a level pin cannot fire again before its ack */
}

void irq_init(void)
{
	vecalloc_init(&vectors, VEC_IRQ_FIRST, VEC_IRQ_LAST);
	for (unsigned v = VEC_IRQ_FIRST; v <= VEC_IRQ_LAST; v++)
		trap_set_irq_handler(v, irq_vector_fired);
	for (uint32_t i = 0; acpi.present && i < acpi.iso_count && i < ACPI_MAX_ISOS; i++) {
		isos[i].bus_irq = acpi.iso[i].bus_irq;
		isos[i].gsi = acpi.iso[i].gsi;
		isos[i].flags = acpi.iso[i].flags;
		iso_n = i + 1;
	}
}

/* ---- holders joining and leaving lines ---- */

static void attach_locked(struct irq *h, struct irq_line *l)
{
	h->line = l;
	h->vector = l->vector;
	h->next = l->holders;
	l->holders = h;
	line_update_locked(l);
}

/* Take h off its line; the line, when h was its last holder (uninstalled, masked), for line_release.  sched_lock held. */
static struct irq_line *detach_locked(struct irq *h)
{
	struct irq_line *l = h->line;
	struct irq **link;

	if (!l)
		return NULL;
	for (link = &l->holders; *link != h; link = &(*link)->next)
		;
	*link = h->next;
	h->line = NULL;
	h->next = NULL;
	if (l->holders) {
		line_update_locked(l);
		return NULL;
	}
	by_vector[l->vector] = NULL;
	if (l->pin) {
		struct irq_line **pl = &pin_lines;

		while (*pl != l)
			pl = &(*pl)->pin_next;
		*pl = l->pin_next;
	}
	if (!l->src_masked)
		source_set_locked(l, true);
	return l;
}

/* Free an uninstalled line: release its source, free its vector.  No lock held. */
static void line_release(struct irq_line *l)
{
	if (!l)
		return;
	if (!l->pin && l->ops->release)
		l->ops->release(l->ctx);
	vector_put(l->vector);
	kfree(l);
}

static void irq_destroy(struct kobj *o)
{
	struct irq *h = irq_of(o);
	uint64_t flags = sched_lock_irqsave();
	struct irq_line *l;

	if (h->wait)
		wait_finish_locked(h, -CAPOS_ECANCELED);
	l = detach_locked(h);
	sched_unlock_irqrestore(flags);
	line_release(l);
	kfree(h);
}

/*
 * kobj_ops.copy_revoked: a revocable copy of this Interrupt was revoked.
 * A wait pending from a process that now holds no live handle to it (it
 * waited through that copy) ends with -CAPOS_EREVOKED, so the holder of
 * a revoked copy learns nothing more.  Lock order: p->lock, sched_lock.
 */
static void irq_copy_revoked(struct kobj *o)
{
	struct irq *h = irq_of(o);
	uint64_t flags = sched_lock_irqsave(), pflags;
	struct irq_wait *op = h->wait;
	struct process *p = op ? op->k.ring->proc : NULL;
	bool held;

	if (p)
		process_ref(p);
	sched_unlock_irqrestore(flags);
	if (!p)
		return;
	pflags = spin_lock_irqsave(&p->lock);
	held = p->state != PROC_DEAD && process_holds_locked(p, o);
	flags = sched_lock_irqsave();
	if (!held && h->wait == op)
		wait_finish_locked(h, -CAPOS_EREVOKED);
	sched_unlock_irqrestore(flags);
	spin_unlock_irqrestore(&p->lock, pflags);
	process_unref(p);
}

static const struct kobj_ops irq_ops = { .destroy = irq_destroy, .copy_revoked = irq_copy_revoked };

void irq_revoke(struct kobj *o)
{
	struct irq *h = irq_of(o);
	uint64_t flags = sched_lock_irqsave();
	struct irq_line *l = NULL;

	if (!h->revoked) {
		h->revoked = true;
		if (h->wait)
			wait_finish_locked(h, -CAPOS_EREVOKED);
		l = detach_locked(h);
	}
	sched_unlock_irqrestore(flags);
	line_release(l);
}

/* ---- creation ---- */

/* A holder, a line and a vector, or none of them: 0, -CAPOS_ENOMEM, -CAPOS_EBUSY (no vector left). */
static int alloc_parts(uint32_t kind, uint32_t info_line, struct irq **h, struct irq_line **l)
{
	int v;

	*h = kzalloc(sizeof **h);
	*l = kzalloc(sizeof **l);
	if (!*h || !*l) {
		kfree(*h);
		kfree(*l);
		return -CAPOS_ENOMEM;
	}
	v = vector_get();
	if (v < 0) {
		kfree(*h);
		kfree(*l);
		return -CAPOS_EBUSY;
	}
	kobj_init(&(*h)->base, CAPOS_IFACE_INTERRUPT, &irq_ops);
	(*h)->kind = kind;
	(*h)->info_line = info_line;
	(*l)->vector = (uint8_t)v;
	(*l)->src_masked = true;
	return 0;
}

static struct irq_line *pin_line_find_locked(uint32_t gsi)
{
	struct irq_line *l = pin_lines;

	while (l && l->gsi != gsi)
		l = l->pin_next;
	return l;
}

/* Join h to gsi's line, or install l as that line.  Returns whether l was used, or -CAPOS_EBUSY.  sched_lock held. */
static int pin_join_locked(struct irq *h, struct irq_line *l)
{
	struct irq_line *have = pin_line_find_locked(l->gsi);

	if (have) {
		if (l->exclusive || have->exclusive || have->level != l->level || have->active_low != l->active_low)
			return -CAPOS_EBUSY;
		attach_locked(h, have);
		return 0;
	}
	ioapic_route(l->gsi, l->vector, l->level, l->active_low, arch_cpus[0].apic_id);
	by_vector[l->vector] = l;
	l->pin_next = pin_lines;
	pin_lines = l;
	attach_locked(h, l);
	return 1;
}

static int irq_create_pin(uint32_t gsi, bool level, bool active_low, bool exclusive, uint32_t kind,
			  uint32_t info_line, struct kobj **out)
{
	struct irq *h;
	struct irq_line *l;
	uint64_t flags;
	int used, err;

	if (!ioapic_has_gsi(gsi))
		return -CAPOS_ENOENT;
	err = alloc_parts(kind, info_line, &h, &l);
	if (err)
		return err;
	l->pin = true;
	l->gsi = gsi;
	l->level = level;
	l->active_low = active_low;
	l->exclusive = exclusive;
	l->mask_on_fire = level;  /* an edge pin is never masked on fire: see the top of the file */
	flags = sched_lock_irqsave();
	used = pin_join_locked(h, l);
	sched_unlock_irqrestore(flags);
	if (used <= 0) {
		vector_put(l->vector);
		kfree(l);
	}
	if (used < 0) {
		kfree(h);
		return used;
	}
	*out = &h->base;
	return 0;
}

int irq_create_gsi(uint32_t gsi, bool level, bool active_low, uint32_t kind, struct kobj **out)
{
	return irq_create_pin(gsi, level, active_low, false, kind, gsi, out);
}

int irq_create_vectored(const struct irq_source_ops *ops, void *ctx, uint32_t kind, uint32_t line,
			struct kobj **out, uint8_t *vector)
{
	struct irq *h;
	struct irq_line *l;
	uint64_t flags;
	int err = alloc_parts(kind, line, &h, &l);

	if (err)
		return err;
	l->ops = ops;
	l->ctx = ctx;
	l->mask_on_fire = ops->mask != NULL;
	l->src_masked = false;  /* the caller enables its source itself, once it knows the vector */
	flags = sched_lock_irqsave();
	by_vector[l->vector] = l;
	attach_locked(h, l);
	sched_unlock_irqrestore(flags);
	*out = &h->base;
	*vector = l->vector;
	return 0;
}

void irq_msi_message(uint8_t vector, uint64_t *addr, uint32_t *data)
{
	*addr = MSI_ADDRESS_BASE | ((uint64_t)(arch_cpus[0].apic_id & 0xff) << MSI_DEST_SHIFT);
	*data = vector;  /* fixed delivery, edge */
}

void irq_info(struct kobj *o, struct capos_interrupt_info_out *out)
{
	struct irq *h = irq_of(o);
	uint64_t flags = sched_lock_irqsave();

	out->kind = h->kind;
	out->line = h->info_line;
	out->vector = h->vector;
	out->masked = h->masked;
	out->pending = h->pending;
	out->waiting = h->wait != NULL;
	out->fired = h->fired;
	sched_unlock_irqrestore(flags);
}

/* ---- DeviceRoot.irq ---- */

int kcap_device_root_irq(struct kcall *call, const struct capos_device_root_irq_in *in, uint32_t in_len,
		struct capos_device_root_irq_out *out, uint32_t *out_len)
{
	uint32_t sci = acpi.fadt_present ? acpi.sci_irq : ISA_IRQ_NO_SCI;
	int err = isa_irq_grantable(isos, iso_n, in->line, sci);
	struct isa_route route;
	struct kobj *obj;
	int64_t h;

	(void)in_len;
	*out_len = 0;
	if (err)
		return err;
	if (!ioapic_count())
		return -CAPOS_ENOTSUP;
	isa_irq_route(isos, iso_n, (uint8_t)in->line, &route);
	err = irq_create_pin(route.gsi, route.level, route.active_low, true, CAPOS_IRQ_KIND_LEGACY, in->line, &obj);
	if (err)
		return err;
	h = kcall_grant(call, obj, CAPOS_RIGHT_ALL);
	kobj_unref(obj);  /* the slot holds its own reference; on failure this frees the line */
	if (h < 0)
		return (int)h;
	out->interrupt = (uint32_t)h;
	*out_len = sizeof *out;
	return 0;
}

/* ---- Interrupt methods ---- */

int kcap_interrupt_info(struct kcall *call, const struct capos_interrupt_info_in *in, uint32_t in_len,
		struct capos_interrupt_info_out *out, uint32_t *out_len)
{
	struct irq *h = irq_of(call->obj);

	(void)in; (void)in_len;
	*out_len = 0;
	if (__atomic_load_n(&h->revoked, __ATOMIC_RELAXED))
		return -CAPOS_EREVOKED;
	irq_info(call->obj, out);
	*out_len = sizeof *out;
	return 0;
}

/* What a wait checks, with no effects.  sched_lock held. */
static int decode_wait_locked(const struct irq *h)
{
	if (h->revoked)
		return -CAPOS_EREVOKED;
	if (h->masked)
		return -CAPOS_EMASKED;
	return h->wait ? -CAPOS_EBUSY : 0;
}

int kcap_interrupt_wait(struct kcall *call, const struct capos_interrupt_wait_in *in, uint32_t in_len,
		struct capos_interrupt_wait_out *out, uint32_t *out_len)
{
	struct irq *h = irq_of(call->obj);
	uint64_t flags = sched_lock_irqsave();
	int err = decode_wait_locked(h);
	struct irq_wait *op;

	(void)in; (void)in_len;
	*out_len = 0;
	if (!err && h->pending) {  /* remembered fires: complete at once */
		out->count = h->pending;
		h->pending = 0;
		*out_len = sizeof *out;
	}
	sched_unlock_irqrestore(flags);
	if (err || *out_len)
		return err;
	op = (struct irq_wait *)kcall_defer(call, sizeof *op);
	if (!op)
		return -CAPOS_EQUOTA;
	flags = sched_lock_irqsave();
	err = decode_wait_locked(h);  /* again: the lock was dropped to allocate */
	if (err) {
		kop_finish_locked(&op->k, err);
	} else {
		op->irq = h;
		op->k.ctx = h;
		op->k.cancel = wait_cancel;
		h->wait = op;
		if (h->pending)
			wait_finish_locked(h, 0);
	}
	sched_unlock_irqrestore(flags);
	return KCALL_PENDING;
}

int kcap_interrupt_ack(struct kcall *call, const struct capos_interrupt_ack_in *in, uint32_t in_len,
		struct capos_interrupt_ack_out *out, uint32_t *out_len)
{
	struct irq *h = irq_of(call->obj);
	uint64_t flags = sched_lock_irqsave();
	int err = h->revoked ? -CAPOS_EREVOKED : 0;

	(void)in; (void)in_len; (void)out;
	*out_len = 0;
	if (!err) {
		h->unacked = false;
		line_update_locked(h->line);
	}
	sched_unlock_irqrestore(flags);
	return err;
}

int kcap_interrupt_mask(struct kcall *call, const struct capos_interrupt_mask_in *in, uint32_t in_len,
		struct capos_interrupt_mask_out *out, uint32_t *out_len)
{
	struct irq *h = irq_of(call->obj);
	uint64_t flags = sched_lock_irqsave();
	int err = h->revoked ? -CAPOS_EREVOKED : 0;

	(void)in; (void)in_len; (void)out;
	*out_len = 0;
	if (!err) {
		h->masked = true;
		if (h->wait)
			wait_finish_locked(h, -CAPOS_EMASKED);
		line_update_locked(h->line);
	}
	sched_unlock_irqrestore(flags);
	return err;
}

int kcap_interrupt_unmask(struct kcall *call, const struct capos_interrupt_unmask_in *in, uint32_t in_len,
		struct capos_interrupt_unmask_out *out, uint32_t *out_len)
{
	struct irq *h = irq_of(call->obj);
	uint64_t flags = sched_lock_irqsave();
	int err = h->revoked ? -CAPOS_EREVOKED : 0;

	(void)in; (void)in_len; (void)out;
	*out_len = 0;
	if (!err) {
		h->masked = false;
		h->unacked = false;  /* unmask acks too: a driver that masked mid-fire must not wedge a level line */
		line_update_locked(h->line);
	}
	sched_unlock_irqrestore(flags);
	return err;
}
