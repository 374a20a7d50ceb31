/*
 * Shared helpers: allocation, checked parsing, money, buffers, UTF-8 cuts
 * and error messages, randomness, time formatting.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/rand.h>

#include "log.h"
#include "util.h"

void *
xmalloc(size_t n)
{
	void *p;

	if ((p = malloc(n == 0 ? 1 : n)) == NULL)
		fatal("malloc");
	return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void *p;

	if ((p = calloc(nmemb == 0 ? 1 : nmemb, size == 0 ? 1 : size)) == NULL)
		fatal("calloc");
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	void *q;

	if ((q = realloc(p, n == 0 ? 1 : n)) == NULL)
		fatal("realloc");
	return q;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p;

	p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
xstrs_pack(const char **const *fields, size_t n, size_t *len)
{
	size_t i, k, tot = 0;
	char *block, *p;

	for (i = 0; i < n; i++)
		if (*fields[i] != NULL)
			tot += strlen(*fields[i]) + 1;
	if (len != NULL)
		*len = tot;
	if (tot == 0)
		return NULL;
	block = p = xmalloc(tot);
	for (i = 0; i < n; i++) {
		if (*fields[i] == NULL)
			continue;
		k = strlen(*fields[i]) + 1;
		*fields[i] = memcpy(p, *fields[i], k);
		p += k;
	}
	return block;
}

/* s past leading white space; NULL when s is NULL. */
static const char *
util_num_start(const char *s)
{
	if (s == NULL)
		return NULL;
	while (isspace((unsigned char)*s))
		s++;
	return s;
}

int
parse_result(const char *reason, const char **why)
{
	if (reason == NULL)
		return 0;
	if (why != NULL)
		*why = reason;
	return -1;
}

/* parse_i64(): NULL, or why s is refused. */
static const char *
util_read_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char *end;
	long long v;

	if ((s = util_num_start(s)) == NULL || *s == '\0')
		return "empty";
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno == ERANGE)
		return "out of range";
	if (end == s)
		return "not a number";
	while (isspace((unsigned char)*end))
		end++;
	if (*end != '\0')
		return "trailing characters";
	if (v < min || v > max)
		return "out of range";
	*out = v;
	return NULL;
}

int
parse_i64(const char *s, int64_t min, int64_t max, int64_t *out,
    const char **why)
{
	return parse_result(util_read_i64(s, min, max, out), why);
}

/* parse_money(): NULL, or why s is refused. */
static const char *
util_read_money(const char *s, int64_t *micros)
{
	int64_t units = 0, frac = 0;
	int ndig = 0, nfrac = 0;

	if ((s = util_num_start(s)) == NULL)
		return "empty";
	if (*s == '-')
		return "negative";
	if (*s == '+')
		s++;
	for (; isdigit((unsigned char)*s); s++, ndig++) {
		if (units > (INT64_MAX / MICROS_PER_UNIT - 9) / 10)
			return "out of range";
		units = units * 10 + (*s - '0');
	}
	if (*s == '.') {
		s++;
		for (; isdigit((unsigned char)*s); s++, nfrac++) {
			if (nfrac >= 6)
				return "more than 6 decimals";
			frac = frac * 10 + (*s - '0');
		}
	}
	while (isspace((unsigned char)*s))
		s++;
	if (ndig == 0 && nfrac == 0)
		return "not a number";
	if (*s != '\0')
		return "trailing characters";
	for (; nfrac < 6; nfrac++)
		frac *= 10;
	*micros = units * MICROS_PER_UNIT + frac;
	return NULL;
}

int
parse_money(const char *s, int64_t *micros, const char **why)
{
	return parse_result(util_read_money(s, micros), why);
}

void
money_format(int64_t micros, char *buf, size_t len)
{
	char frac[8];
	int64_t a = micros < 0 ? -micros : micros;
	int n;

	snprintf(frac, sizeof(frac), "%06" PRId64, a % MICROS_PER_UNIT);
	/* keep at least two decimals, drop trailing zeros after that */
	for (n = 6; n > 2 && frac[n - 1] == '0'; n--)
		frac[n - 1] = '\0';
	snprintf(buf, len, "%s%" PRId64 ".%s", micros < 0 ? "-" : "",
	    a / MICROS_PER_UNIT, frac);
}

double
money_to_double(int64_t micros)
{
	return (double)micros / (double)MICROS_PER_UNIT;
}

