/*
 * The API process's PostgreSQL pool; see api_db.h. A connection goes out
 * with its tenant (or the admin realm) set and comes back with them
 * cleared, so no request sees the rows of the one before.
 */
#include <stddef.h>

#include <jansson.h>

#include "api_db.h"
#include "api_request.h"
#include "config.h"
#include "db.h"

#define API_DB_POOL_SIZE	16
#define API_DB_WAIT_MS		5000	/* for a request's connection */

static struct db_pool *api_db_pool;

void
api_db_init(const struct config *cfg)
{
	api_db_pool = db_pool_new(cfg->database_url, "bomd-api",
	    cfg->database_role, API_DB_POOL_SIZE);
}

void
api_db_shutdown(void)
{
	db_pool_free(api_db_pool);
	api_db_pool = NULL;
}

PGconn *
api_db_tenant(const char *tenant, int wait_ms)
{
	PGconn *db;

	if (api_db_pool == NULL ||
	    (db = db_pool_get(api_db_pool, wait_ms)) == NULL)
		return NULL;
	if (tenant != NULL && db_set_tenant(db, tenant) == -1) {
		db_pool_put(api_db_pool, db);
		return NULL;
	}
	return db;
}

PGconn *
api_db_admin(int wait_ms)
{
	PGconn *db;

	if ((db = api_db_tenant(NULL, wait_ms)) == NULL)
		return NULL;
	/* clients and api_keys are the admin views of every tenant's */
	if (db_exec(db, "SELECT set_config('search_path', 'bomd_admin, "
	    "public', false)", 0, NULL) == -1) {
		api_db_put(db);
		return NULL;
	}
	return db;
}

PGconn *
api_db_get(const struct api_request *r)
{
	if (r->admin)
		return api_db_admin(API_DB_WAIT_MS);
	/* no client: no tenant, no rows */
	return api_db_tenant(r->client_id, API_DB_WAIT_MS);
}

void
api_db_put(PGconn *db)
{
	if (db != NULL)
		db_pool_put(api_db_pool, db);
}

PGresult *
api_db_query(const struct api_request *r, const char *sql, int nparams,
    const char *const *params)
{
	PGresult *res;
	PGconn *db;

	if ((db = api_db_get(r)) == NULL)
		return NULL;
	res = db_query(db, sql, nparams, params, NULL, 0);
	api_db_put(db);
	return res;
}

PGresult *
api_db_read(const struct api_request *r, const char *name, const char *sql,
    int nparams, const char *const *params)
{
	const char *tenant[1] = { r->client_id };
	struct db_stmt st[3] = {
		{ "SELECT set_config('bomd.client_id', $1, false)", 1, tenant,
		    NULL, "bomd_api_tenant_set" },
		{ sql, nparams, params, NULL, name },
		{ "SELECT set_config('bomd.client_id', '', false)", 0, NULL,
		    NULL, "bomd_api_tenant_clear" },
	};
	PGconn *db;

	if (r->admin)
		return api_db_query(r, sql, nparams, params);
	if ((db = api_db_tenant(NULL, API_DB_WAIT_MS)) == NULL)
		return NULL;
	if (db_pipeline(db, st, 3) == -1) {
		api_db_put(db);
		return NULL;
	}
	PQclear(st[0].res);
	PQclear(st[2].res);
	/* the pipeline cleared the tenant it set: no reset to wait for */
	db_pool_put_clean(api_db_pool, db);
	return st[1].res;
}

json_t *
api_db_col_str(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? json_null() :
	    json_string(PQgetvalue(res, row, col));
}

json_t *
api_db_col_json(const PGresult *res, int row, int col)
{
	json_error_t jerr;
	json_t *v;

	if (PQgetisnull(res, row, col))
		return json_null();
	v = json_loads(PQgetvalue(res, row, col), JSON_DECODE_ANY, &jerr);
	return v ? v : json_null();
}
