/*
 * Admin routes: tenants and their API keys, behind X-Admin-Key (disabled
 * when admin_key is unset). Keys are shown once, at creation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin/admin.h"
#include "api_internal.h"
#include "config.h"
#include "db.h"
#include "util.h"

#define ADMIN_CLIENT_COLS "client_id, name, slug, wallet_address, active, " \
	API_TS("created_at") ", " API_TS("updated_at")

static enum MHD_Result
admin_db_unavailable(struct MHD_Connection *c)
{
	return api_error(c, MHD_HTTP_SERVICE_UNAVAILABLE,
	    "database unavailable");
}

/* Maps an admin_err to its HTTP answer. */
static enum MHD_Result
admin_fail(struct MHD_Connection *c, int rc, const char *err)
{
	switch (rc) {
	case ADMIN_BAD_INPUT:
		return api_error(c, MHD_HTTP_BAD_REQUEST, "%s", err);
	case ADMIN_NOT_FOUND:
		return api_error(c, MHD_HTTP_NOT_FOUND, "%s", err);
	case ADMIN_CONFLICT:
		return api_error(c, MHD_HTTP_CONFLICT, "%s", err);
	default:
		return admin_db_unavailable(c);
	}
}

static json_t *
admin_client_json(PGresult *res, int i)
{
	return json_pack("{s:s, s:s, s:s, s:o, s:b, s:s, s:s}",
	    "client_id", PQgetvalue(res, i, 0), "name", PQgetvalue(res, i, 1),
	    "slug", PQgetvalue(res, i, 2), "wallet_address",
	    PQgetisnull(res, i, 3) ? json_null() :
	    json_string(PQgetvalue(res, i, 3)), "active",
	    strcmp(PQgetvalue(res, i, 4), "t") == 0, "created_at",
	    PQgetvalue(res, i, 5), "updated_at", PQgetvalue(res, i, 6));
}

/* A string member of a JSON body: NULL when absent; *bad when not text. */
static const char *
admin_body_str(json_t *body, const char *key, int *bad)
{
	json_t *v = json_object_get(body, key);

	if (v == NULL || json_is_null(v))
		return NULL;
	if (!json_is_string(v)) {
		*bad = 1;
		return NULL;
	}
	return json_string_value(v);
}

static enum MHD_Result
admin_clients_create(struct MHD_Connection *c, struct api_request *r,
    const char *const *args)
{
	const char *name, *slug, *wallet;
	char err[512];
	json_t *body, *out = NULL;
	PGconn *db;
	enum MHD_Result ret;
	int bad = 0, rc;

	(void)args;
	if ((body = api_json_body(r, err, sizeof(err))) == NULL)
		return api_error(c, API_HTTP_UNPROCESSABLE, "%s", err);
	name = admin_body_str(body, "name", &bad);
	slug = admin_body_str(body, "slug", &bad);
	wallet = admin_body_str(body, "wallet_address", &bad);
	if (bad) {
		json_decref(body);
		return api_error(c, API_HTTP_UNPROCESSABLE, "name, slug and "
		    "wallet_address must be strings");
	}
	if (name == NULL) {
		json_decref(body);
		return api_error(c, API_HTTP_UNPROCESSABLE, "name: field "
		    "required");
	}
	if ((db = api_db_get(r)) == NULL) {
		json_decref(body);
		return admin_db_unavailable(c);
	}
	rc = admin_client_create(db, name, slug, wallet, &out, err,
	    sizeof(err));
	api_db_put(db);
	json_decref(body);
	if (rc != ADMIN_OK)
		return admin_fail(c, rc, err);
	ret = api_json(c, MHD_HTTP_CREATED, out);
	return ret;
}

