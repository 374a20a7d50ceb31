/*
 * Unit tests for common/assess.c: the merge policy (the LLM may only make an
 * approval more cautious, never touches numbers), line bookkeeping, totals,
 * the prompt's content and the schema.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assess.h"
#include "bom.h"
#include "intake.h"
#include "llm_json.h"
#include "sourcing.h"
#include "unit.h"
#include "util.h"

#define NLINES	4

/* Four decided lines: approved, rejected, escalated, approved. */
static void
make_decisions(struct line_decision *d)
{
	static const enum decision_status st[NLINES] = { DECISION_APPROVED,
	    DECISION_REJECTED, DECISION_ESCALATED, DECISION_APPROVED };
	size_t i;

	memset(d, 0, NLINES * sizeof(*d));
	for (i = 0; i < NLINES; i++) {
		d[i].status = st[i];
		d[i].need = 10 * (int64_t)(i + 1);
		d[i].reasoning = xstrdup(st[i] == DECISION_APPROVED ?
		    "cheapest authorized offer" : "banned part");
		d[i].output_data = json_pack("{s:s, s:[]}", "mpn", "X",
		    "flags");
		snprintf(d[i].currency, sizeof(d[i].currency), "USD");
		if (st[i] == DECISION_REJECTED)
			continue;
		line_decision_select(&d[i], "PART-1", "digikey", "DigiKey",
		    NULL);
		d[i].order_quantity = 100;
		d[i].unit_micros = 50000;
		d[i].extended_micros = 5000000 * (int64_t)(i + 1);
	}
}

static void
free_decisions(struct line_decision *d)
{
	size_t i;

	for (i = 0; i < NLINES; i++)
		line_decision_free(&d[i]);
}

static json_t *
answer_for(int line, const char *decision)
{
	return json_pack("{s:[{s:i, s:s, s:f, s:[s], s:[s], s:s, s:n, "
	    "s:s}]}", "lines", "line", line, "decision", decision,
	    "confidence", 0.8, "reasons", "single source", "risks", "EOL",
	    "engineering_note", "check footprint", "sourcing_note",
	    "finance_note", "");
}

UNIT_TEST(test_policy_table)
{
	static const struct {
		int		 line;
		const char	*answer;
		const char	*want_status;
		const char	*want_effect;
	} rows[] = {
		{ 1, "escalated", "escalated", "escalated" },
		{ 1, "rejected", "escalated", "escalated" },
		{ 1, "approved", "approved", "notes" },
		{ 2, "approved", "rejected", "notes" },
		{ 2, "escalated", "rejected", "notes" },
		{ 3, "approved", "escalated", "notes" },
		{ 3, "rejected", "escalated", "notes" },
	};
	struct line_decision d[NLINES];
	struct assess_stats st;
	json_t *ans, *llm;
	size_t i;
	int64_t qty, unit, ext;
	const char *sup;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		make_decisions(d);
		memset(&st, 0, sizeof(st));
		qty = d[rows[i].line - 1].order_quantity;
		unit = d[rows[i].line - 1].unit_micros;
		ext = d[rows[i].line - 1].extended_micros;
		sup = d[rows[i].line - 1].selected_supplier;
		ans = answer_for(rows[i].line, rows[i].answer);
		assert_int_equal(assess_merge(d, NLINES, 0, NLINES, ans, &st),
		    0);
		json_decref(ans);
		if (strcmp(name_of(&decision_status_names,
		    d[rows[i].line - 1].status),
		    rows[i].want_status) != 0)
			fail_msg("row %zu: status %s, want %s", i,
			    name_of(&decision_status_names,
			    d[rows[i].line - 1].status),
			    rows[i].want_status);
		llm = json_object_get(d[rows[i].line - 1].output_data, "llm");
		assert_non_null(llm);
		assert_string_equal(json_string_value(json_object_get(llm,
		    "effect")), rows[i].want_effect);
		assert_string_equal(json_string_value(json_object_get(llm,
		    "decision")), rows[i].answer);
		assert_null(json_string_value(json_object_get(llm,
		    "finance_note")));
		/* numbers never move */
		assert_int_equal(d[rows[i].line - 1].order_quantity, qty);
		assert_int_equal(d[rows[i].line - 1].unit_micros, unit);
		assert_int_equal(d[rows[i].line - 1].extended_micros, ext);
		assert_ptr_equal(d[rows[i].line - 1].selected_supplier, sup);
		assert_int_equal(st.applied, 1);
		assert_int_equal(st.escalated,
		    strcmp(rows[i].want_effect, "escalated") == 0);
		free_decisions(d);
	}
}

