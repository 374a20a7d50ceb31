/*
 * One value of an intake field read and normalised: strings, whole
 * numbers, booleans, dates, money in micro-units and lists of strings,
 * each with the field's name in its error (used by intake.c and
 * intake_sheet.c).
 */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "intake.h"
#include "intake_internal.h"
#include "util.h"

int
intake_trim(const json_t *v, const char **s, size_t *len)
{
	const char *p = json_string_value(v);
	size_t n = json_string_length(v);

	if (memchr(p, '\0', n) != NULL)
		return -1;
	while (n > 0 && (*p == ' ' || *p == '\t' || *p == '\r' ||
	    *p == '\n'))
		p++, n--;
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t' ||
	    p[n - 1] == '\r' || p[n - 1] == '\n'))
		n--;
	*s = p;
	*len = n;
	return 0;
}

bool
intake_absent(const json_t *v)
{
	const char *s;
	size_t len;

	if (v == NULL || json_is_null(v))
		return true;
	if (json_is_string(v) && intake_trim(v, &s, &len) == 0 && len == 0)
		return true;
	return false;
}

json_t *
intake_norm_str(struct intake_norm *n, const char *fname, const json_t *v,
    size_t max)
{
	char tmp[32];
	const char *s;
	size_t len;

	if (intake_absent(v))
		return json_null();
	if (json_is_integer(v)) {
		snprintf(tmp, sizeof(tmp), "%" PRId64,
		    (int64_t)json_integer_value(v));
		return json_string(tmp);
	}
	if (!json_is_string(v)) {
		err_printf(n->err, n->errlen, "%s: expected a string",
		    fname);
		return NULL;
	}
	if (intake_trim(v, &s, &len) == -1) {
		err_printf(n->err, n->errlen, "%s: contains a NUL byte",
		    fname);
		return NULL;
	}
	if (len > max) {
		err_printf(n->err, n->errlen,
		    "%s: longer than %zu bytes", fname, max);
		return NULL;
	}
	return json_stringn(s, len);
}

/* Integer in [min, max]; *null set when absent and the default is null. */
int
intake_norm_int(struct intake_norm *n, const char *fname, const json_t *v,
    const struct intake_field *f, int64_t *out, bool *null)
{
	char tmp[64];
	const char *s;
	size_t len;
	double d;
	int rc = -1;

	*null = false;
	if (intake_absent(v)) {
		if (f->def == -1)
			*null = true;
		*out = f->def;
		return 0;
	}
	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		rc = 0;
	} else if (json_is_real(v)) {
		d = json_real_value(v);
		/* 25.0 from a JSON client is a whole number; 25.5 is not */
		if (isfinite(d) && d == floor(d) && fabs(d) < 9e15) {
			*out = (int64_t)d;
			rc = 0;
		}
	} else if (json_is_string(v) && intake_trim(v, &s, &len) == 0 &&
	    len < sizeof(tmp)) {
		memcpy(tmp, s, len);
		tmp[len] = '\0';
		rc = parse_i64(tmp, INT64_MIN, INT64_MAX, out, NULL);
	}
	if (rc == 0 && *out >= f->min && *out <= f->max)
		return 0;
	if (f->min == 1)
		err_printf(n->err, n->errlen,
		    "%s: expected a positive whole number no larger than %"
		    PRId64, fname, f->max);
	else
		err_printf(n->err, n->errlen,
		    "%s: expected a whole number from %" PRId64 " to %" PRId64,
		    fname, f->min, f->max);
	return -1;
}

int
intake_norm_bool(struct intake_norm *n, const char *fname, const json_t *v,
    bool def, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };
	char tmp[8];
	const char *s;
	size_t len, i;

	if (intake_absent(v)) {
		*out = def;
		return 0;
	}
	if (json_is_boolean(v)) {
		*out = json_is_true(v);
		return 0;
	}
	if (json_is_integer(v) && (json_integer_value(v) == 0 ||
	    json_integer_value(v) == 1)) {
		*out = json_integer_value(v) == 1;
		return 0;
	}
	if (json_is_string(v) && intake_trim(v, &s, &len) == 0 &&
	    len < sizeof(tmp)) {
		memcpy(tmp, s, len);
		tmp[len] = '\0';
		for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
			if (strcasecmp(tmp, yes[i]) == 0) {
				*out = true;
				return 0;
			}
			if (strcasecmp(tmp, no[i]) == 0) {
				*out = false;
				return 0;
			}
		}
	}
	err_printf(n->err, n->errlen, "%s: expected true or false", fname);
	return -1;
}

bool
intake_date_valid(const char *s)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int y, m, d, dim, i;

	if (s == NULL || strlen(s) != 10)
		return false;
	for (i = 0; i < 10; i++) {
		if (i == 4 || i == 7) {
			if (s[i] != '-')
				return false;
		} else if (s[i] < '0' || s[i] > '9')
			return false;
	}
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	    (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1 || m < 1 || m > 12 || d < 1)
		return false;
	dim = mdays[m - 1];
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		dim = 29;
	return d <= dim;
}

