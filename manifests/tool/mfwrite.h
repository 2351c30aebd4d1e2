/* Writing a checked manifest in the binary form of capos/manifest.h. */
#ifndef MANIFEST_MFWRITE_H
#define MANIFEST_MFWRITE_H

#include <stddef.h>
#include <stdint.h>
#include "mfmodel.h"

/* Encode m into a malloc'd buffer (*out, *size); the caller frees it.  Returns 0 or -1 (no memory). */
int mf_encode(const struct mf_manifest *m, uint8_t **out, size_t *size);

#endif
