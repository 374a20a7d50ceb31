/*
 * Master: forks the API process and N workers, restarts a child that dies
 * (with backoff and crash-storm damping), hands a dead worker's jobs back
 * to the queue at once, reloads on SIGHUP, resizes the pool on
 * SIGTTIN/SIGTTOU and stops everything cleanly on SIGTERM. It sleeps in
 * sigtimedwait() until a signal or the next deadline (a respawn, the
 * watchdog ping, the end of the stop grace).
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

#include "admin/migrate.h"
#include "api/api.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "master.h"
#include "proctitle.h"
#include "queue.h"
#include "queue_master.h"
#include "redis_conn.h"
#include "signals.h"
#include "upkeep.h"
#include "util.h"
#include "worker/worker.h"

#define MASTER_MAX_CHILDREN	257	/* the API process + 256 workers */
#define MASTER_REDIS_TIMEOUT_MS	1000	/* the supervisor never waits long */
#define MASTER_FORK_RETRY_MS	1000
#define MASTER_NO_DEADLINE	INT64_MAX
#define MASTER_PROBE_FAILS	3	/* unanswered probes kill the API */

/*
 * The master keeps these blocked and takes them with sigtimedwait(), so
 * the handler never runs; it is installed so that a blocked SIGCHLD is
 * kept pending (POSIX may discard an ignored one) and SIGTTIN/SIGTTOU
 * never stop the process.
 */
static void
master_on_signal(int sig)
{
	(void)sig;
}

static const struct signal_row master_signals[] = {
	{ SIGTERM, master_on_signal },
	{ SIGINT, master_on_signal },
	{ SIGHUP, master_on_signal },
	{ SIGCHLD, master_on_signal },
	{ SIGTTIN, master_on_signal },
	{ SIGTTOU, master_on_signal },
	{ SIGPIPE, SIG_IGN },
};

/* A child starts with these at their defaults, then sets its own. */
static const struct signal_row master_child_signals[] = {
	{ SIGTERM, SIG_DFL },
	{ SIGINT, SIG_DFL },
	{ SIGHUP, SIG_DFL },
	{ SIGCHLD, SIG_DFL },
	{ SIGTTIN, SIG_DFL },
	{ SIGTTOU, SIG_DFL },
};

#define MASTER_NSIGNALS	(sizeof(master_signals) / sizeof(master_signals[0]))
#define MASTER_NCHILD_SIGNALS \
	(sizeof(master_child_signals) / sizeof(master_child_signals[0]))

static const struct master_role_row {
	const char		*name;
	enum master_role	 role;
} master_roles[] = {
	{ "all", MASTER_ROLE_ALL },
	{ "api", MASTER_ROLE_API },
	{ "worker", MASTER_ROLE_WORKER },
};

struct master_child {
	pid_t	pid;		/* 0: not running */
	int	is_api;
	int	slot;		/* worker number from 1; 0: the API process */
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
	struct master_child	 children[MASTER_MAX_CHILDREN];
	int		 nworkers;
	int		 workers_fixed;	/* --workers given: reload keeps it */
	struct master_storm storm;
	redisContext	*redis;		/* for hand-backs; NULL when down */
	sigset_t	 handled;	/* blocked; taken by master_wait() */
	struct upkeep	*upkeep;	/* reconciliation, retention */
	int64_t		 upkeep_at;	/* when it is due next */
	int64_t		 ping_every_ms;	/* systemd watchdog; 0: off */
	int64_t		 ping_at_ms;	/* the next WATCHDOG=1 */
	int64_t		 probe_at_ms;	/* the next probe of the API */
	int		 probe_fails;	/* in a row */
	int		 term;		/* SIGTERM/SIGINT: stopping */
	int		 listen_fd;	/* every API process's; -1: no API */
	/*
	 * The start gate: the first children are forked at once and wait
	 * for EOF on gate[0] while the master checks the database and
	 * hands back what a previous run left pending; -1 once open.
	 */
	int		 gate[2];
};

int
master_role_parse(const char *s, enum master_role *role)
{
	size_t i;

	for (i = 0; i < sizeof(master_roles) / sizeof(master_roles[0]); i++)
		if (strcmp(s, master_roles[i].name) == 0) {
			*role = master_roles[i].role;
			return 0;
		}
	return -1;
}

