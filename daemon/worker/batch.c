/*
 * A batch of jobs through the flow: parse, check tenants and caches once,
 * intake, live progress to Redis, enrich with one offers read, decide (and
 * the LLM review), one commit for all, then one acknowledgement. Each job
 * ends on its own: complete, failed, dead, retried later or rejected.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batch.h"
#include "cache.h"
#include "checkpoint.h"
#include "config.h"
#include "bom.h"
#include "db.h"
#include "job_status.h"
#include "log.h"
#include "progress.h"
#include "provider_store.h"
#include "stage_enrich.h"
#include "stages.h"
#include "util.h"

/* Redis keeps a job's live progress at most this long past its deadline. */
#define BATCH_LIVE_SLACK_S	600

struct batch {
	struct worker	 *w;
	struct job	**jobs;
	size_t		  n;
};

static bool
batch_running(const struct job *job)
{
	return job->outcome == JOB_RUNNING;
}

/* The running jobs, in a scratch array; their count. */
static size_t
batch_select(const struct batch *b, struct job **out)
{
	size_t i, k = 0;

	for (i = 0; i < b->n; i++)
		if (batch_running(b->jobs[i]))
			out[k++] = b->jobs[i];
	return k;
}

/* Ends a job with rc from a stage (STAGE_OK keeps it running). */
static void
batch_stage_end(struct job *job, enum stage_rc rc)
{
	if (rc == STAGE_FAIL)
		job->outcome = JOB_FAILED;
	else if (rc == STAGE_RETRY) {
		if (job->error[0] == '\0')
			job_seterr(job, "transient error");
		job->outcome = JOB_RETRY;
	}
}

/*
 * Parses every entry; a job seen twice in the batch waits for the first.
 * An entry read again more than job_max_attempts times (its batch failed
 * each time, with no retry counted) ends dead.
 */
static void
batch_parse(struct batch *b, struct queue_entry *e)
{
	int64_t max = b->w->cfg->job_max_attempts;
	struct job *job;
	size_t i, k;

	for (i = 0; i < b->n; i++) {
		job = b->jobs[i] = job_new(e[i].id);
		job->entry = &e[i];
		job->started_ms = wall_ms();
		/* every put-back (a retry, a crash, a hand-back) was a try */
		job->attempts = (int)(e[i].retries + 1);
		if (job_parse(job, e[i].job, e[i].job_len) == -1) {
			job->outcome = JOB_REJECTED;
			continue;
		}
		if (e[i].deliveries > max) {
			job_seterr(job, "gave up: read %lld times, its batch "
			    "failed each time (see the worker log)",
			    (long long)e[i].deliveries);
			job->outcome = JOB_DEAD;
			continue;
		}
		for (k = 0; k < i; k++)
			if (batch_running(b->jobs[k]) &&
			    strcmp(b->jobs[k]->job_id, job->job_id) == 0 &&
			    strcmp(b->jobs[k]->client_id, job->client_id) == 0) {
				/* the same job twice: ack this one with it */
				job->outcome = JOB_HANDLED;
				job->dup = true;
				break;
			}
	}
}

/*
 * Names the batch's tenants for row-level security and checks them and
 * the caches; unknown or inactive clients are rejected, poison jobs end
 * dead. 0, or -1 on a database error.
 */
