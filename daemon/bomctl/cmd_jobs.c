/*
 * bomctl jobs: the state of one job, the tenant's dead jobs, and queueing
 * a dead or failed job again.
 */
#include <stdbool.h>
#include <stdio.h>

#include "bomctl/bomctl.h"

/* Parses "CMD JOB_ID" into the job's path plus suffix; the exit code. */
static int
cmd_jobs_path(struct bomctl *ctl, const char *cmd, int argc, char **argv,
    const char *suffix, const char **id, char *path, size_t len)
{
	const char *pos[1];
	int rc;

	if ((rc = bomctl_parse(ctl, cmd, argc, argv, NULL, pos, 1, 1,
	    "a JOB_ID")) != BOMCTL_EXIT_OK)
		return rc;
	*id = pos[0];
	return http_id_arg(ctl, cmd, "job id", "/jobs/", pos[0], suffix,
	    path, len);
}

/* jobs show JOB_ID */
int
cmd_jobs_show(struct bomctl *ctl, int argc, char **argv)
{
	json_t *job = NULL, *err;
	char path[BOMCTL_MAX_URL];
	const char *id;
	int rc;

	if ((rc = cmd_jobs_path(ctl, "jobs show", argc, argv, "", &id, path,
	    sizeof(path))) != BOMCTL_EXIT_OK ||
	    (rc = fetch_get(ctl, path, &job)) != BOMCTL_EXIT_OK || job == NULL)
		return rc;
	err = json_object_get(job, "error");
	printf("job       %s\n", bomctl_str(job, "job_id", "?"));
	printf("project   %s\n", bomctl_str(job, "project_id", "-"));
	printf("status    %s\n", bomctl_str(job, "status", "?"));
	printf("attempts  %lld\n", (long long)json_integer_value(
	    json_object_get(job, "attempts")));
	printf("error     %s\n", json_is_string(err) &&
	    *json_string_value(err) ? json_string_value(err) : "-");
	printf("created   %s\n", bomctl_str(job, "created_at", "-"));
	printf("updated   %s\n", bomctl_str(job, "updated_at", "-"));
	json_decref(job);
	return rc;
}

/* jobs dead [--limit N]: GET /jobs?status=dead as a table. */
int
cmd_jobs_dead(struct bomctl *ctl, int argc, char **argv)
{
	char updated[40], attempts[24];
	json_t *arr = NULL, *j, *err;
	size_t i;
	int rc;

	if ((rc = fetch_list(ctl, "jobs dead", argc, argv,
	    "/jobs?status=dead", "job", "no dead jobs", &arr)) !=
	    BOMCTL_EXIT_OK || arr == NULL)
		return rc;
	table_cell("JOB", 36, false);
	printf("%8s ", "ATTEMPTS");
	table_cell("UPDATED", 20, false);
	table_cell("ERROR", BOMCTL_COLUMNS - 36 - 9 - 21, true);
	printf("\n");
	json_array_foreach(arr, i, j) {
		err = json_object_get(j, "error");
		table_ts(bomctl_str(j, "updated_at", "-"), updated,
		    sizeof(updated));
		snprintf(attempts, sizeof(attempts), "%lld", (long long)
		    json_integer_value(json_object_get(j, "attempts")));
		table_cell(bomctl_str(j, "job_id", "?"), 36, false);
		printf("%8s ", attempts);
		table_cell(updated, 20, false);
		table_cell(json_is_string(err) ? json_string_value(err) : "-",
		    BOMCTL_COLUMNS - 36 - 9 - 21, true);
		printf("\n");
	}
	json_decref(arr);
	return rc;
}

/* jobs retry JOB_ID: POST /jobs/{id}/retry. */
int
cmd_jobs_retry(struct bomctl *ctl, int argc, char **argv)
{
	json_t *resp = NULL;
	char path[BOMCTL_MAX_URL];
	const char *id;
	int rc;

	if ((rc = cmd_jobs_path(ctl, "jobs retry", argc, argv, "/retry", &id,
	    path, sizeof(path))) != BOMCTL_EXIT_OK ||
	    (rc = fetch_post(ctl, path, NULL, &resp)) != BOMCTL_EXIT_OK ||
	    resp == NULL)
		return rc;
	printf("job %s queued again\n", bomctl_str(resp, "job_id", id));
	json_decref(resp);
	return rc;
}
