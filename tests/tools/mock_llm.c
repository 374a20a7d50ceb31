/*
 * A small OpenAI-compatible server for tests: POST /v1/chat/completions and
 * GET /v1/models on 127.0.0.1, with faults scripted per request and per
 * model, and one JSON log line per request so tests see what reached it.
 *
 * usage: mock_llm [--port N] [--script FILE] [--log FILE] [--hang-ms N]
 *                 [--delay-ms N]
 * --port 0 (the default) picks a free port and prints "port=N" on stdout.
 *
 * Script: one fault per line, consumed in order by chat requests; blank
 * lines and "#" comments are skipped; after the last line requests are
 * answered normally. Faults:
 *   ok                 normal answer (model rules below still apply)
 *   malformed          truncated JSON (first half of a valid answer)
 *   prose              valid JSON with prose before and after
 *   fence              valid JSON inside a ```json fence
 *   invalid            schema-violating JSON: first enum value replaced by
 *                      "maybe" (or, without enums, the first field removed)
 *   invalid_missing    first top-level field removed
 *   429                429 with "Retry-After: 1"
 *   429_ms             429 with "retry-after-ms: 50"
 *   429_date           429 with Retry-After as an HTTP date 2 s ahead
 *   429_quota          429 insufficient_quota
 *   400_param          400 unsupported_parameter 'temperature'
 *   reject_json_schema 400 on response_format json_schema (others pass)
 *   hang               sleeps --hang-ms (default 5000) then answers
 *   slow               sleeps 100 ms then answers
 *   length             finish_reason "length" with empty content
 *   html               200 with a body that is not JSON
 *   huge               200 with a 5 MB body
 *   NNN                that HTTP status with an OpenAI error body
 * Model rules (when the fault is ok): gpt-5*, o1, o3, o4 reject temperature
 * (unsupported_value) and max_tokens (unsupported_parameter); any other
 * model containing "nano" rejects temperature (unsupported_parameter);
 * a model containing "noschema" rejects json_schema.
 *
 * The answer is generated from response_format.json_schema.schema when the
 * request carries one (first enum value, minimum or 1 for numbers, "mock"
 * for strings, one item per array, every property); otherwise it is the
 * fixed assessment {"lines":[{"line":1,"decision":"approved",
 * "confidence":0.9,"reasons":["mock answer"],"risks":[]}]}.
 * usage is always {prompt_tokens: body bytes / 4, completion_tokens: 50}.
 */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <pthread.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <jansson.h>
#include <microhttpd.h>

#include "util.h"

#define MOCK_BODY_MAX		(1024 * 1024)
#define MOCK_SCRIPT_MAX		1024
#define MOCK_HUGE_BYTES		(5 * 1024 * 1024)

struct upload {
	struct buf	body;
	bool		too_big;
};

static atomic_int	stop_flag;
static atomic_int	inflight;
static pthread_mutex_t	mock_lock = PTHREAD_MUTEX_INITIALIZER;
static char		*script[MOCK_SCRIPT_MAX];
static size_t		nscript, script_pos;
static FILE		*mock_logf;
static long		hang_ms = 5000;
static long		delay_ms;
static unsigned long	seq;

static void
sleep_ms(long ms)
{
	struct timespec ts;

	/* in slices, so SIGTERM is not held up by a hanging request */
	while (ms > 0 && !atomic_load(&stop_flag)) {
		ts.tv_sec = 0;
		ts.tv_nsec = (ms < 20 ? ms : 20) * 1000000L;
		nanosleep(&ts, NULL);
		ms -= 20;
	}
}

static char *
next_fault(void)
{
	char *f = NULL;

	pthread_mutex_lock(&mock_lock);
	if (script_pos < nscript)
		f = script[script_pos++];
	pthread_mutex_unlock(&mock_lock);
	return f != NULL ? f : (char *)"ok";
}

