/*
 * Every method of every kernel capability (exo/iface/interfaces.def),
 * with success and error cases, from user mode through the ring.  Runs as
 * init (it needs init's capabilities) and prints one line per check,
 * "utest-caps: <Interface>.<method> <what>: ok"; exits with the number of
 * failures.  The child programs it spawns are utest-hello and
 * utest-worker.
 */
#include <capos/bootfiles.h>
#include <capos/bootpkg.h>
#include "utest.h"

#define FIXED_VA 0x0000300000000000ull   /* far from where the kernel picks addresses */
#define THREADS 4
#define THREAD_ROUNDS 2000

#define rc capos_ring()  /* the calling thread's own ring client */

/* ------------------------------------------------------------ Null, Console */

static void test_null(void)
{
	uint32_t cap = ut_cap("null");

	ut_status("Null.nop returns 0", capos_null_nop(rc, cap), 0);
	ut_status("Null.nop unknown method id 7", capos_call_sync(rc, cap, CAPOS_IFACE_NULL, 7, NULL, 0, NULL, 0, NULL),
		  -CAPOS_ENOSYS);
	ut_status("Null.nop wrong interface id", capos_call_sync(rc, cap, CAPOS_IFACE_TIMER, CAPOS_NULL_NOP, NULL, 0,
								  NULL, 0, NULL), -CAPOS_ETYPE);
}

static void test_console(void)
{
	static struct capos_console_write_in big;
	struct capos_console_write_in in;
	struct capos_console_write_out out = { 0 };
	uint32_t cap = ut_cap("console");
	const char text[] = "utest-caps: Console.write direct line\n";

	for (size_t i = 0; i < sizeof text - 1; i++)
		in.data[i] = (uint8_t)text[i];
	ut_status("Console.write a line", capos_console_write(rc, cap, &in, sizeof text - 1, &out), 0);
	ut_check(out.written == sizeof text - 1, "Console.write reports bytes written", "written %u", out.written);
	ut_status("Console.write empty", capos_console_write(rc, cap, &in, 0, &out), 0);
	ut_status("Console.write 4097 bytes is out of range",
		  capos_call_sync(rc, cap, CAPOS_IFACE_CONSOLE, CAPOS_CONSOLE_WRITE, &big, sizeof big + 1, &out,
				  sizeof out, NULL), -CAPOS_ERANGE);
	ut_status("Console.write result buffer too small",
		  capos_call_sync(rc, cap, CAPOS_IFACE_CONSOLE, CAPOS_CONSOLE_WRITE, &in, 1, &out, 2, NULL),
		  -CAPOS_ERANGE);
}

/* ------------------------------------------------------------ the boot package */

static int same_text(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (a[i] != b[i])
			return 0;
		if (!a[i])
			return 1;
	}
	return 1;
}

/* The boot package as files (capos/bootfiles.h): "bootpkg" is a MemoryObject the libOS reads. */
static void test_bootpkg_index(void)
{
	char name[CAPOS_BOOTPKG_NAME_MAX] = "";
	uint64_t size = 0;
	uint32_t iface = 0, kind = 0, entries = 0;

	ut_check(capos_cap_find("bootpkg", &iface) && iface == CAPOS_IFACE_MEMORY_OBJECT,
		 "bootpkg is a MemoryObject", "interface %u", iface);
	ut_status("capos_bootfile_at entry 0", capos_bootfile_at(0, name, &size, &kind), 0);
	ut_check(same_text(name, "capos-version", sizeof name) && kind == CAPOS_BOOTPKG_FILE,
		 "entry 0 is capos-version", "name %.40s kind %u", name, kind);
	while (capos_bootfile_at(entries, name, &size, &kind) == 0)
		entries++;
	ut_check(entries >= 7, "capos_bootfile_at counts the entries", "%u entries", entries);
	ut_status("capos_bootfile_at past the end", capos_bootfile_at(entries, name, &size, &kind), -CAPOS_ENOENT);
}

static void test_bootpkg_find(void)
{
	const char *want = CAPOS_VERSION;
	const void *data = NULL;
	uint64_t size = 0;
	uint32_t kind = 0;
	size_t n = 0;

	ut_status("capos_bootfile_find utest-caps", capos_bootfile_find("utest-caps", &data, &size, &kind), 0);
	ut_check(kind == CAPOS_BOOTPKG_ELF && size > 0, "utest-caps is an ELF", "kind %u", kind);
	ut_status("capos_bootfile_find unknown name", capos_bootfile_find("no-such-entry", &data, &size, &kind),
		  -CAPOS_ENOENT);
	ut_status("capos_bootfile_find capos-version", capos_bootfile_find("capos-version", &data, &size, &kind), 0);
	while (want[n])
		n++;
	ut_check(size >= n && same_text(data, want, n), "capos-version holds " CAPOS_VERSION, "%llu bytes",
		 (unsigned long long)size);
}

