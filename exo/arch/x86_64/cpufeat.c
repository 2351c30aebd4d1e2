/*
 * CPU identification and protection features.
 *
 * cpufeat_init reads CPUID once into boot_cpu (the boot CPU speaks for
 * all: SMP bring-up will check that application processors match) and
 * turns on what makes kernel bugs fail loudly:
 *   EFER.NXE   no-execute pages          CR0.WP  read-only applies to the kernel
 *   CR4.PGE    global kernel mappings    CR4.SMEP kernel never runs user pages
 *   CR4.SMAP   kernel never touches user pages outside user_access_begin/end
 *   CR4.UMIP   no sgdt/sidt/smsw/str/sldt in user mode
 *   CR4.FSGSBASE  user threads may set their own FS/GS base (TLS)
 * CPUID leaves: Intel SDM vol. 2A, CPUID instruction.
 */
#include <stdint.h>
#include "arch.h"
#include "arch_setup.h"
#include "cpu.h"
#include "../../kern/log.h"
#include "../../lib/fmt.h"
#include "../../lib/string.h"

struct cpu_features boot_cpu;

#define BIT(r, n) (((r) >> (n)) & 1u)

static void cpufeat_vendor_and_version(uint32_t *max_leaf)
{
	uint32_t r[4];
	uint32_t base_family, base_model;

	cpuid(0, 0, r);
	*max_leaf = r[0];
	memcpy(boot_cpu.vendor, &r[1], 4);
	memcpy(boot_cpu.vendor + 4, &r[3], 4);
	memcpy(boot_cpu.vendor + 8, &r[2], 4);
	boot_cpu.vendor[12] = '\0';

	cpuid(1, 0, r);
	base_family = (r[0] >> 8) & 0xf;
	base_model = (r[0] >> 4) & 0xf;
	boot_cpu.stepping = r[0] & 0xf;
	boot_cpu.family = base_family == 0xf ? base_family + ((r[0] >> 20) & 0xff) : base_family;
	boot_cpu.model = (base_family == 0x6 || base_family == 0xf) ? base_model | (((r[0] >> 16) & 0xf) << 4)
								     : base_model;
	boot_cpu.pge = BIT(r[3], 13);
	boot_cpu.fxsr = BIT(r[3], 24);
	boot_cpu.sse2 = BIT(r[3], 26);
	boot_cpu.x2apic = BIT(r[2], 21);
	boot_cpu.tsc_deadline = BIT(r[2], 24);
	boot_cpu.xsave = BIT(r[2], 26);
	boot_cpu.avx = BIT(r[2], 28);
	boot_cpu.rdrand = BIT(r[2], 30);
}

static void cpufeat_structured(uint32_t max_leaf)
{
	uint32_t r[4];

	if (max_leaf < 7)
		return;
	cpuid(7, 0, r);
	boot_cpu.fsgsbase = BIT(r[1], 0);
	boot_cpu.smep = BIT(r[1], 7);
	boot_cpu.rdseed = BIT(r[1], 18);
	boot_cpu.smap = BIT(r[1], 20);
	boot_cpu.umip = BIT(r[2], 2);
}

static void cpufeat_brand(uint32_t max_ext)
{
	uint32_t r[4];
	size_t start = 0;

	if (max_ext < 0x80000004u) {
		memcpy(boot_cpu.brand, "unknown", 8);
		return;
	}
	for (uint32_t i = 0; i < 3; i++) {
		cpuid(0x80000002u + i, 0, r);
		memcpy(boot_cpu.brand + 16 * i, r, 16);
	}
	boot_cpu.brand[48] = '\0';
	while (boot_cpu.brand[start] == ' ')
		start++;
	memmove(boot_cpu.brand, boot_cpu.brand + start, 49 - start);
}

