/*
 * API process: libmicrohttpd with a thread per connection, a small
 * PostgreSQL pool, one locked Redis connection for enqueueing, request
 * bodies bounded by max_upload, JSON errors as {"detail": ...}.
 */
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "api.h"
#include "api_internal.h"
#include "apikey.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "queue.h"
#include "util.h"

#define API_VERSION		"0.1.0"
#define API_POOL_SIZE		16
#define API_THREADS		8	/* request threads; waits cost none */
#define API_CONN_LIMIT		1024
#define API_CONN_TIMEOUT	300	/* seconds idle before a close */

struct api_ctx api;

static pthread_mutex_t api_redis_mu = PTHREAD_MUTEX_INITIALIZER;
static redisContext *api_redis;
static volatile sig_atomic_t api_stop;

static void
api_on_term(int sig)
{
	(void)sig;
	api_stop = 1;
}

enum MHD_Result
api_json(struct MHD_Connection *c, unsigned int status, json_t *v)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	char *s;

	s = json_dumps(v, JSON_COMPACT | JSON_REAL_PRECISION(15));
	json_decref(v);
	if (s == NULL)
		s = xstrdup("{\"detail\":\"internal error\"}");
	resp = MHD_create_response_from_buffer(strlen(s), s,
	    MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(resp, "Content-Type", "application/json");
	api_metrics_count(status);
	ret = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

enum MHD_Result
api_error(struct MHD_Connection *c, unsigned int status, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return api_json(c, status, json_pack("{s:s}", "detail", msg));
}

const struct api_field *
api_field(const struct api_request *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nfields; i++)
		if (strcmp(r->fields[i].name, name) == 0)
			return &r->fields[i];
	return NULL;
}

/*
 * The process's shared Redis connection, reconnected when it broke; NULL
 * (logged) when Redis is down. Call with api_redis_mu held.
 */
static redisContext *
api_redis_locked(void)
{
	char err[256];

	if (api_redis != NULL && api_redis->err) {
		redisFree(api_redis);
		api_redis = NULL;
	}
	if (api_redis == NULL &&
	    (api_redis = queue_connect(api.cfg->redis_url, 3000, err,
	    sizeof(err))) == NULL)
		log_warnx("%s", err);
	return api_redis;
}

int
api_enqueue(const char *job, size_t len, char *id, size_t idlen)
{
	int rc = -1, tries;

	pthread_mutex_lock(&api_redis_mu);
	for (tries = 0; tries < 2; tries++) {
		if (api_redis_locked() == NULL)
			break;
		if ((rc = queue_add(api_redis, job, len, id, idlen)) == 0)
			break;
	}
	pthread_mutex_unlock(&api_redis_mu);
	return rc;
}

redisReply *
api_redis_command(const char *fmt, ...)
{
	redisReply *rep = NULL;
	va_list ap;

	pthread_mutex_lock(&api_redis_mu);
	if (api_redis_locked() != NULL) {
		va_start(ap, fmt);
		rep = redisvCommand(api_redis, fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&api_redis_mu);
	if (rep != NULL && rep->type == REDIS_REPLY_ERROR) {
		log_warnx("redis: %s", rep->str);
		freeReplyObject(rep);
		rep = NULL;
	}
	return rep;
}

PGconn *
api_db_get(const struct api_request *r)
{
	PGconn *db;

	if ((db = db_pool_get(api.pool, 5000)) == NULL)
		return NULL;
	if (db_set_tenant(db, r->client_id[0] ? r->client_id : "*") == -1) {
		db_pool_put(api.pool, db);
		return NULL;
	}
	return db;
}

void
api_db_put(PGconn *db)
{
	if (db == NULL)
		return;
	db_set_tenant(db, "");
	db_pool_put(api.pool, db);
}

int
api_secret_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char ha[32], hb[32];

	/* compare digests so neither length nor content leaks by timing */
	SHA256((const unsigned char *)a, la, ha);
	SHA256((const unsigned char *)b, lb, hb);
	return CRYPTO_memcmp(ha, hb, sizeof(ha)) == 0;
}

