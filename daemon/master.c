/*
 * Master: forks the API process and N workers, restarts a child that dies
 * (with backoff and crash-storm damping), hands a dead worker's jobs back
 * to the queue at once, reloads on SIGHUP, resizes the pool on
 * SIGTTIN/SIGTTOU and stops everything cleanly on SIGTERM.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "api/api.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "master.h"
#include "migrate.h"
#include "proctitle.h"
#include "queue.h"
#include "util.h"
#include "worker.h"

#define MASTER_MAX_CHILDREN	257	/* the API process + 256 workers */
#define MASTER_BACKOFF_MAX_MS	30000
#define MASTER_STORM_WINDOW_MS	60000
#define MASTER_STORM_DEATHS	10	/* plus two per child */
#define MASTER_STORM_HIST	64
#define MASTER_REDIS_TIMEOUT_MS	1000	/* the supervisor never waits long */

static volatile sig_atomic_t got_term, got_hup, got_chld, got_ttin, got_ttou;

static void
master_on_signal(int sig)
{
	switch (sig) {
	case SIGTERM:
	case SIGINT:
		got_term = 1;
		break;
	case SIGHUP:
		got_hup = 1;
		break;
	case SIGCHLD:
		got_chld = 1;
		break;
	case SIGTTIN:
		got_ttin = 1;
		break;
	case SIGTTOU:
		got_ttou = 1;
		break;
	}
}

struct child {
	pid_t	pid;		/* 0: not running */
	int	is_api;
	int	slot;		/* worker number, from 1 */
	int	failures;	/* consecutive quick deaths */
	int64_t	started_ms;
	int64_t	respawn_at_ms;	/* when to start it again */
	int	disabled;	/* exited 2: cannot start, not respawned */
	int	wanted;
};

struct master {
	const char	*config_path;
	struct config	 cfg;
	enum master_role role;
	struct child	 children[MASTER_MAX_CHILDREN];
	int		 nworkers;
	int		 workers_fixed;	/* --workers given: reload keeps it */
	int64_t		 deaths[MASTER_STORM_HIST];
	size_t		 ndeaths;
	redisContext	*redis;		/* for hand-backs; NULL when down */
};

static void
master_child_signals(void)
{
	struct sigaction sa;
	sigset_t set;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGTTIN, &sa, NULL);
	sigaction(SIGTTOU, &sa, NULL);
	sigemptyset(&set);
	sigprocmask(SIG_SETMASK, &set, NULL);
	/* none outlives the master */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
}

static void
master_spawn(struct master *m, struct child *ch)
{
	char title[64];
	pid_t pid;
	int status;

	switch ((pid = fork())) {
	case -1:
		log_warn("fork");
		ch->respawn_at_ms = now_ms() + 1000;
		return;
	case 0:
		master_child_signals();
		if (getppid() == 1)
			_exit(0);
		if (ch->is_api) {
			snprintf(title, sizeof(title), "bomd: api");
			proctitle_set(title);
			log_setname("api");
			status = api_main(&m->cfg);
		} else {
			snprintf(title, sizeof(title), "bomd: worker %d",
			    ch->slot);
			proctitle_set(title);
			snprintf(title, sizeof(title), "worker %d", ch->slot);
			log_setname(title);
			status = worker_main(&m->cfg, ch->slot);
		}
		fflush(NULL);
		_exit(status);
	default:
		ch->pid = pid;
		ch->started_ms = now_ms();
		log_debug("started %s %d as pid %d", ch->is_api ? "api" :
		    "worker", ch->slot, (int)pid);
	}
}

static struct child *
master_find(struct master *m, pid_t pid)
{
	size_t i;

	for (i = 0; i < MASTER_MAX_CHILDREN; i++)
		if (m->children[i].pid == pid)
			return &m->children[i];
	return NULL;
}

/*
 * Records a death; true when deaths come too fast (a crash storm): more
 * than MASTER_STORM_DEATHS plus two per child within the window.
 */
static int
master_storm(struct master *m)
{
	int64_t now = now_ms();
	size_t limit = MASTER_STORM_DEATHS + 2 * (size_t)(m->nworkers + 1);

	if (limit > MASTER_STORM_HIST)
		limit = MASTER_STORM_HIST;
	memmove(&m->deaths[1], &m->deaths[0],
	    (MASTER_STORM_HIST - 1) * sizeof(m->deaths[0]));
	m->deaths[0] = now;
	if (m->ndeaths < MASTER_STORM_HIST)
		m->ndeaths++;
	return m->ndeaths >= limit &&
	    now - m->deaths[limit - 1] < MASTER_STORM_WINDOW_MS;
}