static enum MHD_Result
admin_clients_list(struct MHD_Connection *c, struct api_request *r,
    const char *const *args)
{
	PGresult *res;
	PGconn *db;
	json_t *out;
	int i;

	(void)args;
	if ((db = api_db_get(r)) == NULL)
		return admin_db_unavailable(c);
	res = db_query(db, "SELECT " ADMIN_CLIENT_COLS " FROM clients "
	    "ORDER BY created_at, client_id LIMIT 10000", 0, NULL, NULL, 0);
	api_db_put(db);
	if (res == NULL)
		return admin_db_unavailable(c);
	out = json_array();
	for (i = 0; i < PQntuples(res); i++)
		json_array_append_new(out, admin_client_json(res, i));
	PQclear(res);
	return api_json(c, MHD_HTTP_OK, out);
}

/* Reads one client; answers 404 itself (returns NULL then). */
static json_t *
admin_client_get_json(struct MHD_Connection *c, PGconn *db, const char *id,
    enum MHD_Result *ret)
{
	const char *params[1] = { id };
	PGresult *res;
	json_t *out;

	if (!uuid_valid(id)) {
		*ret = api_error(c, MHD_HTTP_NOT_FOUND, "Client not found: %s",
		    id);
		return NULL;
	}
	res = db_query(db, "SELECT " ADMIN_CLIENT_COLS " FROM clients WHERE "
	    "client_id = $1", 1, params, NULL, 0);
	if (res == NULL) {
		*ret = admin_db_unavailable(c);
		return NULL;
	}
	if (PQntuples(res) == 0) {
		PQclear(res);
		*ret = api_error(c, MHD_HTTP_NOT_FOUND, "Client not found: %s",
		    id);
		return NULL;
	}
	out = admin_client_json(res, 0);
	PQclear(res);
	return out;
}

static enum MHD_Result
admin_clients_get(struct MHD_Connection *c, struct api_request *r,
    const char *const *args)
{
	enum MHD_Result ret;
	PGconn *db;
	json_t *out;

	if ((db = api_db_get(r)) == NULL)
		return admin_db_unavailable(c);
	out = admin_client_get_json(c, db, args[0], &ret);
	api_db_put(db);
	return out ? api_json(c, MHD_HTTP_OK, out) : ret;
}

static enum MHD_Result
admin_clients_set_active(struct MHD_Connection *c, struct api_request *r,
    const char *id, const char *active)
{
	const char *params[2] = { id, active };
	enum MHD_Result ret;
	PGconn *db;
	json_t *out;

	if ((db = api_db_get(r)) == NULL)
		return admin_db_unavailable(c);
	if (uuid_valid(id) && db_exec(db, "UPDATE clients SET active = "
	    "$2::boolean, updated_at = now() WHERE client_id = $1", 2,
	    params) == -1) {
		api_db_put(db);
		return admin_db_unavailable(c);
	}
	out = admin_client_get_json(c, db, id, &ret);
	api_db_put(db);
	return out ? api_json(c, MHD_HTTP_OK, out) : ret;
}

static enum MHD_Result
admin_clients_deactivate(struct MHD_Connection *c, struct api_request *r,
    const char *const *args)
{
	return admin_clients_set_active(c, r, args[0], "false");
}

static enum MHD_Result
admin_clients_activate(struct MHD_Connection *c, struct api_request *r,
    const char *const *args)
{
	return admin_clients_set_active(c, r, args[0], "true");
}

static enum MHD_Result
admin_keys_create(struct MHD_Connection *c, struct api_request *r,
    const char *const *args)
{
	const char *client, *name;
	char err[512];
	json_t *body, *out = NULL;
	PGconn *db;
	int bad = 0, rc;

	(void)args;
	if ((body = api_json_body(r, err, sizeof(err))) == NULL)
		return api_error(c, API_HTTP_UNPROCESSABLE, "%s", err);
	client = admin_body_str(body, "client_id", &bad);
	name = admin_body_str(body, "name", &bad);
	if (bad || client == NULL) {
		json_decref(body);
		return api_error(c, API_HTTP_UNPROCESSABLE, "client_id: field "
		    "required (a string)");
	}
	if ((db = api_db_get(r)) == NULL) {
		json_decref(body);
		return admin_db_unavailable(c);
	}
	rc = admin_key_create(db, client, name, &out, err, sizeof(err));
	api_db_put(db);
	json_decref(body);
	if (rc != ADMIN_OK)
		return admin_fail(c, rc, err);
	return api_json(c, MHD_HTTP_CREATED, out);
}

