/*
 * LLM stage: after the rules have decided every line, batches of lines go
 * to an OpenAI-compatible model for a structured review. The numbers stay
 * the costing engine's; the model may only escalate an approved line or add
 * notes, and any failure leaves the rule decisions with a trace saying why.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assess.h"
#include "config.h"
#include "bom.h"
#include "intake.h"
#include "llm_http.h"
#include "log.h"
#include "sourcing.h"
#include "stages.h"
#include "util.h"

#define STAGE_LLM_TEMPERATURE	0.2
/* Completion budget per request: room for every line's notes. */
#define STAGE_LLM_TOKENS_BASE	512
#define STAGE_LLM_TOKENS_LINE	400
#define STAGE_LLM_SCHEMA_NAME	"bom_line_assessment"

/* One client per worker process, made on first use (after fork). */
static struct llm_client *stage_llm_client;

struct stage_llm_sum {
	int64_t	calls, attempts, failed;
	int64_t	prompt, completion, cost;
	int64_t	assessed, escalated;
};

void
stage_llm_shutdown(void)
{
	llm_client_free(stage_llm_client);
	stage_llm_client = NULL;
}

static struct llm_client *
stage_llm_get(const struct config *cfg)
{
	struct llm_config lc;

	if (stage_llm_client == NULL) {
		config_llm(cfg, &lc);
		/* llm.max_concurrency is per job; a batch holds many jobs */
		lc.max_concurrency = (int)(cfg->llm_max_concurrency *
		    cfg->worker_inflight);
		stage_llm_client = llm_client_new(&lc);
	}
	return stage_llm_client;
}

/* One llm_calls row for the persist stage. */
static void
stage_llm_account(struct job *job, const struct config *cfg,
    const struct llm_result *res)
{
	if (job->llm_calls == NULL)
		job->llm_calls = json_array();
	json_array_append_new(job->llm_calls, json_pack("{s:s, s:s, s:I, s:I, "
	    "s:I, s:i, s:s, s:I}", "stage", "assess", "model", cfg->llm_model,
	    "prompt_tokens", (json_int_t)res->prompt_tokens,
	    "completion_tokens", (json_int_t)res->completion_tokens,
	    "latency_ms", (json_int_t)res->latency_ms, "attempts",
	    res->attempts, "outcome", llm_outcome_name(res->outcome),
	    "cost_micros", (json_int_t)res->cost_micros));
}

/* Trace steps for the approved lines this batch escalated. */
static void
stage_llm_trace_escalations(struct job *job, size_t first, size_t count)
{
	const struct line_decision *d;
	const char *effect;
	size_t i;

	for (i = first; i < first + count; i++) {
		d = &job->decisions[i];
		effect = json_string_value(json_object_get(json_object_get(
		    d->output_data, "llm"), "effect"));
		if (effect == NULL || strcmp(effect, "escalated") != 0)
			continue;
		job_trace(job, "decision", "llm", json_pack("[s]",
		    job->bom->lines[i].mpn), d->reasoning, "line %zu %s: "
		    "approved -> escalated by llm review", i + 1,
		    job->bom->lines[i].mpn);
	}
}

/* Records one request's outcome: trace, accounting, merge. */
static void
stage_llm_batch_done(struct job *job, const struct config *cfg,
    const struct llm_result *res, size_t first, size_t count,
    struct stage_llm_sum *sum)
{
	struct assess_stats st;
	char money[32];
	json_t *mpns;
	size_t i;

