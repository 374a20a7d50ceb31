/*
 * PostgreSQL helpers on libpq. Statements always travel with separate
 * parameters; nothing is spliced into SQL text.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "log.h"
#include "util.h"

PGconn *
db_connect(const char *url, const char *appname, char *err, size_t errlen)
{
	/*
	 * gssencmode first: a default the URL (expanded from dbname) or
	 * PGGSSENCMODE overrides. libpq's own default, prefer, loads
	 * Kerberos to look for credentials on every connect: almost 1 MB
	 * of pages per process, for an encryption hardly anyone uses
	 * (Kerberos authentication works without it).
	 */
	static const char *keys[] = { "gssencmode", "dbname",
	    "connect_timeout", "application_name", "options", NULL };
	const char *vals[6];
	const char *const *k = keys;
	const char **v = vals;
	char opts[128];
	PGconn *c;

	snprintf(opts, sizeof(opts), "-c TimeZone=UTC -c statement_timeout=%d"
	    " -c idle_in_transaction_session_timeout=%d"
	    " -c client_min_messages=warning",
	    DB_STATEMENT_TIMEOUT_MS, DB_STATEMENT_TIMEOUT_MS * 2);
	vals[0] = "disable";
	vals[1] = url;
	vals[2] = "10";
	vals[3] = appname;
	vals[4] = opts;
	vals[5] = NULL;
	if (getenv("PGGSSENCMODE") != NULL) {
		k++;
		v++;
	}
	/* expand_dbname: url may be a URI or a conninfo string */
	c = PQconnectdbParams(k, v, 1);
	if (c == NULL) {
		snprintf(err, errlen, "postgresql: out of memory");
		return NULL;
	}
	if (PQstatus(c) != CONNECTION_OK) {
		snprintf(err, errlen, "postgresql: %s", PQerrorMessage(c));
		err[strcspn(err, "\n")] = '\0';
		PQfinish(c);
		return NULL;
	}
	return c;
}

int
db_use_role(PGconn *c, const char *role)
{
	const char *params[1] = { role };

	if (role == NULL || role[0] == '\0' || strcmp(role, "none") == 0)
		return 0;
	return db_exec(c, "SELECT set_config('role', $1, false)", 1, params);
}

PGresult *
db_query(PGconn *c, const char *sql, int nparams, const char *const *params,
    char *err, size_t errlen)
{
	PGresult *r;
	ExecStatusType st;
	char msg[512];

	r = PQexecParams(c, sql, nparams, NULL, params, NULL, NULL, 0);
	st = PQresultStatus(r);
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		return r;
	snprintf(msg, sizeof(msg), "%s", r ? PQresultErrorMessage(r) :
	    PQerrorMessage(c));
	msg[strcspn(msg, "\n")] = '\0';
	if (err != NULL)
		snprintf(err, errlen, "%s", msg);
	else
		log_warnx("postgresql: %s", msg);
	PQclear(r);
	return NULL;
}

/* True when r failed because its prepared statement does not exist. */
static bool
db_unprepared(const PGresult *r)
{
	const char *state;

	state = r != NULL ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	return state != NULL && strcmp(state, "26000") == 0;
}

PGresult *
db_query_prepared(PGconn *c, const char *name, const char *sql, int nparams,
    const char *const *params)
{
	PGresult *r;
	char msg[512];

	r = PQexecPrepared(c, name, nparams, params, NULL, NULL, 0);
	if (PQresultStatus(r) == PGRES_TUPLES_OK ||
	    PQresultStatus(r) == PGRES_COMMAND_OK)
		return r;
	if (db_unprepared(r)) {
		PQclear(r);
		r = PQprepare(c, name, sql, nparams, NULL);
		if (PQresultStatus(r) == PGRES_COMMAND_OK) {
			PQclear(r);
			r = PQexecPrepared(c, name, nparams, params, NULL,
			    NULL, 0);
			if (PQresultStatus(r) == PGRES_TUPLES_OK ||
			    PQresultStatus(r) == PGRES_COMMAND_OK)
				return r;
		}
	}
	snprintf(msg, sizeof(msg), "%s", r ? PQresultErrorMessage(r) :
	    PQerrorMessage(c));
	msg[strcspn(msg, "\n")] = '\0';
	log_warnx("postgresql: %s", msg);
	PQclear(r);
	return NULL;
}

int
db_exec(PGconn *c, const char *sql, int nparams, const char *const *params)
{
	PGresult *r;

	if ((r = db_query(c, sql, nparams, params, NULL, 0)) == NULL)
		return -1;
	PQclear(r);
	return 0;
}

int
db_begin(PGconn *c)
{
	return db_exec(c, "BEGIN", 0, NULL);
}

int
db_commit(PGconn *c)
{
	return db_exec(c, "COMMIT", 0, NULL);
}

void
db_rollback(PGconn *c)
{
	PGresult *r;

	if (PQtransactionStatus(c) == PQTRANS_IDLE)
		return;
	r = PQexec(c, "ROLLBACK");
	PQclear(r);
}

