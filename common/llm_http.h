/*
 * Client for OpenAI-compatible /chat/completions on libcurl that never breaks
 * a job: bounded retries with backoff, re-asks on bad JSON, per-model memory
 * of rejected parameters, concurrency through curl multi, token accounting.
 */
#ifndef BOMD_LLM_HTTP_H
#define BOMD_LLM_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "llm_json.h"

#define LLM_DEFAULT_BASE_URL	"https://api.openai.com/v1"
#define LLM_DEFAULT_MODEL	"gpt-5-mini"
/* Completion budget when a request gives none, and the most a doubling for
 * finish_reason "length" may reach. */
#define LLM_DEFAULT_MAX_TOKENS	2048
#define LLM_MAX_TOKENS_CAP	65536
/* The most requests one client keeps in flight. */
#define LLM_MAX_CONCURRENCY	4096

enum llm_outcome {
	LLM_OK = 0,		/* data holds a validated object */
	LLM_INVALID,		/* answers never validated; gave up re-asking */
	LLM_HTTP_FAILED,	/* HTTP/network failure, retries exhausted */
	LLM_TIMEOUT,		/* last failure was a timeout or the deadline */
	LLM_DISABLED		/* provider none: no request made */
};

/*
 * Client settings, normally filled from llm.* by the config module. Strings
 * are copied by llm_client_new(), so the caller keeps ownership.
 * timeout_ms bounds one HTTP attempt; deadline_ms bounds one request from its
 * first attempt to its outcome (attempts, re-asks and waits together).
 */
struct llm_config {
	int	 enabled;
	char	*base_url;		/* NULL = LLM_DEFAULT_BASE_URL */
	char	*api_key;		/* NULL or "" = no Authorization */
	char	*model;			/* NULL = LLM_DEFAULT_MODEL */
	long	 connect_timeout_ms;
	long	 timeout_ms;
	int	 max_retries;		/* transient failures retried */
	int	 max_reasks;		/* follow-up turns for bad JSON */
	int	 max_concurrency;	/* requests in flight per client */
	int64_t	 price_in_per_1m_micros;
	int64_t	 price_out_per_1m_micros;
	int64_t	 backoff_base_ms, backoff_cap_ms;
	int64_t	 retry_after_cap_ms;	/* longest Retry-After honoured */
	int64_t	 deadline_ms;
	size_t	 max_response_bytes;	/* larger bodies are aborted */
};

/*
 * One question. All pointers are borrowed and must outlive llm_run().
 * schema NULL accepts any JSON object (and starts at json_object, since a
 * strict json_schema needs properties). temperature < 0 sends none.
 */
struct llm_result;

struct llm_request {
	const char		*system;	/* may be NULL */
	const char		*user;		/* NULL: made by user_make */
	const struct llm_schema	*schema;
	const char		*schema_name;	/* NULL = "result" */
	int			 max_tokens;	/* 0 = LLM_DEFAULT_MAX_TOKENS */
	double			 temperature;
	void			*tag;		/* untouched by the client */
	/*
	 * When user is NULL and this is not: called at each attempt for
	 * the user prompt (malloc'd; the client frees it once the body is
	 * built), so n requests in flight hold their bodies, not their
	 * prompts as well. NULL from it fails the attempt.
	 */
	char			*(*user_make)(const struct llm_request *req);
	/*
	 * When not NULL, called as soon as the request is over, with its
	 * result filled: it may take over what the result owns (n requests
	 * in flight need not hold n answers until the last one ends).
	 */
	void			(*done)(const struct llm_request *req,
				    struct llm_result *res);
};

/*
 * What happened to one request. attempts counts HTTP requests made (re-asks
 * and parameter retries included); tokens are summed over every answer that
 * reported usage, and cost_micros = (prompt x price_in + completion x
 * price_out) / 1,000,000, rounded down. error never holds the API key or the
 * prompt. Release with llm_result_clear().
 */
struct llm_result {
	int	 outcome;		/* enum llm_outcome */
	json_t	*data;			/* validated object, LLM_OK only */
	int	 attempts;
	int	 reasks;
	int64_t	 prompt_tokens, completion_tokens, cost_micros, latency_ms;
	char	 error[512];
	bool	 temperature_dropped;
	/* "json_schema", "json_object", "text" (static) or NULL (no request) */
	const char *response_format_used;
	long	 http_status;		/* last HTTP status, 0 = none */
};

struct llm_client;

/* Fills cfg with defaults (disabled, 2 retries, 2 re-asks, ...; no strings). */
void	llm_config_defaults(struct llm_config *cfg);

/*
 * Makes a client; call after fork, one per process (it seeds its own jitter
 * generator and owns a curl multi handle). Out-of-range settings are clamped.
 * Returns NULL when curl cannot start. Free with llm_client_free().
 */
struct llm_client *llm_client_new(const struct llm_config *cfg);
void	llm_client_free(struct llm_client *c);

/*
 * Runs n requests concurrently (at most max_concurrency in flight), each
 * with its own retry and re-ask ladder, and fills results[i] (overwritten
 * without freeing: clear old results first). Waits never block other
 * requests and nothing outlives the timeouts. Returns 0 when every request
 * got an outcome (LLM_OK or a failure the caller falls back from), -1 only
 * on bad arguments.
 */
int	llm_run(struct llm_client *c, struct llm_request *reqs,
	    struct llm_result *results, size_t n);

/* Frees what a result owns and zeroes it. NULL is a no-op. */
void	llm_result_clear(struct llm_result *r);

/* "ok", "invalid", "http_failed", "timeout", "disabled". */
const char *llm_outcome_name(int outcome);

#endif