UNIT_TEST(test_escalation_reasoning)
{
	struct line_decision d[NLINES];
	struct assess_stats st = { 0, 0, 0 };
	json_t *ans, *flags;

	make_decisions(d);
	ans = answer_for(4, "escalated");
	assert_int_equal(assess_merge(d, NLINES, 3, 1, ans, &st), 0);
	json_decref(ans);
	assert_int_equal(d[3].status, DECISION_ESCALATED);
	assert_string_equal(d[3].reasoning, "cheapest authorized offer; "
	    "escalated by LLM review (answered escalated): single source");
	/* after a full sentence the note starts a new one */
	ans = answer_for(1, "rejected");
	free(d[0].reasoning);
	d[0].reasoning = xstrdup("Cheapest offer.");
	assert_int_equal(assess_merge(d, NLINES, 0, 1, ans, &st), 0);
	json_decref(ans);
	assert_string_equal(d[0].reasoning, "Cheapest offer. Escalated by "
	    "LLM review (answered rejected): single source");
	flags = json_object_get(d[3].output_data, "flags");
	assert_string_equal(json_string_value(json_array_get(flags, 0)),
	    "llm_escalated");
	assert_string_equal(json_string_value(json_object_get(
	    json_object_get(d[3].output_data, "llm"), "engineering_note")),
	    "check footprint");
	free_decisions(d);
}

UNIT_TEST(test_batch_bounds)
{
	struct line_decision d[NLINES];
	struct assess_stats st = { 0, 0, 0 };
	json_t *ans;

	make_decisions(d);
	/* batch is lines 3..4: line 1, 5 and 0 are outside, 4 twice */
	ans = json_pack("{s:[{s:i,s:s}, {s:i,s:s}, {s:i,s:s}, {s:i,s:s}, "
	    "{s:i,s:s}, {s:s,s:s}]}", "lines",
	    "line", 1, "decision", "escalated",
	    "line", 5, "decision", "escalated",
	    "line", 0, "decision", "escalated",
	    "line", 4, "decision", "escalated",
	    "line", 4, "decision", "approved",
	    "line", "3", "decision", "escalated");
	assert_int_equal(assess_merge(d, NLINES, 2, 2, ans, &st), 0);
	json_decref(ans);
	assert_int_equal(st.applied, 1);
	assert_int_equal(st.escalated, 1);
	assert_int_equal(st.ignored, 5);
	assert_int_equal(d[0].status, DECISION_APPROVED);
	assert_null(json_object_get(d[0].output_data, "llm"));
	assert_null(json_object_get(d[2].output_data, "llm"));
	assert_int_equal(d[3].status, DECISION_ESCALATED);

	/* bad arguments change nothing */
	assert_int_equal(assess_merge(d, NLINES, 3, 2, NULL, &st), -1);
	assert_int_equal(assess_merge(d, NLINES, 0, 1, json_null(), &st), -1);
	free_decisions(d);
}

UNIT_TEST(test_count)
{
	struct line_decision d[NLINES];
	struct assess_stats st = { 0, 0, 0 };
	int64_t counts[3], total;
	json_t *ans;

	make_decisions(d);
	assert_int_equal(assess_count(d, NLINES, counts, &total), 0);
	assert_int_equal(counts[DECISION_APPROVED], 2);
	assert_int_equal(counts[DECISION_REJECTED], 1);
	assert_int_equal(counts[DECISION_ESCALATED], 1);
	assert_int_equal(total, 5000000 + 20000000);
	ans = answer_for(1, "escalated");
	assess_merge(d, NLINES, 0, NLINES, ans, &st);
	json_decref(ans);
	assert_int_equal(assess_count(d, NLINES, counts, &total), 0);
	assert_int_equal(counts[DECISION_APPROVED], 1);
	assert_int_equal(counts[DECISION_ESCALATED], 2);
	assert_int_equal(total, 20000000);
	d[0].status = DECISION_APPROVED;
	d[0].extended_micros = INT64_MAX;
	assert_int_equal(assess_count(d, NLINES, counts, &total), -1);
	free_decisions(d);
}

