/*
 * Tests for common/llm_http.c against tests/tools/mock_llm (started per test
 * on a free port): every scripted fault ends with the right outcome,
 * attempts and re-asks, and the mock's request log shows what reached the
 * server.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <curl/curl.h>

#include "auth_fixture.h"
#include "fixture_schema.h"
#include "llm_caps.h"
#include "llm_http.h"
#include "log.h"
#include "unit.h"

#define MOCK_BIN	"build/asan/tests/tools/mock_llm"
#define API_KEY		"sk-test-secret-key-123"
#define PRICE_IN	150000		/* 0.15 per 1M tokens */
#define PRICE_OUT	600000		/* 0.60 per 1M tokens */

struct mock {
	struct fixture_mock	 fm;
	char			*dir;
	char			 script[128];
	char			 log[128];
	char			 url[64];
};

/* One mock at a time; static so teardown can reach it after a failure. */
static struct mock	the_mock;

static void
test_config(struct llm_config *cfg, const char *url, const char *model)
{
	llm_config_defaults(cfg);
	cfg->enabled = 1;
	cfg->base_url = (char *)url;
	cfg->api_key = (char *)API_KEY;
	cfg->model = (char *)model;
	cfg->connect_timeout_ms = 1000;
	cfg->timeout_ms = 3000;
	cfg->max_retries = 2;
	cfg->max_reasks = 2;
	cfg->max_concurrency = 4;
	cfg->price_in_per_1m_micros = PRICE_IN;
	cfg->price_out_per_1m_micros = PRICE_OUT;
	cfg->backoff_base_ms = 10;
	cfg->backoff_cap_ms = 100;
	cfg->retry_after_cap_ms = 200;
	cfg->deadline_ms = 15000;
}

static void
test_request(struct llm_request *r, double temperature)
{
	memset(r, 0, sizeof(*r));
	r->system = "You review BOM lines.";
	r->user = "Line 1: 10k resistor, 100 pcs, approved by rules.";
	r->schema = &fixture_schema;
	r->schema_name = "assessment";
	r->max_tokens = 256;
	r->temperature = temperature;
}

/* Runs one request (see test_request()) on a new client for cfg. */
static void
run_one(const struct llm_config *cfg, double temperature,
    struct llm_result *res)
{
	struct llm_request req;
	struct llm_client *c;

	test_request(&req, temperature);
	assert_non_null(c = llm_client_new(cfg));
	memset(res, 0, sizeof(*res));
	assert_int_equal(llm_run(c, &req, res, 1), 0);
	llm_client_free(c);
}

/*
 * Starts mock_llm with script and fills cfg (test_config()) to reach it
 * with model. A new server: the client forgets what it learned of models.
 */
static struct mock *
mock_start(const char *script, struct llm_config *cfg, const char *model)
{
	struct mock *m = &the_mock;
	const char *argv[] = { MOCK_BIN, "--port", "0", "--script",
	    m->script, "--log", m->log, "--hang-ms", "3000", NULL };
	int fd;

	llm_caps_reset();
	m->dir = fixture_tmpdir("test_llm_http");
	snprintf(m->script, sizeof(m->script), "%.63s/script", m->dir);
	snprintf(m->log, sizeof(m->log), "%.63s/log", m->dir);
	fd = open(m->script, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, script, strlen(script)),
	    (ssize_t)strlen(script));
	close(fd);
	fixture_mock_start(&m->fm, argv);
	snprintf(m->url, sizeof(m->url), "http://127.0.0.1:%d/v1",
	    m->fm.port);
	test_config(cfg, m->url, model);
	return m;
}

/* The mock's chat request log as an array of objects. */
static json_t *
mock_log(const struct mock *m)
{
	json_t *all, *v;
	char line[4096];
	FILE *f;

	all = json_array();
	if ((f = fopen(m->log, "r")) == NULL)
		return all;
	while (fgets(line, sizeof(line), f) != NULL) {
		v = json_loads(line, 0, NULL);
		assert_non_null(v);
		if (strcmp(json_string_value(json_object_get(v, "method")),
		    "POST") == 0)
			json_array_append(all, v);
		json_decref(v);
	}
	fclose(f);
	return all;
}

