/*
 * Worker: its own pending entries first (a predecessor in the same slot may
 * have died holding them), then new ones, up to worker_inflight per read,
 * run as one batch (batch.c); entries idle past the lease are reclaimed.
 * An entry that has crashed a worker before runs alone.
 */
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "batch.h"
#include "cache.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "provider.h"
#include "queue.h"
#include "redis_conn.h"
#include "stages.h"
#include "util.h"
#include "signals.h"
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
			w->redis = redis_conn_open(w->cfg->redis_url, 5000,
			    err, sizeof(err));
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

	batch_move_init(&mv, e, QUEUE_TO_STREAM);
	if (queue_move(w->redis, e->id, w->consumer, &mv) == -1)
		log_warnx("entry %s: cannot hand back; it stays pending",
		    e->id);
}

/*
 * Entries that crashed a worker before, or come back after a batch that
 * failed, run alone (a batch of one), so a poison job takes no other job
 * down with it again: moves them to the end of e and returns how many come
 * before them.
 */
static size_t
worker_isolate(struct queue_entry *e, size_t n)
{
	struct queue_entry t;
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if (e[i].crashes == 0 && e[i].deliveries <= 1) {
			t = e[k];
			e[k++] = e[i];
			e[i] = t;
		}
	return k;
}

/* Runs what one read brought: the clean ones together, the rest alone. */
static enum stage_rc
worker_run(struct worker *w, struct queue_entry *e, size_t n)
{
	size_t clean = worker_isolate(e, n), i;
	enum stage_rc rc = STAGE_OK;

	if (clean > 0)
		rc = batch_run(w, e, clean);
	for (i = clean; i < n && rc == STAGE_OK; i++)
		rc = batch_run(w, &e[i], 1);
	return rc;
}

/* The live distributor sources, when any has credentials. */
static void
worker_providers(struct worker *w)
{
	struct provider_settings s;

	config_providers(w->cfg, &s);
	w->providers = provider_set_new(&s);
	if (w->providers != NULL && provider_set_configured(w->providers) ==
	    0) {
		provider_set_free(w->providers);
		w->providers = NULL;
	}
}

static const struct signal_row worker_signals[] = {
	{ SIGTERM, worker_on_term },
	{ SIGINT, worker_on_term },
	{ SIGHUP, SIG_IGN },
	{ SIGPIPE, SIG_IGN },
	{ SIGALRM, SIG_DFL }
};

int
worker_main(const struct config *cfg, int slot)
{
	struct worker w;
	struct queue_entry *entries;
	char cursor[32] = "0-0";
	int64_t backoff = 200, last_reclaim = 0, last_promote = 0;
	size_t max = (size_t)cfg->worker_inflight, i;
	int n, pending = 1;
	bool trim = false;

	memset(&w, 0, sizeof(w));
	w.cfg = cfg;
	w.slot = slot;
	/*
	 * One malloc arena: the worker's work is on this thread; curl's
	 * resolver threads would each get an arena of their own (RSS that
	 * stays) for a few small allocations.
	 */
	(void)mallopt(M_ARENA_MAX, 1);
	signals_install(worker_signals,
	    sizeof(worker_signals) / sizeof(worker_signals[0]));
	/* retry jitter differs between workers */
	srandom((unsigned int)(getpid() ^ now_ms()));
	if (worker_consumer_name(slot, w.consumer, sizeof(w.consumer)) == -1)
		return 2;
	if (worker_connect(&w) == -1)
		return 0;
	w.cache = cache_new();
	worker_providers(&w);
	entries = xcalloc(max, sizeof(*entries));
	log_info("consumer %s ready", w.consumer);
	while (!worker_stop) {
		if (cfg->worker_max_jobs > 0 &&
		    w.jobs_done >= cfg->worker_max_jobs) {
			log_info("recycling after %lld jobs",
			    (long long)w.jobs_done);
			break;
		}
		if (now_ms() - last_promote >= WORKER_PROMOTE_MS) {
			last_promote = now_ms();
			n = queue_promote(w.redis, WORKER_PROMOTE_MAX);
		} else
			n = 0;
		if (n >= 0 && !pending &&
		    now_ms() - last_reclaim > WORKER_RECLAIM_MS) {
			last_reclaim = now_ms();
			n = queue_autoclaim(w.redis, w.consumer,
			    worker_lease_ms(cfg), cursor, entries, max);
		} else if (n >= 0)
			n = queue_read(w.redis, w.consumer, pending,
			    WORKER_BLOCK_MS, entries, max);
		if (n < 0) {
			if (worker_connect(&w) == -1)
				break;
			pending = 1;
			continue;
		}
		if (n == 0) {
			pending = 0;
			/*
			 * Idle now: what the last batches freed goes back to
			 * the system (an LLM batch's words are some 1 MB a
			 * job), not while batches follow each other.
			 */
			if (trim) {
				malloc_trim(0);
				trim = false;
			}
			continue;
		}
		trim = true;
		if (worker_stop) {
			/* read as the stop came: other workers take them */
			for (i = 0; i < (size_t)n; i++) {
				worker_hand_back(&w, &entries[i]);
				queue_entry_clear(&entries[i]);
			}
			break;
		}
		/* a batch stuck past its deadline: die, and the master hands
		 * its entries back */
		alarm((unsigned int)(cfg->job_timeout_ms / 1000 +
		    WORKER_ALARM_SLACK_S));
		if (worker_run(&w, entries, (size_t)n) == STAGE_RETRY) {
			/* a connection is down: back off, re-read pending */
			pending = 1;
			worker_sleep_ms(backoff);
			backoff = backoff * 2 > 10000 ? 10000 : backoff * 2;
			worker_connect(&w);
		} else
			backoff = 200;
		alarm(0);
		for (i = 0; i < (size_t)n; i++)
			queue_entry_clear(&entries[i]);
	}
	log_info("stopping");
	free(entries);
	cache_free(w.cache);
	provider_set_free(w.providers);
	stage_llm_shutdown();
	stage_intake_shutdown();
	if (w.redis != NULL)
		redisFree(w.redis);
	if (w.db != NULL)
		PQfinish(w.db);
	return 0;
}
