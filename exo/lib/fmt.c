/*
 * The formatter behind klog and ksnprintf.  fmt_vformat parses one
 * conversion spec at a time into struct spec, turns the argument into
 * digits or a string, then emits padding, sign/prefix, zeros and body in
 * the order C's printf does.
 */
#include <stdint.h>
#include "fmt.h"

struct spec {
	int left, zero, plus, space, alt;
	int width;      /* -1: none */
	int precision;  /* -1: none */
	int length;     /* 'H' hh, 'h', 'l', 'L' ll, 'z' */
	char conv;
};

struct out {
	fmt_sink sink;
	void *ctx;
	int count;
};

static void put(struct out *o, char c)
{
	o->sink(o->ctx, c);
	o->count++;
}

static void put_n(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

static const char *parse_int(const char *p, int *v)
{
	*v = 0;
	while (*p >= '0' && *p <= '9')
		*v = *v * 10 + (*p++ - '0');
	return p;
}

static const char *parse_spec(const char *p, struct spec *s, va_list *ap)
{
	*s = (struct spec){ .width = -1, .precision = -1 };
	for (;; p++) {
		if (*p == '-') s->left = 1;
		else if (*p == '0') s->zero = 1;
		else if (*p == '+') s->plus = 1;
		else if (*p == ' ') s->space = 1;
		else if (*p == '#') s->alt = 1;
		else break;
	}
	if (*p == '*') {
		s->width = va_arg(*ap, int);
		if (s->width < 0) {
			s->left = 1;
			s->width = -s->width;
		}
		p++;
	} else if (*p >= '0' && *p <= '9') {
		p = parse_int(p, &s->width);
	}
	if (*p == '.') {
		p++;
		if (*p == '*') {
			s->precision = va_arg(*ap, int);
			p++;
		} else {
			p = parse_int(p, &s->precision);
		}
	}
	if (*p == 'h') {
		s->length = (p[1] == 'h') ? 'H' : 'h';
		p += (p[1] == 'h') ? 2 : 1;
	} else if (*p == 'l') {
		s->length = (p[1] == 'l') ? 'L' : 'l';
		p += (p[1] == 'l') ? 2 : 1;
	} else if (*p == 'z') {
		s->length = 'z';
		p++;
	}
	s->conv = *p;
	return *p ? p + 1 : p;
}

static uint64_t fetch_unsigned(const struct spec *s, va_list *ap)
{
	switch (s->length) {
	case 'H': return (unsigned char)va_arg(*ap, unsigned int);
	case 'h': return (unsigned short)va_arg(*ap, unsigned int);
	case 'l': return va_arg(*ap, unsigned long);
	case 'L': return va_arg(*ap, unsigned long long);
	case 'z': return va_arg(*ap, size_t);
	default: return va_arg(*ap, unsigned int);
	}
}

static int64_t fetch_signed(const struct spec *s, va_list *ap)
{
	switch (s->length) {
	case 'H': return (signed char)va_arg(*ap, int);
	case 'h': return (short)va_arg(*ap, int);
	case 'l': return va_arg(*ap, long);
	case 'L': return va_arg(*ap, long long);
	case 'z': return (int64_t)va_arg(*ap, size_t);
	default: return va_arg(*ap, int);
	}
}

/* Emit body with padding around it: [pad][prefix][zeros][body][pad]. */
static void emit_field(struct out *o, const struct spec *s, const char *prefix,
		       const char *body, int body_len, int zeros)
{
	int prefix_len = 0;
	int pad;

	while (prefix[prefix_len])
		prefix_len++;
	pad = s->width - prefix_len - zeros - body_len;
	if (!s->left && !(s->zero && s->precision < 0 && s->conv != 's' && s->conv != 'c'))
		put_n(o, ' ', pad);
	for (int i = 0; i < prefix_len; i++)
		put(o, prefix[i]);
	if (!s->left && s->zero && s->precision < 0 && s->conv != 's' && s->conv != 'c')
		put_n(o, '0', pad);
	put_n(o, '0', zeros);
	for (int i = 0; i < body_len; i++)
		put(o, body[i]);
	if (s->left)
		put_n(o, ' ', pad);
}

static void emit_number(struct out *o, const struct spec *s, uint64_t v, int negative)
{
	char digits[24];
	const char *set = (s->conv == 'X') ? "0123456789ABCDEF" : "0123456789abcdef";
	unsigned base = (s->conv == 'x' || s->conv == 'X' || s->conv == 'p') ? 16 :
			(s->conv == 'o') ? 8 : 10;
	const char *prefix = "";
	int n = 0, zeros;
	int nonzero = v != 0;

	while (v) {
		digits[sizeof digits - 1 - n++] = set[v % base];
		v /= base;
	}
	if (n == 0 && s->precision != 0)
		digits[sizeof digits - 1 - n++] = '0';
	zeros = (s->precision > n) ? s->precision - n : 0;
	if (negative)
		prefix = "-";
	else if (s->plus && (s->conv == 'd' || s->conv == 'i'))
		prefix = "+";
	else if (s->space && (s->conv == 'd' || s->conv == 'i'))
		prefix = " ";
	else if ((s->alt && s->conv == 'x' && nonzero) || s->conv == 'p')
		prefix = "0x";
	else if (s->alt && s->conv == 'X' && nonzero)
		prefix = "0X";
	else if (s->alt && s->conv == 'o' && zeros == 0 && digits[sizeof digits - n] != '0')
		prefix = "0";
	emit_field(o, s, prefix, digits + sizeof digits - n, n, zeros);
}

static void emit_string(struct out *o, const struct spec *s, const char *str)
{
	int len = 0;

	if (!str)
		str = "(null)";
	while (str[len] && (s->precision < 0 || len < s->precision))
		len++;
	emit_field(o, s, "", str, len, 0);
}

static void emit_conversion(struct out *o, struct spec *s, va_list *ap)
{
	char c;

	switch (s->conv) {
	case 'd':
	case 'i': {
		int64_t v = fetch_signed(s, ap);
		emit_number(o, s, v < 0 ? -(uint64_t)v : (uint64_t)v, v < 0);
		break;
	}
	case 'u': case 'x': case 'X': case 'o':
		emit_number(o, s, fetch_unsigned(s, ap), 0);
		break;
	case 'p':
		emit_number(o, s, (uintptr_t)va_arg(*ap, void *), 0);
		break;
	case 's':
		emit_string(o, s, va_arg(*ap, const char *));
		break;
	case 'c':
		c = (char)va_arg(*ap, int);
		emit_field(o, s, "", &c, 1, 0);
		break;
	case '%':
		put(o, '%');
		break;
	default:
		/* Unknown conversion: show it literally so the mistake is visible. */
		put(o, '%');
		if (s->conv)
			put(o, s->conv);
	}
}

int fmt_vformat(fmt_sink sink, void *ctx, const char *fmt, va_list ap)
{
	struct out o = { sink, ctx, 0 };
	struct spec s;
	va_list args;

	va_copy(args, ap);
	while (*fmt) {
		if (*fmt != '%') {
			put(&o, *fmt++);
			continue;
		}
		fmt = parse_spec(fmt + 1, &s, &args);
		emit_conversion(&o, &s, &args);
	}
	va_end(args);
	return o.count;
}

struct buf_sink {
	char *buf;
	size_t size, used;
};

static void buf_put(void *ctx, char c)
{
	struct buf_sink *b = ctx;

	if (b->used + 1 < b->size)
		b->buf[b->used] = c;
	b->used++;
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct buf_sink b = { buf, size, 0 };
	int n = fmt_vformat(buf_put, &b, fmt, ap);

	if (size)
		buf[b.used < size ? b.used : size - 1] = '\0';
	return n;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
