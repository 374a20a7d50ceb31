/*
 * Per-agent decisions of a line, written from the sourcing engine's
 * result: which checks each agent owns, its status from their results,
 * its reasoning, the part of output_data it speaks for and the data it
 * read (references).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "agents.h"
#include "util.h"

/* Where a check's inputs come from, for the references. */
static const struct {
	const char	*check;
	const char	*ref;
} agents_check_refs[] = {
	{ "ban", "knowledge:parts" },
	{ "lifecycle", "offers:lifecycle" },
	{ "rohs", "context:compliance.standards" },
	{ "country_of_origin",
	    "context:compliance.country_of_origin_restrictions" },
	{ "critical", "context:engineering_context.critical_parts" },
	{ "manufacturer",
	    "context:engineering_context.preferred_manufacturers" },
	{ "single_source", "context:sourcing_constraints.single_source_ok" },
	{ "deadline", "context:requirements.deadline" },
};

static const char *
agents_str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

static void
agents_ref(json_t *refs, const char *s)
{
	const json_t *e;
	size_t i;

	json_array_foreach(refs, i, e)
		if (strcmp(json_string_value(e), s) == 0)
			return;
	json_array_append_new(refs, json_string(s));
}

/* "offers:digikey/311-10KCT-ND" of an offer object. */
static void
agents_offer_ref(json_t *refs, const json_t *o)
{
	char r[256];

	if (!json_is_object(o))
		return;
	snprintf(r, sizeof(r), "offers:%s/%s", agents_str(o, "supplier_id"),
	    agents_str(o, "sku"));
	agents_ref(refs, r);
}

/* The LLM's note for one agent appended to b, when it wrote one. */
static void
agents_llm_note(const struct agents_line *l, const char *key, struct buf *b)
{
	const json_t *llm = json_object_get(json_object_get(l->stored,
	    "output_data"), "llm");
	const char *note = json_string_value(json_object_get(llm, key));

	if (note != NULL && note[0] != '\0')
		buf_printf(b, " LLM note: %s", note);
}

static json_t *
agents_decision(const char *agent, enum decision_status st,
    struct buf *why, json_t *data, json_t *refs, const char *ts)
{
	return json_pack("{s:s, s:s, s:s, s:o, s:o, s:s}", "agent_name",
	    agent, "status", name_of(&decision_status_names, st), "reasoning",
	    why->data ? why->data : "", "output_data", data, "references",
	    refs, "timestamp", ts ? ts : "");
}

/* The checks of one agent into out; the status their results make. */
static enum decision_status
agents_checks(const json_t *checks, const char *agent, json_t *out,
    json_t *refs, struct buf *b)
{
	enum decision_status st = DECISION_APPROVED;
	const json_t *c;
	const char *r;
	size_t i, k;

	json_array_foreach(checks, i, c) {
		if (strcmp(agents_str(c, "agent"), agent) != 0)
			continue;
		json_array_append(out, (json_t *)c);
		r = agents_str(c, "result");
		if (strcmp(r, "rejected") == 0)
			st = DECISION_REJECTED;
		else if (strcmp(r, "escalated") == 0 &&
		    st != DECISION_REJECTED)
			st = DECISION_ESCALATED;
		buf_printf(b, "%s%s (%s)", b->len ? "; " : "",
		    agents_str(c, "detail"), r);
		for (k = 0; k < sizeof(agents_check_refs) /
		    sizeof(agents_check_refs[0]); k++)
			if (strcmp(agents_check_refs[k].check,
			    agents_str(c, "check")) == 0)
				agents_ref(refs, agents_check_refs[k].ref);
	}
	return st;
}

