/*
 * Unit tests for common/util.c: number and money parsing, formatting,
 * overflow checks, buffers (JSON strings as jansson writes them) and ids.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "unit.h"
#include "util.h"

/* parse_i64() from -1000 to 1000. */
static int
bounded_i64(const char *s, int64_t *v, const char **why)
{
	return parse_i64(s, -1000, 1000, v, why);
}

UNIT_TEST(test_parse_i64)
{
	static const struct unit_num rows[] = {
		{ "0", 0, 0 },
		{ " 42 ", 0, 42 },
		{ "-5", 0, -5 },
		{ "", -1, 0 },
		{ "  ", -1, 0 },
		{ "12abc", -1, 0 },
		{ "abc", -1, 0 },
		{ "99999999999999999999", -1, 0 },
		{ "1001", -1, 0 },	/* above max */
	};

	unit_check_numbers(rows, sizeof(rows) / sizeof(rows[0]), bounded_i64);
}

UNIT_TEST(test_parse_money)
{
	static const struct unit_num rows[] = {
		{ "0.10", 0, 100000 },
		{ "12", 0, 12000000 },
		{ "1.234567", 0, 1234567 },
		{ ".5", 0, 500000 },
		{ "3.", 0, 3000000 },
		{ "1.2345678", -1, 0 },
		{ "-1", -1, 0 },
		{ "", -1, 0 },
		{ "1,5", -1, 0 },
		{ "99999999999999999", -1, 0 },
	};

	unit_check_numbers(rows, sizeof(rows) / sizeof(rows[0]), parse_money);
}

UNIT_TEST(test_money_format)
{
	char b[32];

	money_format(100000, b, sizeof(b));
	assert_string_equal(b, "0.10");
	money_format(1234567, b, sizeof(b));
	assert_string_equal(b, "1.234567");
	money_format(5000000, b, sizeof(b));
	assert_string_equal(b, "5.00");
	money_format(-1500000, b, sizeof(b));
	assert_string_equal(b, "-1.50");
}

UNIT_TEST(test_overflow)
{
	int64_t v;

	assert_int_equal(i64_mul(INT64_MAX / 2, 3, &v), -1);
	assert_int_equal(i64_mul(1000000, 1000000, &v), 0);
	assert_int_equal(v, 1000000000000LL);
	assert_int_equal(i64_add(INT64_MAX, 1, &v), -1);
	assert_int_equal(i64_add(1, 2, &v), 0);
	assert_int_equal(v, 3);
}

UNIT_TEST(test_buf_and_uuid)
{
	struct buf b;
	char id[37], *s;

	buf_init(&b);
	buf_puts(&b, "abc");
	buf_printf(&b, "-%d", 42);
	assert_string_equal(b.data, "abc-42");
	s = buf_steal(&b);
	assert_string_equal(s, "abc-42");
	free(s);
	assert_null(b.data);
	assert_int_equal(uuid_v4(id), 0);
	assert_true(uuid_valid(id));
	assert_int_equal(id[14], '4');
	assert_false(uuid_valid("not-a-uuid"));
	assert_false(uuid_valid("1234567890123456789012345678901234567"));
}

/* buf_jansson_str(s) against what jansson makes of json_string(s). */
static void
jansson_same(const char *s)
{
	struct buf b;
	json_t *j;
	char *d;
	int rc;

	buf_init(&b);
	buf_puts(&b, "x");
	rc = buf_jansson_str(&b, s);
	if ((j = json_string(s)) == NULL) {
		assert_int_equal(rc, -1);
		assert_int_equal(b.len, 1);
	} else {
		d = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
		assert_non_null(d);
		assert_int_equal(rc, 0);
		assert_string_equal(b.data + 1, d);
		free(d);
		json_decref(j);
	}
	buf_free(&b);
}

UNIT_TEST(test_jansson_str)
{
	static const char *const fixed[] = {
		"", "plain", "q\"b\\s/", "\b\f\n\r\t\x01\x1f\x7f",
		"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
		"\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80",
		"\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xc3",
		"ok\xe2\x82", "\xe2\x80\xa8",
	};
	unsigned char s[5];
	size_t i;
	unsigned a, c, d;

	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		jansson_same(fixed[i]);
	/* every string of one and two bytes */
	for (a = 1; a < 256; a++)
		for (c = 0; c < 256; c++) {
			s[0] = (unsigned char)a;
			s[1] = (unsigned char)c;
			s[2] = '\0';
			jansson_same((char *)s);
		}
	/* three and four bytes around the limits of UTF-8 */
	for (a = 0xdf; a < 0x100; a++)
		for (c = 0x7c; c < 0xc4; c += 3)
			for (d = 0x7e; d < 0xc2; d += 5) {
				s[0] = (unsigned char)a;
				s[1] = (unsigned char)c;
				s[2] = (unsigned char)d;
				s[3] = 0x80 + (unsigned char)(a & 0x3f);
				s[4] = '\0';
				jansson_same((char *)s);
				s[3] = '\0';
				jansson_same((char *)s);
			}
}

