/*
 * IoPortRange: a range of x86 I/O ports a process may open for itself
 * (model and errors: docs/devices.md, "I/O ports").
 *
 * Opening.  enable opens the range's ports in the calling process's own
 * I/O permission bitmap (struct ioport_map, 8 KiB, made at the first
 * enable and charged to the process's frame quota); from then on its
 * in/out on exactly those ports run in user mode with no kernel entry,
 * and any other port is a #GP that kills it.  The scheduler copies the
 * running process's bitmap into the CPU's TSS on each switch
 * (ioport_activate; only the used prefix is copied, see portmap.h).
 * Each open range of a process is a grant, listed on the range and on
 * the process's map.
 *
 * Closing.  A grant ends with disable; when its process no longer holds
 * any handle that leads to the range (its last one released or moved
 * away: ioport_slot_dropped; the revocable copy it held revoked:
 * range_copy_revoked); when the process ends (ioport_process_exit); and
 * for every process at once when the range itself is revoked
 * (ioport_range_revoke) or destroyed.  A map with no grant left is freed
 * and its frames go back to the quota.
 *
 * Legacy ranges.  DeviceRoot.ioports hands out the platform's UARTs other
 * than COM1 (the kernel console) by name, each only when a UART answers
 * there (its scratch register holds what is written to it), and each to
 * one range object at a time: while it lives (any handle in any process,
 * copies included) a second claim gets -CAPOS_EBUSY.
 *
 * Locks.  ioport_lock (irqsave) guards the grants, every map's bits,
 * used prefix and version, each process's io pointer and each range's
 * revoked flag and the legacy claims.  It ranks below p->lock (a process
 * is rechecked with its capability table locked) and below sched_lock
 * (ioport_activate runs in the switch); only allocator locks nest inside
 * it.  SMP: a change to a process running on another CPU takes effect
 * there at its next switch; a shootdown IPI will be needed then.
 */
#include <stdbool.h>
#include <capos/cap.h>
#include <capos/device.h>
#include <capos/error.h>
#include <capos/iface.h>
#include "iface_kernel.h"
#include "ioport.h"
#include "kcall.h"
#include "portmap.h"
#include "../acpi/acpi.h"
#include "../arch/x86_64/cpu.h"
#include "../arch/x86_64/iopb.h"
#include "../kern/log.h"
#include "../kern/panic.h"
#include "../kern/spinlock.h"
#include "../lib/string.h"
#include "../mm/mm.h"
#include "../proc/process.h"
#include "../proc/quota.h"
#include "../proc/sched.h"
#include "../proc/thread.h"

#define MAP_PAGES (PORTMAP_BYTES / PAGE_SIZE)
#define UART_SCRATCH 7u

struct ioport_range;

struct ioport_grant {
	struct ioport_range *range;
	struct process *proc;
	struct ioport_grant *range_next;  /* [ioport_lock] the range's grants */
	struct ioport_grant *proc_next;   /* [ioport_lock] the process's grants */
	uint32_t pass;                    /* [ioport_lock] last revocation sweep that looked at it */
};

struct ioport_map {
	uint8_t *bits;                    /* PORTMAP_BYTES through the direct map */
	uint64_t phys;
	struct quota *q;                  /* one reference: MAP_PAGES frames are charged to it */
	uint32_t used;                    /* [ioport_lock] portmap.h's used prefix */
	uint64_t version;                 /* [ioport_lock] changes with every change of bits */
	struct ioport_grant *grants;      /* [ioport_lock] never empty while the process points here */
	struct ioport_map *free_next;     /* detached maps waiting to be freed */
};

struct ioport_range {
	struct kobj base;
	uint32_t first, count;
	int legacy;                       /* index in legacy[], or -1 */
	bool revoked;                     /* [ioport_lock] */
	struct ioport_grant *grants;      /* [ioport_lock] */
};

struct legacy_range {
	const char *name;
	uint16_t base, count;
	struct ioport_range *live;        /* [ioport_lock] the one range object of it, if any */
};

static struct legacy_range legacy[] = {
	{ CAPOS_IOPORTS_COM2, 0x2f8, 8, NULL },
	{ CAPOS_IOPORTS_COM3, 0x3e8, 8, NULL },
	{ CAPOS_IOPORTS_COM4, 0x2e8, 8, NULL },
};

