/*
 * The HTTP API process (libmicrohttpd): authenticates API keys, enqueues
 * jobs and reads results, always scoped to the key's client.
 */
#ifndef BOMD_API_H
#define BOMD_API_H

struct config;

/* Serves until SIGTERM; connects after fork. Returns the exit status. */
int	api_main(const struct config *cfg);

#endif
