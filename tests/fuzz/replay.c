/*
 * Corpus replay for the fuzz targets without libFuzzer: runs every file
 * of the directories (or files) named on the command line through
 * LLVMFuzzerTestOneInput once, so gcc + ASan/UBSan check the seeds in
 * `meson test`.  Prints a TAP line per file.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count;

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long len;

	if (!f || fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		printf("not ok %d - %s (cannot read)\n", ++count, path);
		if (f)
			fclose(f);
		return 1;
	}
	buf = malloc(len ? (size_t)len : 1);
	if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) {
		printf("not ok %d - %s (cannot read)\n", ++count, path);
		free(buf);
		fclose(f);
		return 1;
	}
	fclose(f);
	printf("# %s\n", path);   /* named before it runs: an abort leaves this as the last line */
	fflush(stdout);
	LLVMFuzzerTestOneInput(buf, (size_t)len);
	free(buf);
	printf("ok %d - %s\n", ++count, path);
	return 0;
}

static int replay_dir(const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	char path[4096];
	int bad = 0;

	if (!d)
		return replay_file(dir);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		bad |= replay_file(path);
	}
	closedir(d);
	return bad;
}

int main(int argc, char **argv)
{
	int bad = 0;

	for (int i = 1; i < argc; i++)
		bad |= replay_dir(argv[i]);
	if (count == 0) {
		printf("not ok 1 - no corpus files\n");
		count = 1;
		bad = 1;
	}
	printf("1..%d\n", count);
	return bad;
}
