/*
 * The boot package as memory and as files.  "bootpkg" is a read-only
 * MemoryObject: a holder cannot make any mapping of it writable — not by
 * MemoryObject.map or protect, not by VirtualMemory.protect, not by
 * ProcessHandle.map into a child it builds — and the kernel writes no
 * result into it.  capos_bootfile_find (capos/bootfiles.h) maps it once,
 * even when threads race to be first, and finds entries with the right
 * bytes: this program's own file, whose executable segment must equal
 * the text running now, and the system manifest; a missing entry is
 * -CAPOS_ENOENT.
 *
 * Run as init (it needs "bootpkg", "spawner", the ProcessFactory, and
 * "vm"); prints one line per check, "utest-bootfiles: <what>: ok", and
 * exits with the number of failures.
 */
#include <pthread.h>
#include <string.h>
#include <capos/bootfiles.h>
#include <capos/bootpkg.h>
#include <capos/manifest.h>
#include "utest.h"
#include "../../exo/lib/elf.h"

#define FIXED_VA 0x0000310000000000ull   /* far from where the kernel picks addresses */
#define CHILD_VA 0x400000ull
#define RACERS 4
#define RW (CAPOS_PROT_READ | CAPOS_PROT_WRITE)

#define rc capos_ring()  /* the calling thread's own ring client */

static int mo_map(uint32_t mo, uint64_t va, uint64_t pages, uint32_t prot)
{
	struct capos_memory_object_map_in in = { .vaddr = va, .first_page = 0, .pages = pages, .prot = prot };

	return capos_memory_object_map(rc, mo, &in, &(struct capos_memory_object_map_out){ 0 });
}

static int mo_protect(uint32_t mo, uint64_t va, uint64_t pages, uint32_t prot)
{
	struct capos_memory_object_protect_in in = { .vaddr = va, .pages = pages, .prot = prot };

	return capos_memory_object_protect(rc, mo, &in);
}

static int vm_protect(uint64_t va, uint64_t pages, uint32_t prot)
{
	struct capos_virtual_memory_protect_in in = { .vaddr = va, .pages = pages, .prot = prot };

	return capos_virtual_memory_protect(rc, ut_cap("vm"), &in);
}

/* Timer.now with its result aimed at va: the kernel writes only where the holder could. */
static int now_into(uint64_t va)
{
	return capos_call_sync(rc, ut_cap("timer"), CAPOS_IFACE_TIMER, CAPOS_TIMER_NOW, NULL, 0,
			       (void *)(uintptr_t)va, sizeof(struct capos_timer_now_out), NULL);
}

/* ------------------------------------------------------------ first use from several threads */

static const void *racer_data[RACERS];

static void *racer(void *arg)
{
	uintptr_t i = (uintptr_t)arg;
	uint64_t size;
	uint32_t kind;

	if (capos_bootfile_find("capos-version", &racer_data[i], &size, &kind))
		racer_data[i] = NULL;
	return NULL;
}

static void test_first_use_race(void)
{
	pthread_t t[RACERS];
	int started = 0, same = 1;

	for (uintptr_t i = 0; i < RACERS; i++)
		started += pthread_create(&t[i], NULL, racer, (void *)i) == 0;
	for (int i = 0; i < started; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < started; i++)
		same &= racer_data[i] != NULL && racer_data[i] == racer_data[0];
	ut_check(started == RACERS && same, "threads racing to be first all find the one mapping",
		 "%d threads started", started);
}

/* ------------------------------------------------------------ the MemoryObject */

static void test_holder_mapping(uint32_t pkg, uint64_t pages)
{
	ut_status("MemoryObject.map of bootpkg with WRITE", mo_map(pkg, FIXED_VA, pages, RW), -CAPOS_EPERM);
	ut_status("MemoryObject.map of one page with WRITE", mo_map(pkg, FIXED_VA, 1, RW), -CAPOS_EPERM);
	ut_status("MemoryObject.map of bootpkg read-only", mo_map(pkg, FIXED_VA, pages, CAPOS_PROT_READ), 0);
	ut_check(memcmp((const void *)(uintptr_t)FIXED_VA, CAPOS_BOOTPKG_MAGIC, 8) == 0,
		 "the mapping starts with the package header", "%.8s", (const char *)(uintptr_t)FIXED_VA);
	ut_status("MemoryObject.protect to WRITE", mo_protect(pkg, FIXED_VA, 1, RW), -CAPOS_EPERM);
	ut_status("VirtualMemory.protect to WRITE", vm_protect(FIXED_VA, pages, RW), -CAPOS_EPERM);
	ut_status("the kernel writes no result into it", now_into(FIXED_VA), -CAPOS_EFAULT);
	ut_status("MemoryObject.protect to READ|EXEC is the holder's choice",
		  mo_protect(pkg, FIXED_VA, 1, CAPOS_PROT_READ | CAPOS_PROT_EXEC), 0);
	ut_check(memcmp((const void *)(uintptr_t)FIXED_VA, CAPOS_BOOTPKG_MAGIC, 8) == 0,
		 "the header is unchanged after the refusals", "%.8s", (const char *)(uintptr_t)FIXED_VA);
	ut_status("MemoryObject.unmap", capos_memory_object_unmap(rc, pkg, &(struct capos_memory_object_unmap_in){
		  .vaddr = FIXED_VA, .pages = pages }), 0);
}

