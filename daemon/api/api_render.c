/*
 * Renders a stored project for reading: each line decided again from the
 * project's basis (common/basis.c) by the engine the worker ran, which
 * gives the words of lines stored as numbers only and, for every line,
 * the per-agent decisions (common/agents.c); then the exact sourcing
 * strategies (common/strategies.c) and the report (common/report.c).
 * Trace steps about a line take that line's reasoning, and the one step
 * that stands for the decisions of all lines becomes a step per line,
 * with one more for every check that did not simply pass.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "agents.h"
#include "api_render.h"
#include "basis.h"
#include "intake.h"
#include "log.h"
#include "report.h"
#include "sourcing.h"
#include "strategies.h"

/* A project being rendered: its basis, rules and every line decided. */
struct api_render {
	json_t			*doc;
	json_t			*items;
	struct basis		 b;
	struct intake_view	 v;
	struct sourcing_rules	 rules;
	struct cost_params	 p;
	struct line_decision	*d;	/* per item */
	enum decision_status	*status; /* per item: the stored one */
	size_t			 n;
	const char		*ts;	/* the decisions' time */
	struct budget_check	 budget;
};

static int
api_render_status(const char *s, enum decision_status *st)
{
	static const enum decision_status all[] = { DECISION_APPROVED,
	    DECISION_REJECTED, DECISION_ESCALATED };
	size_t i;

	for (i = 0; s != NULL && i < sizeof(all) / sizeof(all[0]); i++)
		if (strcmp(s, name_of(&decision_status_names, all[i])) == 0) {
			*st = all[i];
			return 0;
		}
	return -1;
}

/* Line i decided again with words (r->d[i]); 0, or -1 when unusable. */
static int
api_render_decide(struct api_render *r, size_t i)
{
	json_t *item = json_array_get(r->items, i), *des, *e;
	json_t *fd = json_object_get(item, "final_decision");
	struct sourcing_line line;
	const char *status, **dv;
	size_t k;
	int rc;

	memset(&line, 0, sizeof(line));
	line.mpn = json_string_value(json_object_get(item, "mpn"));
	line.manufacturer = json_string_value(json_object_get(item,
	    "manufacturer"));
	if (line.mpn == NULL || !json_is_integer(json_object_get(item,
	    "quantity")))
		return -1;
	des = json_object_get(item, "designators");
	dv = xcalloc(json_array_size(des) + 1, sizeof(*dv));
	json_array_foreach(des, k, e)
		if (json_is_string(e))
			dv[line.ndesignators++] = json_string_value(e);
	line.designators = dv;
	r->p.line_qty = json_integer_value(json_object_get(item, "quantity"));
	rc = sourcing_decide(&line, &r->p, &r->rules, basis_lookup,
	    (void *)(uintptr_t)&r->b, &r->d[i]);
	free(dv);
	if (rc == -1)
		return -1;
	status = json_string_value(json_object_get(fd, "status"));
	if (api_render_status(status, &r->status[i]) == -1)
		r->status[i] = r->d[i].status;
	else if (r->status[i] != r->d[i].status)
		log_warnx("render: %s decided %s again, stored %s", line.mpn,
		    name_of(&decision_status_names, r->d[i].status), status);
	return 0;
}

/* The line's decisions, final and per agent (the stored status stands). */
static void
api_render_agents(struct api_render *r, size_t i)
{
	json_t *item = json_array_get(r->items, i);
	json_t *fd = json_object_get(item, "final_decision");
	struct agents_line al;

	memset(&al, 0, sizeof(al));
	al.mpn = json_string_value(json_object_get(item, "mpn"));
	al.status = r->status[i];
	al.d = &r->d[i];
	/* stored with its own words: an LLM reviewed it */
	al.stored = json_object_get(fd, "reasoning") != NULL ? fd : NULL;
	al.budget = &r->budget;
	al.timestamp = r->ts;
	json_incref(fd);
	agents_decide(&al, item);
	json_decref(fd);
}

/* The line's approved alternates in the basis (the tenant's, as used). */
static void
api_render_alternates(struct api_render *r, size_t i)
{
	json_t *item = json_array_get(r->items, i), *alts = json_array();
	const char *mpn = json_string_value(json_object_get(item, "mpn"));
	size_t k;

	for (k = 0; mpn != NULL && k < r->b.nalternates; k++)
		if (r->b.alternates[k].mpn != NULL &&
		    r->b.alternates[k].alternate_mpn != NULL &&
		    strcasecmp(r->b.alternates[k].mpn, mpn) == 0)
			json_array_append_new(alts, json_string(
			    r->b.alternates[k].alternate_mpn));
	json_object_set_new(item, "approved_alternates", alts);
}

