/*
 * bomctl submit: uploads a BOM (and an optional intake file) to
 * POST /projects/upload-and-process, then waits for the job or prints its
 * id (--async).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "job_status.h"
#include "bomctl/bomctl.h"

#define SUBMIT_WAIT_SEC		150L	/* an upload the server waits on */

/* A clear local error beats a curl read error: 0, or -1 after saying so. */
static int
cmd_submit_readable(const char *file)
{
	FILE *f;

	if ((f = fopen(file, "rb")) == NULL) {
		bomctl_err("cannot read %s: %s", file, strerror(errno));
		return -1;
	}
	fclose(f);
	return 0;
}

/* submit BOM.csv [--intake FILE.yaml] [--wait|--async] */
int
cmd_submit(struct bomctl *ctl, int argc, char **argv)
{
	const char *pos[1], *intake = NULL, *job_id, *status, *project_id;
	bool wait = false, async = false;
	const struct bomctl_opt opts[] = { { "intake", &intake, NULL },
	    { "wait", NULL, &wait }, { "async", NULL, &async },
	    { NULL, NULL, NULL } };
	curl_mime *mime = NULL;
	curl_mimepart *part;
	json_t *resp = NULL, *job = NULL;
	int rc;

	if ((rc = bomctl_parse(ctl, "submit", argc, argv, opts, pos, 1, 1,
	    "a BOM file")) != BOMCTL_EXIT_OK)
		return rc;
	if (!async)
		wait = true;
	if (cmd_submit_readable(pos[0]) == -1 ||
	    (intake != NULL && cmd_submit_readable(intake) == -1))
		return BOMCTL_EXIT_ERR;
	rc = BOMCTL_EXIT_ERR;
	mime = curl_mime_init(ctl->curl);
	part = curl_mime_addpart(mime);
	curl_mime_name(part, "bom_file");
	if (curl_mime_filedata(part, pos[0]) != CURLE_OK) {
		bomctl_err("cannot read %s", pos[0]);
		goto out;
	}
	curl_mime_type(part, "text/csv");
	if (intake != NULL) {
		part = curl_mime_addpart(mime);
		curl_mime_name(part, "intake_file");
		if (curl_mime_filedata(part, intake) != CURLE_OK) {
			bomctl_err("cannot read %s", intake);
			goto out;
		}
		curl_mime_type(part, "application/yaml");
	}
	if ((rc = http_request(ctl, "/projects/upload-and-process", mime,
	    NULL, false, async, async ? BOMCTL_TIMEOUT_SEC : SUBMIT_WAIT_SEC,
	    &resp)) != BOMCTL_EXIT_OK)
		goto out;
	rc = BOMCTL_EXIT_ERR;
	job_id = bomctl_str(resp, "job_id", NULL);
	project_id = bomctl_str(resp, "project_id", "?");
	status = bomctl_str(resp, "status", "unknown");
	if (job_id == NULL) {
		bomctl_err("the server's answer has no job_id");
		goto out;
	}
	if (!wait || job_status_final(status)) {
		if (ctl->json)
			bomctl_print_json(resp);
		else if (!wait)
			printf("%s\n", job_id);
		else
			printf("project %s: %s\njob %s\n%s\n", project_id,
			    status, job_id, bomctl_str(resp, "message", ""));
		if (wait && strcmp(status, "complete") != 0) {
			bomctl_err("job %s %s: %s", job_id, status,
			    bomctl_str(resp, "message", ""));
			goto out;
		}
		rc = BOMCTL_EXIT_OK;
		goto out;
	}
	/* 202 (asked for, or the server stopped waiting): poll the job */
	if ((rc = events_wait_job(ctl, bomctl_str(resp, "project_id", NULL),
	    job_id, &job)) != BOMCTL_EXIT_OK)
		goto out;
	rc = BOMCTL_EXIT_ERR;
	status = bomctl_str(job, "status", "unknown");
	if (ctl->json)
		bomctl_print_json(job);
	else
		printf("project %s: %s\njob %s\n", bomctl_str(job,
		    "project_id", project_id), status, job_id);
	if (strcmp(status, "complete") != 0) {
		bomctl_err("job %s %s: %s", job_id, status,
		    bomctl_str(job, "error", "no reason given"));
		goto out;
	}
	rc = BOMCTL_EXIT_OK;
out:
	curl_mime_free(mime);
	json_decref(resp);
	json_decref(job);
	return rc;
}

