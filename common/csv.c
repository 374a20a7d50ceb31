/*
 * CSV reading: decodes an upload (UTF-8, UTF-8 with a byte-order mark,
 * CP1252), guesses its delimiter and splits RFC 4180 records in one pass.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "util.h"

/* CP1252 0x80-0x9F; 0 marks the five undefined bytes (become U+FFFD). */
static const uint16_t csv_cp1252_c1[32] = {
	0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0,
	0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
};

static bool
csv_utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0, k;

	while (i < n) {
		/* ASCII eight bytes at a time */
		while (n - i >= 8) {
			uint64_t w;

			memcpy(&w, s + i, 8);
			if ((w & 0x8080808080808080ULL) != 0)
				break;
			i += 8;
		}
		if (i == n)
			break;
		if (s[i] < 0x80)
			i++;
		else if ((k = utf8_seq(s + i, n - i)) == 0)
			return false;
		else
			i += k;
	}
	return true;
}

/* Returns a NUL-terminated UTF-8 copy of CP1252 bytes; caller frees. */
static char *
csv_cp1252_to_utf8(const unsigned char *s, size_t n, size_t *outlen)
{
	char *out;
	size_t i, o = 0;
	uint32_t cp;

	out = xmalloc(n * 3 + 1);
	for (i = 0; i < n; i++) {
		if (s[i] >= 0x80 && s[i] <= 0x9f) {
			cp = csv_cp1252_c1[s[i] - 0x80];
			if (cp == 0)
				cp = 0xfffd;
		} else
			cp = s[i];
		o += utf8_put(out + o, cp);
	}
	out[o] = '\0';
	*outlen = o;
	return out;
}

size_t
csv_utf8_mark(const char *s, size_t len)
{
	return len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
}

int
csv_decode(const char *buf, size_t len, struct csv_text *t, char *err,
    size_t errlen)
{
	const unsigned char *u = (const unsigned char *)buf;
	size_t mark;

	memset(t, 0, sizeof(*t));
	if (len >= 2 && ((u[0] == 0xff && u[1] == 0xfe) ||
	    (u[0] == 0xfe && u[1] == 0xff))) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s",
			    "UTF-16 is not supported; save as UTF-8");
		return -1;
	}
	t->data = len > 0 ? buf : "";
	t->len = len;
	t->encoding = "utf-8";
	if ((mark = csv_utf8_mark(t->data, t->len)) > 0) {
		t->data += mark;
		t->len -= mark;
		t->encoding = "utf-8-bom";
	}
	if (!csv_utf8_valid((const unsigned char *)t->data, t->len)) {
		t->owned = csv_cp1252_to_utf8((const unsigned char *)t->data,
		    t->len, &t->len);
		t->data = t->owned;
		t->encoding = "cp1252";
	}
	return 0;
}

void
csv_text_free(struct csv_text *t)
{
	if (t == NULL)
		return;
	free(t->owned);
	memset(t, 0, sizeof(*t));
}

char
csv_detect_delim(const char *text, size_t len, const struct csv_opts *opts,
    size_t scan, bool (*is_header)(const struct csv_reader *, void *),
    void *arg)
{
	static const char cands[] = { ',', ';', '\t' };
	struct csv_reader r;
	struct csv_opts o = *opts;
	size_t best_line = SIZE_MAX, best_nf = 0, first_nf[3] = { 0, 0, 0 };
	size_t i, scanned;
	char best = 0, fallback = ',';

	for (i = 0; i < sizeof(cands); i++) {
		o.delim = cands[i];
		csv_reader_init(&r, text, len, &o);
		scanned = 0;
		while (scanned < scan && csv_read_record(&r) == 1) {
			/* a header below the best one found cannot win */
			if (best != 0 && r.rec_line > best_line)
				break;
			if (csv_record_blank(&r))
				continue;
			if (scanned++ == 0)
				first_nf[i] = r.nfields;
			if (!is_header(&r, arg))
				continue;
			if (r.rec_line < best_line ||
			    (r.rec_line == best_line && r.nfields > best_nf)) {
				best_line = r.rec_line;
				best_nf = r.nfields;
				best = cands[i];
			}
			break;
		}
		csv_reader_free(&r);
	}
	if (best != 0)
		return best;
	for (i = 1, best_nf = first_nf[0]; i < sizeof(cands); i++) {
		if (first_nf[i] > best_nf) {
			best_nf = first_nf[i];
			fallback = cands[i];
		}
	}
	return fallback;
}

static bool
csv_is_blank(char c)
{
	return c == ' ' || c == '\t';
}

void
csv_reader_init(struct csv_reader *r, const char *s, size_t len,
    const struct csv_opts *opts)
{
	memset(r, 0, sizeof(*r));
	r->s = s;
	r->len = len;
	r->line = 1;
	r->opts = *opts;
	buf_init(&r->fields);
}

void
csv_reader_free(struct csv_reader *r)
{
	buf_free(&r->fields);
	free(r->offs);
	r->offs = NULL;
}

const char *
csv_field(const struct csv_reader *r, size_t i)
{
	return r->fields.data + r->offs[i];
}

size_t
csv_field_len(const struct csv_reader *r, size_t i)
{
	size_t end = i + 1 < r->nfields ? r->offs[i + 1] : r->fields.len;

	return end - r->offs[i] - 1;
}