static void
log_line(json_t *entry)
{
	char *s = json_dumps(entry, JSON_COMPACT);

	if (s == NULL)
		return;
	pthread_mutex_lock(&mock_lock);
	if (mock_logf != NULL) {
		fprintf(mock_logf, "%s\n", s);
		fflush(mock_logf);
	}
	pthread_mutex_unlock(&mock_lock);
	free(s);
}

static json_t *
gen_from_schema(const json_t *s, int depth)
{
	const json_t *type, *en, *props, *min, *t;
	const char *key, *ty = NULL;
	json_t *o, *prop;
	size_t i;

	if (depth > 16 || !json_is_object(s))
		return json_null();
	type = json_object_get(s, "type");
	if (json_is_string(type))
		ty = json_string_value(type);
	else if (json_is_array(type))
		json_array_foreach(type, i, t)
			if (json_is_string(t) &&
			    strcmp(json_string_value(t), "null") != 0) {
				ty = json_string_value(t);
				break;
			}
	en = json_object_get(s, "enum");
	if (json_is_array(en) && json_array_size(en) > 0)
		return json_deep_copy(json_array_get(en, 0));
	if (ty == NULL)
		return json_null();
	min = json_object_get(s, "minimum");
	if (strcmp(ty, "object") == 0) {
		o = json_object();
		props = json_object_get(s, "properties");
		json_object_foreach((json_t *)props, key, prop)
			json_object_set_new(o, key,
			    gen_from_schema(prop, depth + 1));
		return o;
	}
	if (strcmp(ty, "array") == 0) {
		o = json_array();
		json_array_append_new(o, gen_from_schema(json_object_get(s,
		    "items"), depth + 1));
		return o;
	}
	if (strcmp(ty, "integer") == 0)
		return json_integer(json_is_number(min) ?
		    (json_int_t)json_number_value(min) : 1);
	if (strcmp(ty, "number") == 0)
		return json_real(json_is_number(min) ? json_number_value(min) :
		    0.5);
	if (strcmp(ty, "boolean") == 0)
		return json_true();
	if (strcmp(ty, "string") == 0)
		return json_string("mock");
	return json_null();
}

static json_t *
fixed_answer(void)
{
	return json_pack("{s:[{s:i,s:s,s:f,s:[s],s:[]}]}", "lines", "line", 1,
	    "decision", "approved", "confidence", 0.9, "reasons",
	    "mock answer", "risks");
}

/* Replaces the first string enum value found (schema-guided) by "maybe". */
static bool
break_enum(json_t *v, const json_t *s, int depth)
{
	const json_t *props, *sub;
	const char *key;
	json_t *m;
	size_t i;

	if (depth > 16 || !json_is_object(s))
		return false;
	if (json_is_array(json_object_get(s, "enum")))
		return false;
	props = json_object_get(s, "properties");
	if (json_is_object(v) && json_is_object(props)) {
		json_object_foreach((json_t *)props, key, sub) {
			m = json_object_get(v, key);
			if (m == NULL)
				continue;
			if (json_is_array(json_object_get(sub, "enum")) &&
			    json_is_string(m)) {
				json_object_set_new(v, key,
				    json_string("maybe"));
				return true;
			}
			if (break_enum(m, sub, depth + 1))
				return true;
		}
	}
	if (json_is_array(v))
		for (i = 0; i < json_array_size(v); i++)
			if (break_enum(json_array_get(v, i),
			    json_object_get(s, "items"), depth + 1))
				return true;
	return false;
}

static void
drop_first_field(json_t *v)
{
	void *it = json_object_iter(v);

	if (it != NULL)
		json_object_del(v, json_object_iter_key(it));
}

static enum MHD_Result
reply(struct MHD_Connection *con, unsigned int status, const char *body,
    size_t len, const char *hname, const char *hval)
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

static enum MHD_Result
reply_json(struct MHD_Connection *con, unsigned int status, json_t *v,
    const char *hname, const char *hval)
{
	enum MHD_Result ret;
	char *s = json_dumps(v, JSON_COMPACT);

	json_decref(v);
	if (s == NULL)
		return MHD_NO;
	ret = reply(con, status, s, strlen(s), hname, hval);
	free(s);
	return ret;
}

