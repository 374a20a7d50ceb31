/*
 * The project report, by rules: the budget check, a risk and its
 * mitigation for every flag of every line, follow-ups for what a person
 * must do, the risk level and the executive summary.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

const struct name_table budget_status_names = { "none", {
	[BUDGET_NONE] = "none",
	[BUDGET_WITHIN] = "within",
	[BUDGET_WARNING] = "warning",
	[BUDGET_OVER] = "over",
} };

/* A line flag worth a risk: its words and how bad it is (1 medium, 2
 * high); the mitigation when an alternate was proposed comes first. */
static const struct report_risk {
	const char	*flag;
	const char	*risk;
	const char	*mitigation;
	int		 level;
} report_risks[] = {
	{ "banned", "banned by the organisation",
	    "remove it from the BOM", 1 },
	{ "avoided", "on the project's avoid list",
	    "remove it from the BOM", 1 },
	{ "obsolete", "obsolete",
	    "buy the active approved alternate, or a last-time buy with "
	    "engineering sign-off", 2 },
	{ "eol", "end of life",
	    "buy the active approved alternate, or a last-time buy with "
	    "engineering sign-off", 2 },
	{ "no_alternate", "no usable approved alternate",
	    "find and qualify a replacement part", 2 },
	{ "critical_unqualified", "critical part without a qualified source "
	    "(authorized, trust high or medium, stock covering the need)",
	    "buy from an authorized distributor with stock, or have "
	    "engineering accept the source", 2 },
	{ "nrnd", "not recommended for new designs (NRND)",
	    "plan a replacement before the next revision", 1 },
	{ "rohs_unknown", "RoHS status unknown while RoHS is required",
	    "get a RoHS certificate of compliance before release", 1 },
	{ "country_unknown", "country of origin unknown while some are "
	    "restricted", "ask the supplier for the country of origin", 1 },
	{ "single_source", "single source",
	    "qualify a second source", 1 },
	{ "not_preferred_manufacturer", "not from a preferred manufacturer",
	    "consider an equivalent from a preferred manufacturer", 1 },
	{ "broker", "bought from a broker: counterfeit risk",
	    "inspect and test on receipt", 1 },
	{ "short", "cannot be delivered in time",
	    "find stock, extend the lead-time limit or move the deadline", 2 },
	{ "backorder", "not in stock: delivered within the lead time",
	    "order early and track the delivery", 1 },
	{ "no_offers", "no offers in the catalog",
	    "source it manually", 2 },
	{ "no_eligible_offers", "no eligible offers",
	    "review why each offer was excluded", 2 },
	{ "llm_escalated", "the LLM review asked for a person",
	    "review the line", 2 },
};
#define REPORT_NRISKS (sizeof(report_risks) / sizeof(report_risks[0]))

void
report_budget(int64_t approved, int64_t budget, struct budget_check *out)
{
	int64_t a, b;

	memset(out, 0, sizeof(*out));
	out->approved_micros = approved;
	out->budget_micros = budget < 0 ? -1 : budget;
	out->used_bp = -1;
	if (budget < 0) {
		out->status = BUDGET_NONE;
		return;
	}
	/* exact in int64; amounts past 900 million units go through long
	 * double, whose 64-bit mantissa keeps them within a basis point */
	if (budget > 0)
		out->used_bp = i64_mul(approved, 10000, &a) == 0 ?
		    a / budget : (int64_t)((long double)approved * 10000 /
		    (long double)budget);
	if (approved > budget)
		out->status = BUDGET_OVER;
	else if (i64_mul(approved, 100, &a) == 0 &&
	    i64_mul(budget, REPORT_WARNING_PCT, &b) == 0)
		out->status = a > b ? BUDGET_WARNING : BUDGET_WITHIN;
	else
		out->status = (long double)approved * 100 >
		    (long double)budget * REPORT_WARNING_PCT ?
		    BUDGET_WARNING : BUDGET_WITHIN;
}

/* "91.00" for 9100 basis points. */
static void
report_pct(int64_t bp, char *out, size_t len)
{
	snprintf(out, len, "%" PRId64 ".%02" PRId64, bp / 100, bp % 100);
}

void
report_budget_words(const struct budget_check *c, struct buf *b)
{
	char m[32], bm[32], pct[32];

	money_format(c->approved_micros, m, sizeof(m));
	if (c->status == BUDGET_NONE) {
		buf_printf(b, "approved lines cost %s %s; the project has no "
		    "budget", m, SOURCING_CURRENCY);
		return;
	}
	money_format(c->budget_micros, bm, sizeof(bm));
	if (c->used_bp >= 0) {
		report_pct(c->used_bp, pct, sizeof(pct));
		buf_printf(b, "approved lines cost %s %s, %s %% of the budget "
		    "of %s %s", m, SOURCING_CURRENCY, pct, bm,
		    SOURCING_CURRENCY);
	} else
		buf_printf(b, "approved lines cost %s %s against a budget of "
		    "%s %s", m, SOURCING_CURRENCY, bm, SOURCING_CURRENCY);
	switch (c->status) {
	case BUDGET_OVER:
		money_format(c->approved_micros - c->budget_micros, m,
		    sizeof(m));
		buf_printf(b, ": over by %s %s, a person must decide", m,
		    SOURCING_CURRENCY);
		break;
	case BUDGET_WARNING:
		buf_printf(b, ": above %d %%, a warning", REPORT_WARNING_PCT);
		break;
	default:
		buf_puts(b, ": within");
		break;
	}
}