static enum MHD_Result
admin_keys_list(struct MHD_Connection *c, struct api_request *r,
    const char *const *args)
{
	const char *client, *params[1];
	PGresult *res;
	PGconn *db;
	json_t *out;
	int i;

	(void)args;
	client = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND,
	    "client_id");
	if (client != NULL && !uuid_valid(client))
		return api_error(c, API_HTTP_UNPROCESSABLE, "client_id: not a "
		    "client id");
	params[0] = client;
	if ((db = api_db_get(r)) == NULL)
		return admin_db_unavailable(c);
	/* never the hash: id, owner, name, prefix and dates only */
	res = db_query(db, "SELECT key_id, client_id, name, prefix, "
	    API_TS("created_at") ", " API_TS("revoked_at") ", "
	    API_TS("last_used_at") " FROM api_keys WHERE $1::uuid IS NULL OR "
	    "client_id = $1::uuid ORDER BY created_at, key_id LIMIT 10000", 1,
	    params, NULL, 0);
	api_db_put(db);
	if (res == NULL)
		return admin_db_unavailable(c);
	out = json_array();
	for (i = 0; i < PQntuples(res); i++)
		json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:s, "
		    "s:s, s:o, s:o}", "key_id", PQgetvalue(res, i, 0),
		    "client_id", PQgetvalue(res, i, 1), "name",
		    PQgetvalue(res, i, 2), "prefix", PQgetvalue(res, i, 3),
		    "created_at", PQgetvalue(res, i, 4), "revoked_at",
		    PQgetisnull(res, i, 5) ? json_null() :
		    json_string(PQgetvalue(res, i, 5)), "last_used_at",
		    PQgetisnull(res, i, 6) ? json_null() :
		    json_string(PQgetvalue(res, i, 6))));
	PQclear(res);
	return api_json(c, MHD_HTTP_OK, out);
}

static enum MHD_Result
admin_keys_revoke(struct MHD_Connection *c, struct api_request *r,
    const char *const *args)
{
	char err[512];
	PGconn *db;
	int rc;

	if (!uuid_valid(args[0]))
		return api_error(c, MHD_HTTP_NOT_FOUND, "key not found: %s",
		    args[0]);
	if ((db = api_db_get(r)) == NULL)
		return admin_db_unavailable(c);
	rc = admin_key_revoke(db, args[0], err, sizeof(err));
	api_db_put(db);
	if (rc != ADMIN_OK)
		return admin_fail(c, rc, err);
	return api_json(c, MHD_HTTP_OK, json_pack("{s:s}", "revoked",
	    args[0]));
}

const struct api_route api_admin_routes[] = {
	{ "POST", "/admin/clients", API_AUTH_ADMIN, admin_clients_create },
	{ "GET", "/admin/clients", API_AUTH_ADMIN, admin_clients_list },
	{ "GET", "/admin/clients/{}", API_AUTH_ADMIN, admin_clients_get },
	{ "POST", "/admin/clients/{}/deactivate", API_AUTH_ADMIN,
	    admin_clients_deactivate },
	{ "POST", "/admin/clients/{}/activate", API_AUTH_ADMIN,
	    admin_clients_activate },
	{ "POST", "/admin/api-keys", API_AUTH_ADMIN, admin_keys_create },
	{ "GET", "/admin/api-keys", API_AUTH_ADMIN, admin_keys_list },
	{ "POST", "/admin/api-keys/{}/revoke", API_AUTH_ADMIN,
	    admin_keys_revoke },
	{ NULL, NULL, 0, NULL }
};