UNIT_TEST(test_prompt)
{
	static const char csv[] = "RefDes,Qty,MPN,Description\n"
	    "R1,2,RC0805FR-0710KL,10k resistor\nC1,4,CL21B104KBCNNNC,\n"
	    "U1,1,SECRETLESS-MCU,\n";
	struct line_decision d[NLINES];
	struct intake_view v;
	struct bom *bom;
	json_t *ctx;
	char err[256], *p;

	bom = bom_parse(csv, sizeof(csv) - 1, NULL, err, sizeof(err));
	assert_non_null(bom);
	ctx = json_pack("{s:{s:s}, s:{s:i}, s:{s:i}}", "project", "name",
	    "Rover", "requirements", "quantity", 25, "sourcing_constraints",
	    "max_lead_time_days", 21);
	assert_int_equal(intake_view_get(ctx, &v), 0);
	make_decisions(d);
	p = assess_prompt(&v, bom, d, 1, 2);
	assert_non_null(p);
	assert_non_null(strstr(p, "numbers 2 to 3"));
	assert_non_null(strstr(p, "\"CL21B104KBCNNNC\""));
	assert_non_null(strstr(p, "\"SECRETLESS-MCU\""));
	assert_null(strstr(p, "RC0805FR-0710KL"));
	assert_non_null(strstr(p, "\"line\": 2"));
	assert_non_null(strstr(p, "\"quantity_per_board\": 4"));
	assert_non_null(strstr(p, "\"decision\": \"rejected\""));
	assert_non_null(strstr(p, "\"extended_price\": \"15.00\""));
	assert_non_null(strstr(p, "\"build_quantity\": 25"));
	assert_non_null(strstr(p, "\"name\": \"Rover\""));
	free(p);
	assert_null(assess_prompt(&v, bom, d, 2, 2));
	assert_null(assess_prompt(&v, bom, d, 0, 0));
	intake_view_free(&v);
	json_decref(ctx);
	bom_free(bom);
	free_decisions(d);
}

UNIT_TEST(test_schema)
{
	static const struct unit_str_int rows[] = {
		{ "{\"lines\":[{\"line\":1,\"decision\":\"escalated\","
		    "\"confidence\":0,\"reasons\":[\"mock\"],\"risks\":[],"
		    "\"engineering_note\":null,\"sourcing_note\":\"x\","
		    "\"finance_note\":null}]}", 0 },
		{ "{\"lines\":[]}", 0 },
		{ "{\"lines\":[{\"line\":1,\"decision\":\"maybe\","
		    "\"confidence\":0.5,\"reasons\":[],\"risks\":[]}]}", -1 },
		{ "{\"lines\":[{\"line\":1,\"decision\":\"approved\","
		    "\"confidence\":1.5,\"reasons\":[],\"risks\":[]}]}", -1 },
		{ "{\"lines\":[{\"line\":0,\"decision\":\"approved\","
		    "\"confidence\":1,\"reasons\":[],\"risks\":[]}]}", -1 },
		{ "{\"lines\":[{\"decision\":\"approved\","
		    "\"confidence\":1,\"reasons\":[],\"risks\":[]}]}", -1 },
		{ "{}", -1 },
	};
	struct buf errs;
	json_t *v, *doc;
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		v = json_loads(rows[i].in, 0, NULL);
		assert_non_null(v);
		buf_init(&errs);
		if (llm_json_validate(v, assess_schema(), &errs) !=
		    rows[i].want)
			fail_msg("row %zu: %s", i, errs.data ? errs.data :
			    "valid");
		buf_free(&errs);
		json_decref(v);
	}
	doc = llm_schema_to_json(assess_schema());
	assert_non_null(json_object_get(json_object_get(doc, "properties"),
	    "lines"));
	json_decref(doc);
	assert_non_null(strstr(assess_system_prompt(), "cannot approve"));
}