json_t *
api_json_body(const struct api_request *r, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *v;

	if (r->body.len == 0) {
		snprintf(err, errlen, "request body: expected a JSON object");
		return NULL;
	}
	v = json_loadb(r->body.data, r->body.len, JSON_REJECT_DUPLICATES,
	    &jerr);
	if (v == NULL || !json_is_object(v)) {
		snprintf(err, errlen, "request body: %s", v ? "expected a "
		    "JSON object" : jerr.text);
		json_decref(v);
		return NULL;
	}
	return v;
}

void
api_queue_stats(int64_t *depth, int64_t *dead)
{
	redisReply *rep;

	*depth = *dead = -1;
	pthread_mutex_lock(&api_redis_mu);
	api_redis_locked();
	if (api_redis != NULL) {
		*depth = queue_depth(api_redis);
		rep = redisCommand(api_redis, "XLEN %s", QUEUE_DEAD);
		if (rep != NULL && rep->type == REDIS_REPLY_INTEGER)
			*dead = rep->integer;
		if (rep != NULL)
			freeReplyObject(rep);
	}
	pthread_mutex_unlock(&api_redis_mu);
}

/*
 * Token bucket per API key, kept in Redis so every API process shares it;
 * time comes from the Redis server. Returns {allowed, retry_after_ms}.
 */
static const char api_rate_lua[] =
    "local r = tonumber(ARGV[1]) local b = tonumber(ARGV[2]) "
    "local t = redis.call('TIME') "
    "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) "
    "local v = redis.call('HMGET', KEYS[1], 'tokens', 'ts') "
    "local tok = tonumber(v[1]) or b local ts = tonumber(v[2]) or now "
    "tok = math.min(b, tok + (now - ts) * r / 1000) "
    "local ok, wait = 0, 0 "
    "if tok >= 1 then tok = tok - 1 ok = 1 "
    "else wait = math.ceil((1 - tok) * 1000 / r) end "
    "redis.call('HSET', KEYS[1], 'tokens', tostring(tok), 'ts', now) "
    "redis.call('PEXPIRE', KEYS[1], math.ceil(b * 1000 / r) + 1000) "
    "return {ok, wait}";

/* The script's SHA1 in hex for EVALSHA, computed once. */
static pthread_once_t api_rate_once = PTHREAD_ONCE_INIT;
static char api_rate_sha1[2 * SHA_DIGEST_LENGTH + 1];

static void
api_rate_sha_init(void)
{
	unsigned char d[SHA_DIGEST_LENGTH];
	size_t i;

	SHA1((const unsigned char *)api_rate_lua, strlen(api_rate_lua), d);
	for (i = 0; i < sizeof(d); i++)
		snprintf(api_rate_sha1 + 2 * i, 3, "%02x", d[i]);
}

static const char *
api_rate_sha(void)
{
	pthread_once(&api_rate_once, api_rate_sha_init);
	return api_rate_sha1;
}

/* 1 allowed, 0 limited (*retry_s set); Redis trouble lets it through. */
static int
api_rate_allow(const char *key_id, int64_t *retry_s)
{
	redisReply *rep = NULL;
	char key[128];
	int allowed = 1;

	*retry_s = 0;
	if (api.cfg->rate_limit <= 0)
		return 1;
	snprintf(key, sizeof(key), "bomd:rate:%s", key_id);
	pthread_mutex_lock(&api_redis_mu);
	api_redis_locked();
	/* the script by its SHA1; Redis loads it on a NOSCRIPT fallback */
	if (api_redis != NULL)
		rep = redisCommand(api_redis, "EVALSHA %s 1 %s %lld %lld",
		    api_rate_sha(), key, (long long)api.cfg->rate_limit,
		    (long long)api.cfg->rate_burst);
	if (rep != NULL && rep->type == REDIS_REPLY_ERROR &&
	    strncmp(rep->str, "NOSCRIPT", 8) == 0) {
		freeReplyObject(rep);
		rep = redisCommand(api_redis, "EVAL %s 1 %s %lld %lld",
		    api_rate_lua, key, (long long)api.cfg->rate_limit,
		    (long long)api.cfg->rate_burst);
	}
	pthread_mutex_unlock(&api_redis_mu);
	if (rep == NULL || rep->type != REDIS_REPLY_ARRAY ||
	    rep->elements != 2) {
		log_warnx("rate limit: redis unavailable, request allowed");
	} else if (rep->element[0]->integer == 0) {
		allowed = 0;
		*retry_s = (rep->element[1]->integer + 999) / 1000;
		if (*retry_s < 1)
			*retry_s = 1;
	}
	if (rep != NULL)
		freeReplyObject(rep);
	return allowed;
}

