/*
 * OpenAI-compatible routes: GET /v1/models and POST /v1/chat/completions.
 * As the original, the system message picks the task: BOM analysis or
 * sourcing strategies (JSON, api_chat_tasks.c), else a general answer
 * built from the caller's own data (recent projects, a project named by
 * id, banned parts, blocked suppliers); with an LLM it is phrased by the
 * model, and without one, or when it fails, it is that data. "stream":
 * true answers as OpenAI streams (Server-Sent Events, then [DONE]).
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api_chat_tasks.h"
#include "api_db.h"
#include "api_internal.h"
#include "api_limit.h"
#include "api_openai.h"
#include "api_reply.h"
#include "api_request.h"
#include "config.h"
#include "db.h"
#include "llm_http.h"
#include "log.h"
#include "util.h"

#define API_OPENAI_MODEL_ID		"bom-agent"
#define API_OPENAI_OWNER		"bom-agent-service"
#define API_OPENAI_CREATED		1735689600	/* 2025-01-01, fixed */
#define API_OPENAI_MAX_MESSAGES	64
#define API_OPENAI_MAX_MODEL	256
/* A summary lists 10 recent projects, 200 lines of a named project and
 * 50 banned parts and blocked suppliers (the LIMITs below). */
#define API_OPENAI_MAX_IDS		3	/* project ids looked up */
#define API_OPENAI_HISTORY_MAX	4000	/* bytes of earlier turns */
#define API_OPENAI_TURN_MAX	1000	/* bytes of one earlier turn */
#define API_OPENAI_REASONING_MAX	200	/* bytes of one line's reason */
#define API_OPENAI_CHUNK		64	/* bytes of a streamed delta */

/* A timestamptz column as RFC 3339 UTC to the second, for reading. */
#define API_OPENAI_TS(col) "to_char(" col " AT TIME ZONE 'UTC', " \
	"'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/*
 * The API process's LLM clients, made on first use: one per chat under way
 * (a client is not thread-safe), so no chat waits for another's LLM call;
 * the lock guards only taking and giving back.
 */
#define API_OPENAI_CLIENTS	16	/* at most the request threads */
static pthread_mutex_t api_openai_llm_mu = PTHREAD_MUTEX_INITIALIZER;
static struct llm_client *api_openai_llm[API_OPENAI_CLIENTS];
static bool api_openai_llm_busy[API_OPENAI_CLIENTS];

static const struct llm_schema api_openai_s_answer = {
	.type = LLM_T_STRING,
	.description = "the answer for the user, plain text"
};
static const struct llm_field api_openai_f_top[] = {
	{ "answer", &api_openai_s_answer, false },
};
static const struct llm_schema api_openai_s_top = {
	LLM_OBJECT(api_openai_f_top)
};

/* The original's tasks, chosen by the system message. */
enum api_openai_task {
	API_OPENAI_GENERAL,
	API_OPENAI_ANALYZE_BOM,		/* "analyze" and "bom" */
	API_OPENAI_STRATEGIES		/* "optimization" or "strategies" */
};

enum MHD_Result
api_openai_models(struct MHD_Connection *c, struct api_request *r)
{
	(void)r;
	return api_json(c, MHD_HTTP_OK, json_pack("{s:s, s:[{s:s, s:s, s:i, "
	    "s:s}]}", "object", "list", "data", "id", API_OPENAI_MODEL_ID,
	    "object", "model", "created", API_OPENAI_CREATED, "owned_by",
	    API_OPENAI_OWNER));
}

/* Appends at most max bytes of s, cut on a UTF-8 boundary, "..." if cut. */
static void
api_openai_cut(struct buf *b, const char *s, size_t len, size_t max)
{
	size_t n = len;

	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	buf_append(b, s, n);
	if (n < len)
		buf_puts(b, "...");
}

/* A message's text: a string, or an array of {type: text, text} parts. */
static int
api_openai_content(const json_t *content, struct buf *out)
{
	const json_t *part, *text;
	size_t i;

	if (json_is_string(content)) {
		buf_append(out, json_string_value(content),
		    json_string_length(content));
		return 0;
	}
	if (!json_is_array(content))
		return -1;
	json_array_foreach(content, i, part) {
		text = json_object_get(part, "text");
		if (!json_is_object(part) || !json_is_string(text))
			return -1;
		if (out->len > 0)
			buf_puts(out, "\n");
		buf_append(out, json_string_value(text),
		    json_string_length(text));
	}
	return 0;
}

unsigned int
api_openai_parse(const json_t *body, struct api_openai_chat *chat, char *err,
    size_t errlen)
{
	static const char *const roles[] = { "system", "developer", "user",
	    "assistant", "tool", NULL };
	const json_t *model, *msgs, *m, *role, *temp, *stream;
	struct buf text;
	size_t i, k, last_user = 0;
	bool have_user = false;

	model = json_object_get(body, "model");
	chat->model = API_OPENAI_MODEL_ID;
	if (model != NULL && !json_is_null(model) && (!json_is_string(model) ||
	    json_string_length(model) == 0 ||
	    json_string_length(model) > API_OPENAI_MAX_MODEL)) {
		snprintf(err, errlen, "model: a model name such as \"%s\" "
		    "(the default)", API_OPENAI_MODEL_ID);
		return API_HTTP_UNPROCESSABLE;
	}
	if (json_is_string(model))
		chat->model = json_string_value(model);
	temp = json_object_get(body, "temperature");
	chat->temperature = -1;
	if (temp != NULL && !json_is_null(temp)) {
		if (!json_is_number(temp) || json_number_value(temp) < 0 ||
		    json_number_value(temp) > 2) {
			snprintf(err, errlen, "temperature: expected a number "
			    "from 0 to 2");
			return API_HTTP_UNPROCESSABLE;
		}
		chat->temperature = json_number_value(temp);
	}
	stream = json_object_get(body, "stream");
	if (stream != NULL && !json_is_null(stream) &&
	    !json_is_boolean(stream)) {
		snprintf(err, errlen, "stream: expected true or false");
		return API_HTTP_UNPROCESSABLE;
	}
	chat->stream = json_is_true(stream);
	msgs = json_object_get(body, "messages");
	if (!json_is_array(msgs) || json_array_size(msgs) == 0 ||
	    json_array_size(msgs) > API_OPENAI_MAX_MESSAGES) {
		snprintf(err, errlen, "messages: required, a list of 1 to %d "
		    "messages {role, content}", API_OPENAI_MAX_MESSAGES);
		return API_HTTP_UNPROCESSABLE;
	}
	json_array_foreach(msgs, i, m) {
		role = json_object_get(m, "role");
		if (!json_is_object(m) || !json_is_string(role)) {
			snprintf(err, errlen, "messages[%zu].role: required",
			    i);
			return API_HTTP_UNPROCESSABLE;
		}
		for (k = 0; roles[k] != NULL; k++)
			if (strcmp(json_string_value(role), roles[k]) == 0)
				break;
		if (roles[k] == NULL) {
			snprintf(err, errlen, "messages[%zu].role: expected "
			    "system, developer, user, assistant or tool", i);
			return API_HTTP_UNPROCESSABLE;
		}
		buf_init(&text);
		if (api_openai_content(json_object_get(m, "content"), &text) ==
		    -1 && !(strcmp(roles[k], "assistant") == 0 &&
		    json_is_null(json_object_get(m, "content")))) {
			buf_free(&text);
			snprintf(err, errlen, "messages[%zu].content: expected "
			    "a string", i);
			return API_HTTP_UNPROCESSABLE;
		}
		if (strcmp(roles[k], "user") == 0 && text.len > 0) {
			have_user = true;
			last_user = i;
		}
		buf_free(&text);
	}
	if (!have_user) {
		snprintf(err, errlen, "messages: no user message with content");
		return API_HTTP_UNPROCESSABLE;
	}
	/* the question, and the turns before it for context */
	json_array_foreach(msgs, i, m) {
		buf_init(&text);
		api_openai_content(json_object_get(m, "content"), &text);
		if (i == last_user)
			buf_append(&chat->question, text.data, text.len);
		else if (strcmp(json_string_value(json_object_get(m, "role")),
		    "system") == 0) {
			/* the last one counts, as in the original */
			buf_free(&chat->system);
			buf_append(&chat->system, text.data, text.len);
		}
		else if (i < last_user && text.len > 0 &&
		    chat->history.len < API_OPENAI_HISTORY_MAX) {
			buf_printf(&chat->history, "%s: ",
			    json_string_value(json_object_get(m, "role")));
			api_openai_cut(&chat->history, text.data, text.len,
			    API_OPENAI_TURN_MAX);
			buf_puts(&chat->history, "\n");
		}
		buf_free(&text);
	}
	return 0;
}

