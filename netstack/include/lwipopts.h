/*
 * lwIP 2.1.3 options for capOS (docs/network.md, "Options and why").  Only
 * what differs from lwIP's documented defaults (src/include/lwip/opt.h) is
 * set here, each with its reason.  One program owns one NIC and runs lwIP
 * on one thread from the libOS event loop (netstack/loop.c): raw API only,
 * no OS threads inside the stack.
 */
#ifndef CAPOS_LWIPOPTS_H
#define CAPOS_LWIPOPTS_H

/* ------------------------------------------------------------ the OS */

/* No threads, mailboxes or semaphores: the event loop calls lwIP. */
#define NO_SYS                       1
/* Single-threaded: nothing to protect (SYS_ARCH_PROTECT is empty). */
#define SYS_LIGHTWEIGHT_PROT         0
/* Sockets and netconn need NO_SYS=0; programs use the raw API. */
#define LWIP_SOCKET                  0
#define LWIP_NETCONN                 0
/* lwIP's random numbers (DHCP xid, TCP ISN, local ports): arch/cc.h. */

/* ---------------------------------------------------------- memory */

/* x86_64: 8-byte alignment keeps pbuf payloads and structs aligned. */
#define MEM_ALIGNMENT                8
/*
 * The heap (mem.c) holds PBUF_RAM: data tcp_write copies (TCP_WRITE_FLAG_COPY)
 * and frames lwIP builds itself (ARP, ICMP replies, DHCP).  The default
 * 1600 B fits barely one frame; 256 KiB holds two full send buffers of
 * every connection we expect to be busy at once.
 */
#define MEM_SIZE                     (256 * 1024)
/*
 * Received frames are copied from the NIC's slots into pool pbufs.  The
 * pool is the receive window of every connection plus ARP/ICMP traffic:
 * 256 buffers of one frame each (~400 KiB).  When it runs dry, frames are
 * dropped and counted (stats link.memerr), never queued in the driver.
 */
#define PBUF_POOL_SIZE               256
/* PBUF_REF/ROM headers (tcp_write without copy, ICMP/ARP headers). */
#define MEMP_NUM_PBUF                64
/* Out-of-sequence segments and unacknowledged send segments of all PCBs. */
#define MEMP_NUM_TCP_SEG             512
/*
 * Connections: 64 at once.  When the pool is empty tcp_alloc takes the
 * oldest TIME_WAIT PCB, then LAST_ACK, CLOSING and lower-priority ones
 * (tcp.c): a fixed pool, unlike the heap mode (MEMP_MEM_MALLOC) in which
 * others hit the TIME_WAIT starvation, can never be filled by TIME_WAIT.
 */
#define MEMP_NUM_TCP_PCB             64
#define MEMP_NUM_TCP_PCB_LISTEN      8
/* DHCP, DNS and the programs' own sockets. */
#define MEMP_NUM_UDP_PCB             8
/* ping (netcheck) and spare. */
#define MEMP_NUM_RAW_PCB             4
/* Frames queued behind an unresolved ARP entry. */
#define MEMP_NUM_ARP_QUEUE           32
/* lwIP's own timers plus a few for programs (sys_timeout). */
#define MEMP_NUM_SYS_TIMEOUT         (LWIP_NUM_SYS_TIMEOUT_INTERNAL + 8)

/* ------------------------------------------------------- protocols */

#define LWIP_IPV4                    1
#define LWIP_IPV6                    0
#define LWIP_ARP                     1
#define LWIP_ETHERNET                1
#define LWIP_ICMP                    1
/* Raw PCBs: ping (send echo requests, check the replies ourselves). */
#define LWIP_RAW                     1
#define LWIP_UDP                     1
#define LWIP_TCP                     1
#define LWIP_DHCP                    1
/* DHCP's DNS servers are kept (dns_getserver) and names can be resolved. */
#define LWIP_DNS                     1
/*
 * No ARP probe of the offered address before binding: it costs seconds at
 * every boot (lwIP waits for an answer that never comes on a sane network)
 * and the DHCP server is the authority on user networking and in clouds.
 */
