/*
 * Facts about the machine the kernel cannot easily learn after boot
 * services end: the ACPI RSDP (2.0 preferred over 1.0) from the firmware
 * configuration table, the GOP framebuffer if there is one, and the
 * firmware vendor string and revision.
 */
#include "console.h"
#include "loader.h"

static EFI_GUID sysinfo_acpi20_guid = ACPI_20_TABLE_GUID;
static EFI_GUID sysinfo_acpi10_guid = ACPI_TABLE_GUID;

static bool sysinfo_guid_equal(const EFI_GUID *a, const EFI_GUID *b)
{
	const uint8_t *x = (const uint8_t *)a, *y = (const uint8_t *)b;

	for (unsigned i = 0; i < sizeof(EFI_GUID); i++)
		if (x[i] != y[i])
			return false;
	return true;
}

static uint64_t sysinfo_find_table(const EFI_GUID *guid)
{
	for (UINTN i = 0; i < ST->NumberOfTableEntries; i++) {
		EFI_CONFIGURATION_TABLE *t = &ST->ConfigurationTable[i];

		if (sysinfo_guid_equal(&t->VendorGuid, guid))
			return (uint64_t)(uintptr_t)t->VendorTable;
	}
	return 0;
}

static void sysinfo_rsdp(struct capos_boot_info *bi)
{
	bi->rsdp_phys = sysinfo_find_table(&sysinfo_acpi20_guid);
	if (!bi->rsdp_phys)
		bi->rsdp_phys = sysinfo_find_table(&sysinfo_acpi10_guid);
}

static void sysinfo_framebuffer(struct capos_boot_info *bi)
{
	EFI_GRAPHICS_OUTPUT_PROTOCOL *gop = NULL;
	EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *info;
	EFI_STATUS st;

	bi->fb.format = CAPOS_FB_NONE;
	st = BS->LocateProtocol(&gEfiGraphicsOutputProtocolGuid, NULL, (void **)&gop);
	if (EFI_ERROR(st) || !gop || !gop->Mode || !gop->Mode->Info)
		return;
	info = gop->Mode->Info;
	if (info->PixelFormat == PixelRedGreenBlueReserved8BitPerColor)
		bi->fb.format = CAPOS_FB_RGBX8888;
	else if (info->PixelFormat == PixelBlueGreenRedReserved8BitPerColor)
		bi->fb.format = CAPOS_FB_BGRX8888;
	else
		return;
	bi->fb.phys = gop->Mode->FrameBufferBase;
	bi->fb.size = gop->Mode->FrameBufferSize;
	bi->fb.width = info->HorizontalResolution;
	bi->fb.height = info->VerticalResolution;
	bi->fb.pitch = info->PixelsPerScanLine * 4;
}

static void sysinfo_vendor(struct capos_boot_info *bi)
{
	const CHAR16 *v = ST->FirmwareVendor;
	unsigned n = 0;

	for (; v && v[n] && n < CAPOS_FW_VENDOR_MAX - 1; n++)
		bi->fw_vendor[n] = v[n] >= 0x20 && v[n] < 0x7f ? (char)v[n] : '?';
	bi->fw_vendor[n] = '\0';
	bi->fw_revision = ST->FirmwareRevision;
}

void sysinfo_fill(struct loader *ld)
{
	sysinfo_rsdp(ld->bi);
	sysinfo_framebuffer(ld->bi);
	sysinfo_vendor(ld->bi);
}
