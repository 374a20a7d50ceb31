/*
 * Writes the live progress of a batch's jobs to Redis in one pipeline; see
 * progress.h.
 */
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "progress.h"
#include "stages.h"
#include "util.h"

int
progress_publish(redisContext *r, struct job *const *jobs, size_t n,
    const char *status, const char *line_status, int with_lines, int ttl_s)
{
	char pkey[PROGRESS_KEY_MAX], jkey[PROGRESS_KEY_MAX], ts[24];
	redisReply *rep;
	size_t i, sent = 0;
	int rc = 0;

	snprintf(ts, sizeof(ts), "%lld", (long long)wall_ms());
	for (i = 0; i < n; i++) {
		const struct job *job = jobs[i];

		progress_keys(job, pkey, jkey);
		/* the API parses the lines from the job's entry when asked */
		if (with_lines)
			redisAppendCommand(r, "HSET %s status %s job_id %s "
			    "line_status %s updated_at %s entry %s", pkey,
			    status, job->job_id, line_status, ts,
			    job->stream_id);
		else
			redisAppendCommand(r, "HSET %s status %s line_status %s "
			    "updated_at %s", pkey, status, line_status, ts);
		redisAppendCommand(r, "EXPIRE %s %d", pkey, ttl_s);
		redisAppendCommand(r, "SET %s %s EX %d", jkey, job->project_id,
		    ttl_s);
		sent += 3;
	}
	for (i = 0; i < sent; i++) {
		if (redisGetReply(r, (void **)&rep) != REDIS_OK) {
			log_warnx("redis: progress: %s", r->errstr);
			return -1;
		}
		if (rep->type == REDIS_REPLY_ERROR && rc == 0) {
			log_warnx("redis: progress: %s", rep->str);
			rc = -1;
		}
		freeReplyObject(rep);
	}
	return rc;
}

void
progress_keys(const struct job *job, char pkey[PROGRESS_KEY_MAX],
    char jkey[PROGRESS_KEY_MAX])
{
	snprintf(pkey, PROGRESS_KEY_MAX, PROGRESS_PROJECT_FMT, job->client_id,
	    job->project_id);
	snprintf(jkey, PROGRESS_KEY_MAX, PROGRESS_JOB_FMT, job->client_id,
	    job->job_id);
}
