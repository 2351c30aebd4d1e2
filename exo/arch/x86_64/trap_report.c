/*
 * Fatal exception report: what the kernel prints when it faults.
 *
 * The report names the exception, decodes its error code (page-fault
 * bits and CR2; the selector of #GP/#TS/#NP/#SS), dumps the general and
 * control registers, symbolizes RIP, walks the trapped frame chain and
 * then panics, which gives the verdict.  It runs in whatever state the
 * fault left: it takes no locks (log_enter_panic first), allocates
 * nothing, and reads memory only through the checked backtrace walker.
 * A fault during the report ends the run at once.
 */
#include <stdint.h>
#include <capos/verdict.h>
#include "trap.h"
#include "cpu.h"
#include "../../kern/backtrace.h"
#include "../../kern/log.h"
#include "../../kern/panic.h"
#include "../../kern/verdict.h"
#include "../../mm/mm.h"

struct exception_info {
	const char *name;
	const char *mnemonic;
};

static const struct exception_info exceptions[VEC_EXCEPTIONS] = {
	[VEC_DE] = { "divide error", "DE" },
	[VEC_DB] = { "debug exception", "DB" },
	[VEC_NMI] = { "non-maskable interrupt", "NMI" },
	[VEC_BP] = { "breakpoint", "BP" },
	[VEC_OF] = { "overflow", "OF" },
	[VEC_BR] = { "bound range exceeded", "BR" },
	[VEC_UD] = { "invalid opcode", "UD" },
	[VEC_NM] = { "device not available", "NM" },
	[VEC_DF] = { "double fault", "DF" },
	[9] = { "coprocessor segment overrun", "CSO" },
	[VEC_TS] = { "invalid TSS", "TS" },
	[VEC_NP] = { "segment not present", "NP" },
	[VEC_SS] = { "stack-segment fault", "SS" },
	[VEC_GP] = { "general protection fault", "GP" },
	[VEC_PF] = { "page fault", "PF" },
	[VEC_MF] = { "x87 floating-point error", "MF" },
	[VEC_AC] = { "alignment check", "AC" },
	[VEC_MC] = { "machine check", "MC" },
	[VEC_XM] = { "SIMD floating-point exception", "XM" },
	[VEC_VE] = { "virtualization exception", "VE" },
	[VEC_CP] = { "control protection exception", "CP" },
	[VEC_HV] = { "hypervisor injection exception", "HV" },
	[VEC_VC] = { "VMM communication exception", "VC" },
	[VEC_SX] = { "security exception", "SX" },
};

static int reporting;

const char *trap_exception_name(unsigned vector)
{
	if (vector < VEC_EXCEPTIONS && exceptions[vector].name)
		return exceptions[vector].name;
	return vector < VEC_EXCEPTIONS ? "reserved exception" : "interrupt";
}

static const char *exception_mnemonic(unsigned vector)
{
	return exceptions[vector].mnemonic ? exceptions[vector].mnemonic : "??";
}

/* Page-fault error code: Intel SDM vol. 3, 4.7. */
static void report_page_fault(uint64_t error, uint64_t cr2)
{
	kprintf("  fault address (CR2) 0x%016llx\n", (unsigned long long)cr2);
	kprintf("  error 0x%llx: %s, %s, %s mode%s%s%s%s\n", (unsigned long long)error,
		error & 1 ? "protection violation" : "not-present page",
		error & 2 ? "write" : (error & 16 ? "instruction fetch" : "read"),
		error & 4 ? "user" : "kernel",
		error & 8 ? ", reserved bit set" : "",
		error & 32 ? ", protection key" : "",
		error & 64 ? ", shadow stack" : "",
		error & 0x8000 ? ", SGX" : "");
}

/* Selector error code (#TS #NP #SS #GP): Intel SDM vol. 3, 6.13. */
static void report_selector_error(uint64_t error)
{
	static const char *const tables[4] = { "GDT", "IDT", "LDT", "IDT" };

	if (error == 0) {
		kprintf("  error 0x0: no selector involved (e.g. a non-canonical address, a privileged\n"
			"  instruction or a reserved bit in a control register)\n");
		return;
	}
	kprintf("  error 0x%llx: selector index %llu in the %s%s\n", (unsigned long long)error,
		(unsigned long long)((error >> 3) & 0x1fff), tables[(error >> 1) & 3],
		error & 1 ? ", raised by an external event" : "");
}

