/*
 * Live progress of running jobs, kept in Redis while PostgreSQL has no
 * final row: hash bomd:live:<client>:<project> (status, job_id, entry,
 * line_status, updated_at) and string bomd:livejob:<client>:<job_id> (the
 * project id). The API reads them; both expire, and go with the ack.
 */
#ifndef BOMD_WORKER_PROGRESS_H
#define BOMD_WORKER_PROGRESS_H

#include <stddef.h>

#include <hiredis/hiredis.h>

#include "job.h"
#include "progress_keys.h"

/*
 * Publishes jobs[i]'s state (status: enriching or decisioning; with
 * lines, the stream entry whose BOM the API parses for the lines) in one
 * pipeline with ttl_s.
 * 0, or -1 on a connection error (progress is advisory: the job goes on).
 */
int	progress_publish(redisContext *r, struct job *const *jobs, size_t n,
	    const char *status, const char *line_status, int with_lines,
	    int ttl_s);
/* The job's two live keys (deleted with its ack). */
void	progress_keys(const struct job *job, char pkey[PROGRESS_KEY_MAX],
	    char jkey[PROGRESS_KEY_MAX]);

#endif
