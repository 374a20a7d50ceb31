/*
 * Unit tests for common/costing.c: golden rows computed by hand (the
 * arithmetic is in the comment of each row), plus the explain texts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "costing.h"
#include "offers.h"
#include "unit.h"
#include "util.h"

#define A	"1:0.10|10:0.08|100:0.05|1000:0.02"
#define BIG	1000000		/* stock that covers everything */

struct costing_row {
	const char	*breaks;
	int64_t		 moq, mult, stock, lead;
	int64_t		 line, build;
	int32_t		 bp;
	int64_t		 setup, maxlead;
	int		 rc;
	int64_t		 need, base, order, unit, ext;
	bool		 up, in_stock, lead_ok;
	int64_t		 shortfall;
};

static const struct costing_row rows[] = {
	/* 0: need 1x10=10, at the 10 break: 10*0.08=0.80; 100 -> 5.00 no */
	{ A, 1, 1, BIG, 0, 1, 10, 0, 0, -1,
	  0, 10, 10, 10, 80000, 800000, false, true, true, 0 },
	/* 1: need 9, below the 10 break: 9*0.10=0.90 > 10*0.08=0.80: buy up */
	{ A, 1, 1, BIG, 0, 1, 9, 0, 0, -1,
	  0, 9, 9, 10, 80000, 800000, true, true, true, 0 },
	/* 2: need 8: 8*0.10=0.80 == 10*0.08=0.80: tie keeps the smaller 8 */
	{ A, 1, 1, BIG, 0, 1, 8, 0, 0, -1,
	  0, 8, 8, 8, 100000, 800000, false, true, true, 0 },
	/* 3: need 11, above the 10 break: 11*0.08=0.88; 100 -> 5.00 no */
	{ A, 1, 1, BIG, 0, 1, 11, 0, 0, -1,
	  0, 11, 11, 11, 80000, 880000, false, true, true, 0 },
	/* 4: need 2x31=62: 62*0.08=4.96 < 100*0.05=5.00: buy-up loses */
	{ A, 1, 1, BIG, 0, 2, 31, 0, 0, -1,
	  0, 62, 62, 62, 80000, 4960000, false, true, true, 0 },
	/* 5: need 3x21=63: 63*0.08=5.04 > 100*0.05=5.00: buy-up wins */
	{ A, 1, 1, BIG, 0, 3, 21, 0, 0, -1,
	  0, 63, 63, 100, 50000, 5000000, true, true, true, 0 },
	/* 6: need 100, exactly at the break: 5.00; 1000*0.02=20.00 no */
	{ A, 1, 1, BIG, 0, 4, 25, 0, 0, -1,
	  0, 100, 100, 100, 50000, 5000000, false, true, true, 0 },
	/* 7: need 9x11=99, just below: 99*0.08=7.92 > 5.00: buy up to 100 */
	{ A, 1, 1, BIG, 0, 9, 11, 0, 0, -1,
	  0, 99, 99, 100, 50000, 5000000, true, true, true, 0 },
	/* 8: need 1: 1*0.10=0.10; 10 -> 0.80 no */
	{ A, 1, 1, BIG, 0, 1, 1, 0, 0, -1,
	  0, 1, 1, 1, 100000, 100000, false, true, true, 0 },
	/* 9: need 401: 401*0.05=20.05 > 1000*0.02=20.00: buy up to 1000 */
	{ A, 1, 1, BIG, 0, 1, 401, 0, 0, -1,
	  0, 401, 401, 1000, 20000, 20000000, true, true, true, 0 },
	/* 10: need 400: 400*0.05=20.00 == 1000*0.02=20.00: tie keeps 400 */
	{ A, 1, 1, BIG, 0, 1, 400, 0, 0, -1,
	  0, 400, 400, 400, 50000, 20000000, false, true, true, 0 },
	/* 11: need 1000, exactly at the last break: 1000*0.02=20.00 */
	{ A, 1, 1, BIG, 0, 1, 1000, 0, 0, -1,
	  0, 1000, 1000, 1000, 20000, 20000000, false, true, true, 0 },
	/* 12: need 1001, above the last break: 1001*0.02=20.02 */
	{ A, 1, 1, BIG, 0, 1, 1001, 0, 0, -1,
	  0, 1001, 1001, 1001, 20000, 20020000, false, true, true, 0 },
	/* 13: need 2x10=20 < MOQ 100: order 100*0.05=5.00 */
	{ A, 100, 1, BIG, 0, 2, 10, 0, 0, -1,
	  0, 20, 100, 100, 50000, 5000000, false, true, true, 0 },
	/* 14: need 20, MOQ 100, multiple 10: 100 already a multiple: 5.00 */
	{ "1:0.10|10:0.08|100:0.05", 100, 10, BIG, 0, 2, 10, 0, 0, -1,
	  0, 20, 100, 100, 50000, 5000000, false, true, true, 0 },
	/* 15: need 3x10=30, multiple 25 -> 50*0.50=25.00; 100*0.40=40 no */
	{ "1:0.50|100:0.40", 1, 25, BIG, 0, 3, 10, 0, 0, -1,
	  0, 30, 50, 50, 500000, 25000000, false, true, true, 0 },
	/* 16: need 4x19=76, multiple 25 -> 100, lands on the 100 break:
	 * 100*0.40=40.00 (no buy-up: it is the base) */
	{ "1:0.50|100:0.40", 1, 25, BIG, 0, 4, 19, 0, 0, -1,
	  0, 76, 100, 100, 400000, 40000000, false, true, true, 0 },
	/* 17: reel: need 2x25=50, MOQ 2500, multiple 2500 -> 2500*0.004
	 * =10.00; 5000*0.003=15.00 no */
	{ "2500:0.004|5000:0.003|10000:0.0025", 2500, 2500, BIG, 0, 2, 25,
	  0, 0, -1,
	  0, 50, 2500, 2500, 4000, 10000000, false, true, true, 0 },
	/* 18: reel: need 2501 -> multiple 2500 -> 5000*0.003=15.00;
	 * 10000*0.0025=25.00 no */
	{ "2500:0.004|5000:0.003|10000:0.0025", 2500, 2500, BIG, 0, 1, 2501,
	  0, 0, -1,
	  0, 2501, 5000, 5000, 3000, 15000000, false, true, true, 0 },
	/* 19: need 3 below the first break 10: order 10*0.08=0.80 */
	{ "10:0.08|100:0.05", 1, 1, BIG, 0, 1, 3, 0, 0, -1,
	  0, 3, 10, 10, 80000, 800000, false, true, true, 0 },
	/* 20: need 3, first break 15, multiple 10 -> 20*0.10=2.00;
	 * 100*0.05=5.00 no */
	{ "15:0.10|100:0.05", 1, 10, BIG, 0, 1, 3, 0, 0, -1,
	  0, 3, 20, 20, 100000, 2000000, false, true, true, 0 },
	/* 21: need 4x10=40, multiple 30 -> 60, past the 50 break:
	 * 60*0.50=30.00, no higher break */
	{ "1:1.00|50:0.50", 1, 30, BIG, 0, 4, 10, 0, 0, -1,
	  0, 40, 60, 60, 500000, 30000000, false, true, true, 0 },
	/* 22: need 30, multiple 20 -> 40*1.00=40.00; break 45 rounds to
	 * 60*0.50=30.00: buy-up with multiple wins */
	{ "1:1.00|45:0.50", 1, 20, BIG, 0, 3, 10, 0, 0, -1,
	  0, 30, 40, 60, 500000, 30000000, true, true, true, 0 },
	/* 23: need 20, multiple 20 -> 20*1.00=20.00; 60*0.50=30.00 loses */
	{ "1:1.00|45:0.50", 1, 20, BIG, 0, 2, 10, 0, 0, -1,
	  0, 20, 20, 20, 1000000, 20000000, false, true, true, 0 },
	/* 24: need 6: 6.00; 10->5.00, 20->4.00, 40->6.00: cheapest is 20 */
	{ "1:1.00|10:0.50|20:0.20|40:0.15", 1, 1, BIG, 0, 1, 6, 0, 0, -1,
	  0, 6, 6, 20, 200000, 4000000, true, true, true, 0 },
	/* 25: need 8: 8.00; 10->4.00 and 20->4.00 tie: the smaller 10 */
	{ "1:1.00|10:0.40|20:0.20", 1, 1, BIG, 0, 1, 8, 0, 0, -1,
	  0, 8, 8, 10, 400000, 4000000, true, true, true, 0 },
	/* 26: need 5, moq 30: 30*0.50=15.00 (30 lies in the 20 break);
	 * the 40 break: 40*0.30=12.00 wins */
	{ "1:1.00|20:0.50|40:0.30", 30, 1, BIG, 0, 1, 5, 0, 0, -1,
	  0, 5, 30, 40, 300000, 12000000, true, true, true, 0 },
	/* 27: attrition 2.5%: 2x25=50, 50*250/10000=1.25 -> 2, need 52:
	 * 52*0.08=4.16; 100 -> 5.00 no */
	{ A, 1, 1, BIG, 0, 2, 25, 250, 0, -1,
	  0, 52, 52, 52, 80000, 4160000, false, true, true, 0 },
	/* 28: attrition 2.5% of 40 = 1.00 exactly -> 1, need 41:
	 * 41*0.08=3.28 */
	{ A, 1, 1, BIG, 0, 1, 40, 250, 0, -1,
	  0, 41, 41, 41, 80000, 3280000, false, true, true, 0 },
	/* 29: attrition 0.01% of 1 = 0.0001 rounds up to 1, need 2:
	 * 2*0.10=0.20 */
	{ A, 1, 1, BIG, 0, 1, 1, 1, 0, -1,
	  0, 2, 2, 2, 100000, 200000, false, true, true, 0 },
	/* 30: setup extra 5: 1x10+5=15: 15*0.08=1.20 */
	{ A, 1, 1, BIG, 0, 1, 10, 0, 5, -1,
	  0, 15, 15, 15, 80000, 1200000, false, true, true, 0 },
	/* 31: 4x25=100, 5% -> 5, setup 10: need 115: 115*0.05=5.75;
	 * 1000 -> 20.00 no */
	{ A, 1, 1, BIG, 0, 4, 25, 500, 10, -1,
	  0, 115, 115, 115, 50000, 5750000, false, true, true, 0 },
	/* 32: zero stock, lead 84 > max 28: need 10 -> short 10, not ok */
	{ A, 1, 1, 0, 84, 1, 10, 0, 0, 28,
	  0, 10, 10, 10, 80000, 800000, false, false, false, 10 },
	/* 33: zero stock, lead 14 <= 28: short 10 but deliverable */
	{ A, 1, 1, 0, 14, 1, 10, 0, 0, 28,
	  0, 10, 10, 10, 80000, 800000, false, false, true, 10 },
	/* 34: zero stock, lead 120, no limit (-1): ok */
	{ A, 1, 1, 0, 120, 1, 10, 0, 0, -1,
	  0, 10, 10, 10, 80000, 800000, false, false, true, 10 },
	/* 35: stock exactly 10 = order: in stock, lead time irrelevant */
	{ A, 1, 1, 10, 200, 1, 10, 0, 0, 28,
	  0, 10, 10, 10, 80000, 800000, false, true, true, 0 },
	/* 36: stock 9 < 10, lead 29 > 28: short 1, not ok */
	{ A, 1, 1, 9, 29, 1, 10, 0, 0, 28,
	  0, 10, 10, 10, 80000, 800000, false, false, false, 1 },
	/* 37: stock 9 < 10, lead 28 == 28: short 1, ok (boundary) */
	{ A, 1, 1, 9, 28, 1, 10, 0, 0, 28,
	  0, 10, 10, 10, 80000, 800000, false, false, true, 1 },
	/* 38: stock counts the bought-up quantity: need 63 -> 100, stock 80
	 * -> short 20 */
	{ A, 1, 1, 80, 0, 3, 21, 0, 0, 28,
	  0, 63, 63, 100, 50000, 5000000, true, false, true, 20 },
	/* 39: huge but exact: 1e12 x 0.001 (1000 micros) = 1e15 micros =
	 * 1,000,000,000.00; stock 0 -> short 1e12 */
	{ "1:0.001", 1, 1, 0, 5, 1000000000000, 1, 0, 0, -1,
	  0, 1000000000000, 1000000000000, 1000000000000, 1000,
	  1000000000000000, false, false, true, 1000000000000 },
	/* 40: 4e12 x 10.00 = 4e12 x 1e7 micros = 4e19 > INT64_MAX: error */
	{ "1:10.00", 1, 1, BIG, 0, 4000000000000, 1, 0, 0, -1,
	  -1, 0, 0, 0, 0, 0, false, false, false, 0 },
	/* 41: 4e12 x 4e12 parts overflows the need itself: error */
	{ A, 1, 1, BIG, 0, 4000000000000, 4000000000000, 0, 0, -1,
	  -1, 0, 0, 0, 0, 0, false, false, false, 0 },
	/* 42: 9e18 + 100% attrition (9e18) overflows: error */
	{ A, 1, 1, BIG, 0, 9000000000000000000, 1, 10000, 0, -1,
	  -1, 0, 0, 0, 0, 0, false, false, false, 0 },
	/* 43: the 1e15 break would cost 1e15*0.5e6 > INT64_MAX: that
	 * candidate is skipped, not an error: 10*1.00=10.00 */
	{ "1:1.00|1000000000000000:0.50", 1, 1, BIG, 0, 1, 10, 0, 0, -1,
	  0, 10, 10, 10, 1000000, 10000000, false, true, true, 0 },
	/* 44: multiple rounding overflows INT64_MAX: error */
	{ "1:0.000001", 1, 1000000000000000, BIG, 0, 9223372036854775000,
	  1, 0, 0, -1,
	  -1, 0, 0, 0, 0, 0, false, false, false, 0 },
	/* 45: line qty 0 is refused */
	{ A, 1, 1, BIG, 0, 0, 10, 0, 0, -1,
	  -1, 0, 0, 0, 0, 0, false, false, false, 0 },
	/* 46: an offer without price breaks cannot be priced */
	{ "", 1, 1, BIG, 0, 1, 10, 0, 0, -1,
	  -1, 0, 0, 0, 0, 0, false, false, false, 0 },
	/* 47: multiple 0 and moq 0 mean 1: need 7: 7*0.10=0.70 */
	{ A, 0, 0, BIG, 0, 1, 7, 0, 0, -1,
	  0, 7, 7, 7, 100000, 700000, false, true, true, 0 },
};

