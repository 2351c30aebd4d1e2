/*
 * The static file table of site.h.  Lookup is an exact match on the
 * table's names: no path is ever joined or normalised, so "..", "%2e" and
 * the like simply match nothing (404).
 */
#include <string.h>

#include "site.h"

const char *webui_content_type(const char *name)
{
	static const struct { const char *ext, *type; } types[] = {
		{ ".html", "text/html; charset=utf-8" },
		{ ".css", "text/css; charset=utf-8" },
		{ ".js", "text/javascript; charset=utf-8" },
		{ ".svg", "image/svg+xml" },
		{ ".ico", "image/x-icon" },
		{ ".txt", "text/plain; charset=utf-8" },
	};
	size_t n = strlen(name), i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		size_t e = strlen(types[i].ext);

		if (n > e && strcmp(name + n - e, types[i].ext) == 0)
			return types[i].type;
	}
	return NULL;
}

int webui_site_add(struct webui_site *s, const char *name, const void *data, size_t size)
{
	const char *type = webui_content_type(name);
	struct webui_file *f;

	if (!type || s->nfiles == WEBUI_SITE_FILES || strlen(name) + 2 > WEBUI_SITE_PATH)
		return -1;
	f = &s->files[s->nfiles++];
	f->path[0] = '/';
	strcpy(f->path + 1, name);
	f->type = type;
	f->data = data;
	f->size = size;
	return 0;
}

const struct webui_file *webui_site_find(const struct webui_site *s, const char *path, size_t len)
{
	unsigned i;

	if (len == 1 && path[0] == '/') {
		path = "/index.html";
		len = strlen(path);
	}
	for (i = 0; i < s->nfiles; i++)
		if (strlen(s->files[i].path) == len && memcmp(s->files[i].path, path, len) == 0)
			return &s->files[i];
	return NULL;
}
