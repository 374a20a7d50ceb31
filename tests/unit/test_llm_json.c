/*
 * Unit tests for common/llm_json.c: extraction of a JSON object from broken
 * model output, validation errors with their paths, and the JSON Schema
 * document sent as response_format.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fixture_schema.h"
#include "llm_json.h"
#include "unit.h"

static char *
canon(const json_t *v)
{
	return json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
}

UNIT_TEST(test_extract)
{
	static const struct {
		const char	*in;
		const char	*want;	/* canonical JSON, NULL = error */
		const char	*err;	/* substring of the error */
	} rows[] = {
		{ "{\"a\":1}", "{\"a\":1}", NULL },
		{ "  \n{\"a\": 1}\n", "{\"a\":1}", NULL },
		{ "```json\n{\"a\":1}\n```", "{\"a\":1}", NULL },
		{ "```\n{\"a\":1}\n```\n", "{\"a\":1}", NULL },
		{ "Here you go:\n{\"a\":1}\nHope it helps!", "{\"a\":1}",
		    NULL },
		{ "Sure {placeholder} then {\"a\":1}", "{\"a\":1}", NULL },
		{ "} stray close, then {\"a\":1}", "{\"a\":1}", NULL },
		{ "{\"a\":\"}{\"}", "{\"a\":\"}{\"}", NULL },
		{ "{\"a\":\"q \\\" } in\"}", "{\"a\":\"q \\\" } in\"}", NULL },
		{ "{\"a\":\"ends \\\\\"} tail}", "{\"a\":\"ends \\\\\"}",
		    NULL },
		{ "```json\n{\"n\":\"use {x} and ```\"}\n```",
		    "{\"n\":\"use {x} and ```\"}", NULL },
		{ "{\"a\":{\"b\":{\"c\":[{\"d\":1}]}}} then {\"z\":2}",
		    "{\"a\":{\"b\":{\"c\":[{\"d\":1}]}}}", NULL },
		{ "{\"lines\":[{\"line\":1},{\"line\":2}]}",
		    "{\"lines\":[{\"line\":1},{\"line\":2}]}", NULL },
		{ "{\"a\":1,}", NULL, "invalid JSON" },
		{ "{\"a\":[1,2,]}", NULL, "invalid JSON" },
		/* a broken object is skipped whole, not searched inside */
		{ "{\"lines\":[{\"line\":1},]}", NULL, "invalid JSON" },
		{ "```json\n{\"a\":1,}\n```", NULL, "invalid JSON" },
		{ "{'a': 1}", NULL, "invalid JSON" },
		{ "{\"lines\":[{\"line\":1", NULL, "truncated" },
		{ "{\"a\":\"unterminated}", NULL, "truncated" },
		{ "", NULL, "empty" },
		{ "no json here", NULL, "no JSON object" },
		{ "[1,2]", NULL, "no JSON object" },
	};
	char err[256], *got;
	json_t *v;
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		v = llm_json_extract(rows[i].in, strlen(rows[i].in), err,
		    sizeof(err));
		if (rows[i].want == NULL) {
			if (v != NULL)
				fail_msg("row %zu: expected an error", i);
			if (strstr(err, rows[i].err) == NULL)
				fail_msg("row %zu: error \"%s\" lacks \"%s\"",
				    i, err, rows[i].err);
			continue;
		}
		if (v == NULL)
			fail_msg("row %zu: %s", i, err);
		got = canon(v);
		if (strcmp(got, rows[i].want) != 0)
			fail_msg("row %zu: got %s want %s", i, got,
			    rows[i].want);
		free(got);
		json_decref(v);
	}
}

UNIT_TEST(test_extract_limits)
{
	char err[128];
	json_t *v;

	assert_null(llm_json_extract(NULL, 0, err, sizeof(err)));
	assert_non_null(strstr(err, "empty"));
	/* the length is honoured: bytes after len are not read */
	v = llm_json_extract("{\"a\":1}{\"b\":2}", 7, err, sizeof(err));
	assert_non_null(v);
	assert_int_equal(json_integer_value(json_object_get(v, "a")), 1);
	json_decref(v);
	assert_null(llm_json_extract("{\"a\":1}", 6, err, sizeof(err)));
	assert_non_null(strstr(err, "truncated"));
	assert_null(llm_json_extract("{}", LLM_JSON_MAX_TEXT + 1, err,
	    sizeof(err)));
	assert_non_null(strstr(err, "too large"));
}

