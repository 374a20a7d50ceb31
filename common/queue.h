/*
 * The job queue on Redis Streams: stream bomd:jobs, consumer group bomd,
 * delayed retries in bomd:retry, dead letters in bomd:dead. One connection
 * per process, opened after fork.
 */
#ifndef BOMD_QUEUE_H
#define BOMD_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include <hiredis/hiredis.h>

#define QUEUE_STREAM	"bomd:jobs"
#define QUEUE_GROUP	"bomd"
#define QUEUE_DEAD	"bomd:dead"
#define QUEUE_RETRY	"bomd:retry"	/* zset: entry id, score = due ms; */
					/* hash bomd:retry:<id> the fields */
#define QUEUE_RETRY_CAP_MS	300000	/* longest retry delay */
#define QUEUE_MAX_JOB	(16 * 1024 * 1024)	/* bytes of one job field */

struct queue_entry {
	char	*id;		/* stream entry id, "1700000000000-0" */
	char	*job;		/* the "job" field, NULL when missing */
	size_t	 job_len;
	int64_t	 deliveries;	/* times delivered; known (else 0) when */
				/* read again: a pending read, a claim */
	int64_t	 crashes;	/* workers that died holding this job */
	int64_t	 retries;	/* times the job was put back before */
	char	*last_error;	/* why the previous try ended, or NULL */
};

/* Where queue_move() sends an entry. */
enum queue_dest {
	QUEUE_TO_STREAM,	/* a new entry at the end of bomd:jobs, now */
	QUEUE_TO_RETRY,		/* bomd:retry, promoted after delay_ms */
	QUEUE_TO_DEAD		/* bomd:dead, with the reason */
};

struct queue_move {
	enum queue_dest	 dest;
	int64_t		 delay_ms;	/* QUEUE_TO_RETRY */
	const char	*job;		/* the job field; job_id is added */
	size_t		 job_len;	/* when missing (not for the dead) */
	int64_t		 crashes;
	int64_t		 retries;
	const char	*error;		/* last error, or the dead reason */
	const char	*client_id;	/* QUEUE_TO_DEAD: may be NULL */
	const char	*job_id;	/* QUEUE_TO_DEAD: may be NULL */
};

/* Creates the consumer group from id 0 (and the stream); 0 or -1. */
int		 queue_ensure_group(redisContext *c);
/* Adds a job; its entry id is copied into id (32 bytes). 0 or -1. */
int		 queue_add(redisContext *c, const char *job, size_t len,
		    char *id, size_t idlen);
/*
 * Reads up to max entries for consumer: its own pending entries when
 * pending is non-zero (id 0, no blocking; their deliveries filled), else
 * new ones, blocking up to
 * block_ms. Returns the number read (entries filled, caller frees each
 * with queue_entry_clear()), or -1 on a connection error.
 */
int		 queue_read(redisContext *c, const char *consumer, int pending,
		    int block_ms, struct queue_entry *out, size_t max);
/*
 * Claims entries idle for at least min_idle_ms for consumer (XAUTOCLAIM;
 * their deliveries filled); same return as queue_read(). *cursor carries
 * the scan position ("0-0" to start; 32 bytes).
 */
int		 queue_autoclaim(redisContext *c, const char *consumer,
		    int64_t min_idle_ms, char *cursor, struct queue_entry *out,
		    size_t max);
/*
 * Moves entry id, pending for consumer owner, to mv->dest and acknowledges
 * it, in one atomic step (a Lua script). Returns 1 when moved, 0 when the
 * entry is not pending for owner (already moved, acked or claimed away:
 * nothing changed), -1 on a connection or server error (nothing changed,
 * or the reply was lost; calling again is safe).
 */
int		 queue_move(redisContext *c, const char *id, const char *owner,
		    const struct queue_move *mv);
/*
 * Puts due entries of the retry set back on the stream (atomically, at
 * most max). Returns how many, or -1 on error.
 */
int		 queue_promote(redisContext *c, int max);
/*
 * Hands every entry pending for consumer from back to the stream at once,
 * so another worker takes it. crashed: from died holding them (each entry's
 * crash count goes up; an entry that has crashed a worker before goes to
 * the retry set with a backoff from base_ms instead). reason becomes the
 * entries' last error. *nmoved counts them. 0 or -1.
 */
int		 queue_handback(redisContext *c, const char *from, int crashed,
		    const char *reason, int64_t base_ms, size_t *nmoved);
/* base_ms doubled n-1 times, capped at QUEUE_RETRY_CAP_MS, +-20% jitter. */
int64_t		 queue_backoff_ms(int64_t base_ms, int64_t n);
/* Acknowledges and deletes one entry (queue_ack_batch()). 0 or -1. */
int		 queue_ack(redisContext *c, const char *id);
/*
 * Acknowledges entries ids[0..n) and deletes them from the stream (so it
 * holds only the backlog), and deletes keys[0..nkeys) (a finished job's
 * live progress), in one MULTI/EXEC round trip. 0 or -1.
 */
int		 queue_ack_batch(redisContext *c, const char *const *ids,
		    size_t n, const char *const *keys, size_t nkeys);
/*
 * Moves a job to the dead-letter stream with the reason and acks it, in
 * one step, when it is still pending (any consumer). 0 or -1.
 */
int		 queue_dead(redisContext *c, const char *id, const char *job,
		    size_t len, const char *reason);
/* Entries in the stream not yet delivered plus pending ones (approx.). */
int64_t		 queue_depth(redisContext *c);
void		 queue_entry_clear(struct queue_entry *e);

#endif
