/*
 * JSON helpers for LLM answers: pull the first balanced JSON object out of
 * whatever a model wrote, and check it against a tiny schema that can also
 * be sent to the model as a JSON Schema document. Pure: no I/O.
 */
#ifndef BOMD_LLM_JSON_H
#define BOMD_LLM_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "util.h"

/* Largest model answer we try to parse, in bytes. */
#define LLM_JSON_MAX_TEXT	((size_t)4 * 1024 * 1024)
/* Validation stops listing errors after this many (one summary line). */
#define LLM_JSON_MAX_ERRORS	20

enum llm_type {
	LLM_T_STRING,
	LLM_T_NUMBER,
	LLM_T_INTEGER,
	LLM_T_BOOLEAN,
	LLM_T_ARRAY,
	LLM_T_OBJECT
};

struct llm_field;

/*
 * One node of a schema, meant to be written as static const data:
 *
 *	static const char *const decisions[] = {
 *		"approved", "rejected", "escalated", NULL };
 *	static const struct llm_schema decision = {
 *		.type = LLM_T_STRING, .enums = decisions };
 *
 * enums is NULL-terminated (strings only). Bounds apply to numbers and
 * integers (has_min/has_max) and to array lengths (min_items, max_items;
 * max_items 0 = no limit). items is the element schema of an array (NULL =
 * anything). fields lists the properties of an object; properties not listed
 * are allowed when validating. The whole schema is borrowed, never freed.
 */
struct llm_schema {
	enum llm_type		 type;
	const char		*description;
	const char *const	*enums;
	bool			 has_min, has_max;
	double			 min, max;
	size_t			 min_items, max_items;
	const struct llm_schema	*items;
	const struct llm_field	*fields;
	size_t			 nfields;
};

/*
 * The members of an object node with these fields, their count taken from
 * the array: static const struct llm_schema line = { LLM_OBJECT(fields) };
 */
#define LLM_OBJECT(f)	.type = LLM_T_OBJECT, .fields = (f), \
	.nfields = sizeof(f) / sizeof((f)[0])

/*
 * An object property. An optional field may be missing or null; in the JSON
 * Schema document it is listed as required with a nullable type, because
 * OpenAI's strict mode wants every property required.
 */
struct llm_field {
	const char		*name;
	const struct llm_schema	*schema;
	bool			 optional;
};

/*
 * Finds the first balanced JSON object in text: skips prose and ``` fences,
 * honours strings and escapes while counting braces, and moves on past a
 * balanced candidate that does not parse (e.g. "{placeholder}" in prose).
 * Returns a new object (caller frees with json_decref()), or NULL with a
 * reason in err (truncated, no object, trailing comma...).
 */
json_t	*llm_json_extract(const char *text, size_t len, char *err,
	    size_t errlen);

/*
 * Checks v against s. Returns 0 when valid; otherwise -1 with every error
 * appended to errs, one per line, each starting with its JSON path
 * ("$.lines[2].decision: expected one of approved|rejected|escalated").
 * At most LLM_JSON_MAX_ERRORS are listed.
 */
int	llm_json_validate(const json_t *v, const struct llm_schema *s,
	    struct buf *errs);

/*
 * The schema as a JSON Schema document for response_format json_schema in
 * strict mode (additionalProperties false, every property required, optional
 * ones nullable). Caller frees with json_decref().
 */
json_t	*llm_schema_to_json(const struct llm_schema *s);

/* "string", "number", ... for messages. */
const char *llm_type_name(enum llm_type t);

#endif