/* Stops the mock by its pid; returns its wait status (-1 = not running). */
static int
mock_kill(struct mock *m)
{
	int status = fixture_mock_stop(&m->fm);

	if (m->dir != NULL)
		fixture_rmtree(m->dir);
	free(m->dir);
	m->dir = NULL;
	return status;
}

/*
 * Stops the mock, failing the test unless it exits cleanly; its chat
 * request log goes to *log unless log is NULL (caller json_decref()s).
 */
static void
mock_stop(struct mock *m, json_t **log)
{
	int status;

	if (log != NULL)
		*log = mock_log(m);
	status = mock_kill(m);
	/* a sanitizer report in the mock fails the test too */
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* A failed assertion skips mock_stop(): never leave the mock behind. */
static int
test_teardown(void **state)
{
	(void)state;
	if (the_mock.fm.pid > 0 || the_mock.dir != NULL)
		mock_kill(&the_mock);
	return 0;
}

UNIT_EACH(NULL, test_teardown)

/* A client on its own mock (mock_start()) and the test request for it. */
struct session {
	struct llm_config	 cfg;
	struct llm_request	 req;
	struct llm_client	*c;
	struct mock		*m;
};

static void
session_start(struct session *s, const char *script, const char *model)
{
	s->m = mock_start(script, &s->cfg, model);
	assert_non_null(s->c = llm_client_new(&s->cfg));
	test_request(&s->req, 0.2);
}

/* Frees the client, then stops the mock as mock_stop() does. */
static void
session_stop(struct session *s, json_t **log)
{
	llm_client_free(s->c);
	s->c = NULL;
	mock_stop(s->m, log);
}

/* Fails the test, naming what, unless res is outcome after attempts. */
static void
expect_result(const struct llm_result *res, int outcome, int attempts,
    const char *what)
{
	if (res->outcome != outcome || res->attempts != attempts)
		fail_msg("%s: %s after %d attempts (%s), want %s after %d",
		    what, llm_outcome_name(res->outcome), res->attempts,
		    res->error, llm_outcome_name(outcome), attempts);
}

/* Runs the session's request once into res, then expect_result(). */
static void
session_run(struct session *s, struct llm_result *res, int outcome,
    int attempts, const char *what)
{
	assert_int_equal(llm_run(s->c, &s->req, res, 1), 0);
	expect_result(res, outcome, attempts, what);
}

static int64_t
log_sum(const json_t *log, const char *key)
{
	const json_t *v;
	int64_t sum = 0;
	size_t i;

	json_array_foreach(log, i, v)
		sum += json_integer_value(json_object_get(v, key));
	return sum;
}

static const char *
log_str(const json_t *log, size_t i, const char *key)
{
	const char *s = json_string_value(json_object_get(json_array_get(log,
	    i), key));

	return s != NULL ? s : "(null)";
}

static bool
log_bool(const json_t *log, size_t i, const char *key)
{
	return json_is_true(json_object_get(json_array_get(log, i), key));
}

static json_int_t
log_int(const json_t *log, size_t i, const char *key)
{
	return json_integer_value(json_object_get(json_array_get(log, i),
	    key));
}

/* Checks every result against the mock's own accounting. */
static void
check_accounting(const struct llm_result *res, size_t n, const json_t *log)
{
	int64_t p = 0, c = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		assert_int_equal(res[i].cost_micros,
		    (res[i].prompt_tokens * PRICE_IN +
		    res[i].completion_tokens * PRICE_OUT) / 1000000);
		assert_null(strstr(res[i].error, API_KEY));
		p += res[i].prompt_tokens;
		c += res[i].completion_tokens;
	}
	assert_int_equal(p, log_sum(log, "prompt_tokens"));
	assert_int_equal(c, log_sum(log, "completion_tokens"));
}

