/*
 * In-kernel test of bounded teardown (test=kobj; the invariant is in
 * kobj.h): graphs of 100,000 objects whose destroys drop the next object —
 * a chain where each object holds the next, a fan where one object holds
 * all the others, and a chain whose every link also holds a fan of three —
 * end in the kernel stack of one destroy, every object destroyed exactly
 * once, all of them before the outermost kobj_unref returns, and the heap
 * back where it was.  The ABI cannot build such chains today (derive
 * stops at depth 8); these objects are made to, to test the mechanism
 * itself rather than today's limits.
 */
#include <stdint.h>
#include "kobj.h"
#include "../kern/ktest.h"
#include "../kern/log.h"
#include "../mm/mm.h"

#define GRAPH_OBJECTS 100000u
#define STACK_BOUND 2048u   /* bytes below the outermost kobj_unref a destroy may reach */

struct node {
	struct kobj base;
	struct kobj **held;   /* references this node drops when destroyed */
	uint32_t nheld;
};

static uint32_t destroyed;
static uintptr_t stack_top, stack_low;

static void node_destroy(struct kobj *o)
{
	struct node *n = KOBJ_CONTAINER(o, struct node, base);
	uintptr_t here = (uintptr_t)__builtin_frame_address(0);

	if (here < stack_low)
		stack_low = here;
	destroyed++;
	for (uint32_t i = 0; i < n->nheld; i++)
		kobj_unref(n->held[i]);
	kfree(n->held);
	kfree(n);
}

static const struct kobj_ops node_ops = { .destroy = node_destroy };

static struct node *node_new(uint32_t nheld)
{
	struct node *n = kzalloc(sizeof *n);

	if (!n)
		return NULL;
	n->held = nheld ? kzalloc(nheld * sizeof *n->held) : NULL;
	if (nheld && !n->held) {
		kfree(n);
		return NULL;
	}
	kobj_init(&n->base, 0, &node_ops);
	return n;
}

/* Release root (its only reference) and check what the teardown did. */
static int end_graph(const char *shape, struct kobj *root, uint32_t objects, const struct mm_census *before)
{
	struct mm_census after;

	destroyed = 0;
	stack_top = stack_low = (uintptr_t)__builtin_frame_address(0);
	kobj_unref(root);
	KTEST_CHECK(destroyed == objects, "%s: %u of %u objects destroyed when kobj_unref returned", shape,
		    destroyed, objects);
	KTEST_CHECK(stack_top - stack_low <= STACK_BOUND, "%s: teardown reached %lu bytes of stack", shape,
		    (unsigned long)(stack_top - stack_low));
	mm_census_take(&after);
	KTEST_CHECK(after.heap_objects == before->heap_objects && after.heap_bytes == before->heap_bytes,
		    "%s: heap objects %llu -> %llu", shape, (unsigned long long)before->heap_objects,
		    (unsigned long long)after.heap_objects);
	kinfo("ktest kobj: %s of %u objects: all destroyed in %lu bytes of stack, heap back", shape, objects,
	      (unsigned long)(stack_top - stack_low));
	return 0;
}

/* Each of n nodes holds the next: node 0 is the root. */
static int chain(uint32_t n, uint32_t fan_each)
{
	struct mm_census before;
	struct node *root = NULL, *prev = NULL;
	uint32_t objects = 0;

	mm_census_take(&before);
	for (uint32_t i = 0; objects < n; i++) {
		struct node *x = node_new(1 + fan_each);

		KTEST_CHECK(x, "out of memory at %u", objects);
		objects++;
		for (uint32_t f = 0; f < fan_each && objects < n; f++, objects++) {
			struct node *leaf = node_new(0);

			KTEST_CHECK(leaf, "out of memory at %u", objects);
			x->held[x->nheld++] = &leaf->base;
		}
		if (prev)
			prev->held[prev->nheld++] = &x->base;
		else
			root = x;
		prev = x;
	}
	return end_graph(fan_each ? "chain of fans" : "chain", &root->base, objects, &before);
}

/* One root holding n - 1 leaves. */
static int fan(uint32_t n)
{
	struct mm_census before;
	struct node *root;

	mm_census_take(&before);
	root = node_new(n - 1);
	KTEST_CHECK(root, "out of memory");
	for (uint32_t i = 1; i < n; i++) {
		struct node *leaf = node_new(0);

		KTEST_CHECK(leaf, "out of memory at %u", i);
		root->held[root->nheld++] = &leaf->base;
	}
	return end_graph("fan", &root->base, n, &before);
}

KTEST(kobj)
{
	if (chain(GRAPH_OBJECTS, 0) || fan(GRAPH_OBJECTS) || chain(GRAPH_OBJECTS, 3))
		return -1;
	return 0;
}
