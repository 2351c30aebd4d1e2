/*
 * Reading files from the ESP: the volume the loader itself came from
 * (LoadedImage->DeviceHandle, SimpleFileSystem).  Large files go into
 * whole pages of a capOS memory type so the final memory map names them;
 * small ones (the command line) into a caller buffer.
 */
#include "console.h"
#include "loader.h"

#define FILE_INFO_BYTES (SIZE_OF_EFI_FILE_INFO + 512)

EFI_STATUS file_open_volume(struct loader *ld)
{
	EFI_LOADED_IMAGE *li = NULL;
	EFI_FILE_IO_INTERFACE *fs = NULL;
	EFI_STATUS st;

	st = BS->HandleProtocol(ld->image, &gEfiLoadedImageProtocolGuid, (void **)&li);
	if (EFI_ERROR(st) || !li) {
		con_error("cannot find the loader's own image (LoadedImage protocol): %s",
			  con_status_name(st));
		return EFI_ERROR(st) ? st : EFI_NOT_FOUND;
	}
	st = BS->HandleProtocol(li->DeviceHandle, &gEfiSimpleFileSystemProtocolGuid, (void **)&fs);
	if (EFI_ERROR(st) || !fs) {
		con_error("the boot device has no FAT file system the firmware can read: %s",
			  con_status_name(st));
		return EFI_ERROR(st) ? st : EFI_NOT_FOUND;
	}
	st = fs->OpenVolume(fs, &ld->root);
	if (EFI_ERROR(st))
		con_error("cannot open the boot volume: %s", con_status_name(st));
	return st;
}

/* Open path read-only and return its size; EFI_NOT_FOUND is left to the caller. */
static EFI_STATUS file_open(struct loader *ld, const CHAR16 *path, const char *name,
			    EFI_FILE_HANDLE *fh, uint64_t *size)
{
	UINT64 info_buf[FILE_INFO_BYTES / 8];
	EFI_FILE_INFO *info = (EFI_FILE_INFO *)info_buf;
	UINTN info_size = sizeof info_buf;
	EFI_STATUS st;

	st = ld->root->Open(ld->root, fh, (CHAR16 *)path, EFI_FILE_MODE_READ, 0);
	if (st == EFI_NOT_FOUND)
		return st;
	if (EFI_ERROR(st)) {
		con_error("%s: cannot open: %s", name, con_status_name(st));
		return st;
	}
	st = (*fh)->GetInfo(*fh, &gEfiFileInfoGuid, &info_size, info);
	if (EFI_ERROR(st)) {
		con_error("%s: cannot read file information: %s", name, con_status_name(st));
		(*fh)->Close(*fh);
		return st;
	}
	if (info->Attribute & EFI_FILE_DIRECTORY) {
		con_error("%s: is a directory, not a file", name);
		(*fh)->Close(*fh);
		return EFI_NOT_FOUND;
	}
	*size = info->FileSize;
	return EFI_SUCCESS;
}

/* Read exactly size bytes; the firmware may return fewer per call. */
static EFI_STATUS file_read_all(EFI_FILE_HANDLE fh, const char *name, void *buf, uint64_t size)
{
	uint64_t done = 0;

	while (done < size) {
		UINTN n = size - done;
		EFI_STATUS st = fh->Read(fh, &n, (uint8_t *)buf + done);

		if (EFI_ERROR(st)) {
			con_error("%s: read error at byte %llu: %s", name,
				  (unsigned long long)done, con_status_name(st));
			return st;
		}
		if (n == 0) {
			con_error("%s: file ends at byte %llu, before its recorded size %llu", name,
				  (unsigned long long)done, (unsigned long long)size);
			return EFI_END_OF_FILE;
		}
		done += n;
	}
	return EFI_SUCCESS;
}

static EFI_STATUS file_alloc(struct loader *ld, const char *name, enum capos_mem_type type,
			     struct loader_file *out)
{
	EFI_PHYSICAL_ADDRESS addr = 0;
	EFI_STATUS st;

	out->pages = loader_pages(out->size ? out->size : 1);
	st = BS->AllocatePages(AllocateAnyPages, loader_mem_type(type), out->pages, &addr);
	if (EFI_ERROR(st)) {
		con_error("%s: not enough memory to load it: %llu KiB needed, %llu KiB of RAM free",
			  name, (unsigned long long)(out->pages * 4),
			  (unsigned long long)memmap_free_kib(ld));
		return EFI_OUT_OF_RESOURCES;
	}
	out->data = (uint8_t *)(uintptr_t)addr;
	return EFI_SUCCESS;
}

EFI_STATUS file_read_pages(struct loader *ld, const CHAR16 *path, const char *name,
			   enum capos_mem_type type, struct loader_file *out)
{
	EFI_FILE_HANDLE fh;
	EFI_STATUS st;

	out->path = name;
	st = file_open(ld, path, name, &fh, &out->size);
	if (st == EFI_NOT_FOUND)
		con_error("%s: file not found on the boot volume", name);
	if (EFI_ERROR(st))
		return st;
	st = file_alloc(ld, name, type, out);
	if (!EFI_ERROR(st))
		st = file_read_all(fh, name, out->data, out->size);
	fh->Close(fh);
	return st;
}

EFI_STATUS file_read_small(struct loader *ld, const CHAR16 *path, const char *name,
			   char *buf, UINTN cap, UINTN *len)
{
	EFI_FILE_HANDLE fh;
	uint64_t size;
	EFI_STATUS st;

	st = file_open(ld, path, name, &fh, &size);
	if (EFI_ERROR(st))
		return st;
	if (size > cap) {
		con_error("%s: too long: %llu bytes, at most %llu allowed", name,
			  (unsigned long long)size, (unsigned long long)cap);
		fh->Close(fh);
		return EFI_BAD_BUFFER_SIZE;
	}
	st = file_read_all(fh, name, buf, size);
	fh->Close(fh);
	*len = size;
	return st;
}