static struct spinlock ioport_lock = SPINLOCK_INIT;
static uint64_t last_version;         /* [ioport_lock] */
static uint32_t last_pass;            /* [ioport_lock] */

static struct ioport_range *range_of(struct kobj *o)
{
	KASSERT(o->iface == CAPOS_IFACE_IO_PORT_RANGE && o->kind == KOBJ_KERNEL);
	return KOBJ_CONTAINER(o, struct ioport_range, base);
}

/* ---- maps ---- */

/* A new map with every port closed, charged to p's frame quota: 0, -CAPOS_EQUOTA, -CAPOS_ENOMEM. */
static int map_create(struct process *p, struct ioport_map **out)
{
	struct quota *q = process_quota(p);
	struct ioport_map *m;

	if (quota_charge_frames(q, MAP_PAGES) != 0)
		return -CAPOS_EQUOTA;
	m = kzalloc(sizeof *m);
	if (!m || frame_alloc_contig(MAP_PAGES, 1, &m->phys) != 0) {
		kfree(m);
		quota_release_frames(q, MAP_PAGES);
		return -CAPOS_ENOMEM;
	}
	m->bits = phys_to_virt(m->phys);
	portmap_init(m->bits);
	quota_get(q);
	m->q = q;
	*out = m;
	return 0;
}

/* Free a list of detached maps (free_next).  No lock held. */
static void maps_free(struct ioport_map *m)
{
	while (m) {
		struct ioport_map *next = m->free_next;

		frame_free_contig(m->phys, MAP_PAGES);
		quota_release_frames(m->q, MAP_PAGES);
		quota_put(m->q);
		kfree(m);
		m = next;
	}
}

/* ---- grants ---- */

static struct ioport_grant *grant_find_locked(const struct ioport_range *r, const struct process *p)
{
	struct ioport_grant *g = r->grants;

	while (g && g->proc != p)
		g = g->range_next;
	return g;
}

static void unlink_grant(struct ioport_grant **list, struct ioport_grant *g, bool by_range)
{
	while (*list != g)
		list = by_range ? &(*list)->range_next : &(*list)->proc_next;
	*list = by_range ? g->range_next : g->proc_next;
}

/*
 * End grant g: its ports close in its process's map (ports of the
 * process's other grants stay open, should ranges ever overlap).  When no
 * grant is left the map is detached from the process and put on *freed.
 * ioport_lock held.
 */
static void grant_close_locked(struct ioport_grant *g, struct ioport_map **freed)
{
	struct process *p = g->proc;
	struct ioport_map *m = p->io;

	unlink_grant(&g->range->grants, g, true);
	unlink_grant(&m->grants, g, false);
	m->used = portmap_close(m->bits, m->used, g->range->first, g->range->count);
	for (struct ioport_grant *o = m->grants; o; o = o->proc_next)
		m->used = portmap_open(m->bits, m->used, o->range->first, o->range->count);
	m->version = ++last_version;
	kfree(g);
	if (m->grants)
		return;
	__atomic_store_n(&p->io, NULL, __ATOMIC_RELAXED);
	m->free_next = *freed;
	*freed = m;
}

/* Close every grant of r.  ioport_lock held. */
static void range_close_all_locked(struct ioport_range *r, struct ioport_map **freed)
{
	while (r->grants)
		grant_close_locked(r->grants, freed);
}

/* The running process's map, as it is now, into this CPU's TSS. */
static void reload_current(void)
{
	struct thread *t = sched_current();

	ioport_activate(t ? t->proc : NULL);
}

/* ---- following the handles ---- */

/* Close p's grants of ranges it no longer holds.  No lock held. */
static void recheck_process(struct process *p)
{
	struct ioport_map *freed = NULL;
	uint64_t flags = spin_lock_irqsave(&p->lock);

	if (p->state != PROC_DEAD) {
		spin_lock(&ioport_lock);
		for (struct ioport_grant *g = p->io ? p->io->grants : NULL, *next; g; g = next) {
			next = g->proc_next;
			if (!process_holds_locked(p, &g->range->base))
				grant_close_locked(g, &freed);
		}
		spin_unlock(&ioport_lock);
	}
	spin_unlock_irqrestore(&p->lock, flags);
	maps_free(freed);
	reload_current();
}

