/*
 * The loader: starting programs over "spawner" (ProcessFactory) and
 * waiting for them (ProcessHandle).
 *
 * Everything that can be refused is decided first — the texts, the grant
 * list against the passed capabilities (grants.c), the ELF file and its
 * layout (loadplan.c).  Then ProcessFactory.create gives an empty child
 * and the loader builds it through its ProcessHandle: each PT_LOAD
 * segment becomes child memory (charged to the child's quota) that the
 * loader maps into itself, fills, unmaps and maps into the child with the
 * segment's protection; then the stack; then the capabilities (copied, or
 * bound to the child); then the bootstrap page, written exactly as
 * capos/process.h says and mapped read-only; then start with %rdi = the
 * bootstrap page and %rsi = the ring.  On any failure the handle is
 * released, which makes the kernel discard the unstarted child with
 * everything given to it.  A program that fails its checks is reported on
 * the console ("spawn NAME: not started: ...") and by capos_spawn_fault.
 */
#include <stdlib.h>
#include <string.h>
#include <capos/bootfiles.h>
#include <capos/rt.h>
#include "grants.h"
#include "loadplan.h"
#include "rt_internal.h"
#include "segments.h"

#define FAULT_TEXT_MAX 128

static __thread char spawn_fault[FAULT_TEXT_MAX];  /* the last load fault of this thread */

/* One child being built. */
struct build {
	uint32_t handle;            /* ProcessHandle */
	uint32_t pid;
	uint64_t ring_addr;
	uint32_t ring_size;
	struct capos_bootstrap boot;  /* written here, copied into the child's page last */
};

const char *capos_spawn_fault(void)
{
	return spawn_fault;
}

size_t rt_text_len(const char *s, size_t max)
{
	size_t n = 0;

	while (s && n < max && s[n])
		n++;
	return n;
}

int rt_copy_text(char *dst, size_t size, const char *src)
{
	size_t n = rt_text_len(src, size);

	if (n == size)
		return -CAPOS_ERANGE;
	for (size_t i = 0; i < n; i++)
		dst[i] = src[i];
	dst[n] = '\0';
	return 0;
}

void rt_load_fault(const char *verb, const char *name, const struct elf_fault *f)
{
	if (f->index >= 0)
		capos_snprintf(spawn_fault, sizeof spawn_fault, "program header %d: %s", f->index, f->what);
	else
		capos_snprintf(spawn_fault, sizeof spawn_fault, "%s", f->what ? f->what : "bad ELF file");
	capos_printf("%s %s: not started: %s\n", verb, name, spawn_fault);
}

/* ------------------------------------------------------ the child's memory */

/* The child's own pages (charged to its frame quota), as a MemoryObject of the loader. */
static int child_memory(void *ctx, uint64_t pages, uint32_t *mo)
{
	struct build *b = ctx;
	struct capos_process_handle_memory_in in = { .pages = pages };
	struct capos_process_handle_memory_out out = { 0 };
	int err = capos_process_handle_memory(capos_ring(), b->handle, &in, &out);

	if (!err)
		*mo = out.memory;
	return err;
}

/* ProcessHandle.map with mo as the one descriptor (copied: the loader drops its own handle after). */
static int child_map(void *ctx, uint32_t mo, uint64_t vaddr, uint64_t pages, uint32_t prot)
{
	struct build *b = ctx;
	struct capos_process_handle_map_in in = { .vaddr = vaddr, .first_page = 0, .pages = pages, .prot = prot };
	struct capos_xfer x = { mo, CAPOS_XFER_COPY };

	return capos_call_sync_xfer(capos_ring(), b->handle, CAPOS_IFACE_PROCESS_HANDLE, CAPOS_PROCESS_HANDLE_MAP,
				    &in, sizeof in, &x, 1, NULL, 0, NULL);
}

/* ------------------------------------------------------ the child's table */

static int grant_one(struct build *b, const struct grant *g, const struct capos_xfer *x)
{
	struct capos_process_handle_grant_out out = { 0 };
	struct capos_bootstrap_cap *c;
	int err;

	if (g->bind) {
		struct capos_process_handle_bind_in in = { .kind = g->bind };
		struct capos_process_handle_bind_out bout = { 0 };

		err = capos_process_handle_bind(capos_ring(), b->handle, &in, &bout);
		out.handle = bout.handle;
		out.iface = bout.iface;
	} else {
		err = capos_call_sync_xfer(capos_ring(), b->handle, CAPOS_IFACE_PROCESS_HANDLE,
					   CAPOS_PROCESS_HANDLE_GRANT, NULL, 0, x, 1, &out, sizeof out, NULL);
	}
	if (err)
		return err;
	c = &b->boot.caps[b->boot.cap_count++];
	rt_copy_text(c->name, sizeof c->name, g->name);
	c->handle = out.handle;
	c->iface = out.iface;
	return 0;
}

