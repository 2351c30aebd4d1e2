/*
 * Host tests for the manifest compiler (manifests/tool) and the compiled
 * form's reader (exo/lib/manifest.c): YAML in memory -> checked model ->
 * binary -> reader, and every corruption of the binary refused.
 */
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include <capos/error.h>
#include <capos/ring.h>
#include "lib/crc32.h"
#include "lib/manifest.h"
#include "mfmodel.h"
#include "mfwrite.h"

static const char *const binaries[] = { "init", "echo-server", "client" };
static const struct mf_env env = { binaries, 3 };

static const char good[] =
	"version: 1\n"
	"services:\n"
	"  - name: client\n"
	"    binary: client\n"
	"    args: \"--rounds 3\"\n"
	"    restart: on-failure\n"
	"    backoff_ms: 50\n"
	"    max_restarts: 4\n"
	"    caps:\n"
	"      console: kernel:console\n"
	"      echo: service:echo/echo\n"
	"  - name: echo\n"
	"    binary: echo-server\n"
	"    exports: [echo, {name: admin, interface: 0x1234}]\n"
	"    quota: {frames: 1024, caps: 16, threads: 2, ring_ops: 32}\n"
	"    caps:\n"
	"      console: kernel:console\n";

static struct mf_manifest model;

static int build(const char *text, struct mdiag *d)
{
	struct mnode *root = mfyaml_parse(text, strlen(text), d);
	int err = !root || mf_build(root, &env, &model, d);

	mfyaml_free(root);
	return err;
}

/* Compile good[] and return the binary in an 8-byte aligned buffer. */
static uint8_t *compile_good(size_t *size)
{
	struct mdiag d = { .file = "good.yaml" };
	uint8_t *bin, *aligned;

	if (build(good, &d) || mf_encode(&model, &bin, size))
		return NULL;
	aligned = aligned_alloc(8, (*size + 7) & ~(size_t)7);
	memcpy(aligned, bin, *size);
	free(bin);
	return aligned;
}

static void test_start_order(void)
{
	struct mdiag d = { .file = "good.yaml" };

	CHECK_EQ(build(good, &d), 0);
	CHECK_EQ(model.count, 2);
	CHECK_STR(model.services[model.order[0]].name, "echo");   /* the exporter first */
	CHECK_STR(model.services[model.order[1]].name, "client");
}

static void test_round_trip(void)
{
	struct manifest_view v;
	const char *what = NULL;
	size_t size;
	uint8_t *bin = compile_good(&size);
	const struct capos_manifest_service *echo, *client;

	CHECK(bin != NULL);
	CHECK_EQ(manifest_open(&v, bin, size, &what), 0);
	CHECK_EQ(v.hdr->service_count, 2);
	echo = &v.services[0];
	client = &v.services[1];
	CHECK_STR(manifest_str(&v, echo->name), "echo");
	CHECK_STR(manifest_str(&v, echo->binary), "echo-server");
	CHECK_EQ(echo->quota.frames, 1024);
	CHECK_EQ(echo->quota.ring_ops, 32);
	CHECK_EQ(echo->export_count, 2);
	CHECK_STR(manifest_str(&v, v.exports[echo->export_first].name), "echo");
	CHECK_EQ(v.exports[echo->export_first].iface, CAPOS_IFACE_USER_MIN);   /* the default */
	CHECK_STR(manifest_str(&v, v.exports[echo->export_first + 1].name), "admin");
	CHECK_EQ(v.exports[echo->export_first + 1].iface, 0x1234);
	CHECK_EQ(manifest_export_find(&v, 0, "admin"), (int)echo->export_first + 1);
	CHECK_EQ(manifest_export_find(&v, 0, "adm"), -1);
	CHECK_STR(manifest_str(&v, client->args), "--rounds 3");
	CHECK_EQ(client->restart, CAPOS_RESTART_ON_FAILURE);
	CHECK_EQ(client->backoff_ms, 50);
	CHECK_EQ(client->max_restarts, 4);
	CHECK_EQ(client->cap_count, 2);
	CHECK_EQ(v.caps[client->cap_first + 1].source, CAPOS_CAP_FROM_SERVICE);
	CHECK_EQ(v.caps[client->cap_first + 1].source_service, 0);  /* echo, by start order */
	CHECK_STR(manifest_str(&v, v.caps[client->cap_first].source_name), "console");
	free(bin);
}

