/*
 * Intake YAML: the libyaml event stream (one document, no anchors or
 * aliases, bounded depth and sizes) built into a JSON tree, which
 * intake_from_json() then checks and normalises.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "intake.h"
#include "intake_internal.h"
#include "util.h"

#define INTAKE_MAX_KEY		256	/* bytes in a YAML mapping key */

struct intake_yaml_frame {
	json_t	*node;		/* borrowed: owned by its parent or root */
	char	*key;		/* pending mapping key, or NULL */
};

struct intake_yaml_conv {
	struct intake_yaml_frame	 stack[INTAKE_MAX_DEPTH];
	size_t			 depth;
	json_t			*root;
	char			*err;
	size_t			 errlen;
};

static bool
intake_yaml_word(const char *s, size_t len, const char *const *words)
{
	for (; *words != NULL; words++)
		if (strlen(*words) == len && memcmp(*words, s, len) == 0)
			return true;
	return false;
}

/*
 * Resolves a scalar like YAML 1.1 for the types intake needs: quoted text
 * and !!str are strings; plain null/~/empty are null, true/yes/on and
 * false/no/off are booleans, canonical decimal integers are integers.
 * Everything else stays text (exact decimals go to parse_money()).
 */
static json_t *
intake_yaml_scalar(const yaml_event_t *ev)
{
	static const char *const nulls[] = { "~", "null", "Null", "NULL",
	    NULL };
	static const char *const trues[] = { "true", "True", "TRUE", "yes",
	    "Yes", "YES", "on", "On", "ON", NULL };
	static const char *const falses[] = { "false", "False", "FALSE", "no",
	    "No", "NO", "off", "Off", "OFF", NULL };
	const char *s = (const char *)ev->data.scalar.value;
	const char *tag = (const char *)ev->data.scalar.tag;
	size_t len = ev->data.scalar.length, i;
	char tmp[24];
	int64_t v;

	if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
	    (tag != NULL && strcmp(tag, YAML_STR_TAG) == 0))
		return json_stringn(s, len);
	if (len == 0 || intake_yaml_word(s, len, nulls))
		return json_null();
	if (intake_yaml_word(s, len, trues))
		return json_true();
	if (intake_yaml_word(s, len, falses))
		return json_false();
	i = (len > 0 && s[0] == '-') ? 1 : 0;
	if (len - i >= 1 && len < 19 && (s[i] != '0' || len - i == 1)) {
		for (; i < len; i++)
			if (s[i] < '0' || s[i] > '9')
				break;
		if (i == len) {
			memcpy(tmp, s, len);
			tmp[len] = '\0';
			if (parse_i64(tmp, INT64_MIN, INT64_MAX, &v, NULL) == 0)
				return json_integer(v);
		}
	}
	return json_stringn(s, len);
}

/* Hangs v (reference stolen) under the open container, or makes it root. */
static int
intake_yaml_attach(struct intake_yaml_conv *c, json_t *v, size_t line)
{
	struct intake_yaml_frame *top;
	char q[INTAKE_QUOTE_MAX + 1];
	int rc;

	if (c->depth == 0) {
		json_decref(c->root);
		c->root = v;
		return 0;
	}
	top = &c->stack[c->depth - 1];
	if (json_is_array(top->node)) {
		if (json_array_size(top->node) >= INTAKE_MAX_ITEMS) {
			json_decref(v);
			err_printf(c->err, c->errlen,
			    "yaml line %zu: more than %d items in a list",
			    line, INTAKE_MAX_ITEMS);
			return -1;
		}
		json_array_append_new(top->node, v);
		return 0;
	}
	if (json_object_get(top->node, top->key) != NULL) {
		json_decref(v);
		intake_quote(top->key, strlen(top->key), q, sizeof(q));
		err_printf(c->err, c->errlen,
		    "yaml line %zu: duplicate key '%s'", line, q);
		return -1;
	}
	rc = json_object_set_new(top->node, top->key, v);
	free(top->key);
	top->key = NULL;
	if (rc == -1) {
		err_printf(c->err, c->errlen, "yaml line %zu: bad key",
		    line);
		return -1;
	}
	return 0;
}

