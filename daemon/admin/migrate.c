/*
 * bomd migrate: applies migrations/NNNN_*.sql (embedded in the binary) in
 * order, each in its own transaction, recorded in schema_migrations; with
 * two roles, gives the daemon's login role its runtime grants.
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

/* The user a connection string names, copied into buf; "" when none. */
static int
migrate_url_user(const char *url, char *buf, size_t len)
{
	PQconninfoOption *opts, *o;
	char *why = NULL;

	buf[0] = '\0';
	if ((opts = PQconninfoParse(url, &why)) == NULL) {
		PQfreemem(why);
		return -1;
	}
	for (o = opts; o->keyword != NULL; o++)
		if (strcmp(o->keyword, "user") == 0 && o->val != NULL)
			snprintf(buf, len, "%s", o->val);
	PQconninfoFree(opts);
	return 0;
}

int
migrate_grant_runtime(PGconn *owner, const char *runtime_url,
    const char *role, char *err, size_t errlen)
{
	const char *params[2];
	char user[128];
	PGresult *r;
	int rc = -1;

	if (role == NULL || strcmp(role, "none") == 0)
		return 0;
	if (migrate_url_user(runtime_url, user, sizeof(user)) == -1) {
		snprintf(err, errlen, "migrate: database_url is not a "
		    "connection string");
		return -1;
	}
	if (user[0] == '\0')
		return 0;
	params[0] = user;
	params[1] = role;
	r = db_query(owner, "SELECT r.rolsuper OR r.rolbypassrls OR "
	    "pg_has_role(r.oid, c.relowner, 'MEMBER'), pg_has_role(r.oid, $2, "
	    "'MEMBER'), format('GRANT %I TO %I', $2, r.rolname) "
	    "FROM pg_roles r, pg_class c WHERE r.rolname = $1 "
	    "AND c.oid = 'public.clients'::regclass", 2, params, err, errlen);
	if (r == NULL)
		return -1;
	if (PQntuples(r) == 0)
		snprintf(err, errlen, "migrate: database_url logs in as %s, "
		    "which does not exist (CREATE ROLE %s LOGIN PASSWORD ...)",
		    user, user);
	else if (strcmp(PQgetvalue(r, 0, 0), "t") == 0)
		snprintf(err, errlen, "migrate: database_url logs in as %s, "
		    "a superuser or a role that may act as the schema owner: "
		    "give the daemon a login role of its own (README: "
		    "database roles)", user);
	else if (strcmp(PQgetvalue(r, 0, 1), "t") == 0)
		rc = 0;
	else if (db_exec(owner, PQgetvalue(r, 0, 2), 0, NULL) == 0) {
		log_info("migrate: granted %s to %s", role, user);
		rc = 0;
	} else
		snprintf(err, errlen, "migrate: cannot grant %s to %s", role,
		    user);
	PQclear(r);
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