static int
batch_tenants(struct batch *b)
{
	const struct tenant_knowledge *kn;
	const struct config *cfg = b->w->cfg;
	const char **ids, *params[1];
	struct buf list;
	struct job *job;
	size_t i, k, nids = 0;
	int rc = -1;

	ids = xcalloc(b->n + 1, sizeof(*ids));
	buf_init(&list);
	/* the dead too: their jobs rows say so */
	for (i = 0; i < b->n; i++) {
		job = b->jobs[i];
		if (!batch_running(job) && job->outcome != JOB_DEAD)
			continue;
		for (k = 0; k < nids; k++)
			if (strcmp(ids[k], job->client_id) == 0)
				break;
		if (k < nids)
			continue;
		if (nids > 0)
			buf_puts(&list, ",");
		buf_puts(&list, job->client_id);
		ids[nids++] = job->client_id;
	}
	if (nids == 0) {
		rc = 0;
		goto out;
	}
	params[0] = list.data;
	if (db_exec(b->w->db, "SELECT set_config('bomd.client_id', $1, "
	    "false)", 1, params) == -1)
		goto out;
	for (i = 0; i < b->n && !batch_running(b->jobs[i]); i++)
		;
	/* only the dead: nothing to check, no cache to trust */
	if (i == b->n) {
		rc = 0;
		goto out;
	}
	if (cache_refresh(b->w->cache, b->w->db, ids, nids) == -1)
		goto out;
	for (i = 0; i < b->n; i++) {
		job = b->jobs[i];
		if (!batch_running(job))
			continue;
		kn = cache_tenant(b->w->cache, job->client_id);
		if (kn == NULL || !kn->active) {
			job_seterr(job, "unknown or inactive client %s",
			    job->client_id);
			job->outcome = JOB_REJECTED;
			continue;
		}
		/* a poison job: it crashed a worker on every try */
		if (job->attempts > cfg->job_max_attempts ||
		    job->entry->crashes >= cfg->job_max_attempts) {
			job_seterr(job, "gave up after %d attempts (%lld "
			    "crashed a worker): %s", job->attempts - 1,
			    (long long)job->entry->crashes,
			    job->entry->last_error ? job->entry->last_error :
			    "no error recorded");
			job->outcome = JOB_DEAD;
		}
	}
	rc = 0;
out:
	buf_free(&list);
	free(ids);
	return rc;
}

/*
 * Test hook for tests/it/checkpoint.sh only: BOMD_TEST_CRASH_AFTER_CHECKPOINT
 * =MPN aborts the first attempt of a BOM with that MPN right after its
 * checkpoint is saved.
 */
static void
batch_checkpoint_hook(const struct job *job)
{
	const char *mpn = getenv("BOMD_TEST_CRASH_AFTER_CHECKPOINT");
	size_t i;

	if (mpn == NULL || *mpn == '\0' || job->attempts != 1)
		return;
	for (i = 0; i < job->bom->nlines; i++)
		if (strcmp(job->bom->lines[i].mpn, mpn) == 0)
			abort();
}

/* STAGE_OK while the job is within job_timeout_ms; else STAGE_RETRY. */
static enum stage_rc
batch_deadline(const struct worker *w, struct job *job)
{
	if (wall_ms() - job->started_ms <= w->cfg->job_timeout_ms)
		return STAGE_OK;
	job_seterr(job, "job timed out: over job_timeout_ms (%lld ms)",
	    (long long)w->cfg->job_timeout_ms);
	return STAGE_RETRY;
}

/*
 * Intake, then a retry's checkpoint: a job resumed from its checkpoint
 * skips enrichment, decisions and the LLM (its outcome is set). -1 on a
 * database error of the checkpoint read (the job is retried).
 */
static void
batch_intake(struct batch *b, struct job *job)
{
	char stage[32];
	int r;

	batch_stage_end(job, stage_intake_run(job, b->w->db));
	if (!batch_running(job) || job->attempts <= 1)
		return;
	if ((r = checkpoint_load(b->w->db, job, stage, sizeof(stage))) == -1) {
		job_seterr(job, "cannot read the job's checkpoint");
		job->outcome = JOB_RETRY;
		return;
	}
	if (r == 0)
		return;
	job->checkpointed = true;
	job_trace(job, "checkpoint", "worker", NULL, NULL, "resumed from "
	    "checkpoint '%s' (attempt %d): enrichment, decisions and LLM "
	    "assessment not redone", stage, job->attempts);
	job->outcome = JOB_COMPLETE;
}

/*
 * The live distributors, for the MPNs without fresh offers (one fetch for
 * the batch, concurrent, within the shared budgets); what they answer is
 * stored in the catalog, whose cache then reloads. A distributor failing
 * never fails a job: its lines use what the catalog has, and each job's
 * trace says per MPN what every source did. -1 on a database error.
 */
