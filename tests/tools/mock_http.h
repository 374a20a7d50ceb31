/*
 * The skeleton the mock servers share (mock_distributors, mock_llm,
 * mock_oidc, mock_x402): a libmicrohttpd server on 127.0.0.1 that reads
 * each request's body, hands it to one handler, logs a JSON line per
 * request and stops on SIGTERM; the options they share (--port, --log,
 * --script, --hang-ms), their fault scripts and the faults read from them.
 */
#ifndef BOMD_MOCK_HTTP_H
#define BOMD_MOCK_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include <getopt.h>

#include <jansson.h>
#include <microhttpd.h>

#define MOCK_HTTP_BODY_MAX	(1024 * 1024)
#define MOCK_HTTP_OPTS_MAX	8	/* a mock's whole-number options */
#define MOCK_HTTP_LINE_MAX	256	/* a script line, its end cut off */

struct mock_http_request {
	struct MHD_Connection	*con;
	const char		*method;
	const char		*path;
	const char		*body;	/* NUL-terminated, maybe empty */
	size_t			 len;
};

/* A whole-number option of a mock server: --name N, 0 to max, into *v. */
struct mock_http_number_opt {
	const char	*name;
	long		 max;
	long		*v;
};

/* A text option a mock server needs: --name WHAT, into *v. */
struct mock_http_text_opt {
	const char	 *name;
	const char	 *what;		/* in the usage line: "DIR" */
	const char	**v;
};

/* A mock server's main, for mock_http_main(). */
struct mock_http_server {
	const char	*prog;
	/* its whole-number options, ended by a NULL name (NULL: none) */
	const struct mock_http_number_opt *numbers;
	/* the text options it cannot serve without, likewise */
	const struct mock_http_text_opt *texts;
	/*
	 * --script FILE: script_line() takes each of its lines that is not
	 * blank, without a "#" comment, as mock_http_script() hands them
	 * (NULL: no --script).
	 */
	int		(*script_line)(const char *);
	enum MHD_Result	(*fn)(struct mock_http_request *);
};

/*
 * Takes the options of s (at most MOCK_HTTP_OPTS_MAX numbers and as many
 * texts) and those every mock server has (--port N, --log FILE) from
 * argv, then serves on 127.0.0.1:port (0: a free one) until SIGTERM or
 * SIGINT, printing "port=N" on stdout once listening; s->fn answers each
 * request (with mock_http_reply()) on the connection's thread. Returns
 * the exit status: 0; 1 (with a line on stderr naming s->prog) when it
 * cannot listen or open a file; 2, a usage error, after the usage line
 * (made from the options) on stderr.
 */
int	mock_http_main(const struct mock_http_server *s, int argc,
	    char **argv);
/*
 * Hands each line of text that is not blank to line(), without its "#"
 * comment and line end. Returns 0, or -1 as soon as line() does.
 */
int	mock_http_script(const char *text, int (*line)(const char *));
/*
 * The faults a mock's script_line() reads, kept here until
 * mock_http_fault_clear(): fault (copied) is for the requests of tag
 * (copied; NULL: of no tag in particular). Thread-safe.
 */
void	mock_http_fault_add(const char *tag, const char *fault);
/*
 * Takes the first fault added for tag (NULL: those added without one)
 * and not taken yet: borrowed, or "ok" when none is left. *slot, unless
 * slot is NULL, is its number for mock_http_fault_untake(), or -1.
 * Thread-safe.
 */
const char *mock_http_fault(const char *tag, long *slot);
/* Puts the fault taken as slot back, first in line again (-1: none). */
void	mock_http_fault_untake(long slot);
/*
 * Forgets every fault added, taken or not, freeing them: a fault a
 * request still holds (and its slot) is gone too, so a mock that clears
 * while serving (a reset) copies the faults it takes. mock_http_main()
 * calls it on its way out. Thread-safe.
 */
void	mock_http_fault_clear(void);
/* The port being served, once mock_http_main() listens. */
unsigned int mock_http_port(void);

/* Writes entry (taken over) to the log, if any. Thread-safe. */
void	mock_http_log(json_t *entry);

/* Queues v (taken over) as the JSON answer with status. */
enum MHD_Result mock_http_reply(struct MHD_Connection *con,
	    unsigned int status, json_t *v);
/* As mock_http_reply(), adding the header hname: hval (none if NULL). */
enum MHD_Result mock_http_reply_hdr(struct MHD_Connection *con,
	    unsigned int status, json_t *v, const char *hname,
	    const char *hval);
/*
 * Queues len bytes of body (copied) with status, labelled as JSON whatever
 * they are, adding the header hname: hval (none if NULL).
 */
enum MHD_Result mock_http_send(struct MHD_Connection *con,
	    unsigned int status, const char *body, size_t len,
	    const char *hname, const char *hval);
/* A query argument of the request, or NULL. */
const char *mock_http_arg(const struct mock_http_request *req,
	    const char *name);
/* Sleeps ms in slices, cut short when the server stops. */
void	mock_http_sleep_ms(long ms);

#endif