json_t *
report_budget_json(const struct budget_check *c)
{
	struct buf b;
	json_t *j;

	buf_init(&b);
	report_budget_words(c, &b);
	j = json_pack("{s:o, s:f, s:I, s:o, s:s, s:s}", "budget_total",
	    c->budget_micros >= 0 ? json_real(money_to_double(
	    c->budget_micros)) : json_null(), "approved_total",
	    money_to_double(c->approved_micros), "approved_total_micros",
	    (json_int_t)c->approved_micros, "used_pct", c->used_bp >= 0 ?
	    json_real((double)c->used_bp / 100.0) : json_null(), "status",
	    name_of(&budget_status_names, c->status), "explain",
	    b.data ? b.data : "");
	if (c->budget_micros >= 0)
		json_object_set_new(j, "budget_total_micros",
		    json_integer(c->budget_micros));
	buf_free(&b);
	return j;
}

void
report_line_id(int64_t n, char *out, size_t len)
{
	snprintf(out, len, "L%" PRId64, n);
}

static bool
report_has_flag(const json_t *data, const char *flag)
{
	const json_t *v;
	size_t i;

	json_array_foreach(json_object_get(data, "flags"), i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), flag) ==
		    0)
			return true;
	return false;
}

/* The first clause of a reasoning, at most 200 bytes, into out. */
static void
report_clause(const char *why, char *out, size_t len)
{
	size_t n;

	if (why == NULL)
		why = "";
	n = strcspn(why, ";.");
	if (n > 200)
		n = utf8_prefix(why, 200);
	if (n >= len)
		n = utf8_prefix(why, len - 1);
	memcpy(out, why, n);
	out[n] = '\0';
}

/* The risks of one line appended to risks; its worst level. */
static int
report_line_risks(const struct report_line *l, json_t *risks)
{
	const json_t *alt = json_object_get(l->output_data, "alternate");
	const char *amp = json_string_value(json_object_get(alt, "mpn"));
	char id[32], mit[256];
	int worst = 0;
	size_t k;

	report_line_id(l->number, id, sizeof(id));
	for (k = 0; k < REPORT_NRISKS; k++) {
		if (!report_has_flag(l->output_data, report_risks[k].flag))
			continue;
		if (amp != NULL && report_risks[k].level == 1 &&
		    (strcmp(report_risks[k].flag, "banned") == 0 ||
		    strcmp(report_risks[k].flag, "avoided") == 0))
			snprintf(mit, sizeof(mit), "buy approved alternate %s "
			    "and update the BOM", amp);
		else if (amp != NULL && (strcmp(report_risks[k].flag,
		    "obsolete") == 0 || strcmp(report_risks[k].flag, "eol") ==
		    0))
			snprintf(mit, sizeof(mit), "buy active approved "
			    "alternate %s and update the BOM", amp);
		else
			snprintf(mit, sizeof(mit), "%s",
			    report_risks[k].mitigation);
		json_array_append_new(risks, json_pack("{s:s, s:I, s:s, "
		    "s:s, s:s}", "line_id", id, "line_number",
		    (json_int_t)l->number, "mpn", l->mpn ? l->mpn : "",
		    "risk", report_risks[k].risk, "mitigation", mit));
		if (report_risks[k].level > worst)
			worst = report_risks[k].level;
	}
	if (l->status == DECISION_ESCALATED)
		worst = 2;
	else if (l->status == DECISION_REJECTED && worst < 1)
		worst = 1;
	return worst;
}

/* One follow-up per line a person must act on. */
static void
report_line_follow_up(const struct report_line *l, json_t *fu)
{
	const json_t *alt = json_object_get(l->output_data, "alternate");
	const char *amp = json_string_value(json_object_get(alt, "mpn"));
	char clause[256];

	report_clause(l->reasoning, clause, sizeof(clause));
	if (l->status == DECISION_ESCALATED)
		json_array_append_new(fu, json_sprintf("line %" PRId64 " %s: "
		    "a person must decide (%s)", l->number, l->mpn, clause));
	else if (l->status == DECISION_REJECTED && amp != NULL)
		json_array_append_new(fu, json_sprintf("line %" PRId64 ": "
		    "replace %s with approved alternate %s in the BOM",
		    l->number, l->mpn, amp));
	else if (l->status == DECISION_REJECTED)
		json_array_append_new(fu, json_sprintf("line %" PRId64 " %s: "
		    "find a replacement (%s)", l->number, l->mpn, clause));
}

