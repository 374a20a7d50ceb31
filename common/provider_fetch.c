/*
 * provider_fetch(): every source's requests for a batch on one curl multi
 * handle. Each request waits for its source's token and budget, then runs
 * while the others keep going; a refused token is refreshed once, a 429
 * is waited out, a spent daily limit or refused credentials stop the
 * source, and nothing outlives the fetch's deadline.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "http_fetch.h"
#include "log.h"
#include "provider.h"
#include "provider_http.h"
#include "provider_internal.h"
#include "provider_redis.h"

#define PROVIDER_MAX_INFLIGHT	4	/* requests of one source at once */
#define PROVIDER_LOCK_MS	15000	/* a token refresh takes at most */
#define PROVIDER_LOCK_POLL_MS	100
#define PROVIDER_RETRY_MS	500	/* after a 5xx or a reset */
#define PROVIDER_MAX_RATE_TRIES	2	/* 429s waited out per request */

enum {
	PROVIDER_CALL_WAIT,
	PROVIDER_CALL_RUNNING,
	PROVIDER_CALL_DONE
};

enum {
	PROVIDER_TOKEN_NONE,
	PROVIDER_TOKEN_WAITING,		/* another process refreshes it */
	PROVIDER_TOKEN_FETCHING,	/* our request is running */
	PROVIDER_TOKEN_READY
};

/* The fetch's shared state. */
struct provider_fetch {
	struct provider_set	*ps;
	redisContext		*redis;
	CURLM			*multi;
	struct provider_run	 runs[PROVIDER_COUNT];
	int64_t			 timeout_ms;
	int64_t			 deadline;	/* ms, monotonic */
	int64_t			 deadline_ms;
};

static void
provider_fetch_release(struct provider_fetch *f, struct provider_call *call)
{
	if (call->easy != NULL) {
		curl_multi_remove_handle(f->multi, call->easy);
		curl_easy_cleanup(call->easy);
		call->easy = NULL;
		call->run->inflight--;
	}
	provider_http_clear(call);
}

/* Ends a call: every MPN of it not answered gets outcome and why. */
static void
provider_fetch_end(struct provider_fetch *f, struct provider_call *call,
    enum provider_outcome outcome, const char *why)
{
	struct provider_offers *r;
	size_t k;

	if (call->state == PROVIDER_CALL_DONE)
		return;
	provider_fetch_release(f, call);
	for (k = 0; k < call->nidx; k++) {
		r = &call->run->batch->res[call->run->src->ops->id]
		    [call->idx[k]];
		if (outcome == PROVIDER_OK) {
			provider_call_done(call, k);
			continue;
		}
		if (r->outcome == PROVIDER_OK)
			continue;
		provider_call_fail(call, k, why);
		r->outcome = outcome;
	}
	call->state = PROVIDER_CALL_DONE;
	free(call->token);
	call->token = NULL;
	if (!call->is_token)
		call->run->ndone++;
}

/*
 * Stops a source: its waiting requests end with outcome and why, and its
 * running ones too unless they may finish (they had their budget).
 */
static void
provider_fetch_halt(struct provider_fetch *f, struct provider_run *run,
    enum provider_outcome outcome, const char *why, bool running)
{
	size_t i;

	if (run->tokcall.state != PROVIDER_CALL_DONE) {
		provider_fetch_release(f, &run->tokcall);
		run->tokcall.state = PROVIDER_CALL_DONE;
		provider_redis_token_unlock(f->redis, run->src->prefix,
		    run->owner);
	}
	for (i = 0; i < run->ncalls; i++)
		if (running || run->calls[i].state != PROVIDER_CALL_RUNNING)
			provider_fetch_end(f, &run->calls[i], outcome, why);
	run->stopped = true;
	run->stop_outcome = outcome;
	snprintf(run->stop_why, sizeof(run->stop_why), "%s", why);
}

static void
provider_fetch_stop(struct provider_fetch *f, struct provider_run *run,
    enum provider_outcome outcome, const char *why)
{
	provider_fetch_halt(f, run, outcome, why, true);
}

