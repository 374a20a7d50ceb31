/*
 * Offers catalog: the catalog CSV (read with csv.c, strictly), validation
 * of each offer row and the price-break list syntax "qty:price|qty:price".
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csv.h"
#include "offers.h"
#include "util.h"

enum offers_col {
	OFFERS_COL_MPN,
	OFFERS_COL_MANUFACTURER,
	OFFERS_COL_SUPPLIER_ID,
	OFFERS_COL_SUPPLIER_NAME,
	OFFERS_COL_SUPPLIER_TYPE,
	OFFERS_COL_SKU,
	OFFERS_COL_STOCK,
	OFFERS_COL_MOQ,
	OFFERS_COL_ORDER_MULTIPLE,
	OFFERS_COL_LEAD_TIME_DAYS,
	OFFERS_COL_CURRENCY,
	OFFERS_COL_BREAKS,
	OFFERS_COL_REQUIRED,		/* the columns above must be there */
	OFFERS_COL_LIFECYCLE = OFFERS_COL_REQUIRED,
	OFFERS_COL_ROHS,
	OFFERS_COL_COUNTRY,
	OFFERS_COL_PACKAGING,
	OFFERS_COL_DATASHEET,
	OFFERS_COL_COUNT
};

static const char *const offers_col_names[OFFERS_COL_COUNT] = {
	"mpn", "manufacturer", "supplier_id", "supplier_name",
	"supplier_type", "sku", "stock", "moq", "order_multiple",
	"lead_time_days", "currency", "breaks",
	"lifecycle", "rohs", "country_of_origin", "packaging", "datasheet_url"
};

/*
 * One CSV record: fields are NUL-terminated copies, trimmed of blanks (also
 * inside quotes).
 */
struct offers_row {
	char		**f;
	size_t		  n;
	size_t		  cap;
	size_t		  line_no;
	const char	 *bad;		/* set when the record is malformed */
};

static void
offers_row_clear(struct offers_row *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		free(r->f[i]);
	r->n = 0;
	r->bad = NULL;
}

static void
offers_row_free(struct offers_row *r)
{
	offers_row_clear(r);
	free(r->f);
	r->f = NULL;
	r->cap = 0;
}

/*
 * Reads the next record into row. Returns 1 (row->bad, borrowed from the
 * reader, says why when the record is malformed), 0 at the end of the
 * input.
 */
static int
offers_read_row(struct csv_reader *cr, struct offers_row *row)
{
	const char *s, *e;
	size_t i;
	int rc;

	offers_row_clear(row);
	if ((rc = csv_read_record(cr)) == 0)
		return 0;
	row->line_no = cr->rec_line;
	row->bad = rc == -1 ? cr->err : NULL;
	for (i = 0; i < cr->nfields; i++) {
		if (row->n == row->cap) {
			row->cap = row->cap ? row->cap * 2 : 16;
			row->f = xrealloc(row->f, row->cap * sizeof(*row->f));
		}
		s = csv_field(cr, i);
		while (*s == ' ' || *s == '\t')
			s++;
		e = s + strlen(s);
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		row->f[row->n++] = xstrndup(s, (size_t)(e - s));
	}
	return 1;
}

static bool
offers_row_blank(const struct offers_row *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->f[i][0] != '\0')
			return false;
	return true;
}

const struct name_table supplier_type_names = { "unknown",
    { SUPPLIER_TYPES(NAME_TABLE_ROW) } };

json_t *
offer_breaks_json(const struct offer *o)
{
	json_t *breaks = json_array();
	size_t i;

	for (i = 0; i < o->nbreaks; i++)
		json_array_append_new(breaks, json_pack("[I, I]",
		    (json_int_t)o->breaks[i].qty,
		    (json_int_t)o->breaks[i].unit_micros));
	return breaks;
}

const struct name_table offer_lifecycle_names = { "unknown",
    { OFFER_LIFECYCLES(NAME_TABLE_ROW) } };
const struct name_table offer_rohs_names = { "unknown",
    { OFFER_ROHS(NAME_TABLE_ROW) } };

/* An optional column's value: empty is unknown, else a name of t. */
static int
offers_optional(const struct name_table *t, const char *s)
{
	return name_index(t, s != NULL && s[0] == '\0' ? "unknown" : s);
}

