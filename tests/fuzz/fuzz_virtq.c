/*
 * libFuzzer target for the split virtqueue (libos/dev/virtqueue.c) with
 * the input playing a hostile device.  The bytes are a script: the driver
 * posts chains and publishes, the "device" writes used entries with any
 * id and length or sets the used index to anything, and the driver takes
 * what it finds.  Whatever the device does, every chain the driver gets
 * back must be one it posted and had not got back yet, its length within
 * the chain's writable bytes (or flagged), the descriptor accounting must
 * add up (free + in posted chains == ring size), and a dead ring stays
 * dead.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <capos/error.h>
#include <capos/virtio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define COOKIES 4096

static uint8_t mem[3 * 4096] __attribute__((aligned(4096)));
static struct capos_virtq q;
static uint32_t writable[COOKIES];
static uint8_t out[COOKIES], segs_of[COOKIES];

static void check_accounting(void)
{
	uint32_t in_chains = 0, chains = 0;

	for (uint32_t i = 0; i < q.size; i++)
		if (q.posted[i]) {
			in_chains += q.chain_len[i];
			chains++;
		}
	if (q.num_free + in_chains != q.size || chains != q.chains)
		abort();
}

static void post(const uint8_t **p, const uint8_t *end, uint32_t *cookie)
{
	struct capos_virtq_seg segs[CAPOS_VIRTQ_MAX_SEGS];
	uint32_t n, w = 0;

	if (*p + 2 > end || *cookie >= COOKIES)
		return;
	n = 1 + (*(*p)++ % 3);
	for (uint32_t i = 0; i < n; i++) {
		segs[i] = (struct capos_virtq_seg){ .addr = 0x1000 * (i + 1), .len = 64u * (1 + (**p & 31)),
						    .device_writes = i == n - 1 && (**p & 0x80) };
		if (segs[i].device_writes)
			w += segs[i].len;
	}
	(*p)++;
	if (capos_virtq_add(&q, segs, n, *cookie) == 0) {
		writable[*cookie] = w;
		segs_of[*cookie] = (uint8_t)n;
		out[*cookie] = 1;
		(*cookie)++;
	}
}

static void device_used(const uint8_t **p, const uint8_t *end)
{
	volatile struct capos_vring_used_elem *ring = (volatile void *)(q.used + 2);
	uint16_t idx = q.used[1];

	if (*p + 3 > end)
		return;
	/* an id near the real heads most of the time, anything otherwise */
	ring[idx & (q.size - 1)].id = (*p)[0] & 0x80 ? (*p)[0] : q.avail[2 + ((*p)[0] & (q.size - 1))];
	ring[idx & (q.size - 1)].len = (uint32_t)(*p)[1] << 8 | (*p)[2];
	q.used[1] = (uint16_t)(idx + 1);
	*p += 3;
}

static void take(void)
{
	struct capos_virtq_done d;
	int r, was_dead = q.dead;

	while ((r = capos_virtq_get(&q, &d)) == 1) {
		if (was_dead || d.cookie >= COOKIES || !out[d.cookie])
			abort();
		if (d.err == 0 && d.len > writable[d.cookie])
			abort();
		if (d.err != 0 && (d.err != -CAPOS_ERANGE || d.len != 0))
			abort();
		out[d.cookie] = 0;
	}
	if (r == -CAPOS_EIO && !q.dead)
		abort();
	if (r == 0 && q.dead)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	uint32_t cookie = 0;

	if (size < 1)
		return 0;
	memset(mem, 0, sizeof mem);
	memset(out, 0, sizeof out);
	if (capos_virtq_init(&q, 0, 4u << (*p++ % 5), mem, 0x100000))
		abort();
	while (p < end) {
		switch (*p++ % 5) {
		case 0: post(&p, end, &cookie); break;
		case 1: capos_virtq_publish(&q); break;
		case 2: device_used(&p, end); break;
		case 3:
			if (p + 2 <= end) {
				q.used[1] = (uint16_t)(p[0] << 8 | p[1]);
				p += 2;
			}
			break;
		case 4: take(); break;
		}
		check_accounting();
	}
	return 0;
}
