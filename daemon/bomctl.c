/*
 * bomctl: the command-line client for bomd's HTTP API (libcurl + jansson).
 * Submits BOMs (following their progress), lists projects, shows
 * decisions, traces and jobs, retries dead jobs, and manages the tenant's
 * part and supplier knowledge; --json prints the server's answer as pretty
 * JSON. Exit codes are in the usage text.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "util.h"

#define BOMCTL_VERSION		"0.1.0"
#define BOMCTL_DEFAULT_URL	"http://127.0.0.1:8080"
#define BOMCTL_CONNECT_SEC	5L
#define BOMCTL_TIMEOUT_SEC	30L
#define BOMCTL_WAIT_SEC		150L	/* an upload the server waits on */
#define BOMCTL_MAX_BODY		((size_t)64 * 1024 * 1024)
#define BOMCTL_POLL_MS		500
#define BOMCTL_POLL_MAX_SEC	1800	/* --async --wait gives up after */
#define BOMCTL_MAX_URL		4096
#define BOMCTL_COLUMNS		100
#define BOMCTL_MAX_LIMIT	1000000
#define BOMCTL_SSE_IDLE_SEC	60L	/* a silent event stream is dead */

enum {
	BOMCTL_EXIT_OK = 0,
	BOMCTL_EXIT_ERR = 1,
	BOMCTL_EXIT_USAGE = 2,
	BOMCTL_EXIT_UNREACHABLE = 3,
	BOMCTL_EXIT_AUTH = 4,
	BOMCTL_EXIT_NOTFOUND = 5
};

struct bomctl {
	char		 url[BOMCTL_MAX_URL];	/* base, no trailing slash */
	const char	*key;
	bool		 json;
	bool		 post;		/* an empty POST instead of a GET */
	const char	*post_json;	/* a JSON POST body instead of a GET */
	CURL		*curl;
};

struct bomctl_body {
	struct buf	 buf;
	bool		 too_large;
};

static const char bomctl_usage_text[] =
"usage: bomctl [--json] COMMAND [ARGS]\n"
"\n"
"Command-line client for the bomd BOM sourcing service.\n"
"\n"
"Commands:\n"
"  submit BOM.csv [--intake FILE.yaml] [--wait|--async]\n"
"                         upload a BOM (and optional intake YAML) and\n"
"                         process it. --wait (default): the server waits\n"
"                         for the result, then the project is summarised.\n"
"                         --async: answer at once and print the job id;\n"
"                         --async --wait: follow the project's progress\n"
"                         (GET /projects/ID/events; a bar on a terminal,\n"
"                         one line per status change otherwise) until the\n"
"                         job finishes; polls the job when the stream is\n"
"                         unavailable. A failed job exits 1.\n"
"  projects [--limit N]   list your projects, newest first (default 100)\n"
"  show PROJECT_ID        the decision table of a project and its totals\n"
"  trace PROJECT_ID       the processing trace: timestamp, step, agent,\n"
"                         message\n"
"  jobs show JOB_ID       the state of a job\n"
"  jobs dead [--limit N]  your dead jobs (out of attempts or crashing a\n"
"                         worker every time): attempts, when, and why\n"
"  jobs retry JOB_ID      queue a dead or failed job again, attempts\n"
"                         reset (409 when it is neither)\n"
"\n"
"  parts [list] [--limit N]\n"
"                         the parts your organisation knows: banned or\n"
"                         not, approved alternates, times used\n"
"  parts show MPN         everything known about one part\n"
"  parts ban MPN --reason R [--user U]\n"
"                         never buy this part again (its approved\n"
"                         alternate is proposed instead); --reason is\n"
"                         required\n"
"  parts unban MPN [--user U]\n"
"                         lift a ban\n"
"  parts alternates MPN   the approved alternates of a part\n"
"  parts add-alternate MPN ALT [--reason R] [--user U]\n"
"                         approve ALT as a drop-in alternate for MPN\n"
"                         (an MPN may contain '/': it is sent encoded)\n"
"\n"
"  suppliers [list] [--limit N]\n"
"                         your suppliers: type, trust, on-time and\n"
"                         quality rates\n"
"  suppliers show SUPPLIER_ID\n"
"                         everything known about one supplier\n"
"  suppliers add SUPPLIER_ID --name NAME [--type authorized|broker|direct]\n"
"      [--trust high|medium|low|blocked] [--account-rep R]\n"
"      [--payment-terms T] [--notes N]\n"
"                         add a supplier (defaults: authorized, medium)\n"
"  suppliers trust SUPPLIER_ID high|medium|low|blocked [--reason R]\n"
"      [--user U]         set a supplier's trust; blocked suppliers are\n"
"                         never chosen\n"
"\n"
"Options:\n"
"  --json                 print the server's JSON answer (pretty) instead\n"
"                         of tables; progress, if any, goes to stderr on\n"
"                         a terminal only\n"
"  --limit N              at most N rows (1 to 1000000; the server caps\n"
"                         it)\n"
"  -h, --help             print this help and exit\n"
"  -V, --version          print the version and exit\n"
"  Options take their value as \"--opt VALUE\" or \"--opt=VALUE\"; \"--\"\n"
"  ends the options (for an MPN that starts with \"--\").\n"
"\n"
"Environment:\n"
"  BOMCTL_URL             the bomd API (default " BOMCTL_DEFAULT_URL ")\n"
"  BOMCTL_API_KEY         your API key, sent as X-API-Key (required for\n"
"                         every command)\n"
"\n"
"Exit status:\n"
"  0 success, 1 error (HTTP error with the server's detail, failed job),\n"
"  2 usage error, 3 server unreachable, 4 API key refused (401),\n"
"  5 not found (404: project, job, part or supplier)\n";

