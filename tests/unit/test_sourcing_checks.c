/*
 * Unit tests for the engineering checks of common/sourcing_checks.c (and
 * their place in common/sourcing.c): golden, hand-computed cases for
 * lifecycle, RoHS, country of origin, critical parts, single source,
 * preferred manufacturers and the deadline, and the offers CSV's optional
 * columns they read.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "costing.h"
#include "fixture_offers.h"
#include "offers.h"
#include "sourcing.h"
#include "unit.h"
#include "util.h"

#define HDR FIXTURE_OFFERS_COLS ",lifecycle,rohs,country_of_origin," \
	"packaging,datasheet_url\n"

/*
 * Every line needs 10 (1 per board x 10 boards) unless it says otherwise;
 * offers of one MPN are contiguous.
 */
static const char catalog[] = HDR
    /* obsolete, its alternate active: 10 x 1.20 = 12.00 */
    "OBS-1,Acme,digikey,DigiKey,authorized,DK-O1,1000,1,1,0,USD,1:1.00,"
    "obsolete,yes,US,Cut Tape,\n"
    "OBS-ALT,Acme,digikey,DigiKey,authorized,DK-OA,1000,1,1,0,USD,1:1.20,"
    "active,yes,US,Cut Tape,\n"
    /* EOL, its alternate's lifecycle unknown: not known active */
    "OBS-2,Acme,digikey,DigiKey,authorized,DK-O2,1000,1,1,0,USD,1:1.00,"
    "eol,yes,US,,\n"
    "OBS-2-ALT,Acme,digikey,DigiKey,authorized,DK-O2A,1000,1,1,0,USD,"
    "1:1.10,,yes,US,,\n"
    /* NRND: 10 x 0.50 = 5.00 */
    "NRND-1,Acme,digikey,DigiKey,authorized,DK-N1,1000,1,1,0,USD,1:0.50,"
    "nrnd,yes,US,,\n"
    /* RoHS yes 3.00, no 2.00, unknown 2.50 */
    "ROHS-P,Acme,digikey,DigiKey,authorized,DK-R,1000,1,1,0,USD,1:0.30,"
    "active,yes,US,,\n"
    "ROHS-P,Acme,mouser,Mouser,authorized,MO-R,1000,1,1,0,USD,1:0.20,"
    "active,no,US,,\n"
    "ROHS-P,Acme,lcsc,LCSC,direct,LC-R,1000,1,1,0,USD,1:0.25,,,US,,\n"
    /* made in CN 4.00, in TW 4.50 */
    "CN-P,Acme,digikey,DigiKey,authorized,DK-C,1000,1,1,0,USD,1:0.40,"
    "active,yes,CN,,\n"
    "CN-P,Acme,mouser,Mouser,authorized,MO-C,1000,1,1,0,USD,1:0.45,"
    "active,yes,TW,,\n"
    /* only a broker: 10 x 0.10 = 1.00 */
    "CRIT-B,Acme,brokerx,Broker X,broker,BX-B,1000,1,1,7,USD,1:0.10,"
    ",,,,\n"
    /* DigiKey has 5 of the 10 (lead 3: deliverable), Mouser all 10 */
    "CRIT-A,Acme,digikey,DigiKey,authorized,DK-A,5,1,1,3,USD,1:1.00,"
    "active,yes,US,,\n"
    "CRIT-A,Acme,mouser,Mouser,authorized,MO-A,1000,1,1,0,USD,1:1.50,"
    "active,yes,US,,\n"
    /* only DigiKey within 28 days */
    "SS-1,Acme,digikey,DigiKey,authorized,DK-S,1000,1,1,0,USD,1:1.00,"
    "active,yes,US,,\n"
    "SS-1,Acme,mouser,Mouser,authorized,MO-S,0,1,1,90,USD,1:0.90,"
    "active,yes,US,,\n"
    /* none in stock, lead 20 days: 10.00 */
    "DL-1,Acme,digikey,DigiKey,authorized,DK-D,0,1,1,20,USD,1:1.00,"
    "active,yes,US,,\n"
    /* a Panasonic resistor; banned MK-BAN's alternates */
    "MK-R,Panasonic,digikey,DigiKey,authorized,DK-M,1000,1,1,0,USD,1:0.10,"
    "active,yes,JP,,\n"
    "MK-BAN,Acme,digikey,DigiKey,authorized,DK-MB,1000,1,1,0,USD,1:0.10,"
    "active,yes,US,,\n"
    "MK-ALT-P,Panasonic,digikey,DigiKey,authorized,DK-MP,1000,1,1,0,USD,"
    "1:0.10,active,yes,JP,,\n"
    "MK-ALT-Y,Yageo,digikey,DigiKey,authorized,DK-MY,1000,1,1,0,USD,"
    "1:0.12,active,yes,TW,,\n";

