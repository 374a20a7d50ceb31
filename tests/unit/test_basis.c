/*
 * Unit tests for common/basis.c: a basis written and read back decides a
 * line as the worker did (the offers' details and the order costs
 * included); a basis written before the engineering checks still reads,
 * its details unknown and the checks off; the deadline makes the lead
 * limit nearer from the decision date.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "basis.h"
#include "fixture_offers.h"
#include "intake.h"
#include "offers.h"
#include "sourcing.h"
#include "unit.h"
#include "util.h"

static const char catalog[] =
    FIXTURE_OFFERS_COLS ",lifecycle,rohs,country_of_origin,packaging,"
    "datasheet_url\n"
    "P-1,Acme,digikey,DigiKey,authorized,DK-1,100,1,1,20,USD,"
    "1:1.00|10:0.90,nrnd,no,tw,Reel,https://x.example/p1.pdf\n"
    "P-1,Acme,mouser,Mouser,authorized,MO-1,0,1,1,30,USD,1:0.80,,,,,\n";

UNIT_TEST(test_round_trip)
{
	static const struct supplier_rule trust[] = {
		{ "digikey", TRUST_HIGH, 12500000 },
		{ "other", TRUST_LOW, 1 },
	};
	struct basis_costing c = { 250, 2, 20000 };
	struct basis_writer w;
	struct offer_list l;
	struct basis b;
	const struct offer *o;
	char err[256];
	struct buf t;
	size_t n;

	assert_int_equal(offers_parse_csv(catalog, sizeof(catalog) - 1, &l,
	    err, sizeof(err)), 0);
	assert_int_equal(l.n, 2);
	buf_init(&t);
	basis_begin(&w, &t, &c);
	basis_add_offers(&w, "P-1", l.v, l.n);
	basis_add_knowledge(&w, trust, 2, NULL, 0, NULL, 0);
	basis_end(&w);
	assert_int_equal(basis_parse(t.data, t.len, &b), 0);
	assert_int_equal(b.costing.attrition_bp, 250);
	assert_int_equal(b.costing.setup_extra, 2);
	assert_int_equal(b.costing.decided_on, 20000);
	assert_int_equal(b.ntrust, 1);	/* "other" sells nothing here */
	assert_int_equal(b.trust[0].order_cost_micros, 12500000);
	o = basis_lookup(&b, "p-1", &n);
	assert_int_equal(n, 2);
	assert_string_equal(o[0].supplier_id, "digikey");
	assert_int_equal(o[0].lifecycle, OFFER_LIFECYCLE_NRND);
	assert_int_equal(o[0].rohs, OFFER_ROHS_NO);
	assert_string_equal(o[0].country, "TW");
	assert_string_equal(o[0].packaging, "Reel");
	assert_string_equal(o[0].datasheet_url, "https://x.example/p1.pdf");
	assert_int_equal(o[1].lifecycle, OFFER_LIFECYCLE_UNKNOWN);
	assert_null(o[1].datasheet_url);
	basis_free(&b);
	buf_free(&t);
	offer_list_free(&l);
}

/* A set named by hash: written last, as "sets"; the offers' suppliers
 * still select the trust rows; a set named twice is named once. */
UNIT_TEST(test_set_ref)
{
	static const struct supplier_rule trust[] = {
		{ "mouser", TRUST_HIGH, 7 },
	};
	struct basis_costing c = { 0, 0, 20000 };
	char h[BASIS_HASH_LEN + 1], h2[BASIS_HASH_LEN + 1], want[160];
	struct basis_writer w;
	struct offer_list l;
	struct basis b;
	char err[256];
	struct buf t, s;
	int key;

	assert_int_equal(offers_parse_csv(catalog, sizeof(catalog) - 1, &l,
	    err, sizeof(err)), 0);
	buf_init(&s);
	basis_offers_text(l.v, l.n, &s);
	basis_hash(s.data, s.len, h);
	basis_hash(s.data, s.len, h2);
	assert_int_equal(strlen(h), BASIS_HASH_LEN);
	assert_string_equal(h, h2);
	assert_true(strspn(h, "0123456789abcdef") == BASIS_HASH_LEN);
	basis_hash(s.data, s.len - 1, h2);
	assert_string_not_equal(h, h2);
	buf_init(&t);
	basis_begin(&w, &t, &c);
	basis_add_offers_ref(&w, "P-1", &key, l.v, l.n, h);
	basis_add_offers_ref(&w, "p-1", &key, l.v, l.n, h);
	basis_add_knowledge(&w, trust, 1, NULL, 0, NULL, 0);
	basis_end(&w);
	snprintf(want, sizeof(want), "\"offers\":[],\"trust\":[[\"mouser\","
	    "\"high\",7]],\"banned\":[],\"alternates\":[],\"sets\":[\"%s\"]}",
	    h);
	assert_non_null(strstr(t.data, want));
	/* what bomd_basis() gives back: the set's text among the offers */
	assert_int_equal(basis_parse(t.data, t.len, &b), 0);
	assert_int_equal(b.noffers, 0);
	assert_int_equal(b.ntrust, 1);
	basis_free(&b);
	buf_free(&t);
	buf_free(&s);
	offer_list_free(&l);
}