static json_t *
error_body(const char *msg, const char *type, const char *param,
    const char *code)
{
	return json_pack("{s:{s:s,s:s,s:s?,s:s?}}", "error", "message", msg,
	    "type", type, "param", param, "code", code);
}

static bool
model_family(const char *m)
{
	const char *p = strrchr(m, '/');

	if (p != NULL)
		m = p + 1;
	return strncmp(m, "gpt-5", 5) == 0 || strncmp(m, "o1", 2) == 0 ||
	    strncmp(m, "o3", 2) == 0 || strncmp(m, "o4", 2) == 0;
}

static enum MHD_Result
chat(struct MHD_Connection *con, struct upload *up)
{
	json_t *req, *entry, *rf, *schema, *ans, *resp, *usage;
	const char *model, *rftype, *fault, *tokkey = NULL;
	enum MHD_Result ret;
	char *content = NULL, datebuf[64];
	struct buf txt;
	json_error_t jerr;
	json_int_t ptok, ctok = 50, maxtok = 0;
	bool has_temp, has_auth;
	unsigned int status = 200;
	const char *finish = "stop";
	time_t t;
	struct tm tm;
	long code;

	req = json_loadb(up->body.data != NULL ? up->body.data : "",
	    up->body.len, 0, &jerr);
	if (!json_is_object(req)) {
		json_decref(req);
		return reply_json(con, 400, error_body("We could not parse the "
		    "JSON body of your request.", "invalid_request_error",
		    NULL, NULL), NULL, NULL);
	}
	model = json_string_value(json_object_get(req, "model"));
	if (model == NULL)
		model = "";
	has_temp = json_object_get(req, "temperature") != NULL;
	if (json_object_get(req, "max_completion_tokens") != NULL)
		tokkey = "max_completion_tokens";
	else if (json_object_get(req, "max_tokens") != NULL)
		tokkey = "max_tokens";
	if (tokkey != NULL)
		maxtok = json_integer_value(json_object_get(req, tokkey));
	rf = json_object_get(req, "response_format");
	rftype = json_string_value(json_object_get(rf, "type"));
	schema = json_object_get(json_object_get(rf, "json_schema"),
	    "schema");
	has_auth = MHD_lookup_connection_value(con, MHD_HEADER_KIND,
	    "Authorization") != NULL;
	fault = next_fault();
	ptok = (json_int_t)(up->body.len / 4);

	entry = json_pack("{s:s,s:s,s:s,s:b,s:s?,s:I,s:s,s:I,s:b}",
	    "method", "POST", "path", "/v1/chat/completions", "model", model,
	    "temperature", has_temp, "max_tokens_key", tokkey,
	    "max_tokens", maxtok, "response_format",
	    rftype != NULL ? rftype : "none", "messages",
	    (json_int_t)json_array_size(json_object_get(req, "messages")),
	    "auth", has_auth);
	json_object_set_new(entry, "inflight",
	    json_integer(atomic_load(&inflight)));

	if (strcmp(fault, "ok") == 0) {
		/* model rules apply to ordinary answers only */
		if (model_family(model) && has_temp)
			fault = "model_rejects_temperature";
		else if (model_family(model) && tokkey != NULL &&
		    strcmp(tokkey, "max_tokens") == 0)
			fault = "model_rejects_max_tokens";
		else if (strstr(model, "nano") != NULL && has_temp)
			fault = "400_param";
		else if (strstr(model, "noschema") != NULL && rftype != NULL &&
		    strcmp(rftype, "json_schema") == 0)
			fault = "reject_json_schema";
	}
	if (strcmp(fault, "reject_json_schema") == 0 && (rftype == NULL ||
	    strcmp(rftype, "json_schema") != 0))
		fault = "ok";
	json_object_set_new(entry, "fault", json_string(fault));

	if (strcmp(fault, "hang") == 0) {
		log_line(entry);
		sleep_ms(hang_ms);
		json_decref(entry);
		entry = NULL;
		fault = "ok";
	} else if (strcmp(fault, "slow") == 0) {
		sleep_ms(100);
		fault = "ok";
	}
	if (delay_ms > 0)
		sleep_ms(delay_ms);

	resp = NULL;
	if (strcmp(fault, "429") == 0) {
		status = 429;
		resp = error_body("Rate limit reached for requests", "requests",
		    NULL, "rate_limit_exceeded");
		ret = reply_json(con, status, resp, "Retry-After", "1");
		goto logged;
	}
	if (strcmp(fault, "429_ms") == 0) {
		status = 429;
		resp = error_body("Rate limit reached for requests", "requests",
		    NULL, "rate_limit_exceeded");
		ret = reply_json(con, status, resp, "retry-after-ms", "50");
		goto logged;
	}
	if (strcmp(fault, "429_date") == 0) {
		status = 429;
		t = time(NULL) + 2;
		gmtime_r(&t, &tm);
		strftime(datebuf, sizeof(datebuf), "%a, %d %b %Y %H:%M:%S GMT",
		    &tm);
		resp = error_body("Rate limit reached for requests", "requests",
		    NULL, "rate_limit_exceeded");
		ret = reply_json(con, status, resp, "Retry-After", datebuf);
		goto logged;
	}
	if (strcmp(fault, "429_quota") == 0) {
		status = 429;
		resp = error_body("You exceeded your current quota, please "
		    "check your plan and billing details.",
		    "insufficient_quota", NULL, "insufficient_quota");
		ret = reply_json(con, status, resp, "Retry-After", "1");
		goto logged;
	}
	if (strcmp(fault, "400_param") == 0) {
		status = 400;
		resp = error_body("Unsupported parameter: 'temperature' is not "
		    "supported with this model.", "invalid_request_error",
		    "temperature", "unsupported_parameter");
		ret = reply_json(con, status, resp, NULL, NULL);
		goto logged;
	}
	if (strcmp(fault, "model_rejects_temperature") == 0) {
		status = 400;
		resp = error_body("Unsupported value: 'temperature' does not "
		    "support 0.2 with this model. Only the default (1) value "
		    "is supported.", "invalid_request_error", "temperature",
		    "unsupported_value");
		ret = reply_json(con, status, resp, NULL, NULL);
		goto logged;
	}
	if (strcmp(fault, "model_rejects_max_tokens") == 0) {
		status = 400;
		resp = error_body("Unsupported parameter: 'max_tokens' is not "
		    "supported with this model. Use 'max_completion_tokens' "
		    "instead.", "invalid_request_error", "max_tokens",
		    "unsupported_parameter");
		ret = reply_json(con, status, resp, NULL, NULL);
		goto logged;
	}
	if (strcmp(fault, "reject_json_schema") == 0) {
		status = 400;
		resp = error_body("Invalid parameter: 'response_format' of "
		    "type 'json_schema' is not supported with this model.",
		    "invalid_request_error", "response_format", NULL);
		ret = reply_json(con, status, resp, NULL, NULL);
		goto logged;
	}
	if (strcmp(fault, "html") == 0) {
		static const char html[] = "<html><body>502 Bad Gateway"
		    "</body></html>";

		ret = reply(con, 200, html, sizeof(html) - 1, NULL, NULL);
		goto logged;
	}
	if (strcmp(fault, "huge") == 0) {
		char *big = xmalloc(MOCK_HUGE_BYTES);

		memset(big, ' ', MOCK_HUGE_BYTES);
		ret = reply(con, 200, big, MOCK_HUGE_BYTES, NULL, NULL);
		free(big);
		goto logged;
	}
	if (fault[0] >= '1' && fault[0] <= '5' && strlen(fault) == 3) {
		code = strtol(fault, NULL, 10);
		status = (unsigned int)code;
		resp = error_body(code >= 500 ? "The server had an error while "
		    "processing your request." : "Request failed.",
		    code >= 500 ? "server_error" : "invalid_request_error",
		    NULL, NULL);
		ret = reply_json(con, status, resp, NULL, NULL);
		goto logged;
	}

	/* a 200 answer: ok, malformed, prose, fence, invalid*, length */
	ans = json_is_object(schema) ? gen_from_schema(schema, 0) :
	    fixed_answer();
	if (strcmp(fault, "invalid") == 0) {
		if (!json_is_object(schema))
			json_object_set_new(json_array_get(json_object_get(ans,
			    "lines"), 0), "decision", json_string("maybe"));
		else if (!break_enum(ans, schema, 0))
			drop_first_field(ans);
	} else if (strcmp(fault, "invalid_missing") == 0)
		drop_first_field(ans);
	content = json_dumps(ans, JSON_COMPACT);
	json_decref(ans);
	buf_init(&txt);
	if (strcmp(fault, "malformed") == 0)
		buf_append(&txt, content, strlen(content) / 2);
	else if (strcmp(fault, "prose") == 0)
		buf_printf(&txt, "Sure! Here is the assessment you asked for "
		    "{as requested}:\n%s\nLet me know if you need more.",
		    content);
	else if (strcmp(fault, "fence") == 0)
		buf_printf(&txt, "```json\n%s\n```\n", content);
	else if (strcmp(fault, "length") == 0) {
		finish = "length";
		buf_puts(&txt, "");
	} else
		buf_puts(&txt, content);
	free(content);
	usage = json_pack("{s:I,s:I,s:I}", "prompt_tokens", ptok,
	    "completion_tokens", ctok, "total_tokens", ptok + ctok);
	pthread_mutex_lock(&mock_lock);
	seq++;
	snprintf(datebuf, sizeof(datebuf), "chatcmpl-mock-%lu", seq);
	pthread_mutex_unlock(&mock_lock);
	resp = json_pack("{s:s,s:s,s:I,s:s,s:[{s:i,s:{s:s,s:s,s:n},s:s}],"
	    "s:o}", "id", datebuf, "object", "chat.completion",
	    "created", (json_int_t)time(NULL), "model", model, "choices",
	    "index", 0, "message", "role", "assistant", "content",
	    txt.data != NULL ? txt.data : "", "refusal", "finish_reason",
	    finish, "usage", usage);
	buf_free(&txt);
	if (entry != NULL) {
		json_object_set_new(entry, "prompt_tokens", json_integer(ptok));
		json_object_set_new(entry, "completion_tokens",
		    json_integer(ctok));
	}
	ret = reply_json(con, 200, resp, NULL, NULL);
logged:
	if (entry != NULL) {
		json_object_set_new(entry, "status", json_integer(status));
		log_line(entry);
		json_decref(entry);
	}
	json_decref(req);
	return ret;
}

