/*
 * Extraction of a JSON object from free-form model output and validation
 * against a small static schema, with errors phrased so that they can be
 * sent back to the model verbatim.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "llm_json.h"

/* Deepest nesting validated; deeper values are reported, not walked. */
#define LLM_JSON_MAX_DEPTH	32

struct llm_json_vstate {
	struct buf	*errs;
	struct buf	 path;
	int		 nerr;
};

/*
 * Scans the object starting at text[start] ('{') and returns the offset of
 * its closing brace, or -1 when the text ends first.
 */
static long
llm_json_match_object(const char *text, size_t len, size_t start)
{
	size_t i, depth = 0;
	bool instr = false, esc = false;

	for (i = start; i < len; i++) {
		char c = text[i];

		if (instr) {
			if (esc)
				esc = false;
			else if (c == '\\')
				esc = true;
			else if (c == '"')
				instr = false;
			continue;
		}
		if (c == '"')
			instr = true;
		else if (c == '{' || c == '[')
			depth++;
		else if (c == '}' || c == ']') {
			if (depth == 0)
				return -1;
			if (--depth == 0)
				return c == '}' ? (long)i : -1;
		}
	}
	return -1;
}

json_t *
llm_json_extract(const char *text, size_t len, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *v = NULL;
	const char *p;
	size_t i = 0;
	bool tried = false;
	long end;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (text == NULL || len == 0) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "empty reply");
		return NULL;
	}
	if (len > LLM_JSON_MAX_TEXT) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "reply too large (%zu bytes)",
			    len);
		return NULL;
	}
	while (i < len) {
		p = memchr(text + i, '{', len - i);
		if (p == NULL)
			break;
		i = (size_t)(p - text);
		end = llm_json_match_object(text, len, i);
		if (end < 0) {
			if (err != NULL && errlen > 0)
				snprintf(err, errlen, "truncated JSON: object "
				    "at offset %zu is never closed", i);
			return NULL;
		}
		v = json_loadb(text + i, (size_t)end - i + 1, 0, &jerr);
		if (v != NULL && json_is_object(v))
			return v;
		json_decref(v);
		v = NULL;
		if (!tried && err != NULL && errlen > 0)
			snprintf(err, errlen, "invalid JSON at offset %zu: %s",
			    i + (jerr.position > 0 ? (size_t)jerr.position - 1 :
			    0), jerr.text);
		tried = true;
		/* a balanced but broken candidate: look after it, not inside */
		i = (size_t)end + 1;
	}
	if (!tried && err != NULL && errlen > 0)
		snprintf(err, errlen, "no JSON object found in reply");
	return NULL;
}

const char *
llm_type_name(enum llm_type t)
{
	switch (t) {
	case LLM_T_STRING:
		return "string";
	case LLM_T_NUMBER:
		return "number";
	case LLM_T_INTEGER:
		return "integer";
	case LLM_T_BOOLEAN:
		return "boolean";
	case LLM_T_ARRAY:
		return "array";
	case LLM_T_OBJECT:
		return "object";
	}
	return "unknown";
}

static const char *
llm_json_kind(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "object";
	case JSON_ARRAY:
		return "array";
	case JSON_STRING:
		return "string";
	case JSON_INTEGER:
		return "integer";
	case JSON_REAL:
		return "number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "boolean";
	case JSON_NULL:
		return "null";
	}
	return "unknown";
}

