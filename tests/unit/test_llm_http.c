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
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <cmocka.h>

#include <curl/curl.h>

#include "llm_caps.h"
#include "llm_http.h"
#include "log.h"

#define MOCK_BIN	"build/asan/tests/tools/mock_llm"
#define API_KEY		"sk-test-secret-key-123"
#define PRICE_IN	150000		/* 0.15 per 1M tokens */
#define PRICE_OUT	600000		/* 0.60 per 1M tokens */

struct mock {
	pid_t	pid;
	int	port;
	char	dir[64];
	char	script[128];
	char	log[128];
	char	url[64];
};

/* One mock at a time; static so teardown can reach it after a failure. */
static struct mock	the_mock;

static const char *const decisions[] = {
	"approved", "rejected", "escalated", NULL
};
static const struct llm_schema s_string = { .type = LLM_T_STRING };
static const struct llm_schema s_decision = {
	.type = LLM_T_STRING, .enums = decisions
};
static const struct llm_schema s_conf = {
	.type = LLM_T_NUMBER, .has_min = true, .min = 0, .has_max = true,
	.max = 1
};
static const struct llm_schema s_line_no = {
	.type = LLM_T_INTEGER, .has_min = true, .min = 1
};
static const struct llm_schema s_reasons = {
	.type = LLM_T_ARRAY, .items = &s_string
};
static const struct llm_field line_fields[] = {
	{ "line", &s_line_no, false },
	{ "decision", &s_decision, false },
	{ "confidence", &s_conf, false },
	{ "reasons", &s_reasons, false },
	{ "risks", &s_reasons, true },
};
static const struct llm_schema s_line = {
	.type = LLM_T_OBJECT, .fields = line_fields,
	.nfields = sizeof(line_fields) / sizeof(line_fields[0])
};
static const struct llm_schema s_lines = {
	.type = LLM_T_ARRAY, .items = &s_line, .min_items = 1
};
static const struct llm_field top_fields[] = {
	{ "lines", &s_lines, false },
};
static const struct llm_schema s_top = {
	.type = LLM_T_OBJECT, .fields = top_fields, .nfields = 1
};

static struct mock *
mock_start(const char *script)
{
	struct mock *m = &the_mock;
	char line[64], *p;
	struct pollfd pfd;
	size_t off = 0;
	ssize_t r;
	int fds[2], fd;

	memset(m, 0, sizeof(*m));
	snprintf(m->dir, sizeof(m->dir), "/tmp/test_llm_http.XXXXXX");
	assert_non_null(mkdtemp(m->dir));
	snprintf(m->script, sizeof(m->script), "%.63s/script", m->dir);
	snprintf(m->log, sizeof(m->log), "%.63s/log", m->dir);
	fd = open(m->script, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, script, strlen(script)),
	    (ssize_t)strlen(script));
	close(fd);
	assert_int_equal(pipe(fds), 0);
	switch ((m->pid = fork())) {
	case -1:
		fail_msg("fork: %s", strerror(errno));
		break;
	case 0:
		/* dies with this test even if the test crashes */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);
		execl(MOCK_BIN, "mock_llm", "--port", "0", "--script",
		    m->script, "--log", m->log, "--hang-ms", "3000",
		    (char *)NULL);
		_exit(127);
	default:
		break;
	}
	close(fds[1]);
	pfd.fd = fds[0];
	pfd.events = POLLIN;
	while (off < sizeof(line) - 1 && memchr(line, '\n', off) == NULL) {
		if (poll(&pfd, 1, 10000) != 1)
			fail_msg("mock_llm did not print its port");
		r = read(fds[0], line + off, sizeof(line) - 1 - off);
		if (r <= 0)
			fail_msg("mock_llm exited before printing its port");
		off += (size_t)r;
	}
	close(fds[0]);
	line[off] = '\0';
	assert_int_equal(strncmp(line, "port=", 5), 0);
	m->port = (int)strtol(line + 5, &p, 10);
	assert_true(m->port > 0);
	snprintf(m->url, sizeof(m->url), "http://127.0.0.1:%d/v1", m->port);
	return m;
}

/* Stops the mock by its pid; returns its wait status (-1 = not running). */
static int
mock_kill(struct mock *m)
{
	int status = -1, i;

	if (m->pid > 0) {
		kill(m->pid, SIGTERM);
		for (i = 0; i < 500; i++) {
			if (waitpid(m->pid, &status, WNOHANG) == m->pid)
				break;
			usleep(10000);
		}
		if (i == 500) {
			kill(m->pid, SIGKILL);
			waitpid(m->pid, &status, 0);
		}
		m->pid = 0;
	}
	unlink(m->script);
	unlink(m->log);
	rmdir(m->dir);
	return status;
}

