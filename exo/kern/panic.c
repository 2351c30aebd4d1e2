/* panic(): last words of a broken kernel. */
#include <stdarg.h>
#include <stdint.h>
#include <capos/verdict.h>
#include "panic.h"
#include "backtrace.h"
#include "log.h"
#include "verdict.h"
#include "../lib/fmt.h"
#include "../arch/x86_64/cpu.h"

static int depth;

void panic(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	irq_disable();
	log_enter_panic();
	if (depth++) {
		/* Panicked while panicking: say so and stop with no more work. */
		kprintf("\nKERNEL PANIC (nested)\n");
		verdict_exit(CAPOS_VERDICT_PANIC);
	}
	va_start(ap, fmt);
	kvsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	kprintf("\nKERNEL PANIC: %s\n", msg);
	backtrace_print((uint64_t)__builtin_frame_address(0));
	verdict_exit(CAPOS_VERDICT_PANIC);
}
