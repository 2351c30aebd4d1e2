/*
 * ProcessSpawner and ProcessHandle.
 *
 * spawn(binary, grant_names, args) starts a boot-package program with
 * exactly the capabilities named and the quotas asked for (0: the kernel's
 * default; otherwise within the capos/process.h ranges, -CAPOS_ERANGE):
 * grant_names is a space-separated list;
 * a plain NAME takes the next transfer descriptor of the CALL (a
 * capability of the caller, copied or moved), NAME=@KIND gives the child
 * an object bound to itself (@vm, @threads, @thread, @park).  The child
 * is in the spawner's session, unless the word @session appears: then the
 * next descriptor, in the order of the plain names, must be a live
 * UserSession, which sets the child's session and is not granted
 * (docs/sessions.md).  Every name and descriptor is checked before the
 * child is created; a program that fails to load is reported with the ELF
 * fault and nothing is left behind.
 * The caller receives a ProcessHandle: wait (completes through the ring
 * with the exit code and reason) and kill.
 */
#include <capos/cap.h>
#include <capos/error.h>
#include <capos/iface.h>
#include <capos/process.h>
#include <capos/session.h>
#include "coreobj.h"
#include "iface_kernel.h"
#include "kcall.h"
#include "obj_session.h"
#include "procobj.h"
#include "../kern/boot.h"
#include "../kern/log.h"
#include "../lib/string.h"
#include "../mm/mm.h"
#include "../proc/process.h"

#define GRANTS_MAX CAPOS_BOOTSTRAP_MAX_CAPS

#define SESSION_WORD "@session"

struct grant {
	char name[CAPOS_CAP_NAME_MAX];
	char kind[16];        /* "" for a transferred capability */
};

/* What a checked spawn request asks for. */
struct spawn_plan {
	struct grant g[GRANTS_MAX];
	uint32_t count;
	int session_xfer;           /* the @session descriptor's index, or -1 */
	struct session *session;    /* the child's (no reference: the caller's table or process holds it) */
	const void *elf;
	uint64_t size;
};

struct process_handle {
	struct kobj base;
	struct process *p;
};

static struct kobj spawner_obj = KOBJ_STATIC(CAPOS_IFACE_PROCESS_SPAWNER);

struct kobj *coreobj_spawner(void)
{
	return &spawner_obj;
}

static int name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
}

static uint32_t plain_names(const struct grant *g, uint32_t count)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < count; i++)
		n += !g[i].kind[0];
	return n;
}

/* The word @session at text: 1 when it is there, whole. */
static int session_word(const char *text)
{
	size_t n = sizeof SESSION_WORD - 1;

	return strncmp(text, SESSION_WORD, n) == 0 && (text[n] == ' ' || text[n] == '\0');
}

/*
 * Split "a b=@vm @session c" into grants and the place of @session among
 * the descriptors (-1 without it); -CAPOS_EINVAL on a malformed word or a
 * second @session.
 */
static int parse_grants(const char *text, struct grant *g, uint32_t *count, int *session_xfer)
{
	*count = 0;
	*session_xfer = -1;
	while (*text) {
		size_t n = 0, k = 0;

		while (*text == ' ')
			text++;
		if (!*text)
			break;
		if (session_word(text)) {
			if (*session_xfer >= 0)
				return -CAPOS_EINVAL;
			*session_xfer = (int)plain_names(g, *count);
			text += sizeof SESSION_WORD - 1;
			continue;
		}
		if (*count == GRANTS_MAX)
			return -CAPOS_ERANGE;
		while (name_char(text[n]) && n + 1 < CAPOS_CAP_NAME_MAX)
			n++;
		if (n == 0 || (text[n] && text[n] != ' ' && text[n] != '='))
			return -CAPOS_EINVAL;
		memcpy(g[*count].name, text, n);
		g[*count].name[n] = '\0';
		g[*count].kind[0] = '\0';
		text += n;
		if (*text == '=') {
			if (text[1] != '@')
				return -CAPOS_EINVAL;
			text += 2;
			while (name_char(text[k]) && k + 1 < sizeof g->kind)
				k++;
			if (k == 0 || (text[k] && text[k] != ' '))
				return -CAPOS_EINVAL;
			memcpy(g[*count].kind, text, k);
			g[*count].kind[k] = '\0';
			text += k;
		}
		for (uint32_t i = 0; i < *count; i++)
			if (strcmp(g[i].name, g[*count].name) == 0)
				return -CAPOS_EEXIST;
		(*count)++;
	}
	return 0;
}

static int in_range(uint64_t v, uint64_t lo, uint64_t hi)
{
	return v == 0 || (v >= lo && v <= hi);
}