	stage_llm_account(job, cfg, res);
	sum->calls++;
	sum->attempts += res->attempts;
	sum->prompt += res->prompt_tokens;
	sum->completion += res->completion_tokens;
	if (i64_add(sum->cost, res->cost_micros, &sum->cost) == -1)
		sum->cost = INT64_MAX;
	money_format(res->cost_micros, money, sizeof(money));
	mpns = json_array();
	for (i = first; i < first + count; i++)
		json_array_append_new(mpns,
		    json_string(job->bom->lines[i].mpn));
	job_trace(job, "llm", "llm", mpns, res->error[0] != '\0' ?
	    res->error : NULL, "llm call for lines %zu-%zu: model %s, %s, "
	    "%d attempt%s, %d re-ask%s, %lld prompt + %lld completion "
	    "tokens, cost %s%s", first + 1, first + count,
	    cfg->llm_model, llm_outcome_name(res->outcome), res->attempts,
	    res->attempts == 1 ? "" : "s", res->reasks, res->reasks == 1 ?
	    "" : "s", (long long)res->prompt_tokens,
	    (long long)res->completion_tokens, money,
	    res->temperature_dropped ? "; model rejects temperature, sent "
	    "without it" : "");
	if (res->outcome != LLM_OK || res->data == NULL) {
		sum->failed++;
		job_trace(job, "llm", "llm", NULL, res->error, "llm "
		    "unavailable: %s after %d attempt%s; decisions from "
		    "rules%s",
		    llm_outcome_name(res->outcome), res->attempts,
		    res->attempts == 1 ? "" : "s", count < job->ndecisions ?
		    " for this batch" : "");
		log_job_warnx(job, "llm: lines %zu-%zu: %s after %d attempts, "
		    "rules decide", first + 1, first + count,
		    llm_outcome_name(res->outcome), res->attempts);
		return;
	}
	memset(&st, 0, sizeof(st));
	if (assess_merge(job->decisions, job->ndecisions, first, count,
	    res->data, &st) == -1) {
		sum->failed++;
		job_trace(job, "llm", "llm", NULL, NULL, "llm unavailable: "
		    "answer not usable; decisions from rules");
		return;
	}
	sum->assessed += (int64_t)st.applied;
	sum->escalated += (int64_t)st.escalated;
	if (st.applied < count || st.ignored > 0)
		job_trace(job, "llm", "llm", NULL, NULL, "llm answered %zu of "
		    "%zu lines (%zu answers ignored: outside the batch or "
		    "repeated); unanswered lines keep the rule decision",
		    st.applied, count, st.ignored);
	stage_llm_trace_escalations(job, first, count);
}

/* Recounts the totals after escalations and adds totals.llm. */
static void
stage_llm_totals(struct job *job, const struct config *cfg,
    const struct stage_llm_sum *sum)
{
	int64_t counts[3], total;
	char money[32];

	if (!json_is_object(job->totals))
		return;
	if (sum->escalated > 0 && assess_count(job->decisions,
	    job->ndecisions, counts, &total) == 0) {
		json_object_set_new(job->totals, "extended_price",
		    json_real(money_to_double(total)));
		json_object_set_new(job->totals, "extended_price_micros",
		    json_integer(total));
		json_object_set_new(job->totals, "approved",
		    json_integer(counts[DECISION_APPROVED]));
		json_object_set_new(job->totals, "rejected",
		    json_integer(counts[DECISION_REJECTED]));
		json_object_set_new(job->totals, "escalated",
		    json_integer(counts[DECISION_ESCALATED]));
		money_format(total, money, sizeof(money));
		job_trace(job, "final_decision", "llm", NULL, NULL,
		    "after llm review: %lld approved, %lld rejected, %lld "
		    "escalated; approved total %s %s",
		    (long long)counts[DECISION_APPROVED],
		    (long long)counts[DECISION_REJECTED],
		    (long long)counts[DECISION_ESCALATED], money,
		    SOURCING_CURRENCY);
	}
	json_object_set_new(job->totals, "llm", json_pack("{s:s, s:I, s:I, "
	    "s:I, s:I, s:f, s:I, s:I, s:I, s:I}", "model", cfg->llm_model,
	    "calls", (json_int_t)sum->calls, "attempts",
	    (json_int_t)sum->attempts, "prompt_tokens",
	    (json_int_t)sum->prompt, "completion_tokens",
	    (json_int_t)sum->completion, "cost", money_to_double(sum->cost),
	    "cost_micros", (json_int_t)sum->cost, "failed_calls",
	    (json_int_t)sum->failed, "lines_assessed",
	    (json_int_t)sum->assessed, "escalated",
	    (json_int_t)sum->escalated));
}

