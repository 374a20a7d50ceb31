/*
 * LLM review of decided BOM lines: schema, prompt and the merge policy. The
 * numbers always come from the costing engine; an answer can only add an
 * assessment, or turn an approved line into an escalated one.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assess.h"
#include "bom.h"
#include "intake.h"
#include "sourcing.h"
#include "util.h"

/* Rule reasoning quoted in a prompt, per line. */
#define ASSESS_PROMPT_REASONING	600

/*
 * "escalated" first: the cautious verdict when a model is unsure. (The test
 * mock answers with the first enum value, which is how the integration
 * tests see an escalation.)
 */
static const char *const assess_decisions[] = {
	"escalated", "approved", "rejected", NULL
};

static const struct llm_schema assess_s_line = {
	.type = LLM_T_INTEGER, .has_min = true, .min = 1,
	.description = "the line number given in the prompt"
};
static const struct llm_schema assess_s_decision = {
	.type = LLM_T_STRING, .enums = assess_decisions,
	.description = "approved keeps the rule decision; escalated asks a "
	    "human to review the line"
};
static const struct llm_schema assess_s_confidence = {
	.type = LLM_T_NUMBER, .has_min = true, .min = 0, .has_max = true,
	.max = 1
};
static const struct llm_schema assess_s_text = { .type = LLM_T_STRING };
static const struct llm_schema assess_s_texts = {
	.type = LLM_T_ARRAY, .items = &assess_s_text,
	.max_items = ASSESS_MAX_REASONS
};
static const struct llm_field assess_f_item[] = {
	{ "line", &assess_s_line, false },
	{ "decision", &assess_s_decision, false },
	{ "confidence", &assess_s_confidence, false },
	{ "reasons", &assess_s_texts, false },
	{ "risks", &assess_s_texts, false },
	{ "engineering_note", &assess_s_text, true },
	{ "sourcing_note", &assess_s_text, true },
	{ "finance_note", &assess_s_text, true },
};
static const struct llm_schema assess_s_item = { LLM_OBJECT(assess_f_item) };
static const struct llm_schema assess_s_lines = {
	.type = LLM_T_ARRAY, .items = &assess_s_item,
	.max_items = ASSESS_MAX_ITEMS
};
static const struct llm_field assess_f_top[] = {
	{ "lines", &assess_s_lines, false },
};
static const struct llm_schema assess_s_top = { LLM_OBJECT(assess_f_top) };

const struct llm_schema *
assess_schema(void)
{
	return &assess_s_top;
}

const char *
assess_system_prompt(void)
{
	return "You review sourcing decisions for lines of an electronics "
	    "bill of materials. A rule engine has already chosen the part, "
	    "supplier, order quantity and price of every line and decided it "
	    "approved, rejected or escalated; those numbers are final and you "
	    "cannot change them. For each line, answer with its line number, "
	    "your decision (approved: the rule decision stands; escalated: a "
	    "human buyer should review it), your confidence from 0 to 1, "
	    "short reasons, risks (obsolescence, single source, lead time, "
	    "counterfeit, price), and brief engineering, sourcing and finance "
	    "notes (null when you have nothing to add). You cannot approve a "
	    "line the rules rejected or escalated. Answer every line once.";
}

static void
assess_money(json_t *o, const char *key, int64_t micros)
{
	char m[32];

	money_format(micros, m, sizeof(m));
	json_object_set_new(o, key, json_string(m));
}

/* A copy of s cut to max bytes on a UTF-8 character boundary. */
static json_t *
assess_text(const char *s, size_t max)
{
	size_t n = strlen(s);

	return json_stringn(s, n > max ? utf8_prefix(s, max) : n);
}