/* Canonical project ids found in text (lower case), at most max. */
static size_t
api_openai_ids(const char *text, char ids[][UUID_BUFSZ], size_t max)
{
	size_t n = 0, i, k, len = strlen(text);
	char cand[UUID_BUFSZ];

	for (i = 0; i + UUID_STRLEN <= len && n < max; i++) {
		if (i > 0 && isxdigit((unsigned char)text[i - 1]))
			continue;
		memcpy(cand, text + i, UUID_STRLEN);
		cand[UUID_STRLEN] = '\0';
		if (!uuid_valid(cand) ||
		    isxdigit((unsigned char)text[i + UUID_STRLEN]))
			continue;
		for (k = 0; k < UUID_STRLEN; k++)
			cand[k] = (char)tolower((unsigned char)cand[k]);
		for (k = 0; k < n; k++)
			if (strcmp(ids[k], cand) == 0)
				break;
		if (k == n)
			memcpy(ids[n++], cand, UUID_BUFSZ);
		i += UUID_STRLEN - 1;	/* past the id (the loop adds 1) */
	}
	return n;
}

/* "3 lines: 2 approved, 1 rejected, 0 escalated, approved total 1.20 USD" */
static void
api_openai_totals(struct buf *b, const char *totals_text)
{
	json_t *t = totals_text ? json_loads(totals_text, 0, NULL) : NULL;
	json_int_t a, rj, e, micros;
	char money[32];

	if (!json_is_object(t)) {
		buf_puts(b, "no decisions yet");
		json_decref(t);
		return;
	}
	a = json_integer_value(json_object_get(t, "approved"));
	rj = json_integer_value(json_object_get(t, "rejected"));
	e = json_integer_value(json_object_get(t, "escalated"));
	micros = json_integer_value(json_object_get(t,
	    "extended_price_micros"));
	money_format(micros, money, sizeof(money));
	buf_printf(b, "%lld approved, %lld rejected, %lld escalated; approved "
	    "total %s %s", (long long)a, (long long)rj, (long long)e, money,
	    json_string_value(json_object_get(t, "currency")) ?
	    json_string_value(json_object_get(t, "currency")) : "USD");
	json_decref(t);
}

static void
api_openai_money_col(struct buf *b, PGresult *res, int row, int col)
{
	char money[32];

	if (PQgetisnull(res, row, col)) {
		buf_puts(b, "-");
		return;
	}
	money_format(atoll(PQgetvalue(res, row, col)), money, sizeof(money));
	buf_puts(b, money);
}

/* One named project with its line decisions; 1 found, 0 not, -1 error. */
static int
api_openai_project(PGconn *db, const char *client_id, const char *id,
    struct buf *b)
{
	const char *params[2] = { client_id, id };
	PGresult *res, *lines;
	const char *reason;
	int i;