static void cpufeat_extended(void)
{
	uint32_t r[4], max_ext;

	cpuid(0x80000000u, 0, r);
	max_ext = r[0];
	boot_cpu.phys_addr_bits = 36;  /* architectural default without leaf 0x80000008 */
	boot_cpu.virt_addr_bits = 48;
	if (max_ext >= 0x80000001u) {
		cpuid(0x80000001u, 0, r);
		boot_cpu.nx = BIT(r[3], 20);
		boot_cpu.pdpe1gb = BIT(r[3], 26);
	}
	if (max_ext >= 0x80000007u) {
		cpuid(0x80000007u, 0, r);
		boot_cpu.invariant_tsc = BIT(r[3], 8);
	}
	if (max_ext >= 0x80000008u) {
		cpuid(0x80000008u, 0, r);
		boot_cpu.phys_addr_bits = r[0] & 0xff;
		boot_cpu.virt_addr_bits = (r[0] >> 8) & 0xff;
	}
	/* CPUID gives the most the CPU could do; with 4-level paging only 48 bits are live. */
	if (!(read_cr4() & CR4_LA57) && boot_cpu.virt_addr_bits > 48)
		boot_cpu.virt_addr_bits = 48;
	cpufeat_brand(max_ext);
}

/* Turn on each protection the CPU has; names what it enabled in done, for the log. */
static void cpufeat_enable(char *done, size_t size)
{
	uint64_t cr4 = read_cr4(), want = 0;
	size_t used = 0;

	if (boot_cpu.nx && !(read_efer() & EFER_NXE))
		wrmsr(MSR_EFER, read_efer() | EFER_NXE);
	write_cr0(read_cr0() | CR0_WP);
	want |= boot_cpu.pge ? CR4_PGE : 0;
	want |= boot_cpu.smep ? CR4_SMEP : 0;
	want |= boot_cpu.smap ? CR4_SMAP : 0;
	want |= boot_cpu.umip ? CR4_UMIP : 0;
	want |= boot_cpu.fsgsbase ? CR4_FSGSBASE : 0;
	write_cr4(cr4 | want);
	done[0] = '\0';
	used += ksnprintf(done + used, size - used, "wp%s", boot_cpu.nx ? " nx" : "");
	if (want & CR4_PGE) used += ksnprintf(done + used, size - used, " pge");
	if (want & CR4_SMEP) used += ksnprintf(done + used, size - used, " smep");
	if (want & CR4_SMAP) used += ksnprintf(done + used, size - used, " smap");
	if (want & CR4_UMIP) used += ksnprintf(done + used, size - used, " umip");
	if (want & CR4_FSGSBASE) ksnprintf(done + used, size - used, " fsgsbase");
}

void cpufeat_init(void)
{
	uint32_t max_leaf;
	char enabled[64];

	cpufeat_vendor_and_version(&max_leaf);
	cpufeat_structured(max_leaf);
	cpufeat_extended();
	cpufeat_enable(enabled, sizeof enabled);
	kinfo("cpu: %s family 0x%x model 0x%x stepping %u, %u-bit physical / %u-bit virtual addresses",
	      boot_cpu.vendor, boot_cpu.family, boot_cpu.model, boot_cpu.stepping,
	      boot_cpu.phys_addr_bits, boot_cpu.virt_addr_bits);
	kinfo("cpu: enabled %s", enabled);
	if (!boot_cpu.nx)
		kwarn("cpu: no NX bit: data pages are executable");
}

struct feature_name {
	const char *name;
	size_t offset;
};

#define FEATURE(f) { #f, __builtin_offsetof(struct cpu_features, f) }
static const struct feature_name feature_names[] = {
	FEATURE(nx), FEATURE(smep), FEATURE(smap), FEATURE(umip), FEATURE(fsgsbase),
	FEATURE(pge), FEATURE(pdpe1gb), FEATURE(fxsr), FEATURE(sse2), FEATURE(xsave),
	FEATURE(avx), FEATURE(rdrand), FEATURE(rdseed), FEATURE(invariant_tsc),
	FEATURE(x2apic), FEATURE(tsc_deadline),
};

void cpu_features_string(char *buf, size_t size)
{
	size_t used = 0;

	if (size == 0)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof feature_names / sizeof feature_names[0]; i++) {
		const bool *on = (const bool *)((const char *)&boot_cpu + feature_names[i].offset);
		int n;

		if (!*on)
			continue;
		n = ksnprintf(buf + used, size - used, "%s%s", used ? " " : "", feature_names[i].name);
		if (n < 0 || (size_t)n >= size - used) {
			buf[used] = '\0';  /* drop the name that did not fit */
			break;
		}
		used += (size_t)n;
	}
}