static int grant_all(struct build *b, const struct grant_plan *gp, const struct capos_xfer *x)
{
	for (uint32_t i = 0; i < gp->count; i++) {
		int err = grant_one(b, &gp->g[i], gp->g[i].bind ? NULL : &x[gp->g[i].xfer]);

		if (err)
			return err;
	}
	return 0;
}

/* ---------------------------------------------------- creating, starting */

static int create_child(struct build *b, uint32_t factory, const char *name, const struct capos_spawn_quota *quota)
{
	struct capos_process_factory_create_in in = { 0 };
	struct capos_process_factory_create_out out = { 0 };
	int err;

	if (!factory)
		factory = rt_cap(RT_CAP_SPAWNER);
	if (!factory)
		return -CAPOS_ENOENT;
	rt_copy_text(in.name, sizeof in.name, name);
	if (quota) {
		in.quota_frames = quota->frames;
		in.quota_caps = quota->caps;
		in.quota_threads = quota->threads;
		in.quota_ring_ops = quota->ring_ops;
		in.quota_kmem_kib = quota->kmem_kib;
	}
	err = capos_call_sync(capos_ring(), factory, CAPOS_IFACE_PROCESS_FACTORY, CAPOS_PROCESS_FACTORY_CREATE,
			      &in, sizeof in, &out, sizeof out, NULL);
	if (err)
		return err;
	b->handle = out.process;
	b->pid = out.pid;
	b->ring_addr = out.ring_addr;
	b->ring_size = out.ring_size;
	return 0;
}

/* The bootstrap page as the child's runtime reads it (capos/process.h). */
static void write_bootstrap(struct build *b, const char *name, const char *args, const struct load_plan *plan)
{
	const struct capos_bootstrap *mine = capos_bootstrap();
	struct capos_bootstrap *boot = &b->boot;

	boot->magic = CAPOS_BOOTSTRAP_MAGIC;
	boot->version = CAPOS_BOOTSTRAP_VERSION;
	boot->ring_addr = b->ring_addr;
	boot->ring_size = b->ring_size;
	boot->pid = b->pid;
	boot->tls_image = plan->tls_image;
	boot->tls_filesz = plan->tls_filesz;
	boot->tls_memsz = plan->tls_memsz;
	boot->tls_align = plan->tls_align;
	boot->heap_start = plan->heap_start;
	boot->stack_top = CAPOS_USER_STACK_TOP;
	boot->stack_size = LOAD_STACK_PAGES * CAPOS_PAGE_SIZE;
	boot->tsc_hz = mine->tsc_hz;
	boot->clock_tsc_base = mine->clock_tsc_base;
	boot->clock_ns_mult = mine->clock_ns_mult;
	rt_copy_text(boot->name, sizeof boot->name, name);
	rt_copy_text(boot->args, sizeof boot->args, args);
}

static int build_child(struct build *b, const char *name, const char *args, const struct load_plan *plan,
		       const struct grant_plan *gp, const struct capos_xfer *x)
{
	struct capos_process_handle_start_in start = {
		.entry = plan->entry, .stack = CAPOS_USER_STACK_TOP, .arg0 = LOAD_BOOTSTRAP_VA,
	};
	const struct load_target child = { child_memory, child_map, b };
	int err = load_segments(&child, plan);

	if (!err)
		err = load_give_memory(&child, LOAD_STACK_BOTTOM, LOAD_STACK_PAGES, CAPOS_PROT_READ | CAPOS_PROT_WRITE,
				       0, NULL, 0);
	if (!err)
		err = grant_all(b, gp, x);
	if (err)
		return err;
	write_bootstrap(b, name, args, plan);
	err = load_give_memory(&child, LOAD_BOOTSTRAP_VA, 1, CAPOS_PROT_READ, 0, &b->boot, sizeof b->boot);
	if (err)
		return err;
	start.arg1 = b->ring_addr;
	return capos_process_handle_start(capos_ring(), b->handle, &start);
}

/* What to start: a program in memory, under a name, with its grants. */
struct spawn_req {
	uint32_t factory;           /* ProcessFactory; 0: "spawner" */
	const char *name;
	const void *image;
	uint64_t size;
	const char *grants, *args;
	const struct capos_xfer *x;
	uint32_t n;
	const struct capos_spawn_quota *quota;
};