static void
costing_offer(const struct costing_row *r, struct offer *o)
{
	const char *why;

	memset(o, 0, sizeof(*o));
	o->mpn = "TEST-MPN";
	o->manufacturer = "Test";
	o->supplier_id = "digikey";
	o->supplier_name = "DigiKey";
	o->sku = "SKU-1";
	o->type = SUPPLIER_AUTHORIZED;
	o->stock = r->stock;
	o->moq = r->moq;
	o->order_multiple = r->mult;
	o->lead_time_days = r->lead;
	memcpy(o->currency, "USD", 4);
	assert_int_equal(offer_parse_breaks(r->breaks, &o->breaks,
	    &o->nbreaks, &why), 0);
}

UNIT_TEST(test_costing_golden)
{
	struct cost_params p = { 0 };
	struct cost_result r;
	struct offer o;
	char err[128];
	size_t i;
	int rc;

	assert_true(sizeof(rows) / sizeof(rows[0]) >= 30);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		costing_offer(&rows[i], &o);
		p.line_qty = rows[i].line;
		p.build_qty = rows[i].build;
		p.attrition_bp = rows[i].bp;
		p.setup_extra = rows[i].setup;
		p.max_lead_time_days = rows[i].maxlead;
		err[0] = '\0';
		rc = costing_price(&o, &p, &r, err, sizeof(err));
		if (rc != rows[i].rc)
			fail_msg("row %zu: rc %d, want %d (%s)", i, rc,
			    rows[i].rc, err);
		if (rc == 0) {
			if (r.need != rows[i].need ||
			    r.base_qty != rows[i].base ||
			    r.order_qty != rows[i].order ||
			    r.unit_micros != rows[i].unit ||
			    r.extended_micros != rows[i].ext ||
			    r.bought_up != rows[i].up ||
			    r.in_stock != rows[i].in_stock ||
			    r.lead_ok != rows[i].lead_ok ||
			    r.shortfall != rows[i].shortfall)
				fail_msg("row %zu: got need %lld base %lld "
				    "order %lld unit %lld ext %lld up %d "
				    "stock %d lead %d short %lld (%s)", i,
				    (long long)r.need, (long long)r.base_qty,
				    (long long)r.order_qty,
				    (long long)r.unit_micros,
				    (long long)r.extended_micros, r.bought_up,
				    r.in_stock, r.lead_ok,
				    (long long)r.shortfall, r.explain);
			/* the saving is the difference of the two totals */
			assert_int_equal(r.saved_micros,
			    r.base_extended - r.extended_micros);
			assert_true(r.bought_up ? r.saved_micros > 0 :
			    r.saved_micros == 0);
		} else
			assert_true(err[0] != '\0');
		offer_free_fields(&o);
	}
}

