/*
 * Loader console: formatted ASCII lines for the user.  Before
 * ExitBootServices text goes to the firmware's ConOut (OVMF mirrors it to
 * the serial port); afterwards straight to COM1.  This header carries no
 * EFI types so the formatting side (console.c) can use <stdarg.h> without
 * meeting GNU-EFI's own va_list.
 */
#ifndef EXO_BOOT_CONSOLE_H
#define EXO_BOOT_CONSOLE_H

#define CON_PREFIX "capOS loader: "

/* printf-style (exo/lib/fmt.h conversions); "\n" becomes CR LF. */
void con_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One line "capOS loader: error: <text>". */
void con_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Raw output of an ASCII string (conout.c). */
void con_write(const char *s);

/* From now on write to COM1 only: boot services are gone (conout.c). */
void con_boot_services_exited(void);

#endif