static enum MHD_Result
api_too_many(struct MHD_Connection *c, int64_t retry_s)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	char body[128], ra[32];

	snprintf(body, sizeof(body), "{\"detail\":\"Rate limit exceeded; "
	    "retry after %lld s\"}", (long long)retry_s);
	snprintf(ra, sizeof(ra), "%lld", (long long)retry_s);
	resp = MHD_create_response_from_buffer(strlen(body), body,
	    MHD_RESPMEM_MUST_COPY);
	MHD_add_response_header(resp, "Content-Type", "application/json");
	MHD_add_response_header(resp, "Retry-After", ra);
	api_metrics_count(MHD_HTTP_TOO_MANY_REQUESTS);
	ret = MHD_queue_response(c, MHD_HTTP_TOO_MANY_REQUESTS, resp);
	MHD_destroy_response(resp);
	return ret;
}

static const char *
api_presented_key(struct MHD_Connection *c)
{
	const char *k, *auth;

	if ((k = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    "X-API-Key")) != NULL && *k != '\0')
		return k;
	auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    "Authorization");
	if (auth != NULL && strncasecmp(auth, "Bearer ", 7) == 0)
		return auth + 7;
	return NULL;
}

/*
 * Verified keys, kept API_AUTH_CACHE_MS per process: key hash -> client and
 * key id, so a burst of requests with one key costs one lookup. A key
 * revoked (or a client deactivated) elsewhere -- bomctl, the CLI, another
 * API process -- stops working here within API_AUTH_CACHE_MS; admin
 * changes made through this process flush the cache at once.
 */
#define API_AUTH_CACHE_MS	2000
#define API_AUTH_CACHE_SIZE	64

struct api_auth_entry {
	unsigned char	hash[APIKEY_HASH_LEN];
	char		client_id[37];
	char		key_id[64];
	int64_t		expires;	/* monotonic ms; 0 = empty */
};

static pthread_mutex_t api_auth_mu = PTHREAD_MUTEX_INITIALIZER;
static struct api_auth_entry api_auth_cache[API_AUTH_CACHE_SIZE];

static int64_t
api_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* 1 with client_id (37) and key_id (64) set when hash is cached. */
static int
api_auth_cached(const unsigned char *hash, char *client_id, char *key_id)
{
	int64_t now = api_now_ms();
	size_t i;
	int found = 0;

	pthread_mutex_lock(&api_auth_mu);
	for (i = 0; i < API_AUTH_CACHE_SIZE && !found; i++) {
		if (api_auth_cache[i].expires <= now ||
		    !apikey_hash_equal(api_auth_cache[i].hash, hash))
			continue;
		memcpy(client_id, api_auth_cache[i].client_id, 37);
		memcpy(key_id, api_auth_cache[i].key_id, 64);
		found = 1;
	}
	pthread_mutex_unlock(&api_auth_mu);
	return found;
}

static void
api_auth_remember(const unsigned char *hash, const char *client_id,
    const char *key_id)
{
	int64_t now = api_now_ms();
	struct api_auth_entry *e = &api_auth_cache[0];
	size_t i;

	pthread_mutex_lock(&api_auth_mu);
	/* the same key, else an expired slot, else the oldest */
	for (i = 0; i < API_AUTH_CACHE_SIZE; i++) {
		if (apikey_hash_equal(api_auth_cache[i].hash, hash)) {
			e = &api_auth_cache[i];
			break;
		}
		if (api_auth_cache[i].expires < e->expires)
			e = &api_auth_cache[i];
	}
	memcpy(e->hash, hash, APIKEY_HASH_LEN);
	snprintf(e->client_id, sizeof(e->client_id), "%s", client_id);
	snprintf(e->key_id, sizeof(e->key_id), "%s", key_id);
	e->expires = now + API_AUTH_CACHE_MS;
	pthread_mutex_unlock(&api_auth_mu);
}