int
offer_lifecycle_parse(const char *s, enum offer_lifecycle *l)
{
	int i;

	if ((i = offers_optional(&offer_lifecycle_names, s)) == -1)
		return -1;
	*l = (enum offer_lifecycle)i;
	return 0;
}

int
offer_rohs_parse(const char *s, enum offer_rohs *r)
{
	int i;

	if (s != NULL && strcasecmp(s, "true") == 0)
		i = OFFER_ROHS_YES;
	else if (s != NULL && strcasecmp(s, "false") == 0)
		i = OFFER_ROHS_NO;
	else if ((i = offers_optional(&offer_rohs_names, s)) == -1)
		return -1;
	*r = (enum offer_rohs)i;
	return 0;
}

/*
 * The breaks of p (not blank) into v, which has room for
 * OFFERS_MAX_BREAKS, their number in *nv: NULL, or why p is refused.
 */
static const char *
offers_read_breaks(const char *p, struct price_break *v, size_t *nv)
{
	const char *why, *bar, *colon;
	char tmp[64];
	size_t toklen;
	int64_t qty, price;

	for (;;) {
		bar = strchr(p, '|');
		toklen = bar ? (size_t)(bar - p) : strlen(p);
		if (*nv == OFFERS_MAX_BREAKS)
			return "more than 64 breaks";
		if (toklen >= sizeof(tmp))
			return "break too long";
		memcpy(tmp, p, toklen);
		tmp[toklen] = '\0';
		if ((colon = strchr(tmp, ':')) == NULL)
			return toklen == 0 || strspn(tmp, " \t") == toklen ?
			    "empty break" : "break is not qty:price";
		tmp[colon - tmp] = '\0';
		if (parse_i64(tmp, 1, OFFERS_MAX_QTY, &qty, &why) == -1) {
			if (parse_i64(tmp, INT64_MIN, INT64_MAX, &qty,
			    NULL) == 0)
				return qty < 1 ? "quantity below 1" :
				    "quantity too large";
			return why;
		}
		if (parse_money(colon + 1, &price, &why) == -1)
			return why;
		if (*nv > 0 && qty <= v[*nv - 1].qty)
			return "quantities not strictly ascending";
		v[*nv].qty = qty;
		v[*nv].unit_micros = price;
		(*nv)++;
		if (bar == NULL)
			return NULL;
		p = bar + 1;
	}
}

int
offer_parse_breaks(const char *s, struct price_break **out, size_t *n,
    const char **why)
{
	struct price_break *v;
	const char *p, *reason;
	size_t nv = 0;

	*out = NULL;
	*n = 0;
	if (s == NULL)
		return parse_result("empty", why);
	for (p = s; *p == ' ' || *p == '\t'; p++)
		;
	if (*p == '\0')
		return 0;	/* no breaks: an offer without a price */
	v = xcalloc(OFFERS_MAX_BREAKS, sizeof(*v));
	if ((reason = offers_read_breaks(p, v, &nv)) != NULL) {
		free(v);
		return parse_result(reason, why);
	}
	*out = v;
	*n = nv;
	return 0;
}

void
offer_own_strings(struct offer *o)
{
	const char **const f[] = { &o->mpn, &o->manufacturer,
	    &o->supplier_id, &o->supplier_name, &o->sku, &o->datasheet_url };

	o->strs = xstrs_pack(f, sizeof(f) / sizeof(f[0]), NULL);
}

void
offer_free_fields(struct offer *o)
{
	if (o == NULL)
		return;
	free(o->strs);
	free(o->breaks);
	memset(o, 0, sizeof(*o));
}

void
offer_array_free(struct offer *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		offer_free_fields(&v[i]);
	free(v);
}

void
offer_list_free(struct offer_list *l)
{
	size_t i;

	if (l == NULL)
		return;
	offer_array_free(l->v, l->n);
	for (i = 0; i < l->nerrors; i++)
		free(l->errors[i]);
	free(l->errors);
	memset(l, 0, sizeof(*l));
}