static const struct alternate alternates[] = {
	{ "OBS-1", "OBS-ALT", "drop-in" },
	{ "OBS-2", "OBS-2-ALT", NULL },
	{ "MK-BAN", "MK-ALT-P", NULL },
	{ "MK-BAN", "MK-ALT-Y", NULL },
};
static const struct banned_part banned[] = {
	{ "MK-BAN", "drifts" },
};

/* The project rules of a case. */
struct ccfg {
	const char	*product_type;
	bool		 rohs;
	const char	*restricted;	/* one country */
	const char	*critical;	/* one designator or MPN */
	bool		 ss_ok;		/* single_source_ok */
	const char	*makers;	/* preferred_manufacturers JSON */
	int64_t		 deadline;	/* days to it; 0: none */
	bool		 brokers;
	const char	*blocked;
	bool		 legacy;
};

struct ccase {
	const char		*name;
	const char		*mpn;
	const char		*des;		/* one designator or NULL */
	struct ccfg		 cfg;
	enum decision_status	 status;
	const char		*sel;		/* selected MPN, NULL none */
	const char		*supplier;
	int64_t			 ext;
	const char		*has;		/* in the reasoning */
	const char		*flag;		/* among the flags */
	const char		*check, *result; /* among the checks */
};

#define NODL	0