/* Flipping any single byte is caught (by the CRC at least) and never crashes. */
static void test_every_byte_flip_refused(void)
{
	struct manifest_view v;
	const char *what;
	size_t size;
	uint8_t *bin = compile_good(&size);

	for (size_t i = 0; bin && i < size; i++) {
		bin[i] ^= 0x5a;
		CHECK(manifest_open(&v, bin, size, &what) < 0);
		bin[i] ^= 0x5a;
	}
	free(bin);
}

static void test_truncation_refused(void)
{
	struct manifest_view v;
	const char *what;
	size_t size;
	uint8_t *bin = compile_good(&size);

	for (size_t n = 0; bin && n < size; n += 7)
		CHECK_EQ(manifest_open(&v, bin, n, &what) < 0, 1);
	free(bin);
}

/* Re-seal a modified binary so only the semantic checks can refuse it. */
static void reseal(uint8_t *bin, size_t size)
{
	struct capos_manifest_header *h = (void *)bin;

	h->crc32 = 0;
	h->crc32 = crc32_update(0, bin, size);
}

static void test_reader_semantic_checks(void)
{
	struct manifest_view v;
	const char *what = NULL;
	size_t size;
	uint8_t *bin = compile_good(&size);
	struct capos_manifest_header *h = (void *)bin;
	struct capos_manifest_export *e;
	struct capos_manifest_cap *c;

	CHECK(bin != NULL);
	if (!bin)
		return;
	e = (void *)(bin + h->exports_off);
	e[1].iface = 0x10;                       /* a kernel interface id */
	reseal(bin, size);
	CHECK_EQ(manifest_open(&v, bin, size, &what), -CAPOS_EFORMAT);
	CHECK_STR(what, "an export's interface id is a kernel one");
	e[1].iface = 0x1234;
	c = (void *)(bin + h->caps_off);
	c[h->cap_count - 1].source_name = c[h->cap_count - 2].source_name;   /* "console": not an export */
	reseal(bin, size);
	CHECK_EQ(manifest_open(&v, bin, size, &what), -CAPOS_EFORMAT);
	CHECK_STR(what, "a capability names an export its service does not have");
	free(bin);
}

/* session: anonymous survives compiling; the reader refuses an unknown kind. */
static void test_session_kind(void)
{
	struct mdiag d = { .file = "t.yaml" };
	struct capos_manifest_service *svc;
	struct manifest_view v;
	const char *what = NULL;
	size_t size;
	uint8_t *bin;

	CHECK_EQ(build("version: 1\nservices:\n  - {name: a, binary: init}\n"
		       "  - {name: b, binary: init, session: anonymous}\n  - {name: c, binary: init, session: system}\n",
		       &d), 0);
	CHECK_EQ(model.services[0].session, CAPOS_SESSION_KIND_SYSTEM);
	CHECK_EQ(model.services[1].session, CAPOS_SESSION_KIND_ANONYMOUS);
	CHECK_EQ(model.services[2].session, CAPOS_SESSION_KIND_SYSTEM);
	bin = compile_good(&size);
	CHECK(bin != NULL);
	if (!bin)
		return;
	svc = (void *)(bin + ((struct capos_manifest_header *)bin)->services_off);
	svc[0].session = 2;
	reseal(bin, size);
	CHECK_EQ(manifest_open(&v, bin, size, &what), -CAPOS_EFORMAT);
	CHECK_STR(what, "unknown session kind");
	svc[0].session = CAPOS_SESSION_KIND_ANONYMOUS;
	svc[0].reserved = 1;
	reseal(bin, size);
	CHECK_EQ(manifest_open(&v, bin, size, &what), -CAPOS_EFORMAT);
	free(bin);
}

static void test_export_interfaces(void)
{
	struct mdiag d = { .file = "t.yaml" };

	CHECK_EQ(build("version: 1\nservices:\n  - name: a\n    binary: init\n"
		       "    exports: [x, {name: y, interface: 4097}, {name: z, interface: 0xFFFFFFFF}]\n", &d), 0);
	CHECK_EQ(model.services[0].exports[0].iface, 0x1000);
	CHECK_EQ(model.services[0].exports[1].iface, 4097);
	CHECK_EQ(model.services[0].exports[2].iface, 0xffffffffu);
	CHECK(build("version: 1\nservices:\n  - name: a\n    binary: init\n"
		    "    exports: [{name: y, interface: 0xfff}]\n", &d) != 0);
	CHECK_EQ(d.line, 5);
	CHECK_EQ(d.col, 36);
	CHECK(strstr(d.msg, "kernel interface id") != NULL);
}

