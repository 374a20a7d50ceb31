/*
 * Chat completions JSON: builds the body of each attempt (messages,
 * response_format rung, token budget, temperature) and reads answers and
 * error bodies for the transport in llm_http.c.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "llm_caps.h"
#include "llm_chat.h"
#include "llm_json.h"
#include "util.h"

/* What one re-ask turn may carry back to the model. */
#define LLM_CHAT_REASK_ANSWER_MAX	(16 * 1024)
#define LLM_CHAT_REASK_ERRORS_MAX	(4 * 1024)

/* A JSON string from bytes that may not be valid UTF-8 (or cut mid-way). */
static json_t *
llm_chat_text(const char *s, size_t n)
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
llm_chat_message(const char *role, const char *content, size_t n)
{
	json_t *m = json_object();

	json_object_set_new(m, "role", json_string(role));
	json_object_set_new(m, "content", llm_chat_text(content, n));
	return m;
}

static json_t *
llm_chat_messages(const struct llm_request *req,
    const struct llm_chat_attempt *a)
{
	json_t *msgs, *schema;
	struct buf sys;
	char *s;

	msgs = json_array();
	buf_init(&sys);
	if (req->system != NULL)
		buf_puts(&sys, req->system);
	if (a->level != LLM_LEVEL_SCHEMA) {
		schema = llm_schema_to_json(req->schema);
		s = json_dumps(schema, JSON_COMPACT);
		json_decref(schema);
		buf_printf(&sys, "%sReply with only a JSON object matching "
		    "this JSON Schema, no prose and no code fences:\n%s",
		    sys.len > 0 ? "\n\n" : "", s != NULL ? s : "{}");
		free(s);
	}
	if (sys.len > 0)
		json_array_append_new(msgs, llm_chat_message("system",
		    sys.data, sys.len));
	buf_free(&sys);
	json_array_append_new(msgs, llm_chat_message("user", req->user != NULL ?
	    req->user : "", req->user != NULL ? strlen(req->user) : 0));
	json_array_extend(msgs, a->turns);
	return msgs;
}

