/*
 * Unit tests for common/costing.c: golden cases computed by hand in
 * tests/fixtures/cases/costing.json (the arithmetic is in each case's
 * why), with the explain texts of some of them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "costing.h"
#include "fixture_cases.h"
#include "offers.h"
#include "unit.h"
#include "util.h"

#define BIG	1000000		/* stock that covers everything */

/* The offer a case is priced against. */
struct costing_offer_in {
	const char	*breaks;
	json_int_t	 moq, mult, stock, lead;
};

/*
 * A golden case of tests/fixtures/cases/costing.json: the offer, the line
 * (p), and either the result (want) or the error it must give.
 */
struct costing_case {
	const char		*why;
	struct costing_offer_in	 offer;
	struct cost_params	 p;
	const char		*error;		/* NULL: priced, as want */
	const char		*explain;	/* NULL: not checked */
	struct cost_result	 want;
};

static void
costing_offer(const struct costing_offer_in *in, struct offer *o)
{
	const char *why;

	memset(o, 0, sizeof(*o));
	o->mpn = "TEST-MPN";
	o->manufacturer = "Test";
	o->supplier_id = "digikey";
	o->supplier_name = "DigiKey";
	o->sku = "SKU-1";
	o->type = SUPPLIER_AUTHORIZED;
	o->stock = in->stock;
	o->moq = in->moq;
	o->order_multiple = in->mult;
	o->lead_time_days = in->lead;
	memcpy(o->currency, "USD", 4);
	assert_int_equal(offer_parse_breaks(in->breaks, &o->breaks,
	    &o->nbreaks, &why), 0);
}

/*
 * Case i of cases into c: a case has exactly one of want and error, and
 * an explain text only with want.
 */
static void
costing_case_get(const json_t *cases, size_t i, struct costing_case *c)
{
	json_int_t line, build, bp, setup, maxlead;
	json_int_t need, base, order, unit, ext, shortfall;
	int up = 0, in_stock = 0, lead_ok = 0;
	bool priced;

	memset(c, 0, sizeof(*c));
	priced = json_object_get(json_array_get(cases, i), "want") != NULL;
	fixture_case_unpack(cases, i, "{s:s, s?s, s:s, s:I, s:I, s:I, s:I, "
	    "s:I, s:I, s:I, s:I, s:I, s?s, s?{s:I, s:I, s:I, s:I, s:I, s:b, "
	    "s:b, s:b, s:I}}", "why", &c->why, "explain", &c->explain,
	    "breaks", &c->offer.breaks, "moq", &c->offer.moq,
	    "mult", &c->offer.mult, "stock", &c->offer.stock,
	    "lead", &c->offer.lead, "line", &line, "build", &build,
	    "attrition_bp", &bp, "setup", &setup, "max_lead", &maxlead,
	    "error", &c->error, "want", "need", &need, "base", &base,
	    "order", &order, "unit", &unit, "ext", &ext, "bought_up", &up,
	    "in_stock", &in_stock, "lead_ok", &lead_ok,
	    "shortfall", &shortfall);
	if (priced == (c->error != NULL))
		fail_msg("case %zu (%s): want one of want and error", i,
		    c->why);
	if (c->explain != NULL && !priced)
		fail_msg("case %zu (%s): an explain text needs want", i,
		    c->why);
	c->p.line_qty = line;
	c->p.build_qty = build;
	c->p.attrition_bp = (int32_t)bp;
	c->p.setup_extra = setup;
	c->p.max_lead_time_days = maxlead;
	if (!priced)
		return;
	c->want.need = need;
	c->want.base_qty = base;
	c->want.order_qty = order;
	c->want.unit_micros = unit;
	c->want.extended_micros = ext;
	c->want.bought_up = up;
	c->want.in_stock = in_stock;
	c->want.lead_ok = lead_ok;
	c->want.shortfall = shortfall;
}

/* Fails the test unless r is what case i (c) wants. */
static void
costing_check(size_t i, const struct costing_case *c,
    const struct cost_result *r)
{
	const struct cost_result *w = &c->want;

	if (r->need != w->need || r->base_qty != w->base_qty ||
	    r->order_qty != w->order_qty || r->unit_micros != w->unit_micros ||
	    r->extended_micros != w->extended_micros ||
	    r->bought_up != w->bought_up || r->in_stock != w->in_stock ||
	    r->lead_ok != w->lead_ok || r->shortfall != w->shortfall)
		fail_msg("case %zu (%s): got need %lld base %lld order %lld "
		    "unit %lld ext %lld up %d stock %d lead %d short %lld (%s)",
		    i, c->why, (long long)r->need, (long long)r->base_qty,
		    (long long)r->order_qty, (long long)r->unit_micros,
		    (long long)r->extended_micros, r->bought_up, r->in_stock,
		    r->lead_ok, (long long)r->shortfall, r->explain);
	/* the saving is the difference of the two totals */
	assert_int_equal(r->saved_micros, r->base_extended -
	    r->extended_micros);
	assert_true(r->bought_up ? r->saved_micros > 0 :
	    r->saved_micros == 0);
	if (c->explain != NULL && strcmp(r->explain, c->explain) != 0)
		fail_msg("case %zu (%s): explain '%s', want '%s'", i, c->why,
		    r->explain, c->explain);
}

/* Prices case c into r: costing_price()'s return code. */
static int
costing_run(const struct costing_case *c, struct cost_result *r, char *err,
    size_t errlen)
{
	struct offer o;
	int rc;

	costing_offer(&c->offer, &o);
	err[0] = '\0';
	rc = costing_price(&o, &c->p, r, err, errlen);
	offer_free_fields(&o);
	return rc;
}

