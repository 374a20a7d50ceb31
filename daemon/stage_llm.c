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

enum stage_rc
stage_llm_run(struct job *job, const struct config *cfg)
{
	struct stage_llm_sum sum;
	struct intake_view v;
	struct llm_client *client;
	struct llm_request *reqs = NULL;
	struct llm_result *res = NULL;
	char **prompts = NULL;
	size_t n = job->ndecisions, bs, nb, wave, b0, nw, i, first, count;
	size_t failed;
	int64_t start, tokens;
	bool have_view = false;

	if (strcmp(cfg->llm_provider, "openai") != 0) {
		job_trace(job, "llm", "llm", NULL, NULL, "llm: provider none, "
		    "decisions from rules");
		return STAGE_OK;
	}
	memset(&sum, 0, sizeof(sum));
	if (n == 0 || job->bom == NULL || n != job->bom->nlines)
		goto out;
	if (intake_view_get(job->context, &v) == -1) {
		job_trace(job, "llm", "llm", NULL, NULL, "llm unavailable: "
		    "project context not usable; decisions from rules");
		goto out;
	}
	have_view = true;
	if ((client = stage_llm_get(cfg)) == NULL) {
		job_trace(job, "llm", "llm", NULL, NULL, "llm unavailable: "
		    "cannot start the http client; decisions from rules");
		log_job_warnx(job, "llm: cannot start the http client");
		goto out;
	}
	bs = (size_t)cfg->llm_batch_size;
	nb = (n + bs - 1) / bs;
	wave = (size_t)cfg->llm_max_concurrency;
	reqs = xcalloc(wave, sizeof(*reqs));
	res = xcalloc(wave, sizeof(*res));
	prompts = xcalloc(wave, sizeof(*prompts));
	tokens = STAGE_LLM_TOKENS_BASE + STAGE_LLM_TOKENS_LINE * (int64_t)bs;
	if (tokens > LLM_MAX_TOKENS_CAP / 2)
		tokens = LLM_MAX_TOKENS_CAP / 2;
	start = now_ms();
	/* waves of max_concurrency requests, so an outage stops early */
	for (b0 = 0; b0 < nb; b0 += nw) {
		if (b0 > 0 && now_ms() - start >= cfg->llm_job_deadline_ms) {
			job_trace(job, "llm", "llm", NULL, NULL, "llm "
			    "unavailable: job deadline of %lld ms passed, "
			    "lines %zu-%zu not sent; decisions from rules",
			    (long long)cfg->llm_job_deadline_ms, b0 * bs + 1,
			    n);
			break;
		}
		nw = nb - b0 < wave ? nb - b0 : wave;
		for (i = 0; i < nw; i++) {
			first = (b0 + i) * bs;
			count = n - first < bs ? n - first : bs;
			prompts[i] = assess_prompt(&v, job->bom,
			    job->decisions, first, count);
			memset(&reqs[i], 0, sizeof(reqs[i]));
			reqs[i].system = assess_system_prompt();
			reqs[i].user = prompts[i] != NULL ? prompts[i] : "";
			reqs[i].schema = assess_schema();
			reqs[i].schema_name = STAGE_LLM_SCHEMA_NAME;
			reqs[i].max_tokens = (int)tokens;
			reqs[i].temperature = STAGE_LLM_TEMPERATURE;
		}
		llm_run(client, reqs, res, nw);
		failed = 0;
		for (i = 0; i < nw; i++) {
			first = (b0 + i) * bs;
			count = n - first < bs ? n - first : bs;
			stage_llm_batch_done(job, cfg, &res[i], first, count,
			    &sum);
			if (res[i].outcome == LLM_HTTP_FAILED ||
			    res[i].outcome == LLM_TIMEOUT)
				failed++;
			llm_result_clear(&res[i]);
			free(prompts[i]);
			prompts[i] = NULL;
		}
		if (failed == nw && b0 + nw < nb) {
			job_trace(job, "llm", "llm", NULL, NULL, "llm "
			    "unavailable: every request of the last wave "
			    "failed, lines %zu-%zu not sent; decisions from "
			    "rules", (b0 + nw) * bs + 1, n);
			break;
		}
	}
out:
	if (have_view)
		intake_view_free(&v);
	free(reqs);
	free(res);
	free(prompts);
	stage_llm_totals(job, cfg, &sum);
	return STAGE_OK;
}