/* "get RoHS certificates for lines 3, 7" for a flag many lines carry. */
static void
report_flag_follow_up(const struct report_line *l, size_t n,
    const char *flag, const char *what, json_t *fu)
{
	struct buf b;
	size_t i, k = 0;

	buf_init(&b);
	for (i = 0; i < n; i++)
		if (l[i].status == DECISION_APPROVED &&
		    report_has_flag(l[i].output_data, flag))
			buf_printf(&b, "%s%" PRId64, k++ > 0 ? ", " : "",
			    l[i].number);
	if (k > 0)
		json_array_append_new(fu, json_sprintf("%s for line%s %s",
		    what, k > 1 ? "s" : "", b.data));
	buf_free(&b);
}

static const char *
report_level_name(int level)
{
	return level >= 2 ? "high" : level == 1 ? "medium" : "low";
}

/* The executive summary into b. */
static void
report_summary(const struct report_project *pr, const int64_t counts[3],
    size_t n, int level, size_t nrisks, struct buf *b)
{
	const json_t *best = json_array_get(json_object_get(pr->strategies,
	    "strategies"), 0);
	char m[32];

	buf_printf(b, "%s%s%zu line%s for %" PRId64 " board%s: %" PRId64
	    " approved, %" PRId64 " rejected, %" PRId64 " escalated. ",
	    pr->name != NULL ? pr->name : "", pr->name != NULL ? ": " : "",
	    n, n == 1 ? "" : "s", pr->build_qty, pr->build_qty == 1 ? "" :
	    "s", counts[DECISION_APPROVED], counts[DECISION_REJECTED],
	    counts[DECISION_ESCALATED]);
	buf_puts(b, "Budget: ");
	report_budget_words(&pr->budget, b);
	buf_puts(b, ". ");
	if (json_is_object(best)) {
		money_format(json_integer_value(json_object_get(best,
		    "total_micros")), m, sizeof(m));
		buf_printf(b, "Lowest total with order costs: %s %s from %"
		    JSON_INTEGER_FORMAT " supplier%s. ", m, SOURCING_CURRENCY,
		    json_integer_value(json_object_get(best,
		    "supplier_count")), json_integer_value(json_object_get(
		    best, "supplier_count")) == 1 ? "" : "s");
	}
	buf_printf(b, "Risk %s: %zu risk%s", report_level_name(level), nrisks,
	    nrisks == 1 ? "" : "s");
	if (counts[DECISION_ESCALATED] > 0 ||
	    pr->budget.status == BUDGET_OVER)
		buf_puts(b, "; a person must decide before anything is "
		    "ordered");
	buf_puts(b, ".");
}

json_t *
report_build(const struct report_project *pr, const struct report_line *l,
    size_t n)
{
	json_t *risks = json_array(), *fu = json_array(), *r;
	int64_t counts[3] = { 0, 0, 0 };
	char m[32];
	struct buf b;
	int level = 0, lv;
	size_t i;

	for (i = 0; i < n; i++) {
		if ((unsigned)l[i].status <= DECISION_ESCALATED)
			counts[l[i].status]++;
		if ((lv = report_line_risks(&l[i], risks)) > level)
			level = lv;
		report_line_follow_up(&l[i], fu);
	}
	report_flag_follow_up(l, n, "rohs_unknown", "get RoHS certificates "
	    "of compliance", fu);
	report_flag_follow_up(l, n, "single_source", "qualify second sources",
	    fu);
	report_flag_follow_up(l, n, "nrnd", "plan replacements of NRND parts",
	    fu);
	if (pr->budget.status == BUDGET_OVER) {
		level = 2;
		money_format(pr->budget.approved_micros -
		    pr->budget.budget_micros, m, sizeof(m));
		json_array_append_new(fu, json_sprintf("approved lines exceed "
		    "the budget by %s %s: a person must approve the spend or "
		    "cut the order", m, SOURCING_CURRENCY));
	} else if (pr->budget.status == BUDGET_WARNING) {
		if (level < 1)
			level = 1;
		json_array_append_new(fu, json_sprintf("approved lines use "
		    "more than %d %% of the budget: confirm before ordering",
		    REPORT_WARNING_PCT));
	}
	buf_init(&b);
	report_summary(pr, counts, n, level, json_array_size(risks), &b);
	r = json_pack("{s:s, s:s, s:o, s:o, s:o, s:O}", "executive_summary",
	    b.data, "risk_level", report_level_name(level), "risks", risks,
	    "follow_ups", fu, "budget", report_budget_json(&pr->budget),
	    "strategies", pr->strategies != NULL ? (json_t *)pr->strategies :
	    json_null());
	buf_free(&b);
	return r;
}
