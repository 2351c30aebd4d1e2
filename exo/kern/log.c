/*
 * Kernel log: formats into the serial console and a ring buffer.
 * Lock order: log_lock is a leaf; nothing is called with it held except
 * the serial driver and the formatter.
 */
#include <stdint.h>
#include <capos/error.h>
#include "log.h"
#include "clock.h"
#include "serial.h"
#include "spinlock.h"
#include "../lib/fmt.h"
#include "../lib/string.h"

#define LOG_RING_SIZE 16384u

static struct spinlock log_lock = SPINLOCK_INIT;
static enum log_level threshold = LOG_INFO;
static int panicking;
/* Guarded by log_lock. */
static char ring[LOG_RING_SIZE];
static uint64_t ring_head; /* total bytes ever written */

static const char *const level_names[] = { "error", "warn", "info", "debug" };

void log_set_level(enum log_level level)
{
	threshold = level;
}

int log_parse_level(const char *name, enum log_level *out)
{
	for (int i = 0; i <= LOG_DEBUG; i++) {
		if (strcmp(name, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return -CAPOS_EINVAL;
}

static void sink(void *ctx, char c)
{
	(void)ctx;
	ring[ring_head++ % LOG_RING_SIZE] = c;
	serial_putc(c);
}

static uint64_t lock_log(void)
{
	return panicking ? irq_save() : spin_lock_irqsave(&log_lock);
}

static void unlock_log(uint64_t flags)
{
	if (panicking)
		irq_restore(flags);
	else
		spin_unlock_irqrestore(&log_lock, flags);
}

static void emit(void *unused, const char *fmt, ...)
{
	va_list ap;

	(void)unused;
	va_start(ap, fmt);
	fmt_vformat(sink, NULL, fmt, ap);
	va_end(ap);
}

void kvlog(enum log_level level, const char *fmt, va_list ap)
{
	uint64_t ns, flags;

	if (level > threshold)
		return;
	ns = clock_ns();
	flags = lock_log();
	emit(NULL, "[%5llu.%06llu] %s: ", (unsigned long long)(ns / 1000000000u),
	     (unsigned long long)(ns / 1000u % 1000000u), level_names[level]);
	fmt_vformat(sink, NULL, fmt, ap);
	sink(NULL, '\n');
	unlock_log(flags);
}

void klog(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kvlog(level, fmt, ap);
	va_end(ap);
}

void kprintf(const char *fmt, ...)
{
	va_list ap;
	uint64_t flags = lock_log();

	va_start(ap, fmt);
	fmt_vformat(sink, NULL, fmt, ap);
	va_end(ap);
	unlock_log(flags);
}

/*
 * Raw bytes (Console.write) go out in slices of LOG_RAW_SLICE, the lock
 * dropped and interrupts let in between: the UART is polled, so a 4096-byte
 * write holding the lock would keep interrupts off for 4096 byte times
 * (about 350 ms at 115200 baud on a real UART).  A slice is one FIFO
 * load (1.4 ms on a real UART).  A kernel line logged meanwhile lands between two
 * slices, never inside a line of its own.
 */
#define LOG_RAW_SLICE 16u  /* the UART FIFO depth */

void log_write_raw(const char *data, size_t len)
{
	while (len) {
		size_t n = len < LOG_RAW_SLICE ? len : LOG_RAW_SLICE;
		uint64_t flags = lock_log();

		for (size_t i = 0; i < n; i++)
			sink(NULL, data[i]);
		unlock_log(flags);
		data += n;
		len -= n;
	}
}

size_t log_ring_copy(char *out, size_t size)
{
	uint64_t flags = lock_log();
	uint64_t avail = ring_head < LOG_RING_SIZE ? ring_head : LOG_RING_SIZE;
	uint64_t n = avail < size ? avail : size;
	uint64_t start = ring_head - n;

	for (uint64_t i = 0; i < n; i++)
		out[i] = ring[(start + i) % LOG_RING_SIZE];
	unlock_log(flags);
	return n;
}

void log_enter_panic(void)
{
	panicking = 1;
}