json_t *
intake_norm_date(struct intake_norm *n, const char *fname, const json_t *v)
{
	char tmp[16];
	const char *s;
	size_t len;

	if (intake_absent(v))
		return json_null();
	if (json_is_string(v) && intake_trim(v, &s, &len) == 0 &&
	    len < sizeof(tmp)) {
		memcpy(tmp, s, len);
		tmp[len] = '\0';
		if (intake_date_valid(tmp))
			return json_string(tmp);
	}
	err_printf(n->err, n->errlen,
	    "%s: expected a calendar date YYYY-MM-DD", fname);
	return NULL;
}

/* Amount in micro-units, or -1 when absent. */
int
intake_norm_money(struct intake_norm *n, const char *fname, const json_t *v,
    int64_t *micros)
{
	char tmp[64];
	const char *s, *why = "not a number";
	size_t len;
	double d;

	*micros = -1;
	if (intake_absent(v))
		return 0;
	if (json_is_integer(v)) {
		if (json_integer_value(v) < 0)
			why = "negative";
		else if (i64_mul(json_integer_value(v), MICROS_PER_UNIT,
		    micros) == 0)
			return 0;
		else
			why = "out of range";
	} else if (json_is_real(v)) {
		d = json_real_value(v);
		if (!isfinite(d) || d < 0)
			why = d < 0 ? "negative" : "not a number";
		else if (d > 9e12)
			why = "out of range";
		else {
			/* JSON numbers are doubles; 6 decimals is our unit */
			snprintf(tmp, sizeof(tmp), "%.6f", d);
			if (parse_money(tmp, micros, &why) == 0)
				return 0;
		}
	} else if (json_is_string(v) && intake_trim(v, &s, &len) == 0) {
		if (len >= sizeof(tmp))
			why = "out of range";
		else {
			memcpy(tmp, s, len);
			tmp[len] = '\0';
			if (parse_money(tmp, micros, &why) == 0)
				return 0;
		}
	}
	*micros = -1;
	err_printf(n->err, n->errlen,
	    "%s: expected a non-negative amount (%s)", fname, why);
	return -1;
}

/*
 * True when v is the budget_total that normalising writes for micros (whole
 * units as an integer, else the nearest double). The exact micros then win:
 * above 2^53 micros the double is off by a few, and reading it again would
 * change the amount.
 */
bool
intake_money_written(const json_t *v, int64_t micros)
{
	if (micros % MICROS_PER_UNIT == 0)
		return json_is_integer(v) &&
		    json_integer_value(v) == micros / MICROS_PER_UNIT;
	return json_is_real(v) && json_real_value(v) ==
	    money_to_double(micros);
}

int
intake_list_add(struct intake_norm *n, const char *fname, json_t *out,
    const char *s, size_t len)
{
	while (len > 0 && (*s == ' ' || *s == '\t' || *s == '\r' ||
	    *s == '\n'))
		s++, len--;
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' ||
	    s[len - 1] == '\r' || s[len - 1] == '\n'))
		len--;
	if (len == 0)
		return 0;
	if (json_array_size(out) >= INTAKE_MAX_ITEMS) {
		err_printf(n->err, n->errlen, "%s: more than %d items",
		    fname, INTAKE_MAX_ITEMS);
		return -1;
	}
	if (len > INTAKE_MAX_ITEM) {
		err_printf(n->err, n->errlen,
		    "%s: item %zu longer than %d bytes", fname,
		    json_array_size(out) + 1, INTAKE_MAX_ITEM);
		return -1;
	}
	if (memchr(s, '\0', len) != NULL) {
		err_printf(n->err, n->errlen,
		    "%s: item %zu contains a NUL byte", fname,
		    json_array_size(out) + 1);
		return -1;
	}
	if (json_array_append_new(out, json_stringn(s, len)) == -1) {
		err_printf(n->err, n->errlen, "%s: invalid item", fname);
		return -1;
	}
	return 0;
}

json_t *
intake_norm_list(struct intake_norm *n, const char *fname, const json_t *v)
{
	char tmp[32];
	const json_t *item;
	const char *s, *comma;
	json_t *out;
	size_t i, len;

	out = json_array();
	if (v == NULL || json_is_null(v))
		return out;
	if (json_is_string(v)) {
		s = json_string_value(v);
		len = json_string_length(v);
		while (len > 0) {
			comma = memchr(s, ',', len);
			i = comma != NULL ? (size_t)(comma - s) : len;
			if (intake_list_add(n, fname, out, s, i) == -1)
				goto fail;
			if (comma == NULL)
				break;
			s += i + 1;
			len -= i + 1;
		}
		return out;
	}
	if (!json_is_array(v))
		goto type;
	json_array_foreach(v, i, item) {
		if (json_is_string(item)) {
			if (intake_list_add(n, fname, out,
			    json_string_value(item),
			    json_string_length(item)) == -1)
				goto fail;
		} else if (json_is_integer(item)) {
			/* a part number such as 1234 is still a name */
			snprintf(tmp, sizeof(tmp), "%" PRId64,
			    (int64_t)json_integer_value(item));
			if (intake_list_add(n, fname, out, tmp,
			    strlen(tmp)) == -1)
				goto fail;
		} else if (!json_is_null(item))
			goto type;
	}
	return out;
type:
	err_printf(n->err, n->errlen, "%s: expected a list of strings",
	    fname);
fail:
	json_decref(out);
	return NULL;
}