char *
llm_chat_body(const struct llm_request *req, struct llm_chat_attempt *a)
{
	json_t *o, *rf, *schema;
	const char *name;
	char *s;

	o = json_object();
	json_object_set_new(o, "model", json_string(a->model));
	json_object_set_new(o, "messages", llm_chat_messages(req, a));
	a->sent_max_completion = (a->flags & LLM_CAP_MAX_COMPLETION) != 0;
	json_object_set_new(o, a->sent_max_completion ?
	    "max_completion_tokens" : "max_tokens",
	    json_integer(a->max_tokens));
	a->sent_temperature = req->temperature >= 0 &&
	    (a->flags & LLM_CAP_NO_TEMPERATURE) == 0;
	if (a->sent_temperature)
		json_object_set_new(o, "temperature",
		    json_real(req->temperature));
	switch (a->level) {
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

void
llm_chat_reask(json_t **turns, const char *content, const char *errors)
{
	struct buf b;
	size_t clen = content != NULL ? strlen(content) : 0;
	size_t elen = strlen(errors);

	if (clen > LLM_CHAT_REASK_ANSWER_MAX)
		clen = utf8_prefix(content, LLM_CHAT_REASK_ANSWER_MAX);
	if (elen > LLM_CHAT_REASK_ERRORS_MAX)
		elen = utf8_prefix(errors, LLM_CHAT_REASK_ERRORS_MAX);
	if (*turns == NULL)
		*turns = json_array();
	json_array_append_new(*turns, llm_chat_message("assistant",
	    content != NULL ? content : "", clen));
	buf_init(&b);
	buf_puts(&b, "Your previous reply was not valid:\n");
	buf_append(&b, errors, elen);
	buf_puts(&b, "\nReply again with only the corrected JSON object.");
	json_array_append_new(*turns, llm_chat_message("user", b.data, b.len));
	buf_free(&b);
}

void
llm_chat_usage(const json_t *body, int64_t *prompt, int64_t *completion)
{
	const json_t *u = json_object_get(body, "usage");
	json_int_t p, q;

	p = json_integer_value(json_object_get(u, "prompt_tokens"));
	q = json_integer_value(json_object_get(u, "completion_tokens"));
	if (p > 0 && p < INT32_MAX)
		*prompt += p;
	if (q > 0 && q < INT32_MAX)
		*completion += q;
}

int
llm_chat_answer(const json_t *body, struct llm_chat_answer *a)
{
	const json_t *choice, *msg;

	memset(a, 0, sizeof(*a));
	choice = json_array_get(json_object_get(body, "choices"), 0);
	msg = json_object_get(choice, "message");
	if (!json_is_object(msg))
		return -1;
	a->content = json_string_value(json_object_get(msg, "content"));
	a->len = json_string_length(json_object_get(msg, "content"));
	a->finish = json_string_value(json_object_get(choice,
	    "finish_reason"));
	a->refusal = json_string_value(json_object_get(msg, "refusal"));
	return 0;
}

json_t *
llm_chat_check(const char *content, size_t len,
    const struct llm_schema *schema, struct buf *errs)
{
	char jerr[256];
	json_t *v = NULL;

	if (content == NULL || len == 0)
		buf_puts(errs, "$: empty reply\n");
	else if ((v = llm_json_extract(content, len, jerr,
	    sizeof(jerr))) == NULL)
		buf_printf(errs, "$: %s\n", jerr);
	else if (llm_json_validate(v, schema, errs) == 0)
		return v;
	json_decref(v);
	return NULL;
}

void
llm_chat_error(const json_t *body, struct llm_chat_error *e)
{
	const json_t *o = json_object_get(body, "error");

	memset(e, 0, sizeof(*e));
	if (json_is_string(o)) {
		e->msg = json_string_value(o);
		return;
	}
	e->msg = json_string_value(json_object_get(o, "message"));
	e->type = json_string_value(json_object_get(o, "type"));
	e->param = json_string_value(json_object_get(o, "param"));
	e->code = json_string_value(json_object_get(o, "code"));
}

/* The first 'quoted' word of msg ("Unsupported parameter: 'temperature'"). */
static void
llm_chat_quoted_word(const char *msg, char *out, size_t outlen)
{
	const char *a, *b;

	out[0] = '\0';
	if (msg == NULL || (a = strchr(msg, '\'')) == NULL ||
	    (b = strchr(a + 1, '\'')) == NULL || (size_t)(b - a - 1) >= outlen)
		return;
	memcpy(out, a + 1, (size_t)(b - a - 1));
	out[b - a - 1] = '\0';
}

unsigned
llm_chat_rejects(const struct llm_chat_error *e)
{
	const char *msg = e->msg, *code = e->code, *name;
	char word[64];
	unsigned r = 0;
	bool unsupported;

	llm_chat_quoted_word(msg, word, sizeof(word));
	name = e->param != NULL ? e->param : word;
	unsupported = (code != NULL && (strcmp(code, "unsupported_parameter")
	    == 0 || strcmp(code, "unsupported_value") == 0)) ||
	    (msg != NULL && (strncasecmp(msg, "unsupported parameter", 21) ==
	    0 || strncasecmp(msg, "unsupported value", 17) == 0));
	if (unsupported && strcmp(name, "temperature") == 0)
		r |= LLM_CHAT_NO_TEMPERATURE;
	if (unsupported && strcmp(name, "max_tokens") == 0)
		r |= LLM_CHAT_NO_MAX_TOKENS;
	if (strncmp(name, "response_format", 15) == 0 ||
	    (msg != NULL && (strstr(msg, "response_format") != NULL ||
	    strstr(msg, "json_schema") != NULL)))
		r |= LLM_CHAT_NO_FORMAT;
	return r;
}
