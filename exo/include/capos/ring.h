/*
 * The capability ring: the one interface between a process and the kernel.
 *
 * A ring is one shared memory region per thread, mapped into its process
 * (read-write) and into the kernel.  cap_enter always works on the calling
 * thread's own ring: the thread that submits an entry is the thread the
 * kernel performs it for (ThreadControl acts on it), and completions
 * arrive on the ring of the thread that submitted the operation.  The
 * main thread's ring is named in the bootstrap page; a thread started by
 * ThreadSpawner finds its ring's address in %rsi at entry.  It holds a header, a submission queue
 * (SQ) of struct capos_sqe and a completion queue (CQ) of struct capos_cqe.
 * The process writes SQEs and calls cap_enter(); the kernel consumes SQEs,
 * performs them, and posts one CQE per SQE — at once, or later for
 * operations that wait (RECV, CALL on an endpoint, sleeps, park, child
 * wait).  cap_enter(min_complete, timeout_ns) is the only system call.
 *
 * Index semantics.  All four indices are free-running uint32_t counters;
 * a queue slot is index & (entries - 1), entries a power of two.
 *   sq_tail  written by the process (SQEs produced), read by the kernel
 *   sq_head  written by the kernel  (SQEs consumed),  read by the process
 *   cq_tail  written by the kernel  (CQEs posted),    read by the process
 *   cq_head  written by the process (CQEs reaped),    read by the kernel
 * The kernel never trusts a value the process can write: it keeps its own
 * sq_head and cq_tail and publishes copies; it reads sq_tail and cq_head
 * once per cap_enter and refuses the batch (-CAPOS_EINVAL, the ring marked
 * corrupt in the header's kflags) if sq_tail - sq_head > sq_entries or
 * cq_tail - cq_head > cq_entries.
 *
 * Memory ordering.  Producer: fill the entry, then store the tail with
 * release semantics.  Consumer: load the tail with acquire semantics, then
 * read entries, then store the head with release semantics.  (On x86 these
 * are plain stores and loads plus a compiler barrier.)  The kernel copies
 * each SQE out of shared memory before validating it, so a process that
 * rewrites an SQE mid-flight only changes what it asked for.
 *
 * Completion-queue overflow cannot happen: every SQE the kernel consumes
 * reserves one CQ slot, and the kernel stops consuming (cap_enter returns
 * the number consumed so far) when reserved + posted-but-unreaped slots
 * would exceed cq_entries or the process's outstanding-operation quota.
 */
#ifndef CAPOS_RING_H
#define CAPOS_RING_H

#include <stdint.h>

#define CAPOS_RING_MAGIC   0x474e4952u /* "RING" */
#define CAPOS_RING_VERSION 2u

/* Operations (struct capos_sqe.opcode). */
enum capos_ring_op {
	CAPOS_OP_NOP = 0,      /* completes at once with status 0 */
	CAPOS_OP_CALL = 1,     /* invoke method `method` of interface `iface` on `cap` */
	CAPOS_OP_RECV = 2,     /* wait on an endpoint for a CALL; result = params */
	CAPOS_OP_RETURN = 3,   /* answer the CALL named by `aux` (a reply token) */
	CAPOS_OP_RELEASE = 4,  /* drop the handle `cap` */
	CAPOS_OP_CANCEL = 5,   /* cancel the outstanding operation whose user_data is `aux` */
	CAPOS_OP_COUNT
};

/* struct capos_sqe.flags */
#define CAPOS_SQE_F_NONE 0u
#define CAPOS_SQE_F_APP_ERROR 1u  /* RETURN: params are a struct capos_app_error */
#define CAPOS_SQE_F_STATUS 2u     /* RETURN: params are one int32_t, a negative CAPOS_E* code the CALL completes with */

/*
 * Submission queue entry: 64 bytes.  Buffers are user virtual addresses in
 * the submitting process.  Fields an operation does not use must be zero
 * (checked: a non-zero unused field is -CAPOS_EINVAL, so fields can be given
 * meaning later without silent misreads).
 */
