/*
 * Following a queued job for "bomctl submit --wait": the project's
 * Server-Sent Events (GET /projects/{id}/events) drawn as a progress bar
 * or status lines, and polling GET /jobs/{id} when there is no stream.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "job_status.h"
#include "util.h"
#include "bomctl/bomctl.h"

#define EVENTS_POLL_MS		500
#define EVENTS_POLL_MAX_SEC	1800	/* --async --wait gives up after */
#define EVENTS_IDLE_SEC		60L	/* a silent event stream is dead */

/*
 * Following a job through GET /projects/{id}/events (Server-Sent Events):
 * the write callback cuts the stream into lines as they come, gathers the
 * "event:" and "data:" lines of each event and acts on the blank line that
 * ends it. A bar redrawn in place on a terminal, one line per status
 * change otherwise.
 */
struct events_sse {
	CURL		*curl;
	const char	*job_id;
	FILE		*fp;		/* progress output; NULL for none */
	bool		 tty;
	bool		 shown;		/* a bar is on the screen */
	bool		 checked;	/* the answer's status was looked at */
	bool		 not_sse;	/* not a 200 event stream */
	bool		 done;		/* "done" arrived */
	bool		 ended;		/* "error" or "timeout" arrived */
	bool		 too_long;
	char		 why[256];	/* why it ended without "done" */
	char		 event[32];
	char		 status[32];	/* last project status */
	char		 step[48];	/* last trace step */
	long long	 lines;
	int64_t		 start;
	struct buf	 line;		/* the line being received */
	struct buf	 data;		/* the data lines of this event */
	events_fn	 on_event;	/* watch: every event; or NULL */
	void		*arg;
};

/* Tenths of the bar a project status fills. */
static int
events_tenths(const char *status)
{
	if (strcmp(status, "queued") == 0)
		return 1;
	if (strcmp(status, "enriching") == 0)
		return 4;
	if (strcmp(status, "decisioning") == 0)
		return 7;
	if (strcmp(status, "complete") == 0 || strcmp(status, "failed") == 0)
		return 10;
	return 0;
}

