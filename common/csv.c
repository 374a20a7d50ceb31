/*
 * BOM CSV intake: decodes the upload (UTF-8, UTF-8 with BOM, CP1252), splits
 * RFC 4180 records in one pass, finds the header among EDA preamble rows and
 * turns each data row into a bom_line or a warning naming its line.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csv.h"
#include "util.h"

#define BOM_HEADER_SCAN		20	/* rows searched for a header */
#define BOM_MAX_FIELDS		1024	/* fields in one row */
#define BOM_MAX_QTY		1000000	/* per board */
#define BOM_MAX_ALL_DESIGNATORS	1000000	/* in the whole BOM */
#define BOM_MAX_REASONS		3	/* quoted in the error */
#define BOM_CLIP		40	/* bytes of a bad cell quoted */
#define BOM_HDR_NAME		64	/* normalised header name */

#define BOM_NO_HEADER "no header row with a part number column " \
	"(expected one of: MPN, Manufacturer Part Number, Part Number)"
#define BOM_NO_LINES "No valid line items found in BOM"

enum bom_col {
	COL_REF,
	COL_QTY,
	COL_MPN,
	COL_MFR,
	COL_DESC,
	COL_PKG,
	COL_VALUE,
	COL_DNP,	/* truthy means "do not place" */
	COL_FITTED,	/* falsy means "do not place" */
	COL_COUNT
};

/* Header names after bom_hdr_norm(); the strongest alias wins a role. */
static const struct {
	const char	*name;
	enum bom_col	 col;
	int		 strength;
} bom_aliases[] = {
	{ "refdes", COL_REF, 3 },
	{ "ref des", COL_REF, 3 },
	{ "ref designator", COL_REF, 3 },
	{ "ref designators", COL_REF, 3 },
	{ "reference designator", COL_REF, 3 },
	{ "reference designators", COL_REF, 3 },
	{ "reference designator(s)", COL_REF, 3 },
	{ "designator", COL_REF, 3 },
	{ "designators", COL_REF, 3 },
	{ "designator(s)", COL_REF, 3 },
	{ "reference", COL_REF, 2 },
	{ "references", COL_REF, 2 },
	{ "reference(s)", COL_REF, 2 },
	{ "ref", COL_REF, 2 },
	{ "refs", COL_REF, 2 },
	{ "part", COL_REF, 1 },
	{ "parts", COL_REF, 1 },
	{ "qty", COL_QTY, 3 },
	{ "quantity", COL_QTY, 3 },
	{ "qnty", COL_QTY, 3 },
	{ "qty per board", COL_QTY, 3 },
	{ "quantity per board", COL_QTY, 3 },
	{ "qty per pcb", COL_QTY, 3 },
	{ "qty/board", COL_QTY, 3 },
	{ "count", COL_QTY, 1 },
	{ "mpn", COL_MPN, 3 },
	{ "manufacturer part number", COL_MPN, 3 },
	{ "manufacturer part no", COL_MPN, 3 },
	{ "manufacturer part #", COL_MPN, 3 },
	{ "manufacturer pn", COL_MPN, 3 },
	{ "manufacturer p/n", COL_MPN, 3 },
	{ "mfr part number", COL_MPN, 3 },
	{ "mfr part no", COL_MPN, 3 },
	{ "mfr part #", COL_MPN, 3 },
	{ "mfr pn", COL_MPN, 3 },
	{ "mfr p/n", COL_MPN, 3 },
	{ "mfg part number", COL_MPN, 3 },
	{ "mfg part no", COL_MPN, 3 },
	{ "mfg part #", COL_MPN, 3 },
	{ "mfg pn", COL_MPN, 3 },
	{ "mfg p/n", COL_MPN, 3 },
	{ "part number", COL_MPN, 1 },
	{ "partnumber", COL_MPN, 1 },
	{ "part no", COL_MPN, 1 },
	{ "part #", COL_MPN, 1 },
	{ "p/n", COL_MPN, 1 },
	{ "pn", COL_MPN, 1 },
	{ "manufacturer", COL_MFR, 3 },
	{ "manufacturer name", COL_MFR, 3 },
	{ "mfr", COL_MFR, 3 },
	{ "mfr name", COL_MFR, 3 },
	{ "mfg", COL_MFR, 3 },
	{ "mfg name", COL_MFR, 3 },
	{ "description", COL_DESC, 3 },
	{ "desc", COL_DESC, 3 },
	{ "comment", COL_DESC, 1 },
	{ "comments", COL_DESC, 1 },
	{ "package", COL_PKG, 3 },
	{ "case/package", COL_PKG, 3 },
	{ "package/case", COL_PKG, 3 },
	{ "case", COL_PKG, 2 },
	{ "footprint", COL_PKG, 2 },
	{ "pcb footprint", COL_PKG, 2 },
	{ "value", COL_VALUE, 3 },
	{ "val", COL_VALUE, 3 },
	{ "dnp", COL_DNP, 3 },
	{ "dnf", COL_DNP, 3 },
	{ "do not place", COL_DNP, 3 },
	{ "do not populate", COL_DNP, 3 },
	{ "exclude from bom", COL_DNP, 3 },
	{ "populate", COL_FITTED, 3 },
	{ "populated", COL_FITTED, 3 },
	{ "fitted", COL_FITTED, 3 },
	{ "fit", COL_FITTED, 3 },
};