/* Every case of costing.json, with its explain text where it has one. */
UNIT_TEST(test_costing_golden)
{
	json_t *cases = fixture_cases("costing");
	struct costing_case c;
	struct cost_result r;
	char err[128];
	size_t i, explained = 0;
	int rc;

	assert_true(json_array_size(cases) >= 30);
	for (i = 0; i < json_array_size(cases); i++) {
		costing_case_get(cases, i, &c);
		rc = costing_run(&c, &r, err, sizeof(err));
		if (rc != (c.error == NULL ? 0 : -1))
			fail_msg("case %zu (%s): rc %d (%s)", i, c.why, rc,
			    err);
		if (rc == 0)
			costing_check(i, &c, &r);
		else if (strcmp(err, c.error) != 0)
			fail_msg("case %zu (%s): error '%s', want '%s'", i,
			    c.why, err, c.error);
		if (c.explain != NULL)
			explained++;
	}
	assert_true(explained > 0);
	json_decref(cases);
}

UNIT_TEST(test_costing_overflow_message)
{
	/* 4e12 x 10.00 overflows the total */
	struct costing_offer_in in = { .breaks = "1:10.00", .moq = 1,
	    .mult = 1, .stock = BIG };
	struct cost_params p = { 4000000000000, 1, 0, 0, -1, false };
	struct cost_result r;
	struct offer o;
	char err[128];

	costing_offer(&in, &o);
	assert_int_equal(costing_price(&o, &p, &r, err, sizeof(err)), -1);
	assert_string_equal(err, "quantity or price too large");
	offer_free_fields(&o);
}

/* The costing of offer in for the line p in words, into b: caller frees b. */
static void
costing_words(const struct costing_offer_in *in, const struct cost_params *p,
    struct buf *b)
{
	struct cost_result r;
	struct offer o;
	char err[128];

	costing_offer(in, &o);
	assert_int_equal(costing_price(&o, p, &r, err, sizeof(err)), 0);
	buf_init(b);
	costing_describe(&o, p, &r, b);
	offer_free_fields(&o);
}

UNIT_TEST(test_costing_describe)
{
	struct costing_offer_in buyup = { .breaks = "1:1.00|45:0.50",
	    .moq = 1, .mult = 20, .stock = BIG };
	struct costing_offer_in moq = { .breaks = "1:0.10|10:0.08|100:0.05|"
	    "1000:0.02", .moq = 100, .mult = 1, .stock = 40, .lead = 60 };
	struct cost_params p = { 2, 10, 0, 0, 28, false };
	struct buf b;

	/* multiple 20 and a winning buy-up, in words */
	p.line_qty = 3;
	costing_words(&buyup, &p, &b);
	assert_non_null(strstr(b.data, "need 30 (3 per board x 10 boards)"));
	assert_non_null(strstr(b.data,
	    "rounding up to the order multiple of 20 gives 40"));
	assert_non_null(strstr(b.data, "40 at 1.00 each (the 1+ break) = "
	    "40.00"));
	assert_non_null(strstr(b.data, "buying up to 60 at 0.50 each (the "
	    "45+ break) = 30.00 is 10.00 cheaper, so order 60"));
	buf_free(&b);

	/* MOQ and a shortage */
	p.line_qty = 2;
	costing_words(&moq, &p, &b);
	assert_non_null(strstr(b.data, "the MOQ of 100 raises the order to "
	    "100"));
	assert_non_null(strstr(b.data, "only 40 in stock, short by 60, lead "
	    "time 60 days"));
	buf_free(&b);
}

UNIT_TEST(test_costing_need)
{
	static const struct {
		int64_t	line, build;
		int32_t	bp;
		int64_t	setup;
		int	rc;
		int64_t	need;
	} nr[] = {
		{ 1, 1, 0, 0, 0, 1 },
		/* 3x7=21, 10% = 2.1 -> 3: 24 */
		{ 3, 7, 1000, 0, 0, 24 },
		/* 20000 x 1: 2.5% = 500 exactly: 20500 */
		{ 1, 20000, 250, 0, 0, 20500 },
		/* 20001: 2.5% = 500.025 -> 501: 20502 */
		{ 1, 20001, 250, 0, 0, 20502 },
		/* 1000% of 1 = 10: 11, + 3 setup: 14 */
		{ 1, 1, 100000, 3, 0, 14 },
		{ 1, 1, 100001, 0, -1, 0 },	/* attrition out of range */
		{ 1, 1, -1, 0, -1, 0 },
		{ 1, 1, 0, -1, -1, 0 },		/* negative setup */
		{ 1, 0, 0, 0, -1, 0 },		/* build 0 */
	};
	struct cost_params p = { 0 };
	struct cost_result r;
	char err[128];
	size_t i;

	for (i = 0; i < sizeof(nr) / sizeof(nr[0]); i++) {
		p.line_qty = nr[i].line;
		p.build_qty = nr[i].build;
		p.attrition_bp = nr[i].bp;
		p.setup_extra = nr[i].setup;
		p.max_lead_time_days = -1;
		if (costing_need(&p, &r, err, sizeof(err)) != nr[i].rc)
			fail_msg("need row %zu: rc", i);
		if (nr[i].rc == 0 && r.need != nr[i].need)
			fail_msg("need row %zu: %lld, want %lld", i,
			    (long long)r.need, (long long)nr[i].need);
	}
}
