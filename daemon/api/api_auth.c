/*
 * API key and admin key checks; see api_auth.h. A key is looked up by its
 * hash; a verified key is kept API_AUTH_CACHE_MS per process, stamped with
 * the auth generation in Redis, which every change that stops a key (a
 * revocation, a client deactivated, from any process or the command
 * line) bumps: a stamp that is not the current generation is not used.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "api_auth.h"
#include "api_db.h"
#include "api_internal.h"
#include "api_rate.h"
#include "api_redis.h"
#include "api_reply.h"
#include "api_request.h"
#include "apikey.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "util.h"

/* A burst costs one lookup; a change of generation ends it sooner. */
#define API_AUTH_CACHE_MS	2000
#define API_AUTH_CACHE_SIZE	64
#define API_AUTH_KEY_ID_LEN	64

/* A verified key: its hash, its client, id and scopes, when verified. */
struct api_auth_entry {
	unsigned char	hash[APIKEY_HASH_LEN];
	char		client_id[UUID_BUFSZ];
	char		key_id[API_AUTH_KEY_ID_LEN];
	char		scopes[API_SCOPES_LEN];
	int64_t		generation;	/* the auth generation then */
	int64_t		expires;	/* monotonic ms; 0 = empty */
};

static pthread_mutex_t api_auth_mu = PTHREAD_MUTEX_INITIALIZER;
static struct api_auth_entry api_auth_cache[API_AUTH_CACHE_SIZE];

/* Constant-time comparison of two secrets: 1 when equal. */
static int
api_auth_secret_equal(const char *a, const char *b)
{
	unsigned char ha[SHA256_DIGEST_LENGTH], hb[SHA256_DIGEST_LENGTH];

	/* compare digests so neither length nor content leaks by timing */
	SHA256((const unsigned char *)a, strlen(a), ha);
	SHA256((const unsigned char *)b, strlen(b), hb);
	return CRYPTO_memcmp(ha, hb, sizeof(ha)) == 0;
}

/* The key the request presents, or NULL. */
static const char *
api_auth_presented(struct MHD_Connection *c)
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

/* The auth generation in Redis (0 before any change); -1: unknown. */
static int64_t
api_auth_generation(void)
{
	redisReply *rep;
	int64_t gen = -1;

	if ((rep = api_redis_command("GET %s", APIKEY_GENERATION_KEY)) == NULL)
		return -1;
	if (rep->type == REDIS_REPLY_NIL)
		gen = 0;
	else if (rep->type == REDIS_REPLY_STRING)
		gen = strtoll(rep->str, NULL, 10);
	freeReplyObject(rep);
	return gen;
}

/*
 * 1 with r's client and scopes and key_id copied out when hash was
 * verified in generation gen and not long ago, else 0.
 */
static int
api_auth_cached(const unsigned char *hash, int64_t gen, struct api_request *r,
    char key_id[API_AUTH_KEY_ID_LEN])
{
	int64_t now = now_ms();
	size_t i;
	int found = 0;

	pthread_mutex_lock(&api_auth_mu);
	for (i = 0; i < API_AUTH_CACHE_SIZE && !found; i++) {
		if (api_auth_cache[i].expires <= now ||
		    api_auth_cache[i].generation != gen ||
		    !apikey_hash_equal(api_auth_cache[i].hash, hash))
			continue;
		memcpy(r->client_id, api_auth_cache[i].client_id, UUID_BUFSZ);
		memcpy(r->scopes, api_auth_cache[i].scopes, API_SCOPES_LEN);
		memcpy(key_id, api_auth_cache[i].key_id, API_AUTH_KEY_ID_LEN);
		found = 1;
	}
	pthread_mutex_unlock(&api_auth_mu);
	return found;
}

static void
api_auth_remember(const unsigned char *hash, int64_t gen,
    const struct api_request *r, const char *key_id)
{
	int64_t now = now_ms();
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
	snprintf(e->client_id, sizeof(e->client_id), "%s", r->client_id);
	snprintf(e->key_id, sizeof(e->key_id), "%s", key_id);
	snprintf(e->scopes, sizeof(e->scopes), "%s", r->scopes);
	e->generation = gen;
	e->expires = now + API_AUTH_CACHE_MS;
	pthread_mutex_unlock(&api_auth_mu);
}

void
api_auth_changed(void)
{
	redisReply *rep;

	pthread_mutex_lock(&api_auth_mu);
	memset(api_auth_cache, 0, sizeof(api_auth_cache));
	pthread_mutex_unlock(&api_auth_mu);
	if ((rep = api_redis_command("INCR %s", APIKEY_GENERATION_KEY)) ==
	    NULL)
		log_warnx("auth: redis unavailable: other API processes may "
		    "accept a revoked key for up to %d ms", API_AUTH_CACHE_MS);
	else
		freeReplyObject(rep);
}

