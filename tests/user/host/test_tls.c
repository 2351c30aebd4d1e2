/*
 * Host tests of the TLS block layout (libos/rt/tls.c): the TLS block ends
 * at the thread pointer, is aligned as the template asks, holds the
 * template then zeros, and the TCB points at itself — for several sizes,
 * alignments and placements of the area.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "rt/tls.h"

static void check_layout(uint64_t filesz, uint64_t memsz, uint64_t align, size_t misalign)
{
	uint8_t image[512];
	struct rt_tls_image t = { image, filesz, memsz, align };
	size_t need = rt_tls_area_size(&t);
	uint8_t *raw = malloc(need + 8192);
	uint8_t *area = (uint8_t *)(((uintptr_t)raw + 4095) & ~(uintptr_t)4095) + misalign;
	struct capos_tcb *tcb;
	uint64_t block = (memsz + align - 1) / align * align;

	for (size_t i = 0; i < sizeof image; i++)
		image[i] = (uint8_t)(i + 1);
	memset(area, 0xee, need);
	tcb = rt_tls_setup(area, need, &t);
	CHECK(tcb != NULL);
	if (!tcb) {
		free(raw);
		return;
	}
	CHECK_EQ((uintptr_t)tcb % align, 0);
	CHECK_EQ((uintptr_t)tcb % 64, 0);
	CHECK(tcb->self == tcb);
	CHECK(tcb->thread == NULL);
	CHECK((uint8_t *)tcb - block >= area);
	CHECK((uint8_t *)(tcb + 1) <= area + need);
	for (uint64_t i = 0; i < block; i++) {
		uint8_t want = i < filesz ? image[i] : 0;

		if (((uint8_t *)tcb - block)[i] != want) {
			CHECK_EQ(((uint8_t *)tcb - block)[i], want);
			break;
		}
	}
	CHECK(rt_tls_setup(area, need - 200 > need ? 0 : (size_t)((uint8_t *)tcb - area), &t) == NULL);
	free(raw);
}

static void test_layouts(void)
{
	check_layout(0, 4, 4, 0);
	check_layout(0, 4, 4, 3);
	check_layout(12, 40, 8, 5);
	check_layout(100, 300, 64, 17);
	check_layout(16, 16, 128, 1);
	check_layout(0, 0, 1, 0);       /* no TLS: still a TCB */
	check_layout(200, 500, 4096, 9);
}

int main(void)
{
	RUN(test_layouts);
	return check_done();
}
