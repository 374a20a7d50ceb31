/*
 * The original service's /api-keys and /clients routes. With a tenant's
 * key they see and change only that tenant (its own client and keys; no
 * new clients); with X-Admin-Key, or a key of scope admin, every tenant.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin/admin.h"
#include "api_admin.h"
#include "api_auth.h"
#include "api_db.h"
#include "api_internal.h"
#include "api_reply.h"
#include "api_request.h"
#include "api_tenants.h"
#include "config.h"
#include "db.h"
#include "util.h"

#define API_TENANTS_KEY_COLS "k.key_id, k.client_id, k.name, " \
	"array_to_json(k.scopes)::text, " API_TS("k.created_at") ", " \
	API_TS("k.last_used_at") ", k.revoked_at IS NULL, k.prefix, " \
	API_TS("k.revoked_at")

#define API_TENANTS_CLIENT_COLS "c.client_id, c.name, c.slug, c.active, " \
	API_TS("c.created_at")

/*
 * Whose rows a query may touch, its $1: NULL (every tenant's) for an
 * admin, else the caller's client.
 */
static const char *
api_tenants_whose(const struct api_request *r)
{
	return r->admin ? NULL : r->client_id;
}

/* One key selected with API_TENANTS_KEY_COLS, as the original's ApiKey. */
static json_t *
api_tenants_key_json(const PGresult *res, int i)
{
	return json_pack("{s:s, s:s, s:s, s:o, s:s, s:o, s:b, s:s, s:o}",
	    "key_id", PQgetvalue(res, i, 0), "client_id",
	    PQgetvalue(res, i, 1), "name", PQgetvalue(res, i, 2), "scopes",
	    api_db_col_json(res, i, 3), "created_at", PQgetvalue(res, i, 4),
	    "last_used", api_db_col_str(res, i, 5), "is_active",
	    strcmp(PQgetvalue(res, i, 6), "t") == 0, "prefix",
	    PQgetvalue(res, i, 7), "revoked_at", api_db_col_str(res, i, 8));
}

/* One client selected with API_TENANTS_CLIENT_COLS, as the original's. */
static json_t *
api_tenants_client_json(const PGresult *res, int i)
{
	return json_pack("{s:s, s:s, s:s, s:b, s:s}", "client_id",
	    PQgetvalue(res, i, 0), "name", PQgetvalue(res, i, 1), "slug",
	    PQgetvalue(res, i, 2), "is_active",
	    strcmp(PQgetvalue(res, i, 3), "t") == 0, "created_at",
	    PQgetvalue(res, i, 4));
}

static json_t *
api_tenants_revoked_json(const PGresult *res, int i)
{
	return json_pack("{s:s, s:s}", "status", "revoked", "key_id",
	    PQgetvalue(res, i, 0));
}

static json_t *
api_tenants_deactivated_json(const PGresult *res, int i)
{
	return json_pack("{s:s, s:s}", "status", "deactivated", "client_id",
	    PQgetvalue(res, i, 0));
}

/*
 * A statement on one row named by an id, a UUID, of whose rows the caller
 * may touch: $1 as api_tenants_whose(), $2 the id; the row's answer, and
 * what the row is, for 404 "<what> not found: <id>".
 */
struct api_tenants_stmt {
	const char	*sql;
	api_row_fn	 to_json;
	const char	*what;
};

const struct api_tenants_stmt api_tenants_key = {
	"SELECT " API_TENANTS_KEY_COLS " FROM api_keys k WHERE ($1::uuid IS "
	"NULL OR k.client_id = $1::uuid) AND k.key_id = $2",
	api_tenants_key_json, "API key"
};

const struct api_tenants_stmt api_tenants_key_revoke = {
	"UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now()) "
	"WHERE ($1::uuid IS NULL OR client_id = $1::uuid) AND key_id = $2 "
	"RETURNING key_id",
	api_tenants_revoked_json, "API key"
};

const struct api_tenants_stmt api_tenants_client = {
	"SELECT " API_TENANTS_CLIENT_COLS " FROM clients c WHERE ($1::uuid "
	"IS NULL OR c.client_id = $1::uuid) AND c.client_id = $2",
	api_tenants_client_json, "Client"
};

const struct api_tenants_stmt api_tenants_client_deactivate = {
	"UPDATE clients SET active = false, updated_at = now() "
	"WHERE ($1::uuid IS NULL OR client_id = $1::uuid) AND client_id = $2 "
	"RETURNING client_id",
	api_tenants_deactivated_json, "Client"
};

