/*
 * The LLM unit tests' shared schema; see fixture_schema.h. Only the whole
 * is exported.
 */
#include <stdbool.h>
#include <stddef.h>

#include "fixture_schema.h"

static const char *const fixture_schema_decisions[] = {
	"approved", "rejected", "escalated", NULL
};
static const struct llm_schema fixture_schema_string = {
	.type = LLM_T_STRING
};
static const struct llm_schema fixture_schema_decision = {
	.type = LLM_T_STRING, .enums = fixture_schema_decisions
};
static const struct llm_schema fixture_schema_conf = {
	.type = LLM_T_NUMBER, .has_min = true, .min = 0, .has_max = true,
	.max = 1
};
static const struct llm_schema fixture_schema_line_no = {
	.type = LLM_T_INTEGER, .has_min = true, .min = 1
};
static const struct llm_schema fixture_schema_flag = {
	.type = LLM_T_BOOLEAN
};
static const struct llm_schema fixture_schema_reasons = {
	.type = LLM_T_ARRAY, .items = &fixture_schema_string, .max_items = 5
};
static const struct llm_field fixture_schema_line_fields[] = {
	{ "line", &fixture_schema_line_no, false },
	{ "decision", &fixture_schema_decision, false },
	{ "confidence", &fixture_schema_conf, false },
	{ "reasons", &fixture_schema_reasons, false },
	{ "risks", &fixture_schema_reasons, true },
	{ "urgent", &fixture_schema_flag, true },
};
static const struct llm_schema fixture_schema_line = {
	.type = LLM_T_OBJECT, .fields = fixture_schema_line_fields,
	.nfields = sizeof(fixture_schema_line_fields) /
	    sizeof(fixture_schema_line_fields[0])
};
static const struct llm_schema fixture_schema_lines = {
	.type = LLM_T_ARRAY, .items = &fixture_schema_line, .min_items = 1,
	.max_items = 100
};
static const struct llm_field fixture_schema_top_fields[] = {
	{ "lines", &fixture_schema_lines, false },
};
const struct llm_schema fixture_schema = {
	.type = LLM_T_OBJECT, .fields = fixture_schema_top_fields,
	.nfields = 1
};
