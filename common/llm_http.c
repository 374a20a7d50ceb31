/*
 * OpenAI-compatible chat completions over curl multi. Each request walks its
 * own ladder (HTTP retry with backoff, parameter drops, response_format step
 * down, re-asks) while the others keep running in the same loop.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "llm_http.h"
#include "log.h"
#include "util.h"

#define LLM_LEVEL_SCHEMA	0	/* response_format json_schema */
#define LLM_LEVEL_OBJECT	1	/* response_format json_object */
#define LLM_LEVEL_TEXT		2	/* no response_format */

#define LLM_CAP_NO_TEMPERATURE	0x1
#define LLM_CAP_MAX_COMPLETION	0x2

#define LLM_CAPS_MAX		64
#define LLM_MODEL_MAX		128
/* Parameter drops and format step-downs one request may make. */
#define LLM_MAX_ADJUSTS		4
/* What one re-ask turn may carry back to the model. */
#define LLM_REASK_ANSWER_MAX	(16 * 1024)
#define LLM_REASK_ERRORS_MAX	(4 * 1024)
#define LLM_SERVER_MSG_MAX	200

struct llm_cap {
	char		model[LLM_MODEL_MAX];
	unsigned	flags;
	int		level;
};

/* Process-wide: what servers told us about models. */
static struct llm_cap	llm_caps[LLM_CAPS_MAX];
static size_t		llm_ncaps;

enum call_state {
	CALL_WAITING,
	CALL_RUNNING,
	CALL_DONE
};

struct llm_call {
	struct llm_client		*c;
	const struct llm_request	*req;
	struct llm_result		*res;
	enum call_state			 state;
	int64_t				 next_at;
	int64_t				 started_at;
	int64_t				 deadline;
	CURL				*easy;
	char				*body;
	struct buf			 resp;
	bool				 too_large;
	int64_t				 retry_after_ms;	/* -1 = none */
	int64_t				 retry_after_hdr_ms;
	json_t				*turns;		/* re-ask messages */
	int				 retries;
	int				 adjusts;
	bool				 length_retried;
	int				 max_tokens;
	int				 level;
	int				 sent_level;
	bool				 sent_temperature;
	bool				 sent_max_completion;
	unsigned			 flags;		/* learnt here */
};

struct llm_client {
	struct llm_config	 cfg;
	char			*url;
	CURLM			*multi;
	struct curl_slist	*headers;
	uint64_t		 rng;
	size_t			 ndone;
};

static int	llm_curl_ready;

void
llm_config_defaults(struct llm_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->enabled = 0;
	cfg->connect_timeout_ms = 10000;
	cfg->timeout_ms = 60000;
	cfg->max_retries = 2;
	cfg->max_reasks = 2;
	cfg->max_concurrency = 4;
	cfg->backoff_base_ms = 500;
	cfg->backoff_cap_ms = 8000;
	cfg->retry_after_cap_ms = 30000;
	cfg->deadline_ms = 180000;
	cfg->max_response_bytes = 4 * 1024 * 1024;
}

const char *
llm_outcome_name(int outcome)
{
	switch (outcome) {
	case LLM_OK:
		return "ok";
	case LLM_INVALID:
		return "invalid";
	case LLM_HTTP_FAILED:
		return "http_failed";
	case LLM_TIMEOUT:
		return "timeout";
	case LLM_DISABLED:
		return "disabled";
	}
	return "unknown";
}

static const char *
level_name(int level)
{
	switch (level) {
	case LLM_LEVEL_SCHEMA:
		return "json_schema";
	case LLM_LEVEL_OBJECT:
		return "json_object";
	default:
		return "text";
	}
}

