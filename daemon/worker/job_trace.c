/*
 * A job's trace: its steps written as text in the order they happen, as
 * json_dumps() of the jansson objects would write them (stored as they
 * are; the API reads them back), and read back from a checkpoint.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "job.h"
#include "util.h"

/* As the persist stage dumps documents (stages.h PERSIST_JSON). */
#define JOB_TRACE_JSON	(JSON_COMPACT | JSON_REAL_PRECISION(15))

static int
job_trace_cb(const char *p, size_t n, void *data)
{
	buf_append(data, p, n);
	return 0;
}

/* Appends ,"key": and the string v; -1 when jansson would refuse v. */
static int
job_trace_str(struct buf *b, const char *key, const char *v)
{
	buf_puts(b, key);
	return buf_jansson_str(b, v);
}

/*
 * One step, written as json_dumps() of the object json_pack() made of it
 * would be (jansson keeps the keys in the order set); nothing when
 * json_pack() would have failed on a string that is not UTF-8. lines < 0:
 * a step with reasoning and references, else one with lines.
 */
static void
job_trace_step(struct job *job, const char *step, const char *agent,
    json_t *refs, const char *reasoning, const char *msg, int64_t lines)
{
	struct buf *b = &job->trace;
	size_t start = b->len;
	char ts[32];
	int bad;

	time_rfc3339(time(NULL), ts, sizeof(ts));
	buf_puts(b, start > 0 ? ",{" : "{");
	/* in this order: one statement each */
	bad = job_trace_str(b, "\"job_id\":", job->job_id);
	bad |= job_trace_str(b, ",\"step\":", step);
	bad |= job_trace_str(b, ",\"agent\":", agent);
	bad |= job_trace_str(b, ",\"message\":", msg);
	if (lines < 0) {
		bad |= job_trace_str(b, ",\"reasoning\":", reasoning ?
		    reasoning : "");
		buf_puts(b, ",\"references\":");
		if (refs == NULL)
			buf_puts(b, "[]");
		else if (json_dump_callback(refs, job_trace_cb, b,
		    JOB_TRACE_JSON | JSON_ENCODE_ANY) == -1)
			bad = -1;
	} else {
		buf_puts(b, ",\"lines\":");
		buf_jint(b, lines);
	}
	bad |= job_trace_str(b, ",\"timestamp\":", ts);
	buf_puts(b, "}");
	json_decref(refs);
	if (bad != 0) {
		b->len = start;
		if (b->data != NULL)
			b->data[start] = '\0';
	}
}

void
job_trace(struct job *job, const char *step, const char *agent, json_t *refs,
    const char *reasoning, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	job_trace_step(job, step, agent, refs, reasoning, msg, -1);
}

void
job_trace_lines(struct job *job, const char *step, const char *agent,
    size_t n)
{
	char msg[64];

	snprintf(msg, sizeof(msg), "%zu line%s decided", n, n == 1 ? "" : "s");
	job_trace_step(job, step, agent, NULL, NULL, msg, (int64_t)n);
}

void
job_trace_text(const struct job *job, struct buf *out)
{
	buf_append(out, "[", 1);
	buf_append(out, job->trace.data, job->trace.len);
	buf_append(out, "]", 1);
}

void
job_trace_set(struct job *job, const json_t *t)
{
	struct buf b;

	buf_init(&b);
	if (json_dump_callback(t, job_trace_cb, &b, JOB_TRACE_JSON) == -1 ||
	    b.len < 2 || b.data[0] != '[' || b.data[b.len - 1] != ']') {
		buf_free(&b);
		return;
	}
	buf_free(&job->trace);
	buf_init(&job->trace);
	buf_append(&job->trace, b.data + 1, b.len - 2);
	buf_free(&b);
}

