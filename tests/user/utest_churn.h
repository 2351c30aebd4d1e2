/*
 * What utest-churn (the parent, run as init) and utest-churnchild (its
 * children and grandchildren) share: the layout of the one-page
 * MemoryObject the parent gives each helper child ("mem"), where each
 * side maps things, and the values they write.  The child reports through
 * that page because a killed or faulted child has no exit code to give.
 */
#ifndef TESTS_USER_UTEST_CHURN_H
#define TESTS_USER_UTEST_CHURN_H

#include <stdint.h>

/* The shared page, as both sides see it. */
struct churn_page {
	volatile uint32_t ready;    /* child: everything is set up and blocked; kill or fault now */
	volatile uint32_t errors;   /* child: set-up steps that failed */
	volatile uint64_t stamp;    /* child: CHURN_STAMP ^ tag, written before it ends */
};

#define CHURN_STAMP 0x636875726e000000ull   /* "churn" */

/* Fixed user addresses, far from where the kernel picks. */
#define CHURN_PARENT_VA 0x0000310000000000ull  /* parent: shared page i at + i pages */
#define CHURN_CHILD_VA  0x0000320000000000ull  /* child: the shared page */
#define CHURN_OBJ_VA    0x0000330000000000ull  /* child and grandchild: their own objects */

#endif
