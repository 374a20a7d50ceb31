/*
 * bomctl's output on a terminal: table cells cut or padded to a width in
 * UTF-8 characters, column widths, and values (money, timestamps, any
 * JSON value) as short text.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "bomctl/bomctl.h"

void
table_oneline(const char *s, size_t len, char *out, size_t outlen)
{
	size_t i, o = 0;

	for (i = 0; i < len && o + 1 < outlen && s[i] != '\0'; i++)
		out[o++] = (unsigned char)s[i] < 0x20 ? ' ' : s[i];
	out[o] = '\0';
}

void
table_money(const json_t *v, char *out, size_t len)
{
	double d;

	if (!json_is_number(v)) {
		snprintf(out, len, "-");
		return;
	}
	d = json_number_value(v) * (double)MICROS_PER_UNIT;
	if (!isfinite(d) || fabs(d) > 9.0e18) {
		snprintf(out, len, "?");
		return;
	}
	money_format((int64_t)llround(d), out, len);
}

/* Bytes in the first n UTF-8 characters of s. */
static size_t
table_utf8_prefix(const char *s, size_t n)
{
	size_t i = 0;

	while (s[i] != '\0' && n > 0) {
		i++;
		while (((unsigned char)s[i] & 0xc0) == 0x80)
			i++;
		n--;
	}
	return i;
}

size_t
table_utf8_len(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

void
table_cell(const char *s, size_t width, bool last)
{
	char *t, *p;
	size_t n;

	t = xstrdup(s);
	for (p = t; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20)
			*p = ' ';
	n = table_utf8_len(t);
	if (n > width && width > 0) {
		t[table_utf8_prefix(t, width - 1)] = '\0';
		printf("%s~", t);
		n = width;
	} else
		printf("%s", t);
	if (!last)
		printf("%*s", (int)(width - n + 1), "");
	free(t);
}

char *
table_first_sentence(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] == '\n')
			break;
		if ((s[i] == '.' || s[i] == ';') &&
		    (s[i + 1] == ' ' || s[i + 1] == '\0' || s[i + 1] == '\n'))
			break;
	}
	return xstrndup(s, i);
}

void
table_ts(const char *s, char *out, size_t len)
{
	const char *dot = strchr(s, '.');

	if (dot != NULL && dot - s == 19)
		snprintf(out, len, "%.19sZ", s);
	else
		snprintf(out, len, "%s", s);
}

void
table_value(const json_t *v, char *out, size_t len)
{
	const json_t *e;
	struct buf b;
	size_t i;

	if (json_is_array(v) && json_array_size(v) > 0) {
		/* a list of notes or names: "a; b" */
		buf_init(&b);
		json_array_foreach(v, i, e)
			if (json_is_string(e))
				buf_printf(&b, "%s%s", b.len ? "; " : "",
				    json_string_value(e));
		table_oneline(b.data ? b.data : "", SIZE_MAX, out, len);
		buf_free(&b);
	} else if (json_is_string(v))
		table_oneline(json_string_value(v), SIZE_MAX, out, len);
	else if (json_is_integer(v))
		snprintf(out, len, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(out, len, "%.2f", json_real_value(v));
	else if (json_is_true(v))
		snprintf(out, len, "yes");
	else if (json_is_false(v))
		snprintf(out, len, "no");
	else
		snprintf(out, len, "-");
	if (out[0] == '\0')
		snprintf(out, len, "-");
}

void
table_kv(const char *key, const json_t *obj, const char *member)
{
	char v[1024];

	table_value(json_object_get(obj, member), v, sizeof(v));
	printf("%-14s%s\n", key, v);
}

void
table_fields(const json_t *obj, const struct table_field *fields)
{
	for (; fields->label != NULL; fields++)
		table_kv(fields->label, obj, fields->member);
}

size_t
table_width(const json_t *arr, const char *member, size_t lo, size_t hi)
{
	const json_t *o;
	size_t i, n, w = lo;

	json_array_foreach(arr, i, o) {
		n = table_utf8_len(bomctl_str(o, member, ""));
		if (n > w)
			w = n;
	}
	return w > hi ? hi : w;
}