static int64_t
clamp64(int64_t v, int64_t lo, int64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* "openai/gpt-5-nano" -> "gpt-5-nano": routers prefix the vendor. */
static const char *
model_base(const char *model)
{
	const char *p = strrchr(model, '/');

	return p != NULL ? p + 1 : model;
}

static bool
prefix_family(const char *m, const char *fam)
{
	size_t n = strlen(fam);

	return strncmp(m, fam, n) == 0 && (m[n] == '\0' || m[n] == '-');
}

/* Models known to reject sampling parameters and max_tokens. */
static unsigned
builtin_caps(const char *model)
{
	const char *m = model_base(model);

	if (strncmp(m, "gpt-5", 5) == 0 || prefix_family(m, "o1") ||
	    prefix_family(m, "o3") || prefix_family(m, "o4") ||
	    prefix_family(m, "o4-mini"))
		return LLM_CAP_NO_TEMPERATURE | LLM_CAP_MAX_COMPLETION;
	return 0;
}

static struct llm_cap *
cap_find(const char *model, bool create)
{
	size_t i;

	for (i = 0; i < llm_ncaps; i++)
		if (strcmp(llm_caps[i].model, model) == 0)
			return &llm_caps[i];
	if (!create || strlen(model) >= LLM_MODEL_MAX)
		return NULL;
	if (llm_ncaps == LLM_CAPS_MAX) {
		log_debug("llm: model table full, not remembering %s", model);
		return NULL;
	}
	i = llm_ncaps++;
	memset(&llm_caps[i], 0, sizeof(llm_caps[i]));
	strcpy(llm_caps[i].model, model);
	return &llm_caps[i];
}

void
llm_caps_reset(void)
{
	memset(llm_caps, 0, sizeof(llm_caps));
	llm_ncaps = 0;
}

static unsigned
caps_flags(const char *model)
{
	struct llm_cap *cap = cap_find(model, false);

	return builtin_caps(model) | (cap != NULL ? cap->flags : 0);
}

static int
caps_level(const char *model)
{
	struct llm_cap *cap = cap_find(model, false);

	return cap != NULL ? cap->level : LLM_LEVEL_SCHEMA;
}

static void
caps_learn(const char *model, unsigned flags, int level)
{
	struct llm_cap *cap = cap_find(model, true);

	if (cap == NULL)
		return;
	cap->flags |= flags;
	if (level > cap->level)
		cap->level = level;
}

/* xorshift64*: jitter only, never security. */
static uint64_t
rng_next(struct llm_client *c)
{
	c->rng ^= c->rng >> 12;
	c->rng ^= c->rng << 25;
	c->rng ^= c->rng >> 27;
	return c->rng * 2685821657736338717ULL;
}

struct llm_client *
llm_client_new(const struct llm_config *cfg)
{
	struct llm_client *c = NULL;
	struct buf b;
	const char *base;
	size_t n;

	if (!llm_curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			log_warnx("llm: curl_global_init failed");
			return NULL;
		}
		llm_curl_ready = 1;
	}
	c = xcalloc(1, sizeof(*c));
	c->cfg = *cfg;
	c->cfg.base_url = xstrdup(cfg->base_url != NULL && *cfg->base_url ?
	    cfg->base_url : LLM_DEFAULT_BASE_URL);
	c->cfg.api_key = cfg->api_key != NULL && *cfg->api_key ?
	    xstrdup(cfg->api_key) : NULL;
	c->cfg.model = xstrdup(cfg->model != NULL && *cfg->model ?
	    cfg->model : LLM_DEFAULT_MODEL);
	c->cfg.connect_timeout_ms = (long)clamp64(cfg->connect_timeout_ms, 10,
	    600000);
	c->cfg.timeout_ms = (long)clamp64(cfg->timeout_ms, 10, 3600000);
	c->cfg.max_retries = (int)clamp64(cfg->max_retries, 0, 10);
	c->cfg.max_reasks = (int)clamp64(cfg->max_reasks, 0, 5);
	c->cfg.max_concurrency = (int)clamp64(cfg->max_concurrency, 1,
	    LLM_MAX_CONCURRENCY);
	c->cfg.price_in_per_1m_micros = clamp64(cfg->price_in_per_1m_micros,
	    0, INT64_MAX);
	c->cfg.price_out_per_1m_micros = clamp64(cfg->price_out_per_1m_micros,
	    0, INT64_MAX);
	c->cfg.backoff_base_ms = clamp64(cfg->backoff_base_ms, 1, 600000);
	c->cfg.backoff_cap_ms = clamp64(cfg->backoff_cap_ms,
	    c->cfg.backoff_base_ms, 600000);
	c->cfg.retry_after_cap_ms = clamp64(cfg->retry_after_cap_ms, 0,
	    600000);
	c->cfg.deadline_ms = clamp64(cfg->deadline_ms, 10, 3600000);
	if (cfg->max_response_bytes == 0 ||
	    cfg->max_response_bytes > 64 * 1024 * 1024)
		c->cfg.max_response_bytes = 4 * 1024 * 1024;

	base = c->cfg.base_url;
	n = strlen(base);
	while (n > 0 && base[n - 1] == '/')
		n--;
	buf_init(&b);
	buf_append(&b, base, n);
	buf_puts(&b, "/chat/completions");
	c->url = buf_steal(&b);

	c->headers = curl_slist_append(NULL, "Content-Type: application/json");
	c->headers = curl_slist_append(c->headers, "Accept: application/json");
	c->headers = curl_slist_append(c->headers, "Expect:");
	if (c->cfg.api_key != NULL) {
		buf_init(&b);
		buf_printf(&b, "Authorization: Bearer %s", c->cfg.api_key);
		c->headers = curl_slist_append(c->headers, b.data);
		explicit_bzero(b.data, b.len);
		buf_free(&b);
	}
	if (random_bytes(&c->rng, sizeof(c->rng)) == -1)
		c->rng = (uint64_t)now_ms() ^ ((uint64_t)getpid() << 32);
	if (c->rng == 0)
		c->rng = 0x9e3779b97f4a7c15ULL;
	if (c->headers == NULL || (c->multi = curl_multi_init()) == NULL) {
		log_warnx("llm: cannot set up curl");
		llm_client_free(c);
		return NULL;
	}
	return c;
}

