/*
 * Finding \_S5 in the DSDT without an AML interpreter.
 *
 * The soft-off sleep type values live in "Name (_S5, Package () {a, b,
 * ...})", which AML encodes as NameOp (0x08), an optional root or parent
 * prefix ('\' or '^'), the NameSeg "_S5_", PackageOp (0x12), PkgLength,
 * NumElements and the elements.  The scan looks for that byte pattern;
 * an "_S5_" that is not preceded by NameOp (a reference inside a method,
 * part of a longer path) is skipped.  Only constant integers are
 * understood; an _S5 built by a method stays unknown (-CAPOS_ENOENT).
 *
 * Encodings: ACPI 6.5, 20.2.3 (data objects), 20.2.4 (PkgLength).
 */
#include <stddef.h>
#include <stdint.h>
#include <capos/error.h>
#include "acpi_parse.h"

#define AML_ZERO_OP 0x00
#define AML_ONE_OP 0x01
#define AML_NAME_OP 0x08
#define AML_BYTE_PREFIX 0x0a
#define AML_WORD_PREFIX 0x0b
#define AML_DWORD_PREFIX 0x0c
#define AML_QWORD_PREFIX 0x0e
#define AML_PACKAGE_OP 0x12
#define AML_ROOT_CHAR '\\'
#define AML_PARENT_CHAR '^'
#define AML_ONES_OP 0xff
#define SLP_TYP_MAX 7

/* PkgLength: lead byte bits 7:6 give 0-3 extra bytes; *len counts the PkgLength bytes too. */
static int aml_pkg_length(const uint8_t *p, size_t avail, size_t *len, size_t *used)
{
	size_t extra, value;

	if (avail < 1)
		return -CAPOS_ETRUNC;
	extra = p[0] >> 6;
	if (avail < 1 + extra)
		return -CAPOS_ETRUNC;
	if (extra == 0) {
		value = p[0] & 0x3f;
	} else {
		value = p[0] & 0x0f;
		for (size_t i = 1; i <= extra; i++)
			value |= (size_t)p[i] << (4 + 8 * (i - 1));
	}
	*len = value;
	*used = 1 + extra;
	return 0;
}

/* A constant integer term; *used is its size in bytes. */
static int aml_integer(const uint8_t *p, size_t avail, uint64_t *value, size_t *used)
{
	static const uint8_t widths[] = { [AML_BYTE_PREFIX] = 1, [AML_WORD_PREFIX] = 2,
					  [AML_DWORD_PREFIX] = 4, [AML_QWORD_PREFIX] = 8 };
	size_t width;

	if (avail < 1)
		return -CAPOS_ETRUNC;
	if (p[0] == AML_ZERO_OP || p[0] == AML_ONE_OP || p[0] == AML_ONES_OP) {
		*value = p[0] == AML_ONES_OP ? UINT64_MAX : p[0];
		*used = 1;
		return 0;
	}
	if (p[0] >= sizeof widths || widths[p[0]] == 0)
		return -CAPOS_EFORMAT;
	width = widths[p[0]];
	if (avail < 1 + width)
		return -CAPOS_ETRUNC;
	*value = 0;
	for (size_t i = 0; i < width; i++)
		*value |= (uint64_t)p[1 + i] << (8 * i);
	*used = 1 + width;
	return 0;
}

/* Decode "Package { a, b, ... }" at p (PackageOp first). */
static int aml_s5_package(const uint8_t *p, size_t avail, uint16_t *a, uint16_t *b)
{
	size_t pkg_len, used, off, n;
	uint64_t v[2] = { 0, 0 };
	int err;

	if (avail < 1 || p[0] != AML_PACKAGE_OP)
		return -CAPOS_EFORMAT;
	err = aml_pkg_length(p + 1, avail - 1, &pkg_len, &used);
	if (err)
		return err;
	if (pkg_len > avail - 1)
		return -CAPOS_ETRUNC;
	if (pkg_len < used + 1 || p[1 + used] == 0)
		return -CAPOS_EFORMAT;  /* no NumElements, or an empty package */
	n = p[1 + used] < 2 ? p[1 + used] : 2;
	off = 1 + used + 1;
	for (size_t i = 0; i < n; i++) {
		err = aml_integer(p + off, 1 + pkg_len - off, &v[i], &used);
		if (err)
			return err;
		off += used;
	}
	if (n == 1)
		v[1] = v[0];
	if (v[0] > SLP_TYP_MAX || v[1] > SLP_TYP_MAX)
		return -CAPOS_EFORMAT;
	*a = (uint16_t)v[0];
	*b = (uint16_t)v[1];
	return 0;
}

/* Is the NameSeg at aml[i] the name of a NameOp (possibly behind '\' or '^' prefixes)? */
static bool aml_named_here(const uint8_t *aml, size_t i)
{
	while (i > 0 && (aml[i - 1] == AML_ROOT_CHAR || aml[i - 1] == AML_PARENT_CHAR))
		i--;
	return i > 0 && aml[i - 1] == AML_NAME_OP;
}

int acpi_s5_find(const uint8_t *aml, size_t len, uint16_t *slp_typ_a, uint16_t *slp_typ_b)
{
	int result = -CAPOS_ENOENT;

	for (size_t i = 0; i + 4 <= len; i++) {
		int err;

		if (aml[i] != '_' || aml[i + 1] != 'S' || aml[i + 2] != '5' || aml[i + 3] != '_')
			continue;
		if (!aml_named_here(aml, i))
			continue;
		err = aml_s5_package(aml + i + 4, len - i - 4, slp_typ_a, slp_typ_b);
		if (err == 0)
			return 0;
		result = err;  /* malformed: keep looking, report the problem if nothing better */
	}
	return result;
}
