/*
 * Costing: need, MOQ and order-multiple rounding, price-break lookup and
 * buy-up, stock and lead time, all overflow-checked in micro-units.
 */
#include <sys/types.h>

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "costing.h"

#define COSTING_TOO_LARGE	"quantity or price too large"

/* Index of the break with the highest qty <= qty, or -1 below the first. */
static ssize_t
costing_break_at(const struct offer *o, int64_t qty)
{
	ssize_t i;

	for (i = (ssize_t)o->nbreaks - 1; i >= 0; i--)
		if (o->breaks[i].qty <= qty)
			return i;
	return -1;
}

static int
costing_round_up(int64_t q, int64_t mult, int64_t *out)
{
	int64_t rem;

	if (mult <= 1 || (rem = q % mult) == 0) {
		*out = q;
		return 0;
	}
	return i64_add(q, mult - rem, out);
}

/* "2.5%" for 250 basis points. */
static void
costing_percent(int32_t bp, char *out, size_t len)
{
	if (bp % 100 == 0)
		snprintf(out, len, "%d%%", (int)(bp / 100));
	else if (bp % 10 == 0)
		snprintf(out, len, "%d.%d%%", (int)(bp / 100),
		    (int)(bp % 100 / 10));
	else
		snprintf(out, len, "%d.%02d%%", (int)(bp / 100),
		    (int)(bp % 100));
}

int
costing_need(const struct cost_params *p, struct cost_result *r, char *err,
    size_t errlen)
{
	int64_t base, extra, whole;

	/* explain (most of r) is a string: empty is enough */
	memset(r, 0, offsetof(struct cost_result, explain));
	r->explain[0] = '\0';
	if (p->line_qty < 1) {
		snprintf(err, errlen, "line quantity must be at least 1");
		return -1;
	}
	if (p->build_qty < 1) {
		snprintf(err, errlen, "build quantity must be at least 1");
		return -1;
	}
	if (p->attrition_bp < 0 ||
	    p->attrition_bp > COSTING_MAX_ATTRITION_BP) {
		snprintf(err, errlen, "attrition must be 0 to %d basis points",
		    COSTING_MAX_ATTRITION_BP);
		return -1;
	}
	if (p->setup_extra < 0) {
		snprintf(err, errlen, "setup extra must not be negative");
		return -1;
	}
	if (p->max_lead_time_days < -1) {
		snprintf(err, errlen, "max lead time must be -1 or more");
		return -1;
	}
	if (i64_mul(p->line_qty, p->build_qty, &base) == -1)
		goto toolarge;
	/*
	 * ceil(base * bp / 10000) without forming base * bp: the whole
	 * ten-thousands are exact, only the remainder needs rounding up.
	 */
	if (i64_mul(base / 10000, p->attrition_bp, &whole) == -1)
		goto toolarge;
	extra = whole + ((base % 10000) * p->attrition_bp + 9999) / 10000;
	r->need_base = base;
	r->attrition_qty = extra;
	if (i64_add(base, extra, &r->need) == -1 ||
	    i64_add(r->need, p->setup_extra, &r->need) == -1)
		goto toolarge;
	return 0;
toolarge:
	snprintf(err, errlen, COSTING_TOO_LARGE);
	return -1;
}

static void
costing_explain(const struct offer *o, const struct cost_params *p,
    struct cost_result *r)
{
	struct buf b;
	char m1[32], m2[32], m3[32], pct[16];

	buf_init(&b);
	buf_printf(&b, "need %" PRId64 " = %" PRId64 " x %" PRId64, r->need,
	    p->line_qty, p->build_qty);
	if (p->attrition_bp > 0) {
		costing_percent(p->attrition_bp, pct, sizeof(pct));
		buf_printf(&b, " + %" PRId64 " attrition (%s)",
		    r->attrition_qty, pct);
	}
	if (p->setup_extra > 0)
		buf_printf(&b, " + %" PRId64 " setup", p->setup_extra);
	if (r->moq_applied)
		buf_printf(&b, "; moq %" PRId64, r->moq);
	if (r->first_break_applied)
		buf_printf(&b, "; first break %" PRId64, o->breaks[0].qty);
	if (r->multiple > 1)
		buf_printf(&b, "; multiple %" PRId64, r->multiple);
	money_format(r->base_unit_micros, m1, sizeof(m1));
	money_format(r->base_extended, m2, sizeof(m2));
	buf_printf(&b, " -> %" PRId64 " @ %s = %s", r->base_qty, m1, m2);
	if (r->bought_up) {
		money_format(r->unit_micros, m1, sizeof(m1));
		money_format(r->extended_micros, m2, sizeof(m2));
		money_format(r->saved_micros, m3, sizeof(m3));
		buf_printf(&b, "; buy-up %" PRId64 " @ %s = %s saves %s",
		    r->order_qty, m1, m2, m3);
	}
	if (!r->in_stock)
		buf_printf(&b, "; stock %" PRId64 ", short %" PRId64
		    ", lead %" PRId64 " d", o->stock, r->shortfall,
		    o->lead_time_days);
	/* the parts above are bounded and fit; truncation would be cosmetic */
	snprintf(r->explain, sizeof(r->explain), "%s", b.data);
	buf_free(&b);
}

int
costing_price(const struct offer *o, const struct cost_params *p,
    struct cost_result *r, char *err, size_t errlen)
{
	int64_t q, cand, total, best_qty, best_total;
	ssize_t bi, bj, best_bi;
	bool lead_allows;
	size_t j;