struct capos_sqe {
	uint8_t opcode;        /* enum capos_ring_op */
	uint8_t flags;         /* CAPOS_SQE_F_* */
	uint16_t xfer_count;   /* transfer descriptors at xfer_addr (CALL, RETURN) */
	uint32_t cap;          /* capability handle (CALL, RECV, RELEASE) */
	uint64_t user_data;    /* echoed in the CQE */
	uint32_t iface;        /* interface id (CALL) */
	uint16_t method;       /* method id (CALL) */
	uint16_t reserved;     /* zero */
	uint64_t params_addr;  /* CALL/RETURN: parameter bytes */
	uint32_t params_len;
	uint32_t result_len;   /* CALL/RECV: capacity of the result buffer */
	uint64_t result_addr;
	uint64_t xfer_addr;    /* array of struct capos_xfer */
	uint64_t aux;          /* RETURN: reply token; CANCEL: target user_data */
};
_Static_assert(sizeof(struct capos_sqe) == 64, "capos_sqe layout");
_Static_assert(__builtin_offsetof(struct capos_sqe, user_data) == 8, "capos_sqe layout");
_Static_assert(__builtin_offsetof(struct capos_sqe, params_addr) == 24, "capos_sqe layout");
_Static_assert(__builtin_offsetof(struct capos_sqe, result_addr) == 40, "capos_sqe layout");
_Static_assert(__builtin_offsetof(struct capos_sqe, aux) == 56, "capos_sqe layout");

/*
 * Completion queue entry: 32 bytes.  status is 0 or a negative CAPOS_E*
 * code (transport or kernel error) or CAPOS_STATUS_APP_ERROR (the server
 * answered with an application error; the result buffer holds a
 * struct capos_app_error).  result_len is how many bytes were written to
 * the result buffer.  aux: RECV gives the reply token; CALL on a method
 * that creates capabilities gives the first new handle (also in the
 * result struct).  caps: number of capabilities received.
 */
struct capos_cqe {
	uint64_t user_data;
	int32_t status;
	uint32_t result_len;
	uint64_t aux;
	uint16_t caps;
	uint16_t flags;
	uint32_t reserved;
};
_Static_assert(sizeof(struct capos_cqe) == 32, "capos_cqe layout");

#define CAPOS_STATUS_APP_ERROR 1

/* The ring header, at offset 0 of the shared region; indices on separate cache lines. */
struct capos_ring_header {
	uint32_t magic;        /* CAPOS_RING_MAGIC, written by the kernel */
	uint32_t version;
	uint32_t sq_entries;   /* power of two */
	uint32_t cq_entries;   /* power of two */
	uint32_t sq_offset;    /* from the start of the region */
	uint32_t cq_offset;
	uint32_t kflags;       /* CAPOS_RING_K_*, written by the kernel */
	uint32_t size;         /* bytes of the whole region */
	uint8_t pad0[32];
	uint32_t sq_tail;      /* process writes */
	uint8_t pad1[60];
	uint32_t sq_head;      /* kernel writes */
	uint8_t pad2[60];
	uint32_t cq_tail;      /* kernel writes */
	uint8_t pad3[60];
	uint32_t cq_head;      /* process writes */
	uint8_t pad4[60];
};
_Static_assert(sizeof(struct capos_ring_header) == 320, "capos_ring_header layout");
_Static_assert(__builtin_offsetof(struct capos_ring_header, sq_tail) == 64, "ring header layout");
_Static_assert(__builtin_offsetof(struct capos_ring_header, sq_head) == 128, "ring header layout");
_Static_assert(__builtin_offsetof(struct capos_ring_header, cq_tail) == 192, "ring header layout");
_Static_assert(__builtin_offsetof(struct capos_ring_header, cq_head) == 256, "ring header layout");

#define CAPOS_RING_K_CORRUPT 1u  /* an index was found out of range; see cap_enter */

/*
 * A transfer descriptor: send the capability `cap` along with a CALL or
 * RETURN.  COPY keeps the sender's handle; MOVE removes it once the
 * receiver has it (the slot is reserved meanwhile, so a failure restores
 * it).  Received capabilities become new handles in the receiver.
 */
struct capos_xfer {
	uint32_t cap;
	uint32_t mode;         /* CAPOS_XFER_COPY or CAPOS_XFER_MOVE */
};
_Static_assert(sizeof(struct capos_xfer) == 8, "capos_xfer layout");

