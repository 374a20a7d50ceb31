/*
 * API key and admin key checks; see api_auth.h. A key is looked up by its
 * prefix and compared by hash in constant time; verified keys are kept
 * API_AUTH_CACHE_MS per process so a burst costs one lookup.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "api_auth.h"
#include "api_db.h"
#include "api_internal.h"
#include "api_rate.h"
#include "api_reply.h"
#include "api_request.h"
#include "apikey.h"
#include "config.h"
#include "db.h"
#include "util.h"

/*
 * A key revoked (or a client deactivated) elsewhere -- bomctl, the CLI,
 * another API process -- stops working here within API_AUTH_CACHE_MS;
 * admin changes made through this process flush the cache at once.
 */
#define API_AUTH_CACHE_MS	2000
#define API_AUTH_CACHE_SIZE	64
#define API_AUTH_KEY_ID_LEN	64

/* A verified key: its hash, its client and its id. */
struct api_auth_entry {
	unsigned char	hash[APIKEY_HASH_LEN];
	char		client_id[UUID_BUFSZ];
	char		key_id[API_AUTH_KEY_ID_LEN];
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

/* 1 with client_id and key_id copied out when hash is cached, else 0. */
static int
api_auth_cached(const unsigned char *hash, char client_id[UUID_BUFSZ],
    char key_id[API_AUTH_KEY_ID_LEN])
{
	int64_t now = now_ms();
	size_t i;
	int found = 0;

	pthread_mutex_lock(&api_auth_mu);
	for (i = 0; i < API_AUTH_CACHE_SIZE && !found; i++) {
		if (api_auth_cache[i].expires <= now ||
		    !apikey_hash_equal(api_auth_cache[i].hash, hash))
			continue;
		memcpy(client_id, api_auth_cache[i].client_id, UUID_BUFSZ);
		memcpy(key_id, api_auth_cache[i].key_id, API_AUTH_KEY_ID_LEN);
		found = 1;
	}
	pthread_mutex_unlock(&api_auth_mu);
	return found;
}

static void
api_auth_remember(const unsigned char *hash, const char *client_id,
    const char *key_id)
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

/*
 * Looks up the active key with prefix whose hash is hash: 1 with r's
 * client and key_id set, 0 when there is none, -1 on database trouble.
 */
static int
api_auth_lookup(struct api_request *r, const char *prefix,
    const unsigned char *hash, char key_id[API_AUTH_KEY_ID_LEN])
{
	char hex[2 * APIKEY_HASH_LEN + 1];
	unsigned char stored[APIKEY_HASH_LEN];
	const char *params[1] = { prefix }, *pk[1];
	unsigned int byte;
	PGresult *res;
	PGconn *db;
	int i, n, ok = 0;
	size_t k;

	if ((db = api_db_get(r)) == NULL)
		return -1;
	res = db_query(db, "SELECT k.key_id, k.client_id, encode(k.key_hash, "
	    "'hex') FROM api_keys k JOIN clients c USING (client_id) "
	    "WHERE k.prefix = $1 AND k.revoked_at IS NULL AND c.active",
	    1, params, NULL, 0);
	if (res == NULL) {
		api_db_put(db);
		return -1;
	}
	n = PQntuples(res);
	for (i = 0; i < n && !ok; i++) {
		snprintf(hex, sizeof(hex), "%s", PQgetvalue(res, i, 2));
		if (strlen(hex) != 2 * APIKEY_HASH_LEN)
			continue;
		for (k = 0; k < APIKEY_HASH_LEN; k++) {
			sscanf(hex + 2 * k, "%2x", &byte);
			stored[k] = (unsigned char)byte;
		}
		if (!apikey_hash_equal(stored, hash))
			continue;
		ok = 1;
		snprintf(r->client_id, sizeof(r->client_id), "%s",
		    PQgetvalue(res, i, 1));
		pk[0] = PQgetvalue(res, i, 0);
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

	if ((key = api_auth_presented(c)) == NULL) {
		*ret = api_error(c, MHD_HTTP_UNAUTHORIZED, "Missing API key");
		return -1;
	}
	if (apikey_digest(key, prefix, hash) == -1) {
		*ret = api_error(c, MHD_HTTP_UNAUTHORIZED, "Invalid API key");
		return -1;
	}
	if (!api_auth_cached(hash, r->client_id, key_id)) {
		switch (api_auth_lookup(r, prefix, hash, key_id)) {
		case -1:
			*ret = api_error_db(c);
			return -1;
		case 0:
			*ret = api_error(c, MHD_HTTP_UNAUTHORIZED,
			    "Invalid API key");
			return -1;
		}
		api_auth_remember(hash, r->client_id, key_id);
	}
	if (api_rate_take(c, key_id, ret) == -1) {
		r->client_id[0] = '\0';
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
