/* ISA line routing and the reserved lines (see isairq.h). */
#include <capos/error.h>
#include "isairq.h"

#define INTI_POLARITY_MASK 0x3u
#define INTI_POLARITY_LOW  0x3u
#define INTI_TRIGGER_SHIFT 2
#define INTI_TRIGGER_MASK  0x3u
#define INTI_TRIGGER_LEVEL 0x3u

#define LINE_TIMER   0u
#define LINE_CASCADE 2u
#define LINE_COM1    4u

void isa_irq_route(const struct isa_override *iso, uint32_t n, uint8_t line, struct isa_route *out)
{
	/* ISA's own conventions; "conforms to the bus" (0) and reserved encodings keep them. */
	out->gsi = line;
	out->level = false;
	out->active_low = false;
	for (uint32_t i = 0; i < n; i++) {
		if (iso[i].bus_irq != line)
			continue;
		out->gsi = iso[i].gsi;
		out->active_low = (iso[i].flags & INTI_POLARITY_MASK) == INTI_POLARITY_LOW;
		out->level = ((iso[i].flags >> INTI_TRIGGER_SHIFT) & INTI_TRIGGER_MASK) == INTI_TRIGGER_LEVEL;
		return;
	}
}

static bool reserved_line(uint32_t line, uint32_t sci_irq)
{
	return line == LINE_TIMER || line == LINE_CASCADE || line == LINE_COM1 || line == sci_irq;
}

int isa_irq_grantable(const struct isa_override *iso, uint32_t n, uint32_t line, uint32_t sci_irq)
{
	static const uint32_t kept[] = { LINE_TIMER, LINE_CASCADE, LINE_COM1 };
	struct isa_route want, other;

	if (line >= ISA_IRQ_LINES)
		return -CAPOS_ERANGE;
	if (reserved_line(line, sci_irq))
		return -CAPOS_EPERM;
	isa_irq_route(iso, n, (uint8_t)line, &want);
	for (uint32_t i = 0; i < sizeof kept / sizeof kept[0]; i++) {
		isa_irq_route(iso, n, (uint8_t)kept[i], &other);
		if (other.gsi == want.gsi)
			return -CAPOS_EPERM;
	}
	if (sci_irq < ISA_IRQ_LINES) {
		isa_irq_route(iso, n, (uint8_t)sci_irq, &other);
		if (other.gsi == want.gsi)
			return -CAPOS_EPERM;
	}
	return 0;
}