/* One request of a batch: its job and its lines. */
struct stage_llm_part {
	struct job	*job;
	size_t		 first, count;
	char		*prompt;
};

/*
 * The requests of one job (its lines in batches of llm.batch_size) added
 * to parts; false when the job cannot be asked (then its trace says why).
 */
static bool
stage_llm_prepare(struct job *job, struct stage_llm_part **parts, size_t *n,
    size_t *cap, size_t bs)
{
	struct intake_view v;
	size_t nl = job->ndecisions, first, count;

	if (nl == 0 || job->bom == NULL || nl != job->bom->nlines)
		return false;
	if (intake_view_get(job->context, &v) == -1) {
		job_trace(job, "llm", "llm", NULL, NULL, "llm unavailable: "
		    "project context not usable; decisions from rules");
		return false;
	}
	for (first = 0; first < nl; first += count) {
		count = nl - first < bs ? nl - first : bs;
		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : 64;
			*parts = xrealloc(*parts, *cap * sizeof(**parts));
		}
		(*parts)[*n].job = job;
		(*parts)[*n].first = first;
		(*parts)[*n].count = count;
		(*parts)[(*n)++].prompt = assess_prompt(&v, job->bom,
		    job->decisions, first, count);
	}
	intake_view_free(&v);
	return true;
}

enum stage_rc
stage_llm_run(struct job *const *jobs, size_t njobs, const struct config *cfg)
{
	struct stage_llm_sum *sums;
	struct stage_llm_part *parts = NULL;
	struct llm_client *client;
	struct llm_request *reqs;
	struct llm_result *res;
	size_t n = 0, cap = 0, i, k, bs = (size_t)cfg->llm_batch_size;
	int64_t tokens;

	if (strcmp(cfg->llm_provider, "openai") != 0) {
		for (k = 0; k < njobs; k++)
			job_trace(jobs[k], "llm", "llm", NULL, NULL, "llm: "
			    "provider none, decisions from rules");
		return STAGE_OK;
	}
	sums = xcalloc(njobs + 1, sizeof(*sums));
	if ((client = stage_llm_get(cfg)) == NULL) {
		for (k = 0; k < njobs; k++) {
			job_trace(jobs[k], "llm", "llm", NULL, NULL, "llm "
			    "unavailable: cannot start the http client; "
			    "decisions from rules");
			log_job_warnx(jobs[k], "llm: cannot start the http "
			    "client");
		}
		goto out;
	}
	for (k = 0; k < njobs; k++)
		stage_llm_prepare(jobs[k], &parts, &n, &cap, bs);
	tokens = STAGE_LLM_TOKENS_BASE + STAGE_LLM_TOKENS_LINE * (int64_t)bs;
	if (tokens > LLM_MAX_TOKENS_CAP / 2)
		tokens = LLM_MAX_TOKENS_CAP / 2;
	reqs = xcalloc(n + 1, sizeof(*reqs));
	res = xcalloc(n + 1, sizeof(*res));
	for (i = 0; i < n; i++) {
		reqs[i].system = assess_system_prompt();
		reqs[i].user = parts[i].prompt != NULL ? parts[i].prompt : "";
		reqs[i].schema = assess_schema();
		reqs[i].schema_name = STAGE_LLM_SCHEMA_NAME;
		reqs[i].max_tokens = (int)tokens;
		reqs[i].temperature = STAGE_LLM_TEMPERATURE;
	}
	/* every job's every request at once, on the one multi handle */
	if (n > 0)
		llm_run(client, reqs, res, n);
	for (i = 0; i < n; i++) {
		for (k = 0; k < njobs; k++)
			if (jobs[k] == parts[i].job)
				break;
		stage_llm_batch_done(parts[i].job, cfg, &res[i],
		    parts[i].first, parts[i].count, &sums[k]);
		llm_result_clear(&res[i]);
		free(parts[i].prompt);
	}
	free(reqs);
	free(res);
out:
	for (k = 0; k < njobs; k++)
		stage_llm_totals(jobs[k], cfg, &sums[k]);
	free(parts);
	free(sums);
	return STAGE_OK;
}
