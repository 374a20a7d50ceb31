/*
 * The shared mock server skeleton; see mock_http.h. One thread per
 * connection, so a request told to hang holds up no other.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "mock_http.h"
#include "util.h"

struct mock_http_upload {
	struct buf	body;
	bool		too_big;
};

/* A scripted fault (mock_http_fault_add()). */
struct mock_http_fault {
	char	*tag;		/* NULL: of no tag in particular */
	char	*fault;
	bool	 taken;
};

static atomic_int	 mock_http_stop;
static atomic_uint	 mock_http_bound;
static pthread_mutex_t	 mock_http_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE		*mock_http_logf;
static enum MHD_Result (*mock_http_fn)(struct mock_http_request *);
static pthread_mutex_t	 mock_http_fault_lock = PTHREAD_MUTEX_INITIALIZER;
static struct mock_http_fault *mock_http_faults;
static size_t		 mock_http_nfaults;

unsigned int
mock_http_port(void)
{
	return atomic_load(&mock_http_bound);
}

/* Appends one JSON line per logged request to path. 0 or -1. */
static int
mock_http_log_open(const char *path)
{
	if ((mock_http_logf = fopen(path, "a")) == NULL)
		return -1;
	return 0;
}

/* Parses a whole number from 0 to max into *out: 0, or -1. */
static int
mock_http_number(const char *s, long max, long *out)
{
	int64_t v;

	if (parse_i64(s, 0, max, &v, NULL) == -1)
		return -1;
	*out = (long)v;
	return 0;
}

/*
 * Takes an option every mock server has, from getopt_long(): 'p' (--port
 * N, 0 to 65535, into *port) or 'l' (--log FILE). Returns 0 when taken; 1
 * when the log cannot be opened (a line on stderr naming prog); 2, a
 * usage error, for a bad port or any other ch.
 */
static int
mock_http_option(const char *prog, int ch, const char *arg, long *port)
{
	if (ch == 'p' && mock_http_number(arg, 65535, port) == 0)
		return 0;
	if (ch != 'l')
		return 2;
	if (mock_http_log_open(arg) == -1) {
		fprintf(stderr, "%s: %s: %s\n", prog, arg, strerror(errno));
		return 1;
	}
	return 0;
}

void
mock_http_log(json_t *entry)
{
	char *s = json_dumps(entry, JSON_COMPACT);

	json_decref(entry);
	if (s == NULL)
		return;
	pthread_mutex_lock(&mock_http_lock);
	if (mock_http_logf != NULL) {
		fprintf(mock_http_logf, "%s\n", s);
		fflush(mock_http_logf);
	}
	pthread_mutex_unlock(&mock_http_lock);
	free(s);
}

enum MHD_Result
mock_http_send(struct MHD_Connection *con, unsigned int status,
    const char *body, size_t len, const char *hname, const char *hval)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(len, (void *)body,
	    MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", "application/json");
	if (hname != NULL)
		MHD_add_response_header(r, hname, hval);
	ret = MHD_queue_response(con, status, r);
	MHD_destroy_response(r);
	return ret;
}

enum MHD_Result
mock_http_reply_hdr(struct MHD_Connection *con, unsigned int status,
    json_t *v, const char *hname, const char *hval)
{
	enum MHD_Result ret;
	char *s = json_dumps(v, JSON_COMPACT);

	json_decref(v);
	if (s == NULL)
		return MHD_NO;
	ret = mock_http_send(con, status, s, strlen(s), hname, hval);
	free(s);
	return ret;
}

enum MHD_Result
mock_http_reply(struct MHD_Connection *con, unsigned int status, json_t *v)
{
	return mock_http_reply_hdr(con, status, v, NULL, NULL);
}

const char *
mock_http_arg(const struct mock_http_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->con, MHD_GET_ARGUMENT_KIND,
	    name);
}

void
mock_http_sleep_ms(long ms)
{
	struct timespec ts;

	while (ms > 0 && !atomic_load(&mock_http_stop)) {
		ts.tv_sec = 0;
		ts.tv_nsec = (ms < 20 ? ms : 20) * 1000000L;
		nanosleep(&ts, NULL);
		ms -= 20;
	}
}

static enum MHD_Result
mock_http_handle(void *cls, struct MHD_Connection *con, const char *url,
    const char *method, const char *version, const char *data,
    size_t *data_size, void **con_cls)
{
	struct mock_http_upload *up = *con_cls;
	struct mock_http_request req;

	(void)cls;
	(void)version;
	if (up == NULL) {
		up = xcalloc(1, sizeof(*up));
		buf_init(&up->body);
		buf_append(&up->body, "", 0);
		*con_cls = up;
		return MHD_YES;
	}
	if (*data_size > 0) {
		if (up->body.len + *data_size > MOCK_HTTP_BODY_MAX)
			up->too_big = true;
		else
			buf_append(&up->body, data, *data_size);
		*data_size = 0;
		return MHD_YES;
	}
	if (up->too_big)
		return mock_http_reply(con, 413, json_pack("{s:s}", "error",
		    "request too large"));
	req.con = con;
	req.method = method;
	req.path = url;
	req.body = up->body.data;
	req.len = up->body.len;
	return mock_http_fn(&req);
}

