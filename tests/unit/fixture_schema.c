/*
 * The LLM tests' shared schemas; see fixture_schema.h. Only the two wholes
 * are exported.
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
	LLM_OBJECT(fixture_schema_line_fields)
};
static const struct llm_schema fixture_schema_lines = {
	.type = LLM_T_ARRAY, .items = &fixture_schema_line, .min_items = 1,
	.max_items = 100
};
static const struct llm_field fixture_schema_top_fields[] = {
	{ "lines", &fixture_schema_lines, false },
};
const struct llm_schema fixture_schema = {
	LLM_OBJECT(fixture_schema_top_fields)
};

/* The kinds of node the assessment does not use. */
static const struct llm_schema fixture_schema_any = {
	.type = LLM_T_ARRAY, .min_items = 1	/* of anything */
};
static const struct llm_schema fixture_schema_count = {
	.type = LLM_T_INTEGER, .has_min = true, .min = -5, .has_max = true,
	.max = 1e6
};
static const struct llm_field fixture_schema_inner_fields[] = {
	{ "decision", &fixture_schema_decision, false },
	{ "n", &fixture_schema_count, true },
};
static const struct llm_schema fixture_schema_inner = {
	LLM_OBJECT(fixture_schema_inner_fields)
};
static const struct llm_schema fixture_schema_inners = {
	.type = LLM_T_ARRAY, .items = &fixture_schema_inner
};
static const struct llm_field fixture_schema_every_fields[] = {
	{ "lines", &fixture_schema_lines, false },
	{ "any", &fixture_schema_any, true },
	{ "inner", &fixture_schema_inner, true },
	{ "inners", &fixture_schema_inners, true },
};
const struct llm_schema fixture_schema_every = {
	LLM_OBJECT(fixture_schema_every_fields)
};
