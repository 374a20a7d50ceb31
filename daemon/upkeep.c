/*
 * The master's upkeep; see upkeep.h. It runs in the master between
 * signals, on connections of its own: PostgreSQL as the runtime role (the
 * narrow bomd_admin functions name what no tenant session may see) and
 * Redis, where a lock with an expiry gives each task to one master.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <jansson.h>

#include "config.h"
#include "db.h"
#include "log.h"
#include "queue.h"
#include "queue_master.h"
#include "redis_conn.h"
#include "upkeep.h"
#include "util.h"

#define UPKEEP_REDIS_TIMEOUT_MS	5000	/* a stream search may take a while */
#define UPKEEP_RECONCILE_MAX	"1000"	/* candidates a turn looks at */
#define UPKEEP_RECONCILE_MIN_MS	1000
#define UPKEEP_RECONCILE_MAX_MS	30000
#define UPKEEP_RETENTION_LIMIT	"10000"	/* rows of a table per call */
#define UPKEEP_RETENTION_CALLS	100	/* calls of a run at most */
#define UPKEEP_RETRY_MS		5000	/* after a failed connection */
#define UPKEEP_IDLE_MS		60000	/* nothing enabled: look again */
#define UPKEEP_PROBE_MS		2000	/* for the API's answer */

struct upkeep {
	PGconn		*db;
	redisContext	*redis;
	int64_t		 reconcile_at;	/* now_ms() times */
	int64_t		 retention_at;
	int		 retention_runs;
};

struct upkeep *
upkeep_new(void)
{
	return xcalloc(1, sizeof(struct upkeep));
}

/* "host:pid": who holds a task's lock. */
static void
upkeep_holder(char *buf, size_t len)
{
	char host[64];

	if (gethostname(host, sizeof(host)) == -1)
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	snprintf(buf, len, "%s:%d", host, (int)getpid());
}

void
upkeep_free(struct upkeep *u)
{
	static const char *const tasks[] = { "reconcile", "retention" };
	char me[96];
	redisReply *r;
	size_t i;

	if (u == NULL)
		return;
	/* the locks this master holds: the next master need not wait */
	upkeep_holder(me, sizeof(me));
	for (i = 0; u->redis != NULL && !u->redis->err &&
	    i < sizeof(tasks) / sizeof(tasks[0]); i++) {
		r = redisCommand(u->redis, "EVAL %s 1 bomd:upkeep:%s %s",
		    "if redis.call('GET', KEYS[1]) == ARGV[1] then "
		    "return redis.call('DEL', KEYS[1]) end return 0",
		    tasks[i], me);
		if (r != NULL)
			freeReplyObject(r);
	}
	if (u->db != NULL)
		PQfinish(u->db);
	if (u->redis != NULL)
		redisFree(u->redis);
	free(u);
}

/* The connections, (re)opened on demand; -1 when one is down. */
static int
upkeep_connect(struct upkeep *u, const struct config *cfg)
{
	char err[512];

	if (u->redis != NULL && u->redis->err) {
		redisFree(u->redis);
		u->redis = NULL;
	}
	if (u->redis == NULL && (u->redis = redis_conn_open(
	    cfg->redis_url, UPKEEP_REDIS_TIMEOUT_MS, err, sizeof(err))) ==
	    NULL) {
		log_warnx("upkeep: %s", err);
		return -1;
	}
	if (u->db != NULL && !db_ok(u->db)) {
		PQfinish(u->db);
		u->db = NULL;
	}
	if (u->db == NULL) {
		if ((u->db = db_connect(cfg->database_url, "bomd-master", err,
		    sizeof(err))) == NULL) {
			log_warnx("upkeep: %s", err);
			return -1;
		}
		if (db_use_role(u->db, cfg->database_role) == -1) {
			PQfinish(u->db);
			u->db = NULL;
			return -1;
		}
	}
	return 0;
}

/* 1 when this master may run task now (for ms), 0 when another does. */
static int
upkeep_lock(struct upkeep *u, const char *task, int64_t ms)
{
	char me[96];
	redisReply *r;
	int got;

	upkeep_holder(me, sizeof(me));
	r = redisCommand(u->redis, "SET bomd:upkeep:%s %s NX PX %lld", task,
	    me, (long long)ms);
	got = r != NULL && r->type == REDIS_REPLY_STATUS;
	if (r != NULL)
		freeReplyObject(r);
	return got;
}

/*
 * A job's request again, from its row: the request it kept, or the one
 * an upload queues ({project_id}: the project holds the BOM), with its own
 * client and job id. NULL when neither (an inline job whose BOM was only
 * in Redis). Caller frees.
 */
