/*
 * A YAML document as a small tree of scalars, mappings and sequences,
 * each node carrying the line and column where it starts.  Built with
 * libyaml's event parser.  Deliberately narrow: one document, no anchors
 * or aliases, no tags, no duplicate keys — each refused with its position,
 * so what the checker sees is exactly what the file says.
 */
#ifndef MANIFEST_MFYAML_H
#define MANIFEST_MFYAML_H

#include <stddef.h>
#include "mfdiag.h"

enum mnode_kind { MNODE_SCALAR, MNODE_MAP, MNODE_SEQ };

struct mnode {
	enum mnode_kind kind;
	int line, col;           /* 1-based */
	char *scalar;            /* MNODE_SCALAR */
	struct mnode **keys;     /* MNODE_MAP: scalar keys, parallel to items */
	struct mnode **items;    /* MNODE_MAP values or MNODE_SEQ items */
	size_t count;
};

/* Parse text[0..len) (named file in diagnostics); returns the root or NULL with *d set. */
struct mnode *mfyaml_parse(const char *text, size_t len, struct mdiag *d);
void mfyaml_free(struct mnode *n);

/* The value for key in a map, or NULL. */
struct mnode *mfyaml_get(const struct mnode *map, const char *key);

#endif