bool
db_ok(PGconn *c)
{
	/* no PQreset(): a new session would lose its role; reconnect */
	return c != NULL && PQstatus(c) == CONNECTION_OK;
}

int
db_set_tenant(PGconn *c, const char *client_id)
{
	const char *params[1] = { client_id };

	return db_exec(c, "SELECT set_config('bomd.client_id', $1, false)", 1,
	    params);
}

/* Sends statement s of a pipeline: 1, or 0 when libpq refused it. */
static int
db_pipeline_send(PGconn *c, const struct db_stmt *s)
{
	if (s->name != NULL)
		return PQsendQueryPrepared(c, s->name, s->nparams, s->params,
		    NULL, NULL, 0);
	return PQsendQueryParams(c, s->sql, s->nparams, NULL, s->params, NULL,
	    NULL, 0);
}

/*
 * Checks the result r of statement s, which failed: true (nothing
 * logged) when it only lacked its prepared statement, else logs why.
 */
static bool
db_pipeline_unprepared(const struct db_stmt *s, const PGresult *r)
{
	char msg[512];

	if (PQresultStatus(r) == PGRES_PIPELINE_ABORTED)
		return false;
	if (s->name != NULL && db_unprepared(r))
		return true;
	snprintf(msg, sizeof(msg), "%s", PQresultErrorMessage(r));
	msg[strcspn(msg, "\n")] = '\0';
	log_warnx("postgresql: %s", msg);
	return false;
}

/*
 * db_pipeline() once; *missing is the index of a named statement the
 * session lacks (n when none).
 */
static int
db_pipeline_once(PGconn *c, struct db_stmt *s, size_t n, size_t *missing)
{
	PGresult *r;
	ExecStatusType st;
	size_t i, sent;
	int rc = 0;

	*missing = n;
	for (i = 0; i < n; i++)
		s[i].res = NULL;
	if (PQenterPipelineMode(c) != 1) {
		log_warnx("postgresql: cannot enter pipeline mode: %s",
		    PQerrorMessage(c));
		return -1;
	}
	for (sent = 0; sent < n; sent++)
		if (db_pipeline_send(c, &s[sent]) != 1)
			break;
	if (sent < n || PQpipelineSync(c) != 1) {
		log_warnx("postgresql: %s", PQerrorMessage(c));
		rc = -1;
		if (sent < n && PQpipelineSync(c) != 1)
			goto out;	/* the connection is gone */
	}
	for (i = 0; i < sent; i++) {
		if ((r = PQgetResult(c)) == NULL) {
			rc = -1;
			goto out;
		}
		st = PQresultStatus(r);
		if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
			s[i].res = r;
		else {
			/* statements after a failed one are skipped */
			if (db_pipeline_unprepared(&s[i], r))
				*missing = i;
			PQclear(r);
			rc = -1;
		}
		while ((r = PQgetResult(c)) != NULL)
			PQclear(r);
	}
	/* the sync's own result */
	while ((r = PQgetResult(c)) != NULL) {
		st = PQresultStatus(r);
		PQclear(r);
		if (st == PGRES_PIPELINE_SYNC)
			break;
		if (PQstatus(c) != CONNECTION_OK)
			break;
	}
out:
	if (PQexitPipelineMode(c) != 1) {
		log_warnx("postgresql: cannot leave pipeline mode: %s",
		    PQerrorMessage(c));
		rc = -1;
	}
	if (rc == -1)
		db_pipeline_clear(s, n);
	return rc;
}

int
db_pipeline(PGconn *c, struct db_stmt *s, size_t n)
{
	PGresult *r;
	size_t missing, tries;
	int rc;

	for (tries = 0; ; tries++) {
		rc = db_pipeline_once(c, s, n, &missing);
		if (rc == 0 || missing == n || tries == n)
			break;
		r = PQprepare(c, s[missing].name, s[missing].sql,
		    s[missing].nparams, NULL);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			log_warnx("postgresql: %s", PQresultErrorMessage(r));
			PQclear(r);
			break;
		}
		PQclear(r);
	}
	if (rc == -1 && missing < n)
		log_warnx("postgresql: statement %s not prepared",
		    s[missing].name);
	return rc;
}

void
db_pipeline_clear(struct db_stmt *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		PQclear(s[i].res);
		s[i].res = NULL;
	}
}

struct db_pool {
	pthread_mutex_t	  mu;
	pthread_cond_t	  cv;
	char		 *url;
	char		 *appname;
	char		 *role;
	PGconn		**idle;
	size_t		  nidle;
	size_t		  nopen;
	size_t		  max;
};

struct db_pool *
db_pool_new(const char *url, const char *appname, const char *role,
    size_t max)
{
	struct db_pool *p;

	p = xcalloc(1, sizeof(*p));
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	p->url = xstrdup(url);
	p->appname = xstrdup(appname);
	p->role = role ? xstrdup(role) : NULL;
	p->max = max ? max : 1;
	p->idle = xcalloc(p->max, sizeof(*p->idle));
	return p;
}