static void test_kernel_caps_include_ipc(void)
{
	struct mdiag d = { .file = "t.yaml" };

	CHECK_EQ(build("version: 1\nservices:\n  - name: a\n    binary: init\n"
		       "    caps: {e: kernel:endpoints, c: kernel:capspace}\n", &d), 0);
	CHECK_EQ(model.services[0].cap_count, 2);
}

static void test_defaults(void)
{
	struct mdiag d = { .file = "t.yaml" };

	CHECK_EQ(build("version: 1\nservices:\n  - {name: a, binary: init}\n", &d), 0);
	CHECK_EQ(model.services[0].restart, CAPOS_RESTART_NEVER);
	CHECK_EQ(model.services[0].quota.frames, 4096);
	CHECK_EQ(model.services[0].quota.caps, 64);
	CHECK_STR(model.services[0].args, "");
}

static void test_positions(void)
{
	struct mdiag d = { .file = "t.yaml" };

	CHECK(build("version: 1\nservices:\n  - name: a\n    binary: init\n    restart: sometimes\n", &d) != 0);
	CHECK_EQ(d.line, 5);
	CHECK_EQ(d.col, 14);
	CHECK(strstr(d.msg, "'sometimes'") != NULL);
}

static const char with_devices[] =
	"version: 1\n"
	"devices:\n"
	"  - {name: session-uart, ioports: com2}\n"
	"  - {name: session-uart-irq, irq: 3}\n"
	"  - {name: edu, pci: \"1234:11e8\", instance: 1}\n"
	"  - {name: nic, class: 0x020000, class_mask: 0xffff00}\n"
	"services:\n"
	"  - name: terminal\n"
	"    binary: init\n"
	"    caps:\n"
	"      console: kernel:console\n"
	"      uart: device:session-uart\n"
	"      irq: device:session-uart-irq\n"
	"  - name: driver\n"
	"    binary: client\n"
	"    caps: {edu: device:edu}\n";

static uint8_t *compile_devices(size_t *size)
{
	struct mdiag d = { .file = "devices.yaml" };
	uint8_t *bin, *aligned;

	if (build(with_devices, &d) || mf_encode(&model, &bin, size))
		return NULL;
	aligned = aligned_alloc(8, (*size + 7) & ~(size_t)7);
	memcpy(aligned, bin, *size);
	free(bin);
	return aligned;
}

/* Each kind of device survives compiling and reading, with its fields and its one grant. */
static void test_devices_round_trip(void)
{
	struct manifest_view v;
	const char *what = NULL;
	size_t size;
	uint8_t *bin = compile_devices(&size);
	const struct capos_manifest_device *dv;
	const struct capos_manifest_cap *c;

	CHECK(bin != NULL);
	if (!bin)
		return;
	CHECK_EQ(manifest_open(&v, bin, size, &what), 0);
	CHECK_EQ(v.hdr->device_count, 4);
	dv = v.devices;
	CHECK_EQ(dv[0].kind, CAPOS_DEVICE_IOPORTS);
	CHECK_STR(manifest_str(&v, dv[0].ioports), "com2");
	CHECK_EQ(dv[1].kind, CAPOS_DEVICE_IRQ);
	CHECK_EQ(dv[1].irq, 3);
	CHECK_EQ(dv[2].kind, CAPOS_DEVICE_PCI);
	CHECK_EQ(dv[2].vendor, 0x1234);
	CHECK_EQ(dv[2].device, 0x11e8);
	CHECK_EQ(dv[2].class_mask, 0);             /* any class */
	CHECK_EQ(dv[2].instance, 1);
	CHECK_EQ(dv[3].kind, CAPOS_DEVICE_CLASS);
	CHECK_EQ(dv[3].vendor, CAPOS_PCI_ANY);
	CHECK_EQ(dv[3].class_code, 0x020000);
	CHECK_EQ(dv[3].class_mask, 0xffff00);
	CHECK_STR(manifest_str(&v, dv[3].name), "nic");
	c = &v.caps[v.services[0].cap_first + 1];  /* terminal's uart */
	CHECK_EQ(c->source, CAPOS_CAP_FROM_DEVICE);
	CHECK_EQ(c->source_service, 0);
	CHECK_STR(manifest_str(&v, c->source_name), "session-uart");
	c = &v.caps[v.services[1].cap_first];      /* driver's edu */
	CHECK_EQ(c->source_service, 2);
	free(bin);
}

