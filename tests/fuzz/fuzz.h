/*
 * libFuzzer harnesses (make fuzz): the entry point each harness defines,
 * and the NUL-terminated copy that parsers of C strings need.
 */
#ifndef BOMD_FUZZ_H
#define BOMD_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util.h"

/* Called by libFuzzer once per input; returns 0 (-1: keep out of corpus). */
int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a C string (cut at its first NUL); caller frees. */
static inline char *
fuzz_str(const uint8_t *data, size_t size)
{
	char *s = xmalloc(size + 1);

	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif
