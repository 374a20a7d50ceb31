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

/* Adds file to mime as part name of type: 0, or -1 after saying so. */
static int
cmd_submit_part(curl_mime *mime, const char *name, const char *file,
    const char *type)
{
	curl_mimepart *part;

	part = curl_mime_addpart(mime);
	curl_mime_name(part, name);
	if (curl_mime_filedata(part, file) != CURLE_OK) {
		bomctl_err("cannot read %s", file);
		return -1;
	}
	curl_mime_type(part, type);
	return 0;
}

/*
 * Prints the server's answer resp about job job_id when it needs no
 * waiting (async, or the job is final). The exit code: 1 when the
 * upload waited (wait) and the job did not complete.
 */
static int
cmd_submit_answer(struct bomctl *ctl, const json_t *resp, const char *job_id,
    bool wait)
{
	const char *status = bomctl_str(resp, "status", "unknown");

	if (ctl->json)
		bomctl_print_json(resp);
	else if (!wait)
		printf("%s\n", job_id);
	else
		printf("project %s: %s\njob %s\n%s\n",
		    bomctl_str(resp, "project_id", "?"), status, job_id,
		    bomctl_str(resp, "message", ""));
	if (wait && strcmp(status, "complete") != 0) {
		bomctl_err("job %s %s: %s", job_id, status,
		    bomctl_str(resp, "message", ""));
		return BOMCTL_EXIT_ERR;
	}
	return BOMCTL_EXIT_OK;
}

/*
 * Follows job job_id, which the server's answer resp says is queued, to
 * its end and prints it. The exit code: 1 when it did not complete.
 */
static int
cmd_submit_wait(struct bomctl *ctl, const json_t *resp, const char *job_id)
{
	const char *status;
	json_t *job = NULL;
	int rc;

	if ((rc = events_wait_job(ctl, bomctl_str(resp, "project_id", NULL),
	    job_id, &job)) != BOMCTL_EXIT_OK)
		return rc;
	status = bomctl_str(job, "status", "unknown");
	if (ctl->json)
		bomctl_print_json(job);
	else
		printf("project %s: %s\njob %s\n", bomctl_str(job,
		    "project_id", bomctl_str(resp, "project_id", "?")), status,
		    job_id);
	if (strcmp(status, "complete") != 0) {
		bomctl_err("job %s %s: %s", job_id, status,
		    bomctl_str(job, "error", "no reason given"));
		rc = BOMCTL_EXIT_ERR;
	}
	json_decref(job);
	return rc;
}

/* submit BOM.csv [--intake FILE.yaml] [--wait|--async] */
int
cmd_submit(struct bomctl *ctl, int argc, char **argv)
{
	const char *pos[1], *intake = NULL, *job_id;
	bool wait = false, async = false;
	const struct bomctl_opt opts[] = { { "intake", &intake, NULL },
	    { "wait", NULL, &wait }, { "async", NULL, &async },
	    { NULL, NULL, NULL } };
	curl_mime *mime;
	json_t *resp = NULL;
	int rc;

	if ((rc = bomctl_parse(ctl, "submit", argc, argv, opts, pos, 1, 1,
	    "a BOM file")) != BOMCTL_EXIT_OK)
		return rc;
	if (!async)
		wait = true;
	if (cmd_submit_readable(pos[0]) == -1 ||
	    (intake != NULL && cmd_submit_readable(intake) == -1))
		return BOMCTL_EXIT_ERR;
	mime = curl_mime_init(ctl->curl);
	if (cmd_submit_part(mime, "bom_file", pos[0], "text/csv") == -1 ||
	    (intake != NULL && cmd_submit_part(mime, "intake_file", intake,
	    "application/yaml") == -1))
		rc = BOMCTL_EXIT_ERR;
	else
		rc = http_request(ctl, "/projects/upload-and-process", mime,
		    NULL, false, async, async ? BOMCTL_TIMEOUT_SEC :
		    SUBMIT_WAIT_SEC, &resp);
	curl_mime_free(mime);
	if (rc != BOMCTL_EXIT_OK)
		return rc;
	if ((job_id = bomctl_str(resp, "job_id", NULL)) == NULL) {
		bomctl_err("the server's answer has no job_id");
		rc = BOMCTL_EXIT_ERR;
	} else if (!wait || job_status_final(bomctl_str(resp, "status",
	    "unknown")))
		rc = cmd_submit_answer(ctl, resp, job_id, wait);
	else
		/* 202 (asked for, or the server stopped waiting): poll */
		rc = cmd_submit_wait(ctl, resp, job_id);
	json_decref(resp);
	return rc;
}