#define CAPOS_XFER_COPY 1u
#define CAPOS_XFER_MOVE 2u
#define CAPOS_XFER_MAX 16u

/* Application error carried in a result buffer when status is CAPOS_STATUS_APP_ERROR. */
struct capos_app_error {
	int32_t code;          /* server-defined */
	uint32_t message_len;  /* bytes of message that follow */
	char message[];
};

/*
 * Endpoint IPC (docs/ipc.md).
 *
 * CALL on a client capability of an endpoint carries iface, method,
 * parameters and transfer descriptors to the server.  RECV (cap = the
 * Endpoint handle, result buffer) completes with one message written to
 * the result buffer: a struct capos_ipc_msg followed by the parameter
 * bytes; the CQE's aux is the reply token, its caps the number of
 * capabilities received (listed in the header with their interface ids).
 * RETURN (aux = token, params = the reply, transfer descriptors, flag
 * CAPOS_SQE_F_APP_ERROR for an application error) completes the CALL:
 * the caller's result buffer gets the reply bytes and, when capabilities
 * came back, a struct capos_ipc_cap per capability at the next multiple of
 * 8 bytes after them; the CALL's CQE has result_len = reply bytes, caps =
 * how many, aux = the first handle, status 0 or CAPOS_STATUS_APP_ERROR.
 * A RETURN with CAPOS_SQE_F_STATUS (params = one int32_t, a CAPOS_E* code
 * from -1 down, no transfers) completes the CALL with that status and no
 * bytes, so a service keeps the kernel's error convention.
 *
 * badge is the word the server gave the client capability called when it
 * minted it (Endpoint.mint; 0 for EndpointFactory.create's first client
 * and unbadged mints), copied by the kernel from the capability: no
 * caller can forge or change it, and derived copies and transfers keep it.
 */
#define CAPOS_IFACE_USER_MIN 0x1000u   /* interface ids below are the kernel's */

struct capos_ipc_cap {
	uint32_t handle;       /* in the receiver's table */
	uint32_t iface;
};
_Static_assert(sizeof(struct capos_ipc_cap) == 8, "capos_ipc_cap layout");

struct capos_ipc_msg {
	uint64_t badge;        /* the badge of the client capability called (Endpoint.mint) */
	uint32_t iface;        /* as the caller named it (the client capability's interface) */
	uint16_t method;
	uint16_t cap_count;    /* entries of caps[] used */
	uint32_t params_len;   /* bytes that follow this header */
	uint32_t result_cap;   /* capacity of the caller's result buffer */
	struct capos_ipc_cap caps[CAPOS_XFER_MAX];
	uint8_t params[];
};
_Static_assert(sizeof(struct capos_ipc_msg) == 152, "capos_ipc_msg layout");
_Static_assert(__builtin_offsetof(struct capos_ipc_msg, caps) == 24, "capos_ipc_msg layout");

/* Where the received capabilities start in a CALL's result buffer. */
static inline uint32_t capos_ipc_caps_offset(uint32_t reply_len) { return (reply_len + 7u) & ~7u; }

#define CAPOS_APP_ERROR_MESSAGE_MAX 256u

/* Limits on buffers named by an SQE. */
#define CAPOS_RING_MAX_ENTRIES 4096u
#define CAPOS_MSG_MAX 65536u   /* bounds params_len and result_len (a RECV buffer may add sizeof(struct capos_ipc_msg)) */

/* System call number of cap_enter (the only one): rax = 0, rdi = min_complete, rsi = timeout_ns. */
#define CAPOS_SYS_CAP_ENTER 0
#define CAPOS_TIMEOUT_INFINITE UINT64_MAX

/* Pure index helpers, shared by kernel and libOS. */
static inline uint32_t capos_ring_used(uint32_t head, uint32_t tail) { return tail - head; }
static inline int capos_ring_valid(uint32_t head, uint32_t tail, uint32_t entries)
{
	return tail - head <= entries;
}
static inline uint32_t capos_ring_slot(uint32_t index, uint32_t entries) { return index & (entries - 1); }

#endif
