/* COM1 (0x3f8) serial console: the kernel's first and last output device. */
#ifndef EXO_KERN_SERIAL_H
#define EXO_KERN_SERIAL_H
#include <stddef.h>

void serial_init(void);
void serial_putc(char c);             /* "\n" becomes "\r\n" */
void serial_write(const char *s, size_t len);

#endif
