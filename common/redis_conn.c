/*
 * Opens Redis connections for every process: one server by TCP or socket,
 * or the primary that Redis Sentinels name (asked again at every connect,
 * so a reconnection after a failover finds the new primary).
 */
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

#include "redis_conn.h"
#include "redis_url.h"
#include "util.h"

static struct timeval
redis_conn_tv(int ms)
{
	struct timeval tv;

	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	return tv;
}

/* A connection with tv for connecting and for every command; or NULL. */
static redisContext *
redis_conn_dial(const struct redis_node *nd, int is_unix, struct timeval tv,
    char *err, size_t errlen)
{
	redisContext *c;

	c = is_unix ? redisConnectUnixWithTimeout(nd->host, tv) :
	    redisConnectWithTimeout(nd->host, nd->port, tv);
	if (c == NULL || c->err) {
		snprintf(err, errlen, "%s", c != NULL ? c->errstr :
		    "out of memory");
		goto fail;
	}
	if (redisSetTimeout(c, tv) != REDIS_OK) {
		snprintf(err, errlen, "cannot set a timeout");
		goto fail;
	}
	return c;
fail:
	if (c != NULL)
		redisFree(c);
	return NULL;
}

/* 0 when r (freed here) is no error; -1 with what went wrong in err. */
static int
redis_conn_ok(redisReply *r, redisContext *c, const char *what, char *err,
    size_t errlen)
{
	int rc = -1;

	if (r == NULL)
		snprintf(err, errlen, "%s: %s", what, c->errstr);
	else if (r->type == REDIS_REPLY_ERROR)
		snprintf(err, errlen, "%s: %s", what, r->str);
	else
		rc = 0;
	if (r != NULL)
		freeReplyObject(r);
	return rc;
}

static int
redis_conn_login(redisContext *c, const char *user, const char *pass,
    char *err, size_t errlen)
{
	redisReply *r;

	if (pass[0] == '\0')
		return 0;
	r = user[0] != '\0' ? redisCommand(c, "AUTH %s %s", user, pass) :
	    redisCommand(c, "AUTH %s", pass);
	/* the server's words may be about the password: not quoted */
	if (redis_conn_ok(r, c, "auth", err, errlen) == -1) {
		snprintf(err, errlen, "authentication failed");
		return -1;
	}
	return 0;
}

static int
redis_conn_select(redisContext *c, int db, char *err, size_t errlen)
{
	if (db == 0)
		return 0;
	return redis_conn_ok(redisCommand(c, "SELECT %d", db), c, "select",
	    err, errlen);
}

/* Whether c's server is a primary now (ROLE); 0, or -1 with the reason. */
static int
redis_conn_primary(redisContext *c, char *err, size_t errlen)
{
	redisReply *r;
	int rc = -1;

	if ((r = redisCommand(c, "ROLE")) == NULL) {
		snprintf(err, errlen, "role: %s", c->errstr);
		return -1;
	}
	if (r->type == REDIS_REPLY_ARRAY && r->elements > 0 &&
	    r->element[0]->type == REDIS_REPLY_STRING &&
	    strcmp(r->element[0]->str, "master") == 0)
		rc = 0;
	else if (r->type == REDIS_REPLY_ERROR)
		snprintf(err, errlen, "role: %s", r->str);
	else
		snprintf(err, errlen, "not a primary (a failover under way)");
	freeReplyObject(r);
	return rc;
}

/* The primary sentinel s names for u->master, into *out; 0 or -1. */
static int
redis_conn_ask(const struct redis_url *u, const struct redis_node *s,
    struct timeval tv, struct redis_node *out, char *err, size_t errlen)
{
	redisContext *c;
	redisReply *r = NULL;
	char why[256];
	int64_t port;
	int rc = -1;

