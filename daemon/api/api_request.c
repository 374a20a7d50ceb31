/*
 * Requests of the API process: the body read in chunks (forms through
 * libmicrohttpd's parser, anything else kept as text), bounded by
 * max_upload, and the accessors routes read it with.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_internal.h"
#include "api_reply.h"
#include "api_request.h"
#include "api_x402.h"
#include "config.h"
#include "util.h"

#define API_REQUEST_FRAMING	65536	/* multipart bytes beside the file */
#define API_REQUEST_PP_BUF	65536	/* the form parser's buffer */

/* The form parser's callback: appends one piece of a field's value. */
static enum MHD_Result
api_request_post_field(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *filename, const char *content_type,
    const char *transfer_encoding, const char *data, uint64_t off,
    size_t size)
{
	struct api_request *r = cls;
	struct api_field *f = NULL;
	size_t i, limit;

	(void)kind;
	(void)content_type;
	(void)transfer_encoding;
	for (i = 0; i < r->nfields; i++)
		if (strcmp(r->fields[i].name, key) == 0) {
			f = &r->fields[i];
			break;
		}
	/* a field sent twice is refused, never the two joined */
	if (f != NULL && off == 0 && f->next_off > 0) {
		snprintf(r->form_error, sizeof(r->form_error), "form field "
		    "'%.64s' is given twice", key);
		r->bad_form = 1;
		return MHD_NO;
	}
	if (f == NULL) {
		if (r->nfields == API_MAX_FIELDS) {
			r->bad_form = 1;
			return MHD_NO;
		}
		f = &r->fields[r->nfields++];
		f->name = xstrdup(key);
		f->filename = filename ? xstrdup(filename) : NULL;
		buf_init(&f->data);
	}
	limit = filename ? (size_t)api_cfg->max_upload : API_MAX_FORM_FIELD;
	if (f->data.len + size > limit) {
		r->too_large = 1;
		return MHD_NO;
	}
	buf_append(&f->data, data, size);
	f->next_off = off + size;
	return MHD_YES;
}

struct api_request *
api_request_new(const char *uri)
{
	struct api_request *r;

	r = xcalloc(1, sizeof(*r));
	buf_init(&r->body);
	r->path = xstrndup(uri, strcspn(uri, "?"));
	return r;
}

void
api_request_start(struct api_request *r, struct MHD_Connection *c,
    const char *method)
{
	const char *clen;
	int64_t n;

	r->started = true;
	clen = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (clen != NULL && parse_i64(clen, 0, INT64_MAX, &n, NULL) == 0 &&
	    n > api_cfg->max_upload + API_REQUEST_FRAMING)
		r->too_large = 1;
	else if (strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0)
		r->pp = MHD_create_post_processor(c, API_REQUEST_PP_BUF,
		    api_request_post_field, r);
}

void
api_request_free(struct api_request *r)
{
	size_t i;

	if (r == NULL)
		return;
	if (r->pp != NULL)
		MHD_destroy_post_processor(r->pp);
	for (i = 0; i < r->nfields; i++) {
		free(r->fields[i].name);
		free(r->fields[i].filename);
		buf_free(&r->fields[i].data);
	}
	buf_free(&r->body);
	api_x402_free(r->x402);
	free(r->path);
	free(r);
}

void
api_request_feed(struct api_request *r, const char *data, size_t size)
{
	r->received += size;
	if (r->received > (size_t)api_cfg->max_upload + API_REQUEST_FRAMING)
		r->too_large = 1;
	if (r->too_large || r->bad_form)
		return;
	if (r->pp != NULL) {
		if (MHD_post_process(r->pp, data, size) == MHD_NO &&
		    !r->too_large)
			r->bad_form = 1;
	} else if (r->body.len + size <= API_MAX_FORM_FIELD)
		buf_append(&r->body, data, size);
	else
		r->too_large = 1;
}

const struct api_field *
api_field(const struct api_request *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nfields; i++)
		if (strcmp(r->fields[i].name, name) == 0)
			return &r->fields[i];
	return NULL;
}

json_t *
api_json_body(struct MHD_Connection *c, const struct api_request *r,
    bool optional, unsigned int status, enum MHD_Result *ret)
{
	json_error_t jerr;
	json_t *v;

	if (r->body.len == 0) {
		if (optional)
			return json_object();
		*ret = api_error(c, status, "request body: expected a JSON "
		    "object");
		return NULL;
	}
	v = json_loadb(r->body.data, r->body.len, JSON_REJECT_DUPLICATES,
	    &jerr);
	if (v == NULL || !json_is_object(v)) {
		*ret = api_error(c, status, "request body: %s", v ?
		    "expected a JSON object" : jerr.text);
		json_decref(v);
		return NULL;
	}
	return v;
}

int
api_query_limit(struct MHD_Connection *c, char *buf, size_t len,
    enum MHD_Result *ret)
{
	const char *lim;
	int64_t limit = API_DEFAULT_LIMIT;

	lim = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "limit");
	if (lim != NULL && parse_i64(lim, 1, INT64_MAX, &limit, NULL) == -1) {
		*ret = api_error(c, API_HTTP_UNPROCESSABLE, "limit: must be a "
		    "positive whole number");
		return -1;
	}
	if (limit > API_MAX_LIMIT)
		limit = API_MAX_LIMIT;
	snprintf(buf, len, "%lld", (long long)limit);
	return 0;
}
