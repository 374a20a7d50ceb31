/*
 * PostgreSQL for the API process: a small pool of connections, each
 * scoped to one tenant under row-level security while it is lent out.
 */
#ifndef BOMD_API_DB_H
#define BOMD_API_DB_H

#include <jansson.h>
#include <libpq-fe.h>

struct api_request;
struct config;

/* A timestamptz column selected as RFC 3339 UTC text. */
#define API_TS(col) "to_char(" col " AT TIME ZONE 'UTC', " \
	"'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

/* Makes the pool (connections open on first use). */
void		 api_db_init(const struct config *cfg);
/* Closes every pooled connection; api_db_get() fails afterwards. */
void		 api_db_shutdown(void);

/*
 * A pooled connection whose session admits only tenant's rows (a client
 * id, or several "id,id"; NULL or "": none), waiting up to wait_ms for
 * one. NULL when the database is unavailable. Give it back with
 * api_db_put().
 */
PGconn		*api_db_tenant(const char *tenant, int wait_ms);
/*
 * A pooled connection in the admin realm: clients and api_keys name the
 * views of schema bomd_admin, which show every tenant's; no tenant's data
 * is visible. For admin requests only. NULL when the database is
 * unavailable. Give it back with api_db_put().
 */
PGconn		*api_db_admin(int wait_ms);
/*
 * The connection for r: its client's rows, or the admin realm for an
 * admin request (r->admin: X-Admin-Key or a key of scope admin); a
 * request with neither sees no tenant's rows. Waits up to 5 s; NULL when
 * the database is unavailable. Give it back with api_db_put().
 */
PGconn		*api_db_get(const struct api_request *r);
/* Returns db to the pool, its session cleared; NULL is fine. */
void		 api_db_put(PGconn *db);

/*
 * Runs sql on r's connection (api_db_get(), given back at once). The
 * result, which the caller clears, or NULL when the database is
 * unavailable.
 */
PGresult	*api_db_query(const struct api_request *r, const char *sql,
		    int nparams, const char *const *params);
/*
 * Like api_db_query() in one round trip: the tenant set, statement name
 * (prepared from sql once per session) run and the tenant cleared again,
 * pipelined. For reads on a hot path.
 */
PGresult	*api_db_read(const struct api_request *r, const char *name,
		    const char *sql, int nparams, const char *const *params);

/* A text column as a JSON string, null when NULL. New reference. */
json_t		*api_db_col_str(const PGresult *res, int row, int col);
/* A json or jsonb column parsed, null when NULL or unreadable. */
json_t		*api_db_col_json(const PGresult *res, int row, int col);

#endif