void
api_auth_cache_flush(void)
{
	pthread_mutex_lock(&api_auth_mu);
	memset(api_auth_cache, 0, sizeof(api_auth_cache));
	pthread_mutex_unlock(&api_auth_mu);
}

int
api_auth(struct MHD_Connection *c, struct api_request *r,
    enum MHD_Result *ret)
{
	char prefix[APIKEY_PREFIX_LEN + 1], hex[2 * APIKEY_HASH_LEN + 1];
	unsigned char hash[APIKEY_HASH_LEN], stored[APIKEY_HASH_LEN];
	const char *key, *params[1];
	const char *pk[1];
	char key_id[64] = "";
	int64_t retry_s;
	PGresult *res;
	PGconn *db;
	int i, n, ok = 0;
	size_t k;

	if ((key = api_presented_key(c)) == NULL) {
		*ret = api_error(c, MHD_HTTP_UNAUTHORIZED, "Missing API key");
		return -1;
	}
	if (apikey_digest(key, prefix, hash) == -1) {
		*ret = api_error(c, MHD_HTTP_UNAUTHORIZED, "Invalid API key");
		return -1;
	}
	if (api_auth_cached(hash, r->client_id, key_id))
		goto verified;
	if ((db = api_db_get(r)) == NULL) {
		*ret = api_error(c, MHD_HTTP_SERVICE_UNAVAILABLE,
		    "database unavailable");
		return -1;
	}
	params[0] = prefix;
	res = db_query(db, "SELECT k.key_id, k.client_id, encode(k.key_hash, "
	    "'hex') FROM api_keys k JOIN clients c USING (client_id) "
	    "WHERE k.prefix = $1 AND k.revoked_at IS NULL AND c.active",
	    1, params, NULL, 0);
	if (res == NULL) {
		api_db_put(db);
		*ret = api_error(c, MHD_HTTP_SERVICE_UNAVAILABLE,
		    "database unavailable");
		return -1;
	}
	n = PQntuples(res);
	for (i = 0; i < n && !ok; i++) {
		snprintf(hex, sizeof(hex), "%s", PQgetvalue(res, i, 2));
		if (strlen(hex) != 2 * APIKEY_HASH_LEN)
			continue;
		for (k = 0; k < APIKEY_HASH_LEN; k++) {
			unsigned int byte;

			sscanf(hex + 2 * k, "%2x", &byte);
			stored[k] = (unsigned char)byte;
		}
		if (apikey_hash_equal(stored, hash)) {
			ok = 1;
			snprintf(r->client_id, sizeof(r->client_id), "%s",
			    PQgetvalue(res, i, 1));
			pk[0] = PQgetvalue(res, i, 0);
			snprintf(key_id, sizeof(key_id), "%s", pk[0]);
			/* at most one write a minute per key */
			db_exec(db, "UPDATE api_keys SET last_used_at = now() "
			    "WHERE key_id = $1 AND (last_used_at IS NULL OR "
			    "last_used_at < now() - interval '60 seconds')",
			    1, pk);
		}
	}
	PQclear(res);
	api_db_put(db);
	if (!ok) {
		*ret = api_error(c, MHD_HTTP_UNAUTHORIZED, "Invalid API key");
		return -1;
	}
	api_auth_remember(hash, r->client_id, key_id);
verified:
	if (!api_rate_allow(key_id, &retry_s)) {
		r->client_id[0] = '\0';
		*ret = api_too_many(c, retry_s);
		return -1;
	}
	return 0;
}