UNIT_TEST(test_faults)
{
	static const struct {
		const char	*script;
		int		 outcome;
		int		 attempts;
		int		 reasks;
		const char	*format;	/* response_format_used */
		const char	*err;		/* substring of error */
	} rows[] = {
		{ "ok\n", LLM_OK, 1, 0, "json_schema", NULL },
		{ "prose\n", LLM_OK, 1, 0, "json_schema", NULL },
		{ "fence\n", LLM_OK, 1, 0, "json_schema", NULL },
		{ "malformed\n", LLM_OK, 2, 1, "json_schema", NULL },
		{ "invalid\n", LLM_OK, 2, 1, "json_schema", NULL },
		{ "invalid_missing\n", LLM_OK, 2, 1, "json_schema", NULL },
		{ "malformed\ninvalid\n", LLM_OK, 3, 2, "json_schema", NULL },
		{ "invalid\nmalformed\ninvalid\n", LLM_INVALID, 3, 2,
		    "json_schema", "expected one of approved|rejected" },
		{ "429\n", LLM_OK, 2, 0, "json_schema", NULL },
		{ "429_ms\n", LLM_OK, 2, 0, "json_schema", NULL },
		{ "429_date\n", LLM_OK, 2, 0, "json_schema", NULL },
		{ "429_quota\n", LLM_HTTP_FAILED, 1, 0, "json_schema",
		    "http 429: You exceeded your current quota" },
		{ "500\n", LLM_OK, 2, 0, "json_schema", NULL },
		{ "503\n502\n", LLM_OK, 3, 0, "json_schema", NULL },
		{ "408\n", LLM_OK, 2, 0, "json_schema", NULL },
		{ "409\n", LLM_OK, 2, 0, "json_schema", NULL },
		{ "500\n503\n500\n", LLM_HTTP_FAILED, 3, 0, "json_schema",
		    "http 500" },
		{ "504\n504\n504\n", LLM_TIMEOUT, 3, 0, "json_schema",
		    "http 504" },
		{ "400\n", LLM_HTTP_FAILED, 1, 0, "json_schema", "http 400" },
		{ "401\n", LLM_HTTP_FAILED, 1, 0, "json_schema", "http 401" },
		{ "403\n", LLM_HTTP_FAILED, 1, 0, "json_schema", "http 403" },
		{ "404\n", LLM_HTTP_FAILED, 1, 0, "json_schema", "http 404" },
		{ "html\n", LLM_OK, 2, 0, "json_schema", NULL },
		{ "huge\n", LLM_HTTP_FAILED, 1, 0, "json_schema",
		    "response larger than" },
		{ "length\n", LLM_OK, 2, 0, "json_schema", NULL },
		{ "length\nlength\nok\n", LLM_OK, 3, 1, "json_schema", NULL },
		{ "500\nmalformed\n429_ms\n", LLM_OK, 4, 1, "json_schema",
		    NULL },
		{ "reject_json_schema\n", LLM_OK, 2, 0, "json_object", NULL },
		{ "400_param\n", LLM_OK, 2, 0, "json_schema", NULL },
	};
	struct llm_config cfg;
	struct llm_result res;
	struct mock *m;
	json_t *log;
	size_t i, last;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		m = mock_start(rows[i].script, &cfg, "mock-model");
		run_one(&cfg, 0.2, &res);
		mock_stop(m, &log);
		if (res.outcome != rows[i].outcome ||
		    res.attempts != rows[i].attempts ||
		    res.reasks != rows[i].reasks)
			fail_msg("row %zu (%s): outcome %s attempts %d reasks "
			    "%d (%s)", i, rows[i].script,
			    llm_outcome_name(res.outcome), res.attempts,
			    res.reasks, res.error);
		/* every attempt reached the mock, and no more */
		assert_int_equal(json_array_size(log), (size_t)res.attempts);
		assert_string_equal(res.response_format_used, rows[i].format);
		if (rows[i].err != NULL && strstr(res.error, rows[i].err) ==
		    NULL)
			fail_msg("row %zu: error \"%s\" lacks \"%s\"", i,
			    res.error, rows[i].err);
		if (res.outcome == LLM_OK) {
			assert_non_null(res.data);
			assert_string_equal(json_string_value(json_object_get(
			    json_array_get(json_object_get(res.data, "lines"),
			    0), "decision")), "approved");
		} else
			assert_null(res.data);
		last = json_array_size(log) - 1;
		/* a re-ask carries the bad answer and the errors: +2 turns */
		assert_int_equal(log_int(log, last, "messages"),
		    2 + 2 * res.reasks);
		assert_true(log_bool(log, 0, "auth"));
		check_accounting(&res, 1, log);
		assert_true(res.latency_ms >= 0);
		json_decref(log);
		llm_result_clear(&res);
	}
}