static const char *const bom_dnp_true[] = {
	"yes", "y", "true", "1", "x", "dnp", "dnf",
};
static const char *const bom_fitted_false[] = {
	"no", "n", "false", "0", "not fitted", "unfitted", "not populated",
	"dnp", "dnf", "nf",
};
/* Standalone tokens in value/description/MPN/designators meaning DNP. */
static const char *const bom_dnp_words[] = {
	"dnp", "dnf", "do not populate", "do not place", "not fitted",
};

/* CP1252 0x80-0x9F; 0 marks the five undefined bytes (become U+FFFD). */
static const uint16_t cp1252_c1[32] = {
	0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0,
	0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
};

/* One pass of RFC 4180 records over decoded text. */
struct csv_reader {
	const char	*s;
	size_t		 len;
	size_t		 pos;
	size_t		 line;		/* physical line at pos */
	size_t		 rec_line;	/* where the record started */
	char		 delim;
	size_t		 max_field;
	struct buf	 fields;	/* field bytes, each NUL-terminated */
	size_t		*offs;		/* field starts in fields */
	size_t		 nfields;
	size_t		 capfields;
	char		 err[128];
};

struct bom_cols {
	int	idx[COL_COUNT];		/* field index or -1 */
	int	strength[COL_COUNT];
	size_t	ncols;
};

struct view {
	const char	*p;
	size_t		 n;
};

struct bom_ctx {
	struct bom		*bom;
	const struct bom_limits	*lim;
	struct bom_cols		 cols;
	size_t			 capwarnings;
	size_t			 caplines;
	size_t			 ndata;		/* non-blank rows */
	size_t			 ndesig;	/* in all lines */
	struct buf		 reasons;	/* first few rejections */
	size_t			 nreasons;
	char			 err[160];
};

static void
bom_seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
bom_seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static bool
utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0, k, need;
	uint32_t cp, min;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if (s[i] >= 0xc2 && s[i] <= 0xdf) {
			need = 1;
			cp = s[i] & 0x1f;
			min = 0x80;
		} else if ((s[i] & 0xf0) == 0xe0) {
			need = 2;
			cp = s[i] & 0x0f;
			min = 0x800;
		} else if (s[i] >= 0xf0 && s[i] <= 0xf4) {
			need = 3;
			cp = s[i] & 0x07;
			min = 0x10000;
		} else
			return false;
		if (n - i <= need)
			return false;
		for (k = 1; k <= need; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += need + 1;
	}
	return true;
}

static size_t
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
	out[0] = (char)(0xe0 | (cp >> 12));
	out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[2] = (char)(0x80 | (cp & 0x3f));
	return 3;
}