void
llm_client_free(struct llm_client *c)
{
	if (c == NULL)
		return;
	if (c->multi != NULL)
		curl_multi_cleanup(c->multi);
	curl_slist_free_all(c->headers);
	free(c->url);
	free(c->cfg.base_url);
	if (c->cfg.api_key != NULL) {
		explicit_bzero(c->cfg.api_key, strlen(c->cfg.api_key));
		free(c->cfg.api_key);
	}
	free(c->cfg.model);
	free(c);
}

void
llm_result_clear(struct llm_result *r)
{
	if (r == NULL)
		return;
	json_decref(r->data);
	free(r->response_format_used);
	memset(r, 0, sizeof(*r));
}

/* Writes the reason, keeping the API key out of it whatever a server says. */
static void
call_seterr(struct llm_call *call, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
call_seterr(struct llm_call *call, const char *fmt, ...)
{
	const char *key = call->c->cfg.api_key;
	char *err = call->res->error, *p;
	size_t klen;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, sizeof(call->res->error), fmt, ap);
	va_end(ap);
	if (key == NULL || (klen = strlen(key)) < 4)
		return;
	while ((p = strstr(err, key)) != NULL) {
		memset(p, '*', 3);
		memmove(p + 3, p + klen, strlen(p + klen) + 1);
	}
}

static void
call_release(struct llm_call *call)
{
	if (call->easy != NULL) {
		curl_multi_remove_handle(call->c->multi, call->easy);
		curl_easy_cleanup(call->easy);
		call->easy = NULL;
	}
	free(call->body);
	call->body = NULL;
	buf_free(&call->resp);
}

/* Cost of the tokens in micro-units, rounded down; saturates on overflow. */
static int64_t
llm_cost(const struct llm_config *cfg, int64_t in, int64_t out)
{
	int64_t a, b, sum;

	if (i64_mul(in, cfg->price_in_per_1m_micros, &a) == -1 ||
	    i64_mul(out, cfg->price_out_per_1m_micros, &b) == -1 ||
	    i64_add(a, b, &sum) == -1)
		return INT64_MAX;
	return sum / 1000000;
}

static void
call_finish(struct llm_call *call, int outcome)
{
	struct llm_result *res = call->res;

	call_release(call);
	res->outcome = outcome;
	res->latency_ms = call->started_at > 0 ?
	    now_ms() - call->started_at : 0;
	res->cost_micros = llm_cost(&call->c->cfg, res->prompt_tokens,
	    res->completion_tokens);
	if (res->attempts > 0 && res->response_format_used == NULL)
		res->response_format_used = xstrdup(level_name(
		    call->sent_level));
	if (outcome == LLM_OK)
		res->error[0] = '\0';
	else
		log_warnx("llm: model %s gave up after %d attempts: %s (%s)",
		    call->c->cfg.model, res->attempts,
		    llm_outcome_name(outcome), res->error);
	json_decref(call->turns);
	call->turns = NULL;
	call->state = CALL_DONE;
	call->c->ndone++;
}

/* Schedules the next attempt, or gives up when it would pass the deadline. */
static void
call_again(struct llm_call *call, int64_t delay, int outcome_if_late)
{
	int64_t now = now_ms();

	call_release(call);
	if (now + delay >= call->deadline) {
		size_t n = strlen(call->res->error);

		snprintf(call->res->error + n, sizeof(call->res->error) - n,
		    "%s", n > 0 ? "; deadline reached" : "deadline reached");
		call_finish(call, outcome_if_late);
		return;
	}
	call->next_at = now + delay;
	call->state = CALL_WAITING;
}