static void test_bootpkg(void)
{
	test_bootpkg_index();
	test_bootpkg_find();
}

/* ------------------------------------------------- FrameAllocator, MemoryObject */

static int mo_map(uint32_t mo, uint64_t va, uint64_t first, uint64_t pages, uint32_t prot)
{
	struct capos_memory_object_map_in in = { .vaddr = va, .first_page = first, .pages = pages, .prot = prot };

	return capos_memory_object_map(rc, mo, &in, &(struct capos_memory_object_map_out){ 0 });
}

static int mo_unmap(uint32_t mo, uint64_t va, uint64_t pages)
{
	struct capos_memory_object_unmap_in in = { .vaddr = va, .pages = pages };

	return capos_memory_object_unmap(rc, mo, &in);
}

static uint32_t test_frame_alloc(uint32_t frames)
{
	struct capos_frame_allocator_alloc_in in = { .pages = 4 };
	struct capos_frame_allocator_alloc_out out = { 0 };

	ut_status("FrameAllocator.alloc 4 pages", capos_frame_allocator_alloc(rc, frames, &in, &out), 0);
	ut_check(out.memory != 0 && out.pages == 4, "FrameAllocator.alloc returns a MemoryObject", "handle %#x pages %llu",
		 out.memory, (unsigned long long)out.pages);
	in.pages = 0;
	ut_status("FrameAllocator.alloc 0 pages", capos_frame_allocator_alloc(rc, frames, &in, &out), -CAPOS_EINVAL);
	in.pages = 1ull << 40;
	ut_status("FrameAllocator.alloc beyond the object limit", capos_frame_allocator_alloc(rc, frames, &in, &out),
		  -CAPOS_ERANGE);
	return out.memory;
}

/* Address 0: the kernel picks a free range and says where (the view shares the frames). */
static void test_memobj_map_anywhere(uint32_t mo)
{
	struct capos_memory_object_map_in in = { .vaddr = 0, .first_page = 0, .pages = 1,
						 .prot = CAPOS_PROT_READ | CAPOS_PROT_WRITE };
	struct capos_memory_object_map_out where = { 0 };
	struct capos_memory_object_unmap_in un = { .pages = 1 };

	ut_status("MemoryObject.map at address 0: the kernel picks", capos_memory_object_map(rc, mo, &in, &where), 0);
	ut_check(where.vaddr && where.vaddr % CAPOS_PAGE_SIZE == 0 &&
		 ((volatile uint32_t *)(uintptr_t)where.vaddr)[1000] == 0xfeedface,
		 "... a free, page-aligned range showing the object's frames", "vaddr %#llx",
		 (unsigned long long)where.vaddr);
	un.vaddr = where.vaddr;
	ut_status("... unmapped again", capos_memory_object_unmap(rc, mo, &un), 0);
}

static void test_memobj_map(uint32_t mo)
{
	volatile uint32_t *a = (volatile uint32_t *)FIXED_VA, *b = (volatile uint32_t *)(FIXED_VA + 0x100000);
	struct capos_memory_object_info_out info = { 0 };
	const uint32_t rw = CAPOS_PROT_READ | CAPOS_PROT_WRITE;

	ut_status("MemoryObject.info", capos_memory_object_info(rc, mo, &info), 0);
	ut_check(info.pages == 4 && info.mappings == 0, "MemoryObject.info before mapping", "pages %llu mappings %u",
		 (unsigned long long)info.pages, info.mappings);
	ut_status("MemoryObject.map read-write", mo_map(mo, FIXED_VA, 0, 4, rw), 0);
	ut_status("MemoryObject.map a second view", mo_map(mo, FIXED_VA + 0x100000, 0, 4, CAPOS_PROT_READ), 0);
	a[1000] = 0xfeedface;
	ut_check(b[1000] == 0xfeedface, "MemoryObject.map both views share the frames", "read %#x", b[1000]);
	capos_memory_object_info(rc, mo, &info);
	ut_check(info.mappings == 2, "MemoryObject.info counts mappings", "mappings %u", info.mappings);
	test_memobj_map_anywhere(mo);
	ut_status("MemoryObject.map unaligned", mo_map(mo, FIXED_VA + 0x200001, 0, 1, rw), -CAPOS_EINVAL);
	ut_status("MemoryObject.map pages beyond the object", mo_map(mo, FIXED_VA + 0x200000, 2, 3, rw), -CAPOS_ERANGE);
	ut_status("MemoryObject.map write+exec", mo_map(mo, FIXED_VA + 0x200000, 0, 1, rw | CAPOS_PROT_EXEC),
		  -CAPOS_EPERM);
	ut_status("MemoryObject.map over an existing mapping", mo_map(mo, FIXED_VA, 0, 1, rw), -CAPOS_EEXIST);
}

