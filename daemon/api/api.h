/*
 * The HTTP API process (libmicrohttpd): authenticates API keys, enqueues
 * jobs and reads results, always scoped to the key's client.
 */
#ifndef BOMD_API_H
#define BOMD_API_H

#include <stddef.h>

struct config;

/*
 * The listening socket on cfg->listen, or -1 (reason in err). The master
 * opens it once and every API process it starts serves on it, so that
 * connections wait in its backlog, never refused, while one API process
 * is replaced by the next (a reload, a crash, a failed probe).
 */
int	api_listen(const struct config *cfg, char *err, size_t errlen);

/*
 * On a reload from cfg to nc: when nc->listen differs, a socket on it
 * replaces *fd (the API processes started from then on serve on it). 0,
 * or -1 (reason in err) with *fd kept when nc->listen cannot be bound.
 */
int	api_listen_reload(const struct config *cfg, const struct config *nc,
	    int *fd, char *err, size_t errlen);

/*
 * Serves on fd (api_listen()) until SIGTERM or SIGINT; opens its own
 * database pool and Redis connection (call after fork). Returns the exit
 * status: 0 after a clean stop, 2 when it cannot start.
 */
int	api_main(const struct config *cfg, int fd);

#endif