void
db_pool_free(struct db_pool *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->nidle; i++)
		PQfinish(p->idle[i]);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	free(p->idle);
	free(p->url);
	free(p->appname);
	free(p->role);
	free(p);
}

/* Gives up one of p's open slots: closes c (if any), wakes a waiter. */
static void
db_pool_drop(struct db_pool *p, PGconn *c)
{
	PQfinish(c);
	pthread_mutex_lock(&p->mu);
	p->nopen--;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

PGconn *
db_pool_get(struct db_pool *p, int wait_ms)
{
	struct timespec until;
	PGconn *c = NULL;
	char err[512];
	int open_new = 0;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += wait_ms / 1000;
	until.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&p->mu);
	for (;;) {
		if (p->nidle > 0) {
			c = p->idle[--p->nidle];
			break;
		}
		if (p->nopen < p->max) {
			p->nopen++;
			open_new = 1;
			break;
		}
		if (pthread_cond_timedwait(&p->cv, &p->mu, &until) ==
		    ETIMEDOUT)
			break;
	}
	pthread_mutex_unlock(&p->mu);
	if (open_new) {
		c = db_connect(p->url, p->appname, err, sizeof(err));
		if (c != NULL && db_use_role(c, p->role) == -1) {
			snprintf(err, sizeof(err), "postgresql: cannot switch "
			    "to role %s (run bomd migrate)", p->role);
			PQfinish(c);
			c = NULL;
		}
		if (c == NULL) {
			log_warnx("%s", err);
			db_pool_drop(p, NULL);
		}
		return c;
	}
	if (c != NULL && !db_ok(c)) {
		db_pool_drop(p, c);
		return NULL;
	}
	return c;
}

/*
 * Clears what a borrower set for its session: the tenant and the search
 * path. After the rollback: a setting made inside a transaction would
 * come back with it, and an aborted one refuses every statement. 0 or -1.
 */
static int
db_session_reset(PGconn *c)
{
	PGresult *r;
	int ok;

	db_rollback(c);
	if (PQstatus(c) != CONNECTION_OK)
		return -1;
	r = PQexec(c, "SELECT set_config('bomd.client_id', '', false); "
	    "RESET search_path");
	ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	PQclear(r);
	return ok ? 0 : -1;
}

void
db_pool_put_clean(struct db_pool *p, PGconn *c)
{
	if (c == NULL)
		return;
	if (PQtransactionStatus(c) != PQTRANS_IDLE) {
		db_pool_put(p, c);
		return;
	}
	pthread_mutex_lock(&p->mu);
	p->idle[p->nidle++] = c;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

void
db_pool_put(struct db_pool *p, PGconn *c)
{
	if (c == NULL)
		return;
	/* a session that cannot be reset is not lent again */
	if (db_session_reset(c) == -1 && PQstatus(c) == CONNECTION_OK) {
		PQfinish(c);
		c = NULL;
	}
	pthread_mutex_lock(&p->mu);
	if (c == NULL)
		p->nopen--;
	else if (PQstatus(c) != CONNECTION_OK) {
		PQfinish(c);
		p->nopen--;
	} else
		p->idle[p->nidle++] = c;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

/* A big-endian int32 at off of b (written in place). */
static void
db_put32(struct buf *b, size_t off, uint32_t v)
{
	b->data[off] = (char)(v >> 24);
	b->data[off + 1] = (char)(v >> 16);
	b->data[off + 2] = (char)(v >> 8);
	b->data[off + 3] = (char)v;
}

static size_t
db_add32(struct buf *b, uint32_t v)
{
	size_t off = b->len;

	buf_append(b, "\0\0\0\0", 4);
	db_put32(b, off, v);
	return off;
}

void
db_array_init(struct db_array *a)
{
	buf_init(&a->b);
	db_array_reset(a);
}

void
db_array_reset(struct db_array *a)
{
	a->b.len = 0;
	a->n = 0;
	db_add32(&a->b, 1);		/* one dimension */
	db_add32(&a->b, 0);		/* flags */
	db_add32(&a->b, DB_TEXTOID);
	db_add32(&a->b, 0);		/* its length, set by db_array_done() */
	db_add32(&a->b, 1);		/* lower bound */
}

void
db_array_add(struct db_array *a, const char *s, size_t len)
{
	db_add32(&a->b, s == NULL ? UINT32_MAX : (uint32_t)len);
	if (s != NULL)
		buf_append(&a->b, s, len);
	a->n++;
}

size_t
db_array_begin(struct db_array *a)
{
	return db_add32(&a->b, 0);
}

void
db_array_end(struct db_array *a, size_t off)
{
	db_put32(&a->b, off, (uint32_t)(a->b.len - off - 4));
	a->n++;
}

void
db_array_done(struct db_array *a)
{
	db_put32(&a->b, 12, (uint32_t)a->n);
}

void
db_array_free(struct db_array *a)
{
	buf_free(&a->b);
}