static void test_memobj_protect_unmap(uint32_t mo, uint32_t timer)
{
	struct capos_memory_object_protect_in p = { .vaddr = FIXED_VA, .pages = 4, .prot = CAPOS_PROT_READ };
	volatile uint32_t *a = (volatile uint32_t *)FIXED_VA;
	struct capos_timer_now_out *ro = (struct capos_timer_now_out *)(FIXED_VA + 0x100000);
	struct capos_memory_object_info_out info = { 0 };
	volatile uint32_t *view = (volatile uint32_t *)(FIXED_VA + 0x100000);

	ut_status("MemoryObject.protect read-only", capos_memory_object_protect(rc, mo, &p), 0);
	ut_status("MemoryObject.protect read-only: the kernel cannot write it", capos_timer_now(rc, timer,
		  (struct capos_timer_now_out *)FIXED_VA), -CAPOS_EFAULT);
	ut_status("MemoryObject.protect second view read-only too", capos_timer_now(rc, timer, ro), -CAPOS_EFAULT);
	p.prot = 0;
	ut_status("MemoryObject.protect without READ", capos_memory_object_protect(rc, mo, &p), -CAPOS_EINVAL);
	p = (struct capos_memory_object_protect_in){ .vaddr = FIXED_VA, .pages = 4,
						     .prot = CAPOS_PROT_READ | CAPOS_PROT_WRITE };
	ut_status("MemoryObject.protect back to read-write", capos_memory_object_protect(rc, mo, &p), 0);
	a[0] = 7;
	ut_status("MemoryObject.unmap the first view", mo_unmap(mo, FIXED_VA, 4), 0);
	ut_status("MemoryObject.unmap it again", mo_unmap(mo, FIXED_VA, 4), -CAPOS_ENOENT);
	ut_status("Ring RELEASE the MemoryObject while mapped", capos_release(rc, mo), 0);
	ut_check(view[0] == 7 && view[1000] == 0xfeedface, "MemoryObject frames stay while a mapping remains",
		 "read %#x %#x", view[0], view[1000]);
	ut_status("MemoryObject.info on the released handle", capos_memory_object_info(rc, mo, &info), -CAPOS_EBADF);
}

static void test_memobj_last_mapping(uint32_t frames)
{
	struct capos_frame_allocator_alloc_in in = { .pages = 1 };
	struct capos_frame_allocator_alloc_out out = { 0 };
	struct capos_virtual_memory_unmap_in un = { .vaddr = FIXED_VA + 0x100000, .pages = 4 };

	/* The remaining view belongs to a released object: VirtualMemory.unmap drops the last mapping. */
	ut_status("VirtualMemory.unmap the last view of a released MemoryObject",
		  capos_virtual_memory_unmap(rc, ut_cap("vm"), &un), 0);
	ut_status("FrameAllocator.alloc again", capos_frame_allocator_alloc(rc, frames, &in, &out), 0);
	ut_status("MemoryObject.map into the freed range", mo_map(out.memory, FIXED_VA + 0x100000, 0, 1,
		  CAPOS_PROT_READ | CAPOS_PROT_WRITE), 0);
	ut_check(((volatile uint32_t *)(FIXED_VA + 0x100000))[0] == 0, "MemoryObject new frames are zeroed", "not zero");
	mo_unmap(out.memory, FIXED_VA + 0x100000, 1);
	capos_release(rc, out.memory);
}

static void test_memory_objects(void)
{
	uint32_t frames = ut_cap("frames");
	uint32_t mo = test_frame_alloc(frames);

	test_memobj_map(mo);
	test_memobj_protect_unmap(mo, ut_cap("timer"));
	test_memobj_last_mapping(frames);
}

/* ------------------------------------------------------------ VirtualMemory */

static int vm_map(uint32_t vm, uint64_t va, uint64_t pages, uint32_t prot, uint64_t *out_va)
{
	struct capos_virtual_memory_map_in in = { .vaddr = va, .pages = pages, .prot = prot };
	struct capos_virtual_memory_map_out out = { 0 };
	int err = capos_virtual_memory_map(rc, vm, &in, &out);

	if (out_va)
		*out_va = out.vaddr;
	return err;
}

static int vm_protect(uint32_t vm, uint64_t va, uint64_t pages, uint32_t prot)
{
	struct capos_virtual_memory_protect_in in = { .vaddr = va, .pages = pages, .prot = prot };

	return capos_virtual_memory_protect(rc, vm, &in);
}

