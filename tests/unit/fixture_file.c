/*
 * Reads a test fixture whole; see fixture_file.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "fixture_file.h"
#include "util.h"

char *
fixture_file(const char *dir, const char *name, size_t *len)
{
	char path[512], chunk[65536];
	struct buf b;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "tests/fixtures/%s%s%s",
	    dir != NULL ? dir : "", dir != NULL ? "/" : "", name);
	if ((f = fopen(path, "rb")) == NULL)
		fail_msg("cannot open %s (run from the repository root)",
		    path);
	buf_init(&b);
	buf_append(&b, "", 0);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&b, chunk, n);
	fclose(f);
	*len = b.len;
	return buf_steal(&b);
}
