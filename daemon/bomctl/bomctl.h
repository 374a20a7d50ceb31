/*
 * bomctl's private header: the state every command shares, the exit codes,
 * and what the files of daemon/bomctl/ export to one another.
 */
#ifndef BOMD_BOMCTL_H
#define BOMD_BOMCTL_H

#include <stdbool.h>
#include <stddef.h>

#include <curl/curl.h>
#include <jansson.h>

#define BOMCTL_DEFAULT_URL	"http://127.0.0.1:8080"
#define BOMCTL_TIMEOUT_SEC	30L
#define BOMCTL_MAX_BODY		((size_t)64 * 1024 * 1024)
#define BOMCTL_MAX_URL		4096
#define BOMCTL_COLUMNS		100	/* tables fit this many columns */

/* The exit codes (listed in the usage text). */
enum {
	BOMCTL_DONE = -1,	/* --help or --version printed: exit 0 */
	BOMCTL_EXIT_OK = 0,
	BOMCTL_EXIT_ERR = 1,
	BOMCTL_EXIT_USAGE = 2,
	BOMCTL_EXIT_UNREACHABLE = 3,
	BOMCTL_EXIT_AUTH = 4,
	BOMCTL_EXIT_NOTFOUND = 5
};

/* The key a command sends: the tenant's, the admin key, or none. */
enum bomctl_auth {
	BOMCTL_AUTH_KEY,	/* BOMCTL_API_KEY as X-API-Key */
	BOMCTL_AUTH_ADMIN,	/* BOMCTL_ADMIN_KEY as X-Admin-Key */
	BOMCTL_AUTH_NONE
};

struct bomctl {
	char		 url[BOMCTL_MAX_URL];	/* base, no trailing slash */
	enum bomctl_auth auth;	/* set before bomctl_parse() */
	const char	*key;
	bool		 json;		/* --json: print the server's answer */
	CURL		*curl;		/* NULL until http_open() */
};

/* An option of a command: "--name VALUE" when value, else a flag. */
struct bomctl_opt {
	const char	 *name;		/* without the dashes: "reason" */
	const char	**value;	/* set to the value when given */
	bool		 *flag;		/* set when given, for value NULL */
};

/* bomctl.c: messages, the command line */