int
i64_mul(int64_t a, int64_t b, int64_t *out)
{
	int64_t r;

	/* the compiler's check: no division (costing multiplies a lot) */
	if (__builtin_mul_overflow(a, b, &r))
		return -1;
	*out = r;
	return 0;
}

int
i64_add(int64_t a, int64_t b, int64_t *out)
{
	if ((b > 0 && a > INT64_MAX - b) || (b < 0 && a < INT64_MIN - b))
		return -1;
	*out = a + b;
	return 0;
}

void
buf_init(struct buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->sink = false;
}

void
buf_init_sink(struct buf *b)
{
	buf_init(b);
	b->sink = true;
}

void
buf_free(struct buf *b)
{
	free(b->data);
	buf_init(b);
}

void
buf_reserve(struct buf *b, size_t extra)
{
	size_t want;

	if (b->len + extra + 1 <= b->cap)
		return;
	want = b->cap ? b->cap : 64;
	while (want < b->len + extra + 1)
		want *= 2;
	b->data = xrealloc(b->data, want);
	b->cap = want;
}

void
buf_append(struct buf *b, const void *p, size_t n)
{
	if (b->sink)
		return;
	buf_reserve(b, n);
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

size_t
buf_cap_write(char *p, size_t size, size_t n, void *arg)
{
	struct buf_cap *c = arg;
	size_t len = size * n;

	if (c->buf.len + len > c->max) {
		c->over = true;
		return 0;
	}
	buf_append(&c->buf, p, len);
	return len;
}

void
buf_puts(struct buf *b, const char *s)
{
	buf_append(b, s, strlen(s));
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	size_t room;
	int n;

	if (b->sink)
		return;
	/* one pass when it fits the room there is, a second when not */
	buf_reserve(b, 64);
	room = b->cap - b->len;
	va_start(ap, fmt);
	n = vsnprintf(b->data + b->len, room, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->data[b->len] = '\0';
		return;
	}
	if ((size_t)n >= room) {
		buf_reserve(b, (size_t)n);
		va_start(ap, fmt);
		vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

char *
buf_steal(struct buf *b)
{
	char *p;

	if (b->data == NULL)
		return xstrdup("");
	/* kept strings keep no doubling slack (a quarter on average) */
	p = b->cap > b->len + 1 ? xrealloc(b->data, b->len + 1) : b->data;
	buf_init(b);
	return p;
}

int
random_bytes(void *p, size_t n)
{
	if (n > (size_t)INT32_MAX)
		return -1;
	return RAND_bytes(p, (int)n) == 1 ? 0 : -1;
}

int
uuid_v4(char out[UUID_BUFSZ])
{
	unsigned char b[16];

	if (random_bytes(b, sizeof(b)) == -1)
		return -1;
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	snprintf(out, 37,
	    "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x",
	    b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
	    b[10], b[11], b[12], b[13], b[14], b[15]);
	return 0;
}

bool
str_contains_ci(const char *s, const char *needle)
{
	size_t n = strlen(needle);

	for (; s != NULL && *s != '\0'; s++)
		if (strncasecmp(s, needle, n) == 0)
			return true;
	return false;
}

uint64_t
str_hash(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

bool
uuid_valid(const char *s)
{
	size_t i;

	if (s == NULL || strlen(s) != 36)
		return false;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!isxdigit((unsigned char)s[i]))
			return false;
	}
	return true;
}

int
name_index(const struct name_table *t, const char *s)
{
	size_t i;

	if (s == NULL)
		return -1;
	for (i = 0; i < NAME_TABLE_MAX; i++)
		if (t->names[i] != NULL && strcasecmp(t->names[i], s) == 0)
			return (int)i;
	return -1;
}

const char *
name_of(const struct name_table *t, int i)
{
	return i >= 0 && i < NAME_TABLE_MAX && t->names[i] != NULL ?
	    t->names[i] : t->other;
}

size_t
utf8_seq(const unsigned char *s, size_t n)
{
	size_t need, k;
	uint32_t cp, min;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		need = 1;
		cp = s[0] & 0x1f;
		min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		need = 2;
		cp = s[0] & 0x0f;
		min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		need = 3;
		cp = s[0] & 0x07;
		min = 0x10000;
	} else
		return 0;
	if (n <= need)
		return 0;
	for (k = 1; k <= need; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[k] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return need + 1;
}

size_t
utf8_put(char *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

size_t
utf8_prefix(const char *s, size_t n)
{
	size_t i, need;
	unsigned char c;

	if (n == 0)
		return 0;
	/* back to the start of the last character, at most 3 bytes */
	i = n;
	while (i > 0 && n - i < 4 && ((unsigned char)s[i - 1] & 0xc0) == 0x80)
		i--;
	if (i == 0)
		return 0;
	c = (unsigned char)s[i - 1];
	if (c < 0x80)
		return n;
	need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
	return n - (i - 1) >= need ? n : i - 1;
}

void
err_printf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	/* a cut message must stay valid UTF-8, e.g. for a JSON error body */
	err[utf8_prefix(err, strlen(err))] = '\0';
}

void
hex_encode(const unsigned char *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 0x0f];
	}
	out[2 * n] = '\0';
}