/* The strategies over the lines' options, as JSON (new reference). */
static json_t *
api_render_strategies(struct api_render *r)
{
	struct strategy_line *sl;
	struct strategies st;
	json_t *out;
	size_t i;

	sl = xcalloc(r->n + 1, sizeof(*sl));
	for (i = 0; i < r->n; i++) {
		sl[i].number = (int64_t)i + 1;
		sl[i].mpn = json_string_value(json_object_get(
		    json_array_get(r->items, i), "mpn"));
		sl[i].status = r->status[i];
		sl[i].options = r->d[i].options;
		sl[i].noptions = r->d[i].noptions;
	}
	if (strategies_solve(sl, r->n, r->b.trust, r->b.ntrust, &st) == -1)
		out = json_pack("{s:[], s:s}", "strategies", "note", "too "
		    "many suppliers to search");
	else
		out = strategies_json(&st, sl, r->n, r->b.trust, r->b.ntrust);
	strategies_free(&st);
	free(sl);
	return out;
}

static json_t *
api_render_report(struct api_render *r, json_t *strategies)
{
	struct report_project pr;
	struct report_line *rl;
	json_t *fd, *rep;
	size_t i;

	memset(&pr, 0, sizeof(pr));
	pr.name = r->v.name;
	pr.build_qty = r->v.quantity;
	pr.budget = r->budget;
	pr.strategies = strategies;
	rl = xcalloc(r->n + 1, sizeof(*rl));
	for (i = 0; i < r->n; i++) {
		fd = json_object_get(json_array_get(r->items, i),
		    "final_decision");
		rl[i].number = (int64_t)i + 1;
		rl[i].mpn = json_string_value(json_object_get(
		    json_array_get(r->items, i), "mpn"));
		rl[i].status = r->status[i];
		rl[i].reasoning = json_string_value(json_object_get(fd,
		    "reasoning"));
		rl[i].output_data = json_object_get(fd, "output_data");
	}
	rep = report_build(&pr, rl, r->n);
	free(rl);
	return rep;
}

/* The reasoning of line item number n (from 1), or NULL. */
static json_t *
api_render_item(json_t *items, json_int_t n)
{
	return n >= 1 ? json_array_get(items, (size_t)n - 1) : NULL;
}

static json_t *
api_render_step(json_t *marker, const char *step, const char *agent,
    const char *msg, const char *why, const char *mpn)
{
	json_t *s = json_object();

	if (step != NULL)
		json_object_set_new(s, "step", json_string(step));
	else
		json_object_set(s, "step", json_object_get(marker, "step"));
	if (agent != NULL)
		json_object_set_new(s, "agent", json_string(agent));
	else
		json_object_set(s, "agent", json_object_get(marker, "agent"));
	json_object_set_new(s, "message", json_string(msg));
	json_object_set_new(s, "reasoning", json_string(why ? why : ""));
	json_object_set_new(s, "references", json_pack("[s]", mpn ? mpn :
	    ""));
	json_object_set(s, "timestamp", json_object_get(marker, "timestamp"));
	return s;
}

/*
 * The decision step of every line, from the marker step that stands for
 * them (step, agent and time from it, the rest from each line), and a
 * step for each check that flagged, escalated or rejected, appended to
 * out.
 */
static void
api_render_decisions(json_t *out, json_t *marker, json_t *items)
{
	const char *mpn, *status, *why, *res;
	json_t *item, *fd, *c;
	char msg[512];
	size_t i, k;

	json_array_foreach(items, i, item) {
		fd = json_object_get(item, "final_decision");
		mpn = json_string_value(json_object_get(item, "mpn"));
		status = json_string_value(json_object_get(fd, "status"));
		why = json_string_value(json_object_get(fd, "reasoning"));
		snprintf(msg, sizeof(msg), "line %zu %s: %s", i + 1,
		    mpn ? mpn : "", status ? status : "undecided");
		json_array_append_new(out, api_render_step(marker, NULL, NULL,
		    msg, why, mpn));
		json_array_foreach(json_object_get(json_object_get(fd,
		    "output_data"), "checks"), k, c) {
			res = json_string_value(json_object_get(c, "result"));
			if (res == NULL || strcmp(res, "pass") == 0)
				continue;
			snprintf(msg, sizeof(msg), "line %zu %s: %s check: %s",
			    i + 1, mpn ? mpn : "", json_string_value(
			    json_object_get(c, "check")), res);
			json_array_append_new(out, api_render_step(marker,
			    NULL, json_string_value(json_object_get(c,
			    "agent")), msg, json_string_value(json_object_get(c,
			    "detail")), mpn));
		}
	}
}

