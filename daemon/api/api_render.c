/*
 * Renders the words of decisions stored as numbers only: each such line is
 * decided again from the project's basis (common/basis.c) by the same
 * engine the worker ran, which gives the reasoning and output_data it
 * would have written; trace steps about a line take that line's reasoning,
 * and the one step that stands for the decisions of all lines becomes a
 * step per line.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "api_render.h"
#include "basis.h"
#include "intake.h"
#include "log.h"
#include "sourcing.h"

/* The words of one line item (API shape) decided again; 0 or -1. */
static int
api_render_line(json_t *item, const struct basis *b,
    const struct sourcing_rules *rules, struct cost_params *p)
{
	json_t *fd = json_object_get(item, "final_decision"), *out;
	const char *mpn = json_string_value(json_object_get(item, "mpn"));
	const char *status;
	struct line_decision d;

	if (!json_is_object(fd) || json_object_get(fd, "reasoning") != NULL)
		return 0;	/* no decision, or stored with its words */
	if (mpn == NULL || !json_is_integer(json_object_get(item, "quantity")))
		return -1;
	p->line_qty = json_integer_value(json_object_get(item, "quantity"));
	if (sourcing_decide(mpn, p, rules, basis_lookup, (void *)(uintptr_t)b,
	    &d) == -1) {
		line_decision_free(&d);
		return -1;
	}
	status = json_string_value(json_object_get(fd, "status"));
	if (status != NULL && strcmp(status, decision_status_name(d.status))
	    != 0)
		log_warnx("render: %s decided %s again, stored %s", mpn,
		    decision_status_name(d.status), status);
	/* the stored status stands; the words come in the stored order */
	out = json_object();
	json_object_set(out, "status", json_object_get(fd, "status"));
	json_object_set_new(out, "reasoning", json_string(d.reasoning));
	json_object_set_new(out, "agent_name", json_string("final_decision"));
	json_object_set(out, "output_data", d.output_data);
	json_object_set_new(item, "final_decision", out);
	line_decision_free(&d);
	return 0;
}

/* The reasoning of line item number n (from 1), or NULL. */
static json_t *
api_render_item(json_t *items, json_int_t n)
{
	return n >= 1 ? json_array_get(items, (size_t)n - 1) : NULL;
}

/*
 * The decision step of every line, from the marker step that stands for
 * them (step, agent and time from it, the rest from each line), appended
 * to out.
 */
static void
api_render_decisions(json_t *out, json_t *marker, json_t *items)
{
	const char *mpn, *status, *why;
	json_t *item, *fd, *step;
	char msg[512];
	size_t i;

	json_array_foreach(items, i, item) {
		fd = json_object_get(item, "final_decision");
		mpn = json_string_value(json_object_get(item, "mpn"));
		status = json_string_value(json_object_get(fd, "status"));
		why = json_string_value(json_object_get(fd, "reasoning"));
		snprintf(msg, sizeof(msg), "line %zu %s: %s", i + 1,
		    mpn ? mpn : "", status ? status : "undecided");
		step = json_object();
		json_object_set(step, "step", json_object_get(marker, "step"));
		json_object_set(step, "agent",
		    json_object_get(marker, "agent"));
		json_object_set_new(step, "message", json_string(msg));
		json_object_set_new(step, "reasoning", json_string(why ? why :
		    ""));
		json_object_set_new(step, "references", json_pack("[s]",
		    mpn ? mpn : ""));
		json_object_set(step, "timestamp",
		    json_object_get(marker, "timestamp"));
		json_array_append_new(out, step);
	}
}

/*
 * Trace steps about a line take its reasoning; a decisions marker
 * becomes one step per line. The keys naming lines go.
 */
static void
api_render_trace(json_t *doc, json_t *items)
{
	json_t *trace = json_object_get(doc, "trace"), *out, *step, *line;
	const char *why;
	size_t i;

	if (!json_is_array(trace))
		return;
	out = json_array();
	json_array_foreach(trace, i, step) {
		if (json_object_get(step, "lines") != NULL) {
			api_render_decisions(out, step, items);
			continue;
		}
		if ((line = json_object_get(step, "line")) != NULL) {
			why = json_string_value(json_object_get(
			    json_object_get(api_render_item(items,
			    json_integer_value(line)), "final_decision"),
			    "reasoning"));
			if (why != NULL && json_string_length(json_object_get(
			    step, "reasoning")) == 0)
				json_object_set_new(step, "reasoning",
				    json_string(why));
			json_object_del(step, "line");
		}
		json_array_append(out, step);
	}
	json_object_set_new(doc, "trace", out);
}

int
api_render_project(json_t *doc, const char *basis, size_t len)
{
	json_t *items = json_object_get(doc, "line_items"), *item;
	struct sourcing_rules rules;
	struct intake_view v;
	struct cost_params p;
	struct basis b;
	size_t i;
	int rc = -1;

	if (basis == NULL) {
		api_render_trace(doc, items);
		return 0;
	}
	if (basis_parse(basis, len, &b) == -1)
		return -1;
	if (intake_view_get(json_object_get(doc, "context"), &v) == -1)
		goto out;
	basis_setup(&v, b.trust, b.ntrust, b.banned, b.nbanned, b.alternates,
	    b.nalternates, &b.costing, &rules, &p);
	json_array_foreach(items, i, item)
		if (api_render_line(item, &b, &rules, &p) == -1)
			goto out;
	api_render_trace(doc, items);
	rc = 0;
out:
	intake_view_free(&v);
	basis_free(&b);
	return rc;
}
