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

#include <jansson.h>

#include "agents.h"
#include "fixture_offers.h"
#include "offers.h"
#include "report.h"
#include "sourcing.h"
#include "unit.h"
#include "util.h"

/* need 10: DigiKey 10 x 1.00 = 10.00, Mouser 10 x 1.20; a broker part */
static const char catalog[] =
    FIXTURE_OFFERS_COLS ",lifecycle\n"
    "A-1,Acme,digikey,DigiKey,authorized,DK-A,100,1,1,0,USD,1:1.00,"
    "active\n"
    "A-1,Acme,mouser,Mouser,authorized,MO-A,100,1,1,0,USD,1:1.20,active\n"
    "B-1,Acme,brokerx,Broker X,broker,BX-B,100,1,1,0,USD,1:0.50,\n";

static const char *
str(const json_t *o, const char *k1, const char *k2)
{
	return json_string_value(json_object_get(json_object_get(o, k1), k2));
}

/*
 * Checks the decision of agent in item: its status (NULL: any) and that
 * its reasoning holds has (NULL: any).
 */
static void
check_agent(const json_t *item, const char *agent, const char *status,
    const char *has)
{
	const char *why = str(item, agent, "reasoning");

	if (status != NULL)
		assert_string_equal(str(item, agent, "status"), status);
	if (has != NULL && (why == NULL || strstr(why, has) == NULL))
		fail_msg("%s: reasoning lacks '%s': %s", agent, has,
		    why != NULL ? why : "(none)");
}

UNIT_TEST(test_agents)
{
	const char *crit[] = { "U1" }, *des[] = { "U1" };
	struct sourcing_rules rules;
	struct cost_params p = { 1, 10, 0, 0, 28, false };
	struct line_decision d;
	struct budget_check bc;
	struct agents_line al;
	struct offer_list l;
	json_t *item, *stored;

	fixture_offers_parse(catalog, sizeof(catalog) - 1, &l, NULL, 0);
	memset(&rules, 0, sizeof(rules));
	rules.allow_alternates = true;
	rules.allow_brokers = true;
	rules.critical = crit;
	rules.ncritical = 1;

	/* approved, within budget */
	fixture_decide("A-1", &(struct sourcing_line){ "A-1", des, 1, NULL },
	    &p, &rules, &l, &d, DECISION_APPROVED);
	report_budget(10000000, 100000000, &bc);
	memset(&al, 0, sizeof(al));
	al.mpn = "A-1";
	al.status = d.status;
	al.d = &d;
	al.budget = &bc;
	al.timestamp = "2026-12-04T00:00:00Z";
	item = json_object();
	agents_decide(&al, item);
	assert_string_equal(str(item, "engineering_decision", "agent_name"),
	    "engineering");
	check_agent(item, "engineering_decision", "approved",
	    "critical part (U1): digikey is authorized, trust medium, 100 in "
	    "stock covers the need of 10 (pass)");
	check_agent(item, "sourcing_decision", "approved",
	    "chosen DigiKey (digikey, sku DK-A, authorized, trust medium) for "
	    "A-1: 10 at 1.00 each = 10.00 USD, 100 in stock; runner-up Mouser "
	    "(mouser) lost: costs 2.00 more");
	check_agent(item, "finance_decision", "approved",
	    "extended 10.00 USD; 10.00 % of the budget. Project: approved "
	    "lines cost 10.00 USD, 10.00 % of the budget of 100.00 USD: "
	    "within.");
	assert_string_equal(str(item, "final_decision", "agent_name"),
	    "final_decision");
	assert_string_equal(str(item, "final_decision", "timestamp"),
	    "2026-12-04T00:00:00Z");
	assert_true(json_array_size(json_object_get(json_object_get(item,
	    "final_decision"), "references")) >= 2);

	/* over budget: finance does not sign an approved line */
	report_budget(110000000, 100000000, &bc);
	agents_decide(&al, item);
	check_agent(item, "finance_decision", "escalated", NULL);
	check_agent(item, "final_decision", "approved", NULL);

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
	check_agent(item, "final_decision", "escalated", NULL);
	check_agent(item, "engineering_decision", NULL,
	    "LLM note: check the footprint");
	check_agent(item, "finance_decision", NULL, "LLM note: fine");
	json_decref(stored);
	line_decision_free(&d);

	/* a critical line from a broker: engineering escalates */
	fixture_decide("B-1", &(struct sourcing_line){ "B-1", des, 1, NULL },
	    &p, &rules, &l, &d, DECISION_ESCALATED);
	memset(&al, 0, sizeof(al));
	report_budget(0, -1, &bc);
	al.mpn = "B-1";
	al.status = d.status;
	al.d = &d;
	al.budget = &bc;
	agents_decide(&al, item);
	check_agent(item, "engineering_decision", "escalated", NULL);
	check_agent(item, "sourcing_decision", "escalated", NULL);
	check_agent(item, "final_decision", "escalated", NULL);
	check_agent(item, "finance_decision", NULL,
	    "the project has no budget");
	line_decision_free(&d);
	json_decref(item);
	offer_list_free(&l);
}