static int
batch_live_offers(struct batch *b, struct job **run, size_t nrun,
    const char **mpns, size_t n)
{
	struct provider_batch pb;
	struct buf why;
	size_t i, k, row;
	int rc;

	rc = provider_refresh(b->w->providers, b->w->db, b->w->redis, mpns, n,
	    &pb);
	buf_init(&why);
	for (i = 0; i < nrun && rc == 0; i++)
		for (k = 0; k < run[i]->bom->nlines; k++) {
			if (provider_batch_find(&pb, run[i]->bom->lines[k].mpn,
			    &row) == -1)
				continue;
			why.len = 0;
			provider_batch_describe(&pb, row, &why);
			if (why.len > 0)
				job_trace(run[i], "enrich", "distributors",
				    json_pack("[s]", run[i]->bom->lines[k].mpn),
				    NULL, "live offers for %s: %s",
				    run[i]->bom->lines[k].mpn, why.data);
		}
	buf_free(&why);
	provider_batch_free(&pb);
	if (rc == -1)
		return -1;
	return cache_check_catalog(b->w->cache, b->w->db);
}

/* Enrich and decide every running job; one offers read for all. */
static int
batch_decide(struct batch *b, struct job **run, size_t nrun)
{
	const struct tenant_knowledge *kn;
	struct offer_cache view;
	const char **mpns = NULL;
	size_t i, n = 0, cap = 0;

	for (i = 0; i < nrun; i++)
		stage_enrich_mpns(run[i], cache_tenant(b->w->cache,
		    run[i]->client_id), &mpns, &n, &cap);
	if (b->w->providers != NULL && batch_live_offers(b, run, nrun, mpns,
	    n) == -1) {
		free(mpns);
		return -1;
	}
	if (cache_load_offers(b->w->cache, b->w->db, mpns, n) == -1) {
		free(mpns);
		return -1;
	}
	free(mpns);
	for (i = 0; i < nrun; i++) {
		kn = cache_tenant(b->w->cache, run[i]->client_id);
		batch_stage_end(run[i], stage_enrich_run(run[i],
		    b->w->cache, kn, &view));
		if (batch_running(run[i]))
			batch_stage_end(run[i], stage_decide_run(run[i],
			    b->w->cfg, &view));
	}
	return 0;
}

/* The LLM review of every running job, each checkpointed after it. */
static void
batch_llm(struct batch *b, struct job **run, size_t nrun)
{
	bool llm = nrun > 0 && config_llm_on(b->w->cfg);
	size_t i;

	/*
	 * The review waits on the model for a second or more: what the last
	 * commit kept for this one goes meanwhile, and the heap's free pages
	 * back to the system, so hundreds of requests in flight grow less.
	 */
	if (llm) {
		stage_persist_release();
		malloc_trim(0);
	}
	stage_llm_run(run, nrun, b->w->cfg, b->w->redis);
	/* the requests' bodies and handles left holes the commit's few
	 * large buffers do not fit in: their pages go back too */
	if (llm)
		malloc_trim(0);
	for (i = 0; i < nrun; i++) {
		struct job *job = run[i];

		/*
		 * The lines' texts: the last wave's are out already; those
		 * still packed stay so until the commit (which reads them a
		 * job at a time), with a copy for the checkpoint.
		 */
		if (job_od_peek(job) == -1) {
			job_seterr(job, "decided lines cannot be read back");
			batch_stage_end(job, STAGE_RETRY);
			continue;
		}
		if (!batch_running(job) || job->llm_calls == NULL ||
		    json_array_size(job->llm_calls) == 0) {
			job_od_unpeek(job);
			continue;
		}
		/* the LLM's work is paid for: keep it for a retry */
		if (checkpoint_save(b->w->db, job, CHECKPOINT_ASSESSED) == 0) {
			job->checkpointed = true;
			batch_checkpoint_hook(job);
		} else
			log_job_warnx(job, "checkpoint not saved; going on");
		job_od_unpeek(job);
	}
}

void
batch_move_init(struct queue_move *mv, const struct queue_entry *e,
    enum queue_dest dest)
{
	*mv = (struct queue_move){ .dest = dest, .job = e->job,
	    .job_len = e->job_len, .crashes = e->crashes,
	    .retries = e->retries, .error = e->last_error };
}