static json_t *
agents_engineering(const struct agents_line *l)
{
	const json_t *od = l->d->output_data;
	const json_t *ch = json_object_get(od, "chosen");
	json_t *data, *checks, *refs;
	enum decision_status st;
	struct buf b;

	buf_init(&b);
	checks = json_array();
	refs = json_array();
	st = agents_checks(json_object_get(od, "checks"), "engineering",
	    checks, refs, &b);
	if (json_array_size(checks) == 0)
		buf_puts(&b, "no engineering check applies");
	buf_printf(&b, ". %s: category %s, lifecycle %s%s%s.", l->mpn,
	    agents_str(od, "category")[0] ? agents_str(od, "category") :
	    "other", agents_str(od, "lifecycle")[0] ? agents_str(od,
	    "lifecycle") : "unknown", strcmp(agents_str(od, "lifecycle"),
	    "unknown") == 0 ? " (no offer states it)" : "",
	    json_is_true(json_object_get(od, "critical")) ? ", critical" :
	    "");
	if (st != DECISION_APPROVED)
		buf_printf(&b, " %s.", st == DECISION_REJECTED ? "Rejected: "
		    "the part is not acceptable" : "Escalated: a person must "
		    "decide");
	agents_llm_note(l, "engineering_note", &b);
	agents_offer_ref(refs, ch);
	data = json_pack("{s:s, s:O, s:O, s:O, s:o}", "mpn", l->mpn,
	    "category", json_object_get(od, "category") ?
	    json_object_get(od, "category") : json_null(), "critical",
	    json_object_get(od, "critical") ? json_object_get(od,
	    "critical") : json_false(), "lifecycle", json_object_get(od,
	    "lifecycle") ? json_object_get(od, "lifecycle") : json_null(),
	    "checks", checks);
	if (json_is_object(ch)) {
		json_object_set(data, "manufacturer",
		    json_object_get(ch, "manufacturer"));
		json_object_set(data, "rohs", json_object_get(ch, "rohs"));
		json_object_set(data, "country_of_origin",
		    json_object_get(ch, "country_of_origin"));
		json_object_set(data, "packaging",
		    json_object_get(ch, "packaging"));
		json_object_set(data, "datasheet_url",
		    json_object_get(ch, "datasheet_url"));
	}
	if (json_object_get(od, "alternate") != NULL)
		json_object_set(data, "alternate",
		    json_object_get(od, "alternate"));
	data = agents_decision("engineering", st, &b, data, refs,
	    l->timestamp);
	buf_free(&b);
	return data;
}

