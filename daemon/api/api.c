/*
 * The API process: libmicrohttpd with a small pool of threads (requests
 * that wait are suspended, not parked on a thread), routes from one table,
 * and a main thread that only waits for the signal to stop.
 */
#include <sys/socket.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <netinet/in.h>

#include "api.h"
#include "api_auth.h"
#include "api_cache.h"
#include "api_db.h"
#include "api_internal.h"
#include "api_limit.h"
#include "api_redis.h"
#include "api_request.h"
#include "api_route.h"
#include "api_wait.h"
#include "api_x402.h"
#include "config.h"
#include "log.h"
#include "signals.h"
#include "util.h"

#define API_THREADS		16	/* request threads; waits free */
#define API_CONN_LIMIT		1024
#define API_DRAIN_MS		200	/* for the answers of ended waits */
#define API_BACKLOG		1024	/* held while no API process accepts */

const struct config *api_cfg;

static volatile sig_atomic_t api_stop;

static void
api_on_term(int sig)
{
	(void)sig;
	api_stop = 1;
}

/* Blocked in every thread and taken by api_main_wait(). */
static const struct signal_row api_signals[] = {
	{ SIGTERM, api_on_term },
	{ SIGINT, api_on_term },
	{ SIGHUP, SIG_IGN },	/* a reload is the master's: it restarts us */
	{ SIGPIPE, SIG_IGN },	/* a client gone mid-answer */
};

/*
 * Waits until SIGTERM or SIGINT arrives, or, with ms >= 0, until ms have
 * passed, whichever comes first.
 */
static void
api_main_wait(const sigset_t *handled, int64_t ms)
{
	struct timespec ts;
	int64_t due, left;
	int sig;

	due = ms < 0 ? -1 : now_ms() + ms;
	for (;;) {
		if (due == -1)
			sig = sigwaitinfo(handled, NULL);
		else {
			if ((left = due - now_ms()) <= 0)
				return;
			ts.tv_sec = left / 1000;
			ts.tv_nsec = (left % 1000) * 1000000L;
			sig = sigtimedwait(handled, NULL, &ts);
		}
		if (sig == SIGTERM || sig == SIGINT)
			return;
	}
}

/*
 * libmicrohttpd's URI logger, called as a request line arrives: the
 * request starts with the path as sent (routing decodes it segment by
 * segment).
 */
static void *
api_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	(void)cls;
	(void)c;
	return api_request_new(uri);
}

/*
 * libmicrohttpd's access handler: called when the headers are in (the
 * caller is admitted or refused then, before the body is read), then per
 * chunk of the body, then at its end.
 */
static enum MHD_Result
api_access(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct api_request *r = *con_cls;
	enum MHD_Result ret;

	(void)cls;
	(void)version;
	if (r == NULL)
		*con_cls = r = api_request_new(url);
	if (!r->started) {
		api_request_start(r, c, method);
		return api_route_admit(c, r, method, &ret) == 0 ? MHD_YES :
		    ret;
	}
	if (r->wait_state != API_WAIT_NONE)
		return api_wait_resumed(c, r);
	if (*upload_data_size > 0) {
		api_request_feed(r, upload_data, *upload_data_size);
		*upload_data_size = 0;
		/* the rest is not read: the answer closes the connection */
		return r->too_large && r->match.route->auth != API_AUTH_NONE ?
		    api_route_too_large(c) : MHD_YES;
	}
	return api_route_dispatch(c, r, method);
}

static void
api_completed(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)c;
	(void)toe;
	api_limit_release(*con_cls);
	api_request_free(*con_cls);
	*con_cls = NULL;
}

int
api_listen(const struct config *cfg, char *err, size_t errlen)
{
	struct sockaddr_in sa;
	int fd, on = 1;

	if (config_listen_addr(cfg->listen, &sa) == -1) {
		snprintf(err, errlen, "listen: '%s' is not IPv4-ADDRESS:PORT",
		    cfg->listen);
		return -1;
	}
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    listen(fd, API_BACKLOG) == -1) {
		snprintf(err, errlen, "cannot listen on %s: %s", cfg->listen,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	return fd;
}

int
api_listen_reload(const struct config *cfg, const struct config *nc,
    int *fd, char *err, size_t errlen)
{
	int nfd;

	if (strcmp(cfg->listen, nc->listen) == 0)
		return 0;
	if ((nfd = api_listen(nc, err, errlen)) == -1)
		return -1;
	close(*fd);
	*fd = nfd;
	return 0;
}

int
api_main(const struct config *cfg, int fd)
{
	struct MHD_Daemon *d;
	sigset_t handled;
	size_t nsig = sizeof(api_signals) / sizeof(api_signals[0]);
	bool quiesced;

	signals_install(api_signals, nsig);
	signals_set(api_signals, nsig, &handled);
	/* before any thread starts, so each inherits the mask */
	pthread_sigmask(SIG_BLOCK, &handled, NULL);
	api_cfg = cfg;
	api_db_init(cfg);
	api_cache_init((size_t)cfg->api_cache_bytes);
	api_auth_init(cfg);
	api_x402_init(cfg);
	if (api_wait_init() == -1) {
		log_warnx("cannot start the wait thread");
		api_auth_shutdown();
		api_db_shutdown();
		return 2;
	}
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO |
	    MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG, 0, NULL, NULL,
	    api_access, NULL,
	    MHD_OPTION_LISTEN_SOCKET, fd,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)API_THREADS,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)API_CONN_LIMIT,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT,
	    (unsigned int)cfg->per_ip_connections,
	    /* until a request admits its caller (api_route_admit()) */
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)cfg->unauth_timeout,
	    MHD_OPTION_URI_LOG_CALLBACK, api_uri, NULL,
	    MHD_OPTION_NOTIFY_COMPLETED, api_completed, NULL,
	    MHD_OPTION_END);
	if (d == NULL) {
		/* the master listens; what failed is libmicrohttpd's start */
		log_warn("cannot start serving on %s", cfg->listen);
		api_wait_shutdown();
		api_auth_shutdown();
		api_db_shutdown();
		return 2;
	}
	log_info("listening on %s", cfg->listen);
	if (!api_stop)
		api_main_wait(&handled, -1);
	/*
	 * New connections wait for the next API process from here on. The
	 * socket is the master's: quiesced, MHD_stop_daemon() leaves it
	 * alone, where it would shut it down (for every process) to wake
	 * its threads.
	 */
	quiesced = MHD_quiesce_daemon(d) != MHD_INVALID_SOCKET;
	if (!quiesced)
		log_warnx("cannot stop accepting; exiting once what waits "
		    "is answered");
	/* every suspended request answers (202) before the daemon stops */
	api_wait_shutdown();
	api_main_wait(&handled, API_DRAIN_MS);
	if (!quiesced)
		return 0;	/* stopping it would shut the socket down */
	MHD_stop_daemon(d);
	close(fd);
	api_cache_shutdown();
	api_auth_shutdown();
	api_db_shutdown();
	api_redis_close();
	log_info("stopped");
	return 0;
}
