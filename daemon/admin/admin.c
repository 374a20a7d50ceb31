/*
 * Clients and API keys: creation with validated fields, keys shown once and
 * stored hashed, revocation.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "apikey.h"
#include "db.h"
#include "log.h"
#include "oidc.h"
#include "queue.h"
#include "redis_conn.h"
#include "scope.h"
#include "util.h"

/* True when s is "0x" and 40 hex digits. */
static int
admin_wallet_valid(const char *s)
{
	size_t i;

	if (strlen(s) != 42 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return 0;
	for (i = 2; i < 42; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

static void
admin_slugify(const char *name, char *out, size_t len)
{
	size_t n = 0;
	int dash = 0;

	for (; *name != '\0' && n + 1 < len && n < 63; name++) {
		if (isalnum((unsigned char)*name)) {
			if (dash && n > 0)
				out[n++] = '-';
			dash = 0;
			if (n + 1 < len)
				out[n++] = (char)tolower((unsigned char)*name);
		} else
			dash = 1;
	}
	out[n] = '\0';
}

static int
admin_slug_valid(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 63 || !isalnum((unsigned char)s[0]))
		return 0;
	for (i = 0; i < n; i++)
		if (!(islower((unsigned char)s[i]) ||
		    isdigit((unsigned char)s[i]) || s[i] == '-'))
			return 0;
	return 1;
}

/*
 * Stores a new key for client_id with scopes (comma-joined, valid): one of
 * bomd's, or in the original's format when original. 0 or ADMIN_DB.
 */
static int
admin_insert_key(PGconn *c, const char *client_id, const char *name,
    const char *scopes, bool original, char *key_id, char *key, char *err,
    size_t errlen)
{
	char prefix[APIKEY_PREFIX_LEN + 1];
	char hash_hex[2 * APIKEY_HASH_LEN + 3];
	unsigned char hash[APIKEY_HASH_LEN];
	const char *params[6];

	if (uuid_v4(key_id) == -1 || (original ?
	    apikey_generate_original(key, prefix, hash) :
	    apikey_generate(key, prefix, hash)) == -1) {
		snprintf(err, errlen, "no randomness from the OS");
		return ADMIN_DB;
	}
	memcpy(hash_hex, "\\x", 2);
	hex_encode(hash, sizeof(hash), hash_hex + 2);
	params[0] = key_id;
	params[1] = client_id;
	params[2] = name;
	params[3] = prefix;
	params[4] = hash_hex;
	params[5] = scopes;
	if (db_exec(c, "INSERT INTO api_keys (key_id, client_id, name, prefix,"
	    " key_hash, scopes) VALUES ($1, $2, $3, $4, $5::bytea, "
	    "string_to_array($6, ','))", 6, params) == -1) {
		snprintf(err, errlen, "cannot store the key");
		return ADMIN_DB;
	}
	return ADMIN_OK;
}

/* Checks spec's fields; ADMIN_OK or ADMIN_BAD_INPUT with err. */
static int
admin_client_check(const struct admin_client *spec, const char *slug,
    char *err, size_t errlen)
{
	char why[128];

	if (spec->name == NULL || spec->name[0] == '\0' ||
	    strlen(spec->name) > 200)
		snprintf(err, errlen, "name: required, 1 to 200 characters");
	else if (!admin_slug_valid(slug))
		snprintf(err, errlen, "slug: '%s' must be 1 to 63 of a-z, 0-9 "
		    "and '-', starting with a letter or digit", slug);
	else if (spec->wallet != NULL && !admin_wallet_valid(spec->wallet))
		snprintf(err, errlen, "wallet: must be 0x followed by 40 hex "
		    "digits");
	else if ((spec->oidc_issuer == NULL) != (spec->oidc_audience == NULL))
		snprintf(err, errlen, "oidc_issuer and oidc_audience: give "
		    "both or neither");
	else if (spec->oidc_issuer != NULL &&
	    !oidc_issuer_valid(spec->oidc_issuer, spec->loopback_http, why,
	    sizeof(why)))
		snprintf(err, errlen, "oidc_issuer: %s", why);
	else if (spec->oidc_audience != NULL &&
	    (spec->oidc_audience[0] == '\0' ||
	    strlen(spec->oidc_audience) > 512))
		snprintf(err, errlen, "oidc_audience: 1 to 512 characters");
	else
		return ADMIN_OK;
	return ADMIN_BAD_INPUT;
}

int
admin_client_insert(PGconn *c, const struct admin_client *spec,
    char id[UUID_BUFSZ], char *err, size_t errlen)
{
	char autoslug[64];
	const char *params[6], *slug = spec->slug;
	PGresult *r;
	int rc;

	if (slug == NULL && spec->name != NULL) {
		admin_slugify(spec->name, autoslug, sizeof(autoslug));
		slug = autoslug;
	}
	if ((rc = admin_client_check(spec, slug, err, errlen)) != ADMIN_OK)
		return rc;
	if (uuid_v4(id) == -1) {
		snprintf(err, errlen, "no randomness from the OS");
		return ADMIN_DB;
	}
	params[0] = id;
	params[1] = spec->name;
	params[2] = slug;
	params[3] = spec->wallet;
	params[4] = spec->oidc_issuer;
	params[5] = spec->oidc_audience;
	r = db_query(c, "INSERT INTO clients (client_id, name, slug, "
	    "wallet_address, oidc_issuer, oidc_audience) VALUES ($1, $2, $3, "
	    "$4, $5, $6)", 6, params, err, errlen);
	if (r == NULL) {
		if (strstr(err, "duplicate key") == NULL)
			return ADMIN_DB;
		snprintf(err, errlen, "client already exists: slug '%s', "
		    "wallet or OIDC issuer is taken", slug);
		return ADMIN_CONFLICT;
	}
	PQclear(r);
	return ADMIN_OK;
}

int
admin_client_create(PGconn *c, const struct admin_client *spec, json_t **out,
    char *err, size_t errlen)
{
	char id[UUID_BUFSZ], key_id[UUID_BUFSZ], key[APIKEY_LEN + 1];
	char autoslug[64];
	struct admin_client named = *spec;
	int rc;

	*out = NULL;
	if (named.slug == NULL && named.name != NULL) {
		admin_slugify(named.name, autoslug, sizeof(autoslug));
		named.slug = autoslug;
	}
	if (db_begin(c) == -1) {
		snprintf(err, errlen, "database unavailable");
		return ADMIN_DB;
	}
	if ((rc = admin_client_insert(c, &named, id, err, errlen)) !=
	    ADMIN_OK || (rc = admin_insert_key(c, id, "default", "all", false,
	    key_id, key, err, errlen)) != ADMIN_OK) {
		db_rollback(c);
		return rc;
	}
	if (db_commit(c) == -1) {
		snprintf(err, errlen, "database unavailable");
		return ADMIN_DB;
	}
	*out = json_pack("{s:s, s:s, s:s, s:s, s:s}", "client_id", id,
	    "api_key", key, "key_id", key_id, "name", named.name, "slug",
	    named.slug);
	return ADMIN_OK;
}

int
admin_key_create(PGconn *c, const char *client_id, const char *name,
    const char *scopes, json_t **out, char *err, size_t errlen)
{
	char key_id[UUID_BUFSZ], key[APIKEY_LEN + 1];
	char joined[SCOPE_MAX * SCOPE_LEN];
	const char *params[1] = { client_id };
	struct scope_set set;
	PGresult *r;
	int rc, found;

	*out = NULL;
	if (!uuid_valid(client_id)) {
		snprintf(err, errlen, "client: '%s' is not a client id",
		    client_id);
		return ADMIN_BAD_INPUT;
	}
	if (name == NULL)
		name = "default";
	if (name[0] == '\0' || strlen(name) > 200) {
		snprintf(err, errlen, "name: 1 to 200 characters");
		return ADMIN_BAD_INPUT;
	}
	if (scope_set_parse(&set, scopes != NULL ? scopes : "all", false, err,
	    errlen) == -1)
		return ADMIN_BAD_INPUT;
	if (set.n == 0 || scope_set_join(&set, ",", joined,
	    sizeof(joined)) == -1) {
		snprintf(err, errlen, "scope: one to %d scopes", SCOPE_MAX);
		return ADMIN_BAD_INPUT;
	}
	r = db_query(c, "SELECT 1 FROM clients WHERE client_id = $1", 1,
	    params, err, errlen);
	if (r == NULL)
		return ADMIN_DB;
	found = PQntuples(r) > 0;
	PQclear(r);
	if (!found) {
		snprintf(err, errlen, "client not found: %s", client_id);
		return ADMIN_NOT_FOUND;
	}
	if ((rc = admin_insert_key(c, client_id, name, joined, false, key_id,
	    key, err, errlen)) != ADMIN_OK)
		return rc;
	*out = json_pack("{s:s, s:s}", "key_id", key_id, "api_key", key);
	return ADMIN_OK;
}

int
admin_project_token(PGconn *c, const char *client_id, const char *project_id,
    char *key, char key_id[UUID_BUFSZ], char *err, size_t errlen)
{
	char scope[SCOPE_LEN], name[64];

	snprintf(scope, sizeof(scope), "%s%s", SCOPE_PROJECT, project_id);
	snprintf(name, sizeof(name), "x402 project %.36s", project_id);
	return admin_insert_key(c, client_id, name, scope, true, key_id, key,
	    err, errlen);
}

int
admin_key_revoke(PGconn *c, const char *key_id, char *err, size_t errlen)
{
	const char *params[1] = { key_id };
	PGresult *r;
	int n;

	if (!uuid_valid(key_id)) {
		snprintf(err, errlen, "key: '%s' is not a key id", key_id);
		return ADMIN_BAD_INPUT;
	}
	r = db_query(c, "UPDATE api_keys SET revoked_at = "
	    "COALESCE(revoked_at, now()) WHERE key_id = $1", 1, params, err,
	    errlen);
	if (r == NULL)
		return ADMIN_DB;
	n = atoi(PQcmdTuples(r));
	PQclear(r);
	if (n == 0) {
		snprintf(err, errlen, "key not found: %s", key_id);
		return ADMIN_NOT_FOUND;
	}
	return ADMIN_OK;
}

int
admin_auth_changed(const char *redis_url, char *err, size_t errlen)
{
	redisContext *rc;
	redisReply *rep;
	int ok;

	if ((rc = redis_conn_open(redis_url, 3000, err, errlen)) == NULL)
		return -1;
	rep = redisCommand(rc, "INCR %s", APIKEY_GENERATION_KEY);
	ok = rep != NULL && rep->type == REDIS_REPLY_INTEGER;
	if (!ok)
		snprintf(err, errlen, "redis: %s", rep != NULL &&
		    rep->type == REDIS_REPLY_ERROR ? rep->str : rc->errstr);
	if (rep != NULL)
		freeReplyObject(rep);
	redisFree(rc);
	return ok ? 0 : -1;
}
