/*
 * BOM CSV intake: finds the header among EDA preamble rows (column aliases),
 * then turns each data row into a bom_line (designator ranges expanded,
 * quantity checked), a DNP exclusion or a warning naming its line.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bom.h"
#include "bom_header.h"
#include "csv.h"
#include "util.h"

#define BOM_HEADER_SCAN		20	/* rows searched for a header */
#define BOM_MAX_FIELDS		1024	/* fields in one row */
#define BOM_MAX_QTY		1000000	/* per board */
#define BOM_MAX_REASONS		3	/* quoted in the error */
#define BOM_CLIP		40	/* bytes of a bad cell quoted */
#define BOM_BLOCK_MIN		4096	/* bytes of the first string block */
#define BOM_BLOCK_MAX		(1024 * 1024)

#define BOM_NO_HEADER "no header row with a part number column " \
	"(expected one of: MPN, Manufacturer Part Number, Part Number)"
#define BOM_NO_LINES "No valid line items found in BOM"

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

struct bom_view {
	const char	*p;
	size_t		 n;
};

/*
 * The lines' strings, designator lists and the warnings live in a few
 * blocks that bom_free() releases at once: a 50-line BOM took some 400
 * mallocs.
 */
struct bom_block {
	struct bom_block	*next;
	size_t			 used;
	size_t			 cap;
	alignas(max_align_t) char data[];
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
	char			*desig;		/* a designator cell, reused */
	size_t			 desigcap;
	char			**dlist;	/* a line's designators, reused */
	size_t			 dcap;
	char			 err[160];
};

static void
bom_block_new(struct bom *bom, size_t cap)
{
	struct bom_block *b;

	b = xmalloc(sizeof(*b) + cap);
	b->next = bom->blocks;
	b->used = 0;
	b->cap = cap;
	bom->blocks = b;
}

/* n bytes aligned to align (a power of two) from the BOM's blocks. */
static void *
bom_alloc(struct bom *bom, size_t n, size_t align)
{
	struct bom_block *b = bom->blocks;
	size_t off, cap;

	if (b != NULL) {
		off = (b->used + align - 1) & ~(align - 1);
		if (off <= b->cap && n <= b->cap - off) {
			b->used = off + n;
			return b->data + off;
		}
	}
	cap = b == NULL ? BOM_BLOCK_MIN : b->cap < BOM_BLOCK_MAX / 2 ?
	    b->cap * 2 : BOM_BLOCK_MAX;
	if (cap < n)
		cap = n;
	bom_block_new(bom, cap);
	bom->blocks->used = n;
	return bom->blocks->data;
}