static void
events_sse_draw(struct events_sse *s, bool changed)
{
	char bar[11];
	int i, fill;

	if (s->fp == NULL || s->status[0] == '\0')
		return;
	if (!s->tty) {
		if (changed && s->lines > 0)
			fprintf(s->fp, "job %s: %s, %lld line items\n",
			    s->job_id, s->status, s->lines);
		else if (changed)
			fprintf(s->fp, "job %s: %s\n", s->job_id, s->status);
		fflush(s->fp);
		return;
	}
	fill = events_tenths(s->status);
	for (i = 0; i < 10; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[10] = '\0';
	fprintf(s->fp, "\r[%s] %-11s %4lld lines  %llds%s%s\033[K", bar,
	    s->status, s->lines, (long long)((now_ms() - s->start) / 1000),
	    s->step[0] != '\0' ? "  " : "", s->step);
	fflush(s->fp);
	s->shown = true;
}

/* Acts on one complete event. */
static void
events_sse_event(struct events_sse *s)
{
	json_error_t jerr;
	json_t *d;
	const char *st;
	bool changed;

	d = json_loadb(s->data.data ? s->data.data : "", s->data.len, 0,
	    &jerr);
	if (s->on_event != NULL && d != NULL)
		s->on_event(s->event, d, s->arg);
	if (strcmp(s->event, "status") == 0 && d != NULL) {
		st = bomctl_str(d, "status", "unknown");
		changed = strcmp(st, s->status) != 0;
		snprintf(s->status, sizeof(s->status), "%s", st);
		s->lines = json_integer_value(json_object_get(d,
		    "line_items"));
		events_sse_draw(s, changed);
	} else if (strcmp(s->event, "trace") == 0 && d != NULL) {
		st = bomctl_str(d, "step", "");
		if (strcmp(st, s->step) != 0) {
			snprintf(s->step, sizeof(s->step), "%s", st);
			events_sse_draw(s, false);
		}
	} else if (strcmp(s->event, "done") == 0) {
		st = bomctl_str(d, "status", s->status);
		changed = strcmp(st, s->status) != 0;
		snprintf(s->status, sizeof(s->status), "%s", st);
		events_sse_draw(s, changed);
		s->done = true;
	} else if (strcmp(s->event, "error") == 0 ||
	    strcmp(s->event, "timeout") == 0) {
		snprintf(s->why, sizeof(s->why), "%s event: %s", s->event,
		    bomctl_str(d, "detail", "no detail given"));
		s->ended = true;
	}
	json_decref(d);
}

/* One line of the stream, without its end of line. */
static void
events_sse_line(struct events_sse *s, const char *l)
{
	const char *v;

	if (l[0] == '\0') {
		if (s->data.len > 0 || strcmp(s->event, "message") != 0)
			events_sse_event(s);
		snprintf(s->event, sizeof(s->event), "message");
		s->data.len = 0;
		return;
	}
	if (l[0] == ':')
		return;		/* a comment: keep-alive */
	if ((v = strchr(l, ':')) == NULL)
		v = l + strlen(l);
	else {
		v++;
		if (*v == ' ')
			v++;
	}
	if (strncmp(l, "event:", 6) == 0)
		snprintf(s->event, sizeof(s->event), "%s", v);
	else if (strncmp(l, "data:", 5) == 0) {
		if (s->data.len > 0)
			buf_puts(&s->data, "\n");
		buf_puts(&s->data, v);
	}
}

static size_t
events_sse_cb(char *p, size_t size, size_t n, void *arg)
{
	struct events_sse *s = arg;
	const char *ct = NULL;
	size_t len = size * n, i;
	long code = 0;

	if (!s->checked) {
		s->checked = true;
		curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &code);
		curl_easy_getinfo(s->curl, CURLINFO_CONTENT_TYPE, &ct);
		if (code != 200 || ct == NULL ||
		    strncmp(ct, "text/event-stream", 17) != 0) {
			snprintf(s->why, sizeof(s->why), "HTTP %ld, %s", code,
			    ct != NULL ? ct : "no content type");
			s->not_sse = true;
			return 0;
		}
	}
	for (i = 0; i < len; i++) {
		if (p[i] != '\n') {
			buf_append(&s->line, p + i, 1);
			if (s->line.len + s->data.len > BOMCTL_MAX_BODY) {
				s->too_long = true;
				return 0;
			}
			continue;
		}
		if (s->line.len > 0 && s->line.data[s->line.len - 1] == '\r')
			s->line.data[--s->line.len] = '\0';
		events_sse_line(s, s->line.data ? s->line.data : "");
		s->line.len = 0;
		if (s->line.data != NULL)
			s->line.data[0] = '\0';
		/* the rest of the stream is not needed */
		if (s->done || s->ended)
			return 0;
	}
	return len;
}

/*
 * Follows the project's events until "done", showing progress as
 * events_sse_draw() does. 0 when done arrived; -1 with the reason in why
 * (the caller falls back to polling the job).
 */