static int vm_unmap(uint32_t vm, uint64_t va, uint64_t pages)
{
	struct capos_virtual_memory_unmap_in in = { .vaddr = va, .pages = pages };

	return capos_virtual_memory_unmap(rc, vm, &in);
}

static void test_vm_map(uint32_t vm)
{
	const uint32_t rw = CAPOS_PROT_READ | CAPOS_PROT_WRITE;
	uint64_t va = 0, fixed = 0;
	volatile uint64_t *p;
	int zero = 1;

	ut_status("VirtualMemory.map anywhere", vm_map(vm, 0, 2, rw, &va), 0);
	p = (volatile uint64_t *)va;
	for (int i = 0; i < 1024 && va; i++)
		zero &= p[i] == 0;
	ut_check(va && va % CAPOS_PAGE_SIZE == 0 && zero, "VirtualMemory.map gives zeroed pages", "at %#llx",
		 (unsigned long long)va);
	if (va)
		p[1023] = 42;
	ut_status("VirtualMemory.map at a fixed address", vm_map(vm, FIXED_VA + 0x400000, 1, rw, &fixed), 0);
	ut_check(fixed == FIXED_VA + 0x400000, "VirtualMemory.map honours the fixed address", "at %#llx",
		 (unsigned long long)fixed);
	ut_status("VirtualMemory.map over it", vm_map(vm, FIXED_VA + 0x400000, 1, rw, NULL), -CAPOS_EEXIST);
	ut_status("VirtualMemory.map unaligned", vm_map(vm, FIXED_VA + 0x500010, 1, rw, NULL), -CAPOS_EINVAL);
	ut_status("VirtualMemory.map 0 pages", vm_map(vm, 0, 0, rw, NULL), -CAPOS_EINVAL);
	ut_status("VirtualMemory.map write+exec", vm_map(vm, 0, 1, rw | CAPOS_PROT_EXEC, NULL), -CAPOS_EPERM);
	ut_status("VirtualMemory.map without READ", vm_map(vm, 0, 1, CAPOS_PROT_WRITE, NULL), -CAPOS_EINVAL);
	ut_status("VirtualMemory.map across the end of user space",
		  vm_map(vm, CAPOS_USER_MAX - CAPOS_PAGE_SIZE, 2, rw, NULL), -CAPOS_ERANGE);
	ut_status("VirtualMemory.map in the kernel half", vm_map(vm, 0xffff800000000000ull, 1, rw, NULL), -CAPOS_ERANGE);
	vm_unmap(vm, fixed, 1);
	if (va) {
		ut_status("VirtualMemory.protect read-only", vm_protect(vm, va, 2, CAPOS_PROT_READ), 0);
		ut_check(p[1023] == 42, "VirtualMemory.protect keeps the contents", "lost");
		ut_status("VirtualMemory.protect read-only: the kernel cannot write it",
			  capos_timer_now(rc, ut_cap("timer"), (struct capos_timer_now_out *)va), -CAPOS_EFAULT);
		ut_status("VirtualMemory.protect write+exec", vm_protect(vm, va, 2, rw | CAPOS_PROT_EXEC), -CAPOS_EPERM);
		ut_status("VirtualMemory.protect back to read-write", vm_protect(vm, va, 2, rw), 0);
		p[0] = 1;
		ut_status("VirtualMemory.unmap", vm_unmap(vm, va, 2), 0);
		ut_status("VirtualMemory.unmap again", vm_unmap(vm, va, 2), -CAPOS_ENOENT);
		ut_status("VirtualMemory.protect an unmapped range", vm_protect(vm, va, 1, CAPOS_PROT_READ), -CAPOS_ENOENT);
	}
}

static void test_vm_ring_guard(uint32_t vm)
{
	uint64_t ring = capos_bootstrap()->ring_addr;

	ut_status("VirtualMemory.unmap the ring is refused", vm_unmap(vm, ring, 1), -CAPOS_EPERM);
	ut_status("VirtualMemory.protect the ring is refused", vm_protect(vm, ring, 1, CAPOS_PROT_READ), -CAPOS_EPERM);
}

static void test_virtual_memory(void)
{
	uint32_t vm = ut_cap("vm");

	test_vm_map(vm);
	test_vm_ring_guard(vm);
	ut_check(capos_sbrk(10000, NULL) != (void *)-1 && capos_sbrk(-10000, NULL) != (void *)-1,
		 "VirtualMemory heap grows and shrinks (capos_sbrk)", "sbrk failed");
}

/* ------------------------------------------------------------ Timer */