/* The credentials were refused: one loud line, then the source is off. */
static void
provider_fetch_disable(struct provider_fetch *f, struct provider_run *run,
    const char *why)
{
	char msg[300];
	int fresh;

	fresh = provider_redis_disable(f->redis, run->src->prefix, why);
	if (fresh == 1 || run->src->disabled[0] == '\0')
		log_warnx("providers: %s DISABLED, its credentials were "
		    "refused (%s): fix providers.%s and restart",
		    name_of(&provider_id_names, run->src->ops->id), why,
		    name_of(&provider_id_names, run->src->ops->id));
	snprintf(run->src->disabled, sizeof(run->src->disabled), "%s", why);
	snprintf(msg, sizeof(msg), "disabled: %s", why);
	provider_fetch_stop(f, run, PROVIDER_FAILED, msg);
}

/* Queues call on the multi handle; -1 with why when it cannot. */
static int
provider_fetch_start(struct provider_fetch *f, struct provider_call *call,
    char *why, size_t len)
{
	struct provider_run *run = call->run;
	const struct provider_src *src = run->src;

	if (!call->is_token) {
		free(call->token);
		call->token = run->token != NULL ? xstrdup(run->token) : NULL;
	}
	if (provider_http_prepare(call, src, f->timeout_ms,
	    f->deadline - now_ms(), why, len) == -1)
		return -1;
	if (curl_multi_add_handle(f->multi, call->easy) != CURLM_OK) {
		curl_easy_cleanup(call->easy);
		call->easy = NULL;
		snprintf(why, len, "cannot queue the request");
		return -1;
	}
	run->inflight++;
	run->batch->status[src->ops->id].calls++;
	provider_redis_count(f->redis, name_of(&provider_id_names,
	    src->ops->id), "calls");
	call->state = PROVIDER_CALL_RUNNING;
	return 0;
}

/* Gets the source's token from Redis, or starts or awaits a refresh. */
static void
provider_fetch_token(struct provider_fetch *f, struct provider_run *run,
    int64_t now)
{
	char why[256];
	int r;

	if (run->token_state == PROVIDER_TOKEN_WAITING &&
	    now < run->token_next_at)
		return;
	if ((r = provider_redis_token_get(f->redis, run->src->prefix,
	    &run->token)) == 1) {
		run->token_state = PROVIDER_TOKEN_READY;
		return;
	}
	if (r == -1 || (r = provider_redis_token_lock(f->redis,
	    run->src->prefix, run->owner, PROVIDER_LOCK_MS)) == -1) {
		provider_fetch_stop(f, run, PROVIDER_FAILED,
		    "redis unavailable: no token");
		return;
	}
	if (r == 0) {
		run->token_state = PROVIDER_TOKEN_WAITING;
		run->token_next_at = now + PROVIDER_LOCK_POLL_MS;
		return;
	}
	/* a refresh may have ended between the look and the lock */
	if (provider_redis_token_get(f->redis, run->src->prefix,
	    &run->token) == 1) {
		provider_redis_token_unlock(f->redis, run->src->prefix,
		    run->owner);
		run->token_state = PROVIDER_TOKEN_READY;
		return;
	}
	memset(&run->tokcall, 0, sizeof(run->tokcall));
	run->tokcall.run = run;
	run->tokcall.is_token = true;
	if (provider_fetch_start(f, &run->tokcall, why, sizeof(why)) == -1) {
		provider_fetch_release(f, &run->tokcall);
		run->tokcall.state = PROVIDER_CALL_DONE;
		provider_redis_token_unlock(f->redis, run->src->prefix,
		    run->owner);
		provider_fetch_stop(f, run, PROVIDER_FAILED, why);
		return;
	}
	run->token_state = PROVIDER_TOKEN_FETCHING;
}