static void
mock_http_completed(void *cls, struct MHD_Connection *con, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct mock_http_upload *up = *con_cls;

	(void)cls;
	(void)con;
	(void)toe;
	if (up == NULL)
		return;
	buf_free(&up->body);
	free(up);
	*con_cls = NULL;
}

/* Serves with fn, as mock_http_main() says. The exit status. */
static int
mock_http_run(const char *prog, long port,
    enum MHD_Result (*fn)(struct mock_http_request *))
{
	const union MHD_DaemonInfo *info;
	struct sockaddr_in sin;
	struct MHD_Daemon *d;
	sigset_t set;
	int sig;

	mock_http_fn = fn;
	/* only this thread takes SIGTERM/SIGINT, through sigwait() */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_USE_THREAD_PER_CONNECTION, (uint16_t)port, NULL, NULL,
	    mock_http_handle, NULL,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sin,
	    MHD_OPTION_NOTIFY_COMPLETED, mock_http_completed, NULL,
	    MHD_OPTION_END);
	if (d == NULL) {
		fprintf(stderr, "%s: cannot listen on port %ld\n", prog, port);
		return 1;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	atomic_store(&mock_http_bound, info != NULL ? (unsigned)info->port :
	    (unsigned)port);
	printf("port=%u\n", mock_http_port());
	fflush(stdout);
	while (sigwait(&set, &sig) == 0)
		if (sig == SIGTERM || sig == SIGINT)
			break;
	atomic_store(&mock_http_stop, 1);
	MHD_stop_daemon(d);
	if (mock_http_logf != NULL)
		fclose(mock_http_logf);
	return 0;
}

int
mock_http_script(const char *text, int (*line)(const char *))
{
	char l[MOCK_HTTP_LINE_MAX];
	const char *p = text;
	size_t n;

	while (*p != '\0') {
		n = strcspn(p, "\n");
		snprintf(l, sizeof(l), "%.*s", (int)n, p);
		p += n + (p[n] == '\n');
		l[strcspn(l, "#\r")] = '\0';
		if (l[strspn(l, " \t")] != '\0' && line(l) == -1)
			return -1;
	}
	return 0;
}

void
mock_http_fault_add(const char *tag, const char *fault)
{
	struct mock_http_fault *f;

	pthread_mutex_lock(&mock_http_fault_lock);
	mock_http_faults = xrealloc(mock_http_faults,
	    (mock_http_nfaults + 1) * sizeof(*mock_http_faults));
	f = &mock_http_faults[mock_http_nfaults++];
	f->tag = tag != NULL ? xstrdup(tag) : NULL;
	f->fault = xstrdup(fault);
	f->taken = false;
	pthread_mutex_unlock(&mock_http_fault_lock);
}

const char *
mock_http_fault(const char *tag, long *slot)
{
	struct mock_http_fault *f;
	const char *fault = "ok";
	size_t i;

	if (slot != NULL)
		*slot = -1;
	pthread_mutex_lock(&mock_http_fault_lock);
	for (i = 0; i < mock_http_nfaults; i++) {
		f = &mock_http_faults[i];
		if (f->taken || (f->tag == NULL) != (tag == NULL) ||
		    (tag != NULL && strcmp(f->tag, tag) != 0))
			continue;
		f->taken = true;
		fault = f->fault;
		if (slot != NULL)
			*slot = (long)i;
		break;
	}
	pthread_mutex_unlock(&mock_http_fault_lock);
	return fault;
}

void
mock_http_fault_untake(long slot)
{
	if (slot < 0)
		return;
	pthread_mutex_lock(&mock_http_fault_lock);
	mock_http_faults[slot].taken = false;
	pthread_mutex_unlock(&mock_http_fault_lock);
}

void
mock_http_fault_clear(void)
{
	size_t i;

	pthread_mutex_lock(&mock_http_fault_lock);
	for (i = 0; i < mock_http_nfaults; i++) {
		free(mock_http_faults[i].tag);
		free(mock_http_faults[i].fault);
	}
	free(mock_http_faults);
	mock_http_faults = NULL;
	mock_http_nfaults = 0;
	pthread_mutex_unlock(&mock_http_fault_lock);
}

