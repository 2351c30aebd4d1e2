/*
 * Network buffer queues: how a NIC driver and a network stack exchange
 * frames (docs/network.md), in the shape of seL4 sDDF's queues.  Both sides
 * share one buffer region of fixed-size slots and four single-producer,
 * single-consumer queues of descriptors naming slots by offset:
 *
 *   rx_free    stack -> driver   empty slots the driver may fill
 *   rx_active  driver -> stack   received frames
 *   tx_active  stack -> driver   frames to send
 *   tx_free    driver -> stack   sent slots, given back
 *
 * Neither side ever holds a pointer into the other's memory: a descriptor
 * is an offset and a length, and the consumer checks both against the
 * region before it touches anything (a multiplexer, or a hostile peer,
 * may sit on the other side).  Indices are free-running uint32_t counters;
 * a slot is index & (capacity - 1), capacity a power of two.  The producer
 * writes the entry, then publishes tail with release semantics; the
 * consumer reads tail with acquire semantics, then the entry, then
 * publishes head with release semantics.
 *
 * Notification is the caller's business (same thread: a call; across
 * processes: a ring operation).  consumer_waiting lets a producer skip
 * it: the consumer sets it before it sleeps and re-checks the queue.
 */
#ifndef CAPOS_NETQ_H
#define CAPOS_NETQ_H

#include <stdbool.h>
#include <stdint.h>

struct capos_netq_desc {
	uint32_t offset;          /* slot's offset in the buffer region */
	uint32_t len;             /* frame bytes (0 for a free slot) */
};

struct capos_netq {
	uint32_t head;            /* written by the consumer */
	uint32_t tail;            /* written by the producer */
	uint32_t capacity;        /* power of two, fixed at creation */
	uint32_t consumer_waiting;
	struct capos_netq_desc *ring;   /* capacity entries */
};

/* A queue over caller-owned storage; capacity a power of two (else -CAPOS_EINVAL). */
int capos_netq_init(struct capos_netq *q, struct capos_netq_desc *storage, uint32_t capacity);

/* Producer side: 0, or -CAPOS_EAGAIN when the queue is full. */
int capos_netq_push(struct capos_netq *q, struct capos_netq_desc d);

/* Consumer side: 0, or -CAPOS_EAGAIN when the queue is empty. */
int capos_netq_pop(struct capos_netq *q, struct capos_netq_desc *d);

uint32_t capos_netq_count(const struct capos_netq *q);
bool capos_netq_empty(const struct capos_netq *q);
bool capos_netq_full(const struct capos_netq *q);

/*
 * A descriptor is usable only if it names a whole slot of the region:
 * offset a multiple of slot_size below region_size, len <= slot_size.
 */
bool capos_netq_desc_valid(struct capos_netq_desc d, uint32_t region_size, uint32_t slot_size);

/* The four queues of one NIC, and the region they index. */
struct capos_netq_set {
	struct capos_netq rx_free, rx_active, tx_active, tx_free;
	uint8_t *region;          /* buffer slots, mapped in both parties */
	uint32_t region_size;
	uint32_t slot_size;       /* >= 1536: one Ethernet frame without FCS */
};

#endif
