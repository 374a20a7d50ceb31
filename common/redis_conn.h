/*
 * Connecting to Redis: every process (API, workers, master, admin
 * commands) opens its connections here, so each one understands every
 * form of redis_url, Sentinels included.
 */
#ifndef BOMD_REDIS_CONN_H
#define BOMD_REDIS_CONN_H

#include <stddef.h>

#include <hiredis/hiredis.h>

/* Longest a sentinel may take to answer, below the caller's timeout. */
#define REDIS_CONN_SENTINEL_MS	1000

/*
 * Connects to the Redis redis_url names, authenticated and on its
 * database, with timeout_ms for connecting and for every command. With
 * Sentinels, asks each in turn for the primary, connects to it and checks
 * with ROLE that it is one, so a failover in progress is an error, not a
 * replica. Returns the context (caller frees with redisFree()), or NULL
 * with the reason in err.
 */
redisContext	*redis_conn_open(const char *url, int timeout_ms, char *err,
		    size_t errlen);

/*
 * Marks c broken when r says its server cannot take writes now (READONLY:
 * a primary turned replica; LOADING; MASTERDOWN), so that the caller's
 * next use reconnects and finds the primary again, as after a connection
 * error. Other replies leave c alone.
 */
void		 redis_conn_check(redisContext *c, const redisReply *r);

#endif
