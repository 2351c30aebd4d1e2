/*
 * Starting other programs over "spawner" (ProcessSpawner) and waiting for
 * them (ProcessHandle).  The capabilities a child receives by plain name
 * travel as COPY transfer descriptors of the spawn call, in the order the
 * names appear in the grant list.
 */
#include <capos/rt.h>
#include "rt_internal.h"

static int copy_text(char *dst, size_t size, const char *src)
{
	size_t i = 0;

	for (; src && src[i]; i++) {
		if (i + 1 >= size)
			return -CAPOS_ERANGE;
		dst[i] = src[i];
	}
	dst[i] = '\0';
	return 0;
}

int capos_spawn(const char *binary, const char *grants, const char *args, const uint32_t *caps,
		uint32_t ncaps, uint32_t *proc, uint32_t *pid)
{
	return capos_spawn_quota(binary, grants, args, caps, ncaps, NULL, proc, pid);
}

int capos_spawn_quota(const char *binary, const char *grants, const char *args, const uint32_t *caps,
		      uint32_t ncaps, const struct capos_spawn_quota *quota, uint32_t *proc, uint32_t *pid)
{
	struct capos_process_spawner_spawn_in in = { 0 };
	struct capos_process_spawner_spawn_out out = { 0 };
	struct capos_xfer x[CAPOS_XFER_MAX];
	uint32_t cap = rt_cap(RT_CAP_SPAWNER);
	int err;

	if (!cap)
		return -CAPOS_ENOENT;
	if (ncaps > CAPOS_XFER_MAX)
		return -CAPOS_ERANGE;
	if (copy_text(in.binary, sizeof in.binary, binary) || copy_text(in.grant_names, sizeof in.grant_names, grants) ||
	    copy_text(in.args, sizeof in.args, args))
		return -CAPOS_ERANGE;
	if (quota) {
		in.quota_frames = quota->frames;
		in.quota_caps = quota->caps;
		in.quota_threads = quota->threads;
		in.quota_ring_ops = quota->ring_ops;
		in.quota_kmem_kib = quota->kmem_kib;
	}
	for (uint32_t i = 0; i < ncaps; i++)
		x[i] = (struct capos_xfer){ caps[i], CAPOS_XFER_COPY };
	err = capos_call_sync_xfer(capos_ring(), cap, CAPOS_IFACE_PROCESS_SPAWNER, CAPOS_PROCESS_SPAWNER_SPAWN,
				   &in, sizeof in, x, (uint16_t)ncaps, &out, sizeof out, NULL);
	if (err)
		return err;
	*proc = out.process;
	if (pid)
		*pid = out.pid;
	return 0;
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