/* The token answer: shared through Redis, or the source stops. */
static void
provider_fetch_token_done(struct provider_fetch *f, struct provider_run *run,
    CURLcode cc)
{
	struct provider_call *call = &run->tokcall;
	const char *tok, *err, *desc;
	char why[300];
	json_t *body = NULL;
	int64_t exp, margin;
	bool refused;

	curl_easy_getinfo(call->easy, CURLINFO_RESPONSE_CODE, &call->status);
	if (cc == CURLE_OK)
		body = json_loadb(call->resp.buf.data ? call->resp.buf.data :
		    "", call->resp.buf.len, 0, NULL);
	tok = json_string_value(json_object_get(body, "access_token"));
	exp = provider_json_int(json_object_get(body, "expires_in"), 0);
	err = json_string_value(json_object_get(body, "error"));
	desc = json_string_value(json_object_get(body, "error_description"));
	provider_fetch_release(f, call);
	call->state = PROVIDER_CALL_DONE;
	if (cc == CURLE_OK && call->status == 200 && tok != NULL &&
	    *tok != '\0' && exp > 0) {
		margin = exp > 240 ? 60 : exp / 4;
		if (provider_redis_token_put(f->redis, run->src->prefix, tok,
		    (exp - margin) * 1000, run->owner) == -1)
			log_warnx("providers: %s: token not shared (redis)",
			    name_of(&provider_id_names, run->src->ops->id));
		free(run->token);
		run->token = xstrdup(tok);
		run->token_state = PROVIDER_TOKEN_READY;
		json_decref(body);
		return;
	}
	provider_redis_token_unlock(f->redis, run->src->prefix, run->owner);
	provider_redis_count(f->redis, name_of(&provider_id_names,
	    run->src->ops->id),
	    "errors");
	if (cc != CURLE_OK)
		snprintf(why, sizeof(why), "token: %s", curl_easy_strerror(cc));
	else if (call->status == 200)
		snprintf(why, sizeof(why), "token: answer without "
		    "access_token");
	else
		snprintf(why, sizeof(why), "token: http %ld%s%.*s%s%.*s",
		    call->status, err != NULL ? ": " : "", 64,
		    err != NULL ? err : "", desc != NULL ? " " : "", 120,
		    desc != NULL ? desc : "");
	refused = cc == CURLE_OK && (call->status == 400 ||
	    call->status == 401 || call->status == 403) && (err == NULL ||
	    strcmp(err, "invalid_client") == 0 || strcmp(err,
	    "unauthorized_client") == 0 || strcmp(err, "invalid_scope") == 0);
	json_decref(body);
	if (refused)
		provider_fetch_disable(f, run, why);
	else
		provider_fetch_stop(f, run, PROVIDER_FAILED, why);
}

/* Milliseconds until the next UTC midnight (DigiKey's daily reset). */
static int64_t
provider_fetch_to_midnight(void)
{
	time_t now = time(NULL);

	return (int64_t)(86400 - now % 86400) * 1000;
}

/* Waits for next_at, or gives up when it falls past the deadline. */
static void
provider_fetch_again(struct provider_fetch *f, struct provider_call *call,
    int64_t delay, const char *why)
{
	provider_fetch_release(f, call);
	if (now_ms() + delay >= f->deadline) {
		provider_fetch_end(f, call, PROVIDER_FAILED, why);
		return;
	}
	call->next_at = now_ms() + delay;
	call->state = PROVIDER_CALL_WAIT;
}

/*
 * Sends call again after delay ms while it has retries left (max), else
 * ends it failed. Whether it goes again; why says what went wrong.
 */
static bool
provider_fetch_retry(struct provider_fetch *f, struct provider_call *call,
    int max, int64_t delay, const char *why)
{
	if (call->tries++ >= max) {
		provider_fetch_end(f, call, PROVIDER_FAILED, why);
		return false;
	}
	provider_fetch_again(f, call, delay, why);
	return true;
}