/* Records a job that names no usable client: not tenant data. */
static int
batch_reject(struct worker *w, struct job *job)
{
	const struct queue_entry *e = job->entry;
	const char *params[4];

	params[0] = e->id;
	params[1] = job->client_id[0] ? job->client_id : NULL;
	params[2] = job->job_id[0] ? job->job_id : NULL;
	params[3] = job->error;
	if (db_exec(w->db, "INSERT INTO rejected_jobs (stream_id, client_ref, "
	    "job_ref, reason) VALUES ($1, $2, $3, $4) "
	    "ON CONFLICT DO NOTHING", 4, params) == -1)
		return -1;
	log_warnx("entry %s rejected: %s", e->id, job->error);
	if (queue_dead(w->redis, e->id, e->job, e->job_len, job->error) == -1)
		return -1;
	return 0;
}

/*
 * A transient failure: the entry goes to the retry set with backoff,
 * acknowledged in the same step, or to the dead letters when it is out of
 * attempts (then its jobs row says dead). 0, or -1 on a connection error.
 */
static int
batch_retry_later(struct worker *w, struct job *job)
{
	const struct queue_entry *e = job->entry;
	const char *params[5];
	struct queue_move mv;
	char att[16];

	/* the retry's state and error, visible through GET /jobs/{id} */
	snprintf(att, sizeof(att), "%d", job->attempts);
	params[0] = job->job_id;
	params[1] = job->client_id;
	params[2] = job->project_id[0] ? job->project_id : NULL;
	params[3] = att;
	params[4] = job->error;
	if (db_exec(w->db, "INSERT INTO jobs AS j (job_id, client_id, "
	    "project_id, status, attempts, error, stream_id) VALUES ($1, $2, "
	    "$3, 'queued', $4, $5, NULL) ON CONFLICT (client_id, job_id) DO "
	    "UPDATE SET status = 'queued', error = EXCLUDED.error, "
	    "attempts = GREATEST(j.attempts, EXCLUDED.attempts), "
	    "project_id = COALESCE(j.project_id, EXCLUDED.project_id), "
	    "updated_at = now() WHERE j.status NOT IN " JOB_FINAL_SQL, 5,
	    params) == -1)
		log_job_warnx(job, "cannot record the retry's error");
	batch_move_init(&mv, e, QUEUE_TO_RETRY);
	mv.delay_ms = queue_backoff_ms(w->cfg->job_retry_base_ms,
	    job->attempts);
	mv.retries++;
	mv.error = job->error;
	if (queue_move(w->redis, e->id, w->consumer, &mv) == -1)
		return -1;
	log_job_warnx(job, "retry in %lld ms (attempt %d of %lld): %s",
	    (long long)mv.delay_ms, job->attempts,
	    (long long)w->cfg->job_max_attempts, job->error);
	return 0;
}

static int
batch_dead(struct worker *w, struct job *job)
{
	const struct queue_entry *e = job->entry;
	struct queue_move mv;

	log_job_warnx(job, "dead: %s", job->error);
	batch_move_init(&mv, e, QUEUE_TO_DEAD);
	mv.error = job->error;
	mv.client_id = job->client_id;
	mv.job_id = job->job_id;
	return queue_move(w->redis, e->id, w->consumer, &mv) == -1 ? -1 : 0;
}

/*
 * Transient failures out of attempts become dead (committed with the
 * rest); the others wait for the retry set after the commit.
 */
static void
batch_give_up(struct batch *b)
{
	char why[sizeof(b->jobs[0]->error)];
	struct job *job;
	size_t i;

	for (i = 0; i < b->n; i++) {
		job = b->jobs[i];
		if (job->outcome != JOB_RETRY ||
		    job->attempts < b->w->cfg->job_max_attempts)
			continue;
		snprintf(why, sizeof(why), "%s", job->error);
		job_seterr(job, "gave up after %d attempts: %s", job->attempts,
		    why);
		job->outcome = JOB_DEAD;
	}
}

/*
 * After the commit: every job to its end in Redis. The committed and the
 * duplicates are acknowledged (and deleted, with their live progress) in
 * one step. -1 when Redis failed.
 */