	res = db_query(db, "SELECT name, status, totals::text, "
	    API_OPENAI_TS("created_at") " FROM projects WHERE client_id = $1 "
	    "AND project_id = $2", 2, params, NULL, 0);
	if (res == NULL)
		return -1;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return 0;
	}
	buf_printf(b, "\nProject %s \"%s\" (status %s, created %s): ", id,
	    PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1),
	    PQgetvalue(res, 0, 3));
	api_openai_totals(b, PQgetisnull(res, 0, 2) ? NULL :
	    PQgetvalue(res, 0, 2));
	buf_puts(b, "\n");
	PQclear(res);
	lines = db_query(db, "SELECT line_no, mpn, quantity, "
	    "coalesce(final_decision->>'status', status), selected_mpn, "
	    "selected_supplier, order_quantity, unit_price_micros, "
	    "extended_price_micros, coalesce(currency, ''), "
	    "coalesce(final_decision->>'reasoning', '') FROM line_items "
	    "WHERE client_id = $1 AND project_id = $2 ORDER BY line_no "
	    "LIMIT 200", 2, params, NULL, 0);
	if (lines == NULL)
		return -1;
	for (i = 0; i < PQntuples(lines); i++) {
		buf_printf(b, "- line %s %s x%s: %s", PQgetvalue(lines, i, 0),
		    PQgetvalue(lines, i, 1), PQgetvalue(lines, i, 2),
		    PQgetvalue(lines, i, 3));
		if (!PQgetisnull(lines, i, 4)) {
			buf_printf(b, ", %s from %s, order %s at ",
			    PQgetvalue(lines, i, 4), PQgetvalue(lines, i, 5),
			    PQgetvalue(lines, i, 6));
			api_openai_money_col(b, lines, i, 7);
			buf_puts(b, " each, ");
			api_openai_money_col(b, lines, i, 8);
			buf_printf(b, " %s", PQgetvalue(lines, i, 9));
		}
		reason = PQgetvalue(lines, i, 10);
		if (*reason != '\0') {
			buf_puts(b, " (");
			api_openai_cut(b, reason, strlen(reason),
			    API_OPENAI_REASONING_MAX);
			buf_puts(b, ")");
		}
		buf_puts(b, "\n");
	}
	PQclear(lines);
	return 1;
}

/*
 * Appends "\n<title>: " and the first column of sql's rows for client_id
 * ($1), joined by ", " ("none" without rows). 0, or -1 on db trouble.
 */
static int
api_openai_names(PGconn *db, const char *client_id, const char *title,
    const char *sql, struct buf *b)
{
	PGresult *res;
	int i;

	if ((res = db_query(db, sql, 1, (const char *[]){ client_id }, NULL,
	    0)) == NULL)
		return -1;
	buf_printf(b, "\n%s: %s", title, PQntuples(res) == 0 ? "none" : "");
	for (i = 0; i < PQntuples(res); i++)
		buf_printf(b, "%s%s", i > 0 ? ", " : "", PQgetvalue(res, i, 0));
	PQclear(res);
	return 0;
}

/*
 * The caller's data as text. Every query filters by the caller's client;
 * an id that is not theirs reads like one that does not exist. 0 or -1.
 */