	if ((c = redis_conn_dial(s, 0, tv, why, sizeof(why))) == NULL ||
	    redis_conn_login(c, u->sentinel_user, u->sentinel_pass, why,
	    sizeof(why)) == -1)
		goto out;
	r = redisCommand(c, "SENTINEL get-master-addr-by-name %s", u->master);
	if (r == NULL)
		snprintf(why, sizeof(why), "%s", c->errstr);
	else if (r->type == REDIS_REPLY_ERROR)
		snprintf(why, sizeof(why), "%s", r->str);
	else if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
	    r->element[0]->type != REDIS_REPLY_STRING ||
	    r->element[1]->type != REDIS_REPLY_STRING)
		snprintf(why, sizeof(why), "does not know '%s'", u->master);
	else if (snprintf(out->host, sizeof(out->host), "%s",
	    r->element[0]->str) >= (int)sizeof(out->host) ||
	    parse_i64(r->element[1]->str, 1, 65535, &port, NULL) == -1)
		snprintf(why, sizeof(why), "named a bad address");
	else {
		out->port = (int)port;
		rc = 0;
	}
out:
	if (rc == -1)
		snprintf(err, errlen, "sentinel %.100s:%d: %.200s", s->host,
		    s->port, why);
	if (r != NULL)
		freeReplyObject(r);
	if (c != NULL)
		redisFree(c);
	return rc;
}

/* Connects to and logs into nd, a primary when sentinel; or NULL. */
static redisContext *
redis_conn_node(const struct redis_url *u, const struct redis_node *nd,
    struct timeval tv, char *err, size_t errlen)
{
	redisContext *c;
	char why[256];

	if ((c = redis_conn_dial(nd, u->kind == REDIS_URL_UNIX, tv, why,
	    sizeof(why))) != NULL &&
	    redis_conn_login(c, u->user, u->pass, why, sizeof(why)) == 0 &&
	    (u->kind != REDIS_URL_SENTINEL ||
	    redis_conn_primary(c, why, sizeof(why)) == 0) &&
	    redis_conn_select(c, u->db, why, sizeof(why)) == 0)
		return c;
	if (u->kind == REDIS_URL_SENTINEL)
		snprintf(err, errlen, "primary %.100s:%d: %.200s", nd->host,
		    nd->port, why);
	else
		snprintf(err, errlen, "%s", why);
	if (c != NULL)
		redisFree(c);
	return NULL;
}

redisContext *
redis_conn_open(const char *url, int timeout_ms, char *err, size_t errlen)
{
	struct redis_url u;
	struct redis_node primary;
	redisContext *c;
	char why[512] = "no sentinel";
	size_t i;
	int sms;

	if (redis_url_parse(url, &u, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "redis: %s", why);
		return NULL;
	}
	if (u.kind != REDIS_URL_SENTINEL) {
		c = redis_conn_node(&u, &u.node[0], redis_conn_tv(timeout_ms),
		    why, sizeof(why));
		if (c == NULL)
			snprintf(err, errlen, "redis: %s", why);
		return c;
	}
	/* a sentinel that does not answer must not cost every timeout */
	sms = timeout_ms < REDIS_CONN_SENTINEL_MS ? timeout_ms :
	    REDIS_CONN_SENTINEL_MS;
	for (i = 0; i < u.nnodes; i++) {
		if (redis_conn_ask(&u, &u.node[i], redis_conn_tv(sms),
		    &primary, why, sizeof(why)) == -1)
			continue;
		if ((c = redis_conn_node(&u, &primary,
		    redis_conn_tv(timeout_ms), why, sizeof(why))) != NULL)
			return c;
	}
	snprintf(err, errlen, "redis: no primary '%s' from %zu sentinel%s "
	    "(last: %.320s)", u.master, u.nnodes, u.nnodes == 1 ? "" : "s",
	    why);
	return NULL;
}

void
redis_conn_check(redisContext *c, const redisReply *r)
{
	if (c == NULL || c->err || r == NULL || r->type != REDIS_REPLY_ERROR ||
	    r->str == NULL)
		return;
	/* a script's error quotes the command's: looked for anywhere */
	if (strstr(r->str, "READONLY") == NULL &&
	    strncmp(r->str, "LOADING", 7) != 0 &&
	    strncmp(r->str, "MASTERDOWN", 10) != 0)
		return;
	c->err = REDIS_ERR_OTHER;
	snprintf(c->errstr, sizeof(c->errstr), "server cannot take writes "
	    "now (%.60s)", r->str);
}
