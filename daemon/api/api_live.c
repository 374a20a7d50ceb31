/*
 * The live state of running jobs, read from Redis where the worker keeps
 * it until the job's commit; see api_live.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api_live.h"
#include "api_redis.h"
#include "bom.h"
#include "db.h"
#include "queue.h"
#include "util.h"
#include "worker/progress_keys.h"

char *
api_live_lines(const struct bom *bom)
{
	const struct bom_line *l;
	json_t *items, *des;
	size_t i, k;
	char *text;

	items = json_array();
	for (i = 0; i < bom->nlines; i++) {
		l = &bom->lines[i];
		des = json_array();
		for (k = 0; k < l->ndesignators; k++)
			json_array_append_new(des,
			    json_string(l->designators[k]));
		json_array_append_new(items, json_pack("{s:I, s:I, s:o, s:I, "
		    "s:s, s:s, s:s, s:s, s:s, s:s}", "line_no",
		    (json_int_t)(i + 1), "source_line", (json_int_t)l->line_no,
		    "designators", des, "quantity", (json_int_t)l->quantity,
		    "mpn", l->mpn, "manufacturer", l->manufacturer ?
		    l->manufacturer : "", "description", l->description ?
		    l->description : "", "package", l->package ? l->package :
		    "", "value", l->value ? l->value : "", "status",
		    "pending_enrichment"));
	}
	text = json_dumps(items, JSON_COMPACT);
	json_decref(items);
	return text;
}

/*
 * The BOM of a running job: inline in its stream entry, or stored with
 * the project the job named. NULL when neither is there any more.
 */
static char *
api_live_bom(PGconn *db, const char *client_id, const char *project_id,
    const char *entry)
{
	const char *params[2] = { client_id, project_id }, *csv;
	redisReply *rep;
	json_t *job = NULL;
	PGresult *res;
	char *text = NULL;

	rep = api_redis_command("XRANGE %s %s %s", QUEUE_STREAM, entry, entry);
	if (rep != NULL && rep->type == REDIS_REPLY_ARRAY &&
	    rep->elements == 1 && rep->element[0]->elements == 2 &&
	    rep->element[0]->element[1]->elements == 2 &&
	    rep->element[0]->element[1]->element[1]->type ==
	    REDIS_REPLY_STRING)
		job = json_loadb(rep->element[0]->element[1]->element[1]->str,
		    rep->element[0]->element[1]->element[1]->len, 0, NULL);
	if (rep != NULL)
		freeReplyObject(rep);
	if ((csv = json_string_value(json_object_get(job, "bom_csv"))) != NULL)
		text = xstrdup(csv);
	json_decref(job);
	if (text != NULL)
		return text;
	res = db_query(db, "SELECT bom_csv FROM projects WHERE client_id = $1 "
	    "AND project_id = $2 AND bom_csv IS NOT NULL", 2, params, NULL, 0);
	if (res != NULL && PQntuples(res) == 1)
		text = xstrdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	return text;
}

int
api_live_project(PGconn *db, const char *client_id, const char *project_id,
    char **status, char **line_status, char **lines)
{
	char key[PROGRESS_KEY_MAX], err[256], *csv;
	struct bom *bom;
	redisReply *rep;
	int rc = 0;

	*status = *line_status = *lines = NULL;
	snprintf(key, sizeof(key), PROGRESS_PROJECT_FMT, client_id,
	    project_id);
	rep = api_redis_command("HMGET %s status line_status entry", key);
	if (rep == NULL)
		return 0;
	if (rep->type == REDIS_REPLY_ARRAY && rep->elements == 3 &&
	    rep->element[0]->type == REDIS_REPLY_STRING &&
	    rep->element[1]->type == REDIS_REPLY_STRING &&
	    rep->element[2]->type == REDIS_REPLY_STRING &&
	    (csv = api_live_bom(db, client_id, project_id,
	    rep->element[2]->str)) != NULL) {
		/* the lines the worker parsed, parsed again the same way */
		if ((bom = bom_parse(csv, strlen(csv), NULL, err,
		    sizeof(err))) != NULL) {
			*status = xstrdup(rep->element[0]->str);
			*line_status = xstrdup(rep->element[1]->str);
			*lines = api_live_lines(bom);
			bom_free(bom);
			rc = 1;
		}
		free(csv);
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
