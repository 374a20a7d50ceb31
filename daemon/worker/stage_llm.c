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
#include "budget.h"
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

/*
 * The decided lines keep output_data as text (job->od_text), not trees:
 * the merge gets an empty object for each line of [first, first + count)
 * that has a text, and stage_llm_texts() puts what it added into the text.
 */
static void
stage_llm_trees(struct job *job, size_t first, size_t count)
{
	size_t i;

	if (job->od_text == NULL)
		return;
	for (i = first; i < first + count; i++)
		if (job->od_text[i] != NULL &&
		    job->decisions[i].output_data == NULL)
			job->decisions[i].output_data = json_object();
}

/*
 * Text t with what an escalation changed: "llm" added, and "llm_escalated"
 * appended to flags (as assess_merge() does to a whole tree). Caller frees
 * it; NULL on failure.
 */
static char *
stage_llm_escalated(const char *t, json_t *llm)
{
	json_t *od, *flags;
	char *out;

	if ((od = json_loads(t, 0, NULL)) == NULL)
		return NULL;
	flags = json_object_get(od, "flags");
	if (json_is_array(flags))
		json_array_append_new(flags, json_string("llm_escalated"));
	json_object_set(od, "llm", llm);
	out = json_dumps(od, PERSIST_JSON);
	json_decref(od);
	return out;
}

/*
 * Text t (a compact object) with the members of the compact object a
 * appended: what encoding the tree with a's keys added last gives.
 */
static char *
stage_llm_splice(const char *t, const char *a)
{
	size_t tn = strlen(t), an = strlen(a);
	struct buf b;

	if (tn < 2 || t[tn - 1] != '}' || an < 2 || a[0] != '{')
		return NULL;
	buf_init(&b);
	buf_append(&b, t, tn - 1);
	if (tn > 2)
		buf_append(&b, ",", 1);
	buf_append(&b, a + 1, an - 1);
	return buf_steal(&b);
}

/*
 * Back to text after the merge. A line the answer did not reach keeps its
 * text untouched; one it reached gets "llm" spliced onto its text, or,
 * escalated, its text decoded, changed and encoded anew; a line that had
 * no text is encoded whole. -1 when one cannot be encoded (its tree is
 * kept whole only where it had no text; the commit encodes it).
 */
static int
stage_llm_texts(struct job *job, size_t first, size_t count)
{
	struct line_decision *d;
	const char *effect;
	json_t *llm;
	char *t, *a;
	size_t i;
	int rc = 0;

	if (job->od_text == NULL)
		return 0;
	for (i = first; i < first + count; i++) {
		d = &job->decisions[i];
		if (d->output_data == NULL)
			continue;
		llm = json_object_get(d->output_data, "llm");
		if (job->od_text[i] == NULL)
			t = json_dumps(d->output_data, PERSIST_JSON);
		else if (llm == NULL)
			t = NULL;
		else {
			effect = json_string_value(json_object_get(llm,
			    "effect"));
			if (effect != NULL && strcmp(effect, "escalated") == 0)
				t = stage_llm_escalated(job->od_text[i], llm);
			else if ((a = json_dumps(d->output_data,
			    PERSIST_JSON)) != NULL) {
				t = stage_llm_splice(job->od_text[i], a);
				free(a);
			} else
				t = NULL;
		}
		if (t != NULL) {
			free(job->od_text[i]);
			job->od_text[i] = t;
		} else if (job->od_text[i] == NULL || llm != NULL) {
			rc = -1;
			if (job->od_text[i] == NULL)
				continue;	/* the tree stays */
		}
		json_decref(d->output_data);
		d->output_data = NULL;
	}
	return rc;
}

