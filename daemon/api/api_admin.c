/*
 * Admin routes: tenants and their API keys, behind X-Admin-Key (disabled
 * when admin_key is unset). Keys are shown once, at creation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin/admin.h"
#include "api_admin.h"
#include "api_db.h"
#include "api_internal.h"
#include "api_reply.h"
#include "api_request.h"
#include "config.h"
#include "util.h"

#define API_ADMIN_LIST_MAX	"10000"	/* rows of a list */

#define API_ADMIN_CLIENT_COLS "client_id, name, slug, wallet_address, " \
	"active, " API_TS("created_at") ", " API_TS("updated_at") ", " \
	"oidc_issuer, oidc_audience"
#define API_ADMIN_MAX_MEMBERS	5	/* that a create route reads */

enum MHD_Result
api_admin_answer(struct MHD_Connection *c, int rc, const char *err,
    unsigned int status, json_t *out)
{
	if (rc != ADMIN_OK)
		json_decref(out);
	switch (rc) {
	case ADMIN_OK:
		return api_json(c, status, out);
	case ADMIN_BAD_INPUT:
		return api_error(c, MHD_HTTP_BAD_REQUEST, "%s", err);
	case ADMIN_NOT_FOUND:
		return api_error(c, MHD_HTTP_NOT_FOUND, "%s", err);
	case ADMIN_CONFLICT:
		return api_error(c, MHD_HTTP_CONFLICT, "%s", err);
	default:
		return api_error_db(c);
	}
}

/* One row selected with API_ADMIN_CLIENT_COLS. */
static json_t *
api_admin_client_json(const PGresult *res, int i)
{
	return json_pack("{s:s, s:s, s:s, s:o, s:b, s:s, s:s, s:o, s:o}",
	    "client_id", PQgetvalue(res, i, 0), "name", PQgetvalue(res, i, 1),
	    "slug", PQgetvalue(res, i, 2), "wallet_address",
	    api_db_col_str(res, i, 3), "active",
	    strcmp(PQgetvalue(res, i, 4), "t") == 0, "created_at",
	    PQgetvalue(res, i, 5), "updated_at", PQgetvalue(res, i, 6),
	    "oidc_issuer", api_db_col_str(res, i, 7), "oidc_audience",
	    api_db_col_str(res, i, 8));
}

/* Makes a client or a key with admin.c from the request's strings v. */
typedef int (*api_admin_make_fn)(PGconn *db, const char *const *v,
    json_t **out, char *err, size_t errlen);

/*
 * A create route: the members make reads, in order (strings; a list of
 * strings is read as its items joined by commas), and its 422 texts.
 */
struct api_admin_create {
	const char		*keys[API_ADMIN_MAX_MEMBERS];	/* [0] needed */
	size_t			 n;
	const char		*invalid;	/* 422 when one is no string */
	const char		*missing;	/* 422 without keys[0] */
	api_admin_make_fn	 make;
};

/* The strings of list joined by commas into buf; -1 if one is not. */
static int
api_admin_join(const json_t *list, char *buf, size_t len)
{
	const json_t *item;
	size_t i, off = 0;
	int n;

	buf[0] = '\0';
	json_array_foreach(list, i, item) {
		if (!json_is_string(item))
			return -1;
		n = snprintf(buf + off, len - off, "%s%s", i ? "," : "",
		    json_string_value(item));
		if (n < 0 || (size_t)n >= len - off)
			return -1;
		off += (size_t)n;
	}
	return 0;
}

/*
 * Answers a create route: reads the body's string members as spec says
 * (422 when one is no string or the first is missing), runs spec->make on
 * a connection and answers 201 with what it made, or its error.
 */
static enum MHD_Result
api_admin_create(struct MHD_Connection *c, const struct api_request *r,
    const struct api_admin_create *spec)
{
	const char *v[API_ADMIN_MAX_MEMBERS] = { NULL };
	char err[512], lists[API_ADMIN_MAX_MEMBERS][512];
	json_t *body, *m, *out = NULL;
	PGconn *db;
	enum MHD_Result ret;
	size_t i;
	int rc;

	if ((body = api_json_body(c, r, false, API_HTTP_UNPROCESSABLE,
	    &ret)) == NULL)
		return ret;
	for (i = 0; i < spec->n; i++) {
		m = json_object_get(body, spec->keys[i]);
		v[i] = json_string_value(m);
		if (json_is_array(m) && api_admin_join(m, lists[i],
		    sizeof(lists[i])) == 0)
			v[i] = lists[i];
		if (m != NULL && !json_is_null(m) && v[i] == NULL) {
			ret = api_error(c, API_HTTP_UNPROCESSABLE, "%s",
			    spec->invalid);
			goto out;
		}
	}
	if (v[0] == NULL)
		ret = api_error(c, API_HTTP_UNPROCESSABLE, "%s",
		    spec->missing);
	else if ((db = api_db_get(r)) == NULL)
		ret = api_error_db(c);
	else {
		rc = spec->make(db, v, &out, err, sizeof(err));
		api_db_put(db);
		ret = api_admin_answer(c, rc, err, MHD_HTTP_CREATED, out);
	}
out:
	json_decref(body);
	return ret;
}

static int
api_admin_client_make(PGconn *db, const char *const *v, json_t **out,
    char *err, size_t errlen)
{
	struct admin_client spec = { v[0], v[1], v[2], v[3], v[4],
	    api_cfg->oidc_loopback_http };

	return admin_client_create(db, &spec, out, err, errlen);
}

