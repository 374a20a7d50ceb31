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
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "mock_http.h"
#include "util.h"

#define MOCK_LLM_HUGE_BYTES	(5 * 1024 * 1024)
#define MOCK_LLM_RATE_MSG	"Rate limit reached for requests"

/* The faults answered with an OpenAI error body. */
static const struct mock_llm_error {
	const char	*fault;
	unsigned int	 status;
	const char	*msg;
	const char	*type;
	const char	*param;
	const char	*code;
	const char	*hname;	/* extra header, or NULL */
	const char	*hval;	/* its value; NULL: an HTTP date 2 s ahead */
} mock_llm_errors[] = {
	{ "429", 429, MOCK_LLM_RATE_MSG, "requests", NULL,
	    "rate_limit_exceeded", "Retry-After", "1" },
	{ "429_ms", 429, MOCK_LLM_RATE_MSG, "requests", NULL,
	    "rate_limit_exceeded", "retry-after-ms", "50" },
	{ "429_date", 429, MOCK_LLM_RATE_MSG, "requests", NULL,
	    "rate_limit_exceeded", "Retry-After", NULL },
	{ "429_quota", 429, "You exceeded your current quota, please check "
	    "your plan and billing details.", "insufficient_quota", NULL,
	    "insufficient_quota", "Retry-After", "1" },
	{ "400_param", 400, "Unsupported parameter: 'temperature' is not "
	    "supported with this model.", "invalid_request_error",
	    "temperature", "unsupported_parameter", NULL, NULL },
	{ "model_rejects_temperature", 400, "Unsupported value: "
	    "'temperature' does not support 0.2 with this model. Only the "
	    "default (1) value is supported.", "invalid_request_error",
	    "temperature", "unsupported_value", NULL, NULL },
	{ "model_rejects_max_tokens", 400, "Unsupported parameter: "
	    "'max_tokens' is not supported with this model. Use "
	    "'max_completion_tokens' instead.", "invalid_request_error",
	    "max_tokens", "unsupported_parameter", NULL, NULL },
	{ "reject_json_schema", 400, "Invalid parameter: 'response_format' "
	    "of type 'json_schema' is not supported with this model.",
	    "invalid_request_error", "response_format", NULL, NULL, NULL },
};

static atomic_int	 mock_llm_inflight;
static pthread_mutex_t	 mock_llm_lock = PTHREAD_MUTEX_INITIALIZER;
static long		 mock_llm_hang_ms = 5000;
static long		 mock_llm_delay_ms;
static unsigned long	 mock_llm_seq;

