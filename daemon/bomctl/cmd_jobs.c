/*
 * bomctl jobs: the state of one job, the tenant's dead jobs, and queueing
 * a dead or failed job again.
 */
#include <stdbool.h>
#include <stdio.h>

#include "bomctl/bomctl.h"

static void
cmd_jobs_print(const json_t *job, const char *const *arg)
{
	const json_t *err = json_object_get(job, "error");

	(void)arg;
	printf("job       %s\n", bomctl_str(job, "job_id", "?"));
	printf("project   %s\n", bomctl_str(job, "project_id", "-"));
	printf("status    %s\n", bomctl_str(job, "status", "?"));
	printf("attempts  %lld\n", (long long)json_integer_value(
	    json_object_get(job, "attempts")));
	printf("error     %s\n", json_is_string(err) &&
	    *json_string_value(err) ? json_string_value(err) : "-");
	printf("created   %s\n", bomctl_str(job, "created_at", "-"));
	printf("updated   %s\n", bomctl_str(job, "updated_at", "-"));
}

/* jobs show JOB_ID */
const struct fetch_one cmd_jobs_show = {
	.cmd = "jobs show", .posnames = "a JOB_ID", .what = "job id",
	.base = "/jobs/", .suffix = "", .print = cmd_jobs_print
};

/* The rows of dead jobs as a table. */
static void
cmd_jobs_dead_table(const json_t *arr)
{
	char updated[40], attempts[24];
	json_t *j, *err;
	size_t i;

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
}

/* jobs dead [--limit N]: GET /jobs?status=dead as a table. */
int
cmd_jobs_dead(struct bomctl *ctl, int argc, char **argv)
{
	return fetch_list(ctl, "jobs dead", argc, argv,
	    "/jobs?status=dead", "job", "no dead jobs", cmd_jobs_dead_table);
}

/* jobs retry JOB_ID: POST /jobs/{id}/retry. */
const struct fetch_one cmd_jobs_retry = {
	.cmd = "jobs retry", .posnames = "a JOB_ID", .what = "job id",
	.base = "/jobs/", .suffix = "/retry", .post = true,
	.idkey = "job_id", .said = "job %s queued again"
};