/* --script path: 0, or 1 (said on stderr naming prog). */
static int
mock_http_script_file(const char *prog, const char *path,
    int (*line)(const char *))
{
	char chunk[4096];
	struct buf text;
	size_t n;
	FILE *f;
	int rc = 0;

	if ((f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		return 1;
	}
	buf_init(&text);
	buf_append(&text, "", 0);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&text, chunk, n);
	fclose(f);
	if (mock_http_script(text.data, line) == -1) {
		fprintf(stderr, "%s: %s: bad script line\n", prog, path);
		rc = 1;
	}
	buf_free(&text);
	return rc;
}

/* Option values beyond any char: --script, the numbers, the texts. */
enum {
	MOCK_HTTP_OPT_SCRIPT = 0x100,
	MOCK_HTTP_OPT_NUMBER,
	MOCK_HTTP_OPT_TEXT = MOCK_HTTP_OPT_NUMBER + MOCK_HTTP_OPTS_MAX
};

/* Takes option ch of s: 0, 1 (said on stderr) or 2 (a usage error). */
static int
mock_http_take(const struct mock_http_server *s, int ch, const char *arg,
    long *port)
{
	const struct mock_http_number_opt *n;

	switch (ch) {
	case 'p':
	case 'l':
		return mock_http_option(s->prog, ch, arg, port);
	case MOCK_HTTP_OPT_SCRIPT:
		return mock_http_script_file(s->prog, arg, s->script_line);
	}
	if (ch >= MOCK_HTTP_OPT_TEXT && ch < MOCK_HTTP_OPT_TEXT +
	    MOCK_HTTP_OPTS_MAX) {
		*s->texts[ch - MOCK_HTTP_OPT_TEXT].v = arg;
		return 0;
	}
	if (ch < MOCK_HTTP_OPT_NUMBER || ch >= MOCK_HTTP_OPT_TEXT)
		return 2;
	n = &s->numbers[ch - MOCK_HTTP_OPT_NUMBER];
	return mock_http_number(arg, n->max, n->v) == -1 ? 2 : 0;
}

/* The usage line of s, from its options, on stderr. */
static void
mock_http_usage(const struct mock_http_server *s)
{
	size_t i;

	fprintf(stderr, "usage: %s [--port N]%s [--log FILE]", s->prog,
	    s->script_line != NULL ? " [--script FILE]" : "");
	for (i = 0; s->numbers != NULL && i < MOCK_HTTP_OPTS_MAX &&
	    s->numbers[i].name != NULL; i++)
		fprintf(stderr, " [--%s N]", s->numbers[i].name);
	for (i = 0; s->texts != NULL && i < MOCK_HTTP_OPTS_MAX &&
	    s->texts[i].name != NULL; i++)
		fprintf(stderr, " --%s %s", s->texts[i].name, s->texts[i].what);
	fputc('\n', stderr);
}

int
mock_http_main(const struct mock_http_server *s, int argc, char **argv)
{
	struct option opts[2 * MOCK_HTTP_OPTS_MAX + 4];
	long port = 0;
	size_t i, n = 0;
	int ch, rc = 0;

	opts[n++] = (struct option){ "port", required_argument, NULL, 'p' };
	opts[n++] = (struct option){ "log", required_argument, NULL, 'l' };
	if (s->script_line != NULL)
		opts[n++] = (struct option){ "script", required_argument,
		    NULL, MOCK_HTTP_OPT_SCRIPT };
	for (i = 0; s->numbers != NULL && i < MOCK_HTTP_OPTS_MAX &&
	    s->numbers[i].name != NULL; i++)
		opts[n++] = (struct option){ s->numbers[i].name,
		    required_argument, NULL, MOCK_HTTP_OPT_NUMBER + (int)i };
	for (i = 0; s->texts != NULL && i < MOCK_HTTP_OPTS_MAX &&
	    s->texts[i].name != NULL; i++)
		opts[n++] = (struct option){ s->texts[i].name,
		    required_argument, NULL, MOCK_HTTP_OPT_TEXT + (int)i };
	opts[n] = (struct option){ NULL, 0, NULL, 0 };
	while (rc == 0 && (ch = getopt_long(argc, argv, "", opts,
	    NULL)) != -1)
		rc = mock_http_take(s, ch, optarg, &port);
	if (rc == 0 && optind != argc)
		rc = 2;
	for (i = 0; rc == 0 && s->texts != NULL && i < MOCK_HTTP_OPTS_MAX &&
	    s->texts[i].name != NULL; i++)
		if (*s->texts[i].v == NULL)
			rc = 2;
	if (rc == 2)
		mock_http_usage(s);
	if (rc == 0)
		rc = mock_http_run(s->prog, port, s->fn);
	mock_http_fault_clear();
	return rc;
}
