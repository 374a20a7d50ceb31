/*
 * Checks and answers shared by the part and supplier knowledge routes;
 * see api_knowledge.h.
 */
#include <stdlib.h>
#include <string.h>

#include "api_knowledge.h"
#include "api_request.h"

bool
api_knowledge_text_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned int cp;
	int n, i;

	while (*p != '\0') {
		if (*p < 0x20 || *p == 0x7f)
			return false;
		if (*p < 0x80) {
			p++;
			continue;
		}
		if ((*p & 0xe0) == 0xc0) {
			n = 1;
			cp = *p & 0x1f;
		} else if ((*p & 0xf0) == 0xe0) {
			n = 2;
			cp = *p & 0x0f;
		} else if ((*p & 0xf8) == 0xf0) {
			n = 3;
			cp = *p & 0x07;
		} else
			return false;
		for (i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
		    (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		p += n + 1;
	}
	return true;
}

int
api_knowledge_check_id(struct MHD_Connection *c, const char *field,
    const char *s, size_t max, enum MHD_Result *ret)
{
	if (strlen(s) > max) {
		*ret = api_error(c, MHD_HTTP_BAD_REQUEST, "%s: at most %zu "
		    "bytes", field, max);
		return -1;
	}
	if (!api_knowledge_text_ok(s)) {
		*ret = api_error(c, MHD_HTTP_BAD_REQUEST, "%s: must be UTF-8 "
		    "text without control characters", field);
		return -1;
	}
	return 0;
}

/* One member of api_knowledge_members(). 0, or -1 (answered). */
static int
api_knowledge_member(struct MHD_Connection *c, json_t *body,
    const struct api_knowledge_member *m, enum MHD_Result *ret)
{
	json_t *v = json_object_get(body, m->key);

	*m->out = NULL;
	if (v == NULL || json_is_null(v)) {
		if (!m->required)
			return 0;
		*ret = api_error(c, API_HTTP_UNPROCESSABLE, "%s: field "
		    "required", m->key);
		return -1;
	}
	if (!json_is_string(v)) {
		*ret = api_error(c, API_HTTP_UNPROCESSABLE, "%s: expected a "
		    "string", m->key);
		return -1;
	}
	if (json_string_length(v) > m->max) {
		*ret = api_error(c, MHD_HTTP_BAD_REQUEST, "%s: at most %zu "
		    "bytes", m->key, m->max);
		return -1;
	}
	if (strlen(json_string_value(v)) != json_string_length(v)) {
		*ret = api_error(c, MHD_HTTP_BAD_REQUEST, "%s: must not "
		    "contain NUL", m->key);
		return -1;
	}
	*m->out = json_string_value(v);
	return 0;
}

json_t *
api_knowledge_body(struct MHD_Connection *c, const struct api_request *r,
    bool optional, const struct api_knowledge_member *m, size_t n,
    enum MHD_Result *ret)
{
	json_t *body;
	size_t i;

	if ((body = api_json_body(c, r, optional, API_HTTP_UNPROCESSABLE,
	    ret)) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		if (api_knowledge_member(c, body, &m[i], ret) == -1) {
			json_decref(body);
			return NULL;
		}
	return body;
}

enum MHD_Result
api_knowledge_page(struct MHD_Connection *c, struct api_request *r)
{
	const struct api_knowledge_list *l = r->match.route->arg;

	return api_reply_page(c, r, l->sql, 1, (const char *[]){
	    r->client_id }, l->to_json);
}

json_t *
api_knowledge_notes(const char *text)
{
	json_t *out = json_array();
	const char *p = text, *nl;
	size_t n;

	while (p != NULL && *p != '\0') {
		nl = strchr(p, '\n');
		n = nl != NULL ? (size_t)(nl - p) : strlen(p);
		while (n > 0 && (p[n - 1] == '\r' || p[n - 1] == ' ' ||
		    p[n - 1] == '\t'))
			n--;
		if (n > 0)
			json_array_append_new(out, json_stringn(p, n));
		p = nl != NULL ? nl + 1 : NULL;
	}
	return out;
}

json_t *
api_knowledge_strings(json_t *v)
{
	json_t *out = json_array(), *e;
	size_t i;
	char *s;

	json_array_foreach(v, i, e) {
		if (json_is_string(e))
			json_array_append(out, e);
		else if ((s = json_dumps(e, JSON_COMPACT |
		    JSON_ENCODE_ANY)) != NULL) {
			json_array_append_new(out, json_string(s));
			free(s);
		}
	}
	json_decref(v);
	return out;
}