#define DHCP_DOES_ARP_CHECK          0
/* ARP entries for every host we talk to on the link (gateway, DNS, peers). */
#define ARP_TABLE_SIZE               16
/* Queue frames for an address being resolved instead of dropping all but one. */
#define ARP_QUEUEING                 1
/* Reassembly and fragmentation stay on (defaults): a datagram may be fragmented. */
#define LWIP_NETIF_HOSTNAME          1
/* netif status/link callbacks: the program learns when DHCP bound. */
#define LWIP_NETIF_STATUS_CALLBACK   1
#define LWIP_NETIF_LINK_CALLBACK     1

/* ------------------------------------------------------------- TCP */

/* Ethernet MTU 1500 - 20 (IP) - 20 (TCP). */
#define TCP_MSS                      1460
/* 32 segments: enough to keep a user-networking link busy (the default 4 is not). */
#define TCP_WND                      (32 * TCP_MSS)
#define TCP_SND_BUF                  (32 * TCP_MSS)
#define TCP_SND_QUEUELEN             (4 * TCP_SND_BUF / TCP_MSS)
/* Announce the window in one step above 64 KiB? No: 46 KiB fits 16 bits. */
#define LWIP_WND_SCALE               0
/*
 * TIME_WAIT lasts 2 * TCP_MSL.  RFC 793's 2 minutes (lwIP's default MSL
 * 60 s) keep a PCB per closed connection for that long; under connection
 * churn (a web server) they used to be the reason new connections starved
 * in heap mode.  Here PCBs come from a pool and tcp_alloc reuses the
 * oldest TIME_WAIT one, and the MSL is 1 s on top: segments of an old
 * connection do not survive a second on the links a capOS guest sits on.
 */
#define TCP_MSL                      1000UL
/* Listen backlog is honoured (tcp_listen_with_backlog). */
#define TCP_LISTEN_BACKLOG           1
#define TCP_DEFAULT_LISTEN_BACKLOG   16
/* Keepalive available to programs (off per PCB unless asked). */
#define LWIP_TCP_KEEPALIVE           1

/* ------------------------------------------------------- checksums */

/*
 * Checksums in software, both ways (lwIP's defaults, spelled out): the
 * driver negotiates no checksum offload, and a frame the host injects with
 * a bad checksum must be dropped by the stack and counted.
 */
#define CHECKSUM_GEN_IP              1
#define CHECKSUM_GEN_UDP             1
#define CHECKSUM_GEN_TCP             1
#define CHECKSUM_GEN_ICMP            1
#define CHECKSUM_CHECK_IP            1
#define CHECKSUM_CHECK_UDP           1
#define CHECKSUM_CHECK_TCP           1
#define CHECKSUM_CHECK_ICMP          1
/* Copy-and-checksum in one pass is a win only with an assembly routine. */
#define LWIP_CHECKSUM_ON_COPY        0

/* ----------------------------------------------------------- stats */

/*
 * Counters are how drops are seen (docs/network.md, "Debugging"): per
 * protocol recv/xmit/drop/chkerr/lenerr/proterr, and memory pool use.
 * Printed by the program (netcheck `stats`), never by lwIP itself.
 */
#define LWIP_STATS                   1
#define LWIP_STATS_DISPLAY           0
#define LINK_STATS                   1
#define ETHARP_STATS                 1
#define IP_STATS                     1
#define ICMP_STATS                   1
#define UDP_STATS                    1
#define TCP_STATS                    1
#define MEM_STATS                    1
#define MEMP_STATS                   1

/* ----------------------------------------------------------- debug */

/* Off; turn a module on with e.g. -DTCP_DEBUG=LWIP_DBG_ON and LWIP_DEBUG. */
#define LWIP_DBG_MIN_LEVEL           LWIP_DBG_LEVEL_ALL
#define LWIP_DBG_TYPES_ON            LWIP_DBG_ON

#endif