static json_t *
mock_llm_gen(const json_t *s, int depth)
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
			    mock_llm_gen(prop, depth + 1));
		return o;
	}
	if (strcmp(ty, "array") == 0) {
		o = json_array();
		json_array_append_new(o, mock_llm_gen(json_object_get(s,
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
mock_llm_fixed_answer(void)
{
	return json_pack("{s:[{s:i,s:s,s:f,s:[s],s:[]}]}", "lines", "line", 1,
	    "decision", "approved", "confidence", 0.9, "reasons",
	    "mock answer", "risks");
}

/* Replaces the first string enum value found (schema-guided) by "maybe". */
static bool
mock_llm_break_enum(json_t *v, const json_t *s, int depth)
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
			if (mock_llm_break_enum(m, sub, depth + 1))
				return true;
		}
	}
	if (json_is_array(v))
		for (i = 0; i < json_array_size(v); i++)
			if (mock_llm_break_enum(json_array_get(v, i),
			    json_object_get(s, "items"), depth + 1))
				return true;
	return false;
}

static void
mock_llm_drop_first(json_t *v)
{
	void *it = json_object_iter(v);

	if (it != NULL)
		json_object_del(v, json_object_iter_key(it));
}

static json_t *
mock_llm_error_body(const char *msg, const char *type, const char *param,
    const char *code)
{
	return json_pack("{s:{s:s,s:s,s:s?,s:s?}}", "error", "message", msg,
	    "type", type, "param", param, "code", code);
}

static bool
mock_llm_family(const char *m)
{
	const char *p = strrchr(m, '/');

	if (p != NULL)
		m = p + 1;
	return strncmp(m, "gpt-5", 5) == 0 || strncmp(m, "o1", 2) == 0 ||
	    strncmp(m, "o3", 2) == 0 || strncmp(m, "o4", 2) == 0;
}

/* Queues the OpenAI error answer of e. */
static enum MHD_Result
mock_llm_send_error(struct MHD_Connection *con, const struct mock_llm_error *e)
{
	const char *hval = e->hval;
	char date[64];
	struct tm tm;
	time_t t;

	if (e->hname != NULL && hval == NULL) {
		t = time(NULL) + 2;
		gmtime_r(&t, &tm);
		strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
		hval = date;
	}
	return mock_http_reply_hdr(con, e->status, mock_llm_error_body(e->msg,
	    e->type, e->param, e->code), e->hname, hval);
}

/* Queues a 200 answer: ok, malformed, prose, fence, invalid*, length. */
static enum MHD_Result
mock_llm_answer(struct MHD_Connection *con, const char *fault,
    const json_t *schema, const char *model, json_int_t ptok,
    json_int_t ctok)
{
	json_t *ans, *resp, *usage;
	const char *finish = "stop";
	char *content, id[64];
	struct buf txt;

	ans = json_is_object(schema) ? mock_llm_gen(schema, 0) :
	    mock_llm_fixed_answer();
	if (strcmp(fault, "invalid") == 0) {
		if (!json_is_object(schema))
			json_object_set_new(json_array_get(json_object_get(ans,
			    "lines"), 0), "decision", json_string("maybe"));
		else if (!mock_llm_break_enum(ans, schema, 0))
			mock_llm_drop_first(ans);
	} else if (strcmp(fault, "invalid_missing") == 0)
		mock_llm_drop_first(ans);
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
	pthread_mutex_lock(&mock_llm_lock);
	mock_llm_seq++;
	snprintf(id, sizeof(id), "chatcmpl-mock-%lu", mock_llm_seq);
	pthread_mutex_unlock(&mock_llm_lock);
	resp = json_pack("{s:s,s:s,s:I,s:s,s:[{s:i,s:{s:s,s:s,s:n},s:s}],"
	    "s:o}", "id", id, "object", "chat.completion",
	    "created", (json_int_t)time(NULL), "model", model, "choices",
	    "index", 0, "message", "role", "assistant", "content",
	    txt.data != NULL ? txt.data : "", "refusal", "finish_reason",
	    finish, "usage", usage);
	buf_free(&txt);
	return mock_http_reply(con, 200, resp);
}

/* The fault a request gets: the script's next, unless model rules apply. */
static const char *
mock_llm_fault(const char *model, bool has_temp, const char *tokkey,
    const char *rftype)
{
	const char *fault = mock_http_fault(NULL, NULL);
	bool schema = rftype != NULL && strcmp(rftype, "json_schema") == 0;

	if (strcmp(fault, "ok") == 0) {
		/* model rules apply to ordinary answers only */
		if (mock_llm_family(model) && has_temp)
			fault = "model_rejects_temperature";
		else if (mock_llm_family(model) && tokkey != NULL &&
		    strcmp(tokkey, "max_tokens") == 0)
			fault = "model_rejects_max_tokens";
		else if (strstr(model, "nano") != NULL && has_temp)
			fault = "400_param";
		else if (strstr(model, "noschema") != NULL && schema)
			fault = "reject_json_schema";
	}
	if (strcmp(fault, "reject_json_schema") == 0 && !schema)
		fault = "ok";
	return fault;
}

static enum MHD_Result
mock_llm_chat(struct mock_http_request *r)
{
	static const char html[] = "<html><body>502 Bad Gateway"
	    "</body></html>";
	const struct mock_llm_error *e = NULL;
	json_t *req, *entry, *rf, *schema;
	const char *model, *rftype, *fault, *tokkey = NULL, *encoding;
	json_int_t ptok, ctok = 50, maxtok = 0;
	unsigned int status = 200;
	enum MHD_Result ret;
	bool has_temp, has_auth;
	char *big;
	long code;
	size_t i;

	req = json_loadb(r->body, r->len, 0, NULL);
	if (!json_is_object(req)) {
		json_decref(req);
		return mock_http_reply(r->con, 400, mock_llm_error_body("We "
		    "could not parse the JSON body of your request.",
		    "invalid_request_error", NULL, NULL));
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
	has_auth = MHD_lookup_connection_value(r->con, MHD_HEADER_KIND,
	    "Authorization") != NULL;
	encoding = MHD_lookup_connection_value(r->con, MHD_HEADER_KIND,
	    "Accept-Encoding");
	fault = mock_llm_fault(model, has_temp, tokkey, rftype);
	ptok = (json_int_t)(r->len / 4);

	entry = json_pack("{s:s,s:s,s:s,s:b,s:s?,s:I,s:s,s:I,s:b,s:i,s:s,"
	    "s:s?}",
	    "method", "POST", "path", "/v1/chat/completions", "model", model,
	    "temperature", has_temp, "max_tokens_key", tokkey,
	    "max_tokens", maxtok, "response_format",
	    rftype != NULL ? rftype : "none", "messages",
	    (json_int_t)json_array_size(json_object_get(req, "messages")),
	    "auth", has_auth, "inflight", atomic_load(&mock_llm_inflight),
	    "fault", fault, "accept_encoding", encoding);

	if (strcmp(fault, "hang") == 0) {
		mock_http_log(entry);	/* logged before it hangs, once */
		entry = NULL;
		mock_http_sleep_ms(mock_llm_hang_ms);
		fault = "ok";
	} else if (strcmp(fault, "slow") == 0) {
		mock_http_sleep_ms(100);
		fault = "ok";
	}
	if (mock_llm_delay_ms > 0)
		mock_http_sleep_ms(mock_llm_delay_ms);

	for (i = 0; i < sizeof(mock_llm_errors) / sizeof(mock_llm_errors[0]);
	    i++)
		if (strcmp(fault, mock_llm_errors[i].fault) == 0)
			e = &mock_llm_errors[i];
	if (e != NULL) {
		status = e->status;
		ret = mock_llm_send_error(r->con, e);
	} else if (strcmp(fault, "html") == 0)
		ret = mock_http_send(r->con, 200, html, sizeof(html) - 1, NULL,
		    NULL);
	else if (strcmp(fault, "huge") == 0) {
		big = xmalloc(MOCK_LLM_HUGE_BYTES);
		memset(big, ' ', MOCK_LLM_HUGE_BYTES);
		ret = mock_http_send(r->con, 200, big, MOCK_LLM_HUGE_BYTES,
		    NULL, NULL);
		free(big);
	} else if (fault[0] >= '1' && fault[0] <= '5' && strlen(fault) == 3) {
		code = strtol(fault, NULL, 10);
		status = (unsigned int)code;
		ret = mock_http_reply(r->con, status, mock_llm_error_body(
		    code >= 500 ? "The server had an error while processing "
		    "your request." : "Request failed.", code >= 500 ?
		    "server_error" : "invalid_request_error", NULL, NULL));
	} else {
		if (entry != NULL) {
			json_object_set_new(entry, "prompt_tokens",
			    json_integer(ptok));
			json_object_set_new(entry, "completion_tokens",
			    json_integer(ctok));
		}
		ret = mock_llm_answer(r->con, fault, schema, model, ptok, ctok);
	}
	if (entry != NULL) {
		json_object_set_new(entry, "status", json_integer(status));
		mock_http_log(entry);
	}
	json_decref(req);
	return ret;
}

static enum MHD_Result
mock_llm_serve(struct mock_http_request *req)
{
	enum MHD_Result ret;

	if (strcmp(req->method, "GET") == 0 &&
	    strcmp(req->path, "/v1/models") == 0) {
		mock_http_log(json_pack("{s:s,s:s}", "method", "GET", "path",
		    req->path));
		return mock_http_reply(req->con, 200, json_pack("{s:s,s:[{s:s,"
		    "s:s,s:i,s:s}]}", "object", "list", "data", "id",
		    "mock-model", "object", "model", "created", 0, "owned_by",
		    "mock"));
	}
	if (strcmp(req->method, "POST") != 0 ||
	    strcmp(req->path, "/v1/chat/completions") != 0)
		return mock_http_reply(req->con, 404, mock_llm_error_body(
		    "Not found", "invalid_request_error", NULL, NULL));
	atomic_fetch_add(&mock_llm_inflight, 1);
	ret = mock_llm_chat(req);
	atomic_fetch_sub(&mock_llm_inflight, 1);
	return ret;
}

/* Takes a script line: its first word is the next fault. */
static int
mock_llm_script_line(const char *line)
{
	char fault[MOCK_HTTP_LINE_MAX];
	size_t n = strcspn(line, " \t");

	if (n > 0) {
		snprintf(fault, sizeof(fault), "%.*s", (int)n, line);
		mock_http_fault_add(NULL, fault);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct mock_http_number_opt numbers[] = {
		{ "hang-ms", 600000, &mock_llm_hang_ms },
		{ "delay-ms", 600000, &mock_llm_delay_ms },
		{ NULL, 0, NULL }
	};
	static const struct mock_http_server srv = {
		"mock_llm", numbers, NULL, mock_llm_script_line, mock_llm_serve
	};

	return mock_http_main(&srv, argc, argv);
}
