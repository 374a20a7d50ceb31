/*
 * bomd migrate: applies migrations/NNNN_*.sql (embedded in the binary) in
 * order, each in its own transaction, recorded in schema_migrations.
 */
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "migrate.h"

/* any constant both hosts agree on: "bomd" in ASCII */
#define MIGRATE_LOCK_KEY	"1651469668"

static int
migrate_applied(PGconn *c, const char *name)
{
	const char *params[1] = { name };
	PGresult *r;
	int n;

	r = db_query(c, "SELECT 1 FROM schema_migrations WHERE version = $1",
	    1, params, NULL, 0);
	if (r == NULL)
		return -1;
	n = PQntuples(r);
	PQclear(r);
	return n > 0;
}

int
migrate_run(PGconn *c, char *err, size_t errlen)
{
	const char *lock[1] = { MIGRATE_LOCK_KEY };
	const char *params[1];
	PGresult *r;
	size_t i;
	int applied = 0, rc = -1, locked = 0, done;

	if (db_exec(c, "SELECT pg_advisory_lock($1::bigint)", 1, lock) == -1) {
		snprintf(err, errlen, "migrate: cannot take the advisory lock");
		goto out;
	}
	locked = 1;
	if (db_exec(c, "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    "version text PRIMARY KEY, "
	    "applied_at timestamptz NOT NULL DEFAULT now())", 0, NULL) == -1) {
		snprintf(err, errlen, "migrate: cannot create "
		    "schema_migrations");
		goto out;
	}
	for (i = 0; i < nmigrations; i++) {
		if ((done = migrate_applied(c, migrations[i].name)) == -1) {
			snprintf(err, errlen, "migrate: cannot read "
			    "schema_migrations");
			goto out;
		}
		if (done)
			continue;
		if (db_begin(c) == -1)
			goto fail;
		/* a migration file is trusted SQL text with no parameters */
		r = PQexec(c, migrations[i].sql);
		if (PQresultStatus(r) != PGRES_COMMAND_OK &&
		    PQresultStatus(r) != PGRES_TUPLES_OK) {
			snprintf(err, errlen, "migrate: %s: %s",
			    migrations[i].name, PQresultErrorMessage(r));
			err[strcspn(err, "\n")] = '\0';
			PQclear(r);
			db_rollback(c);
			goto out;
		}
		PQclear(r);
		params[0] = migrations[i].name;
		if (db_exec(c, "INSERT INTO schema_migrations (version) "
		    "VALUES ($1)", 1, params) == -1 || db_commit(c) == -1)
			goto fail;
		log_info("migrate: applied %s", migrations[i].name);
		applied++;
	}
	rc = applied;
	goto out;
fail:
	snprintf(err, errlen, "migrate: %s", PQerrorMessage(c));
	err[strcspn(err, "\n")] = '\0';
	db_rollback(c);
out:
	if (locked)
		db_exec(c, "SELECT pg_advisory_unlock($1::bigint)", 1, lock);
	return rc;
}

int
migrate_current(PGconn *c)
{
	size_t i;
	int done;

	for (i = 0; i < nmigrations; i++) {
		if ((done = migrate_applied(c, migrations[i].name)) != 1)
			return done;
	}
	return 1;
}