static int64_t
backoff_ms(struct llm_call *call)
{
	const struct llm_config *cfg = &call->c->cfg;
	int64_t d = cfg->backoff_base_ms, half;
	int i;

	for (i = 0; i < call->retries && d < cfg->backoff_cap_ms; i++)
		d *= 2;
	if (d > cfg->backoff_cap_ms)
		d = cfg->backoff_cap_ms;
	half = d / 2;
	return half + (int64_t)(rng_next(call->c) % (uint64_t)(half + 1));
}

/* A transient failure: retry with backoff (or Retry-After), or give up. */
static void
call_transient(struct llm_call *call, int outcome)
{
	const struct llm_config *cfg = &call->c->cfg;
	int64_t delay, ra;

	if (call->retries >= cfg->max_retries) {
		call_finish(call, outcome);
		return;
	}
	delay = backoff_ms(call);
	/* retry-after-ms is the more precise of the two */
	ra = call->retry_after_ms >= 0 ? call->retry_after_ms :
	    call->retry_after_hdr_ms;
	if (ra >= 0)
		delay = ra < cfg->retry_after_cap_ms ? ra :
		    cfg->retry_after_cap_ms;
	call->retries++;
	log_warnx("llm: model %s: %s; retry %d of %d in %lld ms",
	    cfg->model, call->res->error, call->retries, cfg->max_retries,
	    (long long)delay);
	call_again(call, delay, outcome);
}

static size_t
on_write(char *p, size_t size, size_t nmemb, void *arg)
{
	struct llm_call *call = arg;
	size_t n = size * nmemb;

	if (call->resp.len + n > call->c->cfg.max_response_bytes) {
		call->too_large = true;
		return 0;
	}
	buf_append(&call->resp, p, n);
	return n;
}

/* Retry-After: seconds or an HTTP date; retry-after-ms: milliseconds. */
static size_t
on_header(char *p, size_t size, size_t nmemb, void *arg)
{
	struct llm_call *call = arg;
	size_t n = size * nmemb, vlen;
	char val[128], *dot;
	const char *why, *v;
	int64_t x;
	time_t t, now;
	bool ms;

	if (n > 15 && strncasecmp(p, "retry-after-ms:", 15) == 0) {
		ms = true;
		v = p + 15;
	} else if (n > 12 && strncasecmp(p, "retry-after:", 12) == 0) {
		ms = false;
		v = p + 12;
	} else
		return n;
	vlen = n - (size_t)(v - p);
	while (vlen > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		vlen--;
	}
	while (vlen > 0 && isspace((unsigned char)v[vlen - 1]))
		vlen--;
	if (vlen == 0 || vlen >= sizeof(val))
		return n;
	memcpy(val, v, vlen);
	val[vlen] = '\0';
	if (ms) {
		/* OpenAI may send a fraction; whole milliseconds are enough */
		if ((dot = strchr(val, '.')) != NULL)
			*dot = '\0';
		if (parse_i64(val, 0, INT64_MAX / 2, &x, &why) == 0)
			call->retry_after_ms = x;
		return n;
	}
	if (parse_i64(val, 0, 86400 * 365, &x, &why) == 0)
		call->retry_after_hdr_ms = x * 1000;
	else if ((t = curl_getdate(val, NULL)) != -1) {
		now = time(NULL);
		call->retry_after_hdr_ms = t > now ?
		    ((int64_t)t - (int64_t)now) * 1000 : 0;
	}
	return n;
}

/* A JSON string from bytes that may not be valid UTF-8 (or cut mid-way). */
static json_t *
json_text(const char *s, size_t n)
{
	json_t *v;
	char *copy;
	size_t i;

	if ((v = json_stringn(s, n)) != NULL)
		return v;
	copy = xstrndup(s, n);
	for (i = 0; copy[i] != '\0'; i++)
		if ((unsigned char)copy[i] >= 0x80)
			copy[i] = '?';
	v = json_string(copy);
	free(copy);
	return v != NULL ? v : json_string("");
}

static json_t *
message(const char *role, const char *content, size_t n)
{
	json_t *m = json_object();

	json_object_set_new(m, "role", json_string(role));
	json_object_set_new(m, "content", json_text(content, n));
	return m;
}

