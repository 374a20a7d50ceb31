/*
 * Decision stage: every line priced and decided by the sourcing engine under
 * the tenant's knowledge and the project's constraints, then the project's
 * totals and budget check.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "basis.h"
#include "config.h"
#include "costing.h"
#include "bom.h"
#include "intake.h"
#include "log.h"
#include "report.h"
#include "sourcing.h"
#include "stage_enrich.h"
#include "stages.h"
#include "util.h"

/* Line i's output_data into job->od_text[i] as stored; its tree goes. */
static int
stage_decide_od(struct job *job, size_t i)
{
	struct line_decision *d = &job->decisions[i];

	if (d->output_data == NULL)
		return 0;
	if ((job->od_text[i] = json_dumps(d->output_data,
	    PERSIST_JSON)) == NULL)
		return -1;
	json_decref(d->output_data);
	d->output_data = NULL;
	return 0;
}

enum stage_rc
stage_decide_run(struct job *job, const struct config *cfg,
    const struct offer_cache *view)
{
	struct offer_cache lv = *view;	/* cur: the line decided */
	struct intake_view v;
	struct sourcing_rules rules;
	struct basis_costing costing;
	struct cost_params p;
	struct line_decision *d;
	struct sourcing_line line;
	struct budget_check bc;
	int64_t total = 0, counts[3] = { 0, 0, 0 };
	char money[32];
	struct buf b;
	size_t i, len;

	if (intake_view_get(job->context, &v) == -1) {
		job_seterr(job, "intake: project context is not usable");
		return STAGE_FAIL;
	}
	costing.attrition_bp = cfg->attrition_bp;
	costing.setup_extra = cfg->setup_extra;
	/* the day decided: the deadline counts from it, also when read */
	costing.decided_on = (int64_t)(time(NULL) / 86400);
	basis_setup(&v, view->kn->suppliers, view->kn->nsuppliers,
	    view->kn->banned, view->kn->nbanned, view->kn->alternates,
	    view->kn->nalternates, &costing, &rules, &p);
	/*
	 * Without an LLM nobody reads the words now: decide the numbers
	 * only; the API decides again from the stored basis to render them.
	 * The LLM reads them, so with one the words are made here.
	 */
	rules.quiet = p.no_explain = !config_llm_on(cfg);
	job->decisions = xcalloc(job->bom->nlines, sizeof(*job->decisions));
	/*
	 * With words, each line's output_data is kept as the text stored
	 * (a tenth of its tree's memory, with 64 jobs in flight tens of
	 * MB): the LLM reads the reasoning, not output_data.
	 */
	if (!rules.quiet)
		job->od_text = xcalloc(job->bom->nlines + 1,
		    sizeof(*job->od_text));
	for (i = 0; i < job->bom->nlines; i++) {
		const struct bom_line *l = &job->bom->lines[i];

		d = &job->decisions[i];
		p.line_qty = l->quantity;
		line.mpn = l->mpn;
		line.designators = (const char *const *)l->designators;
		line.ndesignators = l->ndesignators;
		line.manufacturer = l->manufacturer;
		lv.cur = i;
		if (sourcing_decide(&line, &p, &rules, offer_cache_lookup,
		    &lv, d) == -1) {
			line_decision_free(d);
			intake_view_free(&v);
			job_seterr(job, "line %zu (%s): cannot be decided",
			    l->line_no, l->mpn);
			return STAGE_FAIL;
		}
		job->ndecisions = i + 1;
		if (job->od_text != NULL && stage_decide_od(job, i) == -1) {
			intake_view_free(&v);
			job_seterr(job, "line %zu (%s): output_data cannot be "
			    "encoded", l->line_no, l->mpn);
			return STAGE_FAIL;
		}
		counts[d->status]++;
		if (d->status == DECISION_APPROVED &&
		    i64_add(total, d->extended_micros, &total) == -1) {
			intake_view_free(&v);
			job_seterr(job, "project total too large");
			return STAGE_FAIL;
		}
	}
	/* one step for the lines' decisions: the API writes one per line */
	job_trace_lines(job, "decision", "sourcing", job->ndecisions);
	/* the API decides again from it: words, agents, strategies, report */
	buf_init(&b);
	stage_enrich_basis(job, view, &costing, &b);
	len = b.len;
	/* grown by doubling: up to half of it slack (with 64 jobs, a MB) */
	job->basis = xrealloc(buf_steal(&b), len + 1);
	money_format(total, money, sizeof(money));
	job->totals = json_pack("{s:f, s:I, s:s, s:I, s:I, s:I}",
	    "extended_price", money_to_double(total), "extended_price_micros",
	    (json_int_t)total, "currency", SOURCING_CURRENCY, "approved",
	    (json_int_t)counts[DECISION_APPROVED], "rejected",
	    (json_int_t)counts[DECISION_REJECTED], "escalated",
	    (json_int_t)counts[DECISION_ESCALATED]);
	report_budget(total, v.budget_total_micros, &bc);
	if (bc.status == BUDGET_OVER || bc.status == BUDGET_WARNING) {
		buf_init(&b);
		report_budget_words(&bc, &b);
		json_array_append_new(job->warnings, json_sprintf("budget %s: "
		    "%s", bc.status == BUDGET_OVER ? "exceeded" : "warning",
		    b.data));
		job_trace(job, "finance", "finance", NULL, NULL, "budget %s: "
		    "%s", name_of(&budget_status_names, bc.status), b.data);
		buf_free(&b);
	}
	job_trace(job, "final_decision", "final", NULL, NULL,
	    "%lld approved, %lld rejected, %lld escalated; approved total "
	    "%s %s for %lld boards", (long long)counts[DECISION_APPROVED],
	    (long long)counts[DECISION_REJECTED],
	    (long long)counts[DECISION_ESCALATED], money, SOURCING_CURRENCY,
	    (long long)v.quantity);
	intake_view_free(&v);
	/* packed while it waits on the LLM; kept as text when that fails */
	(void)job_od_pack(job);
	return STAGE_OK;
}
