/*
 * YAML events to a node tree (see mfyaml.h).  A recursive descent over
 * libyaml's event stream: parse_node reads one node starting at the next
 * event, calling parse_map / parse_seq for collections.  Positions come
 * from each event's start mark (0-based in libyaml, 1-based here).
 */
#include <stdlib.h>
#include <string.h>
#include <yaml.h>
#include "mfyaml.h"

#define MAX_DEPTH 32

struct parser {
	yaml_parser_t yp;
	struct mdiag *d;
};

static int line_of(const yaml_event_t *e) { return (int)e->start_mark.line + 1; }
static int col_of(const yaml_event_t *e) { return (int)e->start_mark.column + 1; }

static int next_event(struct parser *p, yaml_event_t *e)
{
	if (yaml_parser_parse(&p->yp, e))
		return 0;
	return mdiag_error(p->d, (int)p->yp.problem_mark.line + 1, (int)p->yp.problem_mark.column + 1,
			   "YAML syntax: %s%s%s", p->yp.problem ? p->yp.problem : "unreadable",
			   p->yp.context ? " " : "", p->yp.context ? p->yp.context : "");
}

static struct mnode *new_node(enum mnode_kind kind, const yaml_event_t *e)
{
	struct mnode *n = calloc(1, sizeof *n);

	if (!n)
		abort();
	n->kind = kind;
	n->line = line_of(e);
	n->col = col_of(e);
	return n;
}

static void append(struct mnode *n, struct mnode *key, struct mnode *item)
{
	n->items = realloc(n->items, (n->count + 1) * sizeof *n->items);
	if (n->kind == MNODE_MAP)
		n->keys = realloc(n->keys, (n->count + 1) * sizeof *n->keys);
	if (!n->items || (n->kind == MNODE_MAP && !n->keys))
		abort();
	if (n->kind == MNODE_MAP)
		n->keys[n->count] = key;
	n->items[n->count++] = item;
}

static struct mnode *parse_node(struct parser *p, yaml_event_t *first, int depth);

/* A mapping key must be a plain scalar that the mapping does not have yet. */
static int check_key(struct parser *p, const struct mnode *map, const struct mnode *key)
{
	if (key->kind != MNODE_SCALAR)
		return mdiag_error(p->d, key->line, key->col, "mapping keys must be plain names");
	if (mfyaml_get(map, key->scalar))
		return mdiag_error(p->d, key->line, key->col, "duplicate key '%s'", key->scalar);
	return 0;
}

/* Read events until `end`, one node each (maps: key node then value node). */
static int parse_children(struct parser *p, struct mnode *n, yaml_event_type_t end, int depth)
{
	for (;;) {
		yaml_event_t e;
		struct mnode *key = NULL, *item;

		if (next_event(p, &e))
			return -1;
		if (e.type == end) {
			yaml_event_delete(&e);
			return 0;
		}
		if (n->kind == MNODE_MAP) {
			key = parse_node(p, &e, depth + 1);
			if (!key || check_key(p, n, key) || next_event(p, &e)) {
				mfyaml_free(key);
				return -1;
			}
		}
		item = parse_node(p, &e, depth + 1);
		if (!item) {
			mfyaml_free(key);
			return -1;
		}
		append(n, key, item);
	}
}

/* Build the node that starts with event *first (consumed). */
static struct mnode *parse_node(struct parser *p, yaml_event_t *first, int depth)
{
	struct mnode *n = NULL;

	if (depth > MAX_DEPTH) {
		mdiag_error(p->d, line_of(first), col_of(first), "nesting deeper than %d levels", MAX_DEPTH);
	} else if (first->type == YAML_SCALAR_EVENT) {
		n = new_node(MNODE_SCALAR, first);
		n->scalar = strndup((const char *)first->data.scalar.value, first->data.scalar.length);
		if (strlen(n->scalar) != first->data.scalar.length) {
			mdiag_error(p->d, n->line, n->col, "text contains a NUL byte");
			mfyaml_free(n);
			n = NULL;
		}
	} else if (first->type == YAML_MAPPING_START_EVENT || first->type == YAML_SEQUENCE_START_EVENT) {
		int map = first->type == YAML_MAPPING_START_EVENT;

		n = new_node(map ? MNODE_MAP : MNODE_SEQ, first);
		if (parse_children(p, n, map ? YAML_MAPPING_END_EVENT : YAML_SEQUENCE_END_EVENT, depth)) {
			mfyaml_free(n);
			n = NULL;
		}
	} else if (first->type == YAML_ALIAS_EVENT) {
		mdiag_error(p->d, line_of(first), col_of(first), "aliases (*name) are not supported");
	} else {
		mdiag_error(p->d, line_of(first), col_of(first), "unexpected YAML structure");
	}
	if (n && first->type != YAML_ALIAS_EVENT &&
	    ((first->type == YAML_SCALAR_EVENT && first->data.scalar.anchor) ||
	     (first->type == YAML_MAPPING_START_EVENT && first->data.mapping_start.anchor) ||
	     (first->type == YAML_SEQUENCE_START_EVENT && first->data.sequence_start.anchor))) {
		mdiag_error(p->d, n->line, n->col, "anchors (&name) are not supported");
		mfyaml_free(n);
		n = NULL;
	}
	yaml_event_delete(first);
	return n;
}

/* Expect an event of type want, e.g. STREAM_START; anything else is an error at its position. */
static int expect(struct parser *p, yaml_event_type_t want, const char *what)
{
	yaml_event_t e;
	int ok;

	if (next_event(p, &e))
		return -1;
	ok = e.type == want;
	if (!ok)
		mdiag_error(p->d, line_of(&e), col_of(&e), "%s", what);
	yaml_event_delete(&e);
	return ok ? 0 : -1;
}

static struct mnode *parse_document(struct parser *p)
{
	yaml_event_t e;
	struct mnode *root;

	if (expect(p, YAML_STREAM_START_EVENT, "not a YAML stream"))
		return NULL;
	if (next_event(p, &e))
		return NULL;
	if (e.type == YAML_STREAM_END_EVENT) {
		yaml_event_delete(&e);
		mdiag_error(p->d, 1, 1, "the manifest is empty");
		return NULL;
	}
	yaml_event_delete(&e);
	if (next_event(p, &e))
		return NULL;
	root = parse_node(p, &e, 0);
	if (!root)
		return NULL;
	if (expect(p, YAML_DOCUMENT_END_EVENT, "a manifest holds exactly one YAML document") ||
	    expect(p, YAML_STREAM_END_EVENT, "a manifest holds exactly one YAML document")) {
		mfyaml_free(root);
		return NULL;
	}
	return root;
}

struct mnode *mfyaml_parse(const char *text, size_t len, struct mdiag *d)
{
	struct parser p = { .d = d };
	struct mnode *root;

	if (!yaml_parser_initialize(&p.yp))
		abort();
	yaml_parser_set_input_string(&p.yp, (const unsigned char *)text, len);
	root = parse_document(&p);
	yaml_parser_delete(&p.yp);
	return root;
}

void mfyaml_free(struct mnode *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->count; i++) {
		if (n->keys)
			mfyaml_free(n->keys[i]);
		mfyaml_free(n->items[i]);
	}
	free(n->keys);
	free(n->items);
	free(n->scalar);
	free(n);
}

struct mnode *mfyaml_get(const struct mnode *map, const char *key)
{
	for (size_t i = 0; map && map->kind == MNODE_MAP && i < map->count; i++)
		if (strcmp(map->keys[i]->scalar, key) == 0)
			return map->items[i];
	return NULL;
}
