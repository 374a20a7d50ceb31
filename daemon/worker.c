/*
 * Worker: its own pending entries first (a predecessor in the same slot may
 * have died holding them), then new ones, one at a time; entries idle past
 * the lease are reclaimed. A job is acknowledged only after its result is
 * committed. A transient failure goes to the retry set with backoff; a job
 * out of attempts goes to the dead-letter stream.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "checkpoint.h"
#include "config.h"
#include "bom.h"
#include "db.h"
#include "job.h"
#include "log.h"
#include "queue.h"
#include "stages.h"
#include "util.h"
#include "worker.h"

#define WORKER_BLOCK_MS		1000
#define WORKER_RECLAIM_MS	10000	/* how often to look for idle entries */
#define WORKER_PROMOTE_MS	250	/* how often to promote due retries */
#define WORKER_PROMOTE_MAX	100
#define WORKER_ALARM_SLACK_S	60	/* past job_timeout_ms: SIGALRM kills */

static volatile sig_atomic_t worker_stop;

static void
worker_on_term(int sig)
{
	(void)sig;
	worker_stop = 1;
}

struct worker {
	const struct config	*cfg;
	int			 slot;
	char			 consumer[128];
	redisContext		*redis;
	PGconn			*db;
	int64_t			 deadline_ms;	/* of the current job */
	int64_t			 jobs_done;
};

int
worker_consumer_name(int slot, char *buf, size_t len)
{
	char host[64];

	if (gethostname(host, sizeof(host)) == -1)
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	return snprintf(buf, len, "%s:%d", host, slot) >= (int)len ? -1 : 0;
}

