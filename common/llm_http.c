/*
 * OpenAI-compatible chat completions over curl multi. Each request walks its
 * own ladder (HTTP retry with backoff, parameter drops, response_format step
 * down, re-asks) while the others keep running in the same loop; the JSON
 * is llm_chat.c's, the model table llm_caps.c's.
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

#include "http_fetch.h"
#include "llm_caps.h"
#include "llm_chat.h"
#include "llm_http.h"
#include "log.h"
#include "util.h"

/* Parameter drops and format step-downs one request may make. */
#define LLM_HTTP_MAX_ADJUSTS	4
/* Bytes of a server's error message kept in the result. */
#define LLM_HTTP_SERVER_MSG_MAX	200

enum llm_http_state {
	LLM_HTTP_CALL_WAITING,
	LLM_HTTP_CALL_RUNNING,
	LLM_HTTP_CALL_DONE
};

struct llm_http_call {
	struct llm_client		*c;
	const struct llm_request	*req;
	struct llm_result		*res;
	enum llm_http_state		 state;
	int64_t				 next_at;
	int64_t				 started_at;
	int64_t				 deadline;
	CURL				*easy;
	char				*body;
	struct buf_cap			 resp;
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
	struct llm_config	 cfg;	/* owned copies; base_url NULL: see url */
	char			*url;	/* base_url + /chat/completions */
	CURLM			*multi;
	struct curl_slist	*headers;
	uint64_t		 rng;
	size_t			 ndone;
};

/*
 * Receive buffer per request (curl's default is 16 KB, its least 1 KB): an
 * answer of a few KB takes a few reads, and 320 requests in flight hold
 * 1 MB less than with 4 KB each.
 */
#define LLM_HTTP_RECV_BUFFER	1024

