/*
 * Session labels (user and profile names): 1..31 characters of
 * [a-z0-9_-], the alphabet of sessiond's session records
 * (apps/sessiond/records.h).  Shared by sessiond and the broker; pure.
 */
#ifndef SESSION_LABEL_H
#define SESSION_LABEL_H

#include <stddef.h>

#define SESSION_LABEL_MAX 31   /* characters; the fields hold one more for the NUL */

static inline int session_label_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* 1 when s[0..len) is a valid label. */
static inline int session_label_ok(const char *s, size_t len)
{
	if (len == 0 || len > SESSION_LABEL_MAX)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!session_label_char(s[i]))
			return 0;
	return 1;
}

#endif
