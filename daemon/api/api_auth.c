/*
 * The auth chain and the admin key; see api_auth.h. A Bearer token shaped
 * like a JWT goes to the OIDC issuer of the client its iss names (keys
 * cached per process, oidc.c); any other Bearer or X-API-Key value is an
 * API key, looked up by its hash. A verified key is kept
 * API_AUTH_CACHE_MS per process, stamped with the auth generation in
 * Redis, which every change that stops a key (a revocation, a client
 * deactivated, from any process or the command line) bumps: a stamp that
 * is not the current generation is not used.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

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
#include "jwt.h"
#include "log.h"
#include "oidc.h"
#include "scope.h"
#include "util.h"

/* A burst costs one lookup; a change of generation ends it sooner. */
#define API_AUTH_CACHE_MS	2000
#define API_AUTH_CACHE_SIZE	64
#define API_AUTH_KEY_ID_LEN	64
#define API_AUTH_DB_MS		5000	/* for the lookup's connection */

#define API_AUTH_SUB_MAX	128	/* of a JWT's sub in its rate bucket */

/* A verified key: its hash, its client, id and scopes. */
struct api_auth_entry {
	unsigned char	 hash[APIKEY_HASH_LEN];
	char		 client_id[UUID_BUFSZ];
	char		 key_id[API_AUTH_KEY_ID_LEN];
	struct scope_set scopes;
	int64_t		 generation;	/* the auth generation then */
	int64_t		 expires;	/* monotonic ms; 0 = empty */
};

static pthread_mutex_t api_auth_mu = PTHREAD_MUTEX_INITIALIZER;
static struct api_auth_entry api_auth_cache[API_AUTH_CACHE_SIZE];
/* the OIDC issuers' keys, made before the request threads start */
static struct oidc *api_auth_oidc;

void
api_auth_init(const struct config *cfg)
{
	struct oidc_config oc;

	config_oidc(cfg, &oc);
	api_auth_oidc = oidc_new(&oc);
}

void
api_auth_shutdown(void)
{
	oidc_free(api_auth_oidc);
	api_auth_oidc = NULL;
}

int
api_auth_secret_equal(const char *a, const char *b)
{
	unsigned char ha[SHA256_DIGEST_LENGTH], hb[SHA256_DIGEST_LENGTH];

	/* compare digests so neither length nor content leaks by timing */
	SHA256((const unsigned char *)a, strlen(a), ha);
	SHA256((const unsigned char *)b, strlen(b), hb);
	return CRYPTO_memcmp(ha, hb, sizeof(ha)) == 0;
}

/* The key or token the request presents, or NULL; *bearer says how. */
static const char *
api_auth_presented(struct MHD_Connection *c, bool *bearer)
{
	const char *k, *auth;

	*bearer = false;
	if ((k = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    "X-API-Key")) != NULL && *k != '\0')
		return k;
	auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    "Authorization");
	if (auth != NULL && strncasecmp(auth, "Bearer ", 7) == 0) {
		*bearer = true;
		return auth + 7;
	}
	return NULL;
}

bool
api_auth_has_credentials(struct MHD_Connection *c)
{
	const char *k;

	k = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-API-Key");
	return (k != NULL && *k != '\0') || MHD_lookup_connection_value(c,
	    MHD_HEADER_KIND, "Authorization") != NULL;
}

int64_t
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
 * 1 with r's client and scopes, key_id and the auth generation it was
 * verified in (*gen) copied out when hash was verified not long ago,
 * else 0. The caller compares the generation with Redis's.
 */