static char *
bom_strndup(struct bom *bom, const char *p, size_t n)
{
	char *s = bom_alloc(bom, n + 1, 1);

	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

static struct bom_view
bom_trim(const char *p, size_t n)
{
	struct bom_view v;

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

static struct bom_view
bom_cell(const struct csv_reader *r, const struct bom_cols *cols,
    enum bom_col col)
{
	const char *s;
	int i = cols->idx[col];

	if (i < 0 || (size_t)i >= r->nfields)
		return bom_trim("", 0);
	s = csv_field(r, (size_t)i);
	return bom_trim(s, csv_field_len(r, (size_t)i));
}

static bool
bom_view_is(struct bom_view v, const char *s)
{
	return strlen(s) == v.n && strncasecmp(v.p, s, v.n) == 0;
}

static bool
bom_view_in(struct bom_view v, const char *const *list, size_t n)
{
	size_t i;

	if (v.n == 0)		/* no word is empty */
		return false;
	for (i = 0; i < n; i++)
		if (bom_view_is(v, list[i]))
			return true;
	return false;
}

static bool
bom_is_word(char c)
{
	return isalnum((unsigned char)c);
}

/* True when v holds DNP, DNF, "do not populate"... as a whole word. */
static bool
bom_dnp_text(struct bom_view v)
{
	size_t i, k, wl;
	const char *w;

	for (i = 0; i < v.n; i++) {
		/* every word starts with d or n: most letters stop here */
		if ((v.p[i] | 0x20) != 'd' && (v.p[i] | 0x20) != 'n')
			continue;
		if (i > 0 && bom_is_word(v.p[i - 1]))
			continue;
		for (k = 0; k < sizeof(bom_dnp_words) / sizeof(*bom_dnp_words);
		    k++) {
			w = bom_dnp_words[k];
			/* most letters start no word: one compare, no strlen */
			if (tolower((unsigned char)v.p[i]) !=
			    tolower((unsigned char)w[0]))
				continue;
			wl = strlen(w);
			if (v.n - i < wl || strncasecmp(v.p + i, w, wl) != 0)
				continue;
			if (i + wl < v.n && bom_is_word(v.p[i + wl]))
				continue;
			return true;
		}
	}
	return false;
}

/* Copies at most BOM_CLIP bytes of v, cut on a UTF-8 boundary. */
static void
bom_clip(struct bom_view v, char *out, size_t outlen)
{
	size_t n = v.n > BOM_CLIP ? utf8_prefix(v.p, BOM_CLIP) : v.n;

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
bom_parse_qty(struct bom_view v, char delim, int64_t *q)
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
	bom->warnings[bom->nwarnings++] = bom_strndup(bom, msg, strlen(msg));
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

/* 0 while the BOM may take one more designator; -1 with ctx->err. */
static int
bom_desig_room(struct bom_ctx *ctx)
{
	if (ctx->ndesig < BOM_MAX_ALL_DESIGNATORS)
		return 0;
	snprintf(ctx->err, sizeof(ctx->err), "BOM has more than %d "
	    "designators after ranges are expanded (the limit is "
	    "%d per BOM)", BOM_MAX_ALL_DESIGNATORS,
	    BOM_MAX_ALL_DESIGNATORS);
	return -1;
}

/* Adds s (in the BOM's blocks) to the line's designators. */
static void
bom_desig_add(struct bom_ctx *ctx, struct bom_line *bl, char *s)
{
	if (bl->ndesignators == ctx->dcap) {
		ctx->dcap = ctx->dcap ? ctx->dcap * 2 : 64;
		ctx->dlist = xrealloc(ctx->dlist,
		    ctx->dcap * sizeof(*ctx->dlist));
	}
	ctx->dlist[bl->ndesignators++] = s;
	ctx->ndesig++;
}

static int
bom_desig_push(struct bom_ctx *ctx, struct bom_line *bl, const char *s,
    size_t n)
{
	if (bom_desig_room(ctx) == -1)
		return -1;
	bom_desig_add(ctx, bl, bom_strndup(ctx->bom, s, n));
	return 0;
}

/* prefix, then k with zeros up to width ("%.*s%0*lu") in the blocks */
static char *
bom_desig_fmt(struct bom *bom, const char *prefix, size_t lp, size_t width,
    unsigned long k)
{
	char dig[24], *s;
	size_t nd = 0, pad, i;

	do {
		dig[nd++] = (char)('0' + k % 10);
		k /= 10;
	} while (k > 0);
	pad = width > nd ? width - nd : 0;
	s = bom_alloc(bom, lp + pad + nd + 1, 1);
	memcpy(s, prefix, lp);
	memset(s + lp, '0', pad);
	for (i = 0; i < nd; i++)
		s[lp + pad + i] = dig[nd - 1 - i];
	s[lp + pad + nd] = '\0';
	return s;
}

/*
 * Expands "R1-R4" into bl, setting *expanded; leaves bl alone when tok is
 * not such a range. Returns -1 only on the BOM-wide designator limit.
 */
static int
bom_desig_range(struct bom_ctx *ctx, struct bom_line *bl, const char *tok,
    size_t n, bool *expanded)
{
	const char *dash, *right;
	size_t lp, rp, ld, rd, width;
	unsigned long lo, hi, k;

	*expanded = false;
	dash = memchr(tok, '-', n);
	right = dash + 1;
	if (memchr(right, '-', n - (size_t)(right - tok)) != NULL)
		return 0;
	if (!bom_desig_split(tok, (size_t)(dash - tok), &lp, &lo, &ld) ||
	    !bom_desig_split(right, n - (size_t)(right - tok), &rp, &hi, &rd))
		return 0;
	/* the prefix fitted a 64-byte buffer with 12 bytes to spare */
	if (lp != rp || lp >= 64 - 12 ||
	    strncasecmp(tok, right, lp) != 0 || lo > hi)
		return 0;
	if (hi - lo + 1 > BOM_MAX_DESIGNATORS - bl->ndesignators)
		return 0;
	width = (ld > 1 && tok[lp] == '0') ? ld : 0;
	for (k = lo; k <= hi; k++) {
		if (bom_desig_room(ctx) == -1)
			return -1;
		bom_desig_add(ctx, bl, bom_desig_fmt(ctx->bom, tok, lp, width,
		    k));
	}
	*expanded = true;
	return 0;
}

/*
 * Fills bl->designators from the designator cell: split on , ; and white
 * space, ranges expanded. Returns 0, or -1 with ctx->err set.
 */
static int
bom_designators(struct bom_ctx *ctx, struct bom_line *bl, struct bom_view v)
{
	char *tmp, *tok, bad[BOM_CLIP + 8];
	size_t i, o = 0, n, nbad = 0, skipped = 0;
	bool expanded;

	/* "R1 - R4" is written as a range too */
	if (ctx->desigcap < v.n + 1) {
		ctx->desigcap = v.n + 1 > 256 ? v.n + 1 : 256;
		ctx->desig = xrealloc(ctx->desig, ctx->desigcap);
	}
	tmp = ctx->desig;
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
			if (bom_desig_range(ctx, bl, tok, n, &expanded) == -1)
				return -1;
			if (!expanded && nbad++ == 0) {
				struct bom_view t = { tok, n };

				bom_clip(t, bad, sizeof(bad));
			}
		}
		if (!expanded && bom_desig_push(ctx, bl, tok, n) == -1)
			return -1;
	}
	if (bl->ndesignators > 0) {
		bl->designators = bom_alloc(ctx->bom, bl->ndesignators *
		    sizeof(*bl->designators), alignof(char *));
		memcpy(bl->designators, ctx->dlist, bl->ndesignators *
		    sizeof(*bl->designators));
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
	return 0;
}

/* A line's strings stay in the blocks until bom_free(). */
static void
bom_line_clear(struct bom_line *bl)
{
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
	struct bom_view ref, qty, mpn, mfr, desc, pkg, val, dnp, fit;
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

	ref = bom_cell(r, cols, BOM_COL_REF);
	qty = bom_cell(r, cols, BOM_COL_QTY);
	mpn = bom_cell(r, cols, BOM_COL_MPN);
	mfr = bom_cell(r, cols, BOM_COL_MFR);
	desc = bom_cell(r, cols, BOM_COL_DESC);
	pkg = bom_cell(r, cols, BOM_COL_PKG);
	val = bom_cell(r, cols, BOM_COL_VALUE);
	dnp = bom_cell(r, cols, BOM_COL_DNP);
	fit = bom_cell(r, cols, BOM_COL_FITTED);

	if (bom_view_in(dnp, bom_dnp_true,
	    sizeof(bom_dnp_true) / sizeof(*bom_dnp_true)) ||
	    bom_view_in(fit, bom_fitted_false,
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
	bl.designator_text = bom_strndup(bom, ref.p, ref.n);
	bl.mpn = bom_strndup(bom, mpn.p, mpn.n);
	bl.manufacturer = bom_strndup(bom, mfr.p, mfr.n);
	bl.description = bom_strndup(bom, desc.p, desc.n);
	bl.package = bom_strndup(bom, pkg.p, pkg.n);
	bl.value = bom_strndup(bom, val.p, val.n);
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
	struct csv_opts opts = { ',', 0, BOM_MAX_FIELDS, false };
	struct bom_ctx ctx;
	struct bom_cols scratch;
	struct csv_reader r;
	struct csv_text text;
	struct bom *bom = NULL, *ret = NULL;
	size_t scanned = 0;
	bool have_header = false;
	int rc;

	memset(&ctx, 0, sizeof(ctx));
	memset(&text, 0, sizeof(text));
	buf_init(&ctx.reasons);
	csv_reader_init(&r, "", 0, &opts);
	err_printf(err, errlen, "%s", "");
	if (lim == NULL)
		lim = &defaults;
	if (buf == NULL)
		len = 0;
	if (len > lim->max_bytes) {
		err_printf(err, errlen, "BOM is larger than %zu bytes",
		    lim->max_bytes);
		goto out;
	}
	if (csv_decode(buf, len, &text, err, errlen) == -1)
		goto out;
	bom = xcalloc(1, sizeof(*bom));
	/* the fields and the designators of most BOMs fit one block */
	bom_block_new(bom, text.len < BOM_BLOCK_MAX / 2 - BOM_BLOCK_MIN ?
	    2 * text.len + BOM_BLOCK_MIN : BOM_BLOCK_MAX);
	bom->encoding = text.encoding;
	opts.max_field = lim->max_field;
	bom->delimiter = csv_detect_delim(text.data, text.len, &opts,
	    BOM_HEADER_SCAN, bom_header_map, &scratch);
	opts.delim = bom->delimiter;
	ctx.bom = bom;
	ctx.lim = lim;
	csv_reader_init(&r, text.data, text.len, &opts);
	while ((rc = csv_read_record(&r)) == 1) {
		if (csv_record_blank(&r))
			continue;
		if (!have_header) {
			scanned++;
			if (bom_header_map(&r, &ctx.cols))
				have_header = true;
			else if (scanned == BOM_HEADER_SCAN)
				break;
			continue;
		}
		if (bom_row(&ctx, &r) == -1) {
			err_printf(err, errlen, "%s", ctx.err);
			goto out;
		}
	}
	if (rc == -1) {
		err_printf(err, errlen, "line %zu: %s", r.err_line, r.err);
		goto out;
	}
	if (scanned == 0) {
		err_printf(err, errlen, "%s", BOM_NO_LINES);
		goto out;
	}
	if (!have_header) {
		err_printf(err, errlen, "%s", BOM_NO_HEADER);
		goto out;
	}
	if (bom->nlines == 0) {
		err_printf(err, errlen, "%s: %s", BOM_NO_LINES,
		    ctx.ndata == 0 ? "no data rows" : ctx.reasons.data);
		goto out;
	}
	ret = bom;
	bom = NULL;
out:
	csv_reader_free(&r);
	csv_text_free(&text);
	buf_free(&ctx.reasons);
	free(ctx.desig);
	free(ctx.dlist);
	bom_free(bom);
	return ret;
}

void
bom_free(struct bom *bom)
{
	struct bom_block *b;

	if (bom == NULL)
		return;
	while ((b = bom->blocks) != NULL) {
		bom->blocks = b->next;
		free(b);
	}
	free(bom->lines);
	free(bom->warnings);
	free(bom);
}