/* finish_reason length: the retry doubles the budget, once. */
UNIT_TEST(test_length_budget)
{
	struct llm_config cfg;
	struct llm_result res;
	struct mock *m;
	json_t *log;

	m = mock_start("length\nlength\n", &cfg, "mock-model");
	run_one(&cfg, -1, &res);
	mock_stop(m, &log);
	assert_int_equal(res.outcome, LLM_OK);
	assert_int_equal(json_array_size(log), 3);
	assert_int_equal(log_int(log, 0, "max_tokens"), 256);
	assert_int_equal(log_int(log, 1, "max_tokens"), 512);
	assert_int_equal(log_int(log, 2, "max_tokens"), 512);
	/* no temperature requested, none sent */
	assert_false(log_bool(log, 0, "temperature"));
	assert_false(res.temperature_dropped);
	json_decref(log);
	llm_result_clear(&res);
}

/*
 * A model the client does not know rejects temperature: dropped, retried
 * once, and remembered process-wide so the next client sends none.
 */
UNIT_TEST(test_temperature_learned)
{
	struct llm_config cfg;
	struct llm_result res;
	struct mock *m;
	json_t *log;

	m = mock_start("", &cfg, "acme-nano-2");
	run_one(&cfg, 0.2, &res);
	expect_result(&res, LLM_OK, 2, "first client");
	assert_true(res.temperature_dropped);
	llm_result_clear(&res);

	run_one(&cfg, 0.2, &res);
	expect_result(&res, LLM_OK, 1, "next client");
	assert_false(res.temperature_dropped);
	llm_result_clear(&res);

	mock_stop(m, &log);
	assert_int_equal(json_array_size(log), 3);
	assert_true(log_bool(log, 0, "temperature"));
	assert_string_equal(log_str(log, 0, "fault"), "400_param");
	assert_false(log_bool(log, 1, "temperature"));
	assert_false(log_bool(log, 2, "temperature"));
	assert_string_equal(log_str(log, 2, "fault"), "ok");
	json_decref(log);
}

/* gpt-5 family and o-series: no temperature, max_completion_tokens. */
UNIT_TEST(test_builtin_caps)
{
	static const char *const models[] = {
		"gpt-5-nano", "gpt-5-mini", "openai/gpt-5", "o3-mini", "o1",
		"o4-mini",
	};
	struct llm_config cfg;
	struct llm_result res;
	struct mock *m;
	json_t *log;
	size_t i;

	m = mock_start("", &cfg, models[0]);
	for (i = 0; i < sizeof(models) / sizeof(models[0]); i++) {
		cfg.model = (char *)models[i];
		run_one(&cfg, 0.2, &res);
		expect_result(&res, LLM_OK, 1, models[i]);
		assert_false(res.temperature_dropped);
		llm_result_clear(&res);
	}
	mock_stop(m, &log);
	assert_int_equal(json_array_size(log), i);
	for (i = 0; i < json_array_size(log); i++) {
		assert_false(log_bool(log, i, "temperature"));
		assert_string_equal(log_str(log, i, "max_tokens_key"),
		    "max_completion_tokens");
	}
	json_decref(log);
}

/* A server without json_schema: step down to json_object and remember. */
UNIT_TEST(test_schema_step_down)
{
	struct llm_result res;
	struct session s;
	json_t *log;

	session_start(&s, "", "local-noschema");
	session_run(&s, &res, LLM_OK, 2, "stepping down");
	assert_string_equal(res.response_format_used, "json_object");
	llm_result_clear(&res);
	session_run(&s, &res, LLM_OK, 1, "remembered");
	assert_string_equal(res.response_format_used, "json_object");
	llm_result_clear(&res);
	session_stop(&s, &log);
	assert_int_equal(json_array_size(log), 3);
	assert_string_equal(log_str(log, 0, "response_format"), "json_schema");
	assert_string_equal(log_str(log, 0, "fault"), "reject_json_schema");
	assert_string_equal(log_str(log, 1, "response_format"), "json_object");
	assert_string_equal(log_str(log, 2, "response_format"), "json_object");
	json_decref(log);
}

/* llm_request.user_make: the prompt made at each attempt, as if given. */
static int	user_made;

static char *
make_user(const struct llm_request *req)
{
	(void)req;
	user_made++;
	return xstrdup("Line 1: 10k resistor, 100 pcs, approved by rules.");
}

static char *
make_no_user(const struct llm_request *req)
{
	(void)req;
	user_made++;
	return NULL;
}