UNIT_TEST(test_costing_overflow_message)
{
	struct cost_params p = { 4000000000000, 1, 0, 0, -1, false };
	struct cost_result r;
	struct offer o;
	char err[128];

	costing_offer(&rows[40], &o);
	assert_int_equal(costing_price(&o, &p, &r, err, sizeof(err)), -1);
	assert_string_equal(err, "quantity or price too large");
	offer_free_fields(&o);
}

UNIT_TEST(test_costing_explain)
{
	static const struct {
		size_t		 row;
		const char	*explain;
	} ex[] = {
		{ 14, "need 20 = 2 x 10; moq 100; multiple 10 -> 100 @ 0.05 "
		    "= 5.00" },
		{ 5, "need 63 = 3 x 21 -> 63 @ 0.08 = 5.04; buy-up 100 @ 0.05 "
		    "= 5.00 saves 0.04" },
		{ 27, "need 52 = 2 x 25 + 2 attrition (2.5%) -> 52 @ 0.08 = "
		    "4.16" },
		{ 31, "need 115 = 4 x 25 + 5 attrition (5%) + 10 setup -> 115 "
		    "@ 0.05 = 5.75" },
		{ 19, "need 3 = 1 x 3; first break 10 -> 10 @ 0.08 = 0.80" },
		{ 32, "need 10 = 1 x 10 -> 10 @ 0.08 = 0.80; stock 0, "
		    "short 10, lead 84 d" },
	};
	struct cost_params p = { 0 };
	struct cost_result r;
	struct offer o;
	char err[128];
	size_t i;
	const struct costing_row *row;

	for (i = 0; i < sizeof(ex) / sizeof(ex[0]); i++) {
		row = &rows[ex[i].row];
		costing_offer(row, &o);
		p.line_qty = row->line;
		p.build_qty = row->build;
		p.attrition_bp = row->bp;
		p.setup_extra = row->setup;
		p.max_lead_time_days = row->maxlead;
		assert_int_equal(costing_price(&o, &p, &r, err, sizeof(err)),
		    0);
		assert_string_equal(r.explain, ex[i].explain);
		offer_free_fields(&o);
	}
}