/* The master's Redis connection, (re)opened on demand; NULL when down. */
static redisContext *
master_redis(struct master *m)
{
	char err[512];

	if (m->redis != NULL && m->redis->err) {
		redisFree(m->redis);
		m->redis = NULL;
	}
	if (m->redis == NULL &&
	    (m->redis = queue_connect(m->cfg.redis_url,
	    MASTER_REDIS_TIMEOUT_MS, err, sizeof(err))) == NULL)
		log_warnx("hand-back: %s", err);
	return m->redis;
}

/*
 * Gives the jobs a worker slot's consumer still holds back to the queue
 * at once, so a live worker takes them while the slot waits out its
 * restart backoff. crashed: the worker died holding them (their crash
 * count goes up; see queue_handback()). When Redis is down they stay
 * pending: the slot's next worker reads its own pending entries first.
 * Call it only while no process runs in the slot (same consumer name).
 */
static void
master_handback(struct master *m, const struct child *ch, int crashed,
    const char *reason)
{
	char consumer[128];
	redisContext *c;
	size_t n = 0;
	int rc;

	if (ch->is_api || m->role == ROLE_API)
		return;
	if (worker_consumer_name(ch->slot, consumer, sizeof(consumer)) == -1 ||
	    (c = master_redis(m)) == NULL)
		return;
	rc = queue_handback(c, consumer, crashed, reason,
	    m->cfg.job_retry_base_ms, &n);
	/* a connection Redis dropped (a restart) gets one fresh try */
	if (rc == -1 && c->err && (c = master_redis(m)) != NULL)
		rc = queue_handback(c, consumer, crashed, reason,
		    m->cfg.job_retry_base_ms, &n);
	if (rc == -1)
		log_warnx("hand-back of %s failed; its worker will pick its "
		    "jobs up", consumer);
	else if (n > 0)
		log_info("handed back %zu job%s of %s", n, n == 1 ? "" : "s",
		    consumer);
}

/*
 * At startup, before any worker runs: warns about Redis settings that can
 * lose jobs, and hands back whatever this host's consumers left pending
 * (a previous run killed before it finished).
 */
static void
master_startup_redis(struct master *m)
{
	char prefix[128];
	redisContext *c;
	redisReply *r;
	size_t i, j, n;

	if ((c = master_redis(m)) == NULL)
		return;
	queue_check_server(c);
	if (m->role == ROLE_API ||
	    worker_consumer_name(0, prefix, sizeof(prefix)) == -1)
		return;
	prefix[strlen(prefix) - 1] = '\0';	/* "host:" */
	r = redisCommand(c, "XINFO CONSUMERS %s %s", QUEUE_STREAM,
	    QUEUE_GROUP);
	if (r == NULL || r->type != REDIS_REPLY_ARRAY) {
		if (r != NULL)
			freeReplyObject(r);
		return;
	}
	for (i = 0; i < r->elements; i++) {
		const redisReply *cr = r->element[i];
		const char *name = NULL;
		long long pending = 0;

		for (j = 0; cr->type == REDIS_REPLY_ARRAY &&
		    j + 1 < cr->elements; j += 2) {
			if (cr->element[j]->type != REDIS_REPLY_STRING)
				continue;
			if (strcmp(cr->element[j]->str, "name") == 0 &&
			    cr->element[j + 1]->type == REDIS_REPLY_STRING)
				name = cr->element[j + 1]->str;
			else if (strcmp(cr->element[j]->str, "pending") == 0 &&
			    cr->element[j + 1]->type == REDIS_REPLY_INTEGER)
				pending = cr->element[j + 1]->integer;
		}
		if (name == NULL || pending == 0 ||
		    strncmp(name, prefix, strlen(prefix)) != 0)
			continue;
		if (queue_handback(c, name, 0, "left pending by an earlier "
		    "run", m->cfg.job_retry_base_ms, &n) == 0 && n > 0)
			log_info("handed back %zu job%s %s left pending", n,
			    n == 1 ? "" : "s", name);
	}
	freeReplyObject(r);
}