static void test_timer(void)
{
	uint32_t timer = ut_cap("timer");
	struct capos_timer_now_out a = { 0 }, b = { 0 };
	struct capos_timer_sleep_in s = { .ns = 30 * UT_MS };
	struct capos_completion c;
	uint64_t ud = 0;

	ut_status("Timer.now", capos_timer_now(rc, timer, &a), 0);
	ut_status("Timer.sleep 30 ms", capos_timer_sleep(rc, timer, &s), 0);
	capos_timer_now(rc, timer, &b);
	ut_check(b.ns >= a.ns + 30 * UT_MS, "Timer.sleep lasts at least as requested", "slept %llu ns",
		 (unsigned long long)(b.ns - a.ns));
	ut_check(a.ns > 0 && b.ns > a.ns, "Timer.now is monotonic", "%llu then %llu", (unsigned long long)a.ns,
		 (unsigned long long)b.ns);
	s.ns = 0;
	ut_status("Timer.sleep 0 completes at once", capos_timer_sleep(rc, timer, &s), 0);
	s.ns = 3600ull * 1000 * UT_MS;
	ut_status("Timer.sleep async (one hour)", capos_timer_sleep_async(rc, timer, &s, &ud), 0);
	ut_status("Ring CANCEL the sleep", capos_cancel(rc, ud), 0);
	ut_status("Timer.sleep cancelled completes", capos_ring_wait(rc, ud, CAPOS_TIMEOUT_INFINITE, &c), 0);
	ut_status("Timer.sleep cancelled status", c.status, -CAPOS_ECANCELED);
	ut_status("Ring CANCEL of nothing", capos_cancel(rc, ud), -CAPOS_ENOENT);
}

/* ------------------------------------------------- ThreadSpawner, ThreadHandle, ThreadControl */

static struct capos_mutex counter_lock = CAPOS_MUTEX_INIT;
static volatile uint64_t counter_value;
static __thread int tls_probe = 5;

static int64_t count_worker(void *arg)
{
	int index = (int)(intptr_t)arg;

	if (tls_probe != 5)
		return -100;  /* TLS template not copied */
	tls_probe = index;
	for (int i = 0; i < THREAD_ROUNDS; i++) {
		capos_mutex_lock(&counter_lock);
		counter_value = counter_value + 1;
		if ((i & 255) == 0)
			capos_sleep_ns(1);  /* hold the lock across a kernel wait now and then */
		capos_mutex_unlock(&counter_lock);
	}
	return tls_probe == index ? index + 1 : -101;
}

static void test_thread_control(void)
{
	uint32_t tc = ut_cap("thread");
	struct capos_thread_control_self_out self = { 0 };
	struct capos_thread_control_get_fs_base_out fs = { 0 };
	struct capos_thread_control_set_fs_base_in set = { .fs_base = 0xffff800000001000ull };

	ut_status("ThreadControl.self", capos_thread_control_self(rc, tc, &self), 0);
	ut_check(self.thread_id > 0, "ThreadControl.self gives an id", "id %u", self.thread_id);
	ut_status("ThreadControl.get_fs_base", capos_thread_control_get_fs_base(rc, tc, &fs), 0);
	ut_check(fs.fs_base == (uint64_t)(uintptr_t)capos_tcb_self(), "ThreadControl.get_fs_base is the TCB",
		 "%#llx", (unsigned long long)fs.fs_base);
	ut_status("ThreadControl.set_fs_base kernel address", capos_thread_control_set_fs_base(rc, tc, &set),
		  -CAPOS_EFAULT);
	set.fs_base = fs.fs_base;
	ut_status("ThreadControl.set_fs_base", capos_thread_control_set_fs_base(rc, tc, &set), 0);
	ut_check(tls_probe == 5, "TLS of the main thread", "tls_probe %d", tls_probe);
}

static void test_threads_counter(void)
{
	struct capos_thread *t[THREADS] = { 0 };
	int created = 0, joined = 0;

	for (int i = 0; i < THREADS; i++)
		created += capos_thread_create(&t[i], count_worker, (void *)(intptr_t)i, 0) == 0;
	ut_check(created == THREADS, "ThreadSpawner.spawn threads", "%d of %d", created, THREADS);
	for (int i = 0; i < THREADS; i++) {
		int64_t code = 0;

		if (t[i] && capos_thread_join(t[i], &code) == 0 && code == i + 1)
			joined++;
	}
	ut_check(joined == created, "ThreadHandle.join gives each exit code", "%d of %d", joined, created);
	ut_check(counter_value == (uint64_t)created * THREAD_ROUNDS, "ParkSpace mutex keeps a shared counter exact",
		 "counter %llu", (unsigned long long)counter_value);
}

/* A bare thread (no runtime TLS): attaches its own ring (%rsi at entry) and exits with its argument. */
static struct capos_bare_thread bare_threads[2];