/* The child's limits: each asked-for quota, or the default where 0. */
static int spawn_limits(const struct capos_process_spawner_spawn_in *in, struct quota_limits *l)
{
	if (!in_range(in->quota_frames, CAPOS_QUOTA_FRAMES_MIN, CAPOS_QUOTA_FRAMES_MAX) ||
	    !in_range(in->quota_caps, CAPOS_QUOTA_CAPS_MIN, CAPOS_QUOTA_CAPS_MAX) ||
	    !in_range(in->quota_threads, CAPOS_QUOTA_THREADS_MIN, CAPOS_QUOTA_THREADS_MAX) ||
	    !in_range(in->quota_ring_ops, CAPOS_QUOTA_RING_OPS_MIN, CAPOS_QUOTA_RING_OPS_MAX) ||
	    !in_range(in->quota_kmem_kib, CAPOS_QUOTA_KMEM_MIN_KIB, CAPOS_QUOTA_KMEM_MAX_KIB))
		return -CAPOS_ERANGE;
	*l = (struct quota_limits){
		.frames = in->quota_frames ? in->quota_frames : PROCESS_DEFAULT_FRAMES,
		.kmem = (uint64_t)(in->quota_kmem_kib ? in->quota_kmem_kib : PROCESS_DEFAULT_KMEM_KIB) * 1024,
		.caps = in->quota_caps ? in->quota_caps : PROCESS_DEFAULT_CAPS,
		.threads = in->quota_threads ? in->quota_threads : PROCESS_DEFAULT_THREADS,
		.ring_ops = in->quota_ring_ops ? in->quota_ring_ops : PROCESS_DEFAULT_RING_OPS,
	};
	return 0;
}

static int terminated(const char *s, size_t size)
{
	return strnlen(s, size) < size;
}

static int find_program(const char *name, const void **elf, uint64_t *size)
{
	const struct bootpkg_view *v = boot_package();
	const struct capos_bootpkg_entry *e = v ? bootpkg_find(v, name) : NULL;

	if (!e)
		return -CAPOS_ENOENT;
	if (e->kind != CAPOS_BOOTPKG_ELF)
		return -CAPOS_ETYPE;
	*elf = bootpkg_data(v, e);
	*size = e->size;
	return 0;
}

/* The child's session: the spawner's, or the @session descriptor's, which must be live. */
static int decode_session(struct kcall *call, struct spawn_plan *plan)
{
	struct kobj *o;
	int err = 0;

	plan->session = call->proc->session;
	if (plan->session_xfer < 0)
		return 0;
	o = kobj_resolve(call->xfer[plan->session_xfer].obj, &err);
	if (!o)
		return err;
	plan->session = session_of(o);
	if (!plan->session)
		return -CAPOS_ETYPE;
	return session_state(plan->session) == CAPOS_SESSION_LIVE ? 0 : -CAPOS_ESESSION;
}

/* Check the grant list against the transfer descriptors: no side effects. */
static int decode_spawn(struct kcall *call, const struct capos_process_spawner_spawn_in *in,
			struct spawn_plan *plan)
{
	uint32_t descriptors;
	int err;

	if (!terminated(in->binary, sizeof in->binary) || !terminated(in->grant_names, sizeof in->grant_names) ||
	    !terminated(in->args, sizeof in->args))
		return -CAPOS_EINVAL;
	err = parse_grants(in->grant_names, plan->g, &plan->count, &plan->session_xfer);
	if (err)
		return err;
	for (uint32_t i = 0; i < plan->count; i++)
		if (plan->g[i].kind[0] && !procobj_kind_known(plan->g[i].kind))
			return -CAPOS_EINVAL;
	descriptors = plain_names(plan->g, plan->count) + (plan->session_xfer >= 0);
	if (descriptors != call->xfer_count)
		return -CAPOS_EINVAL;
	err = decode_session(call, plan);
	if (err)
		return err;
	return find_program(in->binary, &plan->elf, &plan->size);
}

static int grant_all(struct kcall *call, struct process *child, const struct spawn_plan *plan)
{
	const struct grant *g = plan->g;
	uint32_t next_xfer = 0;

	for (uint32_t i = 0; i < plan->count; i++) {
		struct kobj *obj;
		int64_t h;

		if (g[i].kind[0]) {
			obj = procobj_for_child(g[i].kind, child);
			if (!obj)
				return -CAPOS_ENOMEM;
			h = process_grant(child, g[i].name, obj, CAPOS_RIGHT_ALL);
			kobj_unref(obj);
		} else {
			const struct kcall_xfer *x;

			if ((int)next_xfer == plan->session_xfer)
				next_xfer++;  /* the @session descriptor is not granted */
			x = &call->xfer[next_xfer++];

			h = process_grant(child, g[i].name, x->obj, x->rights);
		}
		if (h < 0)
			return (int)h;
	}
	return 0;
}


