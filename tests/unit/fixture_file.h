/*
 * Files under tests/fixtures/ read whole by the unit tests, which run from
 * the top of the tree.
 */
#ifndef BOMD_FIXTURE_FILE_H
#define BOMD_FIXTURE_FILE_H

#include <stddef.h>

/*
 * The bytes of tests/fixtures/dir/name (dir NULL: tests/fixtures/name),
 * NUL-terminated, their number in *len. Fails the test when the file
 * cannot be opened. Caller frees.
 */
char	*fixture_file(const char *dir, const char *name, size_t *len);

#endif
