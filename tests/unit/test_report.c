/*
 * Unit tests for common/report.c: the budget check at its edges (89 %,
 * 90 %, 91 %, 101 %, no budget), and the report's risks, follow-ups,
 * risk level and summary from decided lines.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "report.h"
#include "unit.h"
#include "util.h"

UNIT_TEST(test_budget)
{
	static const struct {
		int64_t			 approved, budget;
		enum budget_status	 status;
		int64_t			 bp;
		const char		*words;
	} rows[] = {
		{ 4450000000, 5000000000, BUDGET_WITHIN, 8900,
		  "approved lines cost 4450.00 USD, 89.00 % of the budget of "
		  "5000.00 USD: within" },
		{ 4500000000, 5000000000, BUDGET_WITHIN, 9000,
		  "approved lines cost 4500.00 USD, 90.00 % of the budget of "
		  "5000.00 USD: within" },
		{ 4500000001, 5000000000, BUDGET_WARNING, 9000,
		  ": above 90 %, a warning" },
		{ 4550000000, 5000000000, BUDGET_WARNING, 9100,
		  "approved lines cost 4550.00 USD, 91.00 % of the budget of "
		  "5000.00 USD: above 90 %, a warning" },
		{ 5000000000, 5000000000, BUDGET_WARNING, 10000,
		  "100.00 %" },
		{ 5050000000, 5000000000, BUDGET_OVER, 10100,
		  "approved lines cost 5050.00 USD, 101.00 % of the budget of "
		  "5000.00 USD: over by 50.00 USD, a person must decide" },
		{ 123450000, -1, BUDGET_NONE, -1,
		  "approved lines cost 123.45 USD; the project has no budget" },
		{ 1000000, 0, BUDGET_OVER, -1, "against a budget of 0.00 USD" },
		{ 0, 0, BUDGET_WITHIN, -1, ": within" },
		/* no overflow near the top of int64 */
		{ INT64_MAX / 2, INT64_MAX / 2 + 1, BUDGET_WARNING, 9999, "" },
	};
	struct budget_check c;
	struct buf b;
	json_t *j;
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		report_budget(rows[i].approved, rows[i].budget, &c);
		buf_init(&b);
		report_budget_words(&c, &b);
		if (c.status != rows[i].status || c.used_bp != rows[i].bp ||
		    strstr(b.data, rows[i].words) == NULL)
			fail_msg("row %zu: %s %lld: %s", i,
			    name_of(&budget_status_names, c.status),
			    (long long)c.used_bp, b.data);
		buf_free(&b);
	}
	report_budget(4550000000, 5000000000, &c);
	j = report_budget_json(&c);
	assert_string_equal(json_string_value(json_object_get(j, "status")),
	    "warning");
	assert_true(json_real_value(json_object_get(j, "used_pct")) == 91.0);
	assert_true(json_real_value(json_object_get(j, "budget_total")) ==
	    5000.0);
	assert_true(json_real_value(json_object_get(j, "approved_total")) ==
	    4550.0);
	json_decref(j);
	report_budget(1, -1, &c);
	j = report_budget_json(&c);
	assert_true(json_is_null(json_object_get(j, "budget_total")));
	assert_true(json_is_null(json_object_get(j, "used_pct")));
	assert_string_equal(json_string_value(json_object_get(j, "status")),
	    "none");
	json_decref(j);
}

static json_t *
data(const char *flags, const char *alternate)
{
	json_t *d = json_object();

	json_object_set_new(d, "flags", json_loads(flags, 0, NULL));
	if (alternate != NULL)
		json_object_set_new(d, "alternate", json_pack("{s:s}", "mpn",
		    alternate));
	return d;
}

/* The report's "risk_level". */
static const char *
risk_level(const json_t *r)
{
	return json_string_value(json_object_get(r, "risk_level"));
}