/* Records one request's outcome: trace, accounting, merge. */
static void
stage_llm_batch_done(struct job *job, const struct config *cfg,
    const struct llm_result *res, size_t first, size_t count,
    size_t ignored, struct stage_llm_sum *sum)
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
	st.ignored = ignored;	/* left out as the answer came */
	stage_llm_trees(job, first, count);
	if (assess_merge(job->decisions, job->ndecisions, first, count,
	    res->data, &st) == -1) {
		stage_llm_texts(job, first, count);
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
	if (stage_llm_texts(job, first, count) == -1) {
		sum->failed++;
		job_trace(job, "llm", "llm", NULL, NULL, "llm: an assessed "
		    "line cannot be encoded");
	}
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

/* One request: its job and its lines. */
struct stage_llm_part {
	struct job			*job;
	const struct intake_view	*v;
	size_t				 first, count;
	/* once it is over: the usable items of the answer, as text */
	char				*answer;
	size_t				 ignored;	/* the items left out
							   of it */
};

/* The user prompt of part's lines. */
static char *
stage_llm_part_prompt(const struct stage_llm_part *part)
{
	return assess_prompt(part->v, part->job->bom, part->job->decisions,
	    part->first, part->count);
}

/*
 * The user prompt of a request (llm_request.user_make), made at each
 * attempt: a wave of hundreds of requests holds their bodies only, and
 * the lines' decisions do not change while it is in flight.
 */
static char *
stage_llm_prompt(const struct llm_request *req)
{
	return stage_llm_part_prompt(req->tag);
}

/*
 * A request is over (llm_request.done): of its answer only the items the
 * merge can use are kept, as text, until every request of the wave is over
 * (320 answers as trees were some 17 MB).
 */
static void
stage_llm_digest(const struct llm_request *req, struct llm_result *res)
{
	struct stage_llm_part *part = req->tag;
	json_t *lines, *keep, *item, *doc;
	size_t i;

	lines = json_object_get(res->data, "lines");
	if (res->outcome != LLM_OK || !json_is_array(lines))
		return;
	keep = json_array();
	json_array_foreach(lines, i, item) {
		if (assess_item_usable(item, part->first, part->count))
			json_array_append(keep, item);
		else
			part->ignored++;
	}
	/* default precision: a confidence comes back the same double */
	doc = json_pack("{s:o}", "lines", keep);
	if (doc != NULL && (part->answer = json_dumps(doc,
	    JSON_COMPACT)) != NULL) {
		json_decref(res->data);
		res->data = NULL;
	} else
		part->ignored = 0;
	json_decref(doc);
}

/* The answer stage_llm_digest() kept, back in res->data. */
static void
stage_llm_undigest(struct stage_llm_part *part, struct llm_result *res)
{
	if (part->answer == NULL)
		return;
	res->data = json_loads(part->answer, 0, NULL);
	free(part->answer);
	part->answer = NULL;
}

/* Where one job of the batch stands. */
struct stage_llm_state {
	struct job		*job;
	struct intake_view	 v;
	bool			 have_view;
	bool			 going;		/* more waves to send */
	size_t			 next;		/* its first line not sent */
	struct stage_llm_sum	 sum;
};

/* Readies a job for review; false when it cannot be asked (traced). */
static bool
stage_llm_start(struct stage_llm_state *st, struct job *job)
{
	st->job = job;
	if (job->ndecisions == 0 || job->bom == NULL ||
	    job->ndecisions != job->bom->nlines)
		return false;
	if (intake_view_get(job->context, &st->v) == -1) {
		job_trace(job, "llm", "llm", NULL, NULL, "llm unavailable: "
		    "project context not usable; decisions from rules");
		return false;
	}
	st->have_view = st->going = true;
	return true;
}

/*
 * The job's next wave (at most llm.max_concurrency requests of
 * llm.batch_size lines) added to parts; none when it is past its LLM
 * deadline (traced).
 */
static void
stage_llm_wave(struct stage_llm_state *st, const struct config *cfg,
    int64_t start, struct stage_llm_part *parts, size_t *n)
{
	struct job *job = st->job;
	size_t bs = (size_t)cfg->llm_batch_size, nl = job->ndecisions, k;

	if (st->next > 0 && now_ms() - start >= cfg->llm_job_deadline_ms) {
		job_trace(job, "llm", "llm", NULL, NULL, "llm unavailable: "
		    "job deadline of %lld ms passed, lines %zu-%zu not sent; "
		    "decisions from rules", (long long)cfg->llm_job_deadline_ms,
		    st->next + 1, nl);
		st->going = false;
		return;
	}
	for (k = 0; k < (size_t)cfg->llm_max_concurrency && st->next < nl;
	    k++) {
		parts[*n].job = job;
		parts[*n].v = &st->v;
		parts[*n].first = st->next;
		parts[*n].count = nl - st->next < bs ? nl - st->next : bs;
		parts[*n].answer = NULL;
		parts[*n].ignored = 0;
		st->next += parts[(*n)++].count;
	}
}

/*
 * Sends no more of a wave than the shared budget allows now: the parts
 * past what it grants go back to their jobs for the next wave; with
 * nothing granted before the jobs' LLM deadline they stop there (traced).
 * Returns how many parts to send.
 */
static size_t
stage_llm_budget(redisContext *r, const struct config *cfg,
    struct stage_llm_state *sts, size_t njobs, struct stage_llm_part *parts,
    size_t n, int64_t max_tokens, int64_t start)
{
	int64_t per = 0, est, granted;
	size_t i, k;
	char *p;

	/* prompts are made as they are sent: made here only to be
	 * counted, and only when tokens are budgeted */
	for (i = 0; cfg->llm_tokens_per_min > 0 && i < n; i++) {
		p = stage_llm_part_prompt(&parts[i]);
		est = (int64_t)(p != NULL ? strlen(p) : 0) / 4 + max_tokens;
		free(p);
		if (est > per)
			per = est;
	}
	granted = budget_take(r, cfg, (int64_t)n, per,
	    start + cfg->llm_job_deadline_ms);
	for (i = (size_t)granted; i < n; i++) {
		for (k = 0; k < njobs; k++)
			if (sts[k].job == parts[i].job)
				break;
		if (parts[i].first < sts[k].next)
			sts[k].next = parts[i].first;
		if (granted == 0 && sts[k].going) {
			job_trace(sts[k].job, "llm", "llm", NULL, NULL, "llm "
			    "unavailable: the shared budget (llm.requests_"
			    "per_min, llm.tokens_per_min) had no room before "
			    "the job deadline, lines %zu-%zu not sent; "
			    "decisions from rules", sts[k].next + 1,
			    sts[k].job->ndecisions);
			sts[k].going = false;
		}
	}
	return (size_t)granted;
}

enum stage_rc
stage_llm_run(struct job *const *jobs, size_t njobs, const struct config *cfg,
    redisContext *r)
{
	struct stage_llm_state *sts;
	struct stage_llm_part *parts;
	struct llm_client *client;
	struct llm_request *reqs;
	struct llm_result *res;
	size_t n, i, k, failed, sent;
	int64_t tokens, start = now_ms();
	bool going = false;

	if (!config_llm_on(cfg)) {
		for (k = 0; k < njobs; k++)
			job_trace(jobs[k], "llm", "llm", NULL, NULL, "llm: "
			    "provider none, decisions from rules");
		return STAGE_OK;
	}
	sts = xcalloc(njobs + 1, sizeof(*sts));
	if ((client = stage_llm_get(cfg)) == NULL) {
		for (k = 0; k < njobs; k++) {
			sts[k].job = jobs[k];
			job_trace(jobs[k], "llm", "llm", NULL, NULL, "llm "
			    "unavailable: cannot start the http client; "
			    "decisions from rules");
			log_job_warnx(jobs[k], "llm: cannot start the http "
			    "client");
		}
		goto out;
	}
	for (k = 0; k < njobs; k++)
		if (stage_llm_start(&sts[k], jobs[k]))
			going = true;
	tokens = STAGE_LLM_TOKENS_BASE + STAGE_LLM_TOKENS_LINE *
	    cfg->llm_batch_size;
	if (tokens > LLM_MAX_TOKENS_CAP / 2)
		tokens = LLM_MAX_TOKENS_CAP / 2;
	n = njobs * (size_t)cfg->llm_max_concurrency + 1;
	parts = xcalloc(n, sizeof(*parts));
	reqs = xcalloc(n, sizeof(*reqs));
	res = xcalloc(n, sizeof(*res));
	/*
	 * Waves: each job's next llm.max_concurrency requests, every job's
	 * wave at once on the one multi handle; a job whose whole wave
	 * failed stops there (an outage costs one wave, not every batch).
	 */
	while (going) {
		n = 0;
		for (k = 0; k < njobs; k++)
			if (sts[k].going)
				stage_llm_wave(&sts[k], cfg, start, parts, &n);
		for (i = 0; i < n; i++) {
			memset(&reqs[i], 0, sizeof(reqs[i]));
			reqs[i].system = assess_system_prompt();
			reqs[i].user_make = stage_llm_prompt;
			reqs[i].schema = assess_schema();
			reqs[i].schema_name = STAGE_LLM_SCHEMA_NAME;
			reqs[i].max_tokens = (int)tokens;
			reqs[i].temperature = STAGE_LLM_TEMPERATURE;
			reqs[i].tag = &parts[i];
			reqs[i].done = stage_llm_digest;
		}
		n = stage_llm_budget(r, cfg, sts, njobs, parts, n, tokens,
		    start);
		if (n > 0)
			llm_run(client, reqs, res, n);
		going = false;
		for (k = 0; k < njobs; k++) {
			if (!sts[k].going)
				continue;
			/* the lines' texts back for the merge (batch.c fails
			 * a job whose texts cannot be read back) */
			if (job_od_unpack(sts[k].job) == -1) {
				sts[k].going = false;
				continue;
			}
			failed = sent = 0;
			for (i = 0; i < n; i++) {
				if (parts[i].job != sts[k].job)
					continue;
				sent++;
				stage_llm_undigest(&parts[i], &res[i]);
				stage_llm_batch_done(parts[i].job, cfg, &res[i],
				    parts[i].first, parts[i].count,
				    parts[i].ignored, &sts[k].sum);
				json_decref(res[i].data);
				res[i].data = NULL;
				if (res[i].outcome == LLM_HTTP_FAILED ||
				    res[i].outcome == LLM_TIMEOUT)
					failed++;
			}
			if (sts[k].next >= sts[k].job->ndecisions)
				sts[k].going = false;
			else if (sent > 0 && failed == sent) {
				job_trace(sts[k].job, "llm", "llm", NULL, NULL,
				    "llm unavailable: every request of the "
				    "last wave failed, lines %zu-%zu not "
				    "sent; decisions from rules",
				    sts[k].next + 1, sts[k].job->ndecisions);
				sts[k].going = false;
			}
			if (sts[k].going) {
				going = true;
				(void)job_od_pack(sts[k].job);
			}
		}
		for (i = 0; i < n; i++) {
			llm_result_clear(&res[i]);
			free(parts[i].answer);
			parts[i].answer = NULL;
		}
	}
	free(parts);
	free(reqs);
	free(res);
out:
	for (k = 0; k < njobs; k++) {
		if (sts[k].have_view)
			intake_view_free(&sts[k].v);
		stage_llm_totals(jobs[k], cfg, &sts[k].sum);
	}
	free(sts);
	return STAGE_OK;
}