int
hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void
time_rfc3339(time_t t, char *out, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
buf_jstr(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p;
	size_t n = 2;
	char *o;

	if (b->sink)
		return;
	/* the exact length first: one reservation, no call per run */
	for (p = (const unsigned char *)s; *p != '\0'; p++)
		n += *p >= 0x20 && *p != '"' && *p != '\\' ? 1 :
		    *p == '"' || *p == '\\' || *p == '\n' || *p == '\t' ||
		    *p == '\r' ? 2 : 6;
	buf_reserve(b, n);
	o = b->data + b->len;
	*o++ = '"';
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p >= 0x20 && *p != '"' && *p != '\\') {
			*o++ = (char)*p;
			continue;
		}
		*o++ = '\\';
		if (*p == '"' || *p == '\\')
			*o++ = (char)*p;
		else if (*p == '\n' || *p == '\t' || *p == '\r')
			*o++ = *p == '\n' ? 'n' : *p == '\t' ? 't' : 'r';
		else {
			memcpy(o, "u00", 3);
			o[3] = hex[*p >> 4];
			o[4] = hex[*p & 15];
			o += 5;
		}
	}
	*o++ = '"';
	*o = '\0';
	b->len = (size_t)(o - b->data);
}

/* The bytes of the UTF-8 character at s, 0 when it is not one jansson
 * accepts (its utf8_check_first() and utf8_check_full()). */
static size_t
utf8_char_len(const unsigned char *s)
{
	uint32_t v;
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	n = s[0] <= 0xdf ? 2 : s[0] <= 0xef ? 3 : 4;
	v = s[0] & (n == 2 ? 0x1f : n == 3 ? 0x0f : 0x07);
	for (i = 1; i < n; i++) {
		if (s[i] < 0x80 || s[i] > 0xbf)	/* the NUL too */
			return 0;
		v = (v << 6) | (s[i] & 0x3f);
	}
	if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff) ||
	    (n == 3 && v < 0x800) || (n == 4 && v < 0x10000))
		return 0;
	return n;
}

int
buf_jansson_str(struct buf *b, const char *str)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *s = (const unsigned char *)str, *p;
	size_t n, start = b->len;
	char *o;

	for (p = s, n = 0; *p != '\0'; p += n)
		if ((n = utf8_char_len(p)) == 0)
			return -1;
	if (b->sink)
		return 0;
	n = (size_t)(p - s);
	buf_reserve(b, 6 * n + 2);
	o = b->data + start;
	*o++ = '"';
	for (p = s; *p != '\0'; p++) {
		if (*p >= 0x20 && *p != '"' && *p != '\\') {
			*o++ = (char)*p;
			continue;
		}
		*o++ = '\\';
		switch (*p) {
		case '"':
		case '\\':
			*o++ = (char)*p;
			break;
		case '\b':
			*o++ = 'b';
			break;
		case '\f':
			*o++ = 'f';
			break;
		case '\n':
			*o++ = 'n';
			break;
		case '\r':
			*o++ = 'r';
			break;
		case '\t':
			*o++ = 't';
			break;
		default:
			memcpy(o, "u00", 3);
			o[3] = hex[*p >> 4];
			o[4] = hex[*p & 15];
			o += 5;
		}
	}
	*o++ = '"';
	*o = '\0';
	b->len = (size_t)(o - b->data);
	return 0;
}

void
buf_jint(struct buf *b, int64_t v)
{
	char tmp[24], *p = tmp + sizeof(tmp);
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		*--p = '-';
	buf_append(b, p, (size_t)(tmp + sizeof(tmp) - p));
}
