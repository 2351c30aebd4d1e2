/*
 * The fault message: what the kernel sends a thread's fault handler when
 * the thread takes a CPU exception in user mode (docs/ipc.md "Faults").
 *
 * A thread with a fault handler (ThreadControl.set_fault_handler: a client
 * capability of an Endpoint) does not die on an exception: the kernel
 * blocks it and CALLs the handler's endpoint on its behalf.  The server
 * RECVs that call like any other; its header says iface
 * CAPOS_IFACE_FAULT (below the user range, so no client can send it),
 * method CAPOS_FAULT_EXCEPTION, result_cap 0, and the parameters are one
 * struct capos_fault_msg.  The answer:
 *   - an empty RETURN: the thread resumes where it faulted, registers as
 *     they were (the handler has mapped what was missing, say);
 *   - anything else (RETURN with a status, bytes or capabilities, the
 *     reply token dropped, the server gone, the endpoint revoked): the
 *     process ends as it would with no handler (reason fault, code
 *     -vector).
 */
#ifndef CAPOS_FAULTMSG_H
#define CAPOS_FAULTMSG_H

#include <stdint.h>

/* The interface id of the fault message: reserved in interfaces.def, never a kernel object's. */
#define CAPOS_IFACE_FAULT 0x0f00u
#define CAPOS_FAULT_EXCEPTION 0u

/*
 * Consecutive faults of one thread at the same rip, address and vector
 * after which the kernel stops asking the handler and ends the process
 * (a handler that resumes without repairing anything).
 */
#define CAPOS_FAULT_REPEAT_MAX 1000u

struct capos_fault_msg {
	uint32_t vector;       /* CPU exception vector (14: page fault) */
	uint32_t thread_id;    /* ThreadControl.self of the faulting thread */
	uint64_t error;        /* the CPU's error code, or 0 */
	uint64_t addr;         /* page fault: the address (CR2); else 0 */
	uint64_t rip, rsp, rflags;
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
};
_Static_assert(sizeof(struct capos_fault_msg) == 168, "capos_fault_msg layout");
_Static_assert(__builtin_offsetof(struct capos_fault_msg, error) == 8, "capos_fault_msg layout");
_Static_assert(__builtin_offsetof(struct capos_fault_msg, addr) == 16, "capos_fault_msg layout");
_Static_assert(__builtin_offsetof(struct capos_fault_msg, rip) == 24, "capos_fault_msg layout");
_Static_assert(__builtin_offsetof(struct capos_fault_msg, rflags) == 40, "capos_fault_msg layout");
_Static_assert(__builtin_offsetof(struct capos_fault_msg, rax) == 48, "capos_fault_msg layout");
_Static_assert(__builtin_offsetof(struct capos_fault_msg, r8) == 104, "capos_fault_msg layout");
_Static_assert(__builtin_offsetof(struct capos_fault_msg, r15) == 160, "capos_fault_msg layout");

#endif