void
api_render_trace_step(json_t *out, json_t *step, json_t *items)
{
	json_t *line, *s;
	const char *why;

	if (json_object_get(step, "lines") != NULL) {
		api_render_decisions(out, step, items);
		return;
	}
	s = json_copy(step);
	if ((line = json_object_get(s, "line")) != NULL) {
		why = json_string_value(json_object_get(json_object_get(
		    api_render_item(items, json_integer_value(line)),
		    "final_decision"), "reasoning"));
		if (why != NULL && json_string_length(json_object_get(s,
		    "reasoning")) == 0)
			json_object_set_new(s, "reasoning", json_string(why));
		json_object_del(s, "line");
	}
	json_array_append_new(out, s);
}

/*
 * Trace steps about a line take its reasoning; a decisions marker
 * becomes one step per line (and per check). The keys naming lines go.
 */
static void
api_render_trace(json_t *doc, json_t *items)
{
	json_t *trace = json_object_get(doc, "trace"), *out, *step;
	size_t i;

	if (!json_is_array(trace))
		return;
	out = json_array();
	json_array_foreach(trace, i, step)
		api_render_trace_step(out, step, items);
	json_object_set_new(doc, "trace", out);
}

/*
 * The time of the decisions: the last marker step's (a project processed
 * again keeps the steps of every run), else the project's.
 */
static const char *
api_render_time(json_t *doc)
{
	const char *ts = NULL;
	json_t *step;
	size_t i;

	json_array_foreach(json_object_get(doc, "trace"), i, step)
		if (json_object_get(step, "lines") != NULL &&
		    json_is_string(json_object_get(step, "timestamp")))
			ts = json_string_value(json_object_get(step,
			    "timestamp"));
	return ts != NULL ? ts : json_string_value(json_object_get(doc,
	    "updated_at"));
}

/* The approved total: the stored totals, else the lines decided. */
static int64_t
api_render_approved(const struct api_render *r)
{
	const json_t *t = json_object_get(json_object_get(r->doc, "totals"),
	    "extended_price_micros");
	int64_t sum = 0;
	size_t i;

	if (json_is_integer(t))
		return json_integer_value(t);
	for (i = 0; i < r->n; i++)
		if (r->status[i] == DECISION_APPROVED)
			sum += r->d[i].extended_micros;
	return sum;
}

int
api_render_project(json_t *doc, const char *basis, size_t len)
{
	struct api_render r;
	json_t *strategies;
	size_t i;
	int rc = -1;

	memset(&r, 0, sizeof(r));
	r.doc = doc;
	r.items = json_object_get(doc, "line_items");
	/*
	 * what cannot be rendered without a basis is null (the lines'
	 * agents' decisions come null from the query)
	 */
	json_object_set_new(doc, "report", json_null());
	if (basis == NULL) {
		api_render_trace(doc, r.items);
		return 0;
	}
	if (basis_parse(basis, len, &r.b) == -1)
		return -1;
	if (intake_view_get(json_object_get(doc, "context"), &r.v) == -1)
		goto out;
	basis_setup(&r.v, r.b.trust, r.b.ntrust, r.b.banned, r.b.nbanned,
	    r.b.alternates, r.b.nalternates, &r.b.costing, &r.rules, &r.p);
	r.rules.options = true;
	r.n = json_array_size(r.items);
	r.d = xcalloc(r.n + 1, sizeof(*r.d));
	r.status = xcalloc(r.n + 1, sizeof(*r.status));
	r.ts = api_render_time(doc);
	for (i = 0; i < r.n; i++)
		if (api_render_decide(&r, i) == -1)
			goto out;
	report_budget(api_render_approved(&r), r.v.budget_total_micros,
	    &r.budget);
	for (i = 0; i < r.n; i++) {
		api_render_agents(&r, i);
		api_render_alternates(&r, i);
	}
	strategies = api_render_strategies(&r);
	json_object_set_new(doc, "report", api_render_report(&r,
	    strategies));
	json_decref(strategies);
	api_render_trace(doc, r.items);
	rc = 0;
out:
	for (i = 0; i < r.n; i++)
		line_decision_free(&r.d[i]);
	free(r.d);
	free(r.status);
	intake_view_free(&r.v);
	basis_free(&r.b);
	return rc;
}
