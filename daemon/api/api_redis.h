/*
 * Redis for the API process: a small pool of connections the request
 * threads share, each reconnected when it breaks.
 */
#ifndef BOMD_API_REDIS_H
#define BOMD_API_REDIS_H

#include <stddef.h>
#include <stdint.h>

#include <hiredis/hiredis.h>

/*
 * Takes a connection of the pool for this thread (waiting while all are
 * out), reconnected if it broke; NULL (logged) when Redis is down. Call
 * api_redis_release() from the same thread either way, and take no
 * second one before.
 */
redisContext	*api_redis_acquire(void);
void		 api_redis_release(void);
/* Closes the idle connections at exit. */
void		 api_redis_close(void);
/*
 * One command on the shared connection: the reply (caller
 * freeReplyObject()s it), or NULL when Redis is down or answered an
 * error (logged).
 */
redisReply	*api_redis_command(const char *fmt, ...);

/*
 * Adds job (len bytes of JSON) to the stream; the entry id goes to id. A
 * broken connection is replaced at once, and Redis down (a failover) is
 * tried again for a few seconds. 0, or -1 when Redis is unavailable.
 */
int		 api_redis_enqueue(const char *job, size_t len, char *id,
		    size_t idlen);
/* Stream depth and dead-letter count; -1 each when Redis is unavailable. */
void		 api_redis_queue_stats(int64_t *depth, int64_t *dead);

#endif