void ioport_slot_dropped(struct process *p)
{
	if (__atomic_load_n(&p->io, __ATOMIC_RELAXED))
		recheck_process(p);
}

/*
 * kobj_ops.copy_revoked: a revocable copy leading to r was cut.  Every
 * process with r open is rechecked, one at a time with ioport_lock
 * dropped (the recheck takes p->lock, which ranks above it); the pass
 * number marks the grants already looked at.
 */
static void range_copy_revoked(struct kobj *o)
{
	struct ioport_range *r = range_of(o);
	uint64_t flags = spin_lock_irqsave(&ioport_lock);
	uint32_t pass = ++last_pass;

	for (;;) {
		struct ioport_grant *g = r->grants;
		struct process *p;

		while (g && g->pass == pass)
			g = g->range_next;
		if (!g)
			break;
		g->pass = pass;
		p = g->proc;
		process_ref(p);
		spin_unlock_irqrestore(&ioport_lock, flags);
		recheck_process(p);
		process_unref(p);
		flags = spin_lock_irqsave(&ioport_lock);
	}
	spin_unlock_irqrestore(&ioport_lock, flags);
}

void ioport_activate(struct process *p)
{
	struct ioport_map *m;
	uint64_t flags;

	if ((!p || !__atomic_load_n(&p->io, __ATOMIC_RELAXED)) && arch_iopb_version() == 0)
		return;  /* the common case: no ports before, none now */
	flags = spin_lock_irqsave(&ioport_lock);
	m = p ? p->io : NULL;
	if (m && arch_iopb_version() != m->version)
		arch_iopb_load(m->bits, m->used, m->version);
	else if (!m && arch_iopb_version() != 0)
		arch_iopb_load(NULL, 0, 0);
	spin_unlock_irqrestore(&ioport_lock, flags);
}

void ioport_process_exit(struct process *p)
{
	struct ioport_map *m;
	uint64_t flags = spin_lock_irqsave(&ioport_lock);

	m = p->io;
	if (m) {
		while (m->grants) {
			struct ioport_grant *g = m->grants;

			m->grants = g->proc_next;
			unlink_grant(&g->range->grants, g, true);
			kfree(g);
		}
		p->io = NULL;
		m->free_next = NULL;
		if (arch_iopb_version() == m->version)
			arch_iopb_load(NULL, 0, 0);
	}
	spin_unlock_irqrestore(&ioport_lock, flags);
	maps_free(m);
}

/* ---- the object ---- */

static void range_destroy(struct kobj *o)
{
	struct ioport_range *r = range_of(o);
	struct ioport_map *freed = NULL;
	uint64_t flags = spin_lock_irqsave(&ioport_lock);

	range_close_all_locked(r, &freed);
	if (r->legacy >= 0 && legacy[r->legacy].live == r)
		legacy[r->legacy].live = NULL;
	spin_unlock_irqrestore(&ioport_lock, flags);
	maps_free(freed);
	reload_current();
	kfree(r);
}

static const struct kobj_ops range_ops = { .destroy = range_destroy, .copy_revoked = range_copy_revoked };

static struct ioport_range *range_alloc(uint32_t first, uint32_t count, int legacy_index)
{
	struct ioport_range *r = kzalloc(sizeof *r);

	if (!r)
		return NULL;
	kobj_init(&r->base, CAPOS_IFACE_IO_PORT_RANGE, &range_ops);
	r->first = first;
	r->count = count;
	r->legacy = legacy_index;
	return r;
}

