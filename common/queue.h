/*
 * The job queue on Redis Streams: stream bomd:jobs, consumer group bomd,
 * dead letters in bomd:dead. One connection per process, opened after fork.
 */
#ifndef BOMD_QUEUE_H
#define BOMD_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include <hiredis/hiredis.h>

#define QUEUE_STREAM	"bomd:jobs"
#define QUEUE_GROUP	"bomd"
#define QUEUE_DEAD	"bomd:dead"
#define QUEUE_MAX_JOB	(16 * 1024 * 1024)	/* bytes of one job field */

struct queue_entry {
	char	*id;		/* stream entry id, "1700000000000-0" */
	char	*job;		/* the "job" field, NULL when missing */
	size_t	 job_len;
	int64_t	 deliveries;	/* times delivered, when known (else 0) */
};

/*
 * Connects to redis://[user:password@]host[:port][/db] or unix:///path
 * with connect and command timeouts. Returns a context (caller
 * redisFree()s it) or NULL with a reason in err.
 */
redisContext	*queue_connect(const char *url, int timeout_ms, char *err,
		    size_t errlen);
/* Creates the consumer group from id 0 (and the stream); 0 or -1. */
int		 queue_ensure_group(redisContext *c);
/* Adds a job; its entry id is copied into id (32 bytes). 0 or -1. */
int		 queue_add(redisContext *c, const char *job, size_t len,
		    char *id, size_t idlen);
/*
 * Reads up to max entries for consumer: its own pending entries when
 * pending is non-zero (id 0, no blocking), else new ones, blocking up to
 * block_ms. Returns the number read (entries filled, caller frees each
 * with queue_entry_clear()), or -1 on a connection error.
 */
int		 queue_read(redisContext *c, const char *consumer, int pending,
		    int block_ms, struct queue_entry *out, size_t max);
/*
 * Claims entries idle for at least min_idle_ms for consumer (XAUTOCLAIM);
 * same return as queue_read(). *cursor carries the scan position ("0-0"
 * to start; 32 bytes).
 */
int		 queue_autoclaim(redisContext *c, const char *consumer,
		    int64_t min_idle_ms, char *cursor, struct queue_entry *out,
		    size_t max);
/* Claims the given consumer's pending entries for another consumer. */
int		 queue_claim_from(redisContext *c, const char *from,
		    const char *to, size_t *nclaimed);
int		 queue_ack(redisContext *c, const char *id);
/* Moves a job to the dead-letter stream with the reason, then acks. */
int		 queue_dead(redisContext *c, const char *id, const char *job,
		    size_t len, const char *reason);
/* Entries in the stream not yet delivered plus pending ones (approx.). */
int64_t		 queue_depth(redisContext *c);
void		 queue_entry_clear(struct queue_entry *e);

#endif