void
llm_config_defaults(struct llm_config *cfg)
{
	*cfg = (struct llm_config){
		.connect_timeout_ms = 10000,
		.timeout_ms = 60000,
		.max_retries = 2,
		.max_reasks = 2,
		.max_concurrency = 4,
		.backoff_base_ms = 500,
		.backoff_cap_ms = 8000,
		.retry_after_cap_ms = 30000,
		.deadline_ms = 180000,
		.max_response_bytes = 4 * 1024 * 1024,
	};
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

static int64_t
llm_http_clamp(int64_t v, int64_t lo, int64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* xorshift64*: jitter only, never security. */
static uint64_t
llm_http_rng(struct llm_client *c)
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
	CURLM *multi;
	size_t n;

	/* first: when curl cannot start, there is nothing to undo */
	if ((multi = http_multi_new("llm")) == NULL)
		return NULL;
	c = xcalloc(1, sizeof(*c));
	c->multi = multi;
	c->cfg = *cfg;
	c->cfg.base_url = NULL;		/* read once below, to make url */
	c->cfg.api_key = cfg->api_key != NULL && *cfg->api_key ?
	    xstrdup(cfg->api_key) : NULL;
	c->cfg.model = xstrdup(cfg->model != NULL && *cfg->model ?
	    cfg->model : LLM_DEFAULT_MODEL);
	c->cfg.connect_timeout_ms = (long)llm_http_clamp(
	    cfg->connect_timeout_ms, 10, 600000);
	c->cfg.timeout_ms = (long)llm_http_clamp(cfg->timeout_ms, 10, 3600000);
	c->cfg.max_retries = (int)llm_http_clamp(cfg->max_retries, 0, 10);
	c->cfg.max_reasks = (int)llm_http_clamp(cfg->max_reasks, 0, 5);
	c->cfg.max_concurrency = (int)llm_http_clamp(cfg->max_concurrency, 1,
	    LLM_MAX_CONCURRENCY);
	c->cfg.price_in_per_1m_micros = llm_http_clamp(
	    cfg->price_in_per_1m_micros, 0, INT64_MAX);
	c->cfg.price_out_per_1m_micros = llm_http_clamp(
	    cfg->price_out_per_1m_micros, 0, INT64_MAX);
	c->cfg.backoff_base_ms = llm_http_clamp(cfg->backoff_base_ms, 1,
	    600000);
	c->cfg.backoff_cap_ms = llm_http_clamp(cfg->backoff_cap_ms,
	    c->cfg.backoff_base_ms, 600000);
	c->cfg.retry_after_cap_ms = llm_http_clamp(cfg->retry_after_cap_ms, 0,
	    600000);
	c->cfg.deadline_ms = llm_http_clamp(cfg->deadline_ms, 10, 3600000);
	if (cfg->max_response_bytes == 0 ||
	    cfg->max_response_bytes > 64 * 1024 * 1024)
		c->cfg.max_response_bytes = 4 * 1024 * 1024;

	base = cfg->base_url != NULL && *cfg->base_url ? cfg->base_url :
	    LLM_DEFAULT_BASE_URL;
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
	if (c->headers == NULL) {
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
	memset(r, 0, sizeof(*r));
}

/* Writes the reason, keeping the API key out of it whatever a server says. */
static void
llm_http_seterr(struct llm_http_call *call, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
llm_http_seterr(struct llm_http_call *call, const char *fmt, ...)
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
llm_http_release(struct llm_http_call *call)
{
	if (call->easy != NULL) {
		curl_multi_remove_handle(call->c->multi, call->easy);
		curl_easy_cleanup(call->easy);
		call->easy = NULL;
	}
	free(call->body);
	call->body = NULL;
	buf_free(&call->resp.buf);
}

/* Cost of the tokens in micro-units, rounded down; saturates on overflow. */
static int64_t
llm_http_cost(const struct llm_config *cfg, int64_t in, int64_t out)
{
	int64_t a, b, sum;

	if (i64_mul(in, cfg->price_in_per_1m_micros, &a) == -1 ||
	    i64_mul(out, cfg->price_out_per_1m_micros, &b) == -1 ||
	    i64_add(a, b, &sum) == -1)
		return INT64_MAX;
	return sum / 1000000;
}

static void
llm_http_finish(struct llm_http_call *call, int outcome)
{
	struct llm_result *res = call->res;

	llm_http_release(call);
	res->outcome = outcome;
	res->latency_ms = call->started_at > 0 ?
	    now_ms() - call->started_at : 0;
	res->cost_micros = llm_http_cost(&call->c->cfg, res->prompt_tokens,
	    res->completion_tokens);
	if (res->attempts > 0 && res->response_format_used == NULL)
		res->response_format_used = llm_caps_level_name(
		    call->sent_level);
	if (outcome == LLM_OK)
		res->error[0] = '\0';
	else
		log_warnx("llm: model %s gave up after %d attempts: %s (%s)",
		    call->c->cfg.model, res->attempts,
		    llm_outcome_name(outcome), res->error);
	json_decref(call->turns);
	call->turns = NULL;
	call->state = LLM_HTTP_CALL_DONE;
	call->c->ndone++;
	if (call->req->done != NULL)
		call->req->done(call->req, res);
}

/* Schedules the next attempt, or gives up when it would pass the deadline. */
static void
llm_http_again(struct llm_http_call *call, int64_t delay, int outcome_if_late)
{
	int64_t now = now_ms();

	llm_http_release(call);
	if (now + delay >= call->deadline) {
		size_t n = strlen(call->res->error);

		snprintf(call->res->error + n, sizeof(call->res->error) - n,
		    "%s", n > 0 ? "; deadline reached" : "deadline reached");
		llm_http_finish(call, outcome_if_late);
		return;
	}
	call->next_at = now + delay;
	call->state = LLM_HTTP_CALL_WAITING;
}

static int64_t
llm_http_backoff(struct llm_http_call *call)
{
	const struct llm_config *cfg = &call->c->cfg;
	int64_t d = cfg->backoff_base_ms, half;
	int i;

	for (i = 0; i < call->retries && d < cfg->backoff_cap_ms; i++)
		d *= 2;
	if (d > cfg->backoff_cap_ms)
		d = cfg->backoff_cap_ms;
	half = d / 2;
	return half + (int64_t)(llm_http_rng(call->c) % (uint64_t)(half + 1));
}

/* A transient failure: retry with backoff (or Retry-After), or give up. */
static void
llm_http_transient(struct llm_http_call *call, int outcome)
{
	const struct llm_config *cfg = &call->c->cfg;
	int64_t delay, ra;

	if (call->retries >= cfg->max_retries) {
		llm_http_finish(call, outcome);
		return;
	}
	delay = llm_http_backoff(call);
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
	llm_http_again(call, delay, outcome);
}

/* Retry-After: seconds or an HTTP date; retry-after-ms: milliseconds. */
static size_t
llm_http_on_header(char *p, size_t size, size_t nmemb, void *arg)
{
	struct llm_http_call *call = arg;
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

/* The body of one attempt; a prompt made for it goes as soon as it is in. */
static char *
llm_http_body(const struct llm_request *req, struct llm_chat_attempt *a)
{
	struct llm_request r;
	char *user, *body;

	if (req->user != NULL || req->user_make == NULL)
		return llm_chat_body(req, a);
	if ((user = req->user_make(req)) == NULL)
		return NULL;
	r = *req;
	r.user = user;
	body = llm_chat_body(&r, a);
	free(user);
	return body;
}

static void
llm_http_start(struct llm_http_call *call)
{
	struct llm_client *c = call->c;
	const struct llm_config *cfg = &c->cfg;
	struct llm_chat_attempt attempt = { 0 };
	int64_t now = now_ms(), left;
	int level;

	if (call->started_at == 0) {
		call->started_at = now;
		call->deadline = now + cfg->deadline_ms;
	}
	left = call->deadline - now;
	if (left <= 0) {
		llm_http_seterr(call, "deadline reached");
		llm_http_finish(call, LLM_TIMEOUT);
		return;
	}
	/* another request may have learnt the model needs a lower rung */
	level = llm_caps_level(cfg->model);
	if (level > call->level)
		call->level = level;
	call->retry_after_ms = -1;
	call->retry_after_hdr_ms = -1;
	buf_init(&call->resp.buf);
	call->resp.max = (size_t)cfg->max_response_bytes;
	call->resp.over = false;
	attempt.model = cfg->model;
	attempt.level = call->level;
	attempt.max_tokens = call->max_tokens;
	attempt.flags = llm_caps_flags(cfg->model) | call->flags;
	attempt.turns = call->turns;
	call->body = llm_http_body(call->req, &attempt);
	call->sent_temperature = attempt.sent_temperature;
	call->sent_max_completion = attempt.sent_max_completion;
	if (call->body == NULL ||
	    (call->easy = curl_easy_init()) == NULL) {
		llm_http_seterr(call, "cannot build request");
		llm_http_finish(call, LLM_HTTP_FAILED);
		return;
	}
	http_easy_setup(call->easy, c->url, c->headers, call->body,
	    &call->resp, llm_http_on_header, call);
	/*
	 * answers are a few KB: 16 KB of buffer each is MBs for hundreds,
	 * and so would be a decompressor's state each: not asked for
	 */
	curl_easy_setopt(call->easy, CURLOPT_BUFFERSIZE,
	    (long)LLM_HTTP_RECV_BUFFER);
	curl_easy_setopt(call->easy, CURLOPT_ACCEPT_ENCODING, NULL);
	curl_easy_setopt(call->easy, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)(left < cfg->connect_timeout_ms ? left :
	    cfg->connect_timeout_ms));
	curl_easy_setopt(call->easy, CURLOPT_TIMEOUT_MS,
	    (long)(left < cfg->timeout_ms ? left : cfg->timeout_ms));
	if (curl_multi_add_handle(c->multi, call->easy) != CURLM_OK) {
		llm_http_seterr(call, "cannot queue request");
		llm_http_finish(call, LLM_HTTP_FAILED);
		return;
	}
	call->res->attempts++;
	call->sent_level = call->level;
	call->state = LLM_HTTP_CALL_RUNNING;
	log_debug("llm: model %s attempt %d (%s, %d max tokens)", cfg->model,
	    call->res->attempts, llm_caps_level_name(call->level),
	    call->max_tokens);
}

/*
 * A 400 that names a parameter the model does not take: drop it, remember it
 * for the model and retry at once. Returns true when a retry was scheduled.
 */
static bool
llm_http_adjust(struct llm_http_call *call, const struct llm_chat_error *e)
{
	const char *model = call->c->cfg.model;
	unsigned rejects;

	if (call->adjusts >= LLM_HTTP_MAX_ADJUSTS)
		return false;
	rejects = llm_chat_rejects(e);
	if ((rejects & LLM_CHAT_NO_TEMPERATURE) && call->sent_temperature) {
		/* this request drops it even when the table is full */
		call->flags |= LLM_CAP_NO_TEMPERATURE;
		llm_caps_learn(model, LLM_CAP_NO_TEMPERATURE, 0);
		call->res->temperature_dropped = true;
		log_info("llm: model %s rejects temperature, dropped", model);
	} else if ((rejects & LLM_CHAT_NO_MAX_TOKENS) &&
	    !call->sent_max_completion) {
		call->flags |= LLM_CAP_MAX_COMPLETION;
		llm_caps_learn(model, LLM_CAP_MAX_COMPLETION, 0);
		log_info("llm: model %s wants max_completion_tokens", model);
	} else if ((rejects & LLM_CHAT_NO_FORMAT) &&
	    call->level < LLM_LEVEL_TEXT) {
		log_info("llm: model %s rejects response_format %s, stepping "
		    "down", model, llm_caps_level_name(call->level));
		call->level++;
		llm_caps_learn(model, 0, call->level);
	} else
		return false;
	call->adjusts++;
	llm_http_again(call, 0, LLM_HTTP_FAILED);
	return true;
}

/* Appends the bad answer and the exact errors as a follow-up turn. */
static void
llm_http_reask(struct llm_http_call *call, const char *content,
    const char *errors)
{
	llm_chat_reask(&call->turns, content, errors);
	call->res->reasks++;
	llm_http_again(call, 0, LLM_INVALID);
}

static void
llm_http_answer(struct llm_http_call *call, const json_t *body)
{
	const struct llm_config *cfg = &call->c->cfg;
	struct llm_chat_answer a;
	struct buf errs;
	json_t *v;

	llm_chat_usage(body, &call->res->prompt_tokens,
	    &call->res->completion_tokens);
	if (llm_chat_answer(body, &a) == -1) {
		llm_http_seterr(call, "answer without choices[0].message");
		llm_http_transient(call, LLM_HTTP_FAILED);
		return;
	}
	if (a.refusal != NULL && *a.refusal != '\0') {
		llm_http_seterr(call, "model refused to answer");
		llm_http_finish(call, LLM_INVALID);
		return;
	}
	if (a.finish != NULL && strcmp(a.finish, "length") == 0 &&
	    !call->length_retried) {
		call->length_retried = true;
		call->max_tokens = call->max_tokens > LLM_MAX_TOKENS_CAP / 2 ?
		    LLM_MAX_TOKENS_CAP : call->max_tokens * 2;
		log_info("llm: model %s hit its token limit, retrying with %d",
		    cfg->model, call->max_tokens);
		llm_http_again(call, 0, LLM_INVALID);
		return;
	}
	buf_init(&errs);
	if ((v = llm_chat_check(a.content, a.len, call->req->schema,
	    &errs)) != NULL) {
		call->res->data = v;
		buf_free(&errs);
		llm_http_finish(call, LLM_OK);
		return;
	}
	/* the first line makes a short reason; the model gets them all */
	llm_http_seterr(call, "invalid answer: %.*s", (int)strcspn(errs.data,
	    "\n"), errs.data);
	if (call->res->reasks >= cfg->max_reasks)
		llm_http_finish(call, LLM_INVALID);
	else
		llm_http_reask(call, a.content, errs.data);
	buf_free(&errs);
}

static bool
llm_http_retryable(CURLcode cc)
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
llm_http_done(struct llm_http_call *call, CURLcode cc)
{
	const struct llm_config *cfg = &call->c->cfg;
	struct llm_chat_error e;
	json_t *body = NULL;
	long status = 0;

	if (cc != CURLE_OK) {
		if (call->resp.over || cc == CURLE_FILESIZE_EXCEEDED) {
			llm_http_seterr(call, "response larger than %zu bytes",
			    cfg->max_response_bytes);
			llm_http_finish(call, LLM_HTTP_FAILED);
		} else {
			llm_http_seterr(call, "%s", curl_easy_strerror(cc));
			if (llm_http_retryable(cc))
				llm_http_transient(call,
				    cc == CURLE_OPERATION_TIMEDOUT ?
				    LLM_TIMEOUT : LLM_HTTP_FAILED);
			else
				llm_http_finish(call, LLM_HTTP_FAILED);
		}
		return;
	}
	curl_easy_getinfo(call->easy, CURLINFO_RESPONSE_CODE, &status);
	call->res->http_status = status;
	body = json_loadb(call->resp.buf.data != NULL ? call->resp.buf.data :
	    "", call->resp.buf.len, 0, NULL);
	if (status >= 200 && status < 300) {
		if (!json_is_object(body)) {
			llm_http_seterr(call, "http %ld with a body that is "
			    "not JSON", status);
			llm_http_transient(call, LLM_HTTP_FAILED);
		} else
			llm_http_answer(call, body);
		goto out;
	}
	llm_chat_error(body, &e);
	llm_http_seterr(call, "http %ld%s%.*s", status,
	    e.msg != NULL ? ": " : "", LLM_HTTP_SERVER_MSG_MAX,
	    e.msg != NULL ? e.msg : "");
	if (status == 400 && llm_http_adjust(call, &e))
		goto out;
	if (status == 429 && ((e.code != NULL && strcmp(e.code,
	    "insufficient_quota") == 0) || (e.type != NULL && strcmp(e.type,
	    "insufficient_quota") == 0)))
		llm_http_finish(call, LLM_HTTP_FAILED);
	else if (status == 408 || status == 409 || status == 429 ||
	    status >= 500)
		llm_http_transient(call, status == 408 || status == 504 ?
		    LLM_TIMEOUT : LLM_HTTP_FAILED);
	else
		llm_http_finish(call, LLM_HTTP_FAILED);
out:
	json_decref(body);
}

int
llm_run(struct llm_client *c, struct llm_request *reqs,
    struct llm_result *results, size_t n)
{
	struct llm_http_call *calls = NULL, *call;
	CURLcode cc;
	int64_t now, wait;
	size_t i, inflight = 0;
	int running;

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
		calls[i].state = LLM_HTTP_CALL_WAITING;
		calls[i].max_tokens = reqs[i].max_tokens > 0 ?
		    (reqs[i].max_tokens < LLM_MAX_TOKENS_CAP ?
		    reqs[i].max_tokens : LLM_MAX_TOKENS_CAP) :
		    LLM_DEFAULT_MAX_TOKENS;
		calls[i].level = reqs[i].schema != NULL ? LLM_LEVEL_SCHEMA :
		    LLM_LEVEL_OBJECT;
		buf_init(&calls[i].resp.buf);
	}
	c->ndone = 0;
	while (c->ndone < n) {
		now = now_ms();
		for (i = 0; i < n && inflight < (size_t)c->cfg.max_concurrency;
		    i++) {
			call = &calls[i];
			if (call->state != LLM_HTTP_CALL_WAITING ||
			    call->next_at > now)
				continue;
			llm_http_start(call);
			if (call->state == LLM_HTTP_CALL_RUNNING)
				inflight++;
		}
		curl_multi_perform(c->multi, &running);
		while ((call = http_multi_done(c->multi, &cc)) != NULL) {
			inflight--;
			llm_http_done(call, cc);
		}
		if (c->ndone == n)
			break;
		/* sleep until curl has work or a retry falls due */
		now = now_ms();
		wait = 1000;
		for (i = 0; i < n &&
		    inflight < (size_t)c->cfg.max_concurrency; i++)
			if (calls[i].state == LLM_HTTP_CALL_WAITING &&
			    calls[i].next_at - now < wait)
				wait = calls[i].next_at - now;
		if (wait > 0)
			curl_multi_poll(c->multi, NULL, 0, (int)wait, NULL);
	}
	free(calls);
	return 0;
}
