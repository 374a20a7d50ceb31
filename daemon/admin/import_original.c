/*
 * bomd import original-keys DSN: copies the clients and API keys of the
 * original service's PostgreSQL (its clients and api_keys tables; keys as
 * their SHA-256, which bomd accepts for pbom_sk_ keys). Ids are derived
 * from the original's, so importing again updates instead of duplicating;
 * it never makes a revoked key or a deactivated client work again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "apikey.h"
#include "db.h"
#include "import_original.h"
#include "scope.h"
#include "util.h"

/* The bomd uuid of an original id, the same on every import. */
#define IMPORT_ID(kind, param) "md5('bomd-import:" kind ":' || " param \
	")::uuid"

/* A string member of a row object, or NULL. */
static const char *
import_str(const json_t *row, const char *key)
{
	return json_string_value(json_object_get(row, key));
}

/* Every row of table on src as JSON objects (so absent columns are). */
static json_t *
import_rows(PGconn *src, const char *sql, char *err, size_t errlen)
{
	PGresult *res;
	json_t *rows, *row;
	int i;

	if ((res = db_query(src, sql, 0, NULL, err, errlen)) == NULL)
		return NULL;
	rows = json_array();
	for (i = 0; i < PQntuples(res); i++)
		if ((row = json_loads(PQgetvalue(res, i, 0), 0, NULL)) != NULL)
			json_array_append_new(rows, row);
	PQclear(res);
	return rows;
}

/*
 * One client: its slug made to bomd's rules (and told apart from another
 * client's), its wallet kept when valid and free. 0, or -1 on db trouble.
 */
static int
import_client(PGconn *dst, const json_t *c, char *err, size_t errlen)
{
	const json_t *active = json_object_get(c, "is_active");
	const char *params[5];
	PGresult *res;

	params[0] = import_str(c, "client_id");
	params[1] = import_str(c, "name");
	params[2] = import_str(c, "slug");
	params[3] = import_str(c, "wallet_address");
	params[4] = active == NULL || json_is_true(active) ? "true" : "false";
	if (params[0] == NULL || params[1] == NULL || params[2] == NULL)
		return 1;
	res = db_query(dst, "WITH s AS (SELECT left(trim(both '-' from "
	    "regexp_replace(lower($3), '[^a-z0-9-]+', '-', 'g')), 56) AS slug),"
	    " n AS (SELECT CASE WHEN s.slug = '' OR EXISTS (SELECT 1 FROM "
	    "clients o WHERE o.slug = s.slug AND o.client_id <> "
	    IMPORT_ID("client", "$1") ") THEN trim(both '-' from s.slug || "
	    "'-' || left(md5($1), 6)) ELSE s.slug END AS slug FROM s) "
	    "INSERT INTO clients (client_id, name, slug, wallet_address, "
	    "active) SELECT " IMPORT_ID("client", "$1") ", "
	    "COALESCE(NULLIF(left($2, 200), ''), 'imported'), n.slug, "
	    "CASE WHEN $4 ~ '^0x[0-9a-fA-F]{40}$' AND NOT EXISTS (SELECT 1 "
	    "FROM clients w WHERE w.wallet_address = $4 AND w.client_id <> "
	    IMPORT_ID("client", "$1") ") THEN $4 END, $5::boolean FROM n "
	    "ON CONFLICT (client_id) DO UPDATE SET name = EXCLUDED.name, "
	    "active = clients.active AND EXCLUDED.active, updated_at = now()",
	    5, params, err, errlen);
	if (res == NULL)
		return -1;
	PQclear(res);
	return 0;
}

/*
 * One key, with the scopes bomd knows. 0; 1 when skipped (why in
 * skipped); -1 on db trouble.
 */
