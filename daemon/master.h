/*
 * bomd serve: the master process that forks and supervises the API process
 * and the workers, and its restart policy (pure functions).
 */
#ifndef BOMD_MASTER_H
#define BOMD_MASTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum master_role {
	MASTER_ROLE_ALL,	/* the API process and the workers */
	MASTER_ROLE_API,
	MASTER_ROLE_WORKER
};

#define MASTER_STABLE_MS	10000	/* ran this long: restarts at once */
#define MASTER_BACKOFF_MAX_MS	30000	/* the restart delay in a storm */
#define MASTER_STORM_WINDOW_MS	60000
#define MASTER_STORM_DEATHS	10	/* plus two per child */
#define MASTER_STORM_HIST	64

/* The latest unplanned deaths of children, for crash-storm damping. */
struct master_storm {
	int64_t	deaths[MASTER_STORM_HIST];	/* now_ms(), newest first */
	size_t	ndeaths;
};

/*
 * Runs until SIGTERM/SIGINT; config_path is re-read on SIGHUP. workers > 0
 * overrides the configured count. Returns the exit status: 0, or 1 when
 * the configuration or the database is not usable at startup.
 */
int	master_main(const char *config_path, enum master_role role,
	    int workers);

/* Sets *role from "all", "api" or "worker"; -1 for anything else. */
int	master_role_parse(const char *s, enum master_role *role);
/* "all", "api" or "worker": a static string. */
const char *master_role_name(enum master_role role);

/*
 * The restart delay of a child that died unplanned after running ran_ms:
 * none the first time and after a run of MASTER_STABLE_MS or more, then
 * 200 ms doubling up to 25.6 s. *failures counts the consecutive quick
 * deaths; it is updated.
 */
int64_t	master_backoff(int *failures, int64_t ran_ms);
/* The deaths within MASTER_STORM_WINDOW_MS that make a storm. */
size_t	master_storm_limit(int nchildren);
/*
 * Records an unplanned death at now (ms); true when it makes a crash
 * storm: master_storm_limit(nchildren) deaths within the window.
 */
bool	master_storm_record(struct master_storm *s, int64_t now,
	    int nchildren);

#endif