static enum MHD_Result
handler(void *cls, struct MHD_Connection *con, const char *url,
    const char *method, const char *version, const char *data,
    size_t *data_size, void **con_cls)
{
	struct upload *up = *con_cls;
	enum MHD_Result ret;
	json_t *entry;

	(void)cls;
	(void)version;
	if (strcmp(method, "GET") == 0) {
		if (strcmp(url, "/v1/models") != 0)
			return reply_json(con, 404, error_body("Not found",
			    "invalid_request_error", NULL, NULL), NULL, NULL);
		entry = json_pack("{s:s,s:s}", "method", "GET", "path", url);
		log_line(entry);
		json_decref(entry);
		return reply_json(con, 200, json_pack("{s:s,s:[{s:s,s:s,s:i,"
		    "s:s}]}", "object", "list", "data", "id", "mock-model",
		    "object", "model", "created", 0, "owned_by", "mock"),
		    NULL, NULL);
	}
	if (strcmp(method, "POST") != 0 ||
	    strcmp(url, "/v1/chat/completions") != 0)
		return reply_json(con, 404, error_body("Not found",
		    "invalid_request_error", NULL, NULL), NULL, NULL);
	if (up == NULL) {
		up = xcalloc(1, sizeof(*up));
		buf_init(&up->body);
		*con_cls = up;
		return MHD_YES;
	}
	if (*data_size > 0) {
		if (up->body.len + *data_size > MOCK_BODY_MAX)
			up->too_big = true;
		else
			buf_append(&up->body, data, *data_size);
		*data_size = 0;
		return MHD_YES;
	}
	if (up->too_big)
		return reply_json(con, 413, error_body("Request too large",
		    "invalid_request_error", NULL, NULL), NULL, NULL);
	atomic_fetch_add(&inflight, 1);
	ret = chat(con, up);
	atomic_fetch_sub(&inflight, 1);
	return ret;
}