bool
csv_record_blank(const struct csv_reader *r)
{
	size_t i;

	for (i = 0; i < r->nfields; i++)
		if (csv_field(r, i)[0] != '\0')
			return false;
	return true;
}

/* Keeps the first reason a record is malformed. */
static void
csv_bad(struct csv_reader *r, size_t line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
csv_bad(struct csv_reader *r, size_t line, const char *fmt, ...)
{
	va_list ap;

	if (r->err[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(r->err, sizeof(r->err), fmt, ap);
	va_end(ap);
	r->err_line = line;
}

/* Length of the run at pos up to a delimiter, line end, quote or NUL. */
static size_t
csv_run(const struct csv_reader *r, bool stop_at_quote, bool stop_at_delim)
{
	const char *s = r->s;
	size_t i;

	for (i = r->pos; i < r->len; i++) {
		if (s[i] == '\r' || s[i] == '\n' || s[i] == '\0')
			break;
		if (stop_at_quote && s[i] == '"')
			break;
		if (stop_at_delim && s[i] == r->opts.delim)
			break;
	}
	return i - r->pos;
}

static void
csv_field_check(struct csv_reader *r, size_t start)
{
	if (r->fields.len - start > r->opts.max_field)
		csv_bad(r, r->rec_line, "field longer than %zu bytes",
		    r->opts.max_field);
}

/* The quoted part of a field, from its opening quote. */
static void
csv_quoted(struct csv_reader *r, size_t start)
{
	const char *s = r->s;
	size_t n, qline = r->line;
	char c;

	r->pos++;
	for (;;) {
		if (r->pos >= r->len) {
			csv_bad(r, qline, "unterminated quoted field");
			return;
		}
		c = s[r->pos];
		if (c == '"') {
			if (r->pos + 1 < r->len && s[r->pos + 1] == '"') {
				buf_append(&r->fields, "\"", 1);
				r->pos += 2;
				continue;
			}
			r->pos++;
			return;
		}
		if (c == '\0') {
			csv_bad(r, r->line, "NUL byte in file");
			r->pos++;
		} else if (c == '\r' || c == '\n') {
			/* embedded line ends become "\n" */
			buf_append(&r->fields, "\n", 1);
			r->pos++;
			if (c == '\r' && r->pos < r->len && s[r->pos] == '\n')
				r->pos++;
			r->line++;
		} else {
			n = csv_run(r, true, false);
			buf_append(&r->fields, s + r->pos, n);
			r->pos += n;
		}
		csv_field_check(r, start);
	}
}

/*
 * Unquoted text up to the delimiter or line end (after a closing quote: the
 * stray text, kept as written unless strict), trailing blanks dropped.
 */
static void
csv_unquoted(struct csv_reader *r, size_t start, bool after_quote)
{
	const char *s = r->s;
	size_t n, tail = r->fields.len, i;

	if (after_quote && r->opts.strict) {
		for (i = r->pos; i < r->len && csv_is_blank(s[i]); i++)
			;
		if (i < r->len && s[i] != r->opts.delim && s[i] != '\r' &&
		    s[i] != '\n')
			csv_bad(r, r->line, "text after a closing quote");
	}
	for (;;) {
		n = csv_run(r, false, true);
		buf_append(&r->fields, s + r->pos, n);
		r->pos += n;
		while (r->fields.len > tail &&
		    csv_is_blank(r->fields.data[r->fields.len - 1]))
			r->fields.len--;
		csv_field_check(r, start);
		if (r->pos >= r->len || s[r->pos] != '\0')
			return;
		csv_bad(r, r->line, "NUL byte in file");
		r->pos++;
	}
}

int
csv_read_record(struct csv_reader *r)
{
	const char *s = r->s;
	size_t start;
	bool quoted;
	char c;

	if (r->pos >= r->len)
		return 0;
	r->rec_line = r->line;
	r->nfields = 0;
	r->fields.len = 0;
	r->err[0] = '\0';
	r->err_line = 0;
	for (;;) {
		if (r->opts.max_fields > 0 &&
		    r->nfields == r->opts.max_fields) {
			csv_bad(r, r->rec_line, "more than %zu fields",
			    r->opts.max_fields);
			/* read on to the record's end, keeping nothing */
			r->nfields = 0;
			r->fields.len = 0;
		}
		if (r->nfields == r->capfields) {
			r->capfields = r->capfields ? r->capfields * 2 : 32;
			r->offs = xrealloc(r->offs,
			    r->capfields * sizeof(*r->offs));
		}
		start = r->fields.len;
		r->offs[r->nfields] = start;
		while (r->pos < r->len && csv_is_blank(s[r->pos]) &&
		    s[r->pos] != r->opts.delim)
			r->pos++;
		quoted = r->pos < r->len && s[r->pos] == '"';
		if (quoted)
			csv_quoted(r, start);
		csv_unquoted(r, start, quoted);
		buf_append(&r->fields, "", 1);	/* field terminator */
		r->nfields++;
		if (r->pos >= r->len)
			break;
		c = s[r->pos++];
		if (c == r->opts.delim)
			continue;
		if (c == '\r' && r->pos < r->len && s[r->pos] == '\n')
			r->pos++;
		r->line++;
		break;
	}
	return r->err[0] != '\0' ? -1 : 1;
}