static const struct ccase ccases[] = {
	/* lifecycle */
	{ "obsolete, active alternate proposed", "OBS-1", NULL, { 0 },
	  DECISION_REJECTED, "OBS-ALT", "digikey", 12000000,
	  "OBS-1 is obsolete according to digikey; approved alternate "
	  "OBS-ALT proposed (drop-in)", "obsolete", "lifecycle", "rejected" },
	{ "EOL, alternate not known active: escalated", "OBS-2", NULL, { 0 },
	  DECISION_ESCALATED, "OBS-2", "digikey", 10000000,
	  "OBS-2 is at end of life (EOL) according to digikey and no active "
	  "approved alternate is usable (OBS-2-ALT: lifecycle unknown, not "
	  "known active); a person must decide. Best offer: OBS-2",
	  "no_alternate", "lifecycle", "escalated" },
	{ "NRND for a consumer product: approved, flagged", "NRND-1", NULL,
	  { .product_type = "consumer" }, DECISION_APPROVED, "NRND-1",
	  "digikey", 5000000, "NRND-1 is NRND (per digikey): approved for a "
	  "consumer product", "nrnd", "lifecycle", "flag" },
	{ "NRND for a medical product: escalated", "NRND-1", NULL,
	  { .product_type = "medical" }, DECISION_ESCALATED, "NRND-1",
	  "digikey", 5000000, "NRND-1 is not recommended for new designs "
	  "(NRND, per digikey) and the product is medical; a person must "
	  "decide", "nrnd", "lifecycle", "escalated" },
	{ "NRND in a basis before the checks: nothing said", "NRND-1", NULL,
	  { .product_type = "medical", .legacy = true }, DECISION_APPROVED,
	  "NRND-1", "digikey", 5000000, "approved: NRND-1 from DigiKey", NULL,
	  NULL, NULL },
	/* RoHS */
	{ "RoHS not required: the cheapest, non-RoHS", "ROHS-P", NULL,
	  { .ss_ok = true }, DECISION_APPROVED, "ROHS-P", "mouser", 2000000,
	  "approved: ROHS-P from Mouser", NULL, NULL, NULL },
	{ "RoHS required: non-RoHS excluded, unknown flagged", "ROHS-P",
	  NULL, { .rohs = true, .ss_ok = true }, DECISION_APPROVED, "ROHS-P",
	  "lcsc", 2500000, "mouser (MO-R): not RoHS compliant (RoHS required "
	  "by project)", "rohs_unknown", "rohs", "flag" },
	{ "RoHS required, yes", "ROHS-P", NULL,
	  { .rohs = true, .ss_ok = true, .blocked = "lcsc" },
	  DECISION_APPROVED, "ROHS-P", "digikey", 3000000,
	  "RoHS compliant (per digikey)", NULL, "rohs", "pass" },
	/* country of origin */
	{ "restricted country excluded", "CN-P", NULL,
	  { .restricted = "cn", .ss_ok = true }, DECISION_APPROVED, "CN-P",
	  "mouser", 4500000, "digikey (DK-C): country of origin CN restricted "
	  "by project", NULL, "country_of_origin", "pass" },
	{ "no restriction: the cheapest", "CN-P", NULL, { .ss_ok = true },
	  DECISION_APPROVED, "CN-P", "digikey", 4000000, "approved: CN-P",
	  NULL, NULL, NULL },
	/* critical parts */
	{ "critical designator from a broker: escalated", "CRIT-B", "U1",
	  { .critical = "U1", .brokers = true, .ss_ok = true },
	  DECISION_ESCALATED, "CRIT-B", "brokerx", 1000000,
	  "critical part (U1) not available from an authorized supplier "
	  "with trust high or medium and stock covering the need: brokerx is "
	  "a broker supplier, not authorized", "critical", "critical",
	  "escalated" },
	{ "the same line not critical: approved", "CRIT-B", "U1",
	  { .brokers = true, .ss_ok = true }, DECISION_APPROVED, "CRIT-B",
	  "brokerx", 1000000, "approved: CRIT-B", "broker", NULL, NULL },
	{ "critical by MPN: stock that covers the need wins", "CRIT-A", "U2",
	  { .critical = "crit-a", .ss_ok = true }, DECISION_APPROVED,
	  "CRIT-A", "mouser", 15000000, "Runner-up DigiKey (digikey) not fit "
	  "for a critical part", "critical", "critical", "pass" },
	{ "not critical: the cheaper backorder", "CRIT-A", "U2",
	  { .ss_ok = true }, DECISION_APPROVED, "CRIT-A", "digikey",
	  10000000, "approved: CRIT-A from DigiKey", "backorder", NULL,
	  NULL },
	/* single source */
	{ "single source flagged", "SS-1", "U3", { 0 }, DECISION_APPROVED,
	  "SS-1", "digikey", 10000000, "single source: only digikey can fill "
	  "the line", "single_source", "single_source", "flag" },
	{ "critical single source escalated", "SS-1", "U3",
	  { .critical = "U3" }, DECISION_ESCALATED, "SS-1", "digikey",
	  10000000, "critical part (U3) has a single source (only digikey "
	  "can fill it); a person must decide", "single_source",
	  "single_source", "escalated" },
	{ "single source allowed", "SS-1", "U3", { .ss_ok = true },
	  DECISION_APPROVED, "SS-1", "digikey", 10000000, "approved: SS-1",
	  NULL, NULL, NULL },
	{ "two suppliers fill it", "CN-P", NULL, { 0 }, DECISION_APPROVED,
	  "CN-P", "digikey", 4000000, "2 suppliers can fill the line", NULL,
	  "single_source", "pass" },
	/* the deadline against the lead time */
	{ "lead 20 days, deadline in 15: not in time", "DL-1", NULL,
	  { .deadline = 15, .ss_ok = true }, DECISION_ESCALATED, "DL-1",
	  "digikey", 10000000, "short by 10 units within 15 days (the "
	  "deadline 2027-01-15): the best offer has 0 in stock", "short",
	  "deadline", "escalated" },
	{ "lead 20 days, deadline in 25: in time", "DL-1", NULL,
	  { .deadline = 25, .ss_ok = true }, DECISION_APPROVED, "DL-1",
	  "digikey", 10000000, "the deadline 2027-01-15 is 25 days after the "
	  "decision", "backorder", "deadline", "pass" },
	{ "deadline passed: only stock", "DL-1", NULL,
	  { .deadline = -3, .ss_ok = true }, DECISION_ESCALATED, "DL-1",
	  "digikey", 10000000, "the deadline 2027-01-15 has passed: only "
	  "stock qualifies", "short", "deadline", "escalated" },
	{ "deadline beyond the lead limit", "DL-1", NULL,
	  { .deadline = 40, .ss_ok = true }, DECISION_APPROVED, "DL-1",
	  "digikey", 10000000, "beyond the lead-time limit of 28 days", NULL,
	  "deadline", "pass" },
	/* preferred manufacturers */
	{ "a resistor not from a preferred maker", "MK-R", "R1",
	  { .makers = "{\"resistors\": [\"Yageo\", \"Vishay\"]}",
	  .ss_ok = true }, DECISION_APPROVED, "MK-R", "digikey", 1000000,
	  "Panasonic is not a preferred resistors manufacturer (Yageo, "
	  "Vishay)", "not_preferred_manufacturer", "manufacturer", "flag" },
	{ "a resistor from one", "MK-R", "R1",
	  { .makers = "{\"resistors\": [\"panasonic\"]}", .ss_ok = true },
	  DECISION_APPROVED, "MK-R", "digikey", 1000000, "Panasonic is a "
	  "preferred resistors manufacturer", NULL, "manufacturer", "pass" },
	{ "a capacitor: no preferred capacitor makers, no check", "MK-R",
	  "C1", { .makers = "{\"resistors\": [\"Yageo\"], \"capacitors\": "
	  "[]}", .ss_ok = true }, DECISION_APPROVED, "MK-R", "digikey",
	  1000000, "approved: MK-R", NULL, NULL, NULL },
	{ "other: makers of any other category", "MK-R", "Q1",
	  { .makers = "{\"other\": {\"fuses\": [\"Bel\"], \"discretes\": "
	  "[\"Panasonic\"]}}", .ss_ok = true }, DECISION_APPROVED, "MK-R",
	  "digikey", 1000000, "Panasonic is a preferred other manufacturer",
	  NULL, "manufacturer", "pass" },
	{ "preferred makers rank alternates before price", "MK-BAN", "R9",
	  { .makers = "{\"resistors\": [\"Yageo\"]}", .ss_ok = true },
	  DECISION_REJECTED, "MK-ALT-Y", "digikey", 1200000, "approved "
	  "alternate MK-ALT-Y proposed", "alternate_proposed", "ban",
	  "rejected" },
	{ "without makers the cheaper alternate", "MK-BAN", "R9",
	  { .ss_ok = true }, DECISION_REJECTED, "MK-ALT-P", "digikey",
	  1000000, "approved alternate MK-ALT-P proposed", NULL, NULL, NULL },
};