const char *
master_role_name(enum master_role role)
{
	size_t i;

	for (i = 0; i < sizeof(master_roles) / sizeof(master_roles[0]); i++)
		if (master_roles[i].role == role)
			return master_roles[i].name;
	return "?";
}

int64_t
master_backoff(int *failures, int64_t ran_ms)
{
	int64_t delay;

	if (ran_ms >= MASTER_STABLE_MS)
		*failures = 0;
	delay = *failures == 0 ? 0 : 100LL << (*failures > 8 ? 8 : *failures);
	(*failures)++;
	return delay;
}

size_t
master_storm_limit(int nchildren)
{
	size_t limit = MASTER_STORM_DEATHS + 2 * (size_t)nchildren;

	return limit > MASTER_STORM_HIST ? MASTER_STORM_HIST : limit;
}

bool
master_storm_record(struct master_storm *s, int64_t now, int nchildren)
{
	size_t limit = master_storm_limit(nchildren);

	memmove(&s->deaths[1], &s->deaths[0],
	    (MASTER_STORM_HIST - 1) * sizeof(s->deaths[0]));
	s->deaths[0] = now;
	if (s->ndeaths < MASTER_STORM_HIST)
		s->ndeaths++;
	return s->ndeaths >= limit &&
	    now - s->deaths[limit - 1] < MASTER_STORM_WINDOW_MS;
}

static const char *
master_child_kind(const struct master_child *ch)
{
	return ch->is_api ? "api" : "worker";
}

static void
master_spawn(struct master *m, struct master_child *ch)
{
	char title[64];
	sigset_t none;
	pid_t pid;
	int status;

	switch ((pid = fork())) {
	case -1:
		log_warn("fork");
		ch->respawn_at_ms = now_ms() + MASTER_FORK_RETRY_MS;
		return;
	case 0:
		if (m->gate[0] != -1) {
			char c;

			close(m->gate[1]);
			while (read(m->gate[0], &c, 1) == -1 && errno == EINTR)
				;
		}
		/*
		 * The master's Redis and PostgreSQL sockets are not ours; the
		 * API keeps the listening socket, as the first fd after stderr.
		 */
		if (ch->is_api) {
			if (dup2(m->listen_fd, STDERR_FILENO + 1) == -1)
				_exit(2);
			closefrom(STDERR_FILENO + 2);
		} else
			closefrom(STDERR_FILENO + 1);
		signals_install(master_child_signals, MASTER_NCHILD_SIGNALS);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		/* none outlives the master */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() == 1)
			_exit(0);
		if (ch->is_api) {
			proctitle_set("bomd: api");
			log_setname("api");
			status = api_main(&m->cfg, STDERR_FILENO + 1);
		} else {
			snprintf(title, sizeof(title), "bomd: worker %d",
			    ch->slot);
			proctitle_set(title);
			log_setname(title + strlen("bomd: "));
			status = worker_main(&m->cfg, ch->slot);
		}
		fflush(NULL);
		_exit(status);
	default:
		ch->pid = pid;
		ch->started_ms = now_ms();
		log_debug("started %s %d as pid %d", master_child_kind(ch),
		    ch->slot, (int)pid);
	}
}