static void
provider_fetch_done(struct provider_fetch *f, struct provider_call *call,
    CURLcode cc)
{
	struct provider_run *run = call->run;
	const struct provider_src *src = run->src;
	const char *name = name_of(&provider_id_names, src->ops->id);
	enum provider_verdict v;
	char why[300], msg[400];
	json_t *body = NULL;
	int64_t ms;

	why[0] = '\0';
	curl_easy_getinfo(call->easy, CURLINFO_RESPONSE_CODE, &call->status);
	if (cc != CURLE_OK) {
		if (call->resp.over || cc == CURLE_FILESIZE_EXCEEDED) {
			snprintf(why, sizeof(why), "answer larger than %d "
			    "bytes", PROVIDER_HTTP_MAX_BODY);
			v = PROVIDER_V_FAILED;
		} else if (cc == CURLE_OPERATION_TIMEDOUT) {
			snprintf(why, sizeof(why), "timeout after %lld ms",
			    (long long)f->timeout_ms);
			v = PROVIDER_V_FAILED;
		} else {
			snprintf(why, sizeof(why), "%s",
			    curl_easy_strerror(cc));
			v = PROVIDER_V_RETRY;
		}
	} else if (call->status >= 500) {
		snprintf(why, sizeof(why), "http %ld", call->status);
		v = PROVIDER_V_RETRY;
	} else {
		body = json_loadb(call->resp.buf.data ? call->resp.buf.data :
		    "", call->resp.buf.len, 0, NULL);
		if (body == NULL && call->status >= 200 &&
		    call->status < 300) {
			snprintf(why, sizeof(why), "http %ld with a body that "
			    "is not JSON", call->status);
			v = PROVIDER_V_FAILED;
		} else
			v = src->ops->answer(call, src, call->status, body,
			    why, sizeof(why));
	}
	json_decref(body);
	if (v != PROVIDER_V_OK)
		provider_redis_count(f->redis, name, "errors");
	switch (v) {
	case PROVIDER_V_OK:
		provider_fetch_end(f, call, PROVIDER_OK, NULL);
		break;
	case PROVIDER_V_RETRY:
		if (provider_fetch_retry(f, call, 1, PROVIDER_RETRY_MS, why))
			log_info("providers: %s: %s, trying again", name, why);
		break;
	case PROVIDER_V_EXPIRED:
		if (call->refreshed) {
			snprintf(msg, sizeof(msg), "token refused again: %s",
			    why);
			provider_fetch_end(f, call, PROVIDER_FAILED, msg);
			break;
		}
		call->refreshed = true;
		/* the first call to see it drops the shared token */
		if (run->token != NULL && call->token != NULL &&
		    strcmp(run->token, call->token) == 0) {
			provider_redis_token_drop(f->redis, src->prefix,
			    run->token);
			free(run->token);
			run->token = NULL;
			run->token_state = PROVIDER_TOKEN_NONE;
		}
		log_info("providers: %s: token refused (%s), refreshing",
		    name, why);
		provider_fetch_again(f, call, 0, why);
		break;
	case PROVIDER_V_CONFIG:
		provider_fetch_disable(f, run, why);
		break;
	case PROVIDER_V_RATE:
		ms = call->retry_after_ms >= 0 ? call->retry_after_ms :
		    (int64_t)1000 << call->tries;
		provider_redis_hold(f->redis, src->prefix, ms, false);
		snprintf(msg, sizeof(msg), "rate limited (%s), retry after "
		    "%lld ms", why, (long long)ms);
		if (provider_fetch_retry(f, call, PROVIDER_MAX_RATE_TRIES, ms,
		    msg))
			log_info("providers: %s: %s", name, msg);
		break;
	case PROVIDER_V_DAY:
		ms = call->day_reset_ms >= 0 ? call->day_reset_ms :
		    call->retry_after_ms >= 0 ? call->retry_after_ms :
		    provider_fetch_to_midnight();
		provider_redis_hold(f->redis, src->prefix, ms, true);
		snprintf(msg, sizeof(msg), "daily limit spent (%s), resets "
		    "in %lld min", why, (long long)(ms + 59999) / 60000);
		log_warnx("providers: %s: %s", name, msg);
		provider_fetch_end(f, call, PROVIDER_NO_BUDGET, msg);
		provider_fetch_halt(f, run, PROVIDER_NO_BUDGET, msg, false);
		break;
	case PROVIDER_V_FAILED:
		provider_fetch_end(f, call, PROVIDER_FAILED, why);
		break;
	}
}

/* Takes a budget token and starts call, or schedules or ends it. */
static void
provider_fetch_try(struct provider_fetch *f, struct provider_call *call,
    int64_t now)
{
	struct provider_run *run = call->run;
	const struct provider_config *c = &run->src->cfg;
	struct provider_budget b;
	char why[300];

	if (provider_redis_budget(f->redis, run->src->prefix, c->per_minute,
	    c->per_day, true, &b) == -1) {
		provider_fetch_end(f, call, PROVIDER_FAILED,
		    "redis unavailable: budget unknown");
		return;
	}
	if (b.status == PROVIDER_BUDGET_DAY) {
		provider_redis_count(f->redis, name_of(&provider_id_names,
		    run->src->ops->id),
		    "no_budget");
		snprintf(why, sizeof(why), "daily budget of %lld requests "
		    "spent, next in %lld min", (long long)c->per_day,
		    (long long)(b.wait_ms + 59999) / 60000);
		provider_fetch_halt(f, run, PROVIDER_NO_BUDGET, why, false);
		return;
	}
	if (b.status == PROVIDER_BUDGET_WAIT) {
		if (now + b.wait_ms < f->deadline) {
			call->next_at = now + b.wait_ms;
			return;
		}
		provider_redis_count(f->redis, name_of(&provider_id_names,
		    run->src->ops->id),
		    "no_budget");
		snprintf(why, sizeof(why), "per-minute budget of %lld "
		    "requests spent, next in %lld ms", (long long)c->per_minute,
		    (long long)b.wait_ms);
		provider_fetch_end(f, call, PROVIDER_NO_BUDGET, why);
		return;
	}
	if (provider_fetch_start(f, call, why, sizeof(why)) == -1)
		provider_fetch_end(f, call, PROVIDER_FAILED, why);
}

