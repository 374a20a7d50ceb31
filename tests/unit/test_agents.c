/*
 * Unit tests for common/agents.c: the per-agent decisions of decided
 * lines (statuses from the checks, the finance decision's budget effect,
 * the LLM's notes, the stored final decision).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <jansson.h>

#include "agents.h"
#include "fixture_offers.h"
#include "offers.h"
#include "report.h"
#include "sourcing.h"
#include "util.h"

/* need 10: DigiKey 10 x 1.00 = 10.00, Mouser 10 x 1.20; a broker part */
static const char catalog[] =
    "mpn,manufacturer,supplier_id,supplier_name,supplier_type,sku,stock,"
    "moq,order_multiple,lead_time_days,currency,breaks,lifecycle\n"
    "A-1,Acme,digikey,DigiKey,authorized,DK-A,100,1,1,0,USD,1:1.00,"
    "active\n"
    "A-1,Acme,mouser,Mouser,authorized,MO-A,100,1,1,0,USD,1:1.20,active\n"
    "B-1,Acme,brokerx,Broker X,broker,BX-B,100,1,1,0,USD,1:0.50,\n";

static const char *
str(const json_t *o, const char *k1, const char *k2)
{
	return json_string_value(json_object_get(json_object_get(o, k1), k2));
}

static void
test_agents(void **state)
{
	const char *crit[] = { "U1" }, *des[] = { "U1" };
	struct sourcing_rules rules;
	struct cost_params p = { 1, 10, 0, 0, 28, false };
	struct line_decision d;
	struct budget_check bc;
	struct agents_line al;
	struct offer_list l;
	json_t *item, *stored;
	char err[256];

	(void)state;
	assert_int_equal(offers_parse_csv(catalog, sizeof(catalog) - 1, &l,
	    err, sizeof(err)), 0);
	memset(&rules, 0, sizeof(rules));
	rules.allow_alternates = true;
	rules.allow_brokers = true;
	rules.critical = crit;
	rules.ncritical = 1;

	/* approved, within budget */
	assert_int_equal(sourcing_decide(&(struct sourcing_line){ "A-1", des,
	    1, NULL }, &p, &rules, fixture_offers_lookup, &l, &d), 0);
	report_budget(10000000, 100000000, &bc);
	memset(&al, 0, sizeof(al));
	al.mpn = "A-1";
	al.status = d.status;
	al.d = &d;
	al.budget = &bc;
	al.timestamp = "2026-12-04T00:00:00Z";
	item = json_object();
	agents_decide(&al, item);
	assert_string_equal(str(item, "engineering_decision", "status"),
	    "approved");
	assert_string_equal(str(item, "engineering_decision", "agent_name"),
	    "engineering");
	assert_non_null(strstr(str(item, "engineering_decision",
	    "reasoning"), "critical part (U1): digikey is authorized, trust "
	    "medium, 100 in stock covers the need of 10 (pass)"));
	assert_string_equal(str(item, "sourcing_decision", "status"),
	    "approved");
	assert_non_null(strstr(str(item, "sourcing_decision", "reasoning"),
	    "chosen DigiKey (digikey, sku DK-A, authorized, trust medium) for "
	    "A-1: 10 at 1.00 each = 10.00 USD, 100 in stock; runner-up Mouser "
	    "(mouser) lost: costs 2.00 more"));
	assert_string_equal(str(item, "finance_decision", "status"),
	    "approved");
	assert_non_null(strstr(str(item, "finance_decision", "reasoning"),
	    "extended 10.00 USD; 10.00 % of the budget. Project: approved "
	    "lines cost 10.00 USD, 10.00 % of the budget of 100.00 USD: "
	    "within."));
	assert_string_equal(str(item, "final_decision", "agent_name"),
	    "final_decision");
	assert_string_equal(str(item, "final_decision", "timestamp"),
	    "2026-12-04T00:00:00Z");
	assert_true(json_array_size(json_object_get(json_object_get(item,
	    "final_decision"), "references")) >= 2);

	/* over budget: finance does not sign an approved line */
	report_budget(110000000, 100000000, &bc);
	agents_decide(&al, item);
	assert_string_equal(str(item, "finance_decision", "status"),
	    "escalated");
	assert_string_equal(str(item, "final_decision", "status"),
	    "approved");

	/* an LLM reviewed it: its words stand, its notes join each agent */
	stored = json_pack("{s:s, s:s, s:{s:{s:s, s:s, s:s}}}", "status",
	    "escalated", "reasoning", "stored words", "output_data", "llm",
	    "engineering_note", "check the footprint", "sourcing_note",
	    "second source", "finance_note", "fine");
	al.stored = stored;
	al.status = DECISION_ESCALATED;
	agents_decide(&al, item);
	assert_string_equal(str(item, "final_decision", "reasoning"),
	    "stored words");
	assert_string_equal(str(item, "final_decision", "status"),
	    "escalated");
	assert_non_null(strstr(str(item, "engineering_decision", "reasoning"),
	    "LLM note: check the footprint"));
	assert_non_null(strstr(str(item, "finance_decision", "reasoning"),
	    "LLM note: fine"));
	json_decref(stored);
	line_decision_free(&d);

	/* a critical line from a broker: engineering escalates */
	assert_int_equal(sourcing_decide(&(struct sourcing_line){ "B-1", des,
	    1, NULL }, &p, &rules, fixture_offers_lookup, &l, &d), 0);
	memset(&al, 0, sizeof(al));
	report_budget(0, -1, &bc);
	al.mpn = "B-1";
	al.status = d.status;
	al.d = &d;
	al.budget = &bc;
	agents_decide(&al, item);
	assert_string_equal(str(item, "engineering_decision", "status"),
	    "escalated");
	assert_string_equal(str(item, "sourcing_decision", "status"),
	    "escalated");
	assert_string_equal(str(item, "final_decision", "status"),
	    "escalated");
	assert_non_null(strstr(str(item, "finance_decision", "reasoning"),
	    "the project has no budget"));
	line_decision_free(&d);
	json_decref(item);
	offer_list_free(&l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_agents),
	};

	return cmocka_run_group_tests_name("agents", tests, NULL, NULL);
}