UNIT_TEST(test_old_basis)
{
	static const char old[] = "{\"costing\":[0,0],\"offers\":[[\"P-1\","
	    "\"Acme\",\"digikey\",\"DigiKey\",\"authorized\",\"DK-1\",100,1,1,"
	    "20,\"USD\",[[1,1000000]]]],\"trust\":[[\"digikey\",\"high\"]],"
	    "\"banned\":[],\"alternates\":[]}";
	struct sourcing_rules rules;
	struct intake_view v;
	struct cost_params p;
	struct basis b;
	json_t *ctx;

	assert_int_equal(basis_parse(old, sizeof(old) - 1, &b), 0);
	assert_int_equal(b.costing.decided_on, -1);
	assert_int_equal(b.noffers, 1);
	assert_int_equal(b.offers[0].lifecycle, OFFER_LIFECYCLE_UNKNOWN);
	assert_int_equal(b.trust[0].order_cost_micros, 0);
	ctx = json_pack("{s:{s:s, s:s}, s:{s:[s]}}", "requirements",
	    "product_type", "medical", "deadline", "2027-01-01",
	    "engineering_context", "critical_parts", "U1");
	assert_int_equal(intake_view_get(ctx, &v), 0);
	basis_setup(&v, b.trust, b.ntrust, NULL, 0, NULL, 0, &b.costing,
	    &rules, &p);
	assert_true(rules.legacy);
	assert_int_equal(rules.ncritical, 0);
	assert_null(rules.deadline);
	assert_int_equal(p.max_lead_time_days, -1);
	intake_view_free(&v);
	json_decref(ctx);
	basis_free(&b);
	assert_int_equal(basis_parse("[]", 2, &b), 0);
	basis_free(&b);
	assert_int_equal(basis_parse("{\"offers\":[[1]]}", 16, &b), -1);
}

UNIT_TEST(test_deadline)
{
	static const struct {
		const char	*deadline;
		int64_t		 maxlead;	/* -1: none */
		int64_t		 days, limit;
	} rows[] = {
		/* decided 2026-12-04 (day 20791) */
		{ "2026-12-25", 28, 21, 21 },
		{ "2027-01-15", 28, 42, 28 },
		{ "2026-12-25", -1, 21, 21 },
		{ "2026-12-01", 28, -3, 0 },
		{ "2026-12-04", 0, 0, 0 },
		{ NULL, 28, 0, 28 },
	};
	struct basis_costing c = { 0, 0, 0 };
	struct sourcing_rules rules;
	struct intake_view v;
	struct cost_params p;
	int64_t day;
	json_t *ctx;
	size_t i;

	assert_int_equal(intake_date_days("2026-12-04", &day), 0);
	assert_int_equal(day, 20791);
	assert_int_equal(intake_date_days("1970-01-01", &day), 0);
	assert_int_equal(day, 0);
	assert_int_equal(intake_date_days("2000-03-01", &day), 0);
	assert_int_equal(day, 11017);
	assert_int_equal(intake_date_days("2026-02-29", &day), -1);
	c.decided_on = 20791;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		ctx = json_pack("{s:{s:s*}, s:{}}", "requirements",
		    "deadline", rows[i].deadline, "sourcing_constraints");
		if (rows[i].maxlead >= 0)
			json_object_set_new(json_object_get(ctx,
			    "sourcing_constraints"), "max_lead_time_days",
			    json_integer(rows[i].maxlead));
		assert_int_equal(intake_view_get(ctx, &v), 0);
		basis_setup(&v, NULL, 0, NULL, 0, NULL, 0, &c, &rules, &p);
		assert_false(rules.legacy);
		if (rows[i].deadline != NULL)
			assert_int_equal(rules.deadline_days, rows[i].days);
		if (p.max_lead_time_days != rows[i].limit)
			fail_msg("row %zu: limit %lld", i,
			    (long long)p.max_lead_time_days);
		assert_int_equal(rules.max_lead_days, rows[i].maxlead);
		intake_view_free(&v);
		json_decref(ctx);
	}
}

/* The context's compliance as the checks read it. */
UNIT_TEST(test_view_compliance)
{
	struct intake_view v;
	json_t *ctx;

	ctx = json_loads("{\"compliance\": {\"standards\": [\"IEC 60601\", "
	    "\"EU RoHS 3\"], \"country_of_origin_restrictions\": [\"none\", "
	    "\"CN\", \"\"]}, \"sourcing_constraints\": {\"single_source_ok\": "
	    "true}, \"engineering_context\": {\"preferred_manufacturers\": "
	    "{\"resistors\": [\"Yageo\"]}}}", 0, NULL);
	assert_int_equal(intake_view_get(ctx, &v), 0);
	assert_true(v.rohs_required);
	assert_int_equal(v.nrestricted, 1);
	assert_string_equal(v.restricted[0], "CN");
	assert_true(v.single_source_ok);
	assert_true(json_is_object(v.makers));
	intake_view_free(&v);
	json_decref(ctx);
	ctx = json_loads("{\"compliance\": {\"rohs\": \"yes\"}}", 0, NULL);
	assert_int_equal(intake_view_get(ctx, &v), 0);
	assert_true(v.rohs_required);
	assert_null(v.makers);
	intake_view_free(&v);
	json_decref(ctx);
	ctx = json_loads("{\"compliance\": {\"reach\": true}}", 0, NULL);
	assert_int_equal(intake_view_get(ctx, &v), 0);
	assert_false(v.rohs_required);
	intake_view_free(&v);
	json_decref(ctx);
}
