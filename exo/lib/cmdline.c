/* Command-line lookup: a linear scan, last match wins. */
#include "cmdline.h"

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Does word [w, w+len) name key, bare or as key=...?  Sets *value. */
static int word_matches(const char *w, size_t len, const char *key, const char **value, size_t *vlen)
{
	size_t k = 0;

	while (key[k] && k < len && w[k] == key[k])
		k++;
	if (key[k])
		return 0;
	if (k == len) {
		*value = w + k;
		*vlen = 0;
		return 1;
	}
	if (w[k] != '=')
		return 0;
	*value = w + k + 1;
	*vlen = len - k - 1;
	return 1;
}

static int find_last(const char *cmdline, const char *key, const char **value, size_t *vlen)
{
	int found = 0;
	const char *p = cmdline;

	while (p && *p) {
		const char *w;
		size_t len = 0;

		while (is_space(*p))
			p++;
		w = p;
		while (p[0] && !is_space(p[0]))
			p++;
		len = (size_t)(p - w);
		if (len && word_matches(w, len, key, value, vlen))
			found = 1;
	}
	return found;
}

int cmdline_get(const char *cmdline, const char *key, char *out, size_t out_size)
{
	const char *value;
	size_t vlen, n;

	if (!find_last(cmdline, key, &value, &vlen))
		return -1;
	if (out_size) {
		n = vlen < out_size - 1 ? vlen : out_size - 1;
		for (size_t i = 0; i < n; i++)
			out[i] = value[i];
		out[n] = '\0';
	}
	return (int)vlen;
}

int cmdline_has(const char *cmdline, const char *key)
{
	const char *value;
	size_t vlen;

	return find_last(cmdline, key, &value, &vlen);
}