static json_t *
agents_sourcing(const struct agents_line *l)
{
	const json_t *od = l->d->output_data, *ch, *ru, *x;
	json_t *data, *checks, *refs;
	enum decision_status st;
	struct buf b, cb;
	char u[32], e[32];
	size_t i;

	buf_init(&b);
	buf_init(&cb);
	checks = json_array();
	refs = json_array();
	ch = json_object_get(od, "chosen");
	ru = json_object_get(od, "runner_up");
	st = agents_checks(json_object_get(od, "checks"), "sourcing",
	    checks, refs, &cb);
	if (!json_is_object(ch)) {
		st = l->status == DECISION_REJECTED ? DECISION_REJECTED :
		    DECISION_ESCALATED;
		buf_puts(&b, "nothing sourced");
	} else {
		money_format(json_integer_value(json_object_get(ch,
		    "unit_price_micros")), u, sizeof(u));
		money_format(json_integer_value(json_object_get(ch,
		    "extended_price_micros")), e, sizeof(e));
		buf_printf(&b, "chosen %s (%s, sku %s, %s, trust %s) for %s: %"
		    JSON_INTEGER_FORMAT " at %s each = %s %s",
		    agents_str(ch, "supplier_name"),
		    agents_str(ch, "supplier_id"), agents_str(ch, "sku"),
		    agents_str(ch, "supplier_type"), agents_str(ch, "trust"),
		    agents_str(ch, "mpn"), json_integer_value(json_object_get(
		    ch, "order_qty")), u, e, agents_str(ch, "currency"));
		if (json_is_true(json_object_get(ch, "in_stock")))
			buf_printf(&b, ", %" JSON_INTEGER_FORMAT " in stock",
			    json_integer_value(json_object_get(ch, "stock")));
		else
			buf_printf(&b, ", %" JSON_INTEGER_FORMAT " in stock, "
			    "lead time %" JSON_INTEGER_FORMAT " days%s",
			    json_integer_value(json_object_get(ch, "stock")),
			    json_integer_value(json_object_get(ch,
			    "lead_time_days")), json_is_true(json_object_get(
			    ch, "lead_ok")) ? "" : ", too late");
		if (!json_is_true(json_object_get(ch, "lead_ok")))
			st = DECISION_ESCALATED;
		agents_offer_ref(refs, ch);
	}
	if (json_is_object(ru)) {
		buf_printf(&b, "; runner-up %s (%s) lost: %s",
		    agents_str(ru, "supplier_name"),
		    agents_str(ru, "supplier_id"), agents_str(ru, "why_lost"));
		agents_offer_ref(refs, ru);
	} else if (json_is_object(ch))
		buf_puts(&b, "; no runner-up");
	json_array_foreach(json_object_get(od, "excluded"), i, x) {
		buf_printf(&b, "%s%s (%s): %s", i == 0 ? "; excluded: " :
		    ", ", agents_str(x, "supplier_id"), agents_str(x, "sku"),
		    agents_str(x, "why"));
		agents_offer_ref(refs, x);
	}
	if (cb.len > 0)
		buf_printf(&b, "; %s", cb.data);
	/* the critical check is engineering's, but the supplier fails it */
	if (st == DECISION_APPROVED && l->status == DECISION_ESCALATED &&
	    json_is_object(ch))
		st = DECISION_ESCALATED;
	buf_puts(&b, ".");
	agents_llm_note(l, "sourcing_note", &b);
	data = json_pack("{s:O, s:O, s:O, s:o}", "chosen", ch ? ch :
	    json_null(), "runner_up", ru ? ru : json_null(), "excluded",
	    json_object_get(od, "excluded") ? json_object_get(od,
	    "excluded") : json_null(), "checks", checks);
	if (json_object_get(od, "alternate") != NULL)
		json_object_set(data, "alternate",
		    json_object_get(od, "alternate"));
	data = agents_decision("sourcing", st, &b, data, refs, l->timestamp);
	buf_free(&b);
	buf_free(&cb);
	return data;
}

