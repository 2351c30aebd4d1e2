/*
 * Binary encoding of a checked manifest (capos/manifest.h): services in
 * start order, their capabilities and exports in flat arrays, the devices
 * in file order, names in a string table, CRC32 over the whole file.
 * Service references are rewritten from file order to start order; a
 * device capability refers to its device by index.
 */
#include <stdlib.h>
#include <string.h>
#include "mfwrite.h"
#include "lib/crc32.h"

struct strtab {
	char *buf;
	size_t used, cap;
};

/* Offset of s in the table, adding it on first use. */
static uint32_t intern(struct strtab *t, const char *s)
{
	size_t len = strlen(s) + 1;

	for (size_t off = 0; off < t->used; off += strlen(t->buf + off) + 1)
		if (strcmp(t->buf + off, s) == 0)
			return (uint32_t)off;
	if (t->used + len > t->cap) {
		t->cap = (t->used + len) * 2;
		t->buf = realloc(t->buf, t->cap);
		if (!t->buf)
			abort();
	}
	memcpy(t->buf + t->used, s, len);
	t->used += len;
	return (uint32_t)(t->used - len);
}

static int start_rank(const struct mf_manifest *m, int index)
{
	for (int k = 0; k < m->count; k++)
		if (m->order[k] == index)
			return k;
	return -1;
}

static void encode_service(const struct mf_manifest *m, const struct mf_service *s, struct strtab *t,
			   struct capos_manifest_service *out, struct capos_manifest_cap *caps, uint32_t *cap_n,
			   struct capos_manifest_export *exps, uint32_t *exp_n)
{
	*out = (struct capos_manifest_service){
		.name = intern(t, s->name), .binary = intern(t, s->binary), .args = intern(t, s->args),
		.restart = s->restart, .backoff_ms = s->backoff_ms, .max_restarts = s->max_restarts,
		.session = s->session, .cap_first = *cap_n, .cap_count = (uint32_t)s->cap_count,
		.export_first = *exp_n, .export_count = (uint32_t)s->export_count, .quota = s->quota,
	};
	for (int c = 0; c < s->cap_count; c++) {
		const struct mf_cap *mc = &s->caps[c];

		caps[(*cap_n)++] = (struct capos_manifest_cap){
			.name = intern(t, mc->name), .source = mc->source,
			.source_service = mc->source == CAPOS_CAP_FROM_SERVICE ? (uint32_t)start_rank(m, mc->service_index)
					: mc->source == CAPOS_CAP_FROM_DEVICE ? (uint32_t)mc->device_index : 0,
			.source_name = intern(t, mc->source_name),
		};
	}
	for (int e = 0; e < s->export_count; e++)
		exps[(*exp_n)++] = (struct capos_manifest_export){
			.name = intern(t, s->exports[e].name), .iface = s->exports[e].iface,
		};
}

static struct capos_manifest_device encode_device(const struct mf_device *dev, struct strtab *t)
{
	return (struct capos_manifest_device){
		.name = intern(t, dev->name), .kind = dev->kind,
		.ioports = dev->kind == CAPOS_DEVICE_IOPORTS ? intern(t, dev->ioports) : 0,
		.irq = dev->irq, .vendor = dev->vendor, .device = dev->device,
		.class_code = dev->class_code, .class_mask = dev->class_mask, .instance = dev->instance,
	};
}

int mf_encode(const struct mf_manifest *m, uint8_t **out, size_t *size)
{
	static struct capos_manifest_service svcs[MF_MAX_SERVICES];
	static struct capos_manifest_cap caps[MF_MAX_SERVICES * MF_MAX_CAPS];
	static struct capos_manifest_export exps[MF_MAX_SERVICES * MF_MAX_EXPORTS];
	static struct capos_manifest_device devs[MF_MAX_DEVICES];
	struct capos_manifest_header h = { .version = CAPOS_MANIFEST_VERSION };
	struct strtab t = { 0 };
	uint32_t cap_n = 0, exp_n = 0;
	uint8_t *buf;

	intern(&t, "");
	for (int k = 0; k < m->count; k++)
		encode_service(m, &m->services[m->order[k]], &t, &svcs[k], caps, &cap_n, exps, &exp_n);
	for (int i = 0; i < m->device_count; i++)
		devs[i] = encode_device(&m->devices[i], &t);
	memcpy(h.magic, CAPOS_MANIFEST_MAGIC, 8);
	h.service_count = (uint32_t)m->count;
	h.cap_count = cap_n;
	h.export_count = exp_n;
	h.services_off = sizeof h;
	h.caps_off = h.services_off + h.service_count * (uint32_t)sizeof svcs[0];
	h.exports_off = h.caps_off + cap_n * (uint32_t)sizeof caps[0];
	h.device_count = (uint32_t)m->device_count;
	h.devices_off = h.exports_off + exp_n * (uint32_t)sizeof exps[0];
	h.strings_off = h.devices_off + h.device_count * (uint32_t)sizeof devs[0];
	h.strings_size = (uint32_t)t.used;
	h.total_size = h.strings_off + h.strings_size;
	buf = calloc(1, h.total_size);
	if (!buf)
		return -1;
	memcpy(buf + h.services_off, svcs, h.service_count * sizeof svcs[0]);
	memcpy(buf + h.caps_off, caps, cap_n * sizeof caps[0]);
	memcpy(buf + h.exports_off, exps, exp_n * sizeof exps[0]);
	memcpy(buf + h.devices_off, devs, h.device_count * sizeof devs[0]);
	memcpy(buf + h.strings_off, t.buf, t.used);
	memcpy(buf, &h, sizeof h);
	h.crc32 = crc32_update(0, buf, h.total_size);
	memcpy(buf, &h, sizeof h);
	free(t.buf);
	*out = buf;
	*size = h.total_size;
	return 0;
}
