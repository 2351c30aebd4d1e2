/*
 * FADT ("FACP") decoding: the PM timer, the PM1 control blocks used for
 * S5 power-off, the DSDT address, the SCI and the SMI command that puts
 * the machine in ACPI mode.  Layout: ACPI 6.5, 5.2.9 (table 5.9).
 *
 * Revision 1 tables end after the Flags field (116 bytes); the 64-bit
 * "X_" fields exist only when the table is long enough.  An X_ block is
 * used when it is present and in system I/O space, else the 32-bit
 * legacy field.  Port numbers above 0xffff are treated as absent.
 */
#include <stddef.h>
#include <stdint.h>
#include <capos/error.h>
#include "acpi_parse.h"

#define FADT_DSDT 40
#define FADT_SCI_INT 46
#define FADT_SMI_CMD 48
#define FADT_ACPI_ENABLE 52
#define FADT_PM1A_CNT_BLK 64
#define FADT_PM1B_CNT_BLK 68
#define FADT_PM_TMR_BLK 76
#define FADT_PM_TMR_LEN 91
#define FADT_FLAGS 112
#define FADT_MIN_LENGTH 116u
#define FADT_X_DSDT 140
#define FADT_X_PM1A_CNT_BLK 172
#define FADT_X_PM1B_CNT_BLK 184
#define FADT_X_PM_TMR_BLK 208
#define FADT_FLAG_TMR_VAL_EXT (1u << 8)
#define GAS_SIZE 12u
#define GAS_SPACE_IO 1
#define PM_TMR_LEN 4

/* An X_ block in system I/O space: true with *port set (0 when above 0xffff). */
static bool fadt_x_port(const uint8_t *t, uint32_t len, uint32_t x_off, uint32_t *port)
{
	const uint8_t *gas = t + x_off;
	uint64_t address;

	if (len < x_off + GAS_SIZE)
		return false;
	address = acpi_get64(gas + 4);
	if (gas[0] != GAS_SPACE_IO || address == 0)
		return false;
	*port = address <= 0xffff ? (uint32_t)address : 0;
	return true;
}

static uint32_t fadt_legacy_port(const uint8_t *t, uint32_t off)
{
	uint32_t port = acpi_get32(t + off);

	return port <= 0xffff ? port : 0;
}

static uint32_t fadt_port(const uint8_t *t, uint32_t len, uint32_t x_off, uint32_t legacy_off)
{
	uint32_t port;

	return fadt_x_port(t, len, x_off, &port) ? port : fadt_legacy_port(t, legacy_off);
}

/* The legacy timer block must be 4 bytes long (PM_TMR_LEN); an X_ block states its own. */
static uint32_t fadt_pm_timer(const uint8_t *t, uint32_t len)
{
	uint32_t port;

	if (fadt_x_port(t, len, FADT_X_PM_TMR_BLK, &port))
		return port;
	return t[FADT_PM_TMR_LEN] == PM_TMR_LEN ? fadt_legacy_port(t, FADT_PM_TMR_BLK) : 0;
}

static uint64_t fadt_dsdt(const uint8_t *t, uint32_t len)
{
	uint64_t x_dsdt = len >= FADT_X_DSDT + 8 ? acpi_get64(t + FADT_X_DSDT) : 0;

	return x_dsdt ? x_dsdt : acpi_get32(t + FADT_DSDT);
}

int acpi_fadt_parse(const uint8_t *t, uint32_t len, struct acpi_info *info)
{
	if (len < FADT_MIN_LENGTH)
		return -CAPOS_ETRUNC;
	info->pm_timer_port = fadt_pm_timer(t, len);
	info->pm_timer_32bit = (acpi_get32(t + FADT_FLAGS) & FADT_FLAG_TMR_VAL_EXT) != 0;
	info->pm1a_cnt_port = fadt_port(t, len, FADT_X_PM1A_CNT_BLK, FADT_PM1A_CNT_BLK);
	info->pm1b_cnt_port = fadt_port(t, len, FADT_X_PM1B_CNT_BLK, FADT_PM1B_CNT_BLK);
	info->dsdt_phys = fadt_dsdt(t, len);
	info->sci_irq = acpi_get16(t + FADT_SCI_INT);
	info->smi_cmd_port = fadt_legacy_port(t, FADT_SMI_CMD);
	info->acpi_enable_value = t[FADT_ACPI_ENABLE];
	return 0;
}