/* Texts and the grant list: the refusals that need no program. */
static int check_request(const char *name, const char *args, const char *grants, const struct capos_xfer *x,
			 uint32_t n, struct grant_plan *gp)
{
	if (n > CAPOS_XFER_MAX)
		return -CAPOS_ERANGE;
	for (uint32_t i = 0; i < n; i++)
		for (uint32_t j = 0; j < i; j++)
			if (x[i].cap == x[j].cap)
				return -CAPOS_EINVAL;  /* one handle per descriptor, as a CALL takes them */
	if (rt_text_len(name, CAPOS_PROC_NAME_MAX) == CAPOS_PROC_NAME_MAX ||
	    rt_text_len(args, CAPOS_ARGS_MAX) == CAPOS_ARGS_MAX)
		return -CAPOS_ERANGE;
	return grants_parse(grants, n, gp);
}

static int spawn(const struct spawn_req *r, uint32_t *proc, uint32_t *pid)
{
	struct load_plan plan;
	struct grant_plan gp;
	struct elf_fault fault = { -1, NULL };
	struct build *b;
	int err = check_request(r->name, r->args, r->grants, r->x, r->n, &gp);

	spawn_fault[0] = '\0';
	if (!err && (!r->name || !r->name[0] || (uintptr_t)r->image % 8))
		err = -CAPOS_EINVAL;  /* the caller's buffer, not the file */
	if (err)
		return err;
	if (load_plan_check(r->image, r->size, &plan, &fault)) {
		rt_load_fault("spawn", r->name, &fault);
		return -CAPOS_EFORMAT;  /* whatever the file's fault, one code says "bad program" */
	}
	b = calloc(1, sizeof *b);
	if (!b)
		return -CAPOS_ENOMEM;
	err = create_child(b, r->factory, r->name, r->quota);
	if (!err) {
		err = build_child(b, r->name, r->args, &plan, &gp, r->x);
		if (err)
			capos_release(capos_ring(), b->handle);  /* the kernel discards the unstarted child */
	}
	if (!err) {
		*proc = b->handle;
		if (pid)
			*pid = b->pid;
	}
	free(b);
	return err;
}

/* caps[0..n) as copies. */
static int copies(const uint32_t *caps, uint32_t n, struct capos_xfer *x)
{
	if (n > CAPOS_XFER_MAX)
		return -CAPOS_ERANGE;
	for (uint32_t i = 0; i < n; i++)
		x[i] = (struct capos_xfer){ caps[i], CAPOS_XFER_COPY };
	return 0;
}

int capos_spawn_image(const char *name, const void *image, uint64_t size, const char *grants, const char *args,
		      const uint32_t *caps, uint32_t ncaps, const struct capos_spawn_quota *quota, uint32_t *proc,
		      uint32_t *pid)
{
	struct capos_xfer x[CAPOS_XFER_MAX];
	int err = copies(caps, ncaps, x);

	if (err)
		return err;
	return spawn(&(struct spawn_req){ 0, name, image, size, grants, args, x, ncaps, quota }, proc, pid);
}

int capos_spawn_xfer(uint32_t factory, const char *binary, const char *grants, const char *args, const struct capos_xfer *x,
		     uint32_t n, const struct capos_spawn_quota *quota, uint32_t *proc, uint32_t *pid)
{
	struct grant_plan gp;
	const void *image;
	uint64_t size;
	uint32_t kind;
	int err = check_request(binary, args, grants, x, n, &gp);

	if (!err)
		err = capos_bootfile_find(binary ? binary : "", &image, &size, &kind);
	if (!err && kind != CAPOS_BOOTPKG_ELF)
		err = -CAPOS_ETYPE;
	if (err)
		return err;
	return spawn(&(struct spawn_req){ factory, binary, image, size, grants, args, x, n, quota }, proc, pid);
}

int capos_spawn(const char *binary, const char *grants, const char *args, const uint32_t *caps,
		uint32_t ncaps, uint32_t *proc, uint32_t *pid)
{
	return capos_spawn_quota(binary, grants, args, caps, ncaps, NULL, proc, pid);
}

int capos_spawn_quota(const char *binary, const char *grants, const char *args, const uint32_t *caps,
		      uint32_t ncaps, const struct capos_spawn_quota *quota, uint32_t *proc, uint32_t *pid)
{
	struct capos_xfer x[CAPOS_XFER_MAX];
	int err = copies(caps, ncaps, x);

	if (err)
		return err;
	return capos_spawn_xfer(0, binary, grants, args, x, ncaps, quota, proc, pid);
}

int capos_process_wait(uint32_t proc, int64_t *code, uint32_t *reason)
{
	struct capos_process_handle_wait_out out = { 0 };
	int err = capos_process_handle_wait(capos_ring(), proc, &out);

	if (err)
		return err;
	*code = out.exit_code;
	*reason = out.reason;
	return 0;
}