/* Starts what can start; the ms until something is due (at most 1000). */
static int64_t
provider_fetch_step(struct provider_fetch *f, int64_t now)
{
	struct provider_run *run;
	struct provider_call *call;
	int64_t wait = 1000;
	size_t i;
	int p;

	for (p = 0; p < PROVIDER_COUNT; p++) {
		run = &f->runs[p];
		if (run->ncalls == 0 || run->ndone == run->ncalls)
			continue;
		/* a request back from a 429 or a 5xx after the stop */
		for (i = 0; run->stopped && i < run->ncalls; i++)
			if (run->calls[i].state == PROVIDER_CALL_WAIT)
				provider_fetch_end(f, &run->calls[i],
				    run->stop_outcome, run->stop_why);
		if (run->stopped)
			continue;
		if (run->src->ops->oauth && (run->token_state ==
		    PROVIDER_TOKEN_NONE || run->token_state ==
		    PROVIDER_TOKEN_WAITING))
			provider_fetch_token(f, run, now);
		if (run->stopped)
			continue;
		if (run->token_state == PROVIDER_TOKEN_WAITING &&
		    run->token_next_at - now < wait)
			wait = run->token_next_at - now;
		if (run->token_state != PROVIDER_TOKEN_READY)
			continue;
		for (i = 0; i < run->ncalls && !run->stopped; i++) {
			call = &run->calls[i];
			if (call->state != PROVIDER_CALL_WAIT)
				continue;
			if (call->next_at <= now &&
			    run->inflight < PROVIDER_MAX_INFLIGHT)
				provider_fetch_try(f, call, now);
			if (call->state == PROVIDER_CALL_WAIT &&
			    run->inflight < PROVIDER_MAX_INFLIGHT &&
			    call->next_at - now < wait)
				wait = call->next_at - now;
		}
	}
	return wait < 0 ? 0 : wait;
}

static bool
provider_fetch_busy(const struct provider_fetch *f)
{
	int p;

	for (p = 0; p < PROVIDER_COUNT; p++)
		if (f->runs[p].ndone < f->runs[p].ncalls)
			return true;
	return false;
}

/* Makes a source's calls for the MPNs asked of it; 0 when none. */
static size_t
provider_fetch_plan(struct provider_fetch *f, struct provider_batch *b,
    enum provider_id id, const unsigned *ask)
{
	struct provider_run *run = &f->runs[id];
	struct provider_call *call = NULL;
	size_t i, per = run->src->ops->per_call, nasked = 0;

	for (i = 0; i < b->n; i++)
		if (ask == NULL || (ask[i] & PROVIDER_BIT(id)))
			nasked++;
	if (nasked == 0)
		return 0;
	b->res[id] = xcalloc(b->n, sizeof(*b->res[id]));
	run->calls = xcalloc((nasked + per - 1) / per, sizeof(*run->calls));
	for (i = 0; i < b->n; i++) {
		if (ask != NULL && !(ask[i] & PROVIDER_BIT(id)))
			continue;
		if (call == NULL || call->nidx == per) {
			call = &run->calls[run->ncalls++];
			call->run = run;
		}
		call->idx[call->nidx++] = i;
	}
	b->status[id].nasked = nasked;
	return nasked;
}

/* Sums up what each source did into b->status. */
static void
provider_fetch_tally(struct provider_fetch *f, struct provider_batch *b)
{
	struct provider_status *st;
	struct provider_offers *r;
	bool failed, nobudget;
	size_t i;
	int p;

	for (p = 0; p < PROVIDER_COUNT; p++) {
		st = &b->status[p];
		if (b->res[p] == NULL)
			continue;
		failed = nobudget = false;
		for (i = 0; i < b->n; i++) {
			r = &b->res[p][i];
			if (r->outcome == PROVIDER_OK) {
				st->nok++;
				st->noffers += r->n;
				continue;
			}
			if (r->outcome == PROVIDER_SKIPPED)
				continue;
			if (r->outcome == PROVIDER_NO_BUDGET)
				nobudget = true;
			else
				failed = true;
			if (st->reason[0] == '\0' && r->reason != NULL)
				snprintf(st->reason, sizeof(st->reason),
				    "%s", r->reason);
		}
		st->outcome = failed ? PROVIDER_FAILED : nobudget ?
		    PROVIDER_NO_BUDGET : PROVIDER_OK;
		st->ms = now_ms() - f->runs[p].started_ms;
	}
}

