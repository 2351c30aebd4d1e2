/*
 * The front end's static files (docs/webui.md, "Front end"): HTML, CSS
 * and JavaScript modules packed into the boot package under "www/" and
 * served from memory with their Content-Type.  The table is filled once at
 * start (from the boot package on capOS, from arrays in the host tests)
 * and only read afterwards.
 */
#ifndef WEBUI_SITE_H
#define WEBUI_SITE_H

#include <stddef.h>

#define WEBUI_SITE_FILES 32u
#define WEBUI_SITE_PATH  48u

struct webui_file {
	char path[WEBUI_SITE_PATH];        /* "/index.html" */
	const char *type;                  /* Content-Type */
	const void *data;
	size_t size;
};

struct webui_site {
	struct webui_file files[WEBUI_SITE_FILES];
	unsigned nfiles;
};

/* The Content-Type for a file name by its extension; NULL for a kind the site does not serve. */
const char *webui_content_type(const char *name);

/* Add name (without "www/"), its bytes and size: 0, or -1 when full, too long or of a kind not served. */
int webui_site_add(struct webui_site *s, const char *name, const void *data, size_t size);

/* The file at path ("/" is "/index.html"), query string already cut; NULL when none. */
const struct webui_file *webui_site_find(const struct webui_site *s, const char *path, size_t len);

#endif