static json_t *
build_messages(struct llm_call *call)
{
	const struct llm_request *req = call->req;
	json_t *msgs, *schema;
	struct buf sys;
	char *s;

	msgs = json_array();
	buf_init(&sys);
	if (req->system != NULL)
		buf_puts(&sys, req->system);
	if (call->level != LLM_LEVEL_SCHEMA) {
		schema = llm_schema_to_json(req->schema);
		s = json_dumps(schema, JSON_COMPACT);
		json_decref(schema);
		buf_printf(&sys, "%sReply with only a JSON object matching "
		    "this JSON Schema, no prose and no code fences:\n%s",
		    sys.len > 0 ? "\n\n" : "", s != NULL ? s : "{}");
		free(s);
	}
	if (sys.len > 0)
		json_array_append_new(msgs, message("system", sys.data,
		    sys.len));
	buf_free(&sys);
	json_array_append_new(msgs, message("user", req->user != NULL ?
	    req->user : "", req->user != NULL ? strlen(req->user) : 0));
	json_array_extend(msgs, call->turns);
	return msgs;
}

static char *
build_body(struct llm_call *call)
{
	const struct llm_request *req = call->req;
	const char *model = call->c->cfg.model;
	unsigned flags = caps_flags(model) | call->flags;
	json_t *o, *rf, *schema;
	const char *name;
	char *s;

	o = json_object();
	json_object_set_new(o, "model", json_string(model));
	json_object_set_new(o, "messages", build_messages(call));
	call->sent_max_completion = (flags & LLM_CAP_MAX_COMPLETION) != 0;
	json_object_set_new(o, call->sent_max_completion ?
	    "max_completion_tokens" : "max_tokens",
	    json_integer(call->max_tokens));
	call->sent_temperature = req->temperature >= 0 &&
	    (flags & LLM_CAP_NO_TEMPERATURE) == 0;
	if (call->sent_temperature)
		json_object_set_new(o, "temperature",
		    json_real(req->temperature));
	switch (call->level) {
	case LLM_LEVEL_SCHEMA:
		name = req->schema_name != NULL ? req->schema_name : "result";
		schema = llm_schema_to_json(req->schema);
		rf = json_pack("{s:s,s:{s:s,s:b,s:o}}", "type", "json_schema",
		    "json_schema", "name", name, "strict", 1, "schema",
		    schema);
		json_object_set_new(o, "response_format", rf);
		break;
	case LLM_LEVEL_OBJECT:
		json_object_set_new(o, "response_format",
		    json_pack("{s:s}", "type", "json_object"));
		break;
	default:
		break;
	}
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

static void
call_start(struct llm_call *call)
{
	struct llm_client *c = call->c;
	const struct llm_config *cfg = &c->cfg;
	int64_t now = now_ms(), left;
	int level;

	if (call->started_at == 0) {
		call->started_at = now;
		call->deadline = now + cfg->deadline_ms;
	}
	left = call->deadline - now;
	if (left <= 0) {
		call_seterr(call, "deadline reached");
		call_finish(call, LLM_TIMEOUT);
		return;
	}
	/* another request may have learnt the model needs a lower rung */
	level = caps_level(cfg->model);
	if (level > call->level)
		call->level = level;
	call->retry_after_ms = -1;
	call->retry_after_hdr_ms = -1;
	call->too_large = false;
	buf_init(&call->resp);
	if ((call->body = build_body(call)) == NULL ||
	    (call->easy = curl_easy_init()) == NULL) {
		call_seterr(call, "cannot build request");
		call_finish(call, LLM_HTTP_FAILED);
		return;
	}
	curl_easy_setopt(call->easy, CURLOPT_URL, c->url);
	curl_easy_setopt(call->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(call->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(call->easy, CURLOPT_HTTPHEADER, c->headers);
	curl_easy_setopt(call->easy, CURLOPT_POSTFIELDS, call->body);
	curl_easy_setopt(call->easy, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)strlen(call->body));
	curl_easy_setopt(call->easy, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(call->easy, CURLOPT_WRITEDATA, call);
	curl_easy_setopt(call->easy, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(call->easy, CURLOPT_HEADERDATA, call);
	curl_easy_setopt(call->easy, CURLOPT_PRIVATE, call);
	curl_easy_setopt(call->easy, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(call->easy, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)cfg->max_response_bytes);
	curl_easy_setopt(call->easy, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)(left < cfg->connect_timeout_ms ? left :
	    cfg->connect_timeout_ms));
	curl_easy_setopt(call->easy, CURLOPT_TIMEOUT_MS,
	    (long)(left < cfg->timeout_ms ? left : cfg->timeout_ms));
	if (curl_multi_add_handle(c->multi, call->easy) != CURLM_OK) {
		call_seterr(call, "cannot queue request");
		call_finish(call, LLM_HTTP_FAILED);
		return;
	}
	call->res->attempts++;
	call->sent_level = call->level;
	call->state = CALL_RUNNING;
	log_debug("llm: model %s attempt %d (%s, %d max tokens)", cfg->model,
	    call->res->attempts, level_name(call->level), call->max_tokens);
}

/* Pulls error.{message,type,param,code} out of an OpenAI error body. */
static void
server_error(const json_t *body, const char **msg, const char **type,
    const char **param, const char **code)
{
	const json_t *e = json_object_get(body, "error");

	*msg = *type = *param = *code = NULL;
	if (json_is_string(e)) {
		*msg = json_string_value(e);
		return;
	}
	*msg = json_string_value(json_object_get(e, "message"));
	*type = json_string_value(json_object_get(e, "type"));
	*param = json_string_value(json_object_get(e, "param"));
	*code = json_string_value(json_object_get(e, "code"));
}

/* The first 'quoted' word of msg ("Unsupported parameter: 'temperature'"). */
static void
quoted_word(const char *msg, char *out, size_t outlen)
{
	const char *a, *b;

	out[0] = '\0';
	if (msg == NULL || (a = strchr(msg, '\'')) == NULL ||
	    (b = strchr(a + 1, '\'')) == NULL || (size_t)(b - a - 1) >= outlen)
		return;
	memcpy(out, a + 1, (size_t)(b - a - 1));
	out[b - a - 1] = '\0';
}

/*
 * A 400 that names a parameter the model does not take: drop it, remember it
 * for the model and retry at once. Returns true when a retry was scheduled.
 */
static bool
call_adjust(struct llm_call *call, const char *msg, const char *param,
    const char *code)
{
	const char *model = call->c->cfg.model;
	char word[64];
	const char *name;
	bool unsupported, rf;

	if (call->adjusts >= LLM_MAX_ADJUSTS)
		return false;
	quoted_word(msg, word, sizeof(word));
	name = param != NULL ? param : word;
	unsupported = (code != NULL && (strcmp(code, "unsupported_parameter")
	    == 0 || strcmp(code, "unsupported_value") == 0)) ||
	    (msg != NULL && (strncasecmp(msg, "unsupported parameter", 21) ==
	    0 || strncasecmp(msg, "unsupported value", 17) == 0));
	rf = strncmp(name, "response_format", 15) == 0 ||
	    (msg != NULL && (strstr(msg, "response_format") != NULL ||
	    strstr(msg, "json_schema") != NULL));
	if (unsupported && strcmp(name, "temperature") == 0 &&
	    call->sent_temperature) {
		/* this request drops it even when the table is full */
		call->flags |= LLM_CAP_NO_TEMPERATURE;
		caps_learn(model, LLM_CAP_NO_TEMPERATURE, 0);
		call->res->temperature_dropped = true;
		log_info("llm: model %s rejects temperature, dropped", model);
	} else if (unsupported && strcmp(name, "max_tokens") == 0 &&
	    !call->sent_max_completion) {
		call->flags |= LLM_CAP_MAX_COMPLETION;
		caps_learn(model, LLM_CAP_MAX_COMPLETION, 0);
		log_info("llm: model %s wants max_completion_tokens", model);
	} else if (rf && call->level < LLM_LEVEL_TEXT) {
		log_info("llm: model %s rejects response_format %s, stepping "
		    "down", model, level_name(call->level));
		call->level++;
		caps_learn(model, 0, call->level);
	} else
		return false;
	call->adjusts++;
	call_again(call, 0, LLM_HTTP_FAILED);
	return true;
}

static void
add_usage(struct llm_call *call, const json_t *body)
{
	const json_t *u = json_object_get(body, "usage");
	json_int_t p, q;

	p = json_integer_value(json_object_get(u, "prompt_tokens"));
	q = json_integer_value(json_object_get(u, "completion_tokens"));
	if (p > 0 && p < INT32_MAX)
		call->res->prompt_tokens += p;
	if (q > 0 && q < INT32_MAX)
		call->res->completion_tokens += q;
}

/* Appends the bad answer and the exact errors as a follow-up turn. */
static void
call_reask(struct llm_call *call, const char *content, const char *errors)
{
	struct buf b;
	size_t clen = content != NULL ? strlen(content) : 0;
	size_t elen = strlen(errors);

	/* cut on a UTF-8 character boundary */
	if (clen > LLM_REASK_ANSWER_MAX) {
		clen = LLM_REASK_ANSWER_MAX;
		while (clen > 0 &&
		    ((unsigned char)content[clen] & 0xc0) == 0x80)
			clen--;
	}
	if (elen > LLM_REASK_ERRORS_MAX) {
		elen = LLM_REASK_ERRORS_MAX;
		while (elen > 0 &&
		    ((unsigned char)errors[elen] & 0xc0) == 0x80)
			elen--;
	}
	if (call->turns == NULL)
		call->turns = json_array();
	json_array_append_new(call->turns, message("assistant",
	    content != NULL ? content : "", clen));
	buf_init(&b);
	buf_puts(&b, "Your previous reply was not valid:\n");
	buf_append(&b, errors, elen);
	buf_puts(&b, "\nReply again with only the corrected JSON object.");
	json_array_append_new(call->turns, message("user", b.data, b.len));
	buf_free(&b);
	call->res->reasks++;
	call_again(call, 0, LLM_INVALID);
}

static void
call_answer(struct llm_call *call, const json_t *body)
{
	const struct llm_config *cfg = &call->c->cfg;
	const json_t *choice, *msg;
	const char *content, *finish, *refusal;
	char jerr[256];
	struct buf errs;
	json_t *v = NULL;
	size_t clen;

	add_usage(call, body);
	choice = json_array_get(json_object_get(body, "choices"), 0);
	msg = json_object_get(choice, "message");
	if (!json_is_object(msg)) {
		call_seterr(call, "answer without choices[0].message");
		call_transient(call, LLM_HTTP_FAILED);
		return;
	}
	content = json_string_value(json_object_get(msg, "content"));
	clen = json_string_length(json_object_get(msg, "content"));
	finish = json_string_value(json_object_get(choice, "finish_reason"));
	refusal = json_string_value(json_object_get(msg, "refusal"));
	if (refusal != NULL && *refusal != '\0') {
		call_seterr(call, "model refused to answer");
		call_finish(call, LLM_INVALID);
		return;
	}
	if (finish != NULL && strcmp(finish, "length") == 0 &&
	    !call->length_retried) {
		call->length_retried = true;
		call->max_tokens = call->max_tokens > LLM_MAX_TOKENS_CAP / 2 ?
		    LLM_MAX_TOKENS_CAP : call->max_tokens * 2;
		log_info("llm: model %s hit its token limit, retrying with %d",
		    cfg->model, call->max_tokens);
		call_again(call, 0, LLM_INVALID);
		return;
	}
	buf_init(&errs);
	if (content == NULL || clen == 0)
		buf_puts(&errs, "$: empty reply\n");
	else if ((v = llm_json_extract(content, clen, jerr,
	    sizeof(jerr))) == NULL)
		buf_printf(&errs, "$: %s\n", jerr);
	else if (llm_json_validate(v, call->req->schema, &errs) == 0) {
		call->res->data = v;
		buf_free(&errs);
		call_finish(call, LLM_OK);
		return;
	}
	json_decref(v);
	/* the first line makes a short reason; the model gets them all */
	call_seterr(call, "invalid answer: %.*s", (int)strcspn(errs.data,
	    "\n"), errs.data);
	if (call->res->reasks >= cfg->max_reasks)
		call_finish(call, LLM_INVALID);
	else
		call_reask(call, content, errs.data);
	buf_free(&errs);
}

static bool
curl_code_retryable(CURLcode cc)
{
	switch (cc) {
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
	case CURLE_NOT_BUILT_IN:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_FILESIZE_EXCEEDED:
	case CURLE_WRITE_ERROR:
	case CURLE_OUT_OF_MEMORY:
		return false;
	default:
		return true;
	}
}

static void
call_done(struct llm_call *call, CURLcode cc)
{
	const struct llm_config *cfg = &call->c->cfg;
	const char *msg, *type, *param, *code;
	json_t *body = NULL;
	long status = 0;

	if (cc != CURLE_OK) {
		if (call->too_large || cc == CURLE_FILESIZE_EXCEEDED) {
			call_seterr(call, "response larger than %zu bytes",
			    cfg->max_response_bytes);
			call_finish(call, LLM_HTTP_FAILED);
		} else {
			call_seterr(call, "%s", curl_easy_strerror(cc));
			if (curl_code_retryable(cc))
				call_transient(call,
				    cc == CURLE_OPERATION_TIMEDOUT ?
				    LLM_TIMEOUT : LLM_HTTP_FAILED);
			else
				call_finish(call, LLM_HTTP_FAILED);
		}
		return;
	}
	curl_easy_getinfo(call->easy, CURLINFO_RESPONSE_CODE, &status);
	call->res->http_status = status;
	body = json_loadb(call->resp.data != NULL ? call->resp.data : "",
	    call->resp.len, 0, NULL);
	if (status >= 200 && status < 300) {
		if (!json_is_object(body)) {
			call_seterr(call, "http %ld with a body that is not "
			    "JSON", status);
			call_transient(call, LLM_HTTP_FAILED);
		} else
			call_answer(call, body);
		goto out;
	}
	server_error(body, &msg, &type, &param, &code);
	call_seterr(call, "http %ld%s%.*s", status, msg != NULL ? ": " : "",
	    LLM_SERVER_MSG_MAX, msg != NULL ? msg : "");
	if (status == 400 && call_adjust(call, msg, param, code))
		goto out;
	if (status == 429 && ((code != NULL && strcmp(code,
	    "insufficient_quota") == 0) || (type != NULL && strcmp(type,
	    "insufficient_quota") == 0)))
		call_finish(call, LLM_HTTP_FAILED);
	else if (status == 408 || status == 409 || status == 429 ||
	    status >= 500)
		call_transient(call, status == 408 || status == 504 ?
		    LLM_TIMEOUT : LLM_HTTP_FAILED);
	else
		call_finish(call, LLM_HTTP_FAILED);
out:
	json_decref(body);
}

int
llm_run(struct llm_client *c, struct llm_request *reqs,
    struct llm_result *results, size_t n)
{
	struct llm_call *calls = NULL, *call;
	CURLMsg *m;
	char *priv;
	int64_t now, wait;
	size_t i, inflight = 0;
	int running, left;

	if (c == NULL || (n > 0 && (reqs == NULL || results == NULL)))
		return -1;
	memset(results, 0, n * sizeof(*results));
	if (!c->cfg.enabled) {
		for (i = 0; i < n; i++) {
			results[i].outcome = LLM_DISABLED;
			snprintf(results[i].error, sizeof(results[i].error),
			    "llm provider is none");
		}
		return 0;
	}
	calls = xcalloc(n, sizeof(*calls));
	for (i = 0; i < n; i++) {
		calls[i].c = c;
		calls[i].req = &reqs[i];
		calls[i].res = &results[i];
		calls[i].state = CALL_WAITING;
		calls[i].max_tokens = reqs[i].max_tokens > 0 ?
		    (reqs[i].max_tokens < LLM_MAX_TOKENS_CAP ?
		    reqs[i].max_tokens : LLM_MAX_TOKENS_CAP) :
		    LLM_DEFAULT_MAX_TOKENS;
		calls[i].level = reqs[i].schema != NULL ? LLM_LEVEL_SCHEMA :
		    LLM_LEVEL_OBJECT;
		buf_init(&calls[i].resp);
	}
	c->ndone = 0;
	while (c->ndone < n) {
		now = now_ms();
		for (i = 0; i < n && inflight < (size_t)c->cfg.max_concurrency;
		    i++) {
			call = &calls[i];
			if (call->state != CALL_WAITING || call->next_at > now)
				continue;
			call_start(call);
			if (call->state == CALL_RUNNING)
				inflight++;
		}
		curl_multi_perform(c->multi, &running);
		while ((m = curl_multi_info_read(c->multi, &left)) != NULL) {
			if (m->msg != CURLMSG_DONE)
				continue;
			priv = NULL;
			curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE,
			    &priv);
			call = (struct llm_call *)(void *)priv;
			inflight--;
			/* m dies with the handle: take the code first */
			call_done(call, m->data.result);
		}
		if (c->ndone == n)
			break;
		/* sleep until curl has work or a retry falls due */
		now = now_ms();
		wait = 1000;
		for (i = 0; i < n &&
		    inflight < (size_t)c->cfg.max_concurrency; i++)
			if (calls[i].state == CALL_WAITING &&
			    calls[i].next_at - now < wait)
				wait = calls[i].next_at - now;
		if (wait > 0)
			curl_multi_poll(c->multi, NULL, 0, (int)wait, NULL);
	}
	free(calls);
	return 0;
}