/* buf_jstr(): the escapes, in one piece after other text; a sink writes nothing */
UNIT_TEST(test_buf_jstr)
{
	struct buf b;

	buf_init(&b);
	buf_puts(&b, "x=");
	buf_jstr(&b, "a\"b\\c\nd\te\rf\x01g\x1fh\xc3\xa9");
	assert_string_equal(b.data,
	    "x=\"a\\\"b\\\\c\\nd\\te\\rf\\u0001g\\u001fh\xc3\xa9\"");
	assert_int_equal(b.len, strlen(b.data));
	buf_jstr(&b, "");
	assert_string_equal(b.data + b.len - 2, "\"\"");
	buf_free(&b);
	buf_init_sink(&b);
	buf_jstr(&b, "a\nb");
	assert_int_equal(b.len, 0);
	buf_free(&b);
}

UNIT_TEST(test_buf_cap_write)
{
	struct buf_cap c = { .max = 8 };
	char abc[] = "abcdefghij";

	buf_init(&c.buf);
	assert_int_equal(buf_cap_write(abc, 1, 5, &c), 5);
	assert_int_equal(buf_cap_write(abc, 3, 1, &c), 3);
	assert_string_equal(c.buf.data, "abcdeabc");
	assert_false(c.over);
	assert_int_equal(buf_cap_write(abc, 1, 1, &c), 0);
	assert_true(c.over);
	assert_string_equal(c.buf.data, "abcdeabc");
	buf_free(&c.buf);
}

UNIT_TEST(test_str_contains_ci)
{
	assert_true(str_contains_ci("Too Many Requests", "too many"));
	assert_true(str_contains_ci("per DAY", "day"));
	assert_true(str_contains_ci("x", ""));
	assert_false(str_contains_ci("toomuch", "too many"));
	assert_false(str_contains_ci("", "a"));
	assert_false(str_contains_ci(NULL, "a"));
}

UNIT_TEST(test_xstrs_pack)
{
	char a[] = "ab", c[] = "";
	const char *x = a, *y = NULL, *z = c;
	const char **const f[] = { &x, &y, &z };
	char *block, *again;
	size_t len;

	block = xstrs_pack(f, 3, &len);
	assert_int_equal(len, 4);
	assert_ptr_equal(x, block);
	assert_null(y);
	assert_ptr_equal(z, block + 3);
	a[0] = 'x';
	assert_string_equal(x, "ab");
	assert_string_equal(z, "");
	/* the strings may come from the block being replaced */
	again = xstrs_pack(f, 3, NULL);
	free(block);
	assert_string_equal(x, "ab");
	assert_ptr_equal(x, again);
	free(again);
	x = z = NULL;
	assert_null(xstrs_pack(f, 3, &len));
	assert_int_equal(len, 0);
}

UNIT_TEST(test_name_of)
{
	static const struct name_table t = { "unknown",
	    { "zero", NULL, "two" } };

	assert_string_equal(name_of(&t, 0), "zero");
	assert_string_equal(name_of(&t, 2), "two");
	assert_string_equal(name_of(&t, 1), "unknown");
	assert_string_equal(name_of(&t, 3), "unknown");
	assert_string_equal(name_of(&t, -1), "unknown");
	/* past the table's slots, at its bound and far beyond */
	assert_string_equal(name_of(&t, NAME_TABLE_MAX), "unknown");
	assert_string_equal(name_of(&t, INT_MAX), "unknown");
	assert_string_equal(name_of(&t, INT_MIN), "unknown");
	assert_int_equal(name_index(&t, "TWO"), 2);
	assert_int_equal(name_index(&t, "three"), -1);
	/* the name of any other value is no value's name */
	assert_int_equal(name_index(&t, "unknown"), -1);
}

UNIT_TEST(test_hex_value)
{
	assert_int_equal(hex_value('0'), 0);
	assert_int_equal(hex_value('9'), 9);
	assert_int_equal(hex_value('a'), 10);
	assert_int_equal(hex_value('F'), 15);
	assert_int_equal(hex_value('g'), -1);
	assert_int_equal(hex_value('/'), -1);
	assert_int_equal(hex_value(0x80), -1);
}