/*
 * Answers s on the row named by id; an id that is not a UUID, like a row
 * not there, is 404.
 */
static enum MHD_Result
api_tenants_one(struct MHD_Connection *c, struct api_request *r,
    const struct api_tenants_stmt *s, const char *id)
{
	if (!uuid_valid(id))
		return api_error(c, MHD_HTTP_NOT_FOUND, "%s not found: %s",
		    s->what, id);
	return api_reply_row(c, r, s->sql, 2, (const char *[]){
	    api_tenants_whose(r), id }, s->to_json, MHD_HTTP_NOT_FOUND,
	    "%s not found: %s", s->what, id);
}

enum MHD_Result
api_tenants_row(struct MHD_Connection *c, struct api_request *r)
{
	return api_tenants_one(c, r, r->match.route->arg, r->match.args[0]);
}

/*
 * GET /api-keys[?client_id=ID][&limit=N], newest first. A bad ?limit is
 * 422 before a client_id no client has answers [], so this parses it
 * itself rather than through api_reply_page().
 */
enum MHD_Result
api_tenants_keys_list(struct MHD_Connection *c, struct api_request *r)
{
	const char *client;
	char limit[24];
	enum MHD_Result ret;

	if (api_query_limit(c, limit, sizeof(limit), &ret) == -1)
		return ret;
	client = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND,
	    "client_id");
	/* no client has such an id */
	if (client != NULL && !uuid_valid(client))
		return api_json(c, MHD_HTTP_OK, json_array());
	return api_reply_rows(c, r, "SELECT " API_TENANTS_KEY_COLS " FROM "
	    "api_keys k WHERE ($1::uuid IS NULL OR k.client_id = $1::uuid) "
	    "AND ($2::uuid IS NULL OR k.client_id = $2::uuid) "
	    "ORDER BY k.created_at DESC, k.key_id LIMIT $3::int", 3,
	    (const char *[]){ api_tenants_whose(r), client, limit },
	    api_tenants_key_json);
}

/*
 * The scopes member of a key request as "a,b" in buf ("all" when absent
 * or empty). The admin scope is the operator's to give, from the command
 * line only (403); a tenant's key gives only what it has: "all" gives
 * any other scope, else none. 0, or -1 after answering in *ret.
 */
static int
api_tenants_scopes(struct MHD_Connection *c, const struct api_request *r,
    const json_t *v, char *buf, size_t len, enum MHD_Result *ret)
{
	const json_t *s;
	size_t i, at = 0;

	snprintf(buf, len, "all");
	if (v != NULL && !json_is_null(v) && !json_is_array(v)) {
		*ret = api_error(c, API_HTTP_UNPROCESSABLE, "scopes: expected "
		    "a list of strings");
		return -1;
	}
	json_array_foreach(v, i, s) {
		if (!json_is_string(s) || strchr(json_string_value(s), ',') ||
		    at + json_string_length(s) + 2 > len) {
			*ret = api_error(c, API_HTTP_UNPROCESSABLE, "scopes: "
			    "expected a list of scopes such as [\"all\"]");
			return -1;
		}
		if (strcmp(json_string_value(s), "admin") == 0) {
			*ret = api_error(c, MHD_HTTP_FORBIDDEN, "scope admin "
			    "is given only by the operator (bomd key create "
			    "--scope admin)");
			return -1;
		}
		at += (size_t)snprintf(buf + at, len - at, "%s%s",
		    at > 0 ? "," : "", json_string_value(s));
	}
	if (!r->admin && !api_auth_scope(r, "all")) {
		*ret = api_error(c, MHD_HTTP_FORBIDDEN, "Missing required "
		    "scope: all");
		return -1;
	}
	return 0;
}

