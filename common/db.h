/*
 * PostgreSQL access: connections with timeouts, parameterised queries only,
 * transactions, pipelined statements, and a small connection pool for
 * threaded callers.
 */
#ifndef BOMD_DB_H
#define BOMD_DB_H

#include <stdbool.h>
#include <stddef.h>

#include <libpq-fe.h>

#include "util.h"

#define DB_STATEMENT_TIMEOUT_MS	30000

/*
 * Connects with a connect timeout, UTC session time zone and a statement
 * timeout. Returns the connection (caller PQfinish()es it) or NULL with a
 * reason in err.
 */
PGconn		*db_connect(const char *url, const char *appname, char *err,
		    size_t errlen);

/*
 * Switches the session to role (SET ROLE) so row-level security applies;
 * NULL, "" or "none" keeps the login role. 0 or -1.
 */
int		 db_use_role(PGconn *c, const char *role);

/*
 * Runs one parameterised statement (text parameters; NULL entries are SQL
 * NULL). Returns the result when it is COMMAND_OK or TUPLES_OK (caller
 * PQclear()s it), or NULL after logging the server's message; then, when
 * err is not NULL, the message is copied there.
 */
PGresult	*db_query(PGconn *c, const char *sql, int nparams,
		    const char *const *params, char *err, size_t errlen);
/*
 * Like db_query() for a statement prepared once per session under name:
 * prepared (from sql) the first time the session is asked for it. Only
 * outside a transaction (a first try that fails would abort it).
 */
PGresult	*db_query_prepared(PGconn *c, const char *name, const char *sql,
		    int nparams, const char *const *params);
/* Like db_query() for statements whose result is not needed: 0 or -1. */
int		 db_exec(PGconn *c, const char *sql, int nparams,
		    const char *const *params);
int		 db_begin(PGconn *c);
int		 db_commit(PGconn *c);
/* Rolls back when a transaction is open; harmless otherwise. */
void		 db_rollback(PGconn *c);
/* True when the connection is usable (callers reconnect when not). */
bool		 db_ok(PGconn *c);
/*
 * Sets the tenants the row-level security policies admit for the rest of
 * the session: a client id, several ("id,id"), "" for none, or "*" for
 * every tenant, which only the schema owner's sessions are given (the
 * offline commands). 0 or -1.
 */
int		 db_set_tenant(PGconn *c, const char *client_id);

/* One statement of a pipeline. */
struct db_stmt {
	const char		*sql;
	int			 nparams;
	const char *const	*params;
	PGresult		*res;	/* out: its result when it succeeded */
	const char		*name;	/* prepared as (sql), or NULL */
};

/*
 * Sends n statements in one pipeline (one round trip; libpq pipeline
 * mode) and collects their results into s[i].res (caller PQclear()s them,
 * or calls db_pipeline_clear()). 0 when all succeeded; -1 (the error
 * logged, every res NULL) when one failed: the ones after it did not run.
 * A named statement the session has not prepared yet is prepared and the
 * pipeline sent again (its statements are one implicit transaction, so
 * the first try left nothing behind).
 */
int		 db_pipeline(PGconn *c, struct db_stmt *s, size_t n);
/* PQclear()s the results of s[0..n) and sets them NULL. */
void		 db_pipeline_clear(struct db_stmt *s, size_t n);

struct db_pool;

/*
 * A pool of at most max connections, opened lazily, each switched to role
 * (see db_use_role()).
 */
struct db_pool	*db_pool_new(const char *url, const char *appname,
		    const char *role, size_t max);
void		 db_pool_free(struct db_pool *p);
/* Takes a connection, waiting up to wait_ms; NULL on timeout/failure. */
PGconn		*db_pool_get(struct db_pool *p, int wait_ms);
/*
 * Gives a connection back, rolled back and with its tenant and search path
 * cleared; a broken one (or one that cannot be cleared) is closed instead.
 */
void		 db_pool_put(struct db_pool *p, PGconn *c);
/*
 * Gives back a connection its borrower left as it found it (no
 * transaction, no tenant, the default search path) without the round trip
 * that clears them; one in a transaction goes through db_pool_put().
 */
void		 db_pool_put_clean(struct db_pool *p, PGconn *c);

/*
 * A one-dimensional text[] in PostgreSQL's binary format, sent as a
 * parameter of format 1 (no quoting, no escaping: elements are bytes).
 * Add elements with db_array_add() (s NULL: an SQL NULL), or write one
 * into a->b between db_array_begin() and db_array_end(); db_array_done()
 * finishes it; free with db_array_free().
 */
#define DB_TEXTOID	25
struct db_array {
	struct buf	b;
	size_t		n;
};
void	db_array_init(struct db_array *a);
/* Empties a for reuse, keeping its memory. */
void	db_array_reset(struct db_array *a);
void	db_array_add(struct db_array *a, const char *s, size_t len);
size_t	db_array_begin(struct db_array *a);
void	db_array_end(struct db_array *a, size_t off);
void	db_array_done(struct db_array *a);
void	db_array_free(struct db_array *a);

#endif