#define GOOD_LINE "{\"line\":1,\"decision\":\"approved\",\"confidence\":0.9," \
	"\"reasons\":[\"ok\"]}"

UNIT_TEST(test_validate)
{
	static const struct {
		const char	*in;
		int		 rc;
		const char	*errs[3];	/* each must be a line */
	} rows[] = {
		{ "{\"lines\":[" GOOD_LINE "]}", 0, { NULL } },
		/* extra fields are allowed, optional ones may be null */
		{ "{\"x\":1,\"lines\":[{\"line\":2,\"decision\":\"rejected\","
		    "\"confidence\":0,\"reasons\":[],\"risks\":null,"
		    "\"note\":\"extra\"}]}", 0, { NULL } },
		{ "{\"lines\":[{\"line\":3.0,\"decision\":\"escalated\","
		    "\"confidence\":1,\"reasons\":[\"a\"],\"risks\":[\"b\"],"
		    "\"urgent\":true}]}", 0, { NULL } },
		{ "{\"lines\":[{\"line\":1,\"decision\":\"maybe\","
		    "\"confidence\":0.5,\"reasons\":[]}]}", -1,
		    { "$.lines[0].decision: expected one of "
		    "approved|rejected|escalated" } },
		{ "{\"lines\":[{\"line\":1,\"decision\":\"approved\","
		    "\"reasons\":[]}]}", -1,
		    { "$.lines[0].confidence: missing required field" } },
		{ "{\"lines\":[{\"line\":1,\"decision\":\"approved\","
		    "\"confidence\":\"0.9\",\"reasons\":[]}]}", -1,
		    { "$.lines[0].confidence: expected number, got string" } },
		{ "{\"lines\":[{\"line\":1,\"decision\":\"approved\","
		    "\"confidence\":1.5,\"reasons\":[]}]}", -1,
		    { "$.lines[0].confidence: must be <= 1, got 1.5" } },
		{ "{\"lines\":[{\"line\":1.5,\"decision\":\"approved\","
		    "\"confidence\":1,\"reasons\":[]}]}", -1,
		    { "$.lines[0].line: expected integer, got number" } },
		{ "{\"lines\":[{\"line\":0,\"decision\":null,"
		    "\"confidence\":1,\"reasons\":[],\"urgent\":\"yes\"}]}", -1,
		    { "$.lines[0].line: must be >= 1, got 0",
		    "$.lines[0].decision: expected string, got null",
		    "$.lines[0].urgent: expected boolean, got string" } },
		{ "{\"lines\":{}}", -1,
		    { "$.lines: expected array, got object" } },
		{ "{\"lines\":[]}", -1,
		    { "$.lines: expected at least 1 items, got 0" } },
		{ "{}", -1, { "$.lines: missing required field" } },
		{ "[]", -1, { "$: expected object, got array" } },
		{ "{\"lines\":[{\"line\":1,\"decision\":\"approved\","
		    "\"confidence\":1,\"reasons\":[1,\"a\"]}]}", -1,
		    { "$.lines[0].reasons[0]: expected string, got integer" } },
		{ "{\"lines\":[{\"line\":1,\"decision\":\"approved\","
		    "\"confidence\":1,\"reasons\":[\"1\",\"2\",\"3\",\"4\","
		    "\"5\",\"6\"]}]}", -1,
		    { "$.lines[0].reasons: expected at most 5 items, got 6" } },
		{ "{\"lines\":[" GOOD_LINE ",{\"line\":2,\"decision\":"
		    "\"approved\",\"confidence\":1}," "{\"line\":3,"
		    "\"decision\":\"ok\",\"confidence\":1,\"reasons\":[]}]}",
		    -1,
		    { "$.lines[1].reasons: missing required field",
		    "$.lines[2].decision: expected one of "
		    "approved|rejected|escalated" } },
	};
	struct buf errs, want;
	json_error_t jerr;
	json_t *v;
	size_t i, k;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		v = json_loads(rows[i].in, JSON_DECODE_ANY, &jerr);
		if (v == NULL)
			fail_msg("row %zu: bad fixture: %s", i, jerr.text);
		buf_init(&errs);
		if (llm_json_validate(v, &fixture_schema, &errs) != rows[i].rc)
			fail_msg("row %zu: rc, errors: %s", i,
			    errs.data != NULL ? errs.data : "");
		if (rows[i].rc == 0)
			assert_true(errs.len == 0);
		for (k = 0; k < 3 && rows[i].errs[k] != NULL; k++) {
			buf_init(&want);
			buf_printf(&want, "%s\n", rows[i].errs[k]);
			if (strstr(errs.data, want.data) == NULL)
				fail_msg("row %zu: \"%s\" not in:\n%s", i,
				    rows[i].errs[k], errs.data);
			buf_free(&want);
		}
		buf_free(&errs);
		json_decref(v);
	}
}

