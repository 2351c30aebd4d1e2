/*
 * Output side of the loader console: converts ASCII to UCS-2 for the
 * firmware's ConOut while boot services run, and polls COM1 directly once
 * they are gone (OVMF leaves the UART programmed at 115200 8N1).
 */
#include <efi.h>
#include <efilib.h>
#include "console.h"
#include "port.h"

#define CONOUT_CHUNK 128

static BOOLEAN conout_exited;

static void com1_putc(char c)
{
	for (int spin = 0; spin < 100000; spin++)
		if (port_inb(PORT_COM1 + 5) & 0x20)
			break;
	port_outb(PORT_COM1, (uint8_t)c);
}

static void com1_write(const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			com1_putc('\r');
		com1_putc(*s);
	}
}

/* ASCII to UCS-2 in chunks, LF expanded to CR LF. */
static void firmware_write(const char *s)
{
	CHAR16 buf[CONOUT_CHUNK + 3];
	UINTN n = 0;

	for (; *s; s++) {
		if (*s == '\n')
			buf[n++] = L'\r';
		buf[n++] = (unsigned char)*s < 0x80 ? (CHAR16)*s : L'?';
		if (n >= CONOUT_CHUNK) {
			buf[n] = 0;
			ST->ConOut->OutputString(ST->ConOut, buf);
			n = 0;
		}
	}
	buf[n] = 0;
	if (n)
		ST->ConOut->OutputString(ST->ConOut, buf);
}

void con_write(const char *s)
{
	if (conout_exited || !ST || !ST->ConOut)
		com1_write(s);
	else
		firmware_write(s);
}

void con_boot_services_exited(void)
{
	conout_exited = TRUE;
}

/* A short name for the statuses the loader meets, for messages. */
const char *con_status_name(EFI_STATUS st)
{
	switch (st) {
	case EFI_SUCCESS: return "EFI_SUCCESS";
	case EFI_LOAD_ERROR: return "EFI_LOAD_ERROR";
	case EFI_INVALID_PARAMETER: return "EFI_INVALID_PARAMETER";
	case EFI_UNSUPPORTED: return "EFI_UNSUPPORTED";
	case EFI_BAD_BUFFER_SIZE: return "EFI_BAD_BUFFER_SIZE";
	case EFI_BUFFER_TOO_SMALL: return "EFI_BUFFER_TOO_SMALL";
	case EFI_DEVICE_ERROR: return "EFI_DEVICE_ERROR";
	case EFI_VOLUME_CORRUPTED: return "EFI_VOLUME_CORRUPTED";
	case EFI_OUT_OF_RESOURCES: return "EFI_OUT_OF_RESOURCES";
	case EFI_NOT_FOUND: return "EFI_NOT_FOUND";
	case EFI_ACCESS_DENIED: return "EFI_ACCESS_DENIED";
	case EFI_END_OF_FILE: return "EFI_END_OF_FILE";
	case EFI_ABORTED: return "EFI_ABORTED";
	default: return "EFI error";
	}
}