static int
import_key(PGconn *dst, const json_t *k, json_t *skipped, char *err,
    size_t errlen)
{
	const json_t *active = json_object_get(k, "is_active");
	const char *id = import_str(k, "key_id"), *scopes, *p, *comma;
	const char *params[8];
	char one[64];
	struct buf keep;
	PGresult *res;
	size_t n;

	params[0] = id;
	params[1] = import_str(k, "client_id");
	params[2] = import_str(k, "name");
	params[3] = import_str(k, "hashed_key");
	if (id == NULL || params[1] == NULL || params[3] == NULL ||
	    strlen(params[3]) != 2 * APIKEY_HASH_LEN) {
		json_array_append_new(skipped, json_sprintf("key %s: no "
		    "SHA-256 hash or no client", id ? id : "?"));
		return 1;
	}
	buf_init(&keep);
	scopes = import_str(k, "scopes");
	for (p = scopes && *scopes ? scopes : "all"; p != NULL;
	    p = comma ? comma + 1 : NULL) {
		comma = strchr(p, ',');
		n = comma ? (size_t)(comma - p) : strlen(p);
		snprintf(one, sizeof(one), "%.*s", (int)(n < sizeof(one) ? n :
		    sizeof(one) - 1), p);
		if (scope_valid(one))
			buf_printf(&keep, "%s%s", keep.len ? "," : "", one);
	}
	if (keep.len == 0) {
		json_array_append_new(skipped, json_sprintf("key %s: no scope "
		    "bomd knows in '%s'", id, scopes));
		buf_free(&keep);
		return 1;
	}
	params[4] = keep.data;
	params[5] = import_str(k, "created_at");
	params[6] = import_str(k, "last_used");
	params[7] = active == NULL || json_is_true(active) ? "true" : "false";
	res = db_query(dst, "INSERT INTO api_keys (key_id, client_id, name, "
	    "prefix, key_hash, scopes, created_at, last_used_at, revoked_at) "
	    "SELECT " IMPORT_ID("key", "$1") ", c.client_id, "
	    "COALESCE(NULLIF(left($3, 200), ''), 'imported'), $9, "
	    "decode($4, 'hex'), string_to_array($5, ','), "
	    "COALESCE($6::timestamptz, now()), $7::timestamptz, "
	    "CASE WHEN $8::boolean THEN NULL ELSE now() END FROM clients c "
	    "WHERE c.client_id = " IMPORT_ID("client", "$2") " "
	    "ON CONFLICT (key_id) DO UPDATE SET name = EXCLUDED.name, "
	    "scopes = EXCLUDED.scopes, last_used_at = GREATEST("
	    "api_keys.last_used_at, EXCLUDED.last_used_at), revoked_at = "
	    "COALESCE(api_keys.revoked_at, EXCLUDED.revoked_at)", 9,
	    (const char *[]){ params[0], params[1], params[2], params[3],
	    params[4], params[5], params[6], params[7],
	    APIKEY_ORIGINAL_PREFIX }, err, errlen);
	buf_free(&keep);
	if (res == NULL)
		return -1;
	n = (size_t)atoi(PQcmdTuples(res));
	PQclear(res);
	if (n == 0) {
		json_array_append_new(skipped, json_sprintf("key %s: client %s "
		    "not found", id, params[1]));
		return 1;
	}
	return 0;
}

int
import_original_keys(PGconn *dst, const char *dsn, json_t **out, char *err,
    size_t errlen)
{
	json_t *clients = NULL, *keys = NULL, *skipped, *row;
	PGconn *src;
	size_t i, nclients = 0, nkeys = 0;
	int rc = -1, r;

	*out = NULL;
	skipped = json_array();
	if ((src = db_connect(dsn, "bomd-import", err, errlen)) == NULL)
		goto out;
	if ((clients = import_rows(src, "SELECT to_jsonb(c)::text FROM "
	    "clients c ORDER BY c.created_at", err, errlen)) == NULL ||
	    (keys = import_rows(src, "SELECT to_jsonb(k)::text FROM "
	    "api_keys k ORDER BY k.created_at", err, errlen)) == NULL)
		goto out;
	if (db_begin(dst) == -1) {
		snprintf(err, errlen, "database unavailable");
		goto out;
	}
	json_array_foreach(clients, i, row) {
		if ((r = import_client(dst, row, err, errlen)) == -1)
			goto fail;
		nclients += r == 0;
	}
	json_array_foreach(keys, i, row) {
		if ((r = import_key(dst, row, skipped, err, errlen)) == -1)
			goto fail;
		nkeys += r == 0;
	}
	if (db_commit(dst) == -1) {
		snprintf(err, errlen, "cannot commit the import");
		goto out;
	}
	*out = json_pack("{s:I, s:I, s:O}", "clients", (json_int_t)nclients,
	    "keys", (json_int_t)nkeys, "skipped", skipped);
	rc = 0;
	goto out;
fail:
	db_rollback(dst);
out:
	if (src != NULL)
		PQfinish(src);
	json_decref(clients);
	json_decref(keys);
	json_decref(skipped);
	return rc;
}