static int
batch_finish(struct batch *b)
{
	struct worker *w = b->w;
	const char **ids, **keys;
	char (*kbuf)[2][PROGRESS_KEY_MAX];
	struct job *job;
	size_t i, nids = 0, nkeys = 0;
	int rc = 0;

	ids = xcalloc(b->n + 1, sizeof(*ids));
	keys = xcalloc(2 * b->n + 1, sizeof(*keys));
	kbuf = xcalloc(b->n + 1, sizeof(*kbuf));
	for (i = 0; i < b->n && rc == 0; i++) {
		job = b->jobs[i];
		if (job->project_id[0] != '\0' && job->outcome != JOB_REJECTED) {
			progress_keys(job, kbuf[i][0], kbuf[i][1]);
			keys[nkeys++] = kbuf[i][0];
			keys[nkeys++] = kbuf[i][1];
		}
		switch (job->outcome) {
		case JOB_COMPLETE:
		case JOB_FAILED:
		case JOB_HANDLED:
			if (job->dup)
				log_job_info(job, "already final, "
				    "acknowledged again");
			else if (job->outcome == JOB_COMPLETE)
				log_job_info(job, "complete: %zu lines, "
				    "project %s", job->bom->nlines,
				    job->project_id);
			else
				log_job_warnx(job, "failed: %s", job->error);
			ids[nids++] = job->entry->id;
			w->jobs_done++;
			break;
		case JOB_DEAD:
			rc = batch_dead(w, job);
			break;
		case JOB_RETRY:
			rc = batch_retry_later(w, job);
			break;
		case JOB_REJECTED:
			rc = batch_reject(w, job);
			break;
		default:
			break;
		}
	}
	if (rc == 0 && queue_ack_batch(w->redis, ids, nids, keys, nkeys) == -1)
		rc = -1;
	free(ids);
	free(keys);
	free(kbuf);
	return rc;
}

static int
batch_live_ttl(const struct worker *w)
{
	return (int)(w->cfg->job_timeout_ms / 1000) + BATCH_LIVE_SLACK_S;
}

enum stage_rc
batch_run(struct worker *w, struct queue_entry *e, size_t n)
{
	struct batch b;
	struct job **run;
	size_t i, nrun;
	enum stage_rc rc = STAGE_RETRY;

	memset(&b, 0, sizeof(b));
	b.w = w;
	b.n = n;
	b.jobs = xcalloc(n, sizeof(*b.jobs));
	run = xcalloc(n, sizeof(*run));
	batch_parse(&b, e);
	if (batch_tenants(&b) == -1)
		goto out;
	for (i = 0; i < n; i++)
		if (batch_running(b.jobs[i]))
			batch_intake(&b, b.jobs[i]);
	nrun = batch_select(&b, run);
	/* the lines are visible, pending_enrichment, while the jobs run */
	progress_publish(w->redis, run, nrun, "enriching",
	    "pending_enrichment", 1, batch_live_ttl(w));
	if (batch_decide(&b, run, nrun) == -1)
		goto out;
	nrun = batch_select(&b, run);
	/* the LLM's wait is long enough for the new state to be seen */
	if (nrun > 0 && config_llm_on(w->cfg))
		progress_publish(w->redis, run, nrun, "decisioning",
		    "enriched", 0, batch_live_ttl(w));
	batch_llm(&b, run, nrun);
	for (i = 0; i < n; i++) {
		struct job *job = b.jobs[i];

		if (batch_running(job) || job->outcome == JOB_COMPLETE) {
			job->outcome = JOB_COMPLETE;
			batch_stage_end(job, batch_deadline(w, job));
		}
	}
	batch_give_up(&b);
	if (stage_persist_batch(w->db, b.jobs, n) == -1)
		goto out;
	rc = batch_finish(&b) == -1 ? STAGE_RETRY : STAGE_OK;
out:
	/* after the rollback: a setting made in a transaction returns */
	db_rollback(w->db);
	if (PQstatus(w->db) == CONNECTION_OK)
		db_set_tenant(w->db, "");
	for (i = 0; i < n; i++)
		job_free(b.jobs[i]);
	free(b.jobs);
	free(run);
	return rc;
}
