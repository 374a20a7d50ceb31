/*
 * Tests for common/apikey.c: bomd's keys and keys in the original's
 * format (project tokens, imported keys) made and digested, and the
 * shapes a presented key must have, as a table.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "apikey.h"
#include "unit.h"

/* Each kind of new key digests back to its prefix and hash. */
UNIT_TEST(test_generate)
{
	char key[APIKEY_LEN + 1], prefix[APIKEY_PREFIX_LEN + 1];
	char again[APIKEY_PREFIX_LEN + 1], other[APIKEY_LEN + 1];
	unsigned char hash[APIKEY_HASH_LEN], hash2[APIKEY_HASH_LEN];

	assert_int_equal(apikey_generate(key, prefix, hash), 0);
	assert_int_equal(strlen(key), APIKEY_LEN);
	assert_int_equal(strncmp(key, "bk_", 3), 0);
	assert_int_equal(strncmp(key, prefix, APIKEY_PREFIX_LEN), 0);
	assert_int_equal(apikey_digest(key, again, hash2), 0);
	assert_string_equal(prefix, again);
	assert_true(apikey_hash_equal(hash, hash2));

	assert_int_equal(apikey_generate_original(key, prefix, hash), 0);
	assert_int_equal(strlen(key), 51);
	assert_int_equal(strncmp(key, APIKEY_ORIGINAL_PREFIX, 8), 0);
	assert_string_equal(prefix, APIKEY_ORIGINAL_PREFIX);
	assert_int_equal(apikey_digest(key, again, hash2), 0);
	assert_true(apikey_hash_equal(hash, hash2));
	assert_int_equal(apikey_generate_original(other, prefix, hash2), 0);
	assert_string_not_equal(key, other);
	assert_false(apikey_hash_equal(hash, hash2));
}

UNIT_TEST(test_shapes)
{
	static const struct unit_str_int rows[] = {
		{ "bk_0123456789abcdef0123456789abcdef0123456789abcdef0123456789"
		    "abcdef", 0 },
		{ "bk_0123456789abcdef0123456789abcdef0123456789abcdef0123456789"
		    "abcdeg", -1 },
		{ "bk_0123", -1 },
		{ "pbom_sk_abcdefghijklmnop", 0 },
		{ "pbom_sk_abc-def_ghi-jkl_mno", 0 },
		{ "pbom_sk_abcdefghijklmno", -1 },	/* 15: too short */
		{ "pbom_sk_abcdefgh.jklmnop", -1 },
		{ "pbom_sk_abcdefghijklmnop=", -1 },
		{ "PBOM_SK_abcdefghijklmnop", -1 },
		{ "eyJhbGciOiJSUzI1NiJ9.e30.sig", -1 },
		{ "", -1 },
	};
	char prefix[APIKEY_PREFIX_LEN + 1];
	unsigned char hash[APIKEY_HASH_LEN];
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		assert_int_equal(apikey_digest(rows[i].in, prefix, hash),
		    rows[i].want);
}
