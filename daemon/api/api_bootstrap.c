/*
 * First setup and the demo tenant, as the original service's admin
 * console calls them: status (no key), bootstrap (a client and a key, or
 * a new key for the client of that slug) and reset-demo.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin/admin.h"
#include "api_admin.h"
#include "api_bootstrap.h"
#include "api_db.h"
#include "api_internal.h"
#include "api_reply.h"
#include "api_request.h"
#include "config.h"
#include "db.h"
#include "util.h"

#define API_BOOTSTRAP_DEMO_SLUG	"demo"
#define API_BOOTSTRAP_DB_MS	5000	/* for the status's connection */

/* GET /admin/status: active clients and every key ever made. */
enum MHD_Result
api_bootstrap_status(struct MHD_Connection *c, struct api_request *r)
{
	json_int_t nclients, nkeys;
	PGresult *res = NULL;
	PGconn *db;

	(void)r;
	/* counts only, from the admin realm (no key needed, as the original) */
	if ((db = api_db_admin(API_BOOTSTRAP_DB_MS)) != NULL)
		res = db_query(db, "SELECT (SELECT count(*) FROM clients "
		    "WHERE active), (SELECT count(*) FROM api_keys)", 0, NULL,
		    NULL, 0);
	api_db_put(db);
	if (res == NULL)
		return api_error_db(c);
	nclients = atoll(PQgetvalue(res, 0, 0));
	nkeys = atoll(PQgetvalue(res, 0, 1));
	PQclear(res);
	return api_json(c, MHD_HTTP_OK, json_pack("{s:b, s:b, s:b, s:I, s:I}",
	    "admin_configured", api_cfg->admin_key != NULL, "has_clients",
	    nclients > 0, "has_api_keys", nkeys > 0, "client_count", nclients,
	    "key_count", nkeys));
}

/*
 * The client of slug for a bootstrap, in db's open transaction: found
 * (made active again: a key of an inactive client would not work) or made
 * with name. Its id and name go to id and out_name; *existed says which.
 * An admin_err code, with err.
 */
static int
api_bootstrap_client(PGconn *db, const char *name, const char *slug,
    char id[UUID_BUFSZ], char *out_name, size_t namelen, bool *existed,
    char *err, size_t errlen)
{
	PGresult *res;
	int rc;

	res = db_query(db, "UPDATE clients SET active = true, updated_at = "
	    "now() WHERE slug = $1 RETURNING client_id, name", 1,
	    (const char *[]){ slug }, err, errlen);
	if (res == NULL)
		return ADMIN_DB;
	if ((*existed = PQntuples(res) == 1)) {
		snprintf(id, UUID_BUFSZ, "%s", PQgetvalue(res, 0, 0));
		snprintf(out_name, namelen, "%s", PQgetvalue(res, 0, 1));
		PQclear(res);
		return ADMIN_OK;
	}
	PQclear(res);
	if ((rc = admin_client_insert(db, &(struct admin_client){ name, slug,
	    NULL, NULL, NULL, false }, id, err, errlen)) == ADMIN_OK)
		snprintf(out_name, namelen, "%s", name);
	return rc;
}

/* POST /admin/bootstrap {client_name, client_slug, key_name} */
enum MHD_Result
api_bootstrap_run(struct MHD_Connection *c, struct api_request *r)
{
	const char *name, *slug, *key_name;
	char id[UUID_BUFSZ], cname[256], err[512], msg[256];
	json_t *body, *key = NULL;
	enum MHD_Result ret;
	bool existed = false;
	PGconn *db;
	int rc;

	if ((body = api_json_body(c, r, true, API_HTTP_UNPROCESSABLE,
	    &ret)) == NULL)
		return ret;
	name = json_string_value(json_object_get(body, "client_name"));
	slug = json_string_value(json_object_get(body, "client_slug"));
	key_name = json_string_value(json_object_get(body, "key_name"));
	if ((db = api_db_get(r)) == NULL) {
		json_decref(body);
		return api_error_db(c);
	}
	if (db_begin(db) == -1)
		rc = ADMIN_DB;
	else if ((rc = api_bootstrap_client(db, name ? name : "Demo Client",
	    slug ? slug : API_BOOTSTRAP_DEMO_SLUG, id, cname, sizeof(cname),
	    &existed, err, sizeof(err))) == ADMIN_OK)
		rc = admin_key_create(db, id, key_name ? key_name : "demo-key",
		    "all", &key, err, sizeof(err));
	if (rc == ADMIN_OK && db_commit(db) == -1)
		rc = ADMIN_DB;
	if (rc != ADMIN_OK)
		db_rollback(db);
	api_db_put(db);
	if (rc != ADMIN_OK)
		ret = api_admin_answer(c, rc, err, MHD_HTTP_OK, NULL);
	else {
		if (existed)
			snprintf(msg, sizeof(msg), "Client '%s' already "
			    "exists. Created new API key.", slug ? slug :
			    API_BOOTSTRAP_DEMO_SLUG);
		else
			snprintf(msg, sizeof(msg), "Demo client and API key "
			    "created successfully.");
		ret = api_json(c, MHD_HTTP_OK, json_pack("{s:s, s:s, s:O, "
		    "s:s, s:O, s:s}", "client_id", id, "client_name", cname,
		    "key_id", json_object_get(key, "key_id"), "key_name",
		    key_name ? key_name : "demo-key", "api_key",
		    json_object_get(key, "api_key"), "message", msg));
	}
	json_decref(key);
	json_decref(body);
	return ret;
}

/* POST /admin/reset-demo: the demo client's keys revoked, it inactive. */
enum MHD_Result
api_bootstrap_reset_demo(struct MHD_Connection *c, struct api_request *r)
{
	char msg[128];
	json_int_t n;
	PGresult *res;
	json_t *out;

	res = api_db_query(r, "WITH d AS (UPDATE clients SET active = false, "
	    "updated_at = now() WHERE slug = $1 RETURNING client_id), "
	    "k AS (UPDATE api_keys SET revoked_at = now() WHERE client_id IN "
	    "(SELECT client_id FROM d) AND revoked_at IS NULL RETURNING 1) "
	    "SELECT d.client_id, (SELECT count(*) FROM k) FROM d", 1,
	    (const char *[]){ API_BOOTSTRAP_DEMO_SLUG });
	if (res == NULL)
		return api_error_db(c);
	if (PQntuples(res) == 0) {
		PQclear(res);
		return api_json(c, MHD_HTTP_OK, json_pack("{s:s, s:b}",
		    "message", "No demo client found", "reset", 0));
	}
	n = atoll(PQgetvalue(res, 0, 1));
	snprintf(msg, sizeof(msg), "Demo reset complete. Deactivated client "
	    "and revoked %lld keys.", (long long)n);
	out = json_pack("{s:s, s:b, s:s, s:I}", "message", msg, "reset", 1,
	    "client_id", PQgetvalue(res, 0, 0), "keys_revoked", n);
	PQclear(res);
	return api_json(c, MHD_HTTP_OK, out);
}
