/*
 * The boot package: \capos\boot.pkg, checked whole by exo/lib/bootpkg.c
 * before the kernel is started, so a corrupt package stops the boot on
 * the firmware console rather than deep inside the kernel.
 */
#include "console.h"
#include "loader.h"
#include "../lib/bootpkg.h"

EFI_STATUS pkgcheck(struct loader *ld)
{
	struct bootpkg_view view;
	struct bootpkg_fault fault = { -1, "unknown" };

	if (bootpkg_open(&view, ld->pkg.data, ld->pkg.size, &fault) < 0) {
		if (fault.entry >= 0)
			con_error("%s: corrupt boot package: entry %d: %s", ld->pkg.path,
				  fault.entry, fault.what);
		else
			con_error("%s: corrupt boot package: %s", ld->pkg.path, fault.what);
		return EFI_VOLUME_CORRUPTED;
	}
	ld->pkg_entries = view.count;
	return EFI_SUCCESS;
}