__attribute__((force_align_arg_pointer, noreturn)) static void bare_thread(uint64_t arg, uint64_t ring)
{
	if (capos_bare_thread_start(&bare_threads[arg == 77 ? 0 : 1], ring) != 0)
		__asm__ volatile("ud2");
	capos_thread_exit((int64_t)arg);
}

static uint64_t bare_stack;

static int bare_spawn(uint32_t spawner, uint64_t arg, uint64_t entry, uint64_t stack_top, uint32_t *handle)
{
	struct capos_thread_spawner_spawn_in in = { .entry = entry, .stack_top = stack_top, .arg = arg };
	struct capos_thread_spawner_spawn_out out = { 0 };
	int err = capos_thread_spawner_spawn(rc, spawner, &in, &out);

	*handle = out.thread;
	return err;
}

static void test_thread_handles(void)
{
	uint32_t spawner = ut_cap("threads"), h = 0;
	struct capos_thread_handle_join_out j = { 0 };
	uint64_t entry = (uint64_t)(uintptr_t)bare_thread;

	bare_stack = (uint64_t)(uintptr_t)capos_pages_alloc(8);
	ut_status("ThreadSpawner.spawn entry in the kernel half",
		  bare_spawn(spawner, 0, 0xffffffff80001000ull, bare_stack + 4096, &h), -CAPOS_EFAULT);
	ut_status("ThreadSpawner.spawn misaligned stack", bare_spawn(spawner, 0, entry, bare_stack + 4095, &h),
		  -CAPOS_EINVAL);
	ut_status("ThreadSpawner.spawn a bare thread", bare_spawn(spawner, 77, entry, bare_stack + 4 * 4096, &h), 0);
	ut_status("ThreadHandle.join", capos_thread_handle_join(rc, h, &j), 0);
	ut_check(j.exit_code == 77, "ThreadHandle.join exit code", "%lld", (long long)j.exit_code);
	ut_status("ThreadHandle.join twice", capos_thread_handle_join(rc, h, &j), -CAPOS_EINVAL);
	ut_status("ThreadHandle.detach after join", capos_thread_handle_detach(rc, h), -CAPOS_EINVAL);
	capos_release(rc, h);
	ut_status("ThreadSpawner.spawn another bare thread", bare_spawn(spawner, 5, entry, bare_stack + 8 * 4096, &h), 0);
	ut_status("ThreadHandle.detach", capos_thread_handle_detach(rc, h), 0);
	ut_status("ThreadHandle.join after detach", capos_thread_handle_join(rc, h, &j), -CAPOS_EINVAL);
	ut_status("ThreadHandle.detach twice", capos_thread_handle_detach(rc, h), -CAPOS_EINVAL);
	capos_release(rc, h);
	capos_sleep_ns(20 * UT_MS);  /* let the detached thread finish before its stack goes */
}

static void test_runtime_detach(void)
{
	struct capos_thread *t = NULL;
	int err = capos_thread_create(&t, count_worker, (void *)(intptr_t)9, 0);

	ut_status("ThreadSpawner.spawn a thread to detach", err, 0);
	if (!err)
		ut_status("runtime detach (private join)", capos_thread_detach(t), 0);
}

static void test_threads(void)
{
	test_thread_control();
	test_threads_counter();
	test_thread_handles();
	test_runtime_detach();
}

/* ------------------------------------------------------------ ParkSpace */

static uint32_t park_word;

static int park_wait(uint32_t park, uint64_t addr, uint32_t expected, uint64_t timeout)
{
	struct capos_park_space_wait_in in = { .addr = addr, .expected = expected, .timeout_ns = timeout };
	struct capos_park_space_wait_out out = { 0 };

	return capos_park_space_wait(rc, park, &in, &out);
}

static int park_wake(uint32_t park, uint64_t addr, uint32_t count, uint32_t *woken)
{
	struct capos_park_space_wake_in in = { .addr = addr, .count = count };
	struct capos_park_space_wake_out out = { 0 };
	int err = capos_park_space_wake(rc, park, &in, &out);

	*woken = out.woken;
	return err;
}

static void test_park_errors(uint32_t park)
{
	uint64_t addr = (uint64_t)(uintptr_t)&park_word;
	uint64_t t0 = capos_time_ns();

	park_word = 3;
	ut_status("ParkSpace.wait value differs", park_wait(park, addr, 4, CAPOS_TIMEOUT_INFINITE), -CAPOS_EAGAIN);
	ut_status("ParkSpace.wait timeout 0", park_wait(park, addr, 3, 0), -CAPOS_ETIMEDOUT);
	ut_status("ParkSpace.wait 30 ms timeout", park_wait(park, addr, 3, 30 * UT_MS), -CAPOS_ETIMEDOUT);
	ut_check(capos_time_ns() - t0 >= 30 * UT_MS, "ParkSpace.wait timeout lasts", "%llu ns",
		 (unsigned long long)(capos_time_ns() - t0));
	ut_status("ParkSpace.wait misaligned", park_wait(park, addr + 1, 3, 0), -CAPOS_EINVAL);
	ut_status("ParkSpace.wait kernel address", park_wait(park, 0xffffffff80000000ull, 3, 0), -CAPOS_EFAULT);
}