enum MHD_Result
api_admin_clients_create(struct MHD_Connection *c, struct api_request *r)
{
	static const struct api_admin_create spec = {
		{ "name", "slug", "wallet_address", "oidc_issuer",
		    "oidc_audience" }, 5,
		"name, slug, wallet_address, oidc_issuer and oidc_audience "
		"must be strings",
		"name: field required", api_admin_client_make
	};

	return api_admin_create(c, r, &spec);
}

enum MHD_Result
api_admin_clients_list(struct MHD_Connection *c, struct api_request *r)
{
	return api_reply_rows(c, r, "SELECT " API_ADMIN_CLIENT_COLS " FROM "
	    "clients ORDER BY created_at, client_id LIMIT " API_ADMIN_LIST_MAX,
	    0, NULL, api_admin_client_json);
}

/*
 * Answers client id (not a UUID: 404, as a client not there), first made
 * active or not as active says ("true", "false") unless it is NULL.
 */
static enum MHD_Result
api_admin_clients_show(struct MHD_Connection *c, struct api_request *r,
    const char *id, const char *active)
{
	if (!uuid_valid(id))
		return api_error(c, MHD_HTTP_NOT_FOUND, "Client not found: %s",
		    id);
	if (active == NULL)
		return api_reply_row(c, r, "SELECT " API_ADMIN_CLIENT_COLS
		    " FROM clients WHERE client_id = $1", 1,
		    (const char *[]){ id }, api_admin_client_json,
		    MHD_HTTP_NOT_FOUND, "Client not found: %s", id);
	return api_reply_row(c, r, "UPDATE clients SET active = $2::boolean, "
	    "updated_at = now() WHERE client_id = $1 RETURNING "
	    API_ADMIN_CLIENT_COLS, 2, (const char *[]){ id, active },
	    api_admin_client_json, MHD_HTTP_NOT_FOUND, "Client not found: %s",
	    id);
}

enum MHD_Result
api_admin_clients_get(struct MHD_Connection *c, struct api_request *r)
{
	return api_admin_clients_show(c, r, r->match.args[0], NULL);
}

enum MHD_Result
api_admin_clients_deactivate(struct MHD_Connection *c, struct api_request *r)
{
	return api_admin_clients_show(c, r, r->match.args[0], "false");
}

enum MHD_Result
api_admin_clients_activate(struct MHD_Connection *c, struct api_request *r)
{
	return api_admin_clients_show(c, r, r->match.args[0], "true");
}

static int
api_admin_key_make(PGconn *db, const char *const *v, json_t **out,
    char *err, size_t errlen)
{
	return admin_key_create(db, v[0], v[1], v[2], out, err, errlen);
}

enum MHD_Result
api_admin_keys_create(struct MHD_Connection *c, struct api_request *r)
{
	static const struct api_admin_create spec = {
		{ "client_id", "name", "scopes" }, 3,
		"client_id and name must be strings, scopes a list of "
		"strings",
		"client_id: field required (a string)", api_admin_key_make
	};

	return api_admin_create(c, r, &spec);
}

/*
 * One key row: never the hash, only id, owner, name, prefix, dates and
 * scopes.
 */
static json_t *
api_admin_key_json(const PGresult *res, int i)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o}", "key_id",
	    PQgetvalue(res, i, 0), "client_id", PQgetvalue(res, i, 1), "name",
	    PQgetvalue(res, i, 2), "prefix", PQgetvalue(res, i, 3),
	    "created_at", PQgetvalue(res, i, 4), "revoked_at",
	    api_db_col_str(res, i, 5), "last_used_at",
	    api_db_col_str(res, i, 6), "scopes", api_db_col_json(res, i, 7));
}

enum MHD_Result
api_admin_keys_list(struct MHD_Connection *c, struct api_request *r)
{
	const char *client;

	client = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND,
	    "client_id");
	if (client != NULL && !uuid_valid(client))
		return api_error(c, API_HTTP_UNPROCESSABLE, "client_id: not a "
		    "client id");
	return api_reply_rows(c, r, "SELECT key_id, client_id, name, prefix, "
	    API_TS("created_at") ", " API_TS("revoked_at") ", "
	    API_TS("last_used_at") ", array_to_json(scopes) FROM api_keys "
	    "WHERE $1::uuid IS NULL OR client_id = $1::uuid "
	    "ORDER BY created_at, key_id LIMIT "
	    API_ADMIN_LIST_MAX, 1, (const char *[]){ client },
	    api_admin_key_json);
}

enum MHD_Result
api_admin_keys_revoke(struct MHD_Connection *c, struct api_request *r)
{
	char err[512];
	PGconn *db;
	int rc;

	if (!uuid_valid(r->match.args[0]))
		return api_error(c, MHD_HTTP_NOT_FOUND, "key not found: %s",
		    r->match.args[0]);
	if ((db = api_db_get(r)) == NULL)
		return api_error_db(c);
	rc = admin_key_revoke(db, r->match.args[0], err, sizeof(err));
	api_db_put(db);
	return api_admin_answer(c, rc, err, MHD_HTTP_OK, rc == ADMIN_OK ?
	    json_pack("{s:s}", "revoked", r->match.args[0]) : NULL);
}