/* One event into the tree: 0 to go on, 1 at the end, -1 on error. */
static int
intake_yaml_event(struct intake_yaml_conv *c, const yaml_event_t *ev,
    int *ndocs)
{
	struct intake_yaml_frame *top;
	size_t line = ev->start_mark.line + 1;
	const unsigned char *anchor = NULL;
	json_t *v;

	top = c->depth > 0 ? &c->stack[c->depth - 1] : NULL;
	switch (ev->type) {
	case YAML_STREAM_END_EVENT:
		return 1;
	case YAML_DOCUMENT_START_EVENT:
		if (++*ndocs > 1) {
			err_printf(c->err, c->errlen, "yaml line %zu: only "
			    "one YAML document is allowed", line);
			return -1;
		}
		return 0;
	case YAML_ALIAS_EVENT:
		err_printf(c->err, c->errlen,
		    "yaml line %zu: aliases are not allowed", line);
		return -1;
	case YAML_SCALAR_EVENT:
		anchor = ev->data.scalar.anchor;
		break;
	case YAML_SEQUENCE_START_EVENT:
		anchor = ev->data.sequence_start.anchor;
		break;
	case YAML_MAPPING_START_EVENT:
		anchor = ev->data.mapping_start.anchor;
		break;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		if (c->depth > 0) {
			free(top->key);
			top->key = NULL;
			c->depth--;
		}
		return 0;
	default:
		return 0;
	}
	if (anchor != NULL) {
		err_printf(c->err, c->errlen, "yaml line %zu: anchors and "
		    "aliases are not allowed", line);
		return -1;
	}
	if (top != NULL && json_is_object(top->node) && top->key == NULL) {
		if (ev->type != YAML_SCALAR_EVENT) {
			err_printf(c->err, c->errlen, "yaml line %zu: "
			    "mapping keys must be plain strings", line);
			return -1;
		}
		if (ev->data.scalar.length > INTAKE_MAX_KEY ||
		    memchr(ev->data.scalar.value, '\0',
		    ev->data.scalar.length) != NULL) {
			err_printf(c->err, c->errlen, "yaml line %zu: "
			    "mapping key too long or not text", line);
			return -1;
		}
		top->key = xstrndup((const char *)ev->data.scalar.value,
		    ev->data.scalar.length);
		return 0;
	}
	if (ev->type == YAML_SCALAR_EVENT) {
		if ((v = intake_yaml_scalar(ev)) == NULL) {
			err_printf(c->err, c->errlen,
			    "yaml line %zu: invalid text", line);
			return -1;
		}
		return intake_yaml_attach(c, v, line);
	}
	if (c->depth == INTAKE_MAX_DEPTH) {
		err_printf(c->err, c->errlen, "yaml line %zu: nested "
		    "deeper than %d levels", line, INTAKE_MAX_DEPTH);
		return -1;
	}
	v = ev->type == YAML_MAPPING_START_EVENT ? json_object() :
	    json_array();
	if (intake_yaml_attach(c, v, line) == -1)
		return -1;
	/* v is still alive: its parent (or c->root) holds the reference */
	c->stack[c->depth].node = v;
	c->stack[c->depth].key = NULL;
	c->depth++;
	return 0;
}

json_t *
intake_parse_yaml(const char *buf, size_t len, json_t **warnings,
    char *err, size_t errlen)
{
	struct intake_yaml_conv c;
	yaml_parser_t parser;
	yaml_event_t ev;
	json_t *out = NULL;
	int ndocs = 0, r;
	size_t i;

	if (warnings != NULL)
		*warnings = NULL;
	memset(&c, 0, sizeof(c));
	c.err = err;
	c.errlen = errlen;
	if (len > INTAKE_MAX_YAML) {
		err_printf(err, errlen, "intake YAML is larger than %d "
		    "bytes", INTAKE_MAX_YAML);
		return NULL;
	}
	if (len == 0)
		return intake_from_json(NULL, warnings, err, errlen);
	if (!yaml_parser_initialize(&parser)) {
		err_printf(err, errlen, "yaml: out of memory");
		return NULL;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf,
	    len);
	for (;;) {
		if (!yaml_parser_parse(&parser, &ev)) {
			err_printf(err, errlen,
			    "yaml line %zu, column %zu: %s%s%s",
			    parser.problem_mark.line + 1,
			    parser.problem_mark.column + 1,
			    parser.problem ? parser.problem : "syntax error",
			    parser.context ? " " : "",
			    parser.context ? parser.context : "");
			goto out;
		}
		r = intake_yaml_event(&c, &ev, &ndocs);
		yaml_event_delete(&ev);
		if (r == -1)
			goto out;
		if (r == 1)
			break;
	}
	if (c.root != NULL && !json_is_object(c.root) &&
	    !json_is_null(c.root)) {
		err_printf(err, errlen,
		    "intake: top level must be a mapping");
		goto out;
	}
	out = intake_from_json(c.root, warnings, err, errlen);
out:
	for (i = 0; i < c.depth; i++)
		free(c.stack[i].key);
	json_decref(c.root);
	yaml_parser_delete(&parser);
	return out;
}