static void
mock_stop(struct mock *m)
{
	int status = mock_kill(m);

	/* a sanitizer report in the mock fails the test too */
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* A failed assertion skips mock_stop(): never leave the mock behind. */
static int
test_teardown(void **state)
{
	(void)state;
	if (the_mock.pid > 0)
		mock_kill(&the_mock);
	return 0;
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
	r->schema = &s_top;
	r->schema_name = "assessment";
	r->max_tokens = 256;
	r->temperature = temperature;
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

static void
test_faults(void **state)
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
	struct llm_request req;
	struct llm_result res;
	struct llm_client *c;
	struct mock *m;
	json_t *log;
	size_t i, last;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		llm_caps_reset();
		m = mock_start(rows[i].script);
		test_config(&cfg, m->url, "mock-model");
		assert_non_null(c = llm_client_new(&cfg));
		test_request(&req, 0.2);
		memset(&res, 0, sizeof(res));
		assert_int_equal(llm_run(c, &req, &res, 1), 0);
		llm_client_free(c);
		log = mock_log(m);
		mock_stop(m);
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
		assert_int_equal(json_integer_value(json_object_get(
		    json_array_get(log, last), "messages")),
		    2 + 2 * res.reasks);
		assert_true(log_bool(log, 0, "auth"));
		check_accounting(&res, 1, log);
		assert_true(res.latency_ms >= 0);
		json_decref(log);
		llm_result_clear(&res);
	}
}

/* finish_reason length: the retry doubles the budget, once. */
static void
test_length_budget(void **state)
{
	struct llm_config cfg;
	struct llm_request req;
	struct llm_result res;
	struct llm_client *c;
	struct mock *m;
	json_t *log;

	(void)state;
	llm_caps_reset();
	m = mock_start("length\nlength\n");
	test_config(&cfg, m->url, "mock-model");
	c = llm_client_new(&cfg);
	test_request(&req, -1);
	assert_int_equal(llm_run(c, &req, &res, 1), 0);
	llm_client_free(c);
	log = mock_log(m);
	mock_stop(m);
	assert_int_equal(res.outcome, LLM_OK);
	assert_int_equal(json_array_size(log), 3);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(log,
	    0), "max_tokens")), 256);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(log,
	    1), "max_tokens")), 512);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(log,
	    2), "max_tokens")), 512);
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
static void
test_temperature_learned(void **state)
{
	struct llm_config cfg;
	struct llm_request req;
	struct llm_result res;
	struct llm_client *c;
	struct mock *m;
	json_t *log;

	(void)state;
	llm_caps_reset();
	m = mock_start("");
	test_config(&cfg, m->url, "acme-nano-2");
	c = llm_client_new(&cfg);
	test_request(&req, 0.2);
	assert_int_equal(llm_run(c, &req, &res, 1), 0);
	llm_client_free(c);
	assert_int_equal(res.outcome, LLM_OK);
	assert_int_equal(res.attempts, 2);
	assert_true(res.temperature_dropped);
	llm_result_clear(&res);

	c = llm_client_new(&cfg);
	assert_int_equal(llm_run(c, &req, &res, 1), 0);
	llm_client_free(c);
	assert_int_equal(res.outcome, LLM_OK);
	assert_int_equal(res.attempts, 1);
	assert_false(res.temperature_dropped);
	llm_result_clear(&res);

	log = mock_log(m);
	mock_stop(m);
	assert_int_equal(json_array_size(log), 3);
	assert_true(log_bool(log, 0, "temperature"));
	assert_string_equal(log_str(log, 0, "fault"), "400_param");
	assert_false(log_bool(log, 1, "temperature"));
	assert_false(log_bool(log, 2, "temperature"));
	assert_string_equal(log_str(log, 2, "fault"), "ok");
	json_decref(log);
}