static char *
upkeep_request(const PGresult *res, int i)
{
	json_t *o = NULL;
	char *s;

	if (!PQgetisnull(res, i, 2))
		o = json_loads(PQgetvalue(res, i, 2), 0, NULL);
	else if (strcmp(PQgetvalue(res, i, 4), "t") == 0)
		o = json_pack("{s:s}", "project_id", PQgetvalue(res, i, 3));
	if (o == NULL || !json_is_object(o)) {
		json_decref(o);
		return NULL;
	}
	json_object_set_new(o, "client_id", json_string(PQgetvalue(res, i,
	    0)));
	json_object_set_new(o, "job_id", json_string(PQgetvalue(res, i, 1)));
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

/*
 * Queues again the jobs of jids[0..n) (each "client:job", missing from
 * Redis) that are still queued or running and old enough, each under its
 * tenants; touches their rows so the next turn leaves them alone.
 */
static void
upkeep_requeue(struct upkeep *u, const struct config *cfg,
    const char *const *jids, size_t n)
{
	struct buf tenants, list;
	const char *params[2];
	char after[24], sid[32], *req;
	PGresult *res;
	size_t i;
	int k;

	buf_init(&tenants);
	buf_init(&list);
	for (i = 0; i < n; i++) {
		buf_printf(&list, "%s\"%s\"", i ? "," : "{", jids[i]);
		if (strstr(tenants.data ? tenants.data : "", jids[i]) == NULL)
			buf_printf(&tenants, "%s%.*s", i ? "," : "",
			    UUID_STRLEN, jids[i]);
	}
	buf_puts(&list, "}");
	snprintf(after, sizeof(after), "%lld", (long long)cfg->reconcile_after);
	params[0] = list.data;
	params[1] = after;
	if (db_set_tenant(u->db, tenants.data) == -1 ||
	    (res = db_query(u->db, "SELECT j.client_id::text, j.job_id, "
	    "j.request::text, j.project_id::text, p.project_id IS NOT NULL "
	    "FROM jobs j LEFT JOIN projects p ON p.client_id = j.client_id "
	    "AND p.project_id = j.project_id WHERE j.client_id::text || ':' "
	    "|| j.job_id = ANY ($1::text[]) AND j.status IN ('queued', "
	    "'running') AND j.updated_at < now() - make_interval(secs => "
	    "$2::int)", 2, params, NULL, 0)) == NULL)
		goto out;
	for (k = 0; k < PQntuples(res); k++) {
		if ((req = upkeep_request(res, k)) == NULL)
			log_warnx("reconcile: job %s of client %s is queued "
			    "but its request was only in Redis: not queued "
			    "again", PQgetvalue(res, k, 1),
			    PQgetvalue(res, k, 0));
		else if (queue_add(u->redis, req, strlen(req), sid,
		    sizeof(sid)) == 0)
			log_info("reconcile: job %s of client %s was missing "
			    "from Redis; queued again as %s",
			    PQgetvalue(res, k, 1), PQgetvalue(res, k, 0), sid);
		else {
			free(req);
			break;
		}
		free(req);
		/* not a candidate again before reconcile_after */
		db_exec(u->db, "UPDATE jobs SET updated_at = now() WHERE "
		    "client_id = $1 AND job_id = $2", 2, (const char *[]){
		    PQgetvalue(res, k, 0), PQgetvalue(res, k, 1) });
	}
	PQclear(res);
out:
	db_set_tenant(u->db, "");
	buf_free(&tenants);
	buf_free(&list);
}

/* One reconciliation: the old queued jobs Redis does not hold. */
static void
upkeep_reconcile(struct upkeep *u, const struct config *cfg)
{
	char after[24];
	const char **jids = NULL, **gone = NULL;
	bool *missing = NULL;
	PGresult *res;
	size_t i, n, ngone = 0;

	snprintf(after, sizeof(after), "%lld", (long long)cfg->reconcile_after);
	if ((res = db_query(u->db, "SELECT client_id || ':' || job_id FROM "
	    "bomd_admin.reconcile_candidates($1::int, " UPKEEP_RECONCILE_MAX
	    ")", 1, (const char *[]){ after }, NULL, 0)) == NULL)
		return;
	if ((n = (size_t)PQntuples(res)) == 0)
		goto out;
	jids = xcalloc(n, sizeof(*jids));
	gone = xcalloc(n, sizeof(*gone));
	missing = xcalloc(n, sizeof(*missing));
	for (i = 0; i < n; i++)
		jids[i] = PQgetvalue(res, (int)i, 0);
	if (queue_missing(u->redis, jids, n, missing) == -1)
		goto out;
	for (i = 0; i < n; i++)
		if (missing[i])
			gone[ngone++] = jids[i];
	if (ngone > 0)
		upkeep_requeue(u, cfg, gone, ngone);
out:
	free(jids);
	free(gone);
	free(missing);
	PQclear(res);
}

/* One retention run: dead letters capped, old rows and steps removed. */
static void
upkeep_retention(struct upkeep *u, const struct config *cfg)
{
	static const char *const what[] = { "jobs", "llm_calls",
	    "job_checkpoints", "rejected_jobs", "x402_nonces", "traces" };
	int64_t total[6] = { 0 }, dead = 0, since;
	char days[24], steps[24], since_s[24], line[256];
	const char *params[3] = { days, steps, since_s };
	PGresult *res;
	size_t w, at = 0;
	int calls, k, full;

	if (cfg->retention_dead_max > 0)
		queue_trim_dead(u->redis, cfg->retention_dead_max, &dead);
	/* the first run looks at every project's trace, the next ones at
	 * those updated since the run before */
	since = u->retention_runs++ == 0 ? 0 : 2 * cfg->retention_every + 60;
	snprintf(days, sizeof(days), "%lld", (long long)cfg->retention_days);
	snprintf(steps, sizeof(steps), "%lld",
	    (long long)cfg->retention_trace_steps);
	snprintf(since_s, sizeof(since_s), "%lld", (long long)since);
	for (calls = 0, full = cfg->retention_days > 0 ||
	    cfg->retention_trace_steps > 0; full &&
	    calls < UPKEEP_RETENTION_CALLS; calls++) {
		if ((res = db_query(u->db, "SELECT what, n FROM "
		    "bomd_admin.retention($1::int, $2::int, $3::int, "
		    UPKEEP_RETENTION_LIMIT ")", 3, params, NULL, 0)) == NULL)
			break;
		full = 0;
		for (k = 0; k < PQntuples(res); k++)
			for (w = 0; w < sizeof(what) / sizeof(what[0]); w++)
				if (strcmp(what[w], PQgetvalue(res, k, 0)) ==
				    0) {
					total[w] += strtoll(PQgetvalue(res, k,
					    1), NULL, 10);
					full |= strcmp(PQgetvalue(res, k, 1),
					    UPKEEP_RETENTION_LIMIT) == 0;
				}
		PQclear(res);
	}
	line[0] = '\0';
	for (w = 0; w < sizeof(what) / sizeof(what[0]); w++)
		if (total[w] > 0 && at < sizeof(line))
			at += (size_t)snprintf(line + at, sizeof(line) - at,
			    " %s %lld", what[w], (long long)total[w]);
	if (dead > 0 && at < sizeof(line))
		snprintf(line + at, sizeof(line) - at, " dead letters %lld",
		    (long long)dead);
	if (line[0] != '\0')
		log_info("retention: removed%s", line);
}

int64_t
upkeep_run(struct upkeep *u, const struct config *cfg)
{
	int64_t now = now_ms(), every, next;

	every = cfg->reconcile_after * 1000 / 2;
	if (every < UPKEEP_RECONCILE_MIN_MS)
		every = UPKEEP_RECONCILE_MIN_MS;
	if (every > UPKEEP_RECONCILE_MAX_MS)
		every = UPKEEP_RECONCILE_MAX_MS;
	if (now >= u->reconcile_at || now >= u->retention_at) {
		if (upkeep_connect(u, cfg) == -1)
			return now + UPKEEP_RETRY_MS;
		if (cfg->reconcile_after > 0 && now >= u->reconcile_at) {
			u->reconcile_at = now + every;
			if (upkeep_lock(u, "reconcile", every))
				upkeep_reconcile(u, cfg);
		}
		if (now >= u->retention_at) {
			u->retention_at = now + cfg->retention_every * 1000;
			if (upkeep_lock(u, "retention",
			    cfg->retention_every * 1000))
				upkeep_retention(u, cfg);
		}
	}
	next = u->retention_at;
	if (cfg->reconcile_after > 0 && u->reconcile_at < next)
		next = u->reconcile_at;
	return next < now + UPKEEP_IDLE_MS ? next : now + UPKEEP_IDLE_MS;
}

/* Waits up to ms for events on fd; 1 when they came. */
static int
upkeep_poll(int fd, short events, int ms)
{
	struct pollfd p = { fd, events, 0 };
	int n;

	while ((n = poll(&p, 1, ms)) == -1 && errno == EINTR)
		;
	return n == 1 && (p.revents & events);
}

int
upkeep_probe_api(const struct config *cfg)
{
	static const char req[] = "GET / HTTP/1.0\r\nHost: bomd\r\n\r\n";
	struct sockaddr_in sa;
	char host[256], buf[16];
	const char *colon = strrchr(cfg->listen, ':');
	int64_t port;
	ssize_t n;
	int fd, ok = 0;

	if (colon == NULL || (size_t)(colon - cfg->listen) >= sizeof(host) ||
	    parse_i64(colon + 1, 1, 65535, &port, NULL) == -1)
		return -1;
	memcpy(host, cfg->listen, (size_t)(colon - cfg->listen));
	host[colon - cfg->listen] = '\0';
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	/* any address: ask on the loopback */
	if (host[0] == '\0' || strcmp(host, "*") == 0 ||
	    strcmp(host, "localhost") == 0 ||
	    inet_pton(AF_INET, host, &sa.sin_addr) != 1 ||
	    sa.sin_addr.s_addr == htonl(INADDR_ANY))
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1)
		return -1;
	if ((connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 ||
	    errno == EINPROGRESS) &&
	    upkeep_poll(fd, POLLOUT, UPKEEP_PROBE_MS) &&
	    write(fd, req, sizeof(req) - 1) == (ssize_t)sizeof(req) - 1 &&
	    upkeep_poll(fd, POLLIN, UPKEEP_PROBE_MS) &&
	    (n = read(fd, buf, sizeof(buf) - 1)) >= 7) {
		buf[n] = '\0';
		ok = strncmp(buf, "HTTP/1.", 7) == 0;
	}
	close(fd);
	return ok;
}