UNIT_TEST(test_user_make)
{
	struct llm_result res, given;
	struct session s;
	json_t *log;

	session_start(&s, "ok\n500\n", "mock-model");
	session_run(&s, &given, LLM_OK, 1, "prompt given");
	/* the same body: the mock counts the same prompt tokens */
	s.req.user = NULL;
	s.req.user_make = make_user;
	user_made = 0;
	session_run(&s, &res, LLM_OK, 2, "prompt made");
	assert_int_equal(user_made, 2);
	assert_true(given.prompt_tokens > 0);
	assert_int_equal(res.prompt_tokens, given.prompt_tokens);
	llm_result_clear(&res);
	llm_result_clear(&given);
	/* no prompt: the request fails without reaching the server */
	s.req.user_make = make_no_user;
	user_made = 0;
	session_run(&s, &res, LLM_HTTP_FAILED, 0, "no prompt");
	assert_int_equal(user_made, 1);
	assert_non_null(strstr(res.error, "cannot build request"));
	llm_result_clear(&res);
	session_stop(&s, &log);
	assert_int_equal(json_array_size(log), 3);
	json_decref(log);
}

/* A run under tight limits (test_retry_after_deadline, test_hang). */
struct limits_row {
	const char	*script;
	long		 timeout;
	int		 retries;
	int64_t		 deadline;
	int64_t		 retry_after_cap;
	int		 outcome;
	int		 attempts;	/* 0 = 2 or 3 */
	const char	*err;		/* substring of a failure's error */
};

/*
 * Runs each row on a fresh mock and checks its outcome, attempts and
 * error, and that it never ends later than its deadline.
 */
static void
run_limits(const struct limits_row *rows, size_t n)
{
	const struct limits_row *row;
	struct llm_config cfg;
	struct llm_result res;
	struct mock *m;
	size_t i;

	for (i = 0; i < n; i++) {
		row = &rows[i];
		m = mock_start(row->script, &cfg, "mock-model");
		cfg.timeout_ms = row->timeout;
		cfg.max_retries = row->retries;
		cfg.deadline_ms = row->deadline;
		cfg.retry_after_cap_ms = row->retry_after_cap;
		run_one(&cfg, -1, &res);
		mock_stop(m, NULL);
		if (res.outcome != row->outcome || (row->attempts > 0 &&
		    res.attempts != row->attempts) ||
		    (row->attempts == 0 && (res.attempts < 2 ||
		    res.attempts > 3)))
			fail_msg("row %zu: %s after %d attempts (%s)", i,
			    llm_outcome_name(res.outcome), res.attempts,
			    res.error);
		if (res.outcome != LLM_OK && row->err != NULL)
			assert_non_null(strstr(res.error, row->err));
		/* an upper bound only: never later than the deadline */
		assert_true(res.latency_ms <= row->deadline + 1000);
		llm_result_clear(&res);
	}
}

/*
 * Retry-After is honoured rather than the 10 ms backoff: a 1 s Retry-After
 * does not fit a 500 ms deadline, so the client gives up without a second
 * attempt, while retry-after-ms 50 fits and is retried.
 */
UNIT_TEST(test_retry_after_deadline)
{
	static const struct limits_row rows[] = {
		{ "429\n", 3000, 2, 500, 30000, LLM_HTTP_FAILED, 1,
		    "deadline" },
		{ "429_date\n", 3000, 2, 500, 30000, LLM_HTTP_FAILED, 1,
		    "deadline" },
		{ "429_ms\n", 3000, 2, 500, 30000, LLM_OK, 2, NULL },
		{ "500\n", 3000, 2, 500, 30000, LLM_OK, 2, NULL },
	};

	run_limits(rows, sizeof(rows) / sizeof(rows[0]));
}

/* A hanging server: timeouts are retried, and the deadline always wins. */
UNIT_TEST(test_hang)
{
	static const struct limits_row rows[] = {
		{ "hang\n", 300, 0, 5000, 200, LLM_TIMEOUT, 1, NULL },
		{ "hang\nhang\nhang\n", 300, 2, 5000, 200, LLM_TIMEOUT, 3,
		    NULL },
		{ "hang\nok\n", 300, 2, 5000, 200, LLM_OK, 2, NULL },
		{ "hang\nhang\nhang\n", 300, 2, 700, 200, LLM_TIMEOUT, 0,
		    NULL },
		/* the deadline cuts an attempt short of its own timeout */
		{ "hang\n", 2500, 2, 400, 200, LLM_TIMEOUT, 1, NULL },
	};

	run_limits(rows, sizeof(rows) / sizeof(rows[0]));
}