int
provider_fetch(struct provider_set *ps, redisContext *redis,
    const char *const *mpns, size_t n, const unsigned *ask,
    struct provider_batch *out)
{
	struct provider_fetch f;
	struct provider_run *run;
	struct provider_call *call;
	unsigned char rnd[16];
	char why[300];
	CURLcode cc;
	int64_t now, wait;
	size_t i;
	int p, running;

	if (out == NULL)
		return -1;
	memset(out, 0, sizeof(*out));
	if (ps == NULL || (n > 0 && mpns == NULL))
		return -1;
	memset(&f, 0, sizeof(f));
	f.ps = ps;
	f.redis = redis != NULL && redis->err == 0 ? redis : NULL;
	f.multi = provider_set_multi(ps, &f.timeout_ms, &f.deadline_ms);
	f.deadline = now_ms() + f.deadline_ms;
	out->n = n;
	out->mpns = xcalloc(n ? n : 1, sizeof(*out->mpns));
	for (i = 0; i < n; i++)
		out->mpns[i] = xstrdup(mpns[i] != NULL ? mpns[i] : "");
	out->fetched_at = (int64_t)time(NULL);
	if (random_bytes(rnd, sizeof(rnd)) == -1)
		memset(rnd, 0x5a, sizeof(rnd));
	for (p = 0; p < PROVIDER_COUNT; p++) {
		run = &f.runs[p];
		run->src = provider_set_src(ps, (enum provider_id)p);
		run->batch = out;
		run->started_ms = now_ms();
		run->tokcall.state = PROVIDER_CALL_DONE;
		run->token_state = run->src->ops->oauth ? PROVIDER_TOKEN_NONE :
		    PROVIDER_TOKEN_READY;
		hex_encode(rnd, sizeof(rnd), run->owner);
		if (!run->src->configured || provider_fetch_plan(&f, out,
		    (enum provider_id)p, ask) == 0)
			continue;
		if (f.redis == NULL)
			provider_fetch_stop(&f, run, PROVIDER_FAILED,
			    "redis unavailable: budgets cannot be kept");
		else if (run->src->disabled[0] != '\0') {
			snprintf(why, sizeof(why), "disabled: %s",
			    run->src->disabled);
			provider_fetch_stop(&f, run, PROVIDER_FAILED, why);
		} else if (provider_redis_disabled(f.redis, run->src->prefix,
		    why + 10, sizeof(why) - 10) == 1) {
			memcpy(why, "disabled: ", 10);
			provider_fetch_stop(&f, run, PROVIDER_FAILED, why);
		}
	}
	while (provider_fetch_busy(&f)) {
		now = now_ms();
		if (now >= f.deadline) {
			snprintf(why, sizeof(why), "deadline of %lld ms "
			    "reached", (long long)f.deadline_ms);
			for (p = 0; p < PROVIDER_COUNT; p++)
				provider_fetch_stop(&f, &f.runs[p],
				    PROVIDER_FAILED, why);
			break;
		}
		wait = provider_fetch_step(&f, now);
		curl_multi_perform(f.multi, &running);
		while ((call = http_multi_done(f.multi, &cc)) != NULL) {
			if (call->is_token)
				provider_fetch_token_done(&f, call->run, cc);
			else
				provider_fetch_done(&f, call, cc);
			wait = 0;
		}
		if (wait > f.deadline - now_ms())
			wait = f.deadline - now_ms();
		if (wait > 0)
			curl_multi_poll(f.multi, NULL, 0, (int)wait, NULL);
	}
	provider_fetch_tally(&f, out);
	for (p = 0; p < PROVIDER_COUNT; p++) {
		run = &f.runs[p];
		if (run->tokcall.state != PROVIDER_CALL_DONE) {
			provider_fetch_release(&f, &run->tokcall);
			provider_redis_token_unlock(f.redis, run->src->prefix,
			    run->owner);
		}
		for (i = 0; i < run->ncalls; i++) {
			provider_fetch_release(&f, &run->calls[i]);
			free(run->calls[i].token);
		}
		free(run->calls);
		free(run->token);
	}
	return 0;
}