static bool
has_check(const json_t *data, const char *check, const char *result)
{
	const json_t *v;
	size_t i;

	json_array_foreach(json_object_get(data, "checks"), i, v)
		if (strcmp(json_string_value(json_object_get(v, "check")),
		    check) == 0 && strcmp(json_string_value(json_object_get(v,
		    "result")), result) == 0)
			return true;
	return false;
}

/* The rules and cost parameters of a case (as basis_setup() makes them). */
static void
rules_from(const struct ccfg *c, struct sourcing_rules *r,
    struct cost_params *p, struct supplier_rule *sup, const char **one,
    const char **two, json_t **makers)
{
	memset(r, 0, sizeof(*r));
	memset(p, 0, sizeof(*p));
	p->line_qty = 1;
	p->build_qty = 10;
	p->max_lead_time_days = 28;
	r->max_lead_days = 28;
	r->alternates = alternates;
	r->nalternates = sizeof(alternates) / sizeof(alternates[0]);
	r->banned = banned;
	r->nbanned = 1;
	r->allow_alternates = true;
	r->allow_brokers = c->brokers;
	if (c->blocked != NULL) {
		sup->supplier_id = c->blocked;
		sup->trust = TRUST_BLOCKED;
		sup->order_cost_micros = 0;
		r->suppliers = sup;
		r->nsuppliers = 1;
	}
	r->legacy = c->legacy;
	r->product_type = c->product_type;
	r->rohs_required = c->rohs;
	if (c->restricted != NULL) {
		*one = c->restricted;
		r->restricted = one;
		r->nrestricted = 1;
	}
	if (c->critical != NULL) {
		*two = c->critical;
		r->critical = two;
		r->ncritical = 1;
	}
	r->single_source_ok = c->ss_ok;
	*makers = c->makers ? json_loads(c->makers, 0, NULL) : NULL;
	r->makers = *makers;
	if (c->deadline != NODL) {
		r->deadline = "2027-01-15";
		r->deadline_days = c->deadline;
		p->max_lead_time_days = c->deadline < 0 ? 0 :
		    c->deadline < 28 ? c->deadline : 28;
	}
}