/* Nothing listening: connection errors retried, then HTTP_FAILED. */
UNIT_TEST(test_outage)
{
	struct sockaddr_in sin;
	socklen_t slen = sizeof(sin);
	struct llm_config cfg;
	struct llm_result res;
	char url[64];
	int s;

	/* a port that was free a moment ago and is closed now */
	s = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(s >= 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&sin, &slen), 0);
	close(s);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/v1",
	    ntohs(sin.sin_port));
	test_config(&cfg, url, "mock-model");
	run_one(&cfg, 0.2, &res);
	expect_result(&res, LLM_HTTP_FAILED, 3, "nothing listening");
	assert_int_equal(res.prompt_tokens, 0);
	assert_int_equal(res.cost_micros, 0);
	assert_non_null(strstr(res.error, "onnect"));
	llm_result_clear(&res);
}

/*
 * Eight requests, at most three in flight, faults spread among them: all
 * finish, the totals add up and the mock never saw more than three.
 */
UNIT_TEST(test_concurrency)
{
	static const char script[] = "500\nslow\n429_ms\nslow\nmalformed\n"
	    "slow\nslow\nslow\nslow\nslow\nslow\nslow\n";
	struct llm_config cfg;
	struct llm_request req[8];
	struct llm_result res[8];
	struct llm_client *c;
	char users[8][64];
	struct mock *m;
	json_t *log, *v;
	int attempts = 0, reasks = 0;
	json_int_t maxin = 0;
	size_t i;

	m = mock_start(script, &cfg, "mock-model");
	cfg.max_concurrency = 3;
	c = llm_client_new(&cfg);
	for (i = 0; i < 8; i++) {
		test_request(&req[i], 0.2);
		snprintf(users[i], sizeof(users[i]), "Line %zu: capacitor", i);
		req[i].user = users[i];
	}
	assert_int_equal(llm_run(c, req, res, 8), 0);
	llm_client_free(c);
	mock_stop(m, &log);
	for (i = 0; i < 8; i++) {
		if (res[i].outcome != LLM_OK)
			fail_msg("request %zu: %s (%s)", i,
			    llm_outcome_name(res[i].outcome), res[i].error);
		attempts += res[i].attempts;
		reasks += res[i].reasks;
	}
	assert_int_equal(attempts, 11);
	assert_int_equal(reasks, 1);
	assert_int_equal(json_array_size(log), 11);
	json_array_foreach(log, i, v)
		if (json_integer_value(json_object_get(v, "inflight")) > maxin)
			maxin = json_integer_value(json_object_get(v,
			    "inflight"));
	assert_true(maxin <= 3);
	assert_true(maxin >= 2);
	check_accounting(res, 8, log);
	json_decref(log);
	for (i = 0; i < 8; i++)
		llm_result_clear(&res[i]);
}

UNIT_TEST(test_disabled)
{
	struct llm_config cfg;
	struct llm_request req[2];
	struct llm_result res[2];
	struct llm_client *c;

	test_config(&cfg, "http://127.0.0.1:1/v1", "mock-model");
	cfg.enabled = 0;
	c = llm_client_new(&cfg);
	test_request(&req[0], 0.2);
	test_request(&req[1], 0.2);
	assert_int_equal(llm_run(c, req, res, 2), 0);
	assert_int_equal(res[0].outcome, LLM_DISABLED);
	assert_int_equal(res[1].outcome, LLM_DISABLED);
	assert_int_equal(res[0].attempts, 0);
	assert_null(res[0].response_format_used);
	assert_int_equal(llm_run(c, req, res, 0), 0);
	assert_int_equal(llm_run(NULL, req, res, 1), -1);
	llm_result_clear(&res[0]);
	llm_result_clear(&res[1]);
	llm_result_clear(NULL);
	llm_client_free(c);
	llm_client_free(NULL);
}

/* The client's warnings would drown the test output. */
static int
group_setup(void **state)
{
	(void)state;
	log_init("test_llm_http", LOG_LEVEL_ERR);
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	curl_global_cleanup();
	return 0;
}
UNIT_GROUP(group_setup, group_teardown)