char *
assess_prompt(const struct intake_view *v, const struct bom *bom,
    const struct line_decision *d, size_t first, size_t count)
{
	const struct bom_line *l;
	json_t *doc, *proj, *lines, *line, *rule, *arr;
	struct buf b;
	char *s;
	size_t i, k;

	if (v == NULL || bom == NULL || d == NULL || count == 0 ||
	    first >= bom->nlines || count > bom->nlines - first)
		return NULL;
	proj = json_object();
	if (v->name != NULL)
		json_object_set_new(proj, "name", json_string(v->name));
	if (v->product_type != NULL)
		json_object_set_new(proj, "product_type",
		    json_string(v->product_type));
	json_object_set_new(proj, "build_quantity", json_integer(v->quantity));
	if (v->max_lead_time_days >= 0)
		json_object_set_new(proj, "max_lead_time_days",
		    json_integer(v->max_lead_time_days));
	if (v->budget_total_micros >= 0)
		assess_money(proj, "budget_total", v->budget_total_micros);
	if (v->deadline != NULL)
		json_object_set_new(proj, "deadline", json_string(v->deadline));
	json_object_set_new(proj, "allow_brokers",
	    json_boolean(v->allow_brokers));
	arr = json_array();
	for (k = 0; k < v->ncritical; k++)
		json_array_append_new(arr, json_string(v->critical[k]));
	json_object_set_new(proj, "critical_parts", arr);
	if (v->notes != NULL)
		json_object_set_new(proj, "notes",
		    assess_text(v->notes, ASSESS_PROMPT_REASONING));

	lines = json_array();
	for (i = first; i < first + count; i++) {
		l = &bom->lines[i];
		line = json_object();
		json_object_set_new(line, "line", json_integer((json_int_t)(i +
		    1)));
		json_object_set_new(line, "mpn", json_string(l->mpn));
		if (l->manufacturer != NULL && *l->manufacturer != '\0')
			json_object_set_new(line, "manufacturer",
			    json_string(l->manufacturer));
		if (l->description != NULL && *l->description != '\0')
			json_object_set_new(line, "description",
			    assess_text(l->description, 200));
		json_object_set_new(line, "quantity_per_board",
		    json_integer(l->quantity));
		rule = json_object();
		json_object_set_new(rule, "decision", json_string(
		    name_of(&decision_status_names, d[i].status)));
		json_object_set_new(rule, "need", json_integer(d[i].need));
		if (d[i].selected_mpn != NULL) {
			json_object_set_new(rule, "selected_mpn",
			    json_string(d[i].selected_mpn));
			if (d[i].supplier_name != NULL)
				json_object_set_new(rule, "supplier",
				    json_string(d[i].supplier_name));
			json_object_set_new(rule, "order_quantity",
			    json_integer(d[i].order_quantity));
			assess_money(rule, "unit_price", d[i].unit_micros);
			assess_money(rule, "extended_price",
			    d[i].extended_micros);
			json_object_set_new(rule, "currency",
			    json_string(d[i].currency));
			json_object_set_new(rule, "deliverable_in_time",
			    json_boolean(d[i].lead_ok));
			if (d[i].shortfall > 0)
				json_object_set_new(rule, "shortfall",
				    json_integer(d[i].shortfall));
		}
		if (d[i].reasoning != NULL)
			json_object_set_new(rule, "reasoning",
			    assess_text(d[i].reasoning,
			    ASSESS_PROMPT_REASONING));
		json_object_set_new(line, "rule_engine", rule);
		json_array_append_new(lines, line);
	}
	doc = json_pack("{s:o, s:o}", "project", proj, "lines", lines);
	s = json_dumps(doc, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	if (s == NULL)
		return NULL;
	buf_init(&b);
	buf_printf(&b, "Review these %zu BOM lines (numbers %zu to %zu) and "
	    "answer every line:\n%s\n", count, first + 1, first + count, s);
	free(s);
	return buf_steal(&b);
}

/* An array of at most ASSESS_MAX_REASONS trimmed strings from v. */
static json_t *
assess_texts(const json_t *v)
{
	json_t *out = json_array(), *e;
	size_t i;

	json_array_foreach(v, i, e) {
		if (json_array_size(out) >= ASSESS_MAX_REASONS)
			break;
		if (json_is_string(e) && json_string_length(e) > 0)
			json_array_append_new(out, assess_text(
			    json_string_value(e), ASSESS_MAX_TEXT));
	}
	return out;
}

static json_t *
assess_note(const json_t *v)
{
	if (!json_is_string(v) || json_string_length(v) == 0)
		return json_null();
	return assess_text(json_string_value(v), ASSESS_MAX_TEXT);
}

/* Appends "; escalated by LLM review: r1; r2" to the rule reasoning. */
static void
assess_escalate(struct line_decision *d, const json_t *reasons,
    const char *verdict)
{
	struct buf b;
	json_t *e, *flags;
	size_t i;
	const char *r = d->reasoning != NULL ? d->reasoning : "";
	size_t n = strlen(r);
	bool sentence = n == 0 || r[n - 1] == '.';

	buf_init(&b);
	/* "x; escalated by" after a clause, "x. Escalated by" after a period */
	buf_printf(&b, "%s%s%s by LLM review (answered %s)", r,
	    n == 0 ? "" : sentence ? " " : "; ",
	    sentence ? "Escalated" : "escalated", verdict);
	json_array_foreach(reasons, i, e)
		buf_printf(&b, "%s%s", i == 0 ? ": " : "; ",
		    json_string_value(e));
	free(d->reasoning);
	d->reasoning = buf_steal(&b);
	d->status = DECISION_ESCALATED;
	flags = json_object_get(d->output_data, "flags");
	if (json_is_array(flags))
		json_array_append_new(flags, json_string("llm_escalated"));
}

bool
assess_item_usable(const json_t *item, size_t first, size_t count)
{
	const json_t *jline = json_object_get(item, "line");
	const char *dec = json_string_value(json_object_get(item, "decision"));
	json_int_t k;

	if (!json_is_integer(jline) || dec == NULL ||
	    (strcmp(dec, "approved") != 0 && strcmp(dec, "rejected") != 0 &&
	    strcmp(dec, "escalated") != 0))
		return false;
	k = json_integer_value(jline);
	return k >= (json_int_t)first + 1 && k <= (json_int_t)(first + count);
}

int
assess_merge(struct line_decision *d, size_t n, size_t first, size_t count,
    const json_t *answer, struct assess_stats *st)
{
	const json_t *lines, *item, *jline, *jdec, *jconf;
	const char *dec;
	json_t *a, *reasons;
	json_int_t k;
	size_t i;
	double conf;

	if (d == NULL || st == NULL || first > n || count > n - first)
		return -1;
	lines = json_object_get(answer, "lines");
	if (!json_is_array(lines))
		return -1;
	json_array_foreach(lines, i, item) {
		if (!assess_item_usable(item, first, count)) {
			st->ignored++;
			continue;
		}
		jline = json_object_get(item, "line");
		jdec = json_object_get(item, "decision");
		jconf = json_object_get(item, "confidence");
		dec = json_string_value(jdec);
		k = json_integer_value(jline);
		if (json_object_get(d[k - 1].output_data, "llm") != NULL) {
			st->ignored++;
			continue;
		}
		if (!json_is_object(d[k - 1].output_data)) {
			json_decref(d[k - 1].output_data);
			d[k - 1].output_data = json_object();
		}
		conf = json_is_number(jconf) ? json_number_value(jconf) : 0;
		if (!(conf >= 0 && conf <= 1))
			conf = 0;
		reasons = assess_texts(json_object_get(item, "reasons"));
		a = json_pack("{s:s, s:f, s:O, s:o, s:o, s:o, s:o}",
		    "decision", dec, "confidence", conf, "reasons", reasons,
		    "risks", assess_texts(json_object_get(item, "risks")),
		    "engineering_note", assess_note(json_object_get(item,
		    "engineering_note")),
		    "sourcing_note", assess_note(json_object_get(item,
		    "sourcing_note")),
		    "finance_note", assess_note(json_object_get(item,
		    "finance_note")));
		/* the LLM can only make an approval more cautious */
		if (d[k - 1].status == DECISION_APPROVED &&
		    strcmp(dec, "approved") != 0) {
			assess_escalate(&d[k - 1], reasons, dec);
			json_object_set_new(a, "effect",
			    json_string("escalated"));
			st->escalated++;
		} else
			json_object_set_new(a, "effect", json_string("notes"));
		json_decref(reasons);
		json_object_set_new(d[k - 1].output_data, "llm", a);
		st->applied++;
	}
	return 0;
}

int
assess_count(const struct line_decision *d, size_t n, int64_t counts[3],
    int64_t *approved_micros)
{
	size_t i;

	counts[0] = counts[1] = counts[2] = 0;
	*approved_micros = 0;
	for (i = 0; i < n; i++) {
		if ((unsigned)d[i].status > DECISION_ESCALATED)
			return -1;
		counts[d[i].status]++;
		if (d[i].status == DECISION_APPROVED &&
		    i64_add(*approved_micros, d[i].extended_micros,
		    approved_micros) == -1)
			return -1;
	}
	return 0;
}