static bool
has_string(const json_t *arr, const char *needle)
{
	const json_t *e;
	size_t i;

	json_array_foreach(arr, i, e)
		if (json_is_string(e) && strstr(json_string_value(e),
		    needle) != NULL)
			return true;
	return false;
}

UNIT_TEST(test_report)
{
	json_t *d[4], *r, *risks;
	struct report_line l[4];
	struct report_project pr;
	const char *s;
	size_t i;

	d[0] = data("[\"single_source\", \"rohs_unknown\"]", NULL);
	d[1] = data("[\"banned\", \"alternate_proposed\"]", "ALT-1");
	d[2] = data("[\"short\"]", NULL);
	d[3] = data("[\"single_source\"]", NULL);
	l[0] = (struct report_line){ 1, "A", DECISION_APPROVED, "approved: "
	    "A from DigiKey", d[0] };
	l[1] = (struct report_line){ 2, "B", DECISION_REJECTED, "B is banned "
	    "(reason: x); approved alternate ALT-1 proposed", d[1] };
	l[2] = (struct report_line){ 3, "C", DECISION_ESCALATED, "short by 5 "
	    "units within 28 days: x; a person must decide", d[2] };
	l[3] = (struct report_line){ 4, "D", DECISION_APPROVED, "approved",
	    d[3] };
	memset(&pr, 0, sizeof(pr));
	pr.name = "Board";
	pr.build_qty = 10;
	report_budget(5050000000, 5000000000, &pr.budget);
	r = report_build(&pr, l, 4);
	assert_string_equal(risk_level(r), "high");
	risks = json_object_get(r, "risks");
	assert_int_equal(json_array_size(risks), 5);
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(risks, 0), "line_id")), "L1");
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(risks, 0), "risk")), "RoHS status unknown while "
	    "RoHS is required");
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(risks, 2), "mitigation")), "buy approved alternate "
	    "ALT-1 and update the BOM");
	assert_true(has_string(json_object_get(r, "follow_ups"), "line 2: "
	    "replace B with approved alternate ALT-1 in the BOM"));
	assert_true(has_string(json_object_get(r, "follow_ups"), "line 3 C: "
	    "a person must decide (short by 5 units within 28 days: x)"));
	assert_true(has_string(json_object_get(r, "follow_ups"), "qualify "
	    "second sources for lines 1, 4"));
	assert_true(has_string(json_object_get(r, "follow_ups"), "approved "
	    "lines exceed the budget by 50.00 USD: a person must approve"));
	s = json_string_value(json_object_get(r, "executive_summary"));
	assert_non_null(strstr(s, "Board: 4 lines for 10 boards: 2 approved, "
	    "1 rejected, 1 escalated. Budget: approved lines cost 5050.00 USD, "
	    "101.00 % of the budget"));
	assert_non_null(strstr(s, "Risk high: 5 risks; a person must decide "
	    "before anything is ordered."));
	assert_string_equal(json_string_value(json_object_get(
	    json_object_get(r, "budget"), "status")), "over");
	assert_true(json_is_null(json_object_get(r, "strategies")));
	json_decref(r);

	/* approved lines with flags only, within budget: medium */
	report_budget(10, 1000, &pr.budget);
	r = report_build(&pr, &l[3], 1);
	assert_string_equal(risk_level(r), "medium");
	json_decref(r);
	json_decref(d[3]);
	d[3] = data("[]", NULL);
	l[3].output_data = d[3];
	r = report_build(&pr, &l[3], 1);
	assert_string_equal(risk_level(r), "low");
	assert_int_equal(json_array_size(json_object_get(r, "follow_ups")),
	    0);
	json_decref(r);
	/* a budget warning alone is medium */
	report_budget(950, 1000, &pr.budget);
	r = report_build(&pr, &l[3], 1);
	assert_string_equal(risk_level(r), "medium");
	json_decref(r);
	for (i = 0; i < 4; i++)
		json_decref(d[i]);
}
