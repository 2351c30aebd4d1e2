/*
 * A program that starts a child it carries itself (capos_spawn_image):
 * utest-hello's ELF, built into this program as an array, runs with
 * "console" and exits 0; the same file with its text made writable, cut
 * short, or misaligned in memory is refused before any child exists, with
 * the loader's code and fault text; a grant list that does not match the
 * passed capabilities is refused with the grant language's code.  As init
 * under exit=debug the exit code is the verdict.
 */
#include <stdlib.h>
#include <string.h>
#include "lib/elf.h"
#include "utest.h"

extern const uint8_t utest_hello_image[];
extern const uint64_t utest_hello_image_size;

static uint32_t console;

static void test_carried_child(void)
{
	uint32_t proc = 0, pid = 0, reason = 99;
	int64_t code = -1;

	ut_status("capos_spawn_image utest-hello", capos_spawn_image("utest-hello", utest_hello_image,
		  utest_hello_image_size, "console thread=@thread", "", &console, 1, NULL, &proc, &pid), 0);
	ut_check(pid > 1, "the carried child has a pid", "pid %u", pid);
	ut_status("wait for the carried child", capos_process_wait(proc, &code, &reason), 0);
	ut_check(reason == CAPOS_EXIT_NORMAL && code == 0, "the carried child exits 0", "reason %u code %lld",
		 reason, (long long)code);
	ut_status("release its handle", capos_release(capos_ring(), proc), 0);
}

/* A copy of the carried program with its first executable segment also writable. */
static uint8_t *writable_text(void)
{
	uint8_t *copy = aligned_alloc(8, (utest_hello_image_size + 7) & ~7ull);
	struct elf64_ehdr *eh = (struct elf64_ehdr *)copy;

	if (!copy)
		return NULL;
	memcpy(copy, utest_hello_image, utest_hello_image_size);
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		struct elf64_phdr *ph = (struct elf64_phdr *)(copy + eh->e_phoff + i * sizeof *ph);

		if (ph->p_type == ELF_PT_LOAD && (ph->p_flags & ELF_PF_X)) {
			ph->p_flags |= ELF_PF_W;
			break;
		}
	}
	return copy;
}

static void test_refused_files(void)
{
	uint8_t *wx = writable_text();
	uint32_t proc = 0;

	ut_check(wx != NULL, "copy the carried program", "no memory");
	if (!wx)
		return;
	ut_status("capos_spawn_image of a writable text", capos_spawn_image("utest-wx", wx, utest_hello_image_size,
		  "console", "", &console, 1, NULL, &proc, NULL), -CAPOS_EFORMAT);
	ut_check(strstr(capos_spawn_fault(), "writable and executable") != NULL, "the fault says W^X", "\"%s\"",
		 capos_spawn_fault());
	ut_status("capos_spawn_image of a cut file", capos_spawn_image("utest-cut", wx, 40, "", "", NULL, 0, NULL,
		  &proc, NULL), -CAPOS_EFORMAT);
	ut_status("capos_spawn_image of a misaligned buffer", capos_spawn_image("utest-odd", wx + 1,
		  utest_hello_image_size - 1, "", "", NULL, 0, NULL, &proc, NULL), -CAPOS_EINVAL);
	free(wx);
	ut_status("capos_spawn_image with a grant list short of a capability", capos_spawn_image("utest-hello",
		  utest_hello_image, utest_hello_image_size, "console timer", "", &console, 1, NULL, &proc, NULL),
		  -CAPOS_EINVAL);
	ut_status("capos_spawn_image with a name twice", capos_spawn_image("utest-hello", utest_hello_image,
		  utest_hello_image_size, "console console=@vm", "", &console, 1, NULL, &proc, NULL), -CAPOS_EEXIST);
	ut_status("capos_spawn_image passing one capability twice", capos_spawn_image("utest-hello",
		  utest_hello_image, utest_hello_image_size, "a b", "", (uint32_t[]){ console, console }, 2, NULL,
		  &proc, NULL), -CAPOS_EINVAL);
	ut_check(capos_spawn_fault()[0] == '\0', "no fault text after a refused grant list", "\"%s\"",
		 capos_spawn_fault());
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	ut_init("utest-spawnimage");
	console = ut_cap("console");
	test_carried_child();
	test_refused_files();
	ut_note("%d failures", ut_failures());
	return ut_failures();
}