UNIT_TEST(test_check_cases)
{
	const struct ccase *c;
	struct sourcing_rules rules;
	struct supplier_rule sup;
	struct cost_params p;
	struct line_decision d;
	struct offer_list l;
	const char *one, *two, *des[1];
	json_t *makers;
	size_t i;

	fixture_offers_parse(catalog, sizeof(catalog) - 1, &l, NULL, 0);
	for (i = 0; i < sizeof(ccases) / sizeof(ccases[0]); i++) {
		c = &ccases[i];
		rules_from(&c->cfg, &rules, &p, &sup, &one, &two, &makers);
		des[0] = c->des;
		fixture_decide(c->name, &(struct sourcing_line){ c->mpn,
		    c->des ? des : NULL, c->des ? 1 : 0, NULL }, &p, &rules,
		    &l, &d, c->status);
		if (c->sel == NULL)
			assert_null(d.selected_mpn);
		else if (d.selected_mpn == NULL ||
		    strcmp(d.selected_mpn, c->sel) != 0 ||
		    strcmp(d.selected_supplier, c->supplier) != 0 ||
		    d.extended_micros != c->ext)
			fail_msg("%s: %s/%s %lld: %s", c->name, d.selected_mpn,
			    d.selected_supplier, (long long)d.extended_micros,
			    d.reasoning);
		if (strstr(d.reasoning, c->has) == NULL)
			fail_msg("%s: reasoning lacks '%s': %s", c->name,
			    c->has, d.reasoning);
		if (c->flag != NULL &&
		    !fixture_has_flag(d.output_data, c->flag))
			fail_msg("%s: no flag %s", c->name, c->flag);
		if (c->check != NULL && !has_check(d.output_data, c->check,
		    c->result))
			fail_msg("%s: no check %s %s: %s", c->name, c->check,
			    c->result, json_dumps(json_object_get(
			    d.output_data, "checks"), 0));
		if (c->cfg.legacy && json_object_get(d.output_data,
		    "checks") != NULL)
			fail_msg("%s: checks in a legacy decision", c->name);
		line_decision_free(&d);
		/* quiet: the same numbers and status */
		rules.quiet = true;
		assert_int_equal(sourcing_decide(&(struct sourcing_line){
		    c->mpn, c->des ? des : NULL, c->des ? 1 : 0, NULL }, &p,
		    &rules, fixture_offers_lookup, &l, &d), 0);
		if (d.status != c->status || d.output_data != NULL ||
		    (c->sel != NULL && d.extended_micros != c->ext))
			fail_msg("%s: quiet differs", c->name);
		line_decision_free(&d);
		json_decref(makers);
	}
	offer_list_free(&l);
}

/* The options the strategies read: deliverable, qualifying offers. */
UNIT_TEST(test_check_options)
{
	struct sourcing_rules rules;
	struct supplier_rule sup;
	struct cost_params p;
	struct line_decision d;
	struct offer_list l;
	struct ccfg cfg = { .critical = "CRIT-A", .ss_ok = true };
	const char *one, *two;
	json_t *makers;

	fixture_offers_parse(catalog, sizeof(catalog) - 1, &l, NULL, 0);
	rules_from(&cfg, &rules, &p, &sup, &one, &two, &makers);
	rules.options = true;
	assert_int_equal(sourcing_decide(&(struct sourcing_line){ "CRIT-A",
	    NULL, 0, NULL }, &p, &rules, fixture_offers_lookup, &l, &d), 0);
	/* critical: DigiKey's 5 of 10 do not qualify */
	assert_int_equal(d.noptions, 1);
	assert_string_equal(d.options[0].supplier_id, "mouser");
	assert_int_equal(d.options[0].extended_micros, 15000000);
	assert_int_equal(d.options[0].delivery_days, 0);
	line_decision_free(&d);
	rules.ncritical = 0;
	assert_int_equal(sourcing_decide(&(struct sourcing_line){ "CRIT-A",
	    NULL, 0, NULL }, &p, &rules, fixture_offers_lookup, &l, &d), 0);
	assert_int_equal(d.noptions, 2);
	assert_string_equal(d.options[0].supplier_id, "digikey");
	assert_false(d.options[0].in_stock);
	assert_int_equal(d.options[0].delivery_days, 3);
	line_decision_free(&d);
	/* SS-1: Mouser's lead of 90 days does not qualify */
	assert_int_equal(sourcing_decide(&(struct sourcing_line){ "SS-1",
	    NULL, 0, NULL }, &p, &rules, fixture_offers_lookup, &l, &d), 0);
	assert_int_equal(d.noptions, 1);
	line_decision_free(&d);
	offer_list_free(&l);
}