/* POST /api-keys {client_id, name, scopes}: {key, raw_key}. */
enum MHD_Result
api_tenants_keys_create(struct MHD_Connection *c, struct api_request *r)
{
	char scopes[API_SCOPES_LEN], err[512];
	const char *client, *name, *raw;
	json_t *body, *out = NULL, *key;
	enum MHD_Result ret;
	PGresult *res;
	PGconn *db;
	int rc;

	if ((body = api_json_body(c, r, false, API_HTTP_UNPROCESSABLE,
	    &ret)) == NULL)
		return ret;
	client = json_string_value(json_object_get(body, "client_id"));
	name = json_string_value(json_object_get(body, "name"));
	if (name == NULL || (client == NULL && r->admin)) {
		ret = api_error(c, API_HTTP_UNPROCESSABLE, "%s: field required "
		    "(a string)", name == NULL ? "name" : "client_id");
		goto out;
	}
	if (client == NULL)
		client = r->client_id;
	if (api_tenants_scopes(c, r, json_object_get(body, "scopes"), scopes,
	    sizeof(scopes), &ret) == -1)
		goto out;
	/* another tenant's client is one that does not exist */
	if (!r->admin && strcmp(client, r->client_id) != 0) {
		ret = api_error(c, MHD_HTTP_NOT_FOUND, "Client not found: %s",
		    client);
		goto out;
	}
	if ((db = api_db_get(r)) == NULL) {
		ret = api_error_db(c);
		goto out;
	}
	rc = admin_key_create(db, client, name, scopes, &out, err,
	    sizeof(err));
	if (rc != ADMIN_OK) {
		api_db_put(db);
		ret = api_admin_answer(c, rc, err, MHD_HTTP_OK, NULL);
		goto out;
	}
	res = db_query(db, "SELECT " API_TENANTS_KEY_COLS " FROM api_keys k "
	    "WHERE k.key_id = $1", 1, (const char *[]){ json_string_value(
	    json_object_get(out, "key_id")) }, NULL, 0);
	api_db_put(db);
	if (res == NULL || PQntuples(res) != 1) {
		PQclear(res);
		ret = api_error_db(c);
		goto out;
	}
	key = api_tenants_key_json(res, 0);
	PQclear(res);
	raw = json_string_value(json_object_get(out, "api_key"));
	ret = api_json(c, MHD_HTTP_OK, json_pack("{s:o, s:s}", "key", key,
	    "raw_key", raw));
out:
	json_decref(out);
	json_decref(body);
	return ret;
}

/* GET /clients[?include_inactive=true], newest first. */
enum MHD_Result
api_tenants_clients_list(struct MHD_Connection *c, struct api_request *r)
{
	const char *inactive;

	inactive = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND,
	    "include_inactive");
	return api_reply_rows(c, r, "SELECT " API_TENANTS_CLIENT_COLS " FROM "
	    "clients c WHERE ($1::uuid IS NULL OR c.client_id = $1::uuid) "
	    "AND (c.active OR $2::boolean) ORDER BY c.created_at DESC, "
	    "c.client_id", 2, (const char *[]){ api_tenants_whose(r),
	    inactive != NULL && (strcmp(inactive, "true") == 0 ||
	    strcmp(inactive, "1") == 0) ? "true" : "false" },
	    api_tenants_client_json);
}

/*
 * POST /clients {name, slug[, oidc_issuer, oidc_audience]}: the
 * operator's (an issuer is a URL the server will fetch); no key comes
 * with it.
 */
enum MHD_Result
api_tenants_clients_create(struct MHD_Connection *c, struct api_request *r)
{
	struct admin_client spec;
	char id[UUID_BUFSZ], err[512];
	const char *name, *slug;
	enum MHD_Result ret;
	json_t *body;
	PGconn *db;
	int rc;

	if (!r->admin)
		return api_error(c, MHD_HTTP_FORBIDDEN, "creating clients "
		    "needs X-Admin-Key or a key of scope admin");
	if ((body = api_json_body(c, r, false, API_HTTP_UNPROCESSABLE,
	    &ret)) == NULL)
		return ret;
	name = json_string_value(json_object_get(body, "name"));
	slug = json_string_value(json_object_get(body, "slug"));
	if (name == NULL || slug == NULL) {
		ret = api_error(c, API_HTTP_UNPROCESSABLE, "%s: field required "
		    "(a string)", name == NULL ? "name" : "slug");
		goto out;
	}
	spec = (struct admin_client){ name, slug, NULL,
	    json_string_value(json_object_get(body, "oidc_issuer")),
	    json_string_value(json_object_get(body, "oidc_audience")),
	    api_cfg->oidc_loopback_http };
	if ((db = api_db_get(r)) == NULL) {
		ret = api_error_db(c);
		goto out;
	}
	rc = admin_client_insert(db, &spec, id, err, sizeof(err));
	api_db_put(db);
	if (rc == ADMIN_CONFLICT && spec.oidc_issuer == NULL)
		ret = api_error(c, MHD_HTTP_BAD_REQUEST, "Client with slug "
		    "'%s' already exists", slug);
	else if (rc != ADMIN_OK)
		ret = api_admin_answer(c, rc, err, MHD_HTTP_OK, NULL);
	else
		ret = api_tenants_one(c, r, &api_tenants_client, id);
out:
	json_decref(body);
	return ret;
}