static int
api_auth_cached(const unsigned char *hash, struct api_request *r,
    char key_id[API_AUTH_KEY_ID_LEN], int64_t *gen)
{
	int64_t now = now_ms();
	size_t i;
	int found = 0;

	pthread_mutex_lock(&api_auth_mu);
	for (i = 0; i < API_AUTH_CACHE_SIZE && !found; i++) {
		if (api_auth_cache[i].expires <= now ||
		    !apikey_hash_equal(api_auth_cache[i].hash, hash))
			continue;
		memcpy(r->client_id, api_auth_cache[i].client_id, UUID_BUFSZ);
		memcpy(key_id, api_auth_cache[i].key_id, API_AUTH_KEY_ID_LEN);
		r->scopes = api_auth_cache[i].scopes;
		*gen = api_auth_cache[i].generation;
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
	e->scopes = r->scopes;
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
	return scope_set_has(&r->scopes, scope);
}

/*
 * Looks up the active key with prefix whose hash is hash (through
 * bomd_admin.key_verify(): the one narrow path to every tenant's keys): 1 with
 * r's client and scopes and key_id set, 0 when there is none, -1 on
 * database trouble.
 */
static int
api_auth_lookup(struct api_request *r, const char *prefix,
    const unsigned char *hash, char key_id[API_AUTH_KEY_ID_LEN])
{
	char hex[2 * APIKEY_HASH_LEN + 1], err[128];
	const char *params[2] = { prefix, hex };
	PGresult *res;
	PGconn *db;
	int ok;

	hex_encode(hash, APIKEY_HASH_LEN, hex);
	/* no tenant yet: the function sees the key, nothing else does */
	if ((db = api_db_tenant(NULL, API_AUTH_DB_MS)) == NULL)
		return -1;
	res = db_query(db, "SELECT key_id, client_id, array_to_string(scopes, "
	    "' ') FROM bomd_admin.key_verify($1, decode($2, 'hex'))", 2, params,
	    NULL, 0);
	api_db_put(db);
	if (res == NULL)
		return -1;
	/* stored scopes were checked on the way in: admin too */
	if ((ok = PQntuples(res) > 0 && scope_set_parse(&r->scopes,
	    PQgetvalue(res, 0, 2), false, err, sizeof(err)) == 0)) {
		snprintf(r->client_id, sizeof(r->client_id), "%s",
		    PQgetvalue(res, 0, 1));
		snprintf(key_id, API_AUTH_KEY_ID_LEN, "%s",
		    PQgetvalue(res, 0, 0));
	}
	PQclear(res);
	return ok;
}

/* Authenticates r by the API key key (step 2 of api_auth_caller()). */
static int
api_auth_key(struct MHD_Connection *c, struct api_request *r,
    const char *key, enum MHD_Result *ret)
{
	char prefix[APIKEY_PREFIX_LEN + 1], key_id[API_AUTH_KEY_ID_LEN] = "";
	char taken[API_AUTH_KEY_ID_LEN] = "";
	unsigned char hash[APIKEY_HASH_LEN];
	struct api_rate_verdict v;
	int64_t gen, cgen = -1;

	if (apikey_digest(key, prefix, hash) == -1) {
		*ret = api_error(c, MHD_HTTP_UNAUTHORIZED, "Invalid API key");
		return -1;
	}
	/*
	 * A key verified before takes its token in the round trip that
	 * reads the generation; it stands when nothing was revoked since.
	 */
	if (api_auth_cached(hash, r, key_id, &cgen))
		snprintf(taken, sizeof(taken), "%s", key_id);
	api_rate_check(*taken != '\0' ? taken : NULL, &gen, &v);
	/* Redis cannot say whether anything changed: ask the database */
	if (gen < 0 || *taken == '\0' || cgen != gen) {
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
		if (strcmp(taken, key_id) != 0)
			api_rate_check(key_id, NULL, &v);
	}
	return api_rate_apply(c, &v, ret);
}

/*
 * The active client whose OIDC issuer is iss, byte for byte: 1 with its
 * id in r and its audience in aud, 0 when none, -1 on database trouble.
 */
static int
api_auth_issuer(struct api_request *r, const char *iss, char *aud,
    size_t audlen)
{
	const char *params[1] = { iss };
	PGresult *res = NULL;
	PGconn *db;
	int found;

	/* no tenant yet: the one narrow path to every tenant's issuers */
	if ((db = api_db_tenant(NULL, API_AUTH_DB_MS)) != NULL)
		res = db_query(db, "SELECT client_id, audience FROM "
		    "bomd_admin.client_by_issuer($1)", 1, params, NULL, 0);
	api_db_put(db);
	if (res == NULL)
		return -1;
	if ((found = PQntuples(res) == 1)) {
		snprintf(r->client_id, sizeof(r->client_id), "%s",
		    PQgetvalue(res, 0, 0));
		snprintf(aud, audlen, "%s", PQgetvalue(res, 0, 1));
	}
	PQclear(res);
	return found;
}

/*
 * Authenticates r by the JWT token (step 1 of api_auth_caller()): its
 * client is the one whose issuer its iss names (none: refused without a
 * fetch), the issuer's keys and claims must verify, and its scope claim's
 * words bomd knows are its scopes. A JWT never makes an admin.
 */
static int
api_auth_jwt(struct MHD_Connection *c, struct api_request *r,
    const char *token, enum MHD_Result *ret)
{
	char err[256], aud[513], bucket[UUID_BUFSZ + API_AUTH_SUB_MAX + 8];
	const char *iss, *sub;
	struct jwt *jwt;
	int rc = -1;

	if ((jwt = jwt_parse(token, err, sizeof(err))) == NULL) {
		*ret = api_error(c, MHD_HTTP_UNAUTHORIZED, "Invalid token: %s",
		    err);
		return -1;
	}
	if ((iss = jwt_issuer(jwt)) == NULL) {
		*ret = api_error(c, MHD_HTTP_UNAUTHORIZED, "Invalid token: no "
		    "issuer");
		goto out;
	}
	switch (api_auth_issuer(r, iss, aud, sizeof(aud))) {
	case -1:
		*ret = api_error_db(c);
		goto out;
	case 0:
		*ret = api_error(c, MHD_HTTP_UNAUTHORIZED, "Invalid token: "
		    "unknown issuer");
		goto out;
	}
	switch (oidc_verify(api_auth_oidc, jwt, iss, aud, (int64_t)time(NULL),
	    err, sizeof(err))) {
	case JWT_OK:
		break;
	case JWT_UNAVAILABLE:
		*ret = api_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "Identity "
		    "provider unavailable: %s", err);
		goto out;
	default:
		*ret = api_error(c, MHD_HTTP_UNAUTHORIZED, "Invalid token: %s",
		    err);
		goto out;
	}
	/* unknown words ("openid", "profile") are the provider's own */
	if (scope_set_parse(&r->scopes, jwt_scope(jwt) ? jwt_scope(jwt) : "",
	    true, err, sizeof(err)) == -1) {
		*ret = api_error(c, MHD_HTTP_UNAUTHORIZED, "Invalid token: %s",
		    err);
		goto out;
	}
	sub = jwt_subject(jwt);
	snprintf(bucket, sizeof(bucket), "jwt:%s:%.*s", r->client_id,
	    API_AUTH_SUB_MAX, sub ? sub : "");
	rc = api_rate_take(c, bucket, ret);
out:
	jwt_free(jwt);
	return rc;
}