static int
events_follow(struct bomctl *ctl, const char *project_id,
    const char *job_id, FILE *fp, bool tty, events_fn on_event, void *arg,
    char *why, size_t whylen)
{
	struct events_sse s;
	struct curl_slist *hdrs = NULL;
	char path[BOMCTL_MAX_URL], errbuf[CURL_ERROR_SIZE];
	CURLcode cc;
	long code = 0;
	int rc = -1;

	memset(&s, 0, sizeof(s));
	s.curl = ctl->curl;
	s.job_id = job_id;
	s.fp = fp;
	s.tty = tty;
	s.start = now_ms();
	s.on_event = on_event;
	s.arg = arg;
	snprintf(s.event, sizeof(s.event), "message");
	buf_init(&s.line);
	buf_init(&s.data);
	if (http_id_path(ctl, "/projects/", project_id, "/events", path,
	    sizeof(path)) == -1 ||
	    http_setup(ctl, path, "text/event-stream", &hdrs, errbuf) == -1) {
		snprintf(why, whylen, "the events URL is too long");
		goto out;
	}
	curl_easy_setopt(ctl->curl, CURLOPT_TIMEOUT, (long)EVENTS_POLL_MAX_SEC);
	/* keep-alives come every 15 s: a silent minute is a dead stream */
	curl_easy_setopt(ctl->curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(ctl->curl, CURLOPT_LOW_SPEED_TIME,
	    EVENTS_IDLE_SEC);
	curl_easy_setopt(ctl->curl, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(ctl->curl, CURLOPT_WRITEFUNCTION, events_sse_cb);
	curl_easy_setopt(ctl->curl, CURLOPT_WRITEDATA, &s);
	cc = curl_easy_perform(ctl->curl);
	curl_easy_getinfo(ctl->curl, CURLINFO_RESPONSE_CODE, &code);
	if (s.done)
		rc = 0;
	else if (s.not_sse || s.ended)
		snprintf(why, whylen, "%s", s.why);
	else if (s.too_long)
		snprintf(why, whylen, "an event is too large");
	else if (cc != CURLE_OK)
		snprintf(why, whylen, "%s", errbuf[0] ? errbuf :
		    curl_easy_strerror(cc));
	else if (code != 200)
		snprintf(why, whylen, "HTTP %ld", code);
	else
		snprintf(why, whylen, "the stream ended before the job");
out:
	if (s.shown)
		fputc('\n', fp);
	curl_slist_free_all(hdrs);
	buf_free(&s.line);
	buf_free(&s.data);
	return rc;
}

/*
 * Polls GET /jobs/{id} until the job is final, printing progress on fp
 * (NULL: quietly); gives up EVENTS_POLL_MAX_SEC after start.
 */
static int
events_poll_job(struct bomctl *ctl, const char *job_id, FILE *fp, bool tty,
    int64_t start, json_t **final)
{
	struct timespec ts = { 0, EVENTS_POLL_MS * 1000000L };
	char path[512], last[64] = "";
	const char *status;
	json_t *job = NULL;
	bool shown = false;
	int rc;

	*final = NULL;
	if (http_id_path(ctl, "/jobs/", job_id, "", path, sizeof(path)) ==
	    -1) {
		bomctl_err("job id is too long");
		return BOMCTL_EXIT_USAGE;
	}
	for (;;) {
		json_decref(job);
		if ((rc = http_get(ctl, path, &job)) != BOMCTL_EXIT_OK) {
			if (shown && tty)
				fputc('\n', fp);
			return rc;
		}
		status = bomctl_str(job, "status", "unknown");
		if (fp != NULL && tty) {
			fprintf(fp, "\rjob %s: %s (%llds)\033[K", job_id,
			    status, (long long)((now_ms() - start) / 1000));
			fflush(fp);
			shown = true;
		} else if (fp != NULL && strcmp(status, last) != 0) {
			fprintf(fp, "job %s: %s\n", job_id, status);
			fflush(fp);
		}
		snprintf(last, sizeof(last), "%s", status);
		if (job_status_final(status))
			break;
		if (now_ms() - start > EVENTS_POLL_MAX_SEC * 1000) {
			if (shown && tty)
				fputc('\n', fp);
			bomctl_err("gave up waiting after %d s; the job goes "
			    "on: bomctl jobs show %s", EVENTS_POLL_MAX_SEC,
			    job_id);
			json_decref(job);
			return BOMCTL_EXIT_ERR;
		}
		nanosleep(&ts, NULL);
	}
	if (shown && tty)
		fputc('\n', fp);
	*final = job;
	return BOMCTL_EXIT_OK;
}

int
events_wait_job(struct bomctl *ctl, const char *project_id,
    const char *job_id, json_t **final)
{
	FILE *fp = ctl->json ? stderr : stdout;
	bool tty = isatty(fileno(fp));
	int64_t start = now_ms();
	char why[512];

	if (ctl->json && !tty)
		fp = NULL;	/* keep stdout pure JSON, stderr quiet */
	if (project_id != NULL && events_follow(ctl, project_id,
	    job_id, fp, tty, NULL, NULL, why, sizeof(why)) == 0)
		return events_poll_job(ctl, job_id, NULL, false, start,
		    final);
	if (project_id != NULL && fp != NULL) {
		fflush(stdout);
		fprintf(stderr, "bomctl: no progress stream (%s); polling "
		    "the job\n", why);
	}
	return events_poll_job(ctl, job_id, fp, tty, start, final);
}

int
events_watch(struct bomctl *ctl, const char *project_id, events_fn on_event,
    void *arg, char *why, size_t whylen)
{
	return events_follow(ctl, project_id, NULL, NULL, false, on_event, arg,
	    why, whylen);
}