/* gpt-5 family and o-series: no temperature, max_completion_tokens. */
static void
test_builtin_caps(void **state)
{
	static const char *const models[] = {
		"gpt-5-nano", "gpt-5-mini", "openai/gpt-5", "o3-mini", "o1",
		"o4-mini",
	};
	struct llm_config cfg;
	struct llm_request req;
	struct llm_result res;
	struct llm_client *c;
	struct mock *m;
	json_t *log;
	size_t i;

	(void)state;
	llm_caps_reset();
	m = mock_start("");
	for (i = 0; i < sizeof(models) / sizeof(models[0]); i++) {
		test_config(&cfg, m->url, models[i]);
		c = llm_client_new(&cfg);
		test_request(&req, 0.2);
		assert_int_equal(llm_run(c, &req, &res, 1), 0);
		llm_client_free(c);
		if (res.outcome != LLM_OK || res.attempts != 1)
			fail_msg("%s: %s after %d attempts (%s)", models[i],
			    llm_outcome_name(res.outcome), res.attempts,
			    res.error);
		assert_false(res.temperature_dropped);
		llm_result_clear(&res);
	}
	log = mock_log(m);
	mock_stop(m);
	assert_int_equal(json_array_size(log), i);
	for (i = 0; i < json_array_size(log); i++) {
		assert_false(log_bool(log, i, "temperature"));
		assert_string_equal(log_str(log, i, "max_tokens_key"),
		    "max_completion_tokens");
	}
	json_decref(log);
}

/* A server without json_schema: step down to json_object and remember. */
static void
test_schema_step_down(void **state)
{
	struct llm_config cfg;
	struct llm_request req;
	struct llm_result res;
	struct llm_client *c;
	struct mock *m;
	json_t *log;

	(void)state;
	llm_caps_reset();
	m = mock_start("");
	test_config(&cfg, m->url, "local-noschema");
	c = llm_client_new(&cfg);
	test_request(&req, 0.2);
	assert_int_equal(llm_run(c, &req, &res, 1), 0);
	assert_int_equal(res.outcome, LLM_OK);
	assert_int_equal(res.attempts, 2);
	assert_string_equal(res.response_format_used, "json_object");
	llm_result_clear(&res);
	assert_int_equal(llm_run(c, &req, &res, 1), 0);
	llm_client_free(c);
	assert_int_equal(res.outcome, LLM_OK);
	assert_int_equal(res.attempts, 1);
	assert_string_equal(res.response_format_used, "json_object");
	llm_result_clear(&res);
	log = mock_log(m);
	mock_stop(m);
	assert_int_equal(json_array_size(log), 3);
	assert_string_equal(log_str(log, 0, "response_format"), "json_schema");
	assert_string_equal(log_str(log, 0, "fault"), "reject_json_schema");
	assert_string_equal(log_str(log, 1, "response_format"), "json_object");
	assert_string_equal(log_str(log, 2, "response_format"), "json_object");
	json_decref(log);
}

/*
 * Retry-After is honoured rather than the 10 ms backoff: a 1 s Retry-After
 * does not fit a 500 ms deadline, so the client gives up without a second
 * attempt, while retry-after-ms 50 fits and is retried.
 */
static void
test_retry_after_deadline(void **state)
{
	static const struct {
		const char	*script;
		int		 outcome;
		int		 attempts;
	} rows[] = {
		{ "429\n", LLM_HTTP_FAILED, 1 },
		{ "429_date\n", LLM_HTTP_FAILED, 1 },
		{ "429_ms\n", LLM_OK, 2 },
		{ "500\n", LLM_OK, 2 },
	};
	struct llm_config cfg;
	struct llm_request req;
	struct llm_result res;
	struct llm_client *c;
	struct mock *m;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		m = mock_start(rows[i].script);
		test_config(&cfg, m->url, "mock-model");
		cfg.retry_after_cap_ms = 30000;
		cfg.deadline_ms = 500;
		c = llm_client_new(&cfg);
		test_request(&req, -1);
		assert_int_equal(llm_run(c, &req, &res, 1), 0);
		llm_client_free(c);
		mock_stop(m);
		if (res.outcome != rows[i].outcome ||
		    res.attempts != rows[i].attempts)
			fail_msg("row %zu: %s after %d attempts (%s)", i,
			    llm_outcome_name(res.outcome), res.attempts,
			    res.error);
		if (res.outcome != LLM_OK)
			assert_non_null(strstr(res.error, "deadline"));
		llm_result_clear(&res);
	}
}