static void
offers_add_error(struct offer_list *l, size_t line_no, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
offers_add_error(struct offer_list *l, size_t line_no, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	int n;

	l->nbad++;
	if (l->nerrors >= OFFERS_MAX_ERRORS)
		return;
	n = snprintf(msg, sizeof(msg), "line %zu: ", line_no);
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	l->errors = xrealloc(l->errors, (l->nerrors + 1) * sizeof(*l->errors));
	l->errors[l->nerrors++] = xstrdup(msg);
}

/* Quotes at most 60 bytes of a value for an error message. */
static const char *
offers_clip(const char *s, char *tmp, size_t len)
{
	size_t n = strlen(s);

	if (n < len) {
		memcpy(tmp, s, n + 1);
		return tmp;
	}
	memcpy(tmp, s, len - 4);
	memcpy(tmp + len - 4, "...", 4);
	return tmp;
}

static int
offers_int_field(struct offer_list *l, const struct offers_row *r,
    const int *col, int which, int64_t min, int64_t max, int64_t *v)
{
	const char *why;
	char tmp[64];

	if (parse_i64(r->f[col[which]], min, max, v, &why) == 0)
		return 0;
	offers_add_error(l, r->line_no, "bad %s '%s' (%s)",
	    offers_col_names[which], offers_clip(r->f[col[which]], tmp,
	    sizeof(tmp)), why);
	return -1;
}

/*
 * The optional columns of row r into o (those the header names, col[k] !=
 * -1). 0, or -1 after recording the error.
 */
static int
offers_parse_details(struct offer_list *l, const struct offers_row *r,
    const int *col, struct offer *o)
{
	const char *s;
	char tmp[64];
	size_t n;

	if (col[OFFERS_COL_LIFECYCLE] != -1 && offer_lifecycle_parse(
	    r->f[col[OFFERS_COL_LIFECYCLE]], &o->lifecycle) == -1) {
		offers_add_error(l, r->line_no, "bad lifecycle '%s' (active, "
		    "nrnd, eol, obsolete or unknown)", offers_clip(
		    r->f[col[OFFERS_COL_LIFECYCLE]], tmp, sizeof(tmp)));
		return -1;
	}
	if (col[OFFERS_COL_ROHS] != -1 && offer_rohs_parse(
	    r->f[col[OFFERS_COL_ROHS]], &o->rohs) == -1) {
		offers_add_error(l, r->line_no, "bad rohs '%s' (yes, no or "
		    "unknown)", offers_clip(r->f[col[OFFERS_COL_ROHS]], tmp,
		    sizeof(tmp)));
		return -1;
	}
	if (col[OFFERS_COL_COUNTRY] != -1 &&
	    (s = r->f[col[OFFERS_COL_COUNTRY]])[0] != '\0') {
		if (strlen(s) != 2 || !isalpha((unsigned char)s[0]) ||
		    !isalpha((unsigned char)s[1])) {
			offers_add_error(l, r->line_no, "bad country_of_origin "
			    "'%s' (ISO 3166 alpha-2, 2 letters)",
			    offers_clip(s, tmp, sizeof(tmp)));
			return -1;
		}
		o->country[0] = (char)toupper((unsigned char)s[0]);
		o->country[1] = (char)toupper((unsigned char)s[1]);
	}
	if (col[OFFERS_COL_PACKAGING] != -1) {
		s = r->f[col[OFFERS_COL_PACKAGING]];
		if ((n = strlen(s)) >= sizeof(o->packaging)) {
			offers_add_error(l, r->line_no, "packaging longer than "
			    "%zu bytes", sizeof(o->packaging) - 1);
			return -1;
		}
		memcpy(o->packaging, s, n + 1);
	}
	if (col[OFFERS_COL_DATASHEET] != -1 &&
	    (s = r->f[col[OFFERS_COL_DATASHEET]])[0] != '\0') {
		if ((strncasecmp(s, "http://", 7) != 0 &&
		    strncasecmp(s, "https://", 8) != 0) ||
		    strlen(s) > OFFER_URL_MAX) {
			offers_add_error(l, r->line_no, "bad datasheet_url "
			    "'%s' (http or https, at most %d bytes)",
			    offers_clip(s, tmp, sizeof(tmp)), OFFER_URL_MAX);
			return -1;
		}
		o->datasheet_url = s;
	}
	return 0;
}

/* Validates one data row into o. 0, or -1 after recording the error. */
static int
offers_parse_row(struct offer_list *l, const struct offers_row *r,
    const int *col, int ncols, struct offer *o)
{
	const char *why, *s;
	char tmp[64];
	size_t i;
	int rc = -1, v;

	memset(o, 0, sizeof(*o));
	if (r->bad != NULL) {
		offers_add_error(l, r->line_no, "%s", r->bad);
		goto out;
	}
	if (r->n != (size_t)ncols) {
		offers_add_error(l, r->line_no, "%zu fields, header has %d",
		    r->n, ncols);
		goto out;
	}
	if (r->f[col[OFFERS_COL_MPN]][0] == '\0' ||
	    r->f[col[OFFERS_COL_SUPPLIER_ID]][0] == '\0' ||
	    r->f[col[OFFERS_COL_SKU]][0] == '\0') {
		offers_add_error(l, r->line_no, "empty %s",
		    r->f[col[OFFERS_COL_MPN]][0] == '\0' ? "mpn" :
		    r->f[col[OFFERS_COL_SUPPLIER_ID]][0] == '\0' ?
		    "supplier_id" : "sku");
		goto out;
	}
	s = r->f[col[OFFERS_COL_SUPPLIER_TYPE]];
	if ((v = name_index(&supplier_type_names, s)) == -1) {
		offers_add_error(l, r->line_no, "bad supplier_type '%s' "
		    "(authorized, broker or direct)",
		    offers_clip(s, tmp, sizeof(tmp)));
		goto out;
	}
	o->type = (enum supplier_type)v;
	if (offers_int_field(l, r, col, OFFERS_COL_STOCK, 0, OFFERS_MAX_QTY,
	    &o->stock) == -1 ||
	    offers_int_field(l, r, col, OFFERS_COL_MOQ, 0, OFFERS_MAX_QTY,
	    &o->moq) == -1 ||
	    offers_int_field(l, r, col, OFFERS_COL_ORDER_MULTIPLE, 0,
	    OFFERS_MAX_QTY, &o->order_multiple) == -1 ||
	    offers_int_field(l, r, col, OFFERS_COL_LEAD_TIME_DAYS, 0,
	    OFFERS_MAX_LEAD_DAYS, &o->lead_time_days) == -1)
		goto out;
	s = r->f[col[OFFERS_COL_CURRENCY]];
	if (strlen(s) != 3 || !isalpha((unsigned char)s[0]) ||
	    !isalpha((unsigned char)s[1]) || !isalpha((unsigned char)s[2])) {
		offers_add_error(l, r->line_no, "bad currency '%s' (3 letters)",
		    offers_clip(s, tmp, sizeof(tmp)));
		goto out;
	}
	for (i = 0; i < 3; i++)
		o->currency[i] = (char)toupper((unsigned char)s[i]);
	o->currency[3] = '\0';
	s = r->f[col[OFFERS_COL_BREAKS]];
	if (offer_parse_breaks(s, &o->breaks, &o->nbreaks, &why) == -1) {
		offers_add_error(l, r->line_no, "bad breaks '%s' (%s)",
		    offers_clip(s, tmp, sizeof(tmp)), why);
		goto out;
	}
	if (offers_parse_details(l, r, col, o) == -1)
		goto out;
	o->mpn = r->f[col[OFFERS_COL_MPN]];
	o->manufacturer = r->f[col[OFFERS_COL_MANUFACTURER]];
	o->supplier_id = r->f[col[OFFERS_COL_SUPPLIER_ID]];
	s = r->f[col[OFFERS_COL_SUPPLIER_NAME]];
	o->supplier_name = s[0] != '\0' ? s :
	    r->f[col[OFFERS_COL_SUPPLIER_ID]];
	o->sku = r->f[col[OFFERS_COL_SKU]];
	offer_own_strings(o);
	o->line_no = r->line_no;
	rc = 0;
out:
	if (rc == -1)
		offer_free_fields(o);
	return rc;
}

static int
offers_key_cmp(const void *a, const void *b)
{
	const struct offer *x = *(const struct offer *const *)a;
	const struct offer *y = *(const struct offer *const *)b;
	int c;

	if ((c = strcmp(x->supplier_id, y->supplier_id)) != 0)
		return c;
	if ((c = strcmp(x->sku, y->sku)) != 0)
		return c;
	return x->line_no < y->line_no ? -1 : x->line_no > y->line_no;
}

/* Drops all but the last row of each (supplier_id, sku), keeping order. */
static void
offers_dedupe(struct offer_list *l)
{
	struct offer **idx;
	size_t i, j;

	if (l->n < 2)
		return;
	idx = xcalloc(l->n, sizeof(*idx));
	for (i = 0; i < l->n; i++)
		idx[i] = &l->v[i];
	qsort(idx, l->n, sizeof(*idx), offers_key_cmp);
	for (i = 0; i + 1 < l->n; i++) {
		if (strcmp(idx[i]->supplier_id, idx[i + 1]->supplier_id) != 0 ||
		    strcmp(idx[i]->sku, idx[i + 1]->sku) != 0)
			continue;
		offers_add_error(l, idx[i]->line_no,
		    "duplicate offer %s/%s, a later row replaces it",
		    idx[i]->supplier_id, idx[i]->sku);
		offer_free_fields(idx[i]);	/* marks it: mpn is NULL */
	}
	free(idx);
	for (i = j = 0; i < l->n; i++)
		if (l->v[i].mpn != NULL)
			l->v[j++] = l->v[i];
	l->n = j;
}

int
offers_parse_csv(const char *buf, size_t len, struct offer_list *out,
    char *err, size_t errlen)
{
	static const struct csv_opts opts = { ',', OFFERS_MAX_FIELD, 0, true };
	struct offers_row row = { 0 };
	struct csv_reader cr;
	struct offer o;
	size_t nrows = 0, cap = 0, i, mark;
	int col[OFFERS_COL_COUNT], ncols, k, rc = -1;
	char *h;

	memset(out, 0, sizeof(*out));
	csv_reader_init(&cr, "", 0, &opts);
	if (len > OFFERS_MAX_BYTES) {
		snprintf(err, errlen, "offers csv larger than %d bytes",
		    OFFERS_MAX_BYTES);
		goto out;
	}
	mark = csv_utf8_mark(buf, len);
	csv_reader_init(&cr, buf + mark, len - mark, &opts);
	/* the header is the first non-blank record */
	do {
		if (offers_read_row(&cr, &row) == 0) {
			snprintf(err, errlen, "offers csv has no header");
			goto out;
		}
	} while (offers_row_blank(&row));
	if (row.bad != NULL) {
		snprintf(err, errlen, "line %zu: header: %s", row.line_no,
		    row.bad);
		goto out;
	}
	if (row.n > 256) {
		snprintf(err, errlen, "header has more than 256 columns");
		goto out;
	}
	for (k = 0; k < OFFERS_COL_COUNT; k++)
		col[k] = -1;
	for (i = 0; i < row.n; i++) {
		for (h = row.f[i]; *h; h++)
			*h = (char)tolower((unsigned char)*h);
		for (k = 0; k < OFFERS_COL_COUNT; k++) {
			if (strcmp(row.f[i], offers_col_names[k]) != 0)
				continue;
			if (col[k] != -1) {
				snprintf(err, errlen,
				    "duplicate column '%s' in header",
				    offers_col_names[k]);
				goto out;
			}
			col[k] = (int)i;
		}
	}
	for (k = 0; k < OFFERS_COL_REQUIRED; k++) {
		if (col[k] == -1) {
			snprintf(err, errlen, "missing column '%s' in header",
			    offers_col_names[k]);
			goto out;
		}
	}
	ncols = (int)row.n;
	while (offers_read_row(&cr, &row) == 1) {
		if (row.bad == NULL && offers_row_blank(&row))
			continue;
		if (++nrows > OFFERS_MAX_ROWS) {
			snprintf(err, errlen, "offers csv has more than %d "
			    "rows", OFFERS_MAX_ROWS);
			goto out;
		}
		if (offers_parse_row(out, &row, col, ncols, &o) == -1)
			continue;
		if (out->n == cap) {
			cap = cap ? cap * 2 : 64;
			out->v = xrealloc(out->v, cap * sizeof(*out->v));
		}
		out->v[out->n++] = o;
	}
	offers_dedupe(out);
	rc = 0;
out:
	offers_row_free(&row);
	csv_reader_free(&cr);
	return rc;
}