static int child_map(uint32_t child, uint32_t pkg, uint32_t prot)
{
	struct capos_process_handle_map_in in = { .vaddr = CHILD_VA, .first_page = 0, .pages = 1, .prot = prot };
	struct capos_xfer x = { pkg, CAPOS_XFER_COPY };

	return capos_call_sync_xfer(rc, child, CAPOS_IFACE_PROCESS_HANDLE, CAPOS_PROCESS_HANDLE_MAP, &in, sizeof in,
				    &x, 1, NULL, 0, NULL);
}

static void test_child_mapping(uint32_t pkg)
{
	struct capos_process_factory_create_in in = { .name = "utest-bootfiles-child" };
	struct capos_process_factory_create_out out = { 0 };
	int err = capos_process_factory_create(rc, ut_cap("spawner"), &in, &out);

	ut_status("ProcessFactory.create a child", err, 0);
	if (err)
		return;
	ut_status("ProcessHandle.map of bootpkg with WRITE", child_map(out.process, pkg, RW), -CAPOS_EPERM);
	ut_status("ProcessHandle.map of bootpkg read-only", child_map(out.process, pkg, CAPOS_PROT_READ), 0);
	ut_status("the unstarted child goes with its handle", capos_release(rc, out.process), 0);
}

/* ------------------------------------------------------------ files */

/* The executable segment of our own file against the text that runs. */
static int same_as_running_text(const uint8_t *file, uint64_t size)
{
	const struct elf64_ehdr *eh = (const void *)file;
	int found = 0;

	if (size < sizeof *eh || memcmp(file, "\177ELF", 4) || eh->e_phoff > size ||
	    (uint64_t)eh->e_phnum * sizeof(struct elf64_phdr) > size - eh->e_phoff)
		return 0;
	for (uint16_t i = 0; i < eh->e_phnum; i++) {
		const struct elf64_phdr *ph = (const void *)(file + eh->e_phoff + i * sizeof *ph);

		if (ph->p_type != 1 || !(ph->p_flags & 1))   /* PT_LOAD, PF_X */
			continue;
		if (ph->p_offset > size || ph->p_filesz > size - ph->p_offset ||
		    memcmp(file + ph->p_offset, (const void *)(uintptr_t)ph->p_vaddr, ph->p_filesz))
			return 0;
		found = 1;
	}
	return found;
}

static void test_files(void)
{
	const void *data = NULL, *again = NULL;
	uint64_t size = 0, size2 = 0;
	uint32_t kind = 0;
	char name[CAPOS_BOOTPKG_NAME_MAX + 8];

	ut_status("capos_bootfile_find utest-bootfiles", capos_bootfile_find("utest-bootfiles", &data, &size, &kind), 0);
	ut_check(kind == CAPOS_BOOTPKG_ELF && same_as_running_text(data, size),
		 "our own file's executable segment is the text running now", "kind %u, %llu bytes", kind,
		 (unsigned long long)size);
	ut_status("the entry data is read-only", now_into((uint64_t)(uintptr_t)data), -CAPOS_EFAULT);
	ut_status("capos_bootfile_find manifest", capos_bootfile_find("manifest", &data, &size, &kind), 0);
	ut_check(kind == CAPOS_BOOTPKG_MANIFEST && size > 8 && memcmp(data, CAPOS_MANIFEST_MAGIC, 8) == 0,
		 "the manifest entry is a compiled manifest", "kind %u, %llu bytes", kind, (unsigned long long)size);
	ut_status("capos_bootfile_find manifest again", capos_bootfile_find("manifest", &again, &size2, &kind), 0);
	ut_check(again == data && size2 == size, "a second lookup gives the same bytes in place", "%p, %p", data, again);
	ut_status("capos_bootfile_find a missing entry", capos_bootfile_find("no-such-entry", &data, &size, &kind),
		  -CAPOS_ENOENT);
	ut_status("capos_bootfile_find the empty name", capos_bootfile_find("", &data, &size, &kind), -CAPOS_ENOENT);
	memset(name, 'm', sizeof name - 1);
	name[sizeof name - 1] = '\0';
	ut_status("capos_bootfile_find a name longer than any entry's",
		  capos_bootfile_find(name, &data, &size, &kind), -CAPOS_ENOENT);
}

int main(int argc, char **argv)
{
	struct capos_memory_object_info_out info = { 0 };
	uint32_t pkg;

	(void)argc;
	(void)argv;
	ut_init("utest-bootfiles");
	pkg = ut_cap("bootpkg");
	test_first_use_race();
	ut_status("MemoryObject.info of bootpkg", capos_memory_object_info(rc, pkg, &info), 0);
	ut_check(info.pages > 0, "bootpkg has pages", "%llu pages", (unsigned long long)info.pages);
	test_holder_mapping(pkg, info.pages);
	test_child_mapping(pkg);
	test_files();
	ut_note("%d failures", ut_failures());
	return ut_failures();
}