static int
api_openai_summary(struct api_request *r, const char *question, struct buf *b)
{
	const char *params[1] = { r->client_id };
	char ids[API_OPENAI_MAX_IDS][UUID_BUFSZ];
	PGresult *res = NULL;
	PGconn *db;
	size_t nids, k;
	int i, rc = -1, found, missing = 0;

	if ((db = api_db_get(r)) == NULL)
		return -1;
	res = db_query(db, "SELECT project_id, name, status, totals::text, "
	    API_OPENAI_TS("created_at") " FROM projects WHERE client_id = $1 "
	    "ORDER BY created_at DESC, project_id LIMIT 10", 1, params, NULL,
	    0);
	if (res == NULL)
		goto out;
	if (PQntuples(res) == 0)
		buf_puts(b, "You have no projects yet.\n");
	else
		buf_printf(b, "Your projects, most recent first (%d shown):\n",
		    PQntuples(res));
	for (i = 0; i < PQntuples(res); i++) {
		buf_printf(b, "- %s \"%s\": %s, created %s; ",
		    PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
		    PQgetvalue(res, i, 2), PQgetvalue(res, i, 4));
		api_openai_totals(b, PQgetisnull(res, i, 3) ? NULL :
		    PQgetvalue(res, i, 3));
		buf_puts(b, "\n");
	}
	PQclear(res);
	res = NULL;

	nids = api_openai_ids(question, ids, API_OPENAI_MAX_IDS);
	for (k = 0; k < nids; k++) {
		if ((found = api_openai_project(db, r->client_id, ids[k], b)) ==
		    -1)
			goto out;
		missing += found == 0;
	}
	if (missing > 0)
		buf_printf(b, "\n%s project id%s in the question match%s none "
		    "of your projects.\n", missing == 1 ? "One" : "Some",
		    missing == 1 ? "" : "s", missing == 1 ? "es" : "");

	if (api_openai_names(db, r->client_id, "Banned parts", "SELECT mpn || "
	    "CASE WHEN coalesce(ban_reason, '') = '' THEN '' "
	    "ELSE ' (' || ban_reason || ')' END FROM part_knowledge "
	    "WHERE client_id = $1 AND banned ORDER BY mpn LIMIT 50", b) == -1 ||
	    api_openai_names(db, r->client_id, "Blocked suppliers",
	    "SELECT supplier_id || ' (' || coalesce(name, '') || ')' "
	    "FROM supplier_knowledge WHERE client_id = $1 AND "
	    "trust_level = 'blocked' ORDER BY supplier_id LIMIT 50", b) == -1)
		goto out;
	buf_puts(b, "\n");
	rc = 0;
out:
	PQclear(res);
	api_db_put(db);
	return rc;
}

/* Records one LLM request of a chat answer (best effort). */
static void
api_openai_account(struct api_request *r, const char *id,
    const struct llm_result *res)
{
	char num[5][24];
	const char *params[9];
	PGconn *db;

	if ((db = api_db_get(r)) == NULL)
		return;
	snprintf(num[0], sizeof(num[0]), "%lld",
	    (long long)res->prompt_tokens);
	snprintf(num[1], sizeof(num[1]), "%lld",
	    (long long)res->completion_tokens);
	snprintf(num[2], sizeof(num[2]), "%lld", (long long)res->latency_ms);
	snprintf(num[3], sizeof(num[3]), "%d", res->attempts);
	snprintf(num[4], sizeof(num[4]), "%lld", (long long)res->cost_micros);
	params[0] = r->client_id;
	params[1] = id;
	params[2] = api_cfg->llm_model;
	params[3] = num[0];
	params[4] = num[1];
	params[5] = num[2];
	params[6] = num[3];
	params[7] = llm_outcome_name(res->outcome);
	params[8] = num[4];
	if (db_exec(db, "INSERT INTO llm_calls (client_id, job_id, stage, "
	    "model, prompt_tokens, completion_tokens, latency_ms, attempts, "
	    "outcome, cost_micros) VALUES ($1, $2, 'chat', $3, $4, $5, $6, "
	    "$7, $8, $9)", 9, params) == -1)
		log_warnx("chat %s: llm call not recorded", id);
	api_db_put(db);
}

/* Asks the model; 0 with the answer in out, or -1 (res says why). */
static int
api_openai_ask(const struct api_openai_chat *chat, const char *summary,
    struct llm_result *res, struct buf *out)
{
	struct llm_config lc;
	struct llm_request req;
	struct buf sys, user;
	const char *answer;
	size_t k;
	int rc = -1;

	buf_init(&sys);
	buf_init(&user);
	buf_printf(&sys, "You are the assistant of the BOM Agent Service. "
	    "Answer the user's question about their bills of materials, "
	    "projects, parts and suppliers using only the data below, which "
	    "is all of their data you can see; say so when it does not answer "
	    "the question, and never invent parts, prices or suppliers. Reply "
	    "in plain text inside the JSON field answer.\n\nData:\n%s",
	    summary);
	if (chat->history.len > 0)
		buf_printf(&user, "Earlier conversation:\n%s\nQuestion: ",
		    chat->history.data);
	buf_append(&user, chat->question.data, chat->question.len);
	memset(&req, 0, sizeof(req));
	req.system = sys.data;
	req.user = user.data;
	req.schema = &api_openai_s_top;
	req.schema_name = "chat_answer";
	req.temperature = chat->temperature;