static void test_park_wake(uint32_t park)
{
	struct capos_park_space_wait_in in = { .addr = (uint64_t)(uintptr_t)&park_word, .expected = 3,
					       .timeout_ns = CAPOS_TIMEOUT_INFINITE };
	static struct capos_park_space_wait_out out;
	struct capos_completion c = { 0 };
	uint32_t woken = 99;
	uint64_t ud = 0;

	ut_status("ParkSpace.wake nobody", park_wake(park, in.addr, 1, &woken), 0);
	ut_check(woken == 0, "ParkSpace.wake nobody wakes 0", "woken %u", woken);
	ut_status("ParkSpace.wait async", capos_park_space_wait_async(rc, park, &in, &out, &ud), 0);
	ut_status("ParkSpace.wake one", park_wake(park, in.addr, 1, &woken), 0);
	ut_check(woken == 1, "ParkSpace.wake wakes the waiter", "woken %u", woken);
	ut_status("ParkSpace.wait completes after the wake", capos_ring_wait(rc, ud, CAPOS_TIMEOUT_INFINITE, &c), 0);
	ut_check(c.status == 0 && out.woken == 1, "ParkSpace.wait woken status", "status %d woken %u", c.status,
		 out.woken);
	ut_status("ParkSpace.wake misaligned", park_wake(park, in.addr + 2, 1, &woken), -CAPOS_EINVAL);
}

static void test_park(void)
{
	uint32_t park = ut_cap("park");

	test_park_errors(park);
	test_park_wake(park);
}

/* ------------------------------------- the libOS loader (over ProcessFactory), ProcessHandle */

static int spawn_raw(const char *binary, const char *grants, const struct capos_xfer *x, uint16_t n,
		     uint32_t *proc)
{
	return capos_spawn_xfer(0, binary, grants, "", x, n, NULL, proc, NULL);
}

/* Quotas outside capos/process.h's ranges are refused before anything is created. */
static void test_spawn_quota_ranges(void)
{
	static const struct capos_spawn_quota bad[] = {
		{ .frames = CAPOS_QUOTA_FRAMES_MIN - 1 }, { .frames = CAPOS_QUOTA_FRAMES_MAX + 1 },
		{ .caps = CAPOS_QUOTA_CAPS_MIN - 1 }, { .caps = CAPOS_QUOTA_CAPS_MAX + 1 },
		{ .threads = CAPOS_QUOTA_THREADS_MAX + 1 }, { .ring_ops = CAPOS_QUOTA_RING_OPS_MAX + 1 },
		{ .kmem_kib = CAPOS_QUOTA_KMEM_MIN_KIB - 1 }, { .kmem_kib = CAPOS_QUOTA_KMEM_MAX_KIB + 1 },
	};
	uint32_t proc = 0, console = ut_cap("console");
	int64_t code = -1;
	uint32_t reason = 99;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ut_status("capos_spawn with a quota out of range", capos_spawn_quota("utest-hello",
			  "console thread=@thread", "", &console, 1, &bad[i], &proc, NULL), -CAPOS_ERANGE);
	ut_status("capos_spawn with small quotas", capos_spawn_quota("utest-hello",
		  "console thread=@thread", "", &console, 1,
		  &(struct capos_spawn_quota){ 4096, CAPOS_QUOTA_CAPS_MIN, 1, 4, CAPOS_QUOTA_KMEM_MIN_KIB }, &proc, NULL), 0);
	ut_status("... runs and exits", capos_process_wait(proc, &code, &reason), 0);
	ut_check(code == 0 && reason == CAPOS_EXIT_NORMAL, "... with code 0", "code %lld reason %u",
		 (long long)code, reason);
	capos_release(rc, proc);
}

static void test_spawn_hello(void)
{
	uint32_t console = ut_cap("console"), proc = 0, pid = 0, reason = 99;
	int64_t code = -1;

	ut_status("capos_spawn utest-hello", capos_spawn("utest-hello", "console thread=@thread", "",
								  &console, 1, &proc, &pid), 0);
	ut_check(pid > 1, "capos_spawn gives a pid", "pid %u", pid);
	ut_status("ProcessHandle.wait", capos_process_wait(proc, &code, &reason), 0);
	ut_check(code == 0 && reason == CAPOS_EXIT_NORMAL, "ProcessHandle.wait exit code 0, reason normal",
		 "code %lld reason %u", (long long)code, reason);
	ut_status("ProcessHandle.wait again after the end", capos_process_wait(proc, &code, &reason), 0);
	capos_release(rc, proc);
}