int
api_auth_caller(struct MHD_Connection *c, struct api_request *r,
    enum MHD_Result *ret)
{
	const char *cred;
	bool bearer;
	int rc;

	if ((cred = api_auth_presented(c, &bearer)) == NULL) {
		*ret = api_error(c, MHD_HTTP_UNAUTHORIZED, "Missing API key");
		return -1;
	}
	if (bearer && jwt_shaped(cred))
		rc = api_auth_jwt(c, r, cred, ret);
	else
		rc = api_auth_key(c, r, cred, ret);
	if (rc == -1) {
		r->client_id[0] = '\0';
		r->scopes.n = 0;
	}
	return rc;
}

int
api_auth_owner(struct MHD_Connection *c, struct api_request *r,
    const char *project_id, enum MHD_Result *ret)
{
	const char *params[1] = { project_id };
	PGresult *res;

	if (!api_auth_scope(r, SCOPE_ADMIN) || !uuid_valid(project_id))
		return 0;
	res = api_db_query(r, "SELECT client_id FROM "
	    "bomd_admin.project_client($1::uuid)", 1, params);
	if (res == NULL) {
		*ret = api_error_db(c);
		return -1;
	}
	if (PQntuples(res) == 1)
		snprintf(r->client_id, sizeof(r->client_id), "%s",
		    PQgetvalue(res, 0, 0));
	PQclear(res);
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