static void
bomctl_err(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static void
bomctl_err(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("bomctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int
bomctl_usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static int
bomctl_usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("bomctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see bomctl --help)\n", stderr);
	return BOMCTL_EXIT_USAGE;
}

/* ---- HTTP ---------------------------------------------------------- */

static size_t
bomctl_write_cb(char *p, size_t size, size_t n, void *arg)
{
	struct bomctl_body *b = arg;
	size_t len = size * n;

	if (b->buf.len + len > BOMCTL_MAX_BODY) {
		b->too_large = true;
		return 0;
	}
	buf_append(&b->buf, p, len);
	return len;
}

/* A one-line, printable copy of at most max bytes of s. */
static void
bomctl_oneline(const char *s, size_t len, char *out, size_t outlen)
{
	size_t i, o = 0;

	for (i = 0; i < len && o + 1 < outlen && s[i] != '\0'; i++)
		out[o++] = (unsigned char)s[i] < 0x20 ? ' ' : s[i];
	out[o] = '\0';
}

/* The server's {"detail": ...}, or the start of the body. */
static void
bomctl_detail(const json_t *root, const struct buf *body, long code,
    char *out, size_t len)
{
	const json_t *d = json_object_get(root, "detail");
	char *s;

	if (json_is_string(d)) {
		bomctl_oneline(json_string_value(d), SIZE_MAX, out, len);
		return;
	}
	if (d != NULL && (s = json_dumps(d, JSON_COMPACT)) != NULL) {
		bomctl_oneline(s, SIZE_MAX, out, len);
		free(s);
		return;
	}
	if (body->len > 0) {
		bomctl_oneline(body->data, body->len < 200 ? body->len : 200,
		    out, len);
		return;
	}
	snprintf(out, len, "no detail given (HTTP %ld)", code);
}

/*
 * Runs one request: GET when mime is NULL (an empty POST when ctl->post),
 * else a multipart POST. On a
 * 2xx answer *out gets the parsed JSON (caller json_decref()s it) and
 * *code the status. Otherwise prints one line on stderr and returns the
 * exit code to use.
 */
static int
bomctl_request(struct bomctl *ctl, const char *path, curl_mime *mime,
    bool async, long timeout, long *code, json_t **out)
{
	struct bomctl_body body = { { NULL, 0, 0 }, false };
	struct curl_slist *hdrs = NULL;
	char url[BOMCTL_MAX_URL + 512], hdr[1024], errbuf[CURL_ERROR_SIZE];
	char detail[512];
	json_error_t jerr;
	json_t *root = NULL;
	CURLcode cc;
	int rc = BOMCTL_EXIT_ERR;

	*out = NULL;
	*code = 0;
	buf_init(&body.buf);
	if ((size_t)snprintf(url, sizeof(url), "%s%s", ctl->url, path) >=
	    sizeof(url)) {
		bomctl_err("request URL is too long");
		goto out;
	}
	if ((size_t)snprintf(hdr, sizeof(hdr), "X-API-Key: %s", ctl->key) >=
	    sizeof(hdr)) {
		rc = bomctl_usage_error("BOMCTL_API_KEY is too long");
		goto out;
	}
	hdrs = curl_slist_append(hdrs, hdr);
	hdrs = curl_slist_append(hdrs, "Accept: application/json");
	if (async)
		hdrs = curl_slist_append(hdrs, "Prefer: respond-async");
	if (mime == NULL && ctl->post_json != NULL)
		hdrs = curl_slist_append(hdrs,
		    "Content-Type: application/json");
	/* no "Expect: 100-continue" round trip on uploads */
	hdrs = curl_slist_append(hdrs, "Expect:");
	errbuf[0] = '\0';
	curl_easy_reset(ctl->curl);
	curl_easy_setopt(ctl->curl, CURLOPT_URL, url);
	curl_easy_setopt(ctl->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(ctl->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(ctl->curl, CURLOPT_CONNECTTIMEOUT, BOMCTL_CONNECT_SEC);
	curl_easy_setopt(ctl->curl, CURLOPT_TIMEOUT, timeout);
	curl_easy_setopt(ctl->curl, CURLOPT_USERAGENT,
	    "bomctl/" BOMCTL_VERSION);
	curl_easy_setopt(ctl->curl, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(ctl->curl, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(ctl->curl, CURLOPT_WRITEFUNCTION, bomctl_write_cb);
	curl_easy_setopt(ctl->curl, CURLOPT_WRITEDATA, &body);
	curl_easy_setopt(ctl->curl, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)BOMCTL_MAX_BODY);
	if (mime != NULL)
		curl_easy_setopt(ctl->curl, CURLOPT_MIMEPOST, mime);
	else if (ctl->post_json != NULL)
		curl_easy_setopt(ctl->curl, CURLOPT_POSTFIELDS,
		    ctl->post_json);
	else if (ctl->post)
		curl_easy_setopt(ctl->curl, CURLOPT_POSTFIELDS, "");
	cc = curl_easy_perform(ctl->curl);
	if (body.too_large || cc == CURLE_FILESIZE_EXCEEDED) {
		bomctl_err("the answer from %s is larger than %zu MB", ctl->url,
		    BOMCTL_MAX_BODY / (1024 * 1024));
		goto out;
	}
	if (cc == CURLE_OPERATION_TIMEDOUT) {
		bomctl_err("no answer from %s within %ld s: %s", ctl->url,
		    timeout, errbuf[0] ? errbuf : curl_easy_strerror(cc));
		rc = BOMCTL_EXIT_UNREACHABLE;
		goto out;
	}
	if (cc != CURLE_OK) {
		bomctl_err("cannot reach %s: %s", ctl->url,
		    errbuf[0] ? errbuf : curl_easy_strerror(cc));
		rc = BOMCTL_EXIT_UNREACHABLE;
		goto out;
	}
	curl_easy_getinfo(ctl->curl, CURLINFO_RESPONSE_CODE, code);
	root = json_loadb(body.buf.data ? body.buf.data : "", body.buf.len,
	    JSON_DECODE_ANY, &jerr);
	if (*code < 200 || *code >= 300) {
		bomctl_detail(root, &body.buf, *code, detail, sizeof(detail));
		if (*code == 401) {
			bomctl_err("the server refused the API key (401): %s",
			    detail);
			rc = BOMCTL_EXIT_AUTH;
		} else if (*code == 404) {
			bomctl_err("%s", detail);
			rc = BOMCTL_EXIT_NOTFOUND;
		} else
			bomctl_err("HTTP %ld: %s", *code, detail);
		goto out;
	}
	if (root == NULL) {
		bomctl_err("%s answered HTTP %ld with invalid JSON: %s",
		    ctl->url, *code, jerr.text);
		goto out;
	}
	*out = root;
	root = NULL;
	rc = BOMCTL_EXIT_OK;
out:
	json_decref(root);
	curl_slist_free_all(hdrs);
	buf_free(&body.buf);
	return rc;
}

/* GET path with the ordinary timeout. */
static int
bomctl_get(struct bomctl *ctl, const char *path, json_t **out)
{
	long code;

	return bomctl_request(ctl, path, NULL, false, BOMCTL_TIMEOUT_SEC,
	    &code, out);
}

/*
 * POST path with body (a JSON object; NULL for an empty body) and the
 * ordinary timeout; *out as bomctl_request().
 */
static int
bomctl_post(struct bomctl *ctl, const char *path, const json_t *body,
    json_t **out)
{
	char *s = NULL;
	long code;
	int rc;

	*out = NULL;
	if (body != NULL &&
	    (s = json_dumps(body, JSON_COMPACT)) == NULL) {
		bomctl_err("cannot format the request");
		return BOMCTL_EXIT_ERR;
	}
	ctl->post = true;
	ctl->post_json = s;
	rc = bomctl_request(ctl, path, NULL, false, BOMCTL_TIMEOUT_SEC, &code,
	    out);
	ctl->post = false;
	ctl->post_json = NULL;
	free(s);
	return rc;
}

/* "/prefix/" + the URL-escaped id into out; -1 when it does not fit. */
static int
bomctl_id_path(struct bomctl *ctl, const char *prefix, const char *id,
    char *out, size_t len)
{
	char *esc;
	int rc = -1;

	if ((esc = curl_easy_escape(ctl->curl, id, 0)) == NULL)
		return -1;
	if ((size_t)snprintf(out, len, "%s%s", prefix, esc) < len)
		rc = 0;
	curl_free(esc);
	return rc;
}

/* ---- output helpers ------------------------------------------------ */

static int
bomctl_print_json(const json_t *v)
{
	char *s;

	if ((s = json_dumps(v, JSON_INDENT(2) | JSON_ENCODE_ANY)) == NULL) {
		bomctl_err("cannot format JSON");
		return BOMCTL_EXIT_ERR;
	}
	printf("%s\n", s);
	free(s);
	return BOMCTL_EXIT_OK;
}

static const char *
bomctl_str(const json_t *obj, const char *key, const char *dflt)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s != NULL ? s : dflt;
}

/* A JSON money number as "12.34" (2 to 6 decimals); "-" when absent. */
static void
bomctl_money(const json_t *v, char *out, size_t len)
{
	double d;

	if (!json_is_number(v)) {
		snprintf(out, len, "-");
		return;
	}
	d = json_number_value(v) * (double)MICROS_PER_UNIT;
	if (!isfinite(d) || fabs(d) > 9.0e18) {
		snprintf(out, len, "?");
		return;
	}
	money_format((int64_t)llround(d), out, len);
}

/* Bytes in the first n UTF-8 characters of s. */
static size_t
bomctl_utf8_prefix(const char *s, size_t n)
{
	size_t i = 0;

	while (s[i] != '\0' && n > 0) {
		i++;
		while (((unsigned char)s[i] & 0xc0) == 0x80)
			i++;
		n--;
	}
	return i;
}

static size_t
bomctl_utf8_len(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/*
 * Prints s in a column of width characters: cut with "~" when longer,
 * padded with blanks unless last. Control characters become blanks.
 */
static void
bomctl_cell(const char *s, size_t width, bool last)
{
	char *t, *p;
	size_t n;

	t = xstrdup(s);
	for (p = t; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20)
			*p = ' ';
	n = bomctl_utf8_len(t);
	if (n > width && width > 0) {
		t[bomctl_utf8_prefix(t, width - 1)] = '\0';
		printf("%s~", t);
		n = width;
	} else
		printf("%s", t);
	if (!last)
		printf("%*s", (int)(width - n + 1), "");
	free(t);
}

/* The first sentence: up to a '.' followed by a blank or the end. */
static char *
bomctl_first_sentence(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] == '\n')
			break;
		if ((s[i] == '.' || s[i] == ';') &&
		    (s[i + 1] == ' ' || s[i + 1] == '\0' || s[i + 1] == '\n'))
			break;
	}
	return xstrndup(s, i);
}

/* "2026-11-25T17:43:47.123456Z" without the fraction. */
static void
bomctl_ts(const char *s, char *out, size_t len)
{
	const char *dot = strchr(s, '.');

	if (dot != NULL && dot - s == 19)
		snprintf(out, len, "%.19sZ", s);
	else
		snprintf(out, len, "%s", s);
}

/*
 * Following a job through GET /projects/{id}/events (Server-Sent Events):
 * the write callback cuts the stream into lines as they come, gathers the
 * "event:" and "data:" lines of each event and acts on the blank line that
 * ends it. A bar redrawn in place on a terminal, one line per status
 * change otherwise.
 */
struct bomctl_sse {
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
};

/* Tenths of the bar a project status fills. */
static int
bomctl_progress_tenths(const char *status)
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
bomctl_sse_draw(struct bomctl_sse *s, bool changed)
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
	fill = bomctl_progress_tenths(s->status);
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
bomctl_sse_event(struct bomctl_sse *s)
{
	json_error_t jerr;
	json_t *d;
	const char *st;
	bool changed;

	d = json_loadb(s->data.data ? s->data.data : "", s->data.len, 0,
	    &jerr);
	if (strcmp(s->event, "status") == 0 && d != NULL) {
		st = bomctl_str(d, "status", "unknown");
		changed = strcmp(st, s->status) != 0;
		snprintf(s->status, sizeof(s->status), "%s", st);
		s->lines = json_integer_value(json_object_get(d,
		    "line_items"));
		bomctl_sse_draw(s, changed);
	} else if (strcmp(s->event, "trace") == 0 && d != NULL) {
		st = bomctl_str(d, "step", "");
		if (strcmp(st, s->step) != 0) {
			snprintf(s->step, sizeof(s->step), "%s", st);
			bomctl_sse_draw(s, false);
		}
	} else if (strcmp(s->event, "done") == 0) {
		st = bomctl_str(d, "status", s->status);
		changed = strcmp(st, s->status) != 0;
		snprintf(s->status, sizeof(s->status), "%s", st);
		bomctl_sse_draw(s, changed);
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
bomctl_sse_line(struct bomctl_sse *s, const char *l)
{
	const char *v;

	if (l[0] == '\0') {
		if (s->data.len > 0 || strcmp(s->event, "message") != 0)
			bomctl_sse_event(s);
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
bomctl_sse_cb(char *p, size_t size, size_t n, void *arg)
{
	struct bomctl_sse *s = arg;
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
		bomctl_sse_line(s, s->line.data ? s->line.data : "");
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
 * bomctl_sse_draw() does. 0 when done arrived; -1 with the reason in why
 * (the caller falls back to polling the job).
 */
static int
bomctl_follow_events(struct bomctl *ctl, const char *project_id,
    const char *job_id, FILE *fp, bool tty, char *why, size_t whylen)
{
	struct bomctl_sse s;
	struct curl_slist *hdrs = NULL;
	char url[BOMCTL_MAX_URL + 512], path[512], hdr[1024];
	char errbuf[CURL_ERROR_SIZE];
	CURLcode cc;
	long code = 0;
	int rc = -1;

	memset(&s, 0, sizeof(s));
	s.curl = ctl->curl;
	s.job_id = job_id;
	s.fp = fp;
	s.tty = tty;
	s.start = now_ms();
	snprintf(s.event, sizeof(s.event), "message");
	buf_init(&s.line);
	buf_init(&s.data);
	if (bomctl_id_path(ctl, "/projects/", project_id, path,
	    sizeof(path)) == -1 ||
	    (size_t)snprintf(url, sizeof(url), "%s%s/events", ctl->url,
	    path) >= sizeof(url) ||
	    (size_t)snprintf(hdr, sizeof(hdr), "X-API-Key: %s", ctl->key) >=
	    sizeof(hdr)) {
		snprintf(why, whylen, "the events URL is too long");
		goto out;
	}
	hdrs = curl_slist_append(hdrs, hdr);
	hdrs = curl_slist_append(hdrs, "Accept: text/event-stream");
	errbuf[0] = '\0';
	curl_easy_reset(ctl->curl);
	curl_easy_setopt(ctl->curl, CURLOPT_URL, url);
	curl_easy_setopt(ctl->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(ctl->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(ctl->curl, CURLOPT_CONNECTTIMEOUT, BOMCTL_CONNECT_SEC);
	curl_easy_setopt(ctl->curl, CURLOPT_TIMEOUT, (long)BOMCTL_POLL_MAX_SEC);
	/* keep-alives come every 15 s: a silent minute is a dead stream */
	curl_easy_setopt(ctl->curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(ctl->curl, CURLOPT_LOW_SPEED_TIME,
	    BOMCTL_SSE_IDLE_SEC);
	curl_easy_setopt(ctl->curl, CURLOPT_USERAGENT,
	    "bomctl/" BOMCTL_VERSION);
	curl_easy_setopt(ctl->curl, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(ctl->curl, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(ctl->curl, CURLOPT_WRITEFUNCTION, bomctl_sse_cb);
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

/* ---- commands ------------------------------------------------------ */

static bool
bomctl_job_final(const char *status)
{
	return strcmp(status, "complete") == 0 ||
	    strcmp(status, "failed") == 0 || strcmp(status, "dead") == 0;
}

/*
 * Polls GET /jobs/{id} until the job is final, printing progress on fp
 * (NULL: quietly); gives up BOMCTL_POLL_MAX_SEC after start.
 */
static int
bomctl_poll_job(struct bomctl *ctl, const char *job_id, FILE *fp, bool tty,
    int64_t start, json_t **final)
{
	struct timespec ts = { 0, BOMCTL_POLL_MS * 1000000L };
	char path[512], last[64] = "";
	const char *status;
	json_t *job = NULL;
	bool shown = false;
	int rc;

	*final = NULL;
	if (bomctl_id_path(ctl, "/jobs/", job_id, path, sizeof(path)) == -1) {
		bomctl_err("job id is too long");
		return BOMCTL_EXIT_USAGE;
	}
	for (;;) {
		json_decref(job);
		if ((rc = bomctl_get(ctl, path, &job)) != BOMCTL_EXIT_OK) {
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
		if (bomctl_job_final(status))
			break;
		if (now_ms() - start > BOMCTL_POLL_MAX_SEC * 1000) {
			if (shown && tty)
				fputc('\n', fp);
			bomctl_err("gave up waiting after %d s; the job goes "
			    "on: bomctl jobs show %s", BOMCTL_POLL_MAX_SEC,
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

/*
 * Waits for a queued job: follows the project's event stream for the
 * progress, then reads the job's final state; polls the job instead when
 * the stream is not available. The exit code; *final as
 * bomctl_poll_job().
 */
static int
bomctl_wait_job(struct bomctl *ctl, const char *project_id,
    const char *job_id, json_t **final)
{
	FILE *fp = ctl->json ? stderr : stdout;
	bool tty = isatty(fileno(fp));
	int64_t start = now_ms();
	char why[512];

	if (ctl->json && !tty)
		fp = NULL;	/* keep stdout pure JSON, stderr quiet */
	if (project_id != NULL && bomctl_follow_events(ctl, project_id,
	    job_id, fp, tty, why, sizeof(why)) == 0)
		return bomctl_poll_job(ctl, job_id, NULL, false, start,
		    final);
	if (project_id != NULL && fp != NULL) {
		fflush(stdout);
		fprintf(stderr, "bomctl: no progress stream (%s); polling "
		    "the job\n", why);
	}
	return bomctl_poll_job(ctl, job_id, fp, tty, start, final);
}

static int
bomctl_submit(struct bomctl *ctl, int argc, char **argv)
{
	const char *bom = NULL, *intake = NULL, *job_id, *status;
	const char *project_id;
	bool wait = false, async = false;
	curl_mime *mime = NULL;
	curl_mimepart *part;
	json_t *resp = NULL, *job = NULL;
	FILE *f;
	long code;
	int i, rc = BOMCTL_EXIT_USAGE;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--wait") == 0)
			wait = true;
		else if (strcmp(argv[i], "--async") == 0)
			async = true;
		else if (strcmp(argv[i], "--intake") == 0) {
			if (++i == argc)
				return bomctl_usage_error("--intake needs a "
				    "file");
			intake = argv[i];
		} else if (strncmp(argv[i], "--intake=", 9) == 0)
			intake = argv[i] + 9;
		else if (argv[i][0] == '-' && argv[i][1] != '\0')
			return bomctl_usage_error("submit: unknown option %s",
			    argv[i]);
		else if (bom == NULL)
			bom = argv[i];
		else
			return bomctl_usage_error("submit: one BOM file at a "
			    "time (got %s and %s)", bom, argv[i]);
	}
	if (bom == NULL)
		return bomctl_usage_error("submit: which BOM file?");
	if (!async)
		wait = true;
	/* a clear local error beats a curl read error */
	if ((f = fopen(bom, "rb")) == NULL) {
		bomctl_err("cannot read %s: %s", bom, strerror(errno));
		return BOMCTL_EXIT_ERR;
	}
	fclose(f);
	if (intake != NULL) {
		if ((f = fopen(intake, "rb")) == NULL) {
			bomctl_err("cannot read %s: %s", intake,
			    strerror(errno));
			return BOMCTL_EXIT_ERR;
		}
		fclose(f);
	}

	rc = BOMCTL_EXIT_ERR;
	mime = curl_mime_init(ctl->curl);
	part = curl_mime_addpart(mime);
	curl_mime_name(part, "bom_file");
	if (curl_mime_filedata(part, bom) != CURLE_OK) {
		bomctl_err("cannot read %s", bom);
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
	if ((rc = bomctl_request(ctl, "/projects/upload-and-process", mime,
	    async, async ? BOMCTL_TIMEOUT_SEC : BOMCTL_WAIT_SEC, &code,
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
	if (!wait || bomctl_job_final(status)) {
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
	if ((rc = bomctl_wait_job(ctl, bomctl_str(resp, "project_id", NULL),
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

/* ---- options and lists ---------------------------------------------- */

struct bomctl_opt {
	const char	 *name;		/* "--reason" */
	const char	**value;	/* set when given */
};

/*
 * Splits argv into positionals (minpos to maxpos of them, into pos[]) and
 * the options of opts, each taking a value as "--x V" or "--x=V"; "--"
 * ends the options. BOMCTL_EXIT_OK, or the usage error's exit code.
 */
static int
bomctl_args(const char *cmd, int argc, char **argv,
    const struct bomctl_opt *opts, const char **pos, int minpos, int maxpos,
    const char *posnames)
{
	const struct bomctl_opt *o;
	bool dashdash = false;
	size_t n;
	int i, npos = 0;

	for (i = 0; i < argc; i++) {
		if (!dashdash && strcmp(argv[i], "--") == 0) {
			dashdash = true;
			continue;
		}
		if (dashdash || strncmp(argv[i], "--", 2) != 0) {
			if (npos == maxpos)
				return bomctl_usage_error("%s: unexpected "
				    "argument %s", cmd, argv[i]);
			pos[npos++] = argv[i];
			continue;
		}
		for (o = opts; o != NULL && o->name != NULL; o++) {
			n = strlen(o->name);
			if (strcmp(argv[i], o->name) == 0) {
				if (++i == argc)
					return bomctl_usage_error("%s: %s "
					    "needs a value", cmd, o->name);
				*o->value = argv[i];
				break;
			}
			if (strncmp(argv[i], o->name, n) == 0 &&
			    argv[i][n] == '=') {
				*o->value = argv[i] + n + 1;
				break;
			}
		}
		if (o == NULL || o->name == NULL)
			return bomctl_usage_error("%s: unknown option %s", cmd,
			    argv[i]);
	}
	if (npos < minpos)
		return bomctl_usage_error("%s: needs %s", cmd, posnames);
	for (i = 0; i < npos; i++)
		if (pos[i][0] == '\0')
			return bomctl_usage_error("%s: empty %s", cmd,
			    posnames);
	return BOMCTL_EXIT_OK;
}

/* "?limit=N" from a --limit value (NULL: none) into out. */
static int
bomctl_limit_query(const char *v, char *out, size_t len)
{
	const char *why;
	int64_t limit;

	out[0] = '\0';
	if (v == NULL)
		return BOMCTL_EXIT_OK;
	if (parse_i64(v, 1, BOMCTL_MAX_LIMIT, &limit, &why) == -1)
		return bomctl_usage_error("--limit %s: %s", v, why);
	snprintf(out, len, "?limit=%lld", (long long)limit);
	return BOMCTL_EXIT_OK;
}

/*
 * The common front of the list commands: parses [--limit N], GETs base
 * (plus the limit), prints the answer as-is with --json, checks it is an
 * array and says empty_msg when it has no rows. Returns BOMCTL_EXIT_OK
 * with *arrp set when there are rows to print (caller json_decref()s);
 * otherwise the exit code, with *arrp NULL and nothing left to do.
 */
static int
bomctl_list_fetch(struct bomctl *ctl, const char *cmd, int argc,
    char **argv, const char *base, const char *noun, const char *empty_msg,
    json_t **arrp)
{
	const char *limit = NULL;
	const struct bomctl_opt opts[] = { { "--limit", &limit },
	    { NULL, NULL } };
	char path[128], q[32];
	json_t *arr = NULL;
	int rc;

	*arrp = NULL;
	if ((rc = bomctl_args(cmd, argc, argv, opts, NULL, 0, 0, "")) !=
	    BOMCTL_EXIT_OK ||
	    (rc = bomctl_limit_query(limit, q, sizeof(q))) != BOMCTL_EXIT_OK)
		return rc;
	/* a base with a query string takes the limit as "&limit=" */
	if (q[0] != '\0' && strchr(base, '?') != NULL)
		q[0] = '&';
	snprintf(path, sizeof(path), "%s%s", base, q);
	if ((rc = bomctl_get(ctl, path, &arr)) != BOMCTL_EXIT_OK)
		return rc;
	if (ctl->json)
		rc = bomctl_print_json(arr);
	else if (!json_is_array(arr)) {
		bomctl_err("the server's %s list is not an array", noun);
		rc = BOMCTL_EXIT_ERR;
	} else if (json_array_size(arr) == 0)
		printf("%s\n", empty_msg);
	else {
		*arrp = arr;
		return BOMCTL_EXIT_OK;
	}
	json_decref(arr);
	return rc;
}

static int
bomctl_projects(struct bomctl *ctl, int argc, char **argv)
{
	char created[40], lines[24];
	json_t *arr = NULL, *p;
	size_t i, wname = 4, wstatus = 6;
	int rc;

	if ((rc = bomctl_list_fetch(ctl, "projects", argc, argv, "/projects",
	    "project", "no projects", &arr)) != BOMCTL_EXIT_OK || arr == NULL)
		return rc;
	json_array_foreach(arr, i, p) {
		size_t n = bomctl_utf8_len(bomctl_str(p, "status", ""));

		if (n > wstatus)
			wstatus = n;
		n = bomctl_utf8_len(bomctl_str(p, "project_name", ""));
		if (n > wname)
			wname = n;
	}
	if (wstatus > 10)
		wstatus = 10;
	/* id 36, status, lines 5, created 20, name takes the rest */
	if (wname > BOMCTL_COLUMNS - 36 - wstatus - 5 - 20 - 4)
		wname = BOMCTL_COLUMNS - 36 - wstatus - 5 - 20 - 4;
	bomctl_cell("PROJECT", 36, false);
	bomctl_cell("STATUS", wstatus, false);
	printf("%5s ", "LINES");
	bomctl_cell("CREATED", 20, false);
	bomctl_cell("NAME", wname, true);
	printf("\n");
	json_array_foreach(arr, i, p) {
		bomctl_ts(bomctl_str(p, "created_at", "-"), created,
		    sizeof(created));
		snprintf(lines, sizeof(lines), "%lld", (long long)
		    json_integer_value(json_object_get(p,
		    "line_item_count")));
		bomctl_cell(bomctl_str(p, "project_id", "?"), 36, false);
		bomctl_cell(bomctl_str(p, "status", "?"), wstatus, false);
		printf("%5s ", lines);
		bomctl_cell(created, 20, false);
		bomctl_cell(bomctl_str(p, "project_name", ""), wname, true);
		printf("\n");
	}
	json_decref(arr);
	return rc;
}

/* Fetches GET /projects/{id} into *out; the exit code. */
static int
bomctl_get_project(struct bomctl *ctl, int argc, char **argv,
    const char *cmd, json_t **out)
{
	char path[512];

	*out = NULL;
	if (argc != 1)
		return bomctl_usage_error("%s: needs exactly one PROJECT_ID",
		    cmd);
	if (argv[0][0] == '\0' || bomctl_id_path(ctl, "/projects/", argv[0],
	    path, sizeof(path)) == -1)
		return bomctl_usage_error("%s: bad project id", cmd);
	return bomctl_get(ctl, path, out);
}

enum {
	COL_LINE, COL_MPN, COL_DECISION, COL_SUPPLIER, COL_QTY, COL_UNIT,
	COL_EXT, COL_REASON, COL_N
};

/* The show columns of one line item; caller frees each cell. */
static void
bomctl_line_cells(const json_t *it, char **cells)
{
	const json_t *fd = json_object_get(it, "final_decision");
	const json_t *q = json_object_get(it, "order_quantity");
	const char *sel = bomctl_str(it, "selected_mpn", NULL);
	const char *mpn = bomctl_str(it, "mpn", "");
	char tmp[64];
	struct buf b;

	snprintf(tmp, sizeof(tmp), "%lld", (long long)json_integer_value(
	    json_object_get(it, "line_number")));
	cells[COL_LINE] = xstrdup(tmp);
	/* an alternate part shows as "BOM-MPN>BOUGHT-MPN" */
	buf_init(&b);
	if (sel != NULL && strcmp(sel, mpn) != 0)
		buf_printf(&b, "%s>%s", mpn, sel);
	else
		buf_puts(&b, mpn);
	cells[COL_MPN] = buf_steal(&b);
	cells[COL_DECISION] = xstrdup(bomctl_str(fd, "status",
	    bomctl_str(it, "status", "-")));
	cells[COL_SUPPLIER] = xstrdup(bomctl_str(it, "selected_supplier",
	    "-"));
	if (json_is_integer(q))
		snprintf(tmp, sizeof(tmp), "%lld",
		    (long long)json_integer_value(q));
	else
		snprintf(tmp, sizeof(tmp), "-");
	cells[COL_QTY] = xstrdup(tmp);
	bomctl_money(json_object_get(it, "unit_price"), tmp, sizeof(tmp));
	cells[COL_UNIT] = xstrdup(tmp);
	bomctl_money(json_object_get(it, "extended_price"), tmp, sizeof(tmp));
	cells[COL_EXT] = xstrdup(tmp);
	cells[COL_REASON] = bomctl_first_sentence(bomctl_str(fd, "reasoning",
	    ""));
}

static int
bomctl_show(struct bomctl *ctl, int argc, char **argv)
{
	static const char *heads[COL_N] = { "LINE", "MPN", "DECISION",
	    "SUPPLIER", "QTY", "UNIT", "EXTENDED", "REASON" };
	static const size_t caps[COL_N] = { 5, 24, 9, 14, 9, 12, 14, 0 };
	char *cells[COL_N];
	size_t w[COL_N], used, i, c, n, nitems;
	json_t *proj = NULL, *items, *totals, *warn;
	char money[40], created[40];
	const char *cur;
	int rc;

	if ((rc = bomctl_get_project(ctl, argc, argv, "show", &proj)) !=
	    BOMCTL_EXIT_OK)
		return rc;
	if (ctl->json) {
		rc = bomctl_print_json(proj);
		goto out;
	}
	items = json_object_get(proj, "line_items");
	nitems = json_array_size(items);
	bomctl_ts(bomctl_str(proj, "created_at", "-"), created,
	    sizeof(created));
	printf("project %s: %s\n", bomctl_str(proj, "project_id", "?"),
	    bomctl_str(proj, "project_name", ""));
	printf("status %s, %zu line items, created %s\n\n",
	    bomctl_str(proj, "status", "?"), nitems, created);

	/* two passes: measure the columns, then print them */
	for (c = 0; c < COL_N; c++)
		w[c] = strlen(heads[c]);
	for (i = 0; i <= nitems * 2; i++) {
		bool print = i >= nitems;
		size_t row = print ? i - nitems : i;

		if (print && row == 0) {
			used = 0;
			for (c = 0; c < COL_REASON; c++) {
				if (caps[c] > 0 && w[c] > caps[c])
					w[c] = caps[c];
				used += w[c] + 1;
			}
			w[COL_REASON] = used + 10 < BOMCTL_COLUMNS ?
			    BOMCTL_COLUMNS - used : 10;
			for (c = 0; c < COL_N; c++)
				bomctl_cell(heads[c], w[c], c == COL_REASON);
			printf("\n");
		}
		if (row == nitems)
			break;
		bomctl_line_cells(json_array_get(items, row), cells);
		for (c = 0; c < COL_N; c++) {
			if (!print) {
				n = bomctl_utf8_len(cells[c]);
				if (n > w[c])
					w[c] = n;
			} else if (c == COL_LINE || c == COL_QTY ||
			    c == COL_UNIT || c == COL_EXT) {
				/* numbers align right */
				n = bomctl_utf8_len(cells[c]);
				if (n > w[c])
					bomctl_cell(cells[c], w[c], false);
				else
					printf("%*s%s ", (int)(w[c] - n), "",
					    cells[c]);
			} else
				bomctl_cell(cells[c], w[c], c == COL_REASON);
			free(cells[c]);
		}
		if (print)
			printf("\n");
	}

	totals = json_object_get(proj, "totals");
	cur = bomctl_str(totals, "currency", "USD");
	if (json_is_integer(json_object_get(totals, "extended_price_micros")))
		money_format(json_integer_value(json_object_get(totals,
		    "extended_price_micros")), money, sizeof(money));
	else
		bomctl_money(json_object_get(totals, "extended_price"), money,
		    sizeof(money));
	if (json_is_object(totals))
		printf("\ntotals: %lld approved, %lld rejected, %lld "
		    "escalated; approved lines cost %s %s\n",
		    (long long)json_integer_value(json_object_get(totals,
		    "approved")), (long long)json_integer_value(
		    json_object_get(totals, "rejected")), (long long)
		    json_integer_value(json_object_get(totals, "escalated")),
		    money, cur);
	else
		printf("\ntotals: not computed yet\n");
	json_array_foreach(json_object_get(proj, "warnings"), i, warn) {
		if (json_is_string(warn))
			printf("warning: %s\n", json_string_value(warn));
	}
out:
	json_decref(proj);
	return rc;
}

static int
bomctl_trace(struct bomctl *ctl, int argc, char **argv)
{
	json_t *proj = NULL, *trace, *st;
	size_t i, n, wstep = 4, wagent = 5;
	int rc;

	if ((rc = bomctl_get_project(ctl, argc, argv, "trace", &proj)) !=
	    BOMCTL_EXIT_OK)
		return rc;
	trace = json_object_get(proj, "trace");
	if (ctl->json) {
		rc = bomctl_print_json(trace ? trace : json_array());
		goto out;
	}
	if (json_array_size(trace) == 0) {
		printf("no trace steps yet\n");
		goto out;
	}
	json_array_foreach(trace, i, st) {
		if ((n = bomctl_utf8_len(bomctl_str(st, "step", ""))) > wstep)
			wstep = n;
		if ((n = bomctl_utf8_len(bomctl_str(st, "agent", ""))) >
		    wagent)
			wagent = n;
	}
	if (wstep > 16)
		wstep = 16;
	if (wagent > 16)
		wagent = 16;
	json_array_foreach(trace, i, st) {
		bomctl_cell(bomctl_str(st, "timestamp", "-"), 27, false);
		bomctl_cell(bomctl_str(st, "step", "-"), wstep, false);
		bomctl_cell(bomctl_str(st, "agent", "-"), wagent, false);
		bomctl_cell(bomctl_str(st, "message", ""), SIZE_MAX / 2, true);
		printf("\n");
	}
out:
	json_decref(proj);
	return rc;
}

/* jobs dead [--limit N]: GET /jobs?status=dead as a table. */
static int
bomctl_jobs_dead(struct bomctl *ctl, int argc, char **argv)
{
	char updated[40], attempts[24];
	json_t *arr = NULL, *j, *err;
	size_t i;
	int rc;

	if ((rc = bomctl_list_fetch(ctl, "jobs dead", argc, argv,
	    "/jobs?status=dead", "job", "no dead jobs", &arr)) !=
	    BOMCTL_EXIT_OK || arr == NULL)
		return rc;
	bomctl_cell("JOB", 36, false);
	printf("%8s ", "ATTEMPTS");
	bomctl_cell("UPDATED", 20, false);
	bomctl_cell("ERROR", BOMCTL_COLUMNS - 36 - 9 - 21, true);
	printf("\n");
	json_array_foreach(arr, i, j) {
		err = json_object_get(j, "error");
		bomctl_ts(bomctl_str(j, "updated_at", "-"), updated,
		    sizeof(updated));
		snprintf(attempts, sizeof(attempts), "%lld", (long long)
		    json_integer_value(json_object_get(j, "attempts")));
		bomctl_cell(bomctl_str(j, "job_id", "?"), 36, false);
		printf("%8s ", attempts);
		bomctl_cell(updated, 20, false);
		bomctl_cell(json_is_string(err) ? json_string_value(err) : "-",
		    BOMCTL_COLUMNS - 36 - 9 - 21, true);
		printf("\n");
	}
	json_decref(arr);
	return rc;
}

/* jobs retry JOB_ID: POST /jobs/{id}/retry. */
static int
bomctl_jobs_retry(struct bomctl *ctl, int argc, char **argv)
{
	json_t *resp = NULL;
	char id[512], path[520];
	long code;
	int rc;

	if (argc != 1)
		return bomctl_usage_error("jobs retry: needs exactly one "
		    "JOB_ID");
	if (argv[0][0] == '\0' || bomctl_id_path(ctl, "/jobs/", argv[0],
	    id, sizeof(id)) == -1)
		return bomctl_usage_error("jobs retry: bad job id");
	snprintf(path, sizeof(path), "%s/retry", id);
	ctl->post = true;
	rc = bomctl_request(ctl, path, NULL, false, BOMCTL_TIMEOUT_SEC, &code,
	    &resp);
	ctl->post = false;
	if (rc != BOMCTL_EXIT_OK)
		return rc;
	if (ctl->json)
		rc = bomctl_print_json(resp);
	else
		printf("job %s queued again\n", bomctl_str(resp, "job_id",
		    argv[0]));
	json_decref(resp);
	return rc;
}

static int
bomctl_jobs(struct bomctl *ctl, int argc, char **argv)
{
	json_t *job = NULL, *err;
	char path[512];
	int rc;

	if (argc >= 1 && strcmp(argv[0], "dead") == 0)
		return bomctl_jobs_dead(ctl, argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "retry") == 0)
		return bomctl_jobs_retry(ctl, argc - 1, argv + 1);
	if (argc < 1 || strcmp(argv[0], "show") != 0)
		return bomctl_usage_error("jobs: the subcommands are "
		    "\"show JOB_ID\", \"dead\" and \"retry JOB_ID\"");
	if (argc != 2)
		return bomctl_usage_error("jobs show: needs exactly one "
		    "JOB_ID");
	if (argv[1][0] == '\0' || bomctl_id_path(ctl, "/jobs/", argv[1],
	    path, sizeof(path)) == -1)
		return bomctl_usage_error("jobs show: bad job id");
	if ((rc = bomctl_get(ctl, path, &job)) != BOMCTL_EXIT_OK)
		return rc;
	if (ctl->json) {
		rc = bomctl_print_json(job);
		goto out;
	}
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
out:
	json_decref(job);
	return rc;
}

/* ---- knowledge: parts and suppliers -------------------------------- */

/*
 * A JSON object from NULL-terminated key, value pairs; a NULL value is
 * left out. BOMCTL_EXIT_OK, or a usage error when a value is not UTF-8.
 */
static int
bomctl_body(const char *cmd, json_t **out, ...)
{
	const char *k, *v;
	json_t *body = json_object(), *s;
	va_list ap;

	*out = NULL;
	va_start(ap, out);
	while ((k = va_arg(ap, const char *)) != NULL) {
		if ((v = va_arg(ap, const char *)) == NULL)
			continue;
		if ((s = json_string(v)) == NULL) {
			va_end(ap);
			json_decref(body);
			return bomctl_usage_error("%s: the %s is not valid "
			    "UTF-8", cmd, k);
		}
		json_object_set_new(body, k, s);
	}
	va_end(ap);
	*out = body;
	return BOMCTL_EXIT_OK;
}

/*
 * base + the escaped id + suffix into out; what names the id in the usage
 * error when it does not fit.
 */
static int
bomctl_kn_path(struct bomctl *ctl, const char *cmd, const char *base,
    const char *what, const char *id, const char *suffix, char *out,
    size_t len)
{
	char path[BOMCTL_MAX_URL];

	if (bomctl_id_path(ctl, base, id, path, sizeof(path)) == -1 ||
	    (size_t)snprintf(out, len, "%s%s", path, suffix) >= len)
		return bomctl_usage_error("%s: %s is too long", cmd, what);
	return BOMCTL_EXIT_OK;
}

/* "/knowledge/parts/" + the escaped MPN + suffix into out. */
static int
bomctl_part_path(struct bomctl *ctl, const char *cmd, const char *mpn,
    const char *suffix, char *out, size_t len)
{
	return bomctl_kn_path(ctl, cmd, "/knowledge/parts/", "MPN", mpn,
	    suffix, out, len);
}

/* A JSON value as text for key/value output ("-" when null or absent). */
static void
bomctl_value(const json_t *v, char *out, size_t len)
{
	if (json_is_string(v))
		bomctl_oneline(json_string_value(v), SIZE_MAX, out, len);
	else if (json_is_integer(v))
		snprintf(out, len, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(out, len, "%.2f", json_real_value(v));
	else if (json_is_true(v))
		snprintf(out, len, "yes");
	else if (json_is_false(v))
		snprintf(out, len, "no");
	else
		snprintf(out, len, "-");
	if (out[0] == '\0')
		snprintf(out, len, "-");
}

static void
bomctl_kv(const char *key, const json_t *obj, const char *member)
{
	char v[1024];

	bomctl_value(json_object_get(obj, member), v, sizeof(v));
	printf("%-14s%s\n", key, v);
}

/* The widest value of member in arr, between lo and hi characters. */
static size_t
bomctl_width(const json_t *arr, const char *member, size_t lo, size_t hi)
{
	const json_t *o;
	size_t i, n, w = lo;

	json_array_foreach(arr, i, o) {
		n = bomctl_utf8_len(bomctl_str(o, member, ""));
		if (n > w)
			w = n;
	}
	return w > hi ? hi : w;
}

static void
bomctl_part_print(const json_t *p)
{
	const json_t *alts = json_object_get(p, "approved_alternates"), *a;
	char v[256];
	size_t i;

	bomctl_kv("part", p, "mpn");
	if (json_is_true(json_object_get(p, "banned"))) {
		bomctl_value(json_object_get(p, "ban_reason"), v, sizeof(v));
		printf("%-14syes: %s\n", "banned", v);
	} else
		printf("%-14sno\n", "banned");
	bomctl_kv("preferred", p, "preferred");
	printf("%-14s%lld (in %zu projects)\n", "times used",
	    (long long)json_integer_value(json_object_get(p, "times_used")),
	    json_array_size(json_object_get(p, "projects_used_in")));
	bomctl_kv("failures", p, "failure_count");
	bomctl_kv("last used", p, "last_used_date");
	bomctl_kv("notes", p, "notes");
	if (json_array_size(alts) == 0)
		printf("%-14s-\n", "alternates");
	json_array_foreach(alts, i, a) {
		bomctl_value(json_object_get(a, "reason"), v, sizeof(v));
		printf("%-14s%s%s%s%s\n", i == 0 ? "alternates" : "",
		    bomctl_str(a, "alternate_mpn", "?"),
		    strcmp(v, "-") != 0 ? " (" : "",
		    strcmp(v, "-") != 0 ? v : "",
		    strcmp(v, "-") != 0 ? ")" : "");
	}
	bomctl_kv("created", p, "created_at");
	bomctl_kv("updated", p, "updated_at");
}

static int
bomctl_parts_list(struct bomctl *ctl, int argc, char **argv)
{
	char n[24];
	json_t *arr = NULL, *p;
	size_t i, wmpn, wnote;
	bool banned;
	int rc;

	if ((rc = bomctl_list_fetch(ctl, "parts", argc, argv,
	    "/knowledge/parts", "part", "no parts known yet", &arr)) !=
	    BOMCTL_EXIT_OK || arr == NULL)
		return rc;
	/* MPN, BANNED 6, ALTS 4, USED 5, the ban reason or notes */
	wmpn = bomctl_width(arr, "mpn", 3, 32);
	wnote = BOMCTL_COLUMNS - wmpn - 1 - 7 - 5 - 6;
	bomctl_cell("MPN", wmpn, false);
	printf("%-6s %4s %5s ", "BANNED", "ALTS", "USED");
	bomctl_cell("REASON/NOTES", wnote, true);
	printf("\n");
	json_array_foreach(arr, i, p) {
		banned = json_is_true(json_object_get(p, "banned"));
		bomctl_cell(bomctl_str(p, "mpn", "?"), wmpn, false);
		snprintf(n, sizeof(n), "%lld", (long long)json_integer_value(
		    json_object_get(p, "times_used")));
		printf("%-6s %4zu %5s ", banned ? "yes" : "no",
		    json_array_size(json_object_get(p,
		    "approved_alternates")), n);
		bomctl_cell(banned ? bomctl_str(p, "ban_reason", "") :
		    bomctl_str(p, "notes", ""), wnote, true);
		printf("\n");
	}
	json_decref(arr);
	return rc;
}

/* parts show MPN */
static int
bomctl_parts_show(struct bomctl *ctl, int argc, char **argv)
{
	const char *pos[1];
	char path[BOMCTL_MAX_URL];
	json_t *p = NULL;
	int rc;

	if ((rc = bomctl_args("parts show", argc, argv, NULL, pos, 1, 1,
	    "an MPN")) != BOMCTL_EXIT_OK ||
	    (rc = bomctl_part_path(ctl, "parts show", pos[0], "", path,
	    sizeof(path))) != BOMCTL_EXIT_OK ||
	    (rc = bomctl_get(ctl, path, &p)) != BOMCTL_EXIT_OK)
		return rc;
	if (ctl->json)
		rc = bomctl_print_json(p);
	else
		bomctl_part_print(p);
	json_decref(p);
	return rc;
}

/* parts ban MPN --reason R [--user U] / parts unban MPN [--user U] */
static int
bomctl_parts_ban(struct bomctl *ctl, int argc, char **argv, bool ban)
{
	const char *cmd = ban ? "parts ban" : "parts unban";
	const char *pos[1], *reason = NULL, *user = NULL;
	const struct bomctl_opt opts[] = { { "--reason", &reason },
	    { "--user", &user }, { NULL, NULL } };
	const struct bomctl_opt unban_opts[] = { { "--user", &user },
	    { NULL, NULL } };
	char path[BOMCTL_MAX_URL];
	json_t *body = NULL, *p = NULL;
	int rc;

	if ((rc = bomctl_args(cmd, argc, argv, ban ? opts : unban_opts, pos,
	    1, 1, "an MPN")) != BOMCTL_EXIT_OK)
		return rc;
	if (ban && (reason == NULL || reason[0] == '\0'))
		return bomctl_usage_error("parts ban: --reason is required "
		    "(say why the part must not be bought)");
	if ((rc = bomctl_part_path(ctl, cmd, pos[0], ban ? "/ban" : "/unban",
	    path, sizeof(path))) != BOMCTL_EXIT_OK)
		return rc;
	if ((rc = bomctl_body(cmd, &body, "reason", reason, "user", user,
	    (const char *)NULL)) != BOMCTL_EXIT_OK)
		return rc;
	rc = bomctl_post(ctl, path, body, &p);
	json_decref(body);
	if (rc != BOMCTL_EXIT_OK)
		return rc;
	if (ctl->json)
		rc = bomctl_print_json(p);
	else if (ban)
		printf("part %s banned: %s\n", bomctl_str(p, "mpn", pos[0]),
		    bomctl_str(p, "ban_reason", reason));
	else
		printf("part %s unbanned\n", bomctl_str(p, "mpn", pos[0]));
	json_decref(p);
	return rc;
}

/* parts alternates MPN */
static int
bomctl_parts_alternates(struct bomctl *ctl, int argc, char **argv)
{
	const char *pos[1];
	char path[BOMCTL_MAX_URL], added[40];
	json_t *arr = NULL, *a;
	size_t i, walt, wuser;
	int rc;

	if ((rc = bomctl_args("parts alternates", argc, argv, NULL, pos, 1, 1,
	    "an MPN")) != BOMCTL_EXIT_OK ||
	    (rc = bomctl_part_path(ctl, "parts alternates", pos[0],
	    "/alternates", path, sizeof(path))) != BOMCTL_EXIT_OK ||
	    (rc = bomctl_get(ctl, path, &arr)) != BOMCTL_EXIT_OK)
		return rc;
	if (ctl->json) {
		rc = bomctl_print_json(arr);
		goto out;
	}
	if (json_array_size(arr) == 0) {
		printf("%s has no approved alternates\n", pos[0]);
		goto out;
	}
	walt = bomctl_width(arr, "alternate_mpn", 9, 32);
	wuser = bomctl_width(arr, "user", 4, 20);
	bomctl_cell("ALTERNATE", walt, false);
	bomctl_cell("ADDED", 20, false);
	bomctl_cell("USER", wuser, false);
	bomctl_cell("REASON", BOMCTL_COLUMNS - walt - wuser - 23, true);
	printf("\n");
	json_array_foreach(arr, i, a) {
		bomctl_ts(bomctl_str(a, "added_at", "-"), added,
		    sizeof(added));
		bomctl_cell(bomctl_str(a, "alternate_mpn", "?"), walt, false);
		bomctl_cell(added, 20, false);
		bomctl_cell(bomctl_str(a, "user", "-"), wuser, false);
		bomctl_cell(bomctl_str(a, "reason", "-"),
		    BOMCTL_COLUMNS - walt - wuser - 23, true);
		printf("\n");
	}
out:
	json_decref(arr);
	return rc;
}

/* parts add-alternate MPN ALT [--reason R] [--user U] */
static int
bomctl_parts_add_alternate(struct bomctl *ctl, int argc, char **argv)
{
	const char *pos[2], *reason = NULL, *user = NULL;
	const struct bomctl_opt opts[] = { { "--reason", &reason },
	    { "--user", &user }, { NULL, NULL } };
	char path[BOMCTL_MAX_URL];
	json_t *body, *p = NULL;
	int rc;

	if ((rc = bomctl_args("parts add-alternate", argc, argv, opts, pos, 2,
	    2, "an MPN and its alternate MPN")) != BOMCTL_EXIT_OK ||
	    (rc = bomctl_part_path(ctl, "parts add-alternate", pos[0],
	    "/alternates", path, sizeof(path))) != BOMCTL_EXIT_OK)
		return rc;
	if ((rc = bomctl_body("parts add-alternate", &body, "alternate_mpn",
	    pos[1], "reason", reason, "user", user, (const char *)NULL)) !=
	    BOMCTL_EXIT_OK)
		return rc;
	rc = bomctl_post(ctl, path, body, &p);
	json_decref(body);
	if (rc != BOMCTL_EXIT_OK)
		return rc;
	if (ctl->json)
		rc = bomctl_print_json(p);
	else
		printf("%s approved as an alternate to %s (alternates now: "
		    "%zu)\n", pos[1], bomctl_str(p, "mpn", pos[0]),
		    json_array_size(json_object_get(p,
		    "approved_alternates")));
	json_decref(p);
	return rc;
}

static int
bomctl_parts(struct bomctl *ctl, int argc, char **argv)
{
	if (argc == 0 || strncmp(argv[0], "--", 2) == 0)
		return bomctl_parts_list(ctl, argc, argv);
	if (strcmp(argv[0], "list") == 0)
		return bomctl_parts_list(ctl, argc - 1, argv + 1);
	if (strcmp(argv[0], "show") == 0)
		return bomctl_parts_show(ctl, argc - 1, argv + 1);
	if (strcmp(argv[0], "ban") == 0)
		return bomctl_parts_ban(ctl, argc - 1, argv + 1, true);
	if (strcmp(argv[0], "unban") == 0)
		return bomctl_parts_ban(ctl, argc - 1, argv + 1, false);
	if (strcmp(argv[0], "alternates") == 0)
		return bomctl_parts_alternates(ctl, argc - 1, argv + 1);
	if (strcmp(argv[0], "add-alternate") == 0)
		return bomctl_parts_add_alternate(ctl, argc - 1, argv + 1);
	return bomctl_usage_error("parts: unknown subcommand \"%s\"; the "
	    "subcommands are list, show, ban, unban, alternates and "
	    "add-alternate", argv[0]);
}

static void
bomctl_supplier_print(const json_t *s)
{
	char spend[64];

	bomctl_kv("supplier", s, "supplier_id");
	bomctl_kv("name", s, "name");
	bomctl_kv("type", s, "supplier_type");
	bomctl_kv("trust", s, "trust_level");
	bomctl_kv("on time", s, "on_time_rate");
	bomctl_kv("quality", s, "quality_rate");
	bomctl_kv("lead time acc", s, "lead_time_accuracy");
	bomctl_kv("account rep", s, "account_rep");
	bomctl_kv("payment terms", s, "payment_terms");
	bomctl_kv("notes", s, "notes");
	bomctl_kv("last order", s, "last_order_date");
	bomctl_money(json_object_get(s, "total_spend_ytd"), spend,
	    sizeof(spend));
	printf("%-14s%s in %lld orders\n", "spend ytd", spend,
	    (long long)json_integer_value(json_object_get(s,
	    "order_count_ytd")));
	bomctl_kv("created", s, "created_at");
	bomctl_kv("updated", s, "updated_at");
}

static int
bomctl_suppliers_list(struct bomctl *ctl, int argc, char **argv)
{
	char ot[16], qr[16];
	json_t *arr = NULL, *s;
	size_t i, wid;
	int rc;

	if ((rc = bomctl_list_fetch(ctl, "suppliers", argc, argv,
	    "/knowledge/suppliers", "supplier", "no suppliers known yet",
	    &arr)) != BOMCTL_EXIT_OK || arr == NULL)
		return rc;
	/* SUPPLIER, TYPE 10, TRUST 7, ON-TIME 7, QUALITY 7, NAME */
	wid = bomctl_width(arr, "supplier_id", 8, 32);
	bomctl_cell("SUPPLIER", wid, false);
	printf("%-10s %-7s %7s %7s ", "TYPE", "TRUST", "ON-TIME", "QUALITY");
	bomctl_cell("NAME", BOMCTL_COLUMNS - wid - 1 - 35, true);
	printf("\n");
	json_array_foreach(arr, i, s) {
		bomctl_value(json_object_get(s, "on_time_rate"), ot,
		    sizeof(ot));
		bomctl_value(json_object_get(s, "quality_rate"), qr,
		    sizeof(qr));
		bomctl_cell(bomctl_str(s, "supplier_id", "?"), wid, false);
		bomctl_cell(bomctl_str(s, "supplier_type", "-"), 10, false);
		bomctl_cell(bomctl_str(s, "trust_level", "-"), 7, false);
		printf("%7s %7s ", ot, qr);
		bomctl_cell(bomctl_str(s, "name", ""),
		    BOMCTL_COLUMNS - wid - 1 - 35, true);
		printf("\n");
	}
	json_decref(arr);
	return rc;
}

/* "/knowledge/suppliers/" + the escaped id + suffix into out. */
static int
bomctl_supplier_path(struct bomctl *ctl, const char *cmd, const char *id,
    const char *suffix, char *out, size_t len)
{
	return bomctl_kn_path(ctl, cmd, "/knowledge/suppliers/", "supplier id",
	    id, suffix, out, len);
}

static int
bomctl_suppliers_show(struct bomctl *ctl, int argc, char **argv)
{
	const char *pos[1];
	char path[BOMCTL_MAX_URL];
	json_t *s = NULL;
	int rc;

	if ((rc = bomctl_args("suppliers show", argc, argv, NULL, pos, 1, 1,
	    "a SUPPLIER_ID")) != BOMCTL_EXIT_OK ||
	    (rc = bomctl_supplier_path(ctl, "suppliers show", pos[0], "",
	    path, sizeof(path))) != BOMCTL_EXIT_OK ||
	    (rc = bomctl_get(ctl, path, &s)) != BOMCTL_EXIT_OK)
		return rc;
	if (ctl->json)
		rc = bomctl_print_json(s);
	else
		bomctl_supplier_print(s);
	json_decref(s);
	return rc;
}

/*
 * suppliers add ID --name N [--type T] [--trust L]: the server checks
 * the type and the trust level, so its words reach the user.
 */
static int
bomctl_suppliers_add(struct bomctl *ctl, int argc, char **argv)
{
	const char *pos[1], *name = NULL, *type = NULL, *trust = NULL;
	const char *rep = NULL, *terms = NULL, *notes = NULL;
	const struct bomctl_opt opts[] = { { "--name", &name },
	    { "--type", &type }, { "--trust", &trust },
	    { "--account-rep", &rep }, { "--payment-terms", &terms },
	    { "--notes", &notes }, { NULL, NULL } };
	json_t *body, *s = NULL;
	int rc;

	if ((rc = bomctl_args("suppliers add", argc, argv, opts, pos, 1, 1,
	    "a SUPPLIER_ID")) != BOMCTL_EXIT_OK)
		return rc;
	if (name == NULL || name[0] == '\0')
		return bomctl_usage_error("suppliers add: --name is required");
	if ((rc = bomctl_body("suppliers add", &body, "supplier_id", pos[0],
	    "name", name, "supplier_type", type, "trust_level", trust,
	    "account_rep", rep, "payment_terms", terms, "notes", notes,
	    (const char *)NULL)) != BOMCTL_EXIT_OK)
		return rc;
	rc = bomctl_post(ctl, "/knowledge/suppliers", body, &s);
	json_decref(body);
	if (rc != BOMCTL_EXIT_OK)
		return rc;
	if (ctl->json)
		rc = bomctl_print_json(s);
	else
		printf("supplier %s added: %s, %s, trust %s\n",
		    bomctl_str(s, "supplier_id", pos[0]),
		    bomctl_str(s, "name", name),
		    bomctl_str(s, "supplier_type", "?"),
		    bomctl_str(s, "trust_level", "?"));
	json_decref(s);
	return rc;
}

/* suppliers trust ID LEVEL [--reason R] [--user U] */
static int
bomctl_suppliers_trust(struct bomctl *ctl, int argc, char **argv)
{
	const char *pos[2], *reason = NULL, *user = NULL;
	const struct bomctl_opt opts[] = { { "--reason", &reason },
	    { "--user", &user }, { NULL, NULL } };
	char path[BOMCTL_MAX_URL];
	json_t *body, *s = NULL;
	int rc;

	if ((rc = bomctl_args("suppliers trust", argc, argv, opts, pos, 2, 2,
	    "a SUPPLIER_ID and a trust level (high, medium, low or "
	    "blocked)")) != BOMCTL_EXIT_OK ||
	    (rc = bomctl_supplier_path(ctl, "suppliers trust", pos[0],
	    "/trust", path, sizeof(path))) != BOMCTL_EXIT_OK)
		return rc;
	if ((rc = bomctl_body("suppliers trust", &body, "trust_level", pos[1],
	    "reason", reason, "user", user, (const char *)NULL)) !=
	    BOMCTL_EXIT_OK)
		return rc;
	rc = bomctl_post(ctl, path, body, &s);
	json_decref(body);
	if (rc != BOMCTL_EXIT_OK)
		return rc;
	if (ctl->json)
		rc = bomctl_print_json(s);
	else
		printf("supplier %s trust: %s\n", bomctl_str(s, "supplier_id",
		    pos[0]), bomctl_str(s, "trust_level", pos[1]));
	json_decref(s);
	return rc;
}

static int
bomctl_suppliers(struct bomctl *ctl, int argc, char **argv)
{
	if (argc == 0 || strncmp(argv[0], "--", 2) == 0)
		return bomctl_suppliers_list(ctl, argc, argv);
	if (strcmp(argv[0], "list") == 0)
		return bomctl_suppliers_list(ctl, argc - 1, argv + 1);
	if (strcmp(argv[0], "show") == 0)
		return bomctl_suppliers_show(ctl, argc - 1, argv + 1);
	if (strcmp(argv[0], "add") == 0)
		return bomctl_suppliers_add(ctl, argc - 1, argv + 1);
	if (strcmp(argv[0], "trust") == 0)
		return bomctl_suppliers_trust(ctl, argc - 1, argv + 1);
	return bomctl_usage_error("suppliers: unknown subcommand \"%s\"; the "
	    "subcommands are list, show, add and trust", argv[0]);
}

/* ---- main ---------------------------------------------------------- */

static int
bomctl_setup(struct bomctl *ctl)
{
	const char *url = getenv("BOMCTL_URL");
	size_t n;

	if (url == NULL || *url == '\0')
		url = BOMCTL_DEFAULT_URL;
	if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
		return bomctl_usage_error("BOMCTL_URL must start with "
		    "http:// or https:// (got \"%s\")", url);
	if ((n = strlen(url)) >= sizeof(ctl->url))
		return bomctl_usage_error("BOMCTL_URL is too long");
	memcpy(ctl->url, url, n + 1);
	while (n > 0 && ctl->url[n - 1] == '/')
		ctl->url[--n] = '\0';
	ctl->key = getenv("BOMCTL_API_KEY");
	if (ctl->key == NULL || *ctl->key == '\0')
		return bomctl_usage_error("BOMCTL_API_KEY is not set; ask "
		    "your bomd operator for a key");
	if (strpbrk(ctl->key, "\r\n") != NULL)
		return bomctl_usage_error("BOMCTL_API_KEY contains a line "
		    "break");
	return BOMCTL_EXIT_OK;
}

int
main(int argc, char **argv)
{
	struct bomctl ctl;
	char **args;
	const char *cmd;
	int i, nargs = 0, rc;

	memset(&ctl, 0, sizeof(ctl));
	/* --json, --help and --version may appear anywhere */
	args = xcalloc((size_t)argc + 1, sizeof(*args));
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			ctl.json = true;
		else if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			fputs(bomctl_usage_text, stdout);
			rc = BOMCTL_EXIT_OK;
			goto out;
		} else if (strcmp(argv[i], "--version") == 0 ||
		    strcmp(argv[i], "-V") == 0) {
			printf("bomctl %s (%s)\n", BOMCTL_VERSION,
			    curl_version());
			rc = BOMCTL_EXIT_OK;
			goto out;
		} else
			args[nargs++] = argv[i];
	}
	if (nargs == 0) {
		rc = bomctl_usage_error("no command given");
		goto out;
	}
	cmd = args[0];
	if (strcmp(cmd, "submit") != 0 && strcmp(cmd, "projects") != 0 &&
	    strcmp(cmd, "show") != 0 && strcmp(cmd, "trace") != 0 &&
	    strcmp(cmd, "jobs") != 0 && strcmp(cmd, "parts") != 0 &&
	    strcmp(cmd, "suppliers") != 0) {
		rc = bomctl_usage_error("unknown command \"%s\"", cmd);
		goto out;
	}
	if ((rc = bomctl_setup(&ctl)) != BOMCTL_EXIT_OK)
		goto out;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    (ctl.curl = curl_easy_init()) == NULL) {
		bomctl_err("cannot initialise libcurl");
		rc = BOMCTL_EXIT_ERR;
		goto out;
	}
	if (strcmp(cmd, "submit") == 0)
		rc = bomctl_submit(&ctl, nargs - 1, args + 1);
	else if (strcmp(cmd, "projects") == 0)
		rc = bomctl_projects(&ctl, nargs - 1, args + 1);
	else if (strcmp(cmd, "show") == 0)
		rc = bomctl_show(&ctl, nargs - 1, args + 1);
	else if (strcmp(cmd, "trace") == 0)
		rc = bomctl_trace(&ctl, nargs - 1, args + 1);
	else if (strcmp(cmd, "parts") == 0)
		rc = bomctl_parts(&ctl, nargs - 1, args + 1);
	else if (strcmp(cmd, "suppliers") == 0)
		rc = bomctl_suppliers(&ctl, nargs - 1, args + 1);
	else
		rc = bomctl_jobs(&ctl, nargs - 1, args + 1);
	curl_easy_cleanup(ctl.curl);
	curl_global_cleanup();
out:
	free(args);
	if (fflush(stdout) == EOF && rc == BOMCTL_EXIT_OK) {
		bomctl_err("cannot write output: %s", strerror(errno));
		rc = BOMCTL_EXIT_ERR;
	}
	return rc;
}