static json_t *
agents_finance(const struct agents_line *l)
{
	const json_t *od = l->d->output_data;
	const json_t *ch = json_object_get(od, "chosen");
	const struct budget_check *bc = l->budget;
	json_t *data, *refs, *budget;
	enum decision_status st = DECISION_APPROVED;
	int64_t ext, share = -1;
	char m[32], bm[32];
	struct buf b;

	buf_init(&b);
	refs = json_array();
	agents_ref(refs, "context:requirements.quantity");
	budget = json_object();
	json_object_set_new(budget, "status", json_string(
	    name_of(&budget_status_names, bc->status)));
	if (!json_is_object(ch)) {
		st = l->status == DECISION_REJECTED ? DECISION_REJECTED :
		    DECISION_ESCALATED;
		buf_printf(&b, "nothing to price: need %" PRId64 " and no "
		    "offer selected.", l->d->need);
		data = json_pack("{s:I, s:o}", "need", (json_int_t)l->d->need,
		    "budget", budget);
		goto out;
	}
	agents_offer_ref(refs, ch);
	ext = json_integer_value(json_object_get(ch,
	    "extended_price_micros"));
	money_format(ext, m, sizeof(m));
	buf_printf(&b, "%s; extended %s %s", agents_str(ch, "explain"), m,
	    agents_str(ch, "currency"));
	if (json_is_true(json_object_get(ch, "bought_up"))) {
		money_format(json_integer_value(json_object_get(ch,
		    "base_extended_price_micros")) - ext, bm, sizeof(bm));
		buf_printf(&b, " (buying up from %" JSON_INTEGER_FORMAT
		    " saves %s)", json_integer_value(json_object_get(ch,
		    "base_qty")), bm);
	}
	if (bc->status != BUDGET_NONE) {
		agents_ref(refs, "context:requirements.budget_total");
		if (bc->budget_micros > 0 && i64_mul(ext, 10000, &share) == 0)
			share /= bc->budget_micros;
		else
			share = -1;
		if (share >= 0)
			buf_printf(&b, "; %" PRId64 ".%02" PRId64 " %% of the "
			    "budget", share / 100, share % 100);
		json_object_set_new(budget, "line_share_pct", share >= 0 ?
		    json_real((double)share / 100.0) : json_null());
	}
	buf_puts(&b, ". Project: ");
	report_budget_words(bc, &b);
	buf_puts(&b, ".");
	if (bc->status == BUDGET_OVER && l->status == DECISION_APPROVED) {
		st = DECISION_ESCALATED;
		buf_puts(&b, " Not signed: the project is over budget.");
	} else if (l->status != DECISION_APPROVED) {
		st = l->status;
		buf_printf(&b, " Priced for reference: the line is %s, so it "
		    "is not in the approved total.",
		    name_of(&decision_status_names, l->status));
	}
	data = json_object();
	json_object_set(data, "need", json_object_get(ch, "need"));
	json_object_set(data, "order_qty", json_object_get(ch, "order_qty"));
	json_object_set(data, "moq", json_object_get(ch, "moq"));
	json_object_set(data, "order_multiple", json_object_get(ch,
	    "order_multiple"));
	json_object_set(data, "break_qty", json_object_get(ch, "break_qty"));
	json_object_set(data, "breaks", json_object_get(ch, "breaks"));
	json_object_set(data, "unit_price", json_object_get(ch, "unit_price"));
	json_object_set(data, "unit_price_micros", json_object_get(ch,
	    "unit_price_micros"));
	json_object_set(data, "extended_price", json_object_get(ch,
	    "extended_price"));
	json_object_set(data, "extended_price_micros", json_object_get(ch,
	    "extended_price_micros"));
	json_object_set(data, "currency", json_object_get(ch, "currency"));
	json_object_set(data, "bought_up", json_object_get(ch, "bought_up"));
	if (json_is_true(json_object_get(ch, "bought_up"))) {
		json_object_set(data, "base_qty", json_object_get(ch,
		    "base_qty"));
		json_object_set(data, "base_extended_price",
		    json_object_get(ch, "base_extended_price"));
	}
	json_object_set_new(data, "budget", budget);
out:
	agents_llm_note(l, "finance_note", &b);
	data = agents_decision("finance", st, &b, data, refs, l->timestamp);
	buf_free(&b);
	return data;
}

static json_t *
agents_final(const struct agents_line *l, json_t *eng, json_t *src,
    json_t *fin)
{
	const json_t *od = l->stored ? json_object_get(l->stored,
	    "output_data") : l->d->output_data;
	const char *why = l->stored ? agents_str(l->stored, "reasoning") :
	    l->d->reasoning;
	json_t *refs = json_array(), *a[3] = { eng, src, fin }, *e;
	size_t i, k;

	for (k = 0; k < 3; k++)
		json_array_foreach(json_object_get(a[k], "references"), i, e)
			agents_ref(refs, json_string_value(e));
	return json_pack("{s:s, s:s, s:s, s:O, s:o, s:s}", "status",
	    name_of(&decision_status_names, l->status), "reasoning",
	    why ? why : "",
	    "agent_name", "final_decision", "output_data", od ? od :
	    json_null(), "references", refs, "timestamp", l->timestamp ?
	    l->timestamp : "");
}

void
agents_decide(const struct agents_line *l, json_t *item)
{
	json_t *eng, *src, *fin;

	eng = agents_engineering(l);
	src = agents_sourcing(l);
	fin = agents_finance(l);
	json_object_set_new(item, "final_decision", agents_final(l, eng, src,
	    fin));
	json_object_set_new(item, "engineering_decision", eng);
	json_object_set_new(item, "sourcing_decision", src);
	json_object_set_new(item, "finance_decision", fin);
}