UNIT_TEST(test_validate_error_cap)
{
	struct buf errs;
	json_t *v, *lines;
	size_t i, nl = 0;

	lines = json_array();
	for (i = 0; i < 40; i++)
		json_array_append_new(lines, json_pack("{s:i,s:s,s:f,s:[]}",
		    "line", 1, "decision", "nope", "confidence", 0.5,
		    "reasons"));
	v = json_pack("{s:o}", "lines", lines);
	buf_init(&errs);
	assert_int_equal(llm_json_validate(v, &fixture_schema, &errs), -1);
	for (i = 0; i < errs.len; i++)
		if (errs.data[i] == '\n')
			nl++;
	assert_int_equal(nl, LLM_JSON_MAX_ERRORS + 1);
	assert_non_null(strstr(errs.data, "(more errors not shown)"));
	assert_non_null(strstr(errs.data, "$.lines[19].decision"));
	assert_null(strstr(errs.data, "$.lines[20].decision"));
	buf_free(&errs);
	json_decref(v);
	/* no schema accepts anything */
	buf_init(&errs);
	assert_int_equal(llm_json_validate(json_null(), NULL, &errs), 0);
	buf_free(&errs);
}

UNIT_TEST(test_schema_to_json)
{
	json_t *doc, *line, *props;
	char *s;

	doc = llm_schema_to_json(&fixture_schema);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(doc, "type")),
	    "object");
	assert_true(json_is_false(json_object_get(doc,
	    "additionalProperties")));
	s = canon(json_object_get(doc, "required"));
	assert_string_equal(s, "[\"lines\"]");
	free(s);
	props = json_object_get(doc, "properties");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(
	    props, "lines"), "minItems")), 1);
	line = json_object_get(json_object_get(props, "lines"), "items");
	props = json_object_get(line, "properties");
	/* strict mode: every property required, optional ones nullable */
	s = canon(json_object_get(line, "required"));
	assert_string_equal(s, "[\"line\",\"decision\",\"confidence\","
	    "\"reasons\",\"risks\",\"urgent\"]");
	free(s);
	s = canon(json_object_get(props, "decision"));
	assert_string_equal(s, "{\"enum\":[\"approved\",\"rejected\","
	    "\"escalated\"],\"type\":\"string\"}");
	free(s);
	s = canon(json_object_get(props, "risks"));
	assert_string_equal(s, "{\"items\":{\"type\":\"string\"},"
	    "\"maxItems\":5,\"type\":[\"array\",\"null\"]}");
	free(s);
	s = canon(json_object_get(props, "line"));
	assert_string_equal(s, "{\"minimum\":1,\"type\":\"integer\"}");
	free(s);
	s = canon(json_object_get(props, "confidence"));
	assert_string_equal(s, "{\"maximum\":1.0,\"minimum\":0.0,"
	    "\"type\":\"number\"}");
	free(s);
	json_decref(doc);
	doc = llm_schema_to_json(NULL);
	s = canon(doc);
	assert_string_equal(s, "{\"type\":\"object\"}");
	free(s);
	json_decref(doc);
}