/* A hanging server: timeouts are retried, and the deadline always wins. */
static void
test_hang(void **state)
{
	static const struct {
		const char	*script;
		long		 timeout;
		int		 retries;
		int64_t		 deadline;
		int		 outcome;
		int		 attempts;	/* 0 = 2 or 3 */
	} rows[] = {
		{ "hang\n", 300, 0, 5000, LLM_TIMEOUT, 1 },
		{ "hang\nhang\nhang\n", 300, 2, 5000, LLM_TIMEOUT, 3 },
		{ "hang\nok\n", 300, 2, 5000, LLM_OK, 2 },
		{ "hang\nhang\nhang\n", 300, 2, 700, LLM_TIMEOUT, 0 },
		/* the deadline cuts an attempt short of its own timeout */
		{ "hang\n", 2500, 2, 400, LLM_TIMEOUT, 1 },
	};
	struct llm_config cfg;
	struct llm_request req;
	struct llm_result res;
	struct llm_client *c;
	struct mock *m;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		m = mock_start(rows[i].script);
		test_config(&cfg, m->url, "mock-model");
		cfg.timeout_ms = rows[i].timeout;
		cfg.max_retries = rows[i].retries;
		cfg.deadline_ms = rows[i].deadline;
		c = llm_client_new(&cfg);
		test_request(&req, -1);
		assert_int_equal(llm_run(c, &req, &res, 1), 0);
		llm_client_free(c);
		mock_stop(m);
		if (res.outcome != rows[i].outcome || (rows[i].attempts > 0 &&
		    res.attempts != rows[i].attempts) ||
		    (rows[i].attempts == 0 && (res.attempts < 2 ||
		    res.attempts > 3)))
			fail_msg("row %zu: %s after %d attempts (%s)", i,
			    llm_outcome_name(res.outcome), res.attempts,
			    res.error);
		/* an upper bound only: never later than the deadline */
		assert_true(res.latency_ms <= rows[i].deadline + 1000);
		llm_result_clear(&res);
	}
}

/* Nothing listening: connection errors retried, then HTTP_FAILED. */
static void
test_outage(void **state)
{
	struct sockaddr_in sin;
	socklen_t slen = sizeof(sin);
	struct llm_config cfg;
	struct llm_request req;
	struct llm_result res;
	struct llm_client *c;
	char url[64];
	int s;

	(void)state;
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
	c = llm_client_new(&cfg);
	test_request(&req, 0.2);
	assert_int_equal(llm_run(c, &req, &res, 1), 0);
	llm_client_free(c);
	assert_int_equal(res.outcome, LLM_HTTP_FAILED);
	assert_int_equal(res.attempts, 3);
	assert_int_equal(res.prompt_tokens, 0);
	assert_int_equal(res.cost_micros, 0);
	assert_non_null(strstr(res.error, "onnect"));
	llm_result_clear(&res);
}

/*
 * Eight requests, at most three in flight, faults spread among them: all
 * finish, the totals add up and the mock never saw more than three.
 */
static void
test_concurrency(void **state)
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

	(void)state;
	llm_caps_reset();
	m = mock_start(script);
	test_config(&cfg, m->url, "mock-model");
	cfg.max_concurrency = 3;
	c = llm_client_new(&cfg);
	for (i = 0; i < 8; i++) {
		test_request(&req[i], 0.2);
		snprintf(users[i], sizeof(users[i]), "Line %zu: capacitor", i);
		req[i].user = users[i];
	}
	assert_int_equal(llm_run(c, req, res, 8), 0);
	llm_client_free(c);
	log = mock_log(m);
	mock_stop(m);
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

static void
test_disabled(void **state)
{
	struct llm_config cfg;
	struct llm_request req[2];
	struct llm_result res[2];
	struct llm_client *c;

	(void)state;
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

static int
group_teardown(void **state)
{
	(void)state;
	curl_global_cleanup();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_faults,
		    test_teardown),
		cmocka_unit_test_teardown(test_length_budget,
		    test_teardown),
		cmocka_unit_test_teardown(test_temperature_learned,
		    test_teardown),
		cmocka_unit_test_teardown(test_builtin_caps,
		    test_teardown),
		cmocka_unit_test_teardown(test_schema_step_down,
		    test_teardown),
		cmocka_unit_test_teardown(test_retry_after_deadline,
		    test_teardown),
		cmocka_unit_test_teardown(test_hang,
		    test_teardown),
		cmocka_unit_test_teardown(test_outage,
		    test_teardown),
		cmocka_unit_test_teardown(test_concurrency,
		    test_teardown),
		cmocka_unit_test_teardown(test_disabled,
		    test_teardown),
	};

	/* the client's warnings would drown the test output */
	log_init("test_llm_http", LOG_LEVEL_ERR);
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("llm_http", tests, NULL,
	    group_teardown);
}