static struct master_child *
master_find(struct master *m, pid_t pid)
{
	size_t i;

	for (i = 0; i < MASTER_MAX_CHILDREN; i++)
		if (m->children[i].pid == pid)
			return &m->children[i];
	return NULL;
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
	    (m->redis = redis_conn_open(m->cfg.redis_url,
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
master_handback(struct master *m, const struct master_child *ch, int crashed,
    const char *reason)
{
	char consumer[128];
	redisContext *c;
	size_t n = 0;
	int rc;

	if (ch->is_api || m->role == MASTER_ROLE_API)
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
	if (m->role == MASTER_ROLE_API ||
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

/* "worker 3 (pid 812) killed by signal 6 (Aborted)", "... exited with 1" */
static void
master_describe(const struct master_child *ch, pid_t pid, int status, char *buf,
    size_t len)
{
	if (WIFSIGNALED(status))
		snprintf(buf, len, "%s %d (pid %d) killed by signal %d (%s)",
		    master_child_kind(ch), ch->slot, (int)pid,
		    WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		snprintf(buf, len, "%s %d (pid %d) exited with %d",
		    master_child_kind(ch), ch->slot, (int)pid,
		    WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

/* Collects every dead child and sets when (or whether) it restarts. */
static void
master_reap(struct master *m)
{
	struct master_child *ch;
	char why[160];
	int64_t delay, now;
	pid_t pid;
	int status, planned;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if ((ch = master_find(m, pid)) == NULL)
			continue;
		ch->pid = 0;
		now = now_ms();
		planned = WIFEXITED(status) && WEXITSTATUS(status) == 0;
		master_describe(ch, pid, status, why, sizeof(why));
		/* before anything restarts the slot */
		master_handback(m, ch, !planned, why);
		if (m->term || !ch->wanted)
			continue;
		if (planned) {
			/* stopped for a reload or recycled: not a failure */
			log_info("%s; restarting", why);
			ch->respawn_at_ms = now;
			continue;
		}
		if (WIFEXITED(status) && WEXITSTATUS(status) == 2) {
			log_warnx("%s %d cannot start (exit 2); not restarting",
			    master_child_kind(ch), ch->slot);
			ch->disabled = 1;
			continue;
		}
		log_warnx("%s", why);
		delay = master_backoff(&ch->failures, now - ch->started_ms);
		if (master_storm_record(&m->storm, now, m->nworkers + 1)) {
			log_warnx("crash storm: %zu deaths within %d s; "
			    "restarting at most every %d s",
			    master_storm_limit(m->nworkers + 1),
			    MASTER_STORM_WINDOW_MS / 1000,
			    MASTER_BACKOFF_MAX_MS / 1000);
			delay = MASTER_BACKOFF_MAX_MS;
		}
		ch->respawn_at_ms = now + delay;
	}
}

/* Makes the set of wanted children match the role and worker count. */
static void
master_plan(struct master *m)
{
	int i;

	m->children[0].is_api = 1;
	m->children[0].wanted = m->role != MASTER_ROLE_WORKER;
	for (i = 1; i < MASTER_MAX_CHILDREN; i++) {
		m->children[i].slot = i;
		m->children[i].wanted = m->role != MASTER_ROLE_API &&
		    i <= m->nworkers;
		if (!m->children[i].wanted && m->children[i].pid > 0)
			kill(m->children[i].pid, SIGTERM);
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
master_kill_all(struct master *m, int sig)
{
	int i;

	for (i = 0; i < MASTER_MAX_CHILDREN; i++)
		if (m->children[i].pid > 0)
			kill(m->children[i].pid, sig);
}

/*
 * The API process's watchdog: one that has run a while and fails
 * MASTER_PROBE_FAILS probes in a row (hung: its threads or its event loop
 * stuck) is killed, and restarted as any child that died.
 */
static void
master_probe(struct master *m, int64_t now)
{
	struct master_child *api = &m->children[0];

	m->probe_at_ms = now + m->cfg.api_probe_every * 1000;
	if (api->pid == 0 || now - api->started_ms < MASTER_STABLE_MS ||
	    upkeep_probe_api(&m->cfg) != 0) {
		m->probe_fails = 0;
		return;
	}
	if (++m->probe_fails < MASTER_PROBE_FAILS)
		return;
	log_warnx("api (pid %d) did not answer %d probes in a row; killing "
	    "it", (int)api->pid, m->probe_fails);
	kill(api->pid, SIGKILL);
	m->probe_fails = 0;
}

/* The next time master_run_due() has work; MASTER_NO_DEADLINE for none. */
static int64_t
master_next_due(const struct master *m)
{
	const struct master_child *ch;
	int64_t due = MASTER_NO_DEADLINE;
	int i;

	for (i = 0; i < MASTER_MAX_CHILDREN; i++) {
		ch = &m->children[i];
		if (ch->wanted && ch->pid == 0 && !ch->disabled &&
		    ch->respawn_at_ms < due)
			due = ch->respawn_at_ms;
	}
	if (m->ping_every_ms > 0 && m->ping_at_ms < due)
		due = m->ping_at_ms;
	if (m->upkeep_at < due)
		due = m->upkeep_at;
	if (m->cfg.api_probe_every > 0 && m->children[0].pid > 0 &&
	    m->probe_at_ms < due)
		due = m->probe_at_ms;
	return due;
}

/* Forks the wanted children that are not running and are due. */
static void
master_spawn_due(struct master *m, int64_t now)
{
	struct master_child *ch;
	int i;

	for (i = 0; i < MASTER_MAX_CHILDREN; i++) {
		ch = &m->children[i];
		if (ch->wanted && ch->pid == 0 && !ch->disabled &&
		    now >= ch->respawn_at_ms)
			master_spawn(m, ch);
	}
}

/*
 * Starts the children whose time has come, pings the watchdog and runs
 * the upkeep when due.
 */
static void
master_run_due(struct master *m)
{
	int64_t now = now_ms();

	master_spawn_due(m, now);
	if (!m->term && now >= m->upkeep_at)
		m->upkeep_at = upkeep_run(m->upkeep, &m->cfg);
	if (!m->term && m->cfg.api_probe_every > 0 && now >= m->probe_at_ms)
		master_probe(m, now);
	if (m->ping_every_ms > 0 && now >= m->ping_at_ms) {
		m->ping_at_ms = now + m->ping_every_ms;
		sd_notifyf(0, "WATCHDOG=1\nSTATUS=%d of %d children running",
		    master_running(m), m->nworkers +
		    (m->role != MASTER_ROLE_WORKER));
	}
}

/*
 * Waits for one of the handled signals, or until due (a now_ms() time, or
 * MASTER_NO_DEADLINE). Returns the signal, or 0 when the time is up.
 */
static int
master_wait(const struct master *m, int64_t due)
{
	struct timespec ts;
	int64_t ms;
	int sig;

	if (due == MASTER_NO_DEADLINE)
		sig = sigwaitinfo(&m->handled, NULL);
	else {
		ms = due - now_ms();
		if (ms < 0)
			ms = 0;
		ts.tv_sec = (time_t)(ms / 1000);
		ts.tv_nsec = (long)(ms % 1000) * 1000000L;
		sig = sigtimedwait(&m->handled, NULL, &ts);
	}
	if (sig == -1 && errno != EAGAIN && errno != EINTR)
		fatal("sigtimedwait");
	return sig == -1 ? 0 : sig;
}

static void
master_reload(struct master *m)
{
	struct config nc;
	char err[512];

	if (config_load(m->config_path, &nc, err, sizeof(err)) == -1 ||
	    (m->listen_fd != -1 && api_listen_reload(&m->cfg, &nc,
	    &m->listen_fd, err, sizeof(err)) == -1)) {
		log_warnx("reload: %s; keeping the old configuration", err);
		config_free(&nc);
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
	master_kill_all(m, SIGTERM);
}

/* SIGTTIN (+1) and SIGTTOU (-1): one worker more or less, 1 to 256. */
static void
master_resize(struct master *m, int delta)
{
	if (m->nworkers + delta >= 1 &&
	    m->nworkers + delta <= MASTER_MAX_CHILDREN - 1)
		m->nworkers += delta;
	log_info("workers: %d", m->nworkers);
	master_plan(m);
}

/*
 * Warns when database_url logs in as a role that row-level security
 * cannot hold (a superuser, or one that may act as the schema owner: one
 * RESET ROLE away from every tenant's rows): the one-role install.
 */
static void
master_check_role(PGconn *db)
{
	PGresult *r;

	r = db_query(db, "SELECT current_user, r.rolsuper OR r.rolbypassrls OR "
	    "pg_has_role(r.oid, c.relowner, 'MEMBER') FROM pg_roles r, "
	    "pg_class c WHERE r.rolname = current_user AND "
	    "c.oid = 'public.clients'::regclass", 0, NULL, NULL, 0);
	if (r != NULL && PQntuples(r) == 1 &&
	    strcmp(PQgetvalue(r, 0, 1), "t") == 0)
		log_warnx("database_url logs in as %s, which owns the schema "
		    "or is a superuser: row-level security holds only while "
		    "nothing runs RESET ROLE; give the daemon a role of its "
		    "own (database_owner_url for bomd migrate; README: "
		    "database roles)", PQgetvalue(r, 0, 0));
	PQclear(r);
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
	if (cur == 1)
		master_check_role(db);
	PQfinish(db);
	if (cur != 1) {
		log_warnx("database schema is not current: run bomd migrate");
		return -1;
	}
	return 0;
}

/*
 * SIGTERM to every child, then waits up to grace_period (plus 5 s) for
 * them; a child still running then is killed and its jobs handed back.
 */
static void
master_stop(struct master *m)
{
	int64_t deadline;
	int i;

	sd_notify(0, "STOPPING=1");
	log_info("stopping %d children", master_running(m));
	master_kill_all(m, SIGTERM);
	deadline = now_ms() + (m->cfg.grace_period + 5) * 1000;
	master_reap(m);
	while (master_running(m) > 0 && now_ms() < deadline)
		if (master_wait(m, deadline) == SIGCHLD)
			master_reap(m);
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
}

int
master_main(const char *config_path, enum master_role role, int workers)
{
	struct master *m;
	uint64_t wd_usec = 0;
	char err[512];
	int i;

	m = xcalloc(1, sizeof(*m));
	m->config_path = config_path;
	m->role = role;
	if (config_load(config_path, &m->cfg, err, sizeof(err)) == -1) {
		fprintf(stderr, "bomd: %s\n", err);
		free(m);
		return 1;
	}
	m->listen_fd = -1;
	if (role != MASTER_ROLE_WORKER &&
	    (m->listen_fd = api_listen(&m->cfg, err, sizeof(err))) == -1) {
		fprintf(stderr, "bomd: %s\n", err);
		config_free(&m->cfg);
		free(m);
		return 1;
	}
	log_setlevel(log_parse_level(m->cfg.log_level));
	m->nworkers = workers > 0 ? workers : (int)m->cfg.workers;
	m->workers_fixed = workers > 0;
	proctitle_set("bomd: master");
	log_setname("master");
	srandom((unsigned int)(getpid() ^ now_ms()));

	/* blocked before the first fork: no SIGCHLD is missed */
	signals_install(master_signals, MASTER_NSIGNALS);
	signals_set(master_signals, MASTER_NSIGNALS, &m->handled);
	sigprocmask(SIG_BLOCK, &m->handled, NULL);

	/* the children are forked now and start when the checks pass */
	if (pipe(m->gate) == -1) {
		log_warn("pipe");
		m->gate[0] = m->gate[1] = -1;
	}
	m->upkeep = upkeep_new();
	master_plan(m);
	master_spawn_due(m, now_ms());
	if (master_check_ready(m) == -1) {
		/* still at the gate: they have done nothing */
		master_kill_all(m, SIGKILL);
		for (i = 0; i < MASTER_MAX_CHILDREN; i++)
			if (m->children[i].pid > 0)
				waitpid(m->children[i].pid, NULL, 0);
		upkeep_free(m->upkeep);
		if (m->listen_fd != -1)
			close(m->listen_fd);
		config_free(&m->cfg);
		free(m);
		return 1;
	}
	master_startup_redis(m);
	if (m->gate[0] != -1) {
		close(m->gate[0]);
		close(m->gate[1]);
		m->gate[0] = m->gate[1] = -1;
	}
	master_run_due(m);
	sd_notifyf(0, "READY=1\nSTATUS=%d workers, api %s", m->nworkers,
	    role == MASTER_ROLE_WORKER ? "off" : "on");
	log_info("serving: role %s, %d workers", master_role_name(role),
	    role == MASTER_ROLE_API ? 0 : m->nworkers);
	/* WATCHDOG=1 twice per systemd's WatchdogSec, the first one now */
	if (sd_watchdog_enabled(0, &wd_usec) > 0 && wd_usec > 0)
		m->ping_every_ms = wd_usec < 2000 ? 1 :
		    (int64_t)(wd_usec / 2000);

	while (!m->term) {
		switch (master_wait(m, master_next_due(m))) {
		case SIGCHLD:
			master_reap(m);
			break;
		case SIGHUP:
			sd_notify(0, "RELOADING=1");
			master_reload(m);
			sd_notify(0, "READY=1");
			break;
		case SIGTTIN:
			master_resize(m, 1);
			break;
		case SIGTTOU:
			master_resize(m, -1);
			break;
		case SIGTERM:
		case SIGINT:
			m->term = 1;
			continue;
		}
		master_run_due(m);
	}

	master_stop(m);
	if (m->listen_fd != -1)
		close(m->listen_fd);
	upkeep_free(m->upkeep);
	if (m->redis != NULL)
		redisFree(m->redis);
	config_free(&m->cfg);
	free(m);
	return 0;
}
