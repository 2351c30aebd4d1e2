/*
 * capos-manifest: check a YAML system manifest and compile it for init.
 *
 *   capos-manifest [--binary NAME]... [-o OUT] MANIFEST.yaml
 *
 * --binary names a program the boot package will hold (repeat for each);
 * without any, binaries are not checked.  Without -o only the checks run.
 * Errors go to stderr as FILE:LINE:COL: error: MESSAGE; the exit status is
 * 0 for a good manifest, 1 for a bad one, 2 for a usage or I/O problem.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mfmodel.h"
#include "mfwrite.h"

#define MAX_BINARIES 256

static int usage(void)
{
	fprintf(stderr, "usage: capos-manifest [--binary NAME]... [-o OUT] MANIFEST.yaml\n");
	return 2;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long size;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)size + 1)) && fread(buf, 1, (size_t)size, f) == (size_t)size) {
		buf[size] = '\0';
		*len = (size_t)size;
	} else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static int write_file(const char *path, const uint8_t *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	int ok = f && fwrite(data, 1, len, f) == len;

	if (f && fclose(f) != 0)
		ok = 0;
	return ok ? 0 : -1;
}

static int compile(const char *path, const struct mf_env *env, const char *out)
{
	static struct mf_manifest m;
	struct mdiag d = { .file = path };
	char msg[700];
	size_t len, size;
	uint8_t *bin;
	char *text = read_file(path, &len);
	struct mnode *root;
	int status;

	if (!text) {
		fprintf(stderr, "capos-manifest: %s: %s\n", path, strerror(errno));
		return 2;
	}
	root = mfyaml_parse(text, len, &d);
	status = !root || mf_build(root, env, &m, &d);
	mfyaml_free(root);
	free(text);
	if (status) {
		mdiag_format(&d, msg, sizeof msg);
		fprintf(stderr, "%s\n", msg);
		return 1;
	}
	if (!out)
		return 0;
	if (mf_encode(&m, &bin, &size) || write_file(out, bin, size)) {
		fprintf(stderr, "capos-manifest: cannot write %s: %s\n", out, strerror(errno));
		return 2;
	}
	free(bin);
	return 0;
}

int main(int argc, char **argv)
{
	static const char *binaries[MAX_BINARIES];
	struct mf_env env = { NULL, 0 };
	const char *out = NULL, *in = NULL;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--binary") == 0 && i + 1 < argc && env.binary_count < MAX_BINARIES) {
			binaries[env.binary_count++] = argv[++i];
			env.binaries = binaries;
		} else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
			out = argv[++i];
		} else if (argv[i][0] != '-' && !in) {
			in = argv[i];
		} else {
			return usage();
		}
	}
	return in ? compile(in, &env, out) : usage();
}
