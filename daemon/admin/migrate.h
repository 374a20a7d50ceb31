/*
 * Schema migrations: numbered SQL files embedded at build time, applied in
 * order inside transactions under an advisory lock.
 */
#ifndef BOMD_MIGRATE_H
#define BOMD_MIGRATE_H

#include <stddef.h>

#include <libpq-fe.h>

struct migration {
	const char	*name;	/* "0001_init" */
	const char	*sql;
};

extern const struct migration migrations[];
extern const size_t nmigrations;

/*
 * Applies pending migrations; safe to run twice and from two hosts at once.
 * Returns the number applied (0 when current), or -1 with err set.
 */
int	migrate_run(PGconn *c, char *err, size_t errlen);
/*
 * Two roles (database_owner_url apart from database_url): makes the role
 * database_url logs in as a member of role (the runtime grants, bomd_app;
 * "none": nothing to do), once. Refuses (-1 with err set) a login role
 * that is a superuser, bypasses row-level security or may act as the
 * schema owner, or that does not exist; 0 otherwise (also when the URL
 * names no user).
 */
int	migrate_grant_runtime(PGconn *owner, const char *runtime_url,
	    const char *role, char *err, size_t errlen);
/* 1 when every embedded migration is applied, 0 when not, -1 on error. */
int	migrate_current(PGconn *c);

#endif
