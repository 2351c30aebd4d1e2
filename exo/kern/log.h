/*
 * Kernel log.  Each line carries a timestamp (seconds since boot) and a
 * level; lines below the threshold (command line "loglevel=") are dropped.
 * Every line also lands in an in-memory ring (log_ring_copy) for later
 * readers.  kprintf writes raw text with no prefix, for multi-line dumps.
 * All entry points are safe with interrupts off and from exception
 * handlers; a lock serialises lines between CPUs.
 */
#ifndef EXO_KERN_LOG_H
#define EXO_KERN_LOG_H
#include <stdarg.h>
#include <stddef.h>

enum log_level { LOG_ERROR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

void log_set_level(enum log_level level);
int log_parse_level(const char *name, enum log_level *out); /* 0 or -CAPOS_EINVAL */

void klog(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void kvlog(enum log_level level, const char *fmt, va_list ap);
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define kerror(...) klog(LOG_ERROR, __VA_ARGS__)
#define kwarn(...)  klog(LOG_WARN, __VA_ARGS__)
#define kinfo(...)  klog(LOG_INFO, __VA_ARGS__)
#define kdebug(...) klog(LOG_DEBUG, __VA_ARGS__)

/* Raw bytes from a process's Console capability, kept whole between log lines. */
void log_write_raw(const char *data, size_t len);

/* Copy the newest up-to-size bytes of the log ring; returns bytes copied. */
size_t log_ring_copy(char *out, size_t size);

/* After a panic starts, take no locks: the holder may be the dead context. */
void log_enter_panic(void);

#endif
