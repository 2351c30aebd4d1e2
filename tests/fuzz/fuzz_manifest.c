/*
 * libFuzzer target for the manifest compiler (manifests/tool) and the
 * compiled form's reader (exo/lib/manifest.c).  Any YAML input must be
 * refused with a positioned diagnostic or compiled; whatever compiles must
 * then be accepted by the reader, with every string it names readable.
 * The raw input is also fed to the reader as if it were a compiled file.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lib/manifest.h"
#include "mfmodel.h"
#include "mfwrite.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile char sink;

static void touch(const char *s)
{
	for (; *s; s++)
		sink ^= *s;
}

static void touch_strings(const struct manifest_view *v)
{
	for (uint32_t i = 0; i < v->hdr->service_count; i++)
		touch(manifest_str(v, v->services[i].name));
	for (uint32_t i = 0; i < v->hdr->device_count; i++) {
		touch(manifest_str(v, v->devices[i].name));
		touch(manifest_str(v, v->devices[i].ioports));
	}
}

static void check_reader(const uint8_t *bin, size_t size, int must_accept)
{
	uint8_t *copy = aligned_alloc(8, (size + 8) & ~(size_t)7);
	struct manifest_view v;
	const char *what = NULL;
	int err;

	memcpy(copy, bin, size);
	err = manifest_open(&v, copy, size, &what);
	if (must_accept && err)
		abort();
	if (!err)
		touch_strings(&v);
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mf_manifest m;
	struct mdiag d = { .file = "fuzz.yaml" };
	struct mf_env env = { NULL, 0 };
	struct mnode *root = mfyaml_parse((const char *)data, size, &d);
	uint8_t *bin;
	size_t bin_size;

	if (root && mf_build(root, &env, &m, &d) == 0 && mf_encode(&m, &bin, &bin_size) == 0) {
		check_reader(bin, bin_size, 1);
		free(bin);
	} else if (d.line < 1 || d.col < 1 || !d.msg[0]) {
		abort();   /* every refusal says where and what */
	}
	mfyaml_free(root);
	check_reader(data, size, 0);
	return 0;
}