/* A double fault with the stack pointer at an unmapped page is almost always an overflow. */
static void report_double_fault(const struct trap_frame *f)
{
	if (!vm_kernel_readable(f->rsp) || !vm_kernel_readable(f->rsp - 8))
		kprintf("  RSP 0x%016llx is at an unmapped page: kernel stack overflow (guard page hit)\n",
			(unsigned long long)f->rsp);
}

static void report_cause(const struct trap_frame *f, uint64_t cr2)
{
	switch (f->vector) {
	case VEC_PF:
		report_page_fault(f->error, cr2);
		break;
	case VEC_TS: case VEC_NP: case VEC_SS: case VEC_GP:
		report_selector_error(f->error);
		break;
	case VEC_DF:
		report_double_fault(f);
		break;
	default:
		if (f->error)
			kprintf("  error code 0x%llx\n", (unsigned long long)f->error);
	}
}

static void report_registers(const struct trap_frame *f, uint64_t cr2)
{
	kprintf("  RAX %016llx  RBX %016llx  RCX %016llx  RDX %016llx\n",
		(unsigned long long)f->rax, (unsigned long long)f->rbx, (unsigned long long)f->rcx,
		(unsigned long long)f->rdx);
	kprintf("  RSI %016llx  RDI %016llx  RBP %016llx  RSP %016llx\n",
		(unsigned long long)f->rsi, (unsigned long long)f->rdi, (unsigned long long)f->rbp,
		(unsigned long long)f->rsp);
	kprintf("  R8  %016llx  R9  %016llx  R10 %016llx  R11 %016llx\n",
		(unsigned long long)f->r8, (unsigned long long)f->r9, (unsigned long long)f->r10,
		(unsigned long long)f->r11);
	kprintf("  R12 %016llx  R13 %016llx  R14 %016llx  R15 %016llx\n",
		(unsigned long long)f->r12, (unsigned long long)f->r13, (unsigned long long)f->r14,
		(unsigned long long)f->r15);
	kprintf("  RIP %016llx  RFLAGS %08llx  CS %04llx  SS %04llx  vector %llu  error 0x%llx\n",
		(unsigned long long)f->rip, (unsigned long long)f->rflags, (unsigned long long)f->cs,
		(unsigned long long)f->ss, (unsigned long long)f->vector, (unsigned long long)f->error);
	kprintf("  CR0 %016llx  CR2 %016llx  CR3 %016llx  CR4 %016llx\n",
		(unsigned long long)read_cr0(), (unsigned long long)cr2, (unsigned long long)read_cr3(),
		(unsigned long long)read_cr4());
}

void trap_report_fatal(const struct trap_frame *f)
{
	uint64_t cr2 = read_cr2(); /* first: a nested fault would overwrite it */

	irq_disable();
	log_enter_panic();
	if (reporting++) {
		kprintf("\nEXCEPTION: %s (vector %llu) at RIP 0x%016llx while reporting an exception\n",
			trap_exception_name(f->vector), (unsigned long long)f->vector,
			(unsigned long long)f->rip);
		verdict_exit(CAPOS_VERDICT_PANIC);
	}
	kprintf("\nEXCEPTION: %s (#%s, vector %llu) in %s mode\n", trap_exception_name(f->vector),
		exception_mnemonic(f->vector), (unsigned long long)f->vector,
		trap_from_user(f) ? "user" : "kernel");
	report_cause(f, cr2);
	report_registers(f, cr2);
	backtrace_print_addr("RIP", f->rip);
	backtrace_print(f->rbp);
	panic("unhandled %s (#%s) at RIP 0x%016llx", trap_exception_name(f->vector),
	      exception_mnemonic(f->vector), (unsigned long long)f->rip);
}