static enum MHD_Result
api_health(struct MHD_Connection *c)
{
	const char *pg = "ok", *rd = "ok";
	PGconn *db;
	PGresult *res;
	redisReply *rep;

	if ((db = db_pool_get(api.pool, 2000)) == NULL)
		pg = "unavailable";
	else {
		if ((res = db_query(db, "SELECT 1", 0, NULL, NULL, 0)) == NULL)
			pg = "unavailable";
		PQclear(res);
		db_pool_put(api.pool, db);
	}
	pthread_mutex_lock(&api_redis_mu);
	api_redis_locked();
	rep = api_redis ? redisCommand(api_redis, "PING") : NULL;
	if (rep == NULL || rep->type == REDIS_REPLY_ERROR)
		rd = "unavailable";
	if (rep != NULL)
		freeReplyObject(rep);
	pthread_mutex_unlock(&api_redis_mu);
	if (strcmp(pg, "ok") != 0 || strcmp(rd, "ok") != 0)
		return api_json(c, MHD_HTTP_SERVICE_UNAVAILABLE, json_pack(
		    "{s:s, s:s, s:s}", "status", "unhealthy", "postgres", pg,
		    "redis", rd));
	return api_json(c, MHD_HTTP_OK, json_pack("{s:s, s:s, s:s}",
	    "status", "healthy", "postgres", pg, "redis", rd));
}

static enum MHD_Result
api_root(struct MHD_Connection *c)
{
	static const char *const endpoints[] = {
		"GET /health", "GET /", "GET /projects", "POST /projects",
		"GET /projects/{id}", "DELETE /projects/{id}",
		"GET /projects/{id}/trace", "POST /projects/{id}/process",
		"POST /projects/upload-and-process", "GET /jobs/{id}",
		"GET /knowledge/parts", "GET /knowledge/parts/{mpn}",
		"POST /knowledge/parts/{mpn}/ban",
		"POST /knowledge/parts/{mpn}/unban",
		"GET /knowledge/parts/{mpn}/alternates",
		"POST /knowledge/parts/{mpn}/alternates",
		"GET /knowledge/suppliers", "POST /knowledge/suppliers",
		"GET /knowledge/suppliers/{supplier_id}",
		"POST /knowledge/suppliers/{supplier_id}/trust",
		"GET /v1/models", "POST /v1/chat/completions", "GET /metrics",
		NULL
	};
	json_t *list = json_array();
	size_t i;

	for (i = 0; endpoints[i] != NULL; i++)
		json_array_append_new(list, json_string(endpoints[i]));
	return api_json(c, MHD_HTTP_OK, json_pack("{s:s, s:s, s:s, s:s, s:o}",
	    "service", "BOM Agent Service", "version", "0.1.0",
	    "implementation", "bomd", "implementation_version", API_VERSION,
	    "endpoints", list));
}

static enum MHD_Result
api_post_iter(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *filename, const char *content_type,
    const char *transfer_encoding, const char *data, uint64_t off,
    size_t size)
{
	struct api_request *r = cls;
	struct api_field *f = NULL;
	size_t i, limit;

	(void)kind;
	(void)content_type;
	(void)transfer_encoding;
	(void)off;
	for (i = 0; i < r->nfields; i++)
		if (strcmp(r->fields[i].name, key) == 0) {
			f = &r->fields[i];
			break;
		}
	if (f == NULL) {
		if (r->nfields == API_MAX_FIELDS) {
			r->bad_form = 1;
			return MHD_NO;
		}
		f = &r->fields[r->nfields++];
		f->name = xstrdup(key);
		f->filename = filename ? xstrdup(filename) : NULL;
		buf_init(&f->data);
	}
	limit = filename ? (size_t)api.cfg->max_upload : API_MAX_FORM_FIELD;
	if (f->data.len + size > limit) {
		r->too_large = 1;
		return MHD_NO;
	}
	buf_append(&f->data, data, size);
	return MHD_YES;
}

static void
api_request_free(struct api_request *r)
{
	size_t i;

	if (r == NULL)
		return;
	if (r->pp != NULL)
		MHD_destroy_post_processor(r->pp);
	for (i = 0; i < r->nfields; i++) {
		free(r->fields[i].name);
		free(r->fields[i].filename);
		buf_free(&r->fields[i].data);
	}
	buf_free(&r->body);
	free(r);
}

static void
api_completed(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)c;
	(void)toe;
	api_request_free(*con_cls);
	*con_cls = NULL;
}

/*
 * Matches url against a pattern where "{}" stands for one path segment;
 * captured segments are copied into args (API_MAX_ARGS of API_ARG_LEN).
 */