/* Returns a NUL-terminated UTF-8 copy of CP1252 bytes; caller frees. */
static char *
cp1252_to_utf8(const unsigned char *s, size_t n, size_t *outlen)
{
	char *out;
	size_t i, o = 0;
	uint32_t cp;

	out = xmalloc(n * 3 + 1);
	for (i = 0; i < n; i++) {
		if (s[i] >= 0x80 && s[i] <= 0x9f) {
			cp = cp1252_c1[s[i] - 0x80];
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

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static void
csv_reader_init(struct csv_reader *r, const char *s, size_t len, char delim,
    size_t max_field)
{
	memset(r, 0, sizeof(*r));
	r->s = s;
	r->len = len;
	r->line = 1;
	r->delim = delim;
	r->max_field = max_field;
	buf_init(&r->fields);
}

static void
csv_reader_free(struct csv_reader *r)
{
	buf_free(&r->fields);
	free(r->offs);
	r->offs = NULL;
}

static const char *
csv_field(const struct csv_reader *r, size_t i)
{
	return r->fields.data + r->offs[i];
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
		if (stop_at_delim && s[i] == r->delim)
			break;
	}
	return i - r->pos;
}

static int
csv_field_check(struct csv_reader *r, size_t start)
{
	if (r->fields.len - start > r->max_field) {
		snprintf(r->err, sizeof(r->err),
		    "line %zu: field longer than %zu bytes", r->rec_line,
		    r->max_field);
		return -1;
	}
	return 0;
}

/*
 * Reads one record into r->fields/offs. Returns 1, 0 at end of input, or -1
 * with the reason in r->err.
 */
static int
csv_read_record(struct csv_reader *r)
{
	const char *s = r->s;
	size_t start, n, m, qline;
	char c;

	if (r->pos >= r->len)
		return 0;
	r->rec_line = r->line;
	r->nfields = 0;
	r->fields.len = 0;
	for (;;) {
		if (r->nfields == BOM_MAX_FIELDS) {
			snprintf(r->err, sizeof(r->err),
			    "line %zu: more than %d fields", r->rec_line,
			    BOM_MAX_FIELDS);
			return -1;
		}
		if (r->nfields == r->capfields) {
			r->capfields = r->capfields ? r->capfields * 2 : 32;
			r->offs = xrealloc(r->offs,
			    r->capfields * sizeof(*r->offs));
		}
		start = r->fields.len;
		r->offs[r->nfields] = start;
		while (r->pos < r->len && is_blank(s[r->pos]) &&
		    s[r->pos] != r->delim)
			r->pos++;
		if (r->pos < r->len && s[r->pos] == '"') {
			qline = r->line;
			r->pos++;
			for (;;) {
				if (r->pos >= r->len) {
					snprintf(r->err, sizeof(r->err),
					    "line %zu: unterminated quoted "
					    "field", qline);
					return -1;
				}
				c = s[r->pos];
				if (c == '"') {
					if (r->pos + 1 < r->len &&
					    s[r->pos + 1] == '"') {
						buf_append(&r->fields, "\"", 1);
						r->pos += 2;
						continue;
					}
					r->pos++;
					break;
				}
				if (c == '\0') {
					snprintf(r->err, sizeof(r->err),
					    "line %zu: NUL byte in file",
					    r->line);
					return -1;
				}
				if (c == '\r' || c == '\n') {
					/* embedded line ends become "\n" */
					buf_append(&r->fields, "\n", 1);
					r->pos++;
					if (c == '\r' && r->pos < r->len &&
					    s[r->pos] == '\n')
						r->pos++;
					r->line++;
				} else {
					n = csv_run(r, true, false);
					buf_append(&r->fields, s + r->pos, n);
					r->pos += n;
				}
				if (csv_field_check(r, start) == -1)
					return -1;
			}
		}
		/*
		 * Unquoted text, or stray text after a closing quote, which
		 * is kept as written (lenient, like spreadsheet programs).
		 */
		n = csv_run(r, false, true);
		m = n;
		while (m > 0 && is_blank(s[r->pos + m - 1]))
			m--;
		buf_append(&r->fields, s + r->pos, m);
		r->pos += n;
		if (csv_field_check(r, start) == -1)
			return -1;
		buf_append(&r->fields, "", 1);	/* field terminator */
		r->nfields++;
		if (r->pos >= r->len)
			return 1;
		c = s[r->pos];
		if (c == '\0') {
			snprintf(r->err, sizeof(r->err),
			    "line %zu: NUL byte in file", r->line);
			return -1;
		}
		r->pos++;
		if (c == r->delim)
			continue;
		if (c == '\r' && r->pos < r->len && s[r->pos] == '\n')
			r->pos++;
		r->line++;
		return 1;
	}
}

static bool
csv_record_blank(const struct csv_reader *r)
{
	size_t i;

	for (i = 0; i < r->nfields; i++)
		if (csv_field(r, i)[0] != '\0')
			return false;
	return true;
}

/*
 * Lower-cases a header cell, drops a BOM and quotes, treats _ - . and runs
 * of white space as one space, and trims.
 */
static void
bom_hdr_norm(const char *in, char *out, size_t outlen)
{
	size_t o = 0;
	bool space = false;
	unsigned char c;

	while (strncmp(in, "\xef\xbb\xbf", 3) == 0)
		in += 3;
	for (; *in != '\0' && o + 1 < outlen; in++) {
		c = (unsigned char)*in;
		if (c == '"' || c == '\'')
			continue;
		if (c == '_' || c == '-' || c == '.' || isspace(c)) {
			space = true;
			continue;
		}
		if (space && o > 0 && o + 2 < outlen)
			out[o++] = ' ';
		space = false;
		out[o++] = (char)tolower(c);
	}
	out[o] = '\0';
}

static int
bom_alias(const char *name, int *strength)
{
	size_t i;

	for (i = 0; i < sizeof(bom_aliases) / sizeof(bom_aliases[0]); i++) {
		if (strcmp(bom_aliases[i].name, name) == 0) {
			*strength = bom_aliases[i].strength;
			return (int)bom_aliases[i].col;
		}
	}
	return -1;
}

/* True when the current record is a header with a part-number column. */
static bool
bom_map_header(const struct csv_reader *r, struct bom_cols *cols)
{
	char name[BOM_HDR_NAME];
	size_t i, n;
	int col, strength;

	for (i = 0; i < COL_COUNT; i++) {
		cols->idx[i] = -1;
		cols->strength[i] = 0;
	}
	cols->ncols = r->nfields;
	for (i = 0; i < r->nfields; i++) {
		bom_hdr_norm(csv_field(r, i), name, sizeof(name));
		col = bom_alias(name, &strength);
		/* Altium numbers alternates: "Manufacturer 1" is the first */
		n = strlen(name);
		if (col == -1 && n > 2 && strcmp(name + n - 2, " 1") == 0) {
			name[n - 2] = '\0';
			col = bom_alias(name, &strength);
		}
		if (col == -1 || strength <= cols->strength[col])
			continue;
		cols->idx[col] = (int)i;
		cols->strength[col] = strength;
	}
	return cols->idx[COL_MPN] != -1;
}

/*
 * Picks the delimiter whose split of the first rows shows a header earliest
 * (ties: more columns); without any header, the one most frequent in the
 * first non-blank row.
 */
static char
bom_detect_delim(const char *text, size_t len, size_t max_field)
{
	static const char cands[] = { ',', ';', '\t' };
	struct csv_reader r;
	struct bom_cols cols;
	size_t best_line = SIZE_MAX, best_nf = 0, first_nf[3] = { 0, 0, 0 };
	size_t i, scanned;
	char best = 0, fallback = ',';

	for (i = 0; i < sizeof(cands); i++) {
		csv_reader_init(&r, text, len, cands[i], max_field);
		scanned = 0;
		while (scanned < BOM_HEADER_SCAN && csv_read_record(&r) == 1) {
			if (csv_record_blank(&r))
				continue;
			if (scanned++ == 0)
				first_nf[i] = r.nfields;
			if (!bom_map_header(&r, &cols))
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

static struct view
bom_trim(const char *p, size_t n)
{
	struct view v;

	while (n > 0 && isspace((unsigned char)*p)) {
		p++;
		n--;
	}
	while (n > 0 && isspace((unsigned char)p[n - 1]))
		n--;
	v.p = p;
	v.n = n;
	return v;
}

static struct view
bom_cell(const struct csv_reader *r, const struct bom_cols *cols,
    enum bom_col col)
{
	const char *s;
	int i = cols->idx[col];

	if (i < 0 || (size_t)i >= r->nfields)
		return bom_trim("", 0);
	s = csv_field(r, (size_t)i);
	return bom_trim(s, strlen(s));
}

static bool
view_is(struct view v, const char *s)
{
	return strlen(s) == v.n && strncasecmp(v.p, s, v.n) == 0;
}

static bool
view_in(struct view v, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (view_is(v, list[i]))
			return true;
	return false;
}

static bool
is_word(char c)
{
	return isalnum((unsigned char)c);
}

/* True when v holds DNP, DNF, "do not populate"... as a whole word. */
static bool
bom_dnp_text(struct view v)
{
	size_t i, k, wl;
	const char *w;

	for (i = 0; i < v.n; i++) {
		if (i > 0 && is_word(v.p[i - 1]))
			continue;
		for (k = 0; k < sizeof(bom_dnp_words) / sizeof(*bom_dnp_words);
		    k++) {
			w = bom_dnp_words[k];
			wl = strlen(w);
			if (v.n - i < wl || strncasecmp(v.p + i, w, wl) != 0)
				continue;
			if (i + wl < v.n && is_word(v.p[i + wl]))
				continue;
			return true;
		}
	}
	return false;
}

/* Copies at most BOM_CLIP bytes of v, cut on a UTF-8 boundary. */
static void
bom_clip(struct view v, char *out, size_t outlen)
{
	size_t n = v.n;

	if (n > BOM_CLIP) {
		n = BOM_CLIP;
		while (n > 0 && ((unsigned char)v.p[n] & 0xc0) == 0x80)
			n--;
	}
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, v.p, n);
	out[n] = '\0';
	if (n < v.n && n + 4 < outlen)
		strcat(out, "...");
}

/*
 * Quantity cell: 1 with *q set, 0 when empty, -1 when not a whole number,
 * -2 when too large. "2.0" and "2,00" (not in comma files) are whole.
 */
static int
bom_parse_qty(struct view v, char delim, int64_t *q)
{
	char tmp[32];
	size_t i, n = v.n;
	int64_t val;

	if (v.n == 0)
		return 0;
	if (v.n >= sizeof(tmp))
		return -1;
	memcpy(tmp, v.p, v.n);
	tmp[n] = '\0';
	for (i = 0; i < n; i++) {
		if (tmp[i] == '.' || (tmp[i] == ',' && delim != ','))
			break;
	}
	if (i < n) {
		/* one or two zero decimals; "1.000" could be a thousand */
		if (n - i - 1 < 1 || n - i - 1 > 2)
			return -1;
		if (strspn(tmp + i + 1, "0") != n - i - 1)
			return -1;
		tmp[i] = '\0';
	}
	if (parse_i64(tmp, INT64_MIN, INT64_MAX, &val, NULL) == -1 || val < 0)
		return -1;
	if (val > BOM_MAX_QTY)
		return -2;
	*q = val;
	return 1;
}

static void
bom_warn(struct bom_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
bom_warn(struct bom_ctx *ctx, const char *fmt, ...)
{
	struct bom *bom = ctx->bom;
	va_list ap;
	char msg[256];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (bom->nwarnings == ctx->capwarnings) {
		ctx->capwarnings = ctx->capwarnings ? ctx->capwarnings * 2 : 16;
		bom->warnings = xrealloc(bom->warnings,
		    ctx->capwarnings * sizeof(*bom->warnings));
	}
	bom->warnings[bom->nwarnings++] = xstrdup(msg);
}

/* A warning that also explains why a row gave no line. */
static void
bom_reason(struct bom_ctx *ctx, const char *msg)
{
	bom_warn(ctx, "%s", msg);
	if (ctx->nreasons++ < BOM_MAX_REASONS) {
		if (ctx->reasons.len > 0)
			buf_puts(&ctx->reasons, "; ");
		buf_puts(&ctx->reasons, msg);
	}
}

/* Splits "R12" into prefix length and number; false without both. */
static bool
bom_desig_split(const char *s, size_t n, size_t *plen, unsigned long *num,
    size_t *ndig)
{
	size_t i = n;

	while (i > 0 && isdigit((unsigned char)s[i - 1]))
		i--;
	if (i == 0 || i == n || n - i > 9)
		return false;
	*plen = i;
	*ndig = n - i;
	*num = strtoul(s + i, NULL, 10);
	return true;
}

static int
bom_desig_push(struct bom_ctx *ctx, struct bom_line *bl, size_t *cap,
    const char *s, size_t n)
{
	if (ctx->ndesig == BOM_MAX_ALL_DESIGNATORS) {
		snprintf(ctx->err, sizeof(ctx->err),
		    "BOM has more than %d designators",
		    BOM_MAX_ALL_DESIGNATORS);
		return -1;
	}
	if (bl->ndesignators == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		bl->designators = xrealloc(bl->designators,
		    *cap * sizeof(*bl->designators));
	}
	bl->designators[bl->ndesignators++] = xstrndup(s, n);
	ctx->ndesig++;
	return 0;
}

/*
 * Expands "R1-R4" into bl, setting *expanded; leaves bl alone when tok is
 * not such a range. Returns -1 only on the BOM-wide designator limit.
 */
static int
bom_desig_range(struct bom_ctx *ctx, struct bom_line *bl, size_t *cap,
    const char *tok, size_t n, bool *expanded)
{
	const char *dash, *right;
	size_t lp, rp, ld, rd, width;
	unsigned long lo, hi, k;
	char one[64];

	*expanded = false;
	dash = memchr(tok, '-', n);
	right = dash + 1;
	if (memchr(right, '-', n - (size_t)(right - tok)) != NULL)
		return 0;
	if (!bom_desig_split(tok, (size_t)(dash - tok), &lp, &lo, &ld) ||
	    !bom_desig_split(right, n - (size_t)(right - tok), &rp, &hi, &rd))
		return 0;
	if (lp != rp || lp >= sizeof(one) - 12 ||
	    strncasecmp(tok, right, lp) != 0 || lo > hi)
		return 0;
	if (hi - lo + 1 > BOM_MAX_DESIGNATORS - bl->ndesignators)
		return 0;
	width = (ld > 1 && tok[lp] == '0') ? ld : 0;
	for (k = lo; k <= hi; k++) {
		snprintf(one, sizeof(one), "%.*s%0*lu", (int)lp, tok,
		    (int)width, k);
		if (bom_desig_push(ctx, bl, cap, one, strlen(one)) == -1)
			return -1;
	}
	*expanded = true;
	return 0;
}

/*
 * Fills bl->designators from the designator cell: split on , ; and white
 * space, ranges expanded. Returns 0, or -1 with ctx->err set.
 */
static int
bom_designators(struct bom_ctx *ctx, struct bom_line *bl, struct view v)
{
	char *tmp, *tok, bad[BOM_CLIP + 8];
	size_t i, o = 0, n, cap = 0, nbad = 0, skipped = 0;
	bool expanded;
	int rc = -1;

	/* "R1 - R4" is written as a range too */
	tmp = xmalloc(v.n + 1);
	for (i = 0; i < v.n; i++) {
		if (isspace((unsigned char)v.p[i])) {
			n = i;
			while (n < v.n && isspace((unsigned char)v.p[n]))
				n++;
			if ((o > 0 && tmp[o - 1] == '-') ||
			    (n < v.n && v.p[n] == '-')) {
				i = n - 1;
				continue;
			}
		}
		tmp[o++] = v.p[i];
	}
	tmp[o] = '\0';
	bad[0] = '\0';
	for (tok = tmp; *tok != '\0'; tok += n) {
		tok += strspn(tok, ",; \t\r\n\f\v");
		n = strcspn(tok, ",; \t\r\n\f\v");
		if (n == 0)
			continue;
		if (bl->ndesignators == BOM_MAX_DESIGNATORS) {
			skipped++;
			continue;
		}
		expanded = false;
		if (memchr(tok, '-', n) != NULL) {
			if (bom_desig_range(ctx, bl, &cap, tok, n,
			    &expanded) == -1)
				goto out;
			if (!expanded && nbad++ == 0) {
				struct view t = { tok, n };

				bom_clip(t, bad, sizeof(bad));
			}
		}
		if (!expanded && bom_desig_push(ctx, bl, &cap, tok, n) == -1)
			goto out;
	}
	if (nbad == 1)
		bom_warn(ctx, "line %zu: designator range '%s' not expanded",
		    bl->line_no, bad);
	else if (nbad > 1)
		bom_warn(ctx, "line %zu: designator range '%s' not expanded "
		    "(and %zu more)", bl->line_no, bad, nbad - 1);
	if (skipped > 0)
		bom_warn(ctx, "line %zu: more than %d designators, %zu ignored",
		    bl->line_no, BOM_MAX_DESIGNATORS, skipped);
	rc = 0;
out:
	free(tmp);
	return rc;
}

static void
bom_line_clear(struct bom_line *bl)
{
	size_t i;

	free(bl->designator_text);
	for (i = 0; i < bl->ndesignators; i++)
		free(bl->designators[i]);
	free(bl->designators);
	free(bl->mpn);
	free(bl->manufacturer);
	free(bl->description);
	free(bl->package);
	free(bl->value);
	memset(bl, 0, sizeof(*bl));
}

/*
 * Turns one non-blank data row into a line, a DNP exclusion or a
 * rejection. Returns 0, or -1 (fatal for the whole BOM) with ctx->err set.
 */
static int
bom_row(struct bom_ctx *ctx, const struct csv_reader *r)
{
	struct bom *bom = ctx->bom;
	const struct bom_cols *cols = &ctx->cols;
	struct bom_line bl;
	struct view ref, qty, mpn, mfr, desc, pkg, val, dnp, fit;
	size_t line = r->rec_line, i, nextra = 0;
	char msg[256], clip[BOM_CLIP + 8];
	int64_t q = 0;
	int qrc;

	memset(&bl, 0, sizeof(bl));
	if (++ctx->ndata > ctx->lim->max_lines) {
		snprintf(ctx->err, sizeof(ctx->err),
		    "BOM has more than %zu lines", ctx->lim->max_lines);
		return -1;
	}
	for (i = cols->ncols; i < r->nfields; i++)
		if (csv_field(r, i)[0] != '\0')
			nextra++;
	if (nextra > 0)
		bom_warn(ctx, "line %zu: %zu extra field%s ignored", line,
		    nextra, nextra == 1 ? "" : "s");

	ref = bom_cell(r, cols, COL_REF);
	qty = bom_cell(r, cols, COL_QTY);
	mpn = bom_cell(r, cols, COL_MPN);
	mfr = bom_cell(r, cols, COL_MFR);
	desc = bom_cell(r, cols, COL_DESC);
	pkg = bom_cell(r, cols, COL_PKG);
	val = bom_cell(r, cols, COL_VALUE);
	dnp = bom_cell(r, cols, COL_DNP);
	fit = bom_cell(r, cols, COL_FITTED);

	if (view_in(dnp, bom_dnp_true,
	    sizeof(bom_dnp_true) / sizeof(*bom_dnp_true)) ||
	    view_in(fit, bom_fitted_false,
	    sizeof(bom_fitted_false) / sizeof(*bom_fitted_false)) ||
	    bom_dnp_text(val) || bom_dnp_text(desc) || bom_dnp_text(mpn) ||
	    bom_dnp_text(ref)) {
		bom->ndnp++;
		snprintf(msg, sizeof(msg), "line %zu: DNP, excluded", line);
		bom_reason(ctx, msg);
		return 0;
	}
	qrc = bom_parse_qty(qty, bom->delimiter, &q);
	if (qrc == 1 && q == 0) {
		bom->ndnp++;
		snprintf(msg, sizeof(msg),
		    "line %zu: quantity 0, DNP, excluded", line);
		bom_reason(ctx, msg);
		return 0;
	}
	if (mpn.n == 0) {
		bom->nrejected++;
		snprintf(msg, sizeof(msg), "line %zu: missing part number",
		    line);
		bom_reason(ctx, msg);
		return 0;
	}
	if (qrc < 0) {
		bom->nrejected++;
		bom_clip(qty, clip, sizeof(clip));
		snprintf(msg, sizeof(msg), "line %zu: quantity '%s' %s", line,
		    clip, qrc == -1 ? "is not a whole number" :
		    "is too large");
		bom_reason(ctx, msg);
		return 0;
	}
	bl.line_no = line;
	if (bom_designators(ctx, &bl, ref) == -1) {
		bom_line_clear(&bl);
		return -1;
	}
	if (qrc == 0) {
		if (bl.ndesignators == 0) {
			bom->nrejected++;
			snprintf(msg, sizeof(msg), "line %zu: no quantity and "
			    "no designators", line);
			bom_reason(ctx, msg);
			bom_line_clear(&bl);
			return 0;
		}
		q = (int64_t)bl.ndesignators;
	} else if (bl.ndesignators > 0 && (uint64_t)q != bl.ndesignators)
		bom_warn(ctx, "line %zu: quantity %" PRId64 " but %zu "
		    "designator%s", line, q, bl.ndesignators,
		    bl.ndesignators == 1 ? "" : "s");
	bl.quantity = q;
	bl.designator_text = xstrndup(ref.p, ref.n);
	bl.mpn = xstrndup(mpn.p, mpn.n);
	bl.manufacturer = xstrndup(mfr.p, mfr.n);
	bl.description = xstrndup(desc.p, desc.n);
	bl.package = xstrndup(pkg.p, pkg.n);
	bl.value = xstrndup(val.p, val.n);
	if (bom->nlines == ctx->caplines) {
		ctx->caplines = ctx->caplines ? ctx->caplines * 2 : 64;
		bom->lines = xrealloc(bom->lines,
		    ctx->caplines * sizeof(*bom->lines));
	}
	bom->lines[bom->nlines++] = bl;
	return 0;
}

struct bom *
bom_parse(const char *buf, size_t len, const struct bom_limits *lim,
    char *err, size_t errlen)
{
	static const struct bom_limits defaults = {
		BOM_MAX_BYTES, BOM_MAX_LINES, BOM_MAX_FIELD
	};
	const unsigned char *u = (const unsigned char *)buf;
	struct bom_ctx ctx;
	struct csv_reader r;
	struct bom *bom = NULL, *ret = NULL;
	char *conv = NULL;
	const char *text;
	size_t tlen, scanned = 0;
	bool have_header = false;
	int rc;

	memset(&ctx, 0, sizeof(ctx));
	buf_init(&ctx.reasons);
	csv_reader_init(&r, "", 0, ',', 0);
	bom_seterr(err, errlen, "%s", "");
	if (lim == NULL)
		lim = &defaults;
	if (buf == NULL)
		len = 0;
	if (len > lim->max_bytes) {
		bom_seterr(err, errlen, "BOM is larger than %zu bytes",
		    lim->max_bytes);
		goto out;
	}
	if (len >= 2 && ((u[0] == 0xff && u[1] == 0xfe) ||
	    (u[0] == 0xfe && u[1] == 0xff))) {
		bom_seterr(err, errlen,
		    "UTF-16 is not supported; save as UTF-8");
		goto out;
	}
	bom = xcalloc(1, sizeof(*bom));
	text = len > 0 ? buf : "";
	tlen = len;
	bom->encoding = "utf-8";
	if (len >= 3 && u[0] == 0xef && u[1] == 0xbb && u[2] == 0xbf) {
		text += 3;
		tlen -= 3;
		bom->encoding = "utf-8-bom";
	}
	if (!utf8_valid((const unsigned char *)text, tlen)) {
		conv = cp1252_to_utf8((const unsigned char *)text, tlen, &tlen);
		text = conv;
		bom->encoding = "cp1252";
	}
	bom->delimiter = bom_detect_delim(text, tlen, lim->max_field);
	ctx.bom = bom;
	ctx.lim = lim;
	csv_reader_init(&r, text, tlen, bom->delimiter, lim->max_field);
	while ((rc = csv_read_record(&r)) == 1) {
		if (csv_record_blank(&r))
			continue;
		if (!have_header) {
			scanned++;
			if (bom_map_header(&r, &ctx.cols))
				have_header = true;
			else if (scanned == BOM_HEADER_SCAN)
				break;
			continue;
		}
		if (bom_row(&ctx, &r) == -1) {
			bom_seterr(err, errlen, "%s", ctx.err);
			goto out;
		}
	}
	if (rc == -1) {
		bom_seterr(err, errlen, "%s", r.err);
		goto out;
	}
	if (scanned == 0) {
		bom_seterr(err, errlen, "%s", BOM_NO_LINES);
		goto out;
	}
	if (!have_header) {
		bom_seterr(err, errlen, "%s", BOM_NO_HEADER);
		goto out;
	}
	if (bom->nlines == 0) {
		bom_seterr(err, errlen, "%s: %s", BOM_NO_LINES,
		    ctx.ndata == 0 ? "no data rows" : ctx.reasons.data);
		goto out;
	}
	ret = bom;
	bom = NULL;
out:
	csv_reader_free(&r);
	buf_free(&ctx.reasons);
	free(conv);
	bom_free(bom);
	return ret;
}

void
bom_free(struct bom *bom)
{
	size_t i;

	if (bom == NULL)
		return;
	for (i = 0; i < bom->nlines; i++)
		bom_line_clear(&bom->lines[i]);
	free(bom->lines);
	for (i = 0; i < bom->nwarnings; i++)
		free(bom->warnings[i]);
	free(bom->warnings);
	free(bom);
}
