/*
 * The skeleton the auth mock servers share (mock_oidc, mock_x402): a
 * libmicrohttpd server on 127.0.0.1 that reads each request's body, hands
 * it to one handler, logs a JSON line per request and stops on SIGTERM.
 */
#ifndef BOMD_MOCK_HTTP_H
#define BOMD_MOCK_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <microhttpd.h>

#define MOCK_HTTP_BODY_MAX	(1024 * 1024)

struct mock_http_request {
	struct MHD_Connection	*con;
	const char		*method;
	const char		*path;
	const char		*body;	/* NUL-terminated, maybe empty */
	size_t			 len;
};

/*
 * Serves on 127.0.0.1:port (0: a free one) until SIGTERM or SIGINT,
 * printing "port=N" on stdout once listening; fn answers each request
 * (with mock_http_reply()) on the connection's thread. Returns the exit
 * status: 0, or 1 (with a line on stderr naming prog) when it cannot
 * listen.
 */
int	mock_http_run(const char *prog, long port,
	    enum MHD_Result (*fn)(struct mock_http_request *));
/* The port being served, once mock_http_run() listens. */
unsigned int mock_http_port(void);

/* Appends one JSON line per logged request to path. 0 or -1. */
int	mock_http_log_open(const char *path);
/* Writes entry (taken over) to the log, if any. Thread-safe. */
void	mock_http_log(json_t *entry);

/* Queues v (taken over) as the JSON answer with status. */
enum MHD_Result mock_http_reply(struct MHD_Connection *con,
	    unsigned int status, json_t *v);
/* A query argument of the request, or NULL. */
const char *mock_http_arg(const struct mock_http_request *req,
	    const char *name);
/* Sleeps ms in slices, cut short when the server stops. */
void	mock_http_sleep_ms(long ms);

#endif
