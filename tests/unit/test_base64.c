/*
 * Tests for common/base64.c: the RFC 4648 test vectors in both alphabets,
 * round trips of every length, and the strict decoder's refusals.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "unit.h"

UNIT_TEST(test_vectors)
{
	static const struct { const char *in, *std, *url; } rows[] = {
		{ "", "", "" },
		{ "f", "Zg==", "Zg" },
		{ "fo", "Zm8=", "Zm8" },
		{ "foo", "Zm9v", "Zm9v" },
		{ "foob", "Zm9vYg==", "Zm9vYg" },
		{ "fooba", "Zm9vYmE=", "Zm9vYmE" },
		{ "foobar", "Zm9vYmFy", "Zm9vYmFy" },
		{ "\xfb\xff\xbf", "+/+/", "-_-_" },
	};
	unsigned char *raw;
	size_t i, n;
	char *s;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		s = base64_encode(rows[i].in, strlen(rows[i].in));
		assert_string_equal(s, rows[i].std);
		free(s);
		s = base64url_encode(rows[i].in, strlen(rows[i].in));
		assert_string_equal(s, rows[i].url);
		free(s);
		raw = base64_decode(rows[i].std, strlen(rows[i].std), &n);
		assert_non_null(raw);
		assert_int_equal(n, strlen(rows[i].in));
		assert_memory_equal(raw, rows[i].in, n);
		assert_int_equal(raw[n], '\0');
		free(raw);
		raw = base64url_decode(rows[i].url, strlen(rows[i].url), &n);
		assert_non_null(raw);
		assert_int_equal(n, strlen(rows[i].in));
		free(raw);
	}
	/* the standard decoder also takes the padding left out */
	raw = base64_decode("Zm9vYg", 6, &n);
	assert_non_null(raw);
	assert_int_equal(n, 4);
	free(raw);
}

UNIT_TEST(test_round_trip)
{
	unsigned char in[64], *out;
	size_t len, n, i;
	char *s;

	for (i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(i * 37 + 11);
	for (len = 0; len <= sizeof(in); len++) {
		s = base64url_encode(in, len);
		out = base64url_decode(s, strlen(s), &n);
		assert_non_null(out);
		assert_int_equal(n, len);
		assert_memory_equal(out, in, len);
		free(out);
		free(s);
	}
}

UNIT_TEST(test_refusals)
{
	static const char *const bad_std[] = {
		"Z", "Zg=", "Zg===", "Z===", "Zm9v\n", " Zm9v", "Zm9v=",
		"Zh==", "Zm9=", "Zm-v", "Zm_v", "Zg==Zg==", "=Zg=",
	};
	static const char *const bad_url[] = {
		"Zg==", "Zm8=", "Z", "Zm+v", "Zm/v", "Zh", "Zm9", "Zm.v",
	};
	size_t i, n;

	for (i = 0; i < sizeof(bad_std) / sizeof(bad_std[0]); i++)
		if (base64_decode(bad_std[i], strlen(bad_std[i]), &n) != NULL)
			fail_msg("base64 '%s' accepted", bad_std[i]);
	for (i = 0; i < sizeof(bad_url) / sizeof(bad_url[0]); i++)
		if (base64url_decode(bad_url[i], strlen(bad_url[i]), &n) !=
		    NULL)
			fail_msg("base64url '%s' accepted", bad_url[i]);
}
