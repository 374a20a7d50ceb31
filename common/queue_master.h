/*
 * What the master asks of the queue besides hand-backs: the server's
 * settings checked, which accepted jobs Redis no longer holds (by the
 * identity every entry carries beside its job, field jid =
 * "client_id:job_id"), and the dead letters capped.
 */
#ifndef BOMD_QUEUE_MASTER_H
#define BOMD_QUEUE_MASTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hiredis/hiredis.h>
#include <jansson.h>

#define QUEUE_JID_FIELD	"jid"
#define QUEUE_JID_MAX	192	/* a uuid, ':', a job id of 128 bytes */

/*
 * The identity of job object o into jid: its client_id (a uuid, lower
 * case) and job_id. 0, or -1 when it names no such pair.
 */
int	queue_jid_of(const json_t *o, char *jid, size_t len);
/* The same from the job's JSON text. 0 or -1. */
int	queue_jid(const char *job, size_t len, char *jid, size_t jidlen);
/*
 * Sets missing[i] for each of jids[0..n) that no entry of the stream (new
 * or pending) and no member of the retry set holds. The stream is read in
 * chunks on the server, so a job moving between them meanwhile may be
 * reported missing (queued twice: the commit fence makes that harmless).
 * 0, or -1 on a Redis error (missing[] then says nothing).
 */
int	queue_missing(redisContext *c, const char *const *jids, size_t n,
	    bool *missing);
/*
 * Trims the dead letters (bomd:dead) to their newest max entries; *trimmed
 * counts those removed. 0 or -1.
 */
int	queue_trim_dead(redisContext *c, int64_t max, int64_t *trimmed);

/*
 * Logs a warning when the server may lose jobs: maxmemory-policy other
 * than noeviction, or neither AOF nor RDB persistence. 0, or -1 when the
 * settings cannot be read (also logged).
 */
int	queue_check_server(redisContext *c);

#endif