/* "bomctl: " + the message on stderr, after flushing stdout. */
void	bomctl_err(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
/* Like bomctl_err() with a pointer to --help; returns BOMCTL_EXIT_USAGE. */
int	bomctl_usage_error(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
/*
 * Parses a command's arguments (argv[0] is its name) with getopt_long:
 * the options of opts (name NULL ends them; opts may be NULL) and the
 * global ones, between minpos and maxpos positionals into pos ("--" ends
 * the options; posnames says what they are). Then opens the connection
 * (http_open()). BOMCTL_EXIT_OK; BOMCTL_DONE after --help or --version;
 * otherwise the exit code, after one line on stderr.
 */
int	bomctl_parse(struct bomctl *ctl, const char *cmd, int argc,
	    char **argv, const struct bomctl_opt *opts, const char **pos,
	    int minpos, int maxpos, const char *posnames);
/* The string member key of obj, or dflt (borrowed from obj). */
const char *bomctl_str(const json_t *obj, const char *key, const char *dflt);
/* Prints v as pretty JSON on stdout. The exit code. */
int	bomctl_print_json(const json_t *v);

/* http.c: requests to the API */

/*
 * Reads BOMCTL_URL and the key ctl->auth names (BOMCTL_API_KEY or
 * BOMCTL_ADMIN_KEY) and makes the curl handle, once. The exit code (a
 * usage error for a bad environment).
 */
int	http_open(struct bomctl *ctl);
/* Frees what http_open() made; nothing when it made nothing. */
void	http_close(struct bomctl *ctl);
/*
 * Resets the handle for GET path with the key (as X-API-Key or
 * X-Admin-Key, as ctl->auth says) and "Accept: accept", and
 * the options every request shares; *hdrs gets the header list (caller
 * frees with curl_slist_free_all(), also on failure). -1 when the URL
 * does not fit.
 */
int	http_setup(struct bomctl *ctl, const char *path, const char *accept,
	    struct curl_slist **hdrs, char *errbuf);
/*
 * Runs one request on path within timeout seconds: a multipart POST of
 * mime; else a POST of the JSON text json (post with json NULL: an empty
 * POST); else a GET. async asks the server not to wait for the job
 * (Prefer: respond-async). On a 2xx answer *out gets the parsed JSON
 * (caller json_decref()s it). Otherwise prints one line on stderr and
 * returns the exit code: 3 when the server cannot be reached, 4 for 401,
 * 5 for 404, else 1.
 */
int	http_request(struct bomctl *ctl, const char *path, curl_mime *mime,
	    const char *json, bool post, bool async, long timeout,
	    json_t **out);
/* GET path with the ordinary timeout; as http_request(). */
int	http_get(struct bomctl *ctl, const char *path, json_t **out);
/* POST body (NULL: an empty POST) to path; as http_request(). */
int	http_post(struct bomctl *ctl, const char *path, const json_t *body,
	    json_t **out);
/*
 * A JSON object from NULL-terminated key, value pairs; a NULL value is
 * left out. BOMCTL_EXIT_OK with *out set (caller json_decref()s it), or a
 * usage error when a value is not UTF-8.
 */
int	http_body(const char *cmd, json_t **out, ...);
/*
 * Sets member k of body to the string v (nothing when v is NULL).
 * BOMCTL_EXIT_OK, or a usage error of cmd when v is not UTF-8.
 */
int	http_body_set(const char *cmd, json_t *body, const char *k,
	    const char *v);
/* base + the URL-escaped id + suffix into out; -1 when it does not fit. */
int	http_id_path(struct bomctl *ctl, const char *base, const char *id,
	    const char *suffix, char *out, size_t len);
/* http_id_path(), or a usage error of cmd naming what is too long. */
int	http_id_arg(struct bomctl *ctl, const char *cmd, const char *what,
	    const char *base, const char *id, const char *suffix, char *out,
	    size_t len);

/* events.c: following a job */

/*
 * Waits for a queued job: follows its project's event stream (project_id
 * may be NULL) for the progress, or polls the job when there is none.
 * BOMCTL_EXIT_OK with the job's final state in *final (caller
 * json_decref()s it); otherwise the exit code, after one line on stderr.
 */
int	events_wait_job(struct bomctl *ctl, const char *project_id,
	    const char *job_id, json_t **final);

/* An event of a project's stream ("status", "trace", "done", ...). */
typedef void (*events_fn)(const char *event, const json_t *data, void *arg);
/*
 * Follows project_id's events until "done", handing each to on_event.
 * 0 when done arrived; -1 with the reason in why.
 */
int	events_watch(struct bomctl *ctl, const char *project_id,
	    events_fn on_event, void *arg, char *why, size_t whylen);

/* fetch.c: a command's request and its --json output */

/*
 * GET path. With --json prints the answer and leaves *out NULL: nothing
 * is left to do. Otherwise *out gets the answer for the caller to print
 * (caller json_decref()s it). The exit code, after one line on stderr
 * when the request fails.
 */
int	fetch_get(struct bomctl *ctl, const char *path, json_t **out);
/* POST body (taken over; NULL: an empty POST) to path; as fetch_get(). */
int	fetch_post(struct bomctl *ctl, const char *path, json_t *body,
	    json_t **out);
/*
 * A list command run whole: parses [--limit N], GETs base (plus the
 * limit) as fetch_get() does, checks the answer is an array, and says
 * empty_msg when it has no rows or has print() print them. The exit code.
 */
int	fetch_list(struct bomctl *ctl, const char *cmd, int argc, char **argv,
	    const char *base, const char *noun, const char *empty_msg,
	    void (*print)(const json_t *rows));

#define FETCH_ONE_OPTS	2	/* the options of a command on one thing */

/*
 * A command on one thing the server keeps, named by its id: "CMD ID
 * [VALUE] [--OPT V ...]". Its request goes to base + the escaped id +
 * suffix: a GET; or a POST of an object of VALUE (as member value) and
 * the options given, each as the member of its name; or, when it takes
 * neither, an empty POST.
 */
struct fetch_one {
	const char	*cmd;		/* "parts ban" */
	const char	*posnames;	/* "an MPN", in its usage error */
	const char	*what;		/* "MPN", in "MPN is too long" */
	const char	*base;		/* "/knowledge/parts/" */
	const char	*suffix;	/* "/ban", or "" */
	bool		 post;
	const char	*value;		/* NULL: the command takes no VALUE */
	const char	*opts[FETCH_ONE_OPTS + 1];	/* names, NULL-ended */
	/* non-NULL: opts[0] must be given, and this says why */
	const char	*need;
	/*
	 * What is printed of the answer, unless --json printed it: print()'s
	 * lines (arg[0] is the id, arg[1] VALUE or NULL, then the values of
	 * opts, NULL when not given); or, with print NULL, the line said, a
	 * format given the answer's member idkey (else the id), then its
	 * member of what was sent first (else the value sent).
	 */
	void		(*print)(const json_t *answer, const char *const *arg);
	const char	*idkey;
	const char	*said;		/* "part %s banned: %s": two %s at most */
};

/* Runs argv (argv[0] is the command's name) as one says. The exit code. */
int	fetch_one(struct bomctl *ctl, const struct fetch_one *one, int argc,
	    char **argv);

/* table.c: tables and values on a terminal */

/* A one-line, printable copy of at most len bytes of s into out. */
void	table_oneline(const char *s, size_t len, char *out, size_t outlen);
/* Characters (not bytes) in the UTF-8 string s. */
size_t	table_utf8_len(const char *s);
/*
 * Prints s in a column of width characters: cut with "~" when longer,
 * padded with blanks unless last. Control characters become blanks.
 */
void	table_cell(const char *s, size_t width, bool last);
/* The widest value of member in arr, between lo and hi characters. */
size_t	table_width(const json_t *arr, const char *member, size_t lo,
	    size_t hi);
/* A JSON money number as "12.34" (2 to 6 decimals); "-" when absent. */
void	table_money(const json_t *v, char *out, size_t len);
/* "2026-11-25T17:43:47.123456Z" without the fraction. */
void	table_ts(const char *s, char *out, size_t len);
/* s up to a '.' or ';' before a blank, or its first line; caller frees. */
char	*table_first_sentence(const char *s);
/*
 * A JSON value as text for key/value output: a list of strings joined by
 * "; ", "-" when null, absent or empty.
 */
void	table_value(const json_t *v, char *out, size_t len);
/* One "key           value" line of member of obj. */
void	table_kv(const char *key, const json_t *obj, const char *member);
/* A row of a key/value listing: the label, and the member of the object. */
struct table_field {
	const char	*label;
	const char	*member;
};
/* table_kv() for each of fields, up to the one whose label is NULL. */
void	table_fields(const json_t *obj, const struct table_field *fields);

/* cmd_strategies.c: the report and the strategies of a project */

/* Prints the report of proj (summary, risks, budget) under its table. */
void	cmd_strategies_report(const json_t *proj);

/*
 * cmd_*.c: the commands and the subcommands of the groups ("parts show"),
 * which bomctl.c's table names. Each runs on argv (argv[0] is its name)
 * and returns the exit code, after one line on stderr when it fails.
 */
int	cmd_submit(struct bomctl *, int, char **);
int	cmd_projects(struct bomctl *, int, char **);
int	cmd_show(struct bomctl *, int, char **);
int	cmd_trace(struct bomctl *, int, char **);
int	cmd_watch(struct bomctl *, int, char **);
int	cmd_chat(struct bomctl *, int, char **);
int	cmd_search(struct bomctl *, int, char **);
int	cmd_strategies(struct bomctl *, int, char **);
int	cmd_keys_list(struct bomctl *, int, char **);
int	cmd_keys_create(struct bomctl *, int, char **);
int	cmd_kb_seed(struct bomctl *, int, char **);
int	cmd_admin_status(struct bomctl *, int, char **);
int	cmd_admin_bootstrap(struct bomctl *, int, char **);
int	cmd_admin_reset_demo(struct bomctl *, int, char **);
int	cmd_jobs_dead(struct bomctl *, int, char **);
int	cmd_parts_list(struct bomctl *, int, char **);
int	cmd_parts_alternates(struct bomctl *, int, char **);
int	cmd_suppliers_list(struct bomctl *, int, char **);
int	cmd_suppliers_add(struct bomctl *, int, char **);
int	cmd_suppliers_set(struct bomctl *, int, char **);
/* The commands on one thing, which fetch_one() runs. */
extern const struct fetch_one cmd_keys_revoke, cmd_jobs_show, cmd_jobs_retry,
    cmd_parts_show, cmd_parts_ban, cmd_parts_unban, cmd_parts_add_alternate,
    cmd_suppliers_show, cmd_suppliers_trust;

#endif