static void
llm_json_verr(struct llm_json_vstate *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
llm_json_verr(struct llm_json_vstate *st, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	st->nerr++;
	if (st->nerr > LLM_JSON_MAX_ERRORS) {
		if (st->nerr == LLM_JSON_MAX_ERRORS + 1)
			buf_puts(st->errs, "(more errors not shown)\n");
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	buf_printf(st->errs, "%s: %s\n", st->path.data, msg);
}

static bool
llm_json_is_integral(const json_t *v)
{
	double d;

	if (json_is_integer(v))
		return true;
	if (!json_is_real(v))
		return false;
	d = json_real_value(v);
	return isfinite(d) && d == floor(d) && fabs(d) < 9007199254740992.0;
}

static void
llm_json_enum_list(const char *const *e, char *out, size_t outlen)
{
	size_t off = 0;
	int n;

	out[0] = '\0';
	for (; *e != NULL; e++) {
		n = snprintf(out + off, outlen - off, "%s%s",
		    off > 0 ? "|" : "", *e);
		if (n < 0 || (size_t)n >= outlen - off)
			break;
		off += (size_t)n;
	}
}

static void llm_json_walk(const json_t *, const struct llm_schema *,
    struct llm_json_vstate *, int);

static void
llm_json_validate_object(const json_t *v, const struct llm_schema *s,
    struct llm_json_vstate *st, int depth)
{
	const struct llm_field *f;
	const json_t *m;
	size_t i, mark;

	for (i = 0; i < s->nfields; i++) {
		f = &s->fields[i];
		m = json_object_get(v, f->name);
		mark = st->path.len;
		buf_printf(&st->path, ".%s", f->name);
		if (m == NULL) {
			if (!f->optional)
				llm_json_verr(st, "missing required field");
		} else if (json_is_null(m)) {
			if (!f->optional)
				llm_json_verr(st, "expected %s, got null",
				    llm_type_name(f->schema->type));
		} else
			llm_json_walk(m, f->schema, st, depth + 1);
		st->path.len = mark;
		st->path.data[mark] = '\0';
	}
}

static void
llm_json_walk(const json_t *v, const struct llm_schema *s,
    struct llm_json_vstate *st, int depth)
{
	char list[256];
	const char *const *e;
	const char *str;
	size_t i, n, mark;
	double d;
	bool ok;

	if (depth > LLM_JSON_MAX_DEPTH) {
		llm_json_verr(st, "nested too deeply");
		return;
	}
	switch (s->type) {
	case LLM_T_STRING:
		if (!json_is_string(v))
			goto type;
		if (s->enums == NULL)
			return;
		str = json_string_value(v);
		for (e = s->enums; *e != NULL; e++)
			if (strcmp(*e, str) == 0)
				return;
		llm_json_enum_list(s->enums, list, sizeof(list));
		llm_json_verr(st, "expected one of %s", list);
		return;
	case LLM_T_NUMBER:
	case LLM_T_INTEGER:
		ok = s->type == LLM_T_NUMBER ? json_is_number(v) :
		    llm_json_is_integral(v);
		if (!ok)
			goto type;
		d = json_number_value(v);
		if (s->has_min && d < s->min)
			llm_json_verr(st, "must be >= %g, got %g", s->min, d);
		if (s->has_max && d > s->max)
			llm_json_verr(st, "must be <= %g, got %g", s->max, d);
		return;
	case LLM_T_BOOLEAN:
		if (!json_is_boolean(v))
			goto type;
		return;
	case LLM_T_ARRAY:
		if (!json_is_array(v))
			goto type;
		n = json_array_size(v);
		if (n < s->min_items)
			llm_json_verr(st, "expected at least %zu items, "
			    "got %zu", s->min_items, n);
		if (s->max_items > 0 && n > s->max_items)
			llm_json_verr(st, "expected at most %zu items, "
			    "got %zu", s->max_items, n);
		if (s->items == NULL)
			return;
		for (i = 0; i < n; i++) {
			mark = st->path.len;
			buf_printf(&st->path, "[%zu]", i);
			llm_json_walk(json_array_get(v, i), s->items, st,
			    depth + 1);
			st->path.len = mark;
			st->path.data[mark] = '\0';
		}
		return;
	case LLM_T_OBJECT:
		if (!json_is_object(v))
			goto type;
		llm_json_validate_object(v, s, st, depth);
		return;
	}
	return;
type:
	llm_json_verr(st, "expected %s, got %s", llm_type_name(s->type),
	    llm_json_kind(v));
}

int
llm_json_validate(const json_t *v, const struct llm_schema *s,
    struct buf *errs)
{
	struct llm_json_vstate st;

	if (s == NULL)
		return 0;
	st.errs = errs;
	st.nerr = 0;
	buf_init(&st.path);
	buf_puts(&st.path, "$");
	if (v == NULL)
		llm_json_verr(&st, "no value");
	else
		llm_json_walk(v, s, &st, 0);
	buf_free(&st.path);
	return st.nerr == 0 ? 0 : -1;
}

static json_t *
llm_json_schema(const struct llm_schema *s, bool nullable, int depth)
{
	const struct llm_field *f;
	const char *const *e;
	json_t *o, *props, *req, *en;
	size_t i;

	o = json_object();
	if (depth > LLM_JSON_MAX_DEPTH)
		return o;
	if (nullable)
		json_object_set_new(o, "type", json_pack("[ss]",
		    llm_type_name(s->type), "null"));
	else
		json_object_set_new(o, "type",
		    json_string(llm_type_name(s->type)));
	if (s->description != NULL)
		json_object_set_new(o, "description",
		    json_string(s->description));
	switch (s->type) {
	case LLM_T_STRING:
		if (s->enums == NULL)
			break;
		en = json_array();
		for (e = s->enums; *e != NULL; e++)
			json_array_append_new(en, json_string(*e));
		if (nullable)
			json_array_append_new(en, json_null());
		json_object_set_new(o, "enum", en);
		break;
	case LLM_T_NUMBER:
	case LLM_T_INTEGER:
		if (s->has_min)
			json_object_set_new(o, "minimum",
			    s->type == LLM_T_INTEGER ?
			    json_integer((json_int_t)s->min) :
			    json_real(s->min));
		if (s->has_max)
			json_object_set_new(o, "maximum",
			    s->type == LLM_T_INTEGER ?
			    json_integer((json_int_t)s->max) :
			    json_real(s->max));
		break;
	case LLM_T_BOOLEAN:
		break;
	case LLM_T_ARRAY:
		json_object_set_new(o, "items", s->items != NULL ?
		    llm_json_schema(s->items, false, depth + 1) :
		    json_object());
		if (s->min_items > 0)
			json_object_set_new(o, "minItems",
			    json_integer((json_int_t)s->min_items));
		if (s->max_items > 0)
			json_object_set_new(o, "maxItems",
			    json_integer((json_int_t)s->max_items));
		break;
	case LLM_T_OBJECT:
		props = json_object();
		req = json_array();
		for (i = 0; i < s->nfields; i++) {
			f = &s->fields[i];
			json_object_set_new(props, f->name,
			    llm_json_schema(f->schema, f->optional, depth + 1));
			json_array_append_new(req, json_string(f->name));
		}
		json_object_set_new(o, "properties", props);
		json_object_set_new(o, "required", req);
		json_object_set_new(o, "additionalProperties", json_false());
		break;
	}
	return o;
}

json_t *
llm_schema_to_json(const struct llm_schema *s)
{
	if (s == NULL)
		return json_pack("{s:s}", "type", "object");
	return llm_json_schema(s, false, 0);
}
