/*
 * Job parsing and bookkeeping: the request's fields checked once, the
 * error text, trace steps and job-scoped log lines.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/sha.h>

#include "bom.h"
#include "job.h"
#include "log.h"
#include "queue.h"
#include "sourcing.h"
#include "util.h"

struct job *
job_new(const char *stream_id)
{
	struct job *job;

	job = xcalloc(1, sizeof(*job));
	snprintf(job->stream_id, sizeof(job->stream_id), "%s", stream_id);
	job->trace = json_array();
	job->warnings = json_array();
	return job;
}

void
job_free(struct job *job)
{
	size_t i;

	if (job == NULL)
		return;
	free(job->bom_csv);
	free(job->bom_filename);
	free(job->project_name);
	free(job->basis);
	json_decref(job->sets);
	json_decref(job->req);
	json_decref(job->context);
	json_decref(job->totals);
	json_decref(job->warnings);
	json_decref(job->trace);
	json_decref(job->llm_calls);
	bom_free(job->bom);
	for (i = 0; i < job->ndecisions; i++)
		line_decision_free(&job->decisions[i]);
	free(job->decisions);
	free(job);
}

void
job_seterr(struct job *job, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(job->error, sizeof(job->error), fmt, ap);
	va_end(ap);
}

static const char *
job_str(const json_t *req, const char *key, size_t max, struct job *job,
    int *bad)
{
	const json_t *v = json_object_get(req, key);

	if (v == NULL || json_is_null(v))
		return NULL;
	if (!json_is_string(v) || json_string_length(v) > max) {
		job_seterr(job, "job field %s: expected a string of at most "
		    "%zu bytes", key, max);
		*bad = 1;
		return NULL;
	}
	return json_string_value(v);
}

/* Copies a canonical UUID in lower case. */
static void
job_lower_copy(char dst[UUID_BUFSZ], const char *uuid)
{
	size_t i;

	for (i = 0; i < UUID_STRLEN && uuid[i] != '\0'; i++)
		dst[i] = (char)tolower((unsigned char)uuid[i]);
	dst[i] = '\0';
}

/*
 * The project of an inline job, derived from client and job id (SHA-256,
 * as an RFC 9562 version 8 UUID), so every try of the job names the same
 * project and a retry finds its live progress.
 */
static void
job_project_id(struct job *job)
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	char in[sizeof(job->client_id) + sizeof(job->job_id) + 1], hex[33];
	int n;

	n = snprintf(in, sizeof(in), "%s\n%s", job->client_id, job->job_id);
	SHA256((const unsigned char *)in, (size_t)n, md);
	md[6] = (unsigned char)((md[6] & 0x0f) | 0x80);
	md[8] = (unsigned char)((md[8] & 0x3f) | 0x80);
	hex_encode(md, 16, hex);
	snprintf(job->project_id, sizeof(job->project_id),
	    "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16,
	    hex + 20);
}

int
job_parse(struct job *job, const char *text, size_t len)
{
	json_error_t jerr;
	const char *client, *jid, *pid, *csv, *s;
	int bad = 0;

	if (text == NULL) {
		job_seterr(job, "entry has no job field");
		return -1;
	}
	if (len > QUEUE_MAX_JOB) {
		job_seterr(job, "job is larger than %d bytes", QUEUE_MAX_JOB);
		return -1;
	}
	job->req = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (job->req == NULL || !json_is_object(job->req)) {
		job_seterr(job, "job is not a JSON object: %s",
		    job->req ? "wrong type" : jerr.text);
		return -1;
	}
	client = job_str(job->req, "client_id", 64, job, &bad);
	jid = job_str(job->req, "job_id", 128, job, &bad);
	pid = job_str(job->req, "project_id", 64, job, &bad);
	csv = job_str(job->req, "bom_csv", QUEUE_MAX_JOB, job, &bad);
	if (bad)
		return -1;
	if (client == NULL || !uuid_valid(client)) {
		job_seterr(job, "job field client_id: missing or not a "
		    "client id");
		return -1;
	}
	/* one spelling of an id: lower case (row-level security compares) */
	job_lower_copy(job->client_id, client);
	if (jid != NULL && jid[0] == '\0') {
		job_seterr(job, "job field job_id: empty");
		return -1;
	}
	/* without an idempotency key the stream entry is the job */
	snprintf(job->job_id, sizeof(job->job_id), "%s",
	    jid ? jid : job->stream_id);
	if (pid != NULL) {
		if (!uuid_valid(pid)) {
			job_seterr(job, "job field project_id: not a project "
			    "id");
			return -1;
		}
		job_lower_copy(job->project_id, pid);
		job->reprocess = true;
	} else if (csv == NULL) {
		job_seterr(job, "job needs bom_csv or project_id");
		return -1;
	}
	if (csv != NULL) {
		job->bom_csv = xstrdup(csv);
		if (pid == NULL)
			job_project_id(job);
	}
	if ((s = job_str(job->req, "bom_filename", 255, job, &bad)) != NULL)
		job->bom_filename = xstrdup(s);
	if ((s = job_str(job->req, "project_name", 200, job, &bad)) != NULL)
		job->project_name = xstrdup(s);
	if (bad)
		return -1;
	job->intake = json_object_get(job->req, "intake");
	if (job->intake != NULL && json_is_null(job->intake))
		job->intake = NULL;
	if (job->intake != NULL && !json_is_object(job->intake)) {
		job_seterr(job, "job field intake: expected an object");
		return -1;
	}
	return 0;
}

void
job_trace(struct job *job, const char *step, const char *agent, json_t *refs,
    const char *reasoning, const char *fmt, ...)
{
	char msg[1024], ts[32];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	time_rfc3339(time(NULL), ts, sizeof(ts));
	json_array_append_new(job->trace, json_pack("{s:s, s:s, s:s, s:s, "
	    "s:s, s:o, s:s}", "job_id", job->job_id, "step", step, "agent",
	    agent, "message", msg,
	    "reasoning", reasoning ? reasoning : "", "references",
	    refs ? refs : json_array(), "timestamp", ts));
}

void
job_trace_lines(struct job *job, const char *step, const char *agent,
    size_t n)
{
	char msg[64], ts[32];

	snprintf(msg, sizeof(msg), "%zu line%s decided", n, n == 1 ? "" : "s");
	time_rfc3339(time(NULL), ts, sizeof(ts));
	json_array_append_new(job->trace, json_pack("{s:s, s:s, s:s, s:s, "
	    "s:I, s:s}", "job_id", job->job_id, "step", step, "agent", agent,
	    "message", msg, "lines", (json_int_t)n, "timestamp", ts));
}

static void
log_job_v(int warn, const struct job *job, const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (warn)
		log_warnx("job=%s tenant=%.8s %s", job->job_id, job->client_id,
		    msg);
	else
		log_info("job=%s tenant=%.8s %s", job->job_id, job->client_id,
		    msg);
}

void
log_job_warnx(const struct job *job, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_job_v(1, job, fmt, ap);
	va_end(ap);
}

void
log_job_info(const struct job *job, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_job_v(0, job, fmt, ap);
	va_end(ap);
}