static void test_spawn_kill(void)
{
	uint32_t caps[2] = { ut_cap("console"), ut_cap("timer") }, proc = 0, reason = 99;
	struct capos_process_handle_wait_out out = { 0 };
	struct capos_completion c = { 0 };
	int64_t code = 0;
	uint64_t ud = 0;

	ut_status("capos_spawn a long utest-worker", capos_spawn("utest-worker", "console timer thread=@thread",
									  "100000 50", caps, 2, &proc, NULL), 0);
	ut_status("ProcessHandle.wait async", capos_process_handle_wait_async(rc, proc, &out, &ud), 0);
	capos_sleep_ns(60 * UT_MS);
	ut_status("ProcessHandle.kill", capos_process_handle_kill(rc, proc), 0);
	ut_status("ProcessHandle.wait completes after kill", capos_ring_wait(rc, ud, CAPOS_TIMEOUT_INFINITE, &c), 0);
	ut_check(c.status == 0 && out.reason == CAPOS_EXIT_KILLED, "ProcessHandle.wait reason killed",
		 "status %d reason %u code %lld", c.status, out.reason, (long long)out.exit_code);
	ut_status("ProcessHandle.kill a dead process", capos_process_handle_kill(rc, proc), 0);
	ut_status("ProcessHandle.wait a killed process", capos_process_wait(proc, &code, &reason), 0);
	capos_release(rc, proc);
}

static void test_spawn_errors(void)
{
	struct capos_xfer x[2] = { { ut_cap("console"), CAPOS_XFER_COPY }, { ut_cap("console"), CAPOS_XFER_COPY } };
	uint32_t proc;

	ut_status("capos_spawn unknown program", spawn_raw("no-such-program", "", NULL, 0, &proc), -CAPOS_ENOENT);
	ut_status("capos_spawn a data entry", spawn_raw("capos-version", "", NULL, 0, &proc), -CAPOS_ETYPE);
	ut_status("capos_spawn grant list syntax", spawn_raw("utest-hello", "Bad!", NULL, 0, &proc),
		  -CAPOS_EINVAL);
	ut_status("capos_spawn unknown @kind", spawn_raw("utest-hello", "x=@nothing", NULL, 0, &proc),
		  -CAPOS_EINVAL);
	ut_status("capos_spawn names without capabilities", spawn_raw("utest-hello", "console", NULL, 0, &proc),
		  -CAPOS_EINVAL);
	ut_status("capos_spawn the same capability twice", spawn_raw("utest-hello", "a b", x, 2, &proc),
		  -CAPOS_EINVAL);
	ut_status("capos_spawn a name twice", spawn_raw("utest-hello", "a=@vm a=@park", NULL, 0, &proc),
		  -CAPOS_EEXIST);
}

static void test_processes(void)
{
	test_spawn_hello();
	test_spawn_quota_ranges();
	test_spawn_kill();
	test_spawn_errors();
}

/* ------------------------------------------------------------ EntropySource */

static void test_entropy(void)
{
	uint32_t cap = ut_cap("entropy");
	struct capos_entropy_source_read_in in = { .length = 32 };
	struct capos_entropy_source_read_out out = { 0 };
	uint32_t len = 0, nonzero = 0;
	int err = capos_entropy_source_read(rc, cap, &in, &out, &len);

	if (err == -CAPOS_ENOTSUP) {
		ut_status("EntropySource.read without RDRAND/RDSEED is not supported", err, -CAPOS_ENOTSUP);
		return;
	}
	ut_status("EntropySource.read 32 bytes", err, 0);
	for (int i = 0; i < 32; i++)
		nonzero |= out.data[i];
	ut_check(len == 32 && nonzero, "EntropySource.read bytes are not all zero", "len %u", len);
	in.length = sizeof out.data + 1;
	ut_status("EntropySource.read too long", capos_entropy_source_read(rc, cap, &in, &out, &len), -CAPOS_ERANGE);
	in.length = 0;
	ut_status("EntropySource.read 0 bytes", capos_entropy_source_read(rc, cap, &in, &out, &len), 0);
	ut_check(len == 0, "EntropySource.read 0 bytes gives none", "len %u", len);
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	ut_init("utest-caps");
	test_null();
	test_console();
	test_bootpkg();
	test_memory_objects();
	test_virtual_memory();
	test_timer();
	test_threads();
	test_park();
	test_processes();
	test_entropy();
	ut_note("%d failures", ut_failures());
	return ut_failures();
}
