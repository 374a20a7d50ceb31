/*
 * The HTTP API process (libmicrohttpd): authenticates API keys, enqueues
 * jobs and reads results, always scoped to the key's client.
 */
#ifndef BOMD_API_H
#define BOMD_API_H

struct config;

/*
 * Serves on cfg->listen until SIGTERM or SIGINT; opens its own database
 * pool and Redis connection (call after fork). Returns the exit status:
 * 0 after a clean stop, 2 when it cannot start.
 */
int	api_main(const struct config *cfg);

#endif