UNIT_TEST(test_costing_describe)
{
	struct cost_params p = { 2, 10, 0, 0, 28, false };
	struct cost_result r;
	struct offer o;
	struct buf b;
	char err[128];

	/* row 22: multiple 20 and a winning buy-up, in words */
	costing_offer(&rows[22], &o);
	p.line_qty = 3;
	assert_int_equal(costing_price(&o, &p, &r, err, sizeof(err)), 0);
	buf_init(&b);
	costing_describe(&o, &p, &r, &b);
	assert_non_null(strstr(b.data, "need 30 (3 per board x 10 boards)"));
	assert_non_null(strstr(b.data,
	    "rounding up to the order multiple of 20 gives 40"));
	assert_non_null(strstr(b.data, "40 at 1.00 each (the 1+ break) = "
	    "40.00"));
	assert_non_null(strstr(b.data, "buying up to 60 at 0.50 each (the "
	    "45+ break) = 30.00 is 10.00 cheaper, so order 60"));
	buf_free(&b);
	offer_free_fields(&o);

	/* row 13: MOQ and a shortage */
	costing_offer(&rows[13], &o);
	o.stock = 40;
	o.lead_time_days = 60;
	p.line_qty = 2;
	assert_int_equal(costing_price(&o, &p, &r, err, sizeof(err)), 0);
	buf_init(&b);
	costing_describe(&o, &p, &r, &b);
	assert_non_null(strstr(b.data, "the MOQ of 100 raises the order to "
	    "100"));
	assert_non_null(strstr(b.data, "only 40 in stock, short by 60, lead "
	    "time 60 days"));
	buf_free(&b);
	offer_free_fields(&o);
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
