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

static atomic_int	 mock_http_stop;
static atomic_uint	 mock_http_bound;
static pthread_mutex_t	 mock_http_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE		*mock_http_logf;
static enum MHD_Result (*mock_http_fn)(struct mock_http_request *);

unsigned int
mock_http_port(void)
{
	return atomic_load(&mock_http_bound);
}

int
mock_http_log_open(const char *path)
{
	if ((mock_http_logf = fopen(path, "a")) == NULL)
		return -1;
	return 0;
}

int
mock_http_option(const char *prog, int ch, const char *arg, long *port)
{
	const char *why;
	int64_t v;

	if (ch == 'p' && parse_i64(arg, 0, 65535, &v, &why) == 0) {
		*port = (long)v;
		return 0;
	}
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

int
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
mock_http_main(const char *prog, const char *usage, int argc, char **argv,
    const struct option *own, int (*take)(int, const char *),
    enum MHD_Result (*fn)(struct mock_http_request *))
{
	struct option opts[MOCK_HTTP_OPTS_MAX + 3];
	long port = 0;
	size_t n;
	int ch, rc = 0;

	for (n = 0; n < MOCK_HTTP_OPTS_MAX && own[n].name != NULL; n++)
		opts[n] = own[n];
	opts[n++] = (struct option){ "port", required_argument, NULL, 'p' };
	opts[n++] = (struct option){ "log", required_argument, NULL, 'l' };
	opts[n] = (struct option){ NULL, 0, NULL, 0 };
	while (rc == 0 && (ch = getopt_long(argc, argv, "", opts,
	    NULL)) != -1) {
		if (ch == 'p' || ch == 'l')
			rc = mock_http_option(prog, ch, optarg, &port);
		else
			rc = ch == '?' || ch == ':' ? 2 : take(ch, optarg);
	}
	if (rc == 0 && optind != argc)
		rc = 2;
	if (rc == 2)
		fputs(usage, stderr);
	if (rc != 0)
		return rc;
	return mock_http_run(prog, port, fn);
}
