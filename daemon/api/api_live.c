/*
 * The live state of running jobs, read from Redis where the worker keeps
 * it until the job's commit; see api_live.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_live.h"
#include "api_redis.h"
#include "util.h"
#include "worker/progress_keys.h"

int
api_live_project(const char *client_id, const char *project_id,
    char **status, char **line_status, char **lines)
{
	char key[PROGRESS_KEY_MAX];
	redisReply *rep;
	int rc = 0;

	*status = *line_status = *lines = NULL;
	snprintf(key, sizeof(key), PROGRESS_PROJECT_FMT, client_id,
	    project_id);
	rep = api_redis_command("HMGET %s status line_status lines", key);
	if (rep == NULL)
		return 0;
	if (rep->type == REDIS_REPLY_ARRAY && rep->elements == 3 &&
	    rep->element[0]->type == REDIS_REPLY_STRING &&
	    rep->element[1]->type == REDIS_REPLY_STRING &&
	    rep->element[2]->type == REDIS_REPLY_STRING) {
		*status = xstrdup(rep->element[0]->str);
		*line_status = xstrdup(rep->element[1]->str);
		*lines = xstrdup(rep->element[2]->str);
		rc = 1;
	}
	freeReplyObject(rep);
	return rc;
}

int
api_live_job(const char *client_id, const char *job_id, char *project_id,
    size_t len)
{
	char key[PROGRESS_KEY_MAX];
	redisReply *rep;
	int rc = 0;

	snprintf(key, sizeof(key), PROGRESS_JOB_FMT, client_id, job_id);
	if ((rep = api_redis_command("GET %s", key)) == NULL)
		return 0;
	if (rep->type == REDIS_REPLY_STRING && uuid_valid(rep->str)) {
		snprintf(project_id, len, "%s", rep->str);
		rc = 1;
	}
	freeReplyObject(rep);
	return rc;
}