/* class_mask defaults to the whole code; instance to 0. */
static void test_device_defaults(void)
{
	struct mdiag d = { .file = "t.yaml" };

	CHECK_EQ(build("version: 1\ndevices: [{name: nic, class: 0x020000}, {name: e, pci: \"8086:10D3\"}]\n"
		       "services:\n  - {name: a, binary: init}\n", &d), 0);
	CHECK_EQ(model.device_count, 2);
	CHECK_EQ(model.devices[0].class_mask, 0xffffff);
	CHECK_EQ(model.devices[0].instance, 0);
	CHECK_EQ(model.devices[1].vendor, 0x8086);
	CHECK_EQ(model.devices[1].device, 0x10d3);
}

/* The reader refuses a device whose fields contradict its kind, and a device granted twice. */
static void test_device_reader_checks(void)
{
	struct manifest_view v;
	const char *what = NULL;
	size_t size;
	uint8_t *bin = compile_devices(&size);
	struct capos_manifest_header *h = (void *)bin;
	struct capos_manifest_device *dv;
	struct capos_manifest_cap *c, saved;

	CHECK(bin != NULL);
	if (!bin)
		return;
	dv = (void *)(bin + h->devices_off);
	c = (void *)(bin + h->caps_off);
	dv[1].irq = 16;
	reseal(bin, size);
	CHECK_EQ(manifest_open(&v, bin, size, &what), -CAPOS_EFORMAT);
	CHECK_STR(what, "a device's fields do not fit its kind");
	dv[1].irq = 3;
	dv[3].class_code = 0x020001;               /* outside its mask */
	reseal(bin, size);
	CHECK_EQ(manifest_open(&v, bin, size, &what), -CAPOS_EFORMAT);
	dv[3].class_code = 0x020000;
	dv[0].kind = 9;
	reseal(bin, size);
	CHECK_EQ(manifest_open(&v, bin, size, &what), -CAPOS_EFORMAT);
	dv[0].kind = CAPOS_DEVICE_IOPORTS;
	saved = c[h->cap_count - 1];
	c[h->cap_count - 1].source_service = 1;    /* edu's grant now names the IRQ line... */
	reseal(bin, size);
	CHECK_EQ(manifest_open(&v, bin, size, &what), -CAPOS_EFORMAT);
	CHECK_STR(what, "a capability names a device the manifest does not have");
	c[h->cap_count - 1].source_name = c[2].source_name;   /* ...by its name: granted twice */
	reseal(bin, size);
	CHECK_EQ(manifest_open(&v, bin, size, &what), -CAPOS_EFORMAT);
	CHECK_STR(what, "a device is granted twice");
	c[h->cap_count - 1] = saved;
	c[h->cap_count - 1].source_service = 4;    /* past the table */
	reseal(bin, size);
	CHECK_EQ(manifest_open(&v, bin, size, &what), -CAPOS_EFORMAT);
	c[h->cap_count - 1] = saved;
	h->device_count = CAPOS_MANIFEST_MAX_DEVICES + 1;
	reseal(bin, size);
	CHECK_EQ(manifest_open(&v, bin, size, &what), -CAPOS_EFORMAT);
	h->device_count = 4;
	reseal(bin, size);
	CHECK_EQ(manifest_open(&v, bin, size, &what), 0);
	free(bin);
}

static void test_device_byte_flips_refused(void)
{
	struct manifest_view v;
	const char *what;
	size_t size;
	uint8_t *bin = compile_devices(&size);

	for (size_t i = 0; bin && i < size; i++) {
		bin[i] ^= 0xa5;
		CHECK(manifest_open(&v, bin, size, &what) < 0);
		bin[i] ^= 0xa5;
	}
	free(bin);
}

int main(void)
{
	RUN(test_devices_round_trip);
	RUN(test_device_defaults);
	RUN(test_device_reader_checks);
	RUN(test_device_byte_flips_refused);
	RUN(test_start_order);
	RUN(test_round_trip);
	RUN(test_every_byte_flip_refused);
	RUN(test_truncation_refused);
	RUN(test_reader_semantic_checks);
	RUN(test_export_interfaces);
	RUN(test_kernel_caps_include_ipc);
	RUN(test_defaults);
	RUN(test_positions);
	RUN(test_session_kind);
	return check_done();
}