static int
api_match(const char *pattern, const char *url,
    char args[][API_ARG_LEN], size_t *nargs)
{
	const char *p = pattern, *u = url, *end;
	size_t n;

	*nargs = 0;
	while (*p != '\0') {
		if (p[0] == '{' && p[1] == '}') {
			end = strchr(u, '/');
			n = end ? (size_t)(end - u) : strlen(u);
			if (n == 0 || n >= API_ARG_LEN || *nargs == API_MAX_ARGS)
				return 0;
			memcpy(args[*nargs], u, n);
			args[(*nargs)++][n] = '\0';
			u += n;
			p += 2;
			continue;
		}
		if (*p++ != *u++)
			return 0;
	}
	return *u == '\0';
}

/* Every module's routes; each table ends with a NULL method. */
static const struct api_route *const api_tables[] = {
	api_core_routes,
	api_projects_routes,
	api_admin_routes,
	api_metrics_routes,
	api_events_routes,
	api_knowledge_routes,
	api_jobs_routes,
	api_openai_routes,
	NULL
};

static enum MHD_Result
api_dispatch(struct MHD_Connection *c, struct api_request *r,
    const char *url, const char *method)
{
	char args[API_MAX_ARGS][API_ARG_LEN];
	const char *argv[API_MAX_ARGS];
	const struct api_route *rt, *found = NULL;
	const char *admin;
	enum MHD_Result ret;
	size_t i, nargs = 0, t;
	int path_matched = 0;

	for (t = 0; api_tables[t] != NULL && found == NULL; t++)
		for (rt = api_tables[t]; rt->method != NULL; rt++) {
			if (!api_match(rt->pattern, url, args, &nargs))
				continue;
			path_matched = 1;
			if (strcmp(rt->method, method) == 0) {
				found = rt;
				break;
			}
		}
	api_metrics_route(found ? found->method : NULL,
	    found ? found->pattern : NULL);
	r->route_method = found ? found->method : NULL;
	r->route_pattern = found ? found->pattern : NULL;
	if (found == NULL)
		return path_matched ? api_error(c,
		    MHD_HTTP_METHOD_NOT_ALLOWED, "Method Not Allowed") :
		    api_error(c, MHD_HTTP_NOT_FOUND, "Not Found");
	for (i = 0; i < nargs; i++)
		argv[i] = args[i];
	if (found->auth == API_AUTH_NONE)
		return found->fn(c, r, argv);
	if (r->too_large)
		return api_error(c, API_HTTP_TOO_LARGE, "request body "
		    "is larger than %lld bytes", (long long)api.cfg->max_upload);
	if (r->bad_form)
		return api_error(c, MHD_HTTP_BAD_REQUEST, "malformed form "
		    "data");
	if (found->auth == API_AUTH_ADMIN) {
		admin = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
		    "X-Admin-Key");
		if (api.cfg->admin_key == NULL)
			return api_error(c, MHD_HTTP_FORBIDDEN, "admin routes "
			    "are disabled (admin_key is not set)");
		if (admin == NULL || !api_secret_equal(admin,
		    api.cfg->admin_key))
			return api_error(c, MHD_HTTP_UNAUTHORIZED, "Invalid or "
			    "missing admin key");
		ret = found->fn(c, r, argv);
		/* a key revoked or a client deactivated: at once here */
		if (strcmp(method, "GET") != 0)
			api_auth_cache_flush();
		return ret;
	}
	if (api_auth(c, r, &ret) == -1)
		return ret;
	return found->fn(c, r, argv);
}

static enum MHD_Result
api_route_health(struct MHD_Connection *c, struct api_request *r,
    const char *const *args)
{
	(void)r;
	(void)args;
	return api_health(c);
}

static enum MHD_Result
api_route_root(struct MHD_Connection *c, struct api_request *r,
    const char *const *args)
{
	(void)r;
	(void)args;
	return api_root(c);
}

const struct api_route api_core_routes[] = {
	{ "GET", "/health", API_AUTH_NONE, api_route_health },
	{ "GET", "/", API_AUTH_NONE, api_route_root },
	{ NULL, NULL, 0, NULL }
};