int kcap_process_spawner_spawn(struct kcall *call, const struct capos_process_spawner_spawn_in *in,
			       uint32_t in_len, struct capos_process_spawner_spawn_out *out,
			       uint32_t *out_len)
{
	struct spawn_plan plan;
	struct quota_limits limits;
	struct elf_fault fault = { -1, "" };
	struct process *child;
	struct kobj *handle;
	int64_t h;
	int err = decode_spawn(call, in, &plan);

	(void)in_len;
	if (!err)
		err = spawn_limits(in, &limits);
	if (err)
		return err;
	err = process_create(in->binary, &limits, plan.session, &child);
	if (err)
		return err;
	err = process_load(child, plan.elf, plan.size, in->args, &fault);
	if (err)
		kwarn("spawn %s: not started: %s", in->binary, fault.what ? fault.what : "no memory");
	if (!err)
		err = grant_all(call, child, &plan);
	handle = err ? NULL : process_handle_create(child, process_quota(call->proc), &err);
	if (!handle) {
		process_abandon(child);
		return err;
	}
	h = kcall_grant(call, handle, CAPOS_RIGHT_ALL);
	if (h < 0) {
		kobj_unref(handle);  /* the last handle of an unstarted child: it goes with it */
		return (int)h;
	}
	out->process = (uint32_t)h;
	out->pid = child->pid;
	*out_len = sizeof *out;
	process_start(child);
	kobj_unref(handle);  /* after the start: the caller's slot holds the child now */
	return 0;
}

/* The last handle of a process still being built takes it with it: nobody could start it. */
static void handle_destroy(struct kobj *o)
{
	struct process_handle *ph = KOBJ_CONTAINER(o, struct process_handle, base);

	process_discard_unstarted(ph->p, CAPOS_EXIT_KILLED, -1);
	process_unref(ph->p);
	kmem_free(o->payer, ph);
}

static const struct kobj_ops handle_ops = { .destroy = handle_destroy };

struct process *process_handle_target(struct kobj *o)
{
	return o->ops == &handle_ops ? KOBJ_CONTAINER(o, struct process_handle, base)->p : NULL;
}

struct kobj *process_handle_create(struct process *p, struct quota *payer, int *err)
{
	struct process_handle *ph = kmem_zalloc(payer, sizeof *ph, err);

	if (!ph)
		return NULL;
	kobj_init(&ph->base, CAPOS_IFACE_PROCESS_HANDLE, &handle_ops);
	ph->base.payer = payer;
	process_ref(p);
	ph->p = p;
	return &ph->base;
}

static struct process *handle_process(struct kcall *call)
{
	return KOBJ_CONTAINER(call->obj, struct process_handle, base)->p;
}

int kcap_process_handle_wait(struct kcall *call, const struct capos_process_handle_wait_in *in,
			     uint32_t in_len, struct capos_process_handle_wait_out *out, uint32_t *out_len)
{
	struct kop *k = kcall_defer(call, sizeof *k);

	(void)in; (void)in_len; (void)out; (void)out_len;
	if (!k)
		return -CAPOS_EQUOTA;
	process_wait_exit(handle_process(call), k);
	return KCALL_PENDING;
}

int kcap_process_handle_kill(struct kcall *call, const struct capos_process_handle_kill_in *in,
			     uint32_t in_len, struct capos_process_handle_kill_out *out, uint32_t *out_len)
{
	(void)in; (void)in_len; (void)out;
	*out_len = 0;
	process_discard_unstarted(handle_process(call), CAPOS_EXIT_KILLED, -1);
	process_kill(handle_process(call), CAPOS_EXIT_KILLED, -1);
	return 0;
}

static const struct {
	const char *kind;
	struct kobj *(*create)(struct process *p);
} child_kinds[] = {
	{ "vm", vmcap_create },
	{ "threads", thread_spawner_create },
	{ "thread", thread_control_create },
	{ "park", parkspace_create },
	{ "self", process_handle_self },
};

int procobj_kind_known(const char *kind)
{
	for (size_t i = 0; i < sizeof child_kinds / sizeof child_kinds[0]; i++)
		if (strcmp(child_kinds[i].kind, kind) == 0)
			return 1;
	return 0;
}

struct kobj *procobj_for_child(const char *kind, struct process *child)
{
	for (size_t i = 0; i < sizeof child_kinds / sizeof child_kinds[0]; i++)
		if (strcmp(child_kinds[i].kind, kind) == 0)
			return child_kinds[i].create(child);
	return NULL;
}