static void
master_reap(struct master *m)
{
	struct child *ch;
	char why[160];
	int64_t delay;
	pid_t pid;
	int status, planned;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if ((ch = master_find(m, pid)) == NULL)
			continue;
		ch->pid = 0;
		planned = WIFEXITED(status) && WEXITSTATUS(status) == 0;
		if (WIFSIGNALED(status))
			snprintf(why, sizeof(why), "worker %d (pid %d) killed "
			    "by signal %d (%s)", ch->slot, (int)pid,
			    WTERMSIG(status), strsignal(WTERMSIG(status)));
		else
			snprintf(why, sizeof(why), "worker %d (pid %d) exited "
			    "with %d", ch->slot, (int)pid,
			    WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		/* before anything restarts the slot */
		master_handback(m, ch, !planned, why);
		if (got_term || !ch->wanted)
			continue;
		if (planned) {
			/* stopped for a reload or recycled: not a failure */
			log_info("%s %d (pid %d) exited; restarting",
			    ch->is_api ? "api" : "worker", ch->slot, (int)pid);
			ch->respawn_at_ms = now_ms();
			continue;
		}
		if (WIFEXITED(status) && WEXITSTATUS(status) == 2) {
			log_warnx("%s %d cannot start (exit 2); not restarting",
			    ch->is_api ? "api" : "worker", ch->slot);
			ch->disabled = 1;
			continue;
		}
		if (WIFSIGNALED(status))
			log_warnx("%s %d (pid %d) killed by signal %d",
			    ch->is_api ? "api" : "worker", ch->slot, (int)pid,
			    WTERMSIG(status));
		else
			log_warnx("%s %d (pid %d) exited with %d",
			    ch->is_api ? "api" : "worker", ch->slot, (int)pid,
			    WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		/* a child that ran a while restarts at once */
		if (now_ms() - ch->started_ms > 10000)
			ch->failures = 0;
		delay = ch->failures == 0 ? 0 : 100LL << (ch->failures > 8 ?
		    8 : ch->failures);
		if (delay > MASTER_BACKOFF_MAX_MS)
			delay = MASTER_BACKOFF_MAX_MS;
		if (master_storm(m)) {
			log_warnx("crash storm: %d deaths within %d s; "
			    "restarting at most every %d s",
			    MASTER_STORM_DEATHS, MASTER_STORM_WINDOW_MS / 1000,
			    MASTER_BACKOFF_MAX_MS / 1000);
			delay = MASTER_BACKOFF_MAX_MS;
		}
		ch->failures++;
		ch->respawn_at_ms = now_ms() + delay;
	}
}

/* Makes the set of wanted children match the role and worker count. */
static void
master_plan(struct master *m)
{
	int i;

	m->children[0].is_api = 1;
	m->children[0].wanted = m->role != ROLE_WORKER;
	for (i = 1; i < MASTER_MAX_CHILDREN; i++) {
		m->children[i].slot = i;
		m->children[i].wanted = m->role != ROLE_API &&
		    i <= m->nworkers;
		if (!m->children[i].wanted && m->children[i].pid > 0)
			kill(m->children[i].pid, SIGTERM);
	}
}

static void
master_start_due(struct master *m)
{
	struct child *ch;
	int64_t now = now_ms();
	int i;

	for (i = 0; i < MASTER_MAX_CHILDREN; i++) {
		ch = &m->children[i];
		if (ch->wanted && ch->pid == 0 && !ch->disabled &&
		    now >= ch->respawn_at_ms)
			master_spawn(m, ch);
	}
}

static int
master_running(const struct master *m)
{
	int i, n = 0;

	for (i = 0; i < MASTER_MAX_CHILDREN; i++)
		if (m->children[i].pid > 0)
			n++;
	return n;
}

static void
master_reload(struct master *m)
{
	struct config nc;
	char err[512];

	if (config_load(m->config_path, &nc, err, sizeof(err)) == -1) {
		log_warnx("reload: %s; keeping the old configuration", err);
		return;
	}
	config_free(&m->cfg);
	m->cfg = nc;
	log_setlevel(log_parse_level(m->cfg.log_level));
	if (!m->workers_fixed)
		m->nworkers = (int)m->cfg.workers;
	log_info("reloaded configuration (%d workers); restarting children",
	    m->nworkers);
	master_plan(m);
	/* children pick the new config up as they are replaced */
	for (int i = 0; i < MASTER_MAX_CHILDREN; i++)
		if (m->children[i].pid > 0)
			kill(m->children[i].pid, SIGTERM);
}

/* Checks the database is migrated before announcing readiness. */
static int
master_check_ready(const struct master *m)
{
	char err[512];
	PGconn *db;
	int cur;

	if ((db = db_connect(m->cfg.database_url, "bomd-master", err,
	    sizeof(err))) == NULL) {
		log_warnx("%s", err);
		return -1;
	}
	cur = migrate_current(db);
	PQfinish(db);
	if (cur != 1) {
		log_warnx("database schema is not current: run bomd migrate");
		return -1;
	}
	return 0;
}

int
master_main(const char *config_path, enum master_role role, int workers)
{
	struct master *m;
	struct sigaction sa;
	sigset_t block, old;
	struct timespec tick = { 0, 200 * 1000000L };
	int64_t deadline, last_ping = 0;
	int i, rc = 0;
	uint64_t wd_usec = 0;
	char err[512];

	m = xcalloc(1, sizeof(*m));
	m->config_path = config_path;
	m->role = role;
	if (config_load(config_path, &m->cfg, err, sizeof(err)) == -1) {
		fprintf(stderr, "bomd: %s\n", err);
		free(m);
		return 1;
	}
	log_setlevel(log_parse_level(m->cfg.log_level));
	m->nworkers = workers > 0 ? workers : (int)m->cfg.workers;
	m->workers_fixed = workers > 0;
	if (master_check_ready(m) == -1) {
		config_free(&m->cfg);
		free(m);
		return 1;
	}
	proctitle_set("bomd: master");
	log_setname("master");
	srandom((unsigned int)(getpid() ^ now_ms()));
	master_startup_redis(m);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = master_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	sigaction(SIGTTIN, &sa, NULL);
	sigaction(SIGTTOU, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);

	master_plan(m);
	master_start_due(m);
	sd_watchdog_enabled(0, &wd_usec);
	sd_notifyf(0, "READY=1\nSTATUS=%d workers, api %s", m->nworkers,
	    role == ROLE_WORKER ? "off" : "on");
	log_info("serving: role %s, %d workers", role == ROLE_ALL ? "all" :
	    (role == ROLE_API ? "api" : "worker"), role == ROLE_API ? 0 :
	    m->nworkers);

	while (!got_term) {
		nanosleep(&tick, NULL);
		sigprocmask(SIG_BLOCK, &block, &old);
		got_chld = 0;
		master_reap(m);
		sigprocmask(SIG_SETMASK, &old, NULL);
		if (got_hup) {
			got_hup = 0;
			sd_notify(0, "RELOADING=1");
			master_reload(m);
			sd_notify(0, "READY=1");
		}
		if (got_ttin) {
			got_ttin = 0;
			if (m->nworkers < MASTER_MAX_CHILDREN - 1)
				m->nworkers++;
			log_info("workers: %d", m->nworkers);
			master_plan(m);
		}
		if (got_ttou) {
			got_ttou = 0;
			if (m->nworkers > 1)
				m->nworkers--;
			log_info("workers: %d", m->nworkers);
			master_plan(m);
		}
		master_start_due(m);
		if (wd_usec > 0 && now_ms() - last_ping >
		    (int64_t)(wd_usec / 2000)) {
			last_ping = now_ms();
			sd_notifyf(0, "WATCHDOG=1\nSTATUS=%d of %d children "
			    "running", master_running(m), m->nworkers +
			    (role != ROLE_WORKER));
		}
	}

	sd_notify(0, "STOPPING=1");
	log_info("stopping %d children", master_running(m));
	for (i = 0; i < MASTER_MAX_CHILDREN; i++)
		if (m->children[i].pid > 0)
			kill(m->children[i].pid, SIGTERM);
	deadline = now_ms() + (m->cfg.grace_period + 5) * 1000;
	while (master_running(m) > 0 && now_ms() < deadline) {
		nanosleep(&tick, NULL);
		master_reap(m);
	}
	for (i = 0; i < MASTER_MAX_CHILDREN; i++)
		if (m->children[i].pid > 0) {
			log_warnx("pid %d did not stop in time; killing",
			    (int)m->children[i].pid);
			kill(m->children[i].pid, SIGKILL);
			waitpid(m->children[i].pid, NULL, 0);
			m->children[i].pid = 0;
			/* not the job's fault: no crash counted */
			master_handback(m, &m->children[i], 0, "worker did "
			    "not finish within grace_period at stop");
		}
	log_info("stopped");
	if (m->redis != NULL)
		redisFree(m->redis);
	config_free(&m->cfg);
	free(m);
	return rc;
}