static void
worker_sleep_ms(int64_t ms)
{
	struct timespec ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (!worker_stop && nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* (Re)connects whatever is down, with capped backoff; -1 when stopping. */
static int
worker_connect(struct worker *w)
{
	char err[512];
	int64_t backoff = 100;

	for (;;) {
		if (w->redis != NULL && w->redis->err) {
			redisFree(w->redis);
			w->redis = NULL;
		}
		if (w->redis == NULL) {
			w->redis = queue_connect(w->cfg->redis_url, 5000, err,
			    sizeof(err));
			if (w->redis == NULL)
				log_warnx("%s", err);
			else if (queue_ensure_group(w->redis) == -1) {
				redisFree(w->redis);
				w->redis = NULL;
			}
		}
		if (w->db != NULL && !db_ok(w->db)) {
			PQfinish(w->db);
			w->db = NULL;
		}
		if (w->db == NULL) {
			w->db = db_connect(w->cfg->database_url, "bomd-worker",
			    err, sizeof(err));
			if (w->db == NULL)
				log_warnx("%s", err);
			else if (db_use_role(w->db, w->cfg->database_role)
			    == -1) {
				log_warnx("postgresql: cannot switch to role "
				    "%s (run bomd migrate)",
				    w->cfg->database_role);
				PQfinish(w->db);
				w->db = NULL;
			}
		}
		if (w->redis != NULL && w->db != NULL)
			return 0;
		if (worker_stop)
			return -1;
		worker_sleep_ms(backoff);
		backoff = backoff * 2 > 10000 ? 10000 : backoff * 2;
	}
}

/* Records a job that names no usable client: not tenant data. */
static void
worker_reject(struct worker *w, const struct queue_entry *e,
    const struct job *job)
{
	const char *params[4];

	params[0] = e->id;
	params[1] = job->client_id[0] ? job->client_id : NULL;
	params[2] = job->job_id[0] ? job->job_id : NULL;
	params[3] = job->error;
	db_exec(w->db, "INSERT INTO rejected_jobs (stream_id, client_ref, "
	    "job_ref, reason) VALUES ($1, $2, $3, $4) "
	    "ON CONFLICT (stream_id) DO NOTHING", 4, params);
	log_warnx("entry %s rejected: %s", e->id, job->error);
	if (queue_dead(w->redis, e->id, e->job, e->job_len, job->error) == -1)
		log_warnx("entry %s: cannot move to %s", e->id, QUEUE_DEAD);
}

/*
 * Marks the job running (or finds it finished). Returns 1 when it should
 * run, 0 when it is already final (nothing to do but ack), -1 on error.
 */
static int
worker_claim(struct worker *w, struct job *job)
{
	char pid[37];
	const char *params[4];
	PGresult *r;
	int rc = -1;

	if (!job->reprocess) {
		if (uuid_v4(pid) == -1)
			return -1;
	} else
		snprintf(pid, sizeof(pid), "%s", job->project_id);
	params[0] = job->job_id;
	params[1] = job->client_id;
	params[2] = pid;
	params[3] = job->stream_id;
	r = db_query(w->db, "INSERT INTO jobs AS j (job_id, client_id, "
	    "project_id, status, attempts, stream_id, started_at) "
	    "VALUES ($1, $2, $3, 'running', 1, $4, now()) "
	    "ON CONFLICT (client_id, job_id) DO UPDATE SET "
	    "project_id = COALESCE(j.project_id, EXCLUDED.project_id), "
	    "attempts = CASE WHEN j.status IN ('complete', 'failed', 'dead') "
	    "THEN j.attempts ELSE j.attempts + 1 END, "
	    "status = CASE WHEN j.status IN ('complete', 'failed', 'dead') "
	    "THEN j.status ELSE 'running' END, "
	    "started_at = now(), updated_at = now(), "
	    "stream_id = EXCLUDED.stream_id "
	    "RETURNING status, attempts, project_id, error", 4, params, NULL,
	    0);
	if (r == NULL)
		return -1;
	if (PQntuples(r) != 1)
		goto out;
	job->attempts = atoi(PQgetvalue(r, 0, 1));
	snprintf(job->project_id, sizeof(job->project_id), "%s",
	    PQgetvalue(r, 0, 2));
	/* the previous try's error, the last word if this one never ends */
	if (!PQgetisnull(r, 0, 3))
		job_seterr(job, "%s", PQgetvalue(r, 0, 3));
	rc = strcmp(PQgetvalue(r, 0, 0), "running") == 0 ? 1 : 0;
out:
	PQclear(r);
	return rc;
}

/*
 * Sets the session's tenant (row-level security admits only this job's
 * tenant from here on) and reads whether the client is active, in one
 * round trip. 1 active, 0 missing or inactive, -1 error.
 */
static int
worker_tenant_active(struct worker *w, const char *client_id)
{
	const char *params[1] = { client_id };
	struct db_stmt st[2] = {
		{ "SELECT set_config('bomd.client_id', $1, false)", 1, params,
		    NULL },
		{ "SELECT active FROM clients WHERE client_id = $1", 1, params,
		    NULL }
	};
	int rc;

	if (db_pipeline(w->db, st, 2) == -1)
		return -1;
	rc = PQntuples(st[1].res) == 1 &&
	    strcmp(PQgetvalue(st[1].res, 0, 0), "t") == 0;
	PQclear(st[0].res);
	PQclear(st[1].res);
	return rc;
}

static void
worker_set_project_status(struct worker *w, const struct job *job,
    const char *status)
{
	const char *params[3] = { job->client_id, job->project_id, status };

	db_exec(w->db, "UPDATE projects SET status = $3, updated_at = now() "
	    "WHERE client_id = $1 AND project_id = $2", 3, params);
}

/*
 * Creates the project row of an inline job (once) and marks the project
 * enriching, in one round trip. 0 or -1.
 */
static int
worker_start_project(struct worker *w, const struct job *job)
{
	const char *params[5], *ps[3];
	struct db_stmt st[2];
	size_t n = 0;

	params[0] = job->project_id;
	params[1] = job->client_id;
	params[2] = job->project_name ? job->project_name : "";
	params[3] = job->bom_csv;
	params[4] = job->bom_filename;
	ps[0] = job->client_id;
	ps[1] = job->project_id;
	ps[2] = "enriching";
	if (!job->reprocess)
		st[n++] = (struct db_stmt){ "INSERT INTO projects "
		    "(project_id, client_id, name, status, bom_csv, "
		    "bom_filename) VALUES ($1, $2, $3, 'enriching', $4, $5) "
		    "ON CONFLICT (project_id) DO NOTHING", 5, params, NULL };
	st[n++] = (struct db_stmt){ "UPDATE projects SET status = $3, "
	    "updated_at = now() WHERE client_id = $1 AND project_id = $2", 3,
	    ps, NULL };
	if (db_pipeline(w->db, st, n) == -1)
		return -1;
	while (n > 0)
		PQclear(st[--n].res);
	return 0;
}

/*
 * Ends a job failed or dead. The request is kept (jobs.request) so that
 * POST /jobs/{id}/retry can queue it again; a separate statement, so that
 * a request PostgreSQL cannot store never keeps the state from changing.
 */
static void
worker_fail(struct worker *w, const struct job *job, const char *status,
    const struct queue_entry *e)
{
	const char *params[4] = { job->client_id, job->job_id, job->error,
	    status };

	db_exec(w->db, "UPDATE jobs SET status = $4, error = $3, "
	    "finished_at = now(), updated_at = now() "
	    "WHERE client_id = $1 AND job_id = $2", 4, params);
	if (e != NULL && e->job != NULL) {
		params[2] = e->job;
		db_exec(w->db, "UPDATE jobs SET request = $3::jsonb "
		    "WHERE client_id = $1 AND job_id = $2", 3, params);
	}
	if (job->project_id[0] != '\0')
		worker_set_project_status(w, job, "failed");
	log_job_warnx(job, "%s: %s", status, job->error);
}

/* STAGE_OK while the job is within job_timeout_ms; else STAGE_RETRY. */
static enum stage_rc
worker_deadline(const struct worker *w, struct job *job)
{
	if (now_ms() <= w->deadline_ms)
		return STAGE_OK;
	job_seterr(job, "job timed out: over job_timeout_ms (%lld ms)",
	    (long long)w->cfg->job_timeout_ms);
	return STAGE_RETRY;
}

/* True when Redis and PostgreSQL both still answer. */
static bool
worker_connected(const struct worker *w)
{
	return w->redis != NULL && !w->redis->err && w->db != NULL &&
	    PQstatus(w->db) == CONNECTION_OK;
}

/* Moves the entry to bomd:dead and marks the job dead; STAGE_*. */
static enum stage_rc
worker_dead(struct worker *w, const struct queue_entry *e, struct job *job)
{
	struct queue_move mv;

	worker_fail(w, job, "dead", e);
	memset(&mv, 0, sizeof(mv));
	mv.dest = QUEUE_TO_DEAD;
	mv.job = e->job;
	mv.job_len = e->job_len;
	mv.error = job->error;
	mv.client_id = job->client_id;
	mv.job_id = job->job_id;
	return queue_move(w->redis, e->id, w->consumer, &mv) == -1 ?
	    STAGE_RETRY : STAGE_OK;
}

/*
 * A transient failure with both connections up (a deadlock, a timeout, a
 * job over its deadline): the entry goes to the retry set with backoff,
 * acknowledged in the same step, or to the dead letters when it is out of
 * attempts. STAGE_OK when it was moved; STAGE_RETRY leaves it pending.
 */
static enum stage_rc
worker_retry_later(struct worker *w, const struct queue_entry *e,
    struct job *job)
{
	struct queue_move mv;
	char why[sizeof(job->error)];
	const char *params[3];
	int64_t n;

	if (job->error[0] == '\0')
		job_seterr(job, "transient error");
	if (job->attempts >= w->cfg->job_max_attempts) {
		snprintf(why, sizeof(why), "%s", job->error);
		job_seterr(job, "gave up after %d attempts: %s", job->attempts,
		    why);
		return worker_dead(w, e, job);
	}
	n = job->attempts > 0 ? job->attempts : e->retries + 1;
	if (job->attempts > 0) {
		params[0] = job->client_id;
		params[1] = job->job_id;
		params[2] = job->error;
		db_exec(w->db, "UPDATE jobs SET status = 'queued', error = $3, "
		    "updated_at = now() WHERE client_id = $1 AND job_id = $2 "
		    "AND status = 'running'", 3, params);
	}
	memset(&mv, 0, sizeof(mv));
	mv.dest = QUEUE_TO_RETRY;
	mv.delay_ms = queue_backoff_ms(w->cfg->job_retry_base_ms, n);
	mv.job = e->job;
	mv.job_len = e->job_len;
	mv.crashes = e->crashes;
	mv.retries = e->retries + 1;
	mv.error = job->error;
	if (queue_move(w->redis, e->id, w->consumer, &mv) == -1)
		return STAGE_RETRY;
	log_job_warnx(job, "retry in %lld ms (attempt %d of %lld): %s",
	    (long long)mv.delay_ms, job->attempts,
	    (long long)w->cfg->job_max_attempts, job->error);
	return STAGE_OK;
}

/*
 * How long an entry must sit idle before another worker claims it: the
 * lease, but never less than a live worker may legitimately hold a job
 * (its deadline plus the SIGALRM slack).
 */
static int64_t
worker_lease_ms(const struct config *cfg)
{
	int64_t hold = cfg->job_timeout_ms + WORKER_ALARM_SLACK_S * 1000;

	return cfg->job_lease_ms > hold ? cfg->job_lease_ms : hold;
}

/* Gives an entry read while stopping back to the stream, untouched. */
static void
worker_hand_back(struct worker *w, const struct queue_entry *e)
{
	struct queue_move mv;

	memset(&mv, 0, sizeof(mv));
	mv.dest = QUEUE_TO_STREAM;
	mv.job = e->job;
	mv.job_len = e->job_len;
	mv.crashes = e->crashes;
	mv.retries = e->retries;
	mv.error = e->last_error;
	if (queue_move(w->redis, e->id, w->consumer, &mv) == -1)
		log_warnx("entry %s: cannot hand back; it stays pending",
		    e->id);
}

/*
 * Test hook for tests/it_checkpoint.sh only: BOMD_TEST_CRASH_AFTER_CHECKPOINT
 * =MPN aborts the first attempt of a BOM with that MPN right after its
 * checkpoint is saved.
 */
static void
worker_checkpoint_hook(const struct job *job)
{
	const char *mpn = getenv("BOMD_TEST_CRASH_AFTER_CHECKPOINT");
	size_t i;

	if (mpn == NULL || *mpn == '\0' || job->attempts != 1)
		return;
	for (i = 0; i < job->bom->nlines; i++)
		if (strcmp(job->bom->lines[i].mpn, mpn) == 0)
			abort();
}

/*
 * On a retry, resumes from the job's checkpoint: 1 resumed, 0 none,
 * -1 database trouble.
 */
static int
worker_resume(struct worker *w, struct job *job)
{
	char stage[32];
	int r;

	if (job->attempts <= 1)
		return 0;
	if ((r = checkpoint_load(w->db, job, stage, sizeof(stage))) != 1)
		return r;
	job->checkpointed = true;
	job_trace(job, "checkpoint", "worker", NULL, NULL, "resumed from "
	    "checkpoint '%s' (attempt %d): enrichment, decisions and LLM "
	    "assessment not redone", stage, job->attempts);
	return 1;
}

/* Runs the flow; STAGE_* */
static enum stage_rc
worker_flow(struct worker *w, struct job *job)
{
	struct offer_cache *cache = NULL;
	enum stage_rc rc;
	int dup = 0, r;

	if ((rc = stage_intake_run(job, w->db)) != STAGE_OK)
		goto out;
	if ((rc = worker_deadline(w, job)) != STAGE_OK)
		goto out;
	if (worker_start_project(w, job) == -1) {
		rc = STAGE_RETRY;
		goto out;
	}
	if ((r = worker_resume(w, job)) == -1) {
		rc = STAGE_RETRY;
		goto out;
	}
	if (r == 1)
		goto persist;
	/* the lines are visible, pending_enrichment, while the job runs */
	if (stage_persist_lines_start(job, w->db) == -1) {
		rc = STAGE_RETRY;
		goto out;
	}
	if ((rc = stage_enrich_run(job, w->db, &cache)) != STAGE_OK)
		goto out;
	if (stage_persist_lines_status(job, w->db, "enriched") == -1) {
		rc = STAGE_RETRY;
		goto out;
	}
	if ((rc = worker_deadline(w, job)) != STAGE_OK)
		goto out;
	worker_set_project_status(w, job, "decisioning");
	if ((rc = stage_decide_run(job, w->cfg, cache)) != STAGE_OK)
		goto out;
	if ((rc = stage_llm_run(job, w->cfg)) != STAGE_OK)
		goto out;
	/* the LLM's work is paid for: keep it for a retry */
	if (job->llm_calls != NULL && json_array_size(job->llm_calls) > 0) {
		if (checkpoint_save(w->db, job, CHECKPOINT_ASSESSED) == 0) {
			job->checkpointed = true;
			worker_checkpoint_hook(job);
		} else
			log_job_warnx(job, "checkpoint not saved; going on");
	}
persist:
	if ((rc = worker_deadline(w, job)) != STAGE_OK)
		goto out;
	rc = stage_persist_run(job, w->db, &dup);
	if (rc == STAGE_OK)
		log_job_info(job, "%s: %zu lines, project %s",
		    dup ? "already committed" : "complete", job->bom->nlines,
		    job->project_id);
out:
	offer_cache_free(cache);
	return rc;
}

/*
 * Handles one entry. STAGE_RETRY (a connection is down) leaves it pending
 * for this worker's next read; any other transient failure is scheduled
 * in the retry set.
 */
static enum stage_rc
worker_handle(struct worker *w, const struct queue_entry *e)
{
	struct job *job;
	enum stage_rc rc = STAGE_RETRY;
	int r;

	job = job_new(e->id);
	if (job_parse(job, e->job, e->job_len) == -1) {
		worker_reject(w, e, job);
		rc = STAGE_OK;
		goto out;
	}
	if ((r = worker_tenant_active(w, job->client_id)) == -1)
		goto out;
	if (r == 0) {
		job_seterr(job, "unknown or inactive client %s",
		    job->client_id);
		worker_reject(w, e, job);
		rc = STAGE_OK;
		goto out;
	}
	if ((r = worker_claim(w, job)) == -1)
		goto out;
	if (r == 0) {
		log_job_info(job, "already final, acknowledged again");
		queue_ack(w->redis, e->id);
		rc = STAGE_OK;
		goto out;
	}
	/* a poison job: it crashed a worker on every try */
	if (job->attempts > w->cfg->job_max_attempts ||
	    e->crashes >= w->cfg->job_max_attempts) {
		char last[sizeof(job->error)];

		snprintf(last, sizeof(last), "%s", e->last_error ?
		    e->last_error : job->error[0] ? job->error :
		    "no error recorded");
		job_seterr(job, "gave up after %d attempts (%lld crashed a "
		    "worker): %s", job->attempts - 1, (long long)e->crashes,
		    last);
		rc = worker_dead(w, e, job);
		goto out;
	}
	job->error[0] = '\0';
	w->deadline_ms = now_ms() + w->cfg->job_timeout_ms;
	/* a stage stuck past its deadline: die, and the master hands back */
	alarm((unsigned int)(w->cfg->job_timeout_ms / 1000 +
	    WORKER_ALARM_SLACK_S));
	rc = worker_flow(w, job);
	alarm(0);
	if (rc == STAGE_FAIL) {
		worker_fail(w, job, "failed", e);
		rc = STAGE_OK;
	}
	if (rc == STAGE_OK && queue_ack(w->redis, e->id) == -1)
		rc = STAGE_RETRY;
out:
	if (rc == STAGE_RETRY && worker_connected(w))
		rc = worker_retry_later(w, e, job);
	if (PQstatus(w->db) == CONNECTION_OK)
		db_set_tenant(w->db, "");
	job_free(job);
	return rc;
}

int
worker_main(const struct config *cfg, int slot)
{
	struct worker w;
	struct queue_entry entry;
	struct sigaction sa;
	char cursor[32] = "0-0";
	int64_t backoff = 200, last_reclaim = 0, last_promote = 0;
	int n, pending = 1;

	memset(&w, 0, sizeof(w));
	w.cfg = cfg;
	w.slot = slot;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = worker_on_term;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGALRM, SIG_DFL);
	/* retry jitter differs between workers */
	srandom((unsigned int)(getpid() ^ now_ms()));
	if (worker_consumer_name(slot, w.consumer, sizeof(w.consumer)) == -1)
		return 2;
	if (worker_connect(&w) == -1)
		return 0;
	log_info("consumer %s ready", w.consumer);
	while (!worker_stop) {
		if (cfg->worker_max_jobs > 0 &&
		    w.jobs_done >= cfg->worker_max_jobs) {
			log_info("recycling after %lld jobs",
			    (long long)w.jobs_done);
			break;
		}
		/* one entry at a time: a crash strands one job, not a batch */
		if (now_ms() - last_promote >= WORKER_PROMOTE_MS) {
			last_promote = now_ms();
			n = queue_promote(w.redis, WORKER_PROMOTE_MAX);
		} else
			n = 0;
		if (n >= 0 && !pending &&
		    now_ms() - last_reclaim > WORKER_RECLAIM_MS) {
			last_reclaim = now_ms();
			n = queue_autoclaim(w.redis, w.consumer,
			    worker_lease_ms(cfg), cursor, &entry, 1);
		} else if (n >= 0)
			n = queue_read(w.redis, w.consumer, pending,
			    WORKER_BLOCK_MS, &entry, 1);
		if (n < 0) {
			if (worker_connect(&w) == -1)
				break;
			pending = 1;
			continue;
		}
		if (n == 0) {
			pending = 0;
			continue;
		}
		if (worker_stop) {
			/* read as the stop came: another worker takes it */
			worker_hand_back(&w, &entry);
			queue_entry_clear(&entry);
			break;
		}
		if (worker_handle(&w, &entry) == STAGE_RETRY) {
			/* a connection is down: back off, re-read pending */
			pending = 1;
			worker_sleep_ms(backoff);
			backoff = backoff * 2 > 10000 ? 10000 : backoff * 2;
			worker_connect(&w);
		} else {
			backoff = 200;
			w.jobs_done++;
		}
		queue_entry_clear(&entry);
	}
	log_info("stopping");
	stage_llm_shutdown();
	if (w.redis != NULL)
		redisFree(w.redis);
	if (w.db != NULL)
		PQfinish(w.db);
	return 0;
}