	pthread_mutex_lock(&api_openai_llm_mu);
	for (k = 0; k < API_OPENAI_CLIENTS && api_openai_llm_busy[k]; k++)
		;
	if (k < API_OPENAI_CLIENTS)
		api_openai_llm_busy[k] = true;
	pthread_mutex_unlock(&api_openai_llm_mu);
	if (k < API_OPENAI_CLIENTS && api_openai_llm[k] == NULL) {
		config_llm(api_cfg, &lc);
		api_openai_llm[k] = llm_client_new(&lc);
	}
	if (k == API_OPENAI_CLIENTS || api_openai_llm[k] == NULL) {
		res->outcome = LLM_HTTP_FAILED;
		snprintf(res->error, sizeof(res->error), "cannot start the "
		    "http client");
	} else
		llm_run(api_openai_llm[k], &req, res, 1);
	if (k < API_OPENAI_CLIENTS) {
		pthread_mutex_lock(&api_openai_llm_mu);
		api_openai_llm_busy[k] = false;
		pthread_mutex_unlock(&api_openai_llm_mu);
	}

	answer = json_string_value(json_object_get(res->data, "answer"));
	if (res->outcome == LLM_OK && answer != NULL && *answer != '\0') {
		buf_puts(out, answer);
		rc = 0;
	}
	buf_free(&sys);
	buf_free(&user);
	return rc;
}

/* The task the system message asks for, as the original chose it. */
static enum api_openai_task
api_openai_task(const char *system)
{
	if (str_contains_ci(system, "analyze") &&
	    str_contains_ci(system, "bom"))
		return API_OPENAI_ANALYZE_BOM;
	if (str_contains_ci(system, "optimization") ||
	    str_contains_ci(system, "strategies"))
		return API_OPENAI_STRATEGIES;
	return API_OPENAI_GENERAL;
}

/* One "data:" event of a stream: a chunk with delta (taken over). */
static void
api_openai_chunk(struct buf *b, const char *id, const char *model,
    json_t *delta, bool last)
{
	json_t *chunk;
	char *s;

	chunk = json_pack("{s:s, s:s, s:I, s:s, s:[{s:i, s:o, s:o}]}", "id",
	    id, "object", "chat.completion.chunk", "created",
	    (json_int_t)time(NULL), "model", model, "choices", "index", 0,
	    "delta", delta, "finish_reason", last ? json_string("stop") :
	    json_null());
	s = json_dumps(chunk, JSON_COMPACT);
	buf_printf(b, "data: %s\n\n", s);
	free(s);
	json_decref(chunk);
}

/*
 * Answers content as OpenAI streams it: the role, the content in deltas
 * of about API_OPENAI_CHUNK bytes (cut on UTF-8 boundaries), a last chunk
 * with finish_reason "stop", then "data: [DONE]". The answer is ready, so
 * the events go out as one body.
 */
static enum MHD_Result
api_openai_stream(struct MHD_Connection *c, const char *id,
    const char *model, const char *content)
{
	struct MHD_Response *resp;
	struct buf b;
	size_t len = strlen(content), at = 0, n;
	enum MHD_Result ret;

	buf_init(&b);
	api_openai_chunk(&b, id, model, json_pack("{s:s, s:s}", "role",
	    "assistant", "content", ""), false);
	while (at < len) {
		n = len - at < API_OPENAI_CHUNK ? len - at : API_OPENAI_CHUNK;
		while (at + n < len && ((unsigned char)content[at + n] &
		    0xc0) == 0x80)
			n++;
		api_openai_chunk(&b, id, model, json_pack("{s:s%}", "content",
		    content + at, n), false);
		at += n;
	}
	api_openai_chunk(&b, id, model, json_object(), true);
	buf_puts(&b, "data: [DONE]\n\n");
	resp = MHD_create_response_from_buffer(b.len, b.data,
	    MHD_RESPMEM_MUST_COPY);
	buf_free(&b);
	MHD_add_response_header(resp, "Cache-Control", "no-cache");
	ret = api_reply(c, MHD_HTTP_OK, resp, "text/event-stream");
	return ret;
}