bool
api_auth_scope(const struct api_request *r, const char *scope)
{
	size_t n = strlen(scope);
	const char *p;

	for (p = r->scopes; (p = strstr(p, scope)) != NULL; p += n)
		if ((p == r->scopes || p[-1] == ',') &&
		    (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

/*
 * Looks up the active key with prefix whose hash is hash: 1 with r's
 * client and scopes and key_id set, 0 when there is none, -1 on database
 * trouble.
 */
static int
api_auth_lookup(struct api_request *r, const char *prefix,
    const unsigned char *hash, char key_id[API_AUTH_KEY_ID_LEN])
{
	char hex[2 * APIKEY_HASH_LEN + 1], stored_hex[2 * APIKEY_HASH_LEN + 1];
	unsigned char stored[APIKEY_HASH_LEN];
	const char *params[2] = { prefix, hex }, *pk[1];
	unsigned int byte;
	PGresult *res;
	PGconn *db;
	int ok = 0;
	size_t k;

	hex_encode(hash, APIKEY_HASH_LEN, hex);
	if ((db = api_db_get(r)) == NULL)
		return -1;
	res = db_query(db, "SELECT k.key_id, k.client_id, encode(k.key_hash, "
	    "'hex'), array_to_string(k.scopes, ',') FROM api_keys k "
	    "JOIN clients c USING (client_id) WHERE k.key_hash = "
	    "decode($2, 'hex') AND k.prefix = $1 AND k.revoked_at IS NULL "
	    "AND c.active", 2, params, NULL, 0);
	if (res == NULL) {
		api_db_put(db);
		return -1;
	}
	if (PQntuples(res) > 0) {
		/* the index found it; compare as the secret it stands for */
		snprintf(stored_hex, sizeof(stored_hex), "%s",
		    PQgetvalue(res, 0, 2));
		for (k = 0; k < APIKEY_HASH_LEN &&
		    strlen(stored_hex) == 2 * APIKEY_HASH_LEN; k++) {
			sscanf(stored_hex + 2 * k, "%2x", &byte);
			stored[k] = (unsigned char)byte;
		}
		ok = k == APIKEY_HASH_LEN && apikey_hash_equal(stored, hash);
	}
	if (ok) {
		snprintf(r->client_id, sizeof(r->client_id), "%s",
		    PQgetvalue(res, 0, 1));
		snprintf(r->scopes, sizeof(r->scopes), "%s",
		    PQgetvalue(res, 0, 3));
		pk[0] = PQgetvalue(res, 0, 0);
		snprintf(key_id, API_AUTH_KEY_ID_LEN, "%s", pk[0]);
		/* at most one write a minute per key */
		db_exec(db, "UPDATE api_keys SET last_used_at = now() "
		    "WHERE key_id = $1 AND (last_used_at IS NULL OR "
		    "last_used_at < now() - interval '60 seconds')", 1, pk);
	}
	PQclear(res);
	api_db_put(db);
	return ok;
}

int
api_auth_key(struct MHD_Connection *c, struct api_request *r,
    enum MHD_Result *ret)
{
	char prefix[APIKEY_PREFIX_LEN + 1], key_id[API_AUTH_KEY_ID_LEN] = "";
	unsigned char hash[APIKEY_HASH_LEN];
	const char *key;
	int64_t gen;

	if ((key = api_auth_presented(c)) == NULL) {
		*ret = api_error(c, MHD_HTTP_UNAUTHORIZED, "Missing API key");
		return -1;
	}
	if (apikey_digest(key, prefix, hash) == -1) {
		*ret = api_error(c, MHD_HTTP_UNAUTHORIZED, "Invalid API key");
		return -1;
	}
	/* Redis cannot say whether anything changed: ask the database */
	gen = api_auth_generation();
	if (gen < 0 || !api_auth_cached(hash, gen, r, key_id)) {
		switch (api_auth_lookup(r, prefix, hash, key_id)) {
		case -1:
			*ret = api_error_db(c);
			return -1;
		case 0:
			*ret = api_error(c, MHD_HTTP_UNAUTHORIZED,
			    "Invalid API key");
			return -1;
		}
		if (gen >= 0)
			api_auth_remember(hash, gen, r, key_id);
	}
	if (api_rate_take(c, key_id, ret) == -1) {
		r->client_id[0] = r->scopes[0] = '\0';
		return -1;
	}
	return 0;
}

int
api_auth_admin(struct MHD_Connection *c, enum MHD_Result *ret)
{
	const char *admin;

	admin = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    "X-Admin-Key");
	if (api_cfg->admin_key == NULL) {
		*ret = api_error(c, MHD_HTTP_FORBIDDEN, "admin routes are "
		    "disabled (admin_key is not set)");
		return -1;
	}
	if (admin == NULL || !api_auth_secret_equal(admin,
	    api_cfg->admin_key)) {
		*ret = api_error(c, MHD_HTTP_UNAUTHORIZED, "Invalid or missing "
		    "admin key");
		return -1;
	}
	return 0;
}