static void
completed(void *cls, struct MHD_Connection *con, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct upload *up = *con_cls;

	(void)cls;
	(void)con;
	(void)toe;
	if (up == NULL)
		return;
	buf_free(&up->body);
	free(up);
	*con_cls = NULL;
}

static int
load_script(const char *path)
{
	char line[256];
	size_t n;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "mock_llm: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL && nscript <
	    MOCK_SCRIPT_MAX) {
		n = strcspn(line, " \t\r\n#");
		if (n == 0)
			continue;
		script[nscript++] = xstrndup(line, n);
	}
	fclose(f);
	return 0;
}

static int
arg_long(const char *s, long max, long *out)
{
	const char *why;
	int64_t v;

	if (parse_i64(s, 0, max, &v, &why) == -1)
		return -1;
	*out = (long)v;
	return 0;
}

int
main(int argc, char **argv)
{
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;
	struct sockaddr_in sin;
	sigset_t set;
	long port = 0;
	size_t i;
	int sig, a;

	for (a = 1; a < argc; a++) {
		if (a + 1 >= argc)
			goto usage;
		if (strcmp(argv[a], "--port") == 0) {
			if (arg_long(argv[++a], 65535, &port) == -1)
				goto usage;
		} else if (strcmp(argv[a], "--script") == 0) {
			if (load_script(argv[++a]) == -1)
				return 1;
		} else if (strcmp(argv[a], "--log") == 0) {
			if ((mock_logf = fopen(argv[++a], "a")) == NULL) {
				fprintf(stderr, "mock_llm: %s: %s\n", argv[a],
				    strerror(errno));
				return 1;
			}
		} else if (strcmp(argv[a], "--hang-ms") == 0) {
			if (arg_long(argv[++a], 600000, &hang_ms) == -1)
				goto usage;
		} else if (strcmp(argv[a], "--delay-ms") == 0) {
			if (arg_long(argv[++a], 600000, &delay_ms) == -1)
				goto usage;
		} else
			goto usage;
	}

	/* only the main thread takes SIGTERM/SIGINT, through sigwait() */
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
	    MHD_USE_THREAD_PER_CONNECTION,
	    (uint16_t)port, NULL, NULL, handler, NULL,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sin,
	    MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
	    MHD_OPTION_END);
	if (d == NULL) {
		fprintf(stderr, "mock_llm: cannot listen on port %ld\n", port);
		return 1;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	printf("port=%u\n", info != NULL ? (unsigned)info->port :
	    (unsigned)port);
	fflush(stdout);

	while (sigwait(&set, &sig) == 0)
		if (sig == SIGTERM || sig == SIGINT)
			break;
	atomic_store(&stop_flag, 1);
	MHD_stop_daemon(d);
	for (i = 0; i < nscript; i++)
		free(script[i]);
	if (mock_logf != NULL)
		fclose(mock_logf);
	return 0;
usage:
	fprintf(stderr, "usage: mock_llm [--port N] [--script FILE] "
	    "[--log FILE] [--hang-ms N] [--delay-ms N]\n");
	return 1;
}