enum MHD_Result
api_openai_completions(struct MHD_Connection *c, struct api_request *r)
{
	struct api_openai_chat chat;
	struct llm_result res;
	struct buf summary, content;
	unsigned char rnd[12];
	char err[256], id[48], hex[25];
	unsigned int status;
	enum MHD_Result ret;
	json_t *body;
	enum api_openai_task task;
	bool used_llm = false;

	if (api_limit_take(c, r, API_LIMIT_CHAT, &ret) == -1)
		return ret;
	if ((body = api_json_body(c, r, false, MHD_HTTP_BAD_REQUEST,
	    &ret)) == NULL)
		return ret;
	memset(&chat, 0, sizeof(chat));
	memset(&res, 0, sizeof(res));
	buf_init(&chat.system);
	buf_init(&chat.question);
	buf_init(&chat.history);
	buf_init(&summary);
	buf_init(&content);
	if ((status = api_openai_parse(body, &chat, err, sizeof(err))) != 0) {
		ret = api_error(c, status, "%s", err);
		goto out;
	}
	if (random_bytes(rnd, sizeof(rnd)) == -1)
		memset(rnd, 0, sizeof(rnd));
	hex_encode(rnd, sizeof(rnd), hex);
	snprintf(id, sizeof(id), "chatcmpl-%s", hex);
	task = api_openai_task(chat.system.data);
	if (task != API_OPENAI_GENERAL) {
		if ((task == API_OPENAI_ANALYZE_BOM ?
		    api_chat_tasks_analysis(r, chat.question.data, &content) :
		    api_chat_tasks_strategies(r, chat.question.data,
		    &content)) == -1) {
			ret = api_error_db(c);
			goto out;
		}
	} else if (api_openai_summary(r, chat.question.data, &summary) ==
	    -1) {
		ret = api_error_db(c);
		goto out;
	} else if (!config_llm_on(api_cfg))
		buf_printf(&content, "%s\nNo language model was used "
		    "(llm.provider is none): this answer lists your data as "
		    "stored.", summary.data);
	else {
		if (api_openai_ask(&chat, summary.data, &res, &content) == 0)
			used_llm = true;
		else
			buf_printf(&content, "%s\nThe language model was "
			    "unavailable (%s after %d attempt%s), so this "
			    "answer lists your data as stored.", summary.data,
			    llm_outcome_name(res.outcome), res.attempts,
			    res.attempts == 1 ? "" : "s");
		if (res.attempts > 0)
			api_openai_account(r, id, &res);
	}
	if (chat.stream) {
		ret = api_openai_stream(c, id, chat.model, content.data);
		goto out;
	}
	ret = api_json(c, MHD_HTTP_OK, json_pack("{s:s, s:s, s:I, s:s, "
	    "s:[{s:i, s:{s:s, s:s}, s:s}], s:{s:I, s:I, s:I}, s:b}",
	    "id", id, "object", "chat.completion", "created",
	    (json_int_t)time(NULL), "model", chat.model, "choices", "index", 0,
	    "message", "role", "assistant", "content", content.data,
	    "finish_reason", "stop", "usage", "prompt_tokens",
	    (json_int_t)res.prompt_tokens, "completion_tokens",
	    (json_int_t)res.completion_tokens, "total_tokens",
	    (json_int_t)(res.prompt_tokens + res.completion_tokens),
	    "llm_used", used_llm));
out:
	llm_result_clear(&res);
	buf_free(&chat.system);
	buf_free(&chat.question);
	buf_free(&chat.history);
	buf_free(&summary);
	buf_free(&content);
	json_decref(body);
	return ret;
}