static enum MHD_Result
api_handler(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct api_request *r = *con_cls;
	const char *clen;
	int64_t n;

	(void)cls;
	(void)version;
	if (r == NULL) {
		r = xcalloc(1, sizeof(*r));
		buf_init(&r->body);
		*con_cls = r;
		clen = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
		    MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (clen != NULL && parse_i64(clen, 0, INT64_MAX, &n,
		    NULL) == 0 && n > api.cfg->max_upload + 65536)
			r->too_large = 1;
		else if (strcmp(method, "POST") == 0 ||
		    strcmp(method, "PUT") == 0)
			r->pp = MHD_create_post_processor(c, 65536,
			    api_post_iter, r);
		return MHD_YES;
	}
	if (r->wait_state == API_WAIT_DONE) {
		/* resumed after a job wait: answer with what it found */
		api_metrics_route(r->route_method, r->route_pattern);
		r->wait_state = API_WAIT_NONE;
		return api_job_answer(c, r);
	}
	if (r->wait_state == API_WAIT_PENDING)
		return MHD_YES;
	if (*upload_data_size > 0) {
		r->received += *upload_data_size;
		if (r->received > (size_t)api.cfg->max_upload + 65536)
			r->too_large = 1;
		if (!r->too_large && !r->bad_form) {
			if (r->pp != NULL) {
				if (MHD_post_process(r->pp, upload_data,
				    *upload_data_size) == MHD_NO &&
				    !r->too_large)
					r->bad_form = 1;
			} else if (r->body.len + *upload_data_size <=
			    API_MAX_FORM_FIELD)
				buf_append(&r->body, upload_data,
				    *upload_data_size);
			else
				r->too_large = 1;
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	return api_dispatch(c, r, url, method);
}

static int
api_listen_addr(const char *listen, struct sockaddr_in *sa)
{
	char host[256];
	const char *colon = strrchr(listen, ':');
	int64_t port;

	if (colon == NULL || (size_t)(colon - listen) >= sizeof(host))
		return -1;
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	if (parse_i64(colon + 1, 0, 65535, &port, NULL) == -1)
		return -1;
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	if (host[0] == '\0' || strcmp(host, "*") == 0)
		sa->sin_addr.s_addr = htonl(INADDR_ANY);
	else if (strcmp(host, "localhost") == 0)
		sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	else if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
		return -1;
	return 0;
}

int
api_main(const struct config *cfg)
{
	struct MHD_Daemon *d;
	struct sockaddr_in sa;
	struct sigaction act;
	struct timespec tick = { 0, 200 * 1000000L };

	memset(&act, 0, sizeof(act));
	act.sa_handler = api_on_term;
	sigemptyset(&act.sa_mask);
	sigaction(SIGTERM, &act, NULL);
	sigaction(SIGINT, &act, NULL);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	api.cfg = cfg;
	if (api_listen_addr(cfg->listen, &sa) == -1) {
		log_warnx("listen: '%s' is not IPv4-ADDRESS:PORT", cfg->listen);
		return 2;
	}
	api.pool = db_pool_new(cfg->database_url, "bomd-api",
	    cfg->database_role, API_POOL_SIZE);
	if (api_wait_init() == -1) {
		log_warnx("cannot start the wait thread");
		db_pool_free(api.pool);
		return 2;
	}
	/*
	 * A small thread pool serves every connection; requests that wait
	 * for a job are suspended (api_wait.c), not parked on a thread.
	 */
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO |
	    MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG, 0, NULL, NULL,
	    api_handler, NULL,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)API_THREADS,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)API_CONN_LIMIT,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)API_CONN_TIMEOUT,
	    MHD_OPTION_NOTIFY_COMPLETED, api_completed, NULL,
	    MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned int)1,
	    MHD_OPTION_END);
	if (d == NULL) {
		log_warn("cannot listen on %s", cfg->listen);
		api_wait_shutdown();
		db_pool_free(api.pool);
		return 2;
	}
	log_info("listening on %s", cfg->listen);
	while (!api_stop)
		nanosleep(&tick, NULL);
	/* answer every suspended request (202) before the daemon stops */
	api_wait_shutdown();
	nanosleep(&tick, NULL);
	MHD_stop_daemon(d);
	db_pool_free(api.pool);
	if (api_redis != NULL)
		redisFree(api_redis);
	log_info("stopped");
	return 0;
}