UNIT_TEST(test_categories)
{
	static const struct {
		const char		*des;
		enum part_category	 cat;
	} rows[] = {
		{ "R1", PART_RESISTORS }, { "r12", PART_RESISTORS },
		{ "C7", PART_CAPACITORS }, { "U1", PART_MCU },
		{ "J2", PART_CONNECTORS }, { "P1", PART_CONNECTORS },
		{ "RN1", PART_OTHER }, { "Q3", PART_OTHER },
		{ "", PART_OTHER }, { NULL, PART_OTHER }, { "1", PART_OTHER },
	};
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (part_category_of(rows[i].des) != rows[i].cat)
			fail_msg("category of %s", rows[i].des ? rows[i].des :
			    "NULL");
	assert_string_equal(name_of(&part_category_names, PART_CONNECTORS),
	    "connectors");
	assert_string_equal(name_of(&part_category_names, PART_OTHER), "other");
}

UNIT_TEST(test_offers_optional_columns)
{
	static const char csv[] =
	    "datasheet_url,MPN,manufacturer,supplier_id,supplier_name,"
	    "supplier_type,sku,stock,moq,order_multiple,lead_time_days,"
	    "currency,breaks,Lifecycle,ROHS,country_of_origin,packaging\n"
	    "https://x.example/a.pdf,A,Acme,dk,DK,authorized,1,1,1,1,0,USD,"
	    "1:1,NRND,Yes,tw,Reel\n"				/* 2 */
	    ",B,Acme,dk,DK,authorized,2,1,1,1,0,USD,1:1,,,,\n"		/* 3 */
	    ",C,Acme,dk,DK,authorized,3,1,1,1,0,USD,1:1,dead,,,\n"	/* 4 */
	    ",D,Acme,dk,DK,authorized,4,1,1,1,0,USD,1:1,,maybe,,\n"	/* 5 */
	    ",E,Acme,dk,DK,authorized,5,1,1,1,0,USD,1:1,,,TWN,\n"	/* 6 */
	    "ftp://x,F,Acme,dk,DK,authorized,6,1,1,1,0,USD,1:1,,,,\n"	/* 7 */
	    ",G,Acme,dk,DK,authorized,7,1,1,1,0,USD,1:1,obsolete,no,US,"
	    "0123456789012345678901234567890123456789012345678\n"	/* 8 */
	    ",H,Acme,dk,DK,authorized,8,1,1,1,0,USD,1:1,eol,false,,\n";
	static const char *const want[] = {
		"line 4: bad lifecycle 'dead' (active, nrnd, eol, obsolete or "
		    "unknown)",
		"line 5: bad rohs 'maybe' (yes, no or unknown)",
		"line 6: bad country_of_origin 'TWN' (ISO 3166 alpha-2, 2 "
		    "letters)",
		"line 7: bad datasheet_url 'ftp://x' (http or https, at most "
		    "2048 bytes)",
		"line 8: packaging longer than 47 bytes",
	};
	struct offer_list l;

	FIXTURE_OFFERS_PARSE(csv, &l, want);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.v[0].lifecycle, OFFER_LIFECYCLE_NRND);
	assert_int_equal(l.v[0].rohs, OFFER_ROHS_YES);
	assert_string_equal(l.v[0].country, "TW");
	assert_string_equal(l.v[0].packaging, "Reel");
	assert_string_equal(l.v[0].datasheet_url, "https://x.example/a.pdf");
	assert_int_equal(l.v[1].lifecycle, OFFER_LIFECYCLE_UNKNOWN);
	assert_int_equal(l.v[1].rohs, OFFER_ROHS_UNKNOWN);
	assert_string_equal(l.v[1].country, "");
	assert_null(l.v[1].datasheet_url);
	assert_int_equal(l.v[2].lifecycle, OFFER_LIFECYCLE_EOL);
	assert_int_equal(l.v[2].rohs, OFFER_ROHS_NO);
	offer_list_free(&l);
	assert_string_equal(name_of(&offer_lifecycle_names,
	    OFFER_LIFECYCLE_OBSOLETE),
	    "obsolete");
	assert_string_equal(name_of(&offer_rohs_names, OFFER_ROHS_UNKNOWN),
	    "unknown");
}