	if (costing_need(p, r, err, errlen) == -1)
		return -1;
	if (o->nbreaks == 0 || o->breaks == NULL) {
		snprintf(err, errlen, "offer has no price breaks");
		return -1;
	}
	r->moq = o->moq > 1 ? o->moq : 1;
	r->multiple = o->order_multiple > 1 ? o->order_multiple : 1;
	q = r->need;
	if (r->moq > q) {
		q = r->moq;
		r->moq_applied = true;
	}
	if (o->breaks[0].qty > q) {
		q = o->breaks[0].qty;
		r->first_break_applied = true;
	}
	if (costing_round_up(q, r->multiple, &r->base_qty) == -1)
		goto toolarge;
	r->multiple_applied = r->base_qty > q;
	bi = costing_break_at(o, r->base_qty);
	r->base_break_qty = o->breaks[bi].qty;
	r->base_unit_micros = o->breaks[bi].unit_micros;
	if (i64_mul(r->base_qty, r->base_unit_micros, &r->base_extended) == -1)
		goto toolarge;
	best_qty = r->base_qty;
	best_total = r->base_extended;
	best_bi = bi;
	/*
	 * Buy-up: a higher break can be cheaper in total. Candidates grow
	 * with the break, and only a strictly lower total replaces the best,
	 * so ties keep the smaller quantity. A candidate that overflows
	 * costs more than the base, which fits, so it is skipped; so is one
	 * the stock does not cover when the lead time does not allow waiting
	 * for the rest (buying up must not turn a stocked line short).
	 */
	lead_allows = p->max_lead_time_days < 0 ||
	    o->lead_time_days <= p->max_lead_time_days;
	for (j = (size_t)bi + 1; j < o->nbreaks; j++) {
		cand = o->breaks[j].qty > r->moq ? o->breaks[j].qty : r->moq;
		if (costing_round_up(cand, r->multiple, &cand) == -1)
			continue;
		if (cand > o->stock && !lead_allows)
			continue;
		bj = costing_break_at(o, cand);
		if (i64_mul(cand, o->breaks[bj].unit_micros, &total) == -1)
			continue;
		if (total < best_total) {
			best_total = total;
			best_qty = cand;
			best_bi = bj;
		}
	}
	r->order_qty = best_qty;
	r->break_qty = o->breaks[best_bi].qty;
	r->unit_micros = o->breaks[best_bi].unit_micros;
	r->extended_micros = best_total;
	r->bought_up = best_qty != r->base_qty;
	r->saved_micros = r->base_extended - best_total;
	r->in_stock = o->stock >= r->order_qty;
	r->shortfall = r->in_stock ? 0 : r->order_qty - o->stock;
	r->lead_ok = r->in_stock || lead_allows;
	if (!p->no_explain)
		costing_explain(o, p, r);
	return 0;
toolarge:
	snprintf(err, errlen, COSTING_TOO_LARGE);
	return -1;
}

void
costing_describe(const struct offer *o, const struct cost_params *p,
    const struct cost_result *r, struct buf *b)
{
	char m1[32], m2[32], m3[32], pct[16];
	int64_t q;

	buf_printf(b, "need %" PRId64 " (%" PRId64 " per board x %" PRId64
	    " board%s", r->need, p->line_qty, p->build_qty,
	    p->build_qty == 1 ? "" : "s");
	if (p->attrition_bp > 0) {
		costing_percent(p->attrition_bp, pct, sizeof(pct));
		buf_printf(b, " + %" PRId64 " for %s attrition",
		    r->attrition_qty, pct);
	}
	if (p->setup_extra > 0)
		buf_printf(b, " + %" PRId64 " setup extra", p->setup_extra);
	buf_puts(b, ")");
	q = r->need;
	if (r->moq_applied) {
		q = r->moq;
		buf_printf(b, "; the MOQ of %" PRId64 " raises the order to %"
		    PRId64, r->moq, q);
	}
	if (r->first_break_applied) {
		q = o->breaks[0].qty;
		buf_printf(b, "; the first price break starts at %" PRId64
		    ", so the order is raised to %" PRId64, q, q);
	}
	if (r->multiple_applied)
		buf_printf(b, "; rounding up to the order multiple of %" PRId64
		    " gives %" PRId64, r->multiple, r->base_qty);
	else if (r->multiple > 1)
		buf_printf(b, "; %" PRId64 " is already a multiple of %" PRId64,
		    r->base_qty, r->multiple);
	money_format(r->base_unit_micros, m1, sizeof(m1));
	money_format(r->base_extended, m2, sizeof(m2));
	buf_printf(b, "; %" PRId64 " at %s each (the %" PRId64 "+ break) = %s",
	    r->base_qty, m1, r->base_break_qty, m2);
	if (r->bought_up) {
		money_format(r->unit_micros, m1, sizeof(m1));
		money_format(r->extended_micros, m2, sizeof(m2));
		money_format(r->saved_micros, m3, sizeof(m3));
		buf_printf(b, "; buying up to %" PRId64 " at %s each (the %"
		    PRId64 "+ break) = %s is %s cheaper, so order %" PRId64,
		    r->order_qty, m1, r->break_qty, m2, m3, r->order_qty);
	}
	if (r->in_stock)
		buf_printf(b, "; %" PRId64 " in stock", o->stock);
	else
		buf_printf(b, "; only %" PRId64 " in stock, short by %" PRId64
		    ", lead time %" PRId64 " days", o->stock, r->shortfall,
		    o->lead_time_days);
}