/* Ports the kernel drives itself, never part of any range. */
static bool kernel_port(uint32_t port)
{
	static const struct { uint16_t first, count; } fixed[] = {
		{ 0x20, 2 }, { 0xa0, 2 },     /* 8259 PICs */
		{ 0x40, 4 }, { 0x61, 1 },     /* PIT and its gate (calibration) */
		{ 0x80, 1 },                  /* POST port: io_wait */
		{ 0xf4, 4 },                  /* isa-debug-exit (test verdicts) */
		{ 0x3f8, 8 },                 /* COM1: the kernel console */
		{ 0xcf8, 8 },                 /* PCI configuration mechanism 1 */
	};

	for (uint32_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		if (port >= fixed[i].first && port - fixed[i].first < fixed[i].count)
			return true;
	return (acpi.pm_timer_port && port >= acpi.pm_timer_port && port - acpi.pm_timer_port < 4) ||
	       (acpi.pm1a_cnt_port && port >= acpi.pm1a_cnt_port && port - acpi.pm1a_cnt_port < 2) ||
	       (acpi.pm1b_cnt_port && port >= acpi.pm1b_cnt_port && port - acpi.pm1b_cnt_port < 2) ||
	       (acpi.smi_cmd_port && port == acpi.smi_cmd_port);
}

struct kobj *ioport_range_create(uint32_t base, uint32_t count)
{
	struct ioport_range *r;

	if (!portmap_range_ok(base, count))
		return NULL;
	for (uint32_t port = base; port < base + count; port++) {
		if (kernel_port(port)) {
			kwarn("ioport: refusing a range over 0x%x-0x%x: port 0x%x is the kernel's",
			      base, base + count - 1, port);
			return NULL;
		}
	}
	r = range_alloc(base, count, -1);
	return r ? &r->base : NULL;
}

void ioport_range_revoke(struct kobj *range)
{
	struct ioport_range *r = range_of(range);
	struct ioport_map *freed = NULL;
	uint64_t flags = spin_lock_irqsave(&ioport_lock);

	r->revoked = true;
	range_close_all_locked(r, &freed);
	spin_unlock_irqrestore(&ioport_lock, flags);
	maps_free(freed);
	reload_current();
}

/* ---- DeviceRoot.ioports ---- */

/* A 16550 keeps what is written to its scratch register; an empty slot reads 0xff. */
static bool uart_answers(uint16_t base)
{
	uint8_t saved = inb((uint16_t)(base + UART_SCRATCH));
	bool ok;

	outb((uint16_t)(base + UART_SCRATCH), 0x5a);
	ok = inb((uint16_t)(base + UART_SCRATCH)) == 0x5a;
	outb((uint16_t)(base + UART_SCRATCH), 0xa5);
	ok = ok && inb((uint16_t)(base + UART_SCRATCH)) == 0xa5;
	outb((uint16_t)(base + UART_SCRATCH), saved);
	return ok;
}

/* The legacy entry named name (NUL-terminated within its field): its index, -CAPOS_EINVAL or -CAPOS_ENOENT. */
static int legacy_find(const char *name, size_t field)
{
	if (strnlen(name, field) == field)
		return -CAPOS_EINVAL;
	for (uint32_t i = 0; i < sizeof legacy / sizeof legacy[0]; i++)
		if (strcmp(name, legacy[i].name) == 0)
			return (int)i;
	return -CAPOS_ENOENT;
}

static bool legacy_busy(int i)
{
	uint64_t flags = spin_lock_irqsave(&ioport_lock);
	bool busy = legacy[i].live != NULL;

	spin_unlock_irqrestore(&ioport_lock, flags);
	return busy;
}

int kcap_device_root_ioports(struct kcall *call, const struct capos_device_root_ioports_in *in, uint32_t in_len,
		struct capos_device_root_ioports_out *out, uint32_t *out_len)
{
	int i = legacy_find(in->name, sizeof in->name);
	struct ioport_range *r;
	uint64_t flags;
	bool busy;
	int64_t h;

	(void)in_len;
	*out_len = 0;
	if (i < 0)
		return i;
	if (legacy_busy(i))
		return -CAPOS_EBUSY;
	if (!uart_answers(legacy[i].base))
		return -CAPOS_ENOENT;  /* nothing there on this machine */
	r = range_alloc(legacy[i].base, legacy[i].count, i);
	if (!r)
		return -CAPOS_ENOMEM;
	flags = spin_lock_irqsave(&ioport_lock);
	busy = legacy[i].live != NULL;
	if (!busy)
		legacy[i].live = r;
	spin_unlock_irqrestore(&ioport_lock, flags);
	h = busy ? -CAPOS_EBUSY : kcall_grant(call, &r->base, CAPOS_RIGHT_ALL);
	kobj_unref(&r->base);  /* the slot holds its own reference; on failure this frees r and its claim */
	if (h < 0)
		return (int)h;
	out->range = (uint32_t)h;
	out->base = r->first;
	out->count = r->count;
	*out_len = sizeof *out;
	return 0;
}

/* ---- IoPortRange methods ---- */

int kcap_io_port_range_info(struct kcall *call, const struct capos_io_port_range_info_in *in, uint32_t in_len,
		struct capos_io_port_range_info_out *out, uint32_t *out_len)
{
	struct ioport_range *r = range_of(call->obj);
	uint64_t flags = spin_lock_irqsave(&ioport_lock);
	int err = r->revoked ? -CAPOS_EREVOKED : 0;

	(void)in; (void)in_len;
	out->base = r->first;
	out->count = r->count;
	out->enabled = grant_find_locked(r, call->proc) != NULL;
	spin_unlock_irqrestore(&ioport_lock, flags);
	*out_len = err ? 0 : sizeof *out;
	return err;
}

/* Link a new grant of r for p, with the map made for it if p has none.  ioport_lock held. */
static void grant_open_locked(struct ioport_range *r, struct process *p, struct ioport_grant *g,
			      struct ioport_map **spare)
{
	struct ioport_map *m = p->io;

	if (!m) {
		m = *spare;
		*spare = NULL;
		__atomic_store_n(&p->io, m, __ATOMIC_RELAXED);
	}
	g->range = r;
	g->proc = p;
	g->range_next = r->grants;
	r->grants = g;
	g->proc_next = m->grants;
	m->grants = g;
	m->used = portmap_open(m->bits, m->used, r->first, r->count);
	m->version = ++last_version;
}

/* What enable checks first, with no effects: -CAPOS_EREVOKED, or 0 with *open and *have_map set. */
static int decode_enable(struct ioport_range *r, struct process *p, bool *open, bool *have_map)
{
	uint64_t flags = spin_lock_irqsave(&ioport_lock);
	int err = r->revoked ? -CAPOS_EREVOKED : 0;

	*open = grant_find_locked(r, p) != NULL;
	*have_map = p->io != NULL;
	spin_unlock_irqrestore(&ioport_lock, flags);
	return err;
}

int kcap_io_port_range_enable(struct kcall *call, const struct capos_io_port_range_enable_in *in, uint32_t in_len,
		struct capos_io_port_range_enable_out *out, uint32_t *out_len)
{
	struct ioport_range *r = range_of(call->obj);
	struct ioport_map *spare = NULL;
	struct ioport_grant *g;
	bool open, have_map;
	uint64_t flags;
	int err = decode_enable(r, call->proc, &open, &have_map);

	(void)in; (void)in_len; (void)out;
	*out_len = 0;
	if (err || open)
		return err;  /* enabling an open range again changes nothing */
	g = kzalloc(sizeof *g);
	if (!g)
		return -CAPOS_ENOMEM;
	if (!have_map && (err = map_create(call->proc, &spare)) != 0) {
		kfree(g);
		return err;
	}
	flags = spin_lock_irqsave(&ioport_lock);
	err = r->revoked ? -CAPOS_EREVOKED : 0;  /* the checks again: the lock was dropped to allocate */
	if (!err && !grant_find_locked(r, call->proc)) {
		if (call->proc->io || spare) {
			grant_open_locked(r, call->proc, g, &spare);
			g = NULL;
		} else {
			err = -CAPOS_EAGAIN;  /* the map went while we allocated (another thread disabled) */
		}
	}
	spin_unlock_irqrestore(&ioport_lock, flags);
	kfree(g);
	if (spare)
		spare->free_next = NULL;
	maps_free(spare);
	reload_current();
	return err;
}

int kcap_io_port_range_disable(struct kcall *call, const struct capos_io_port_range_disable_in *in, uint32_t in_len,
		struct capos_io_port_range_disable_out *out, uint32_t *out_len)
{
	struct ioport_range *r = range_of(call->obj);
	struct ioport_map *freed = NULL;
	uint64_t flags = spin_lock_irqsave(&ioport_lock);
	struct ioport_grant *g = grant_find_locked(r, call->proc);
	int err = r->revoked ? -CAPOS_EREVOKED : 0;

	(void)in; (void)in_len; (void)out;
	*out_len = 0;
	if (!err && g)
		grant_close_locked(g, &freed);
	spin_unlock_irqrestore(&ioport_lock, flags);
	maps_free(freed);
	reload_current();
	return err;
}
