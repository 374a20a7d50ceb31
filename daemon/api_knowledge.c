/*
 * Knowledge routes: the tenant's parts (bans, approved alternates, usage)
 * and suppliers (type, trust), compatible with the original service. The
 * worker reads the same rows, so a ban or a block set here applies to the
 * next job.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api_internal.h"
#include "db.h"
#include "util.h"

#define KN_MAX_MPN		128
#define KN_MAX_ID		64
#define KN_MAX_NAME		200
#define KN_MAX_TEXT		4096
#define KN_MAX_ALTERNATES	100	/* approved alternates of one part */

#define KN_PART_COLS "mpn, notes, approved_alternates::text, banned, " \
	"ban_reason, preferred, " \
	API_TS("bomd_part_last_used(client_id, mpn)") ", " \
	"bomd_part_projects(client_id, mpn)::text, " \
	"bomd_part_times_used(client_id, mpn), " \
	"failure_count, " \
	"quality_notes::text, " API_TS("created_at") ", " API_TS("updated_at")

#define KN_SUPPLIER_COLS "supplier_id, name, supplier_type, trust_level, " \
	"on_time_rate, quality_rate, lead_time_accuracy, account_rep, " \
	"payment_terms, notes, " API_TS("last_order_date") ", " \
	"total_spend_ytd_micros, order_count_ytd, " API_TS("created_at") ", " \
	API_TS("updated_at")

static const char *const kn_supplier_types[] = {
	"authorized", "broker", "direct", NULL
};
static const char *const kn_trust_levels[] = {
	"high", "medium", "low", "blocked", NULL
};

static enum MHD_Result
kn_db_unavailable(struct MHD_Connection *c)
{
	return api_error(c, MHD_HTTP_SERVICE_UNAVAILABLE,
	    "database unavailable");
}

static bool
kn_word(const char *s, const char *const *words)
{
	for (; *words != NULL; words++)
		if (strcmp(s, *words) == 0)
			return true;
	return false;
}

/* True when s is valid UTF-8 without control characters. */
static bool
kn_text_ok(const char *s)
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

/*
 * Checks an identifier taken from the path (an MPN or a supplier id).
 * 0, or -1 after answering 400 naming the field.
 */
static int
kn_check_id(struct MHD_Connection *c, const char *field, const char *s,
    size_t max, enum MHD_Result *ret)
{
	if (strlen(s) > max) {
		*ret = api_error(c, MHD_HTTP_BAD_REQUEST, "%s: at most %zu "
		    "bytes", field, max);
		return -1;
	}
	if (!kn_text_ok(s)) {
		*ret = api_error(c, MHD_HTTP_BAD_REQUEST, "%s: must be UTF-8 "
		    "text without control characters", field);
		return -1;
	}
	return 0;
}

/*
 * A string member of a request body: *out is NULL when absent or null.
 * Missing required fields and wrong types are 422 (as the original's
 * validation), texts over max bytes are 400. 0, or -1 (answered).
 */
static int
kn_body_str(struct MHD_Connection *c, json_t *body, const char *key,
    size_t max, bool required, const char **out, enum MHD_Result *ret)
{
	json_t *v = json_object_get(body, key);

	*out = NULL;
	if (v == NULL || json_is_null(v)) {
		if (!required)
			return 0;
		*ret = api_error(c, API_HTTP_UNPROCESSABLE, "%s: field "
		    "required", key);
		return -1;
	}
	if (!json_is_string(v)) {
		*ret = api_error(c, API_HTTP_UNPROCESSABLE, "%s: expected a "
		    "string", key);
		return -1;
	}
	if (json_string_length(v) > max) {
		*ret = api_error(c, MHD_HTTP_BAD_REQUEST, "%s: at most %zu "
		    "bytes", key, max);
		return -1;
	}
	if (strlen(json_string_value(v)) != json_string_length(v)) {
		*ret = api_error(c, MHD_HTTP_BAD_REQUEST, "%s: must not "
		    "contain NUL", key);
		return -1;
	}
	*out = json_string_value(v);
	return 0;
}

/*
 * The request body as a JSON object (new reference); an empty body gives
 * an empty object when optional. NULL after answering 422.
 */
static json_t *
kn_body(struct MHD_Connection *c, const struct api_request *r,
    bool optional, enum MHD_Result *ret)
{
	char err[256];
	json_t *v;

	if (optional && r->body.len == 0)
		return json_object();
	if ((v = api_json_body(r, err, sizeof(err))) == NULL)
		*ret = api_error(c, API_HTTP_UNPROCESSABLE, "%s", err);
	return v;
}

/* ?limit=N: 1 or more, at most API_MAX_LIMIT. 0, or -1 (answered). */
static int
kn_limit(struct MHD_Connection *c, char *buf, size_t len,
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

static json_t *
kn_jsonb(PGresult *res, int row, int col)
{
	json_error_t jerr;
	json_t *v;

	if (PQgetisnull(res, row, col))
		return json_null();
	v = json_loads(PQgetvalue(res, row, col), JSON_DECODE_ANY, &jerr);
	return v ? v : json_null();
}

static json_t *
kn_str_or_null(PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? json_null() :
	    json_string(PQgetvalue(res, row, col));
}

static json_t *
kn_member_str(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string(json_string_value(v)) :
	    json_null();
}

/*
 * The stored approved_alternates as alternate objects {alternate_mpn,
 * reason, user, added_at}; rows written by hand may hold only some of
 * the members, or plain strings.
 */
static json_t *
kn_alternates(PGresult *res, int row, int col)
{
	json_t *in, *out, *a;
	size_t i;

	in = kn_jsonb(res, row, col);
	out = json_array();
	json_array_foreach(in, i, a) {
		if (json_is_string(a)) {
			json_array_append_new(out, json_pack("{s:O, s:n, s:n, "
			    "s:n}", "alternate_mpn", a, "reason", "user",
			    "added_at"));
			continue;
		}
		if (!json_is_string(json_object_get(a, "alternate_mpn")))
			continue;
		json_array_append_new(out, json_pack("{s:o, s:o, s:o, s:o}",
		    "alternate_mpn", kn_member_str(a, "alternate_mpn"),
		    "reason", kn_member_str(a, "reason"),
		    "user", kn_member_str(a, "user"),
		    "added_at", kn_member_str(a, "added_at")));
	}
	json_decref(in);
	return out;
}

static json_t *
kn_array_or_empty(PGresult *res, int row, int col)
{
	json_t *v = kn_jsonb(res, row, col);

	if (json_is_array(v))
		return v;
	json_decref(v);
	return json_array();
}

/* One row selected with KN_PART_COLS as the original's part object. */
static json_t *
kn_part_json(PGresult *res, int i)
{
	return json_pack("{s:s, s:s, s:o, s:b, s:o, s:b, s:o, s:o, s:I, s:I, "
	    "s:o, s:s, s:s}",
	    "mpn", PQgetvalue(res, i, 0),
	    "notes", PQgetvalue(res, i, 1),
	    "approved_alternates", kn_alternates(res, i, 2),
	    "banned", strcmp(PQgetvalue(res, i, 3), "t") == 0,
	    "ban_reason", kn_str_or_null(res, i, 4),
	    "preferred", strcmp(PQgetvalue(res, i, 5), "t") == 0,
	    "last_used_date", kn_str_or_null(res, i, 6),
	    "projects_used_in", kn_array_or_empty(res, i, 7),
	    "times_used", (json_int_t)atoll(PQgetvalue(res, i, 8)),
	    "failure_count", (json_int_t)atoll(PQgetvalue(res, i, 9)),
	    "quality_notes", kn_array_or_empty(res, i, 10),
	    "created_at", PQgetvalue(res, i, 11),
	    "updated_at", PQgetvalue(res, i, 12));
}

/* One row selected with KN_SUPPLIER_COLS as the original's supplier. */
static json_t *
kn_supplier_json(PGresult *res, int i)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:f, s:f, s:f, s:o, s:o, s:s, "
	    "s:o, s:f, s:I, s:s, s:s}",
	    "supplier_id", PQgetvalue(res, i, 0),
	    "name", PQgetvalue(res, i, 1),
	    "supplier_type", PQgetvalue(res, i, 2),
	    "trust_level", PQgetvalue(res, i, 3),
	    "on_time_rate", strtod(PQgetvalue(res, i, 4), NULL),
	    "quality_rate", strtod(PQgetvalue(res, i, 5), NULL),
	    "lead_time_accuracy", strtod(PQgetvalue(res, i, 6), NULL),
	    "account_rep", kn_str_or_null(res, i, 7),
	    "payment_terms", kn_str_or_null(res, i, 8),
	    "notes", PQgetvalue(res, i, 9),
	    "last_order_date", kn_str_or_null(res, i, 10),
	    "total_spend_ytd", money_to_double(atoll(PQgetvalue(res, i, 11))),
	    "order_count_ytd", (json_int_t)atoll(PQgetvalue(res, i, 12)),
	    "created_at", PQgetvalue(res, i, 13),
	    "updated_at", PQgetvalue(res, i, 14));
}

/*
 * Runs a statement returning at most one row in KN_*_COLS shape and
 * answers with it (200), or with 404 "<what> not found: <id>" when there
 * is none.
 */
static enum MHD_Result
kn_answer_row(struct MHD_Connection *c, const struct api_request *r,
    const char *sql, int nparams, const char *const *params,
    json_t *(*to_json)(PGresult *, int), const char *what, const char *id)
{
	PGresult *res;
	PGconn *db;
	json_t *out;

	if ((db = api_db_get(r)) == NULL)
		return kn_db_unavailable(c);
	res = db_query(db, sql, nparams, params, NULL, 0);
	api_db_put(db);
	if (res == NULL)
		return kn_db_unavailable(c);
	if (PQntuples(res) == 0) {
		PQclear(res);
		return api_error(c, MHD_HTTP_NOT_FOUND, "%s not found: %s",
		    what, id);
	}
	out = to_json(res, 0);
	PQclear(res);
	return api_json(c, MHD_HTTP_OK, out);
}

static enum MHD_Result
kn_answer_list(struct MHD_Connection *c, const struct api_request *r,
    const char *sql, json_t *(*to_json)(PGresult *, int))
{
	const char *params[2];
	char limbuf[24];
	enum MHD_Result ret;
	PGresult *res;
	PGconn *db;
	json_t *out;
	int i;

	if (kn_limit(c, limbuf, sizeof(limbuf), &ret) == -1)
		return ret;
	params[0] = r->client_id;
	params[1] = limbuf;
	if ((db = api_db_get(r)) == NULL)
		return kn_db_unavailable(c);
	res = db_query(db, sql, 2, params, NULL, 0);
	api_db_put(db);
	if (res == NULL)
		return kn_db_unavailable(c);
	out = json_array();
	for (i = 0; i < PQntuples(res); i++)
		json_array_append_new(out, to_json(res, i));
	PQclear(res);
	return api_json(c, MHD_HTTP_OK, out);
}

/*
 * The MPN of a part route: one path segment, or two joined by "/" for
 * MPNs such as LM1117IMPX-3.3/NOPB (libmicrohttpd decodes %2F before
 * routing). 0, or -1 (answered).
 */
static int
kn_mpn(struct MHD_Connection *c, const char *const *args, int nseg,
    char *mpn, size_t len, enum MHD_Result *ret)
{
	int n;

	if (nseg == 2)
		n = snprintf(mpn, len, "%s/%s", args[0], args[1]);
	else
		n = snprintf(mpn, len, "%s", args[0]);
	if (n < 0 || (size_t)n >= len) {
		*ret = api_error(c, MHD_HTTP_BAD_REQUEST, "mpn: at most %d "
		    "bytes", KN_MAX_MPN);
		return -1;
	}
	return kn_check_id(c, "mpn", mpn, KN_MAX_MPN, ret);
}

/* --- parts ---------------------------------------------------------- */

static enum MHD_Result
kn_parts_list(struct MHD_Connection *c, struct api_request *r,
    const char *const *args)
{
	(void)args;
	return kn_answer_list(c, r, "SELECT " KN_PART_COLS " FROM "
	    "part_knowledge WHERE client_id = $1 ORDER BY mpn "
	    "LIMIT $2::int", kn_part_json);
}

static enum MHD_Result
kn_part_get(struct MHD_Connection *c, struct api_request *r,
    const char *const *args, int nseg)
{
	char mpn[2 * API_ARG_LEN];
	enum MHD_Result ret;

	if (kn_mpn(c, args, nseg, mpn, sizeof(mpn), &ret) == -1)
		return ret;
	return kn_answer_row(c, r, "SELECT " KN_PART_COLS " FROM "
	    "part_knowledge WHERE client_id = $1 AND mpn = $2", 2,
	    (const char *[]){ r->client_id, mpn }, kn_part_json, "Part", mpn);
}

static enum MHD_Result
kn_part_ban(struct MHD_Connection *c, struct api_request *r,
    const char *const *args, int nseg)
{
	char mpn[2 * API_ARG_LEN];
	const char *reason, *user;
	enum MHD_Result ret;
	json_t *body;

	if (kn_mpn(c, args, nseg, mpn, sizeof(mpn), &ret) == -1)
		return ret;
	if ((body = kn_body(c, r, false, &ret)) == NULL)
		return ret;
	if (kn_body_str(c, body, "reason", KN_MAX_TEXT, true, &reason,
	    &ret) == -1 ||
	    kn_body_str(c, body, "user", KN_MAX_NAME, false, &user,
	    &ret) == -1)
		goto out;
	/* a part nobody has used yet can be banned ahead of time */
	ret = kn_answer_row(c, r, "INSERT INTO part_knowledge AS k "
	    "(client_id, mpn, banned, ban_reason, banned_by) "
	    "VALUES ($1, $2, true, $3, $4) "
	    "ON CONFLICT (client_id, mpn) DO UPDATE SET banned = true, "
	    "ban_reason = EXCLUDED.ban_reason, banned_by = EXCLUDED.banned_by, "
	    "updated_at = now() RETURNING " KN_PART_COLS, 4,
	    (const char *[]){ r->client_id, mpn, reason, user }, kn_part_json,
	    "Part", mpn);
out:
	json_decref(body);
	return ret;
}

static enum MHD_Result
kn_part_unban(struct MHD_Connection *c, struct api_request *r,
    const char *const *args, int nseg)
{
	char mpn[2 * API_ARG_LEN];
	const char *user;
	enum MHD_Result ret;
	json_t *body;

	if (kn_mpn(c, args, nseg, mpn, sizeof(mpn), &ret) == -1)
		return ret;
	if ((body = kn_body(c, r, true, &ret)) == NULL)
		return ret;
	if (kn_body_str(c, body, "user", KN_MAX_NAME, false, &user,
	    &ret) == -1)
		goto out;
	ret = kn_answer_row(c, r, "UPDATE part_knowledge SET banned = false, "
	    "ban_reason = NULL, banned_by = NULL, updated_at = now() "
	    "WHERE client_id = $1 AND mpn = $2 RETURNING " KN_PART_COLS, 2,
	    (const char *[]){ r->client_id, mpn }, kn_part_json, "Part", mpn);
out:
	json_decref(body);
	return ret;
}

static enum MHD_Result
kn_alternates_get(struct MHD_Connection *c, struct api_request *r,
    const char *const *args, int nseg)
{
	char mpn[2 * API_ARG_LEN];
	const char *params[2];
	enum MHD_Result ret;
	PGresult *res;
	PGconn *db;
	json_t *out;

	if (kn_mpn(c, args, nseg, mpn, sizeof(mpn), &ret) == -1)
		return ret;
	params[0] = r->client_id;
	params[1] = mpn;
	if ((db = api_db_get(r)) == NULL)
		return kn_db_unavailable(c);
	res = db_query(db, "SELECT approved_alternates::text FROM "
	    "part_knowledge WHERE client_id = $1 AND mpn = $2", 2, params,
	    NULL, 0);
	api_db_put(db);
	if (res == NULL)
		return kn_db_unavailable(c);
	if (PQntuples(res) == 0) {
		PQclear(res);
		return api_error(c, MHD_HTTP_NOT_FOUND, "Part not found: %s",
		    mpn);
	}
	out = kn_alternates(res, 0, 0);
	PQclear(res);
	return api_json(c, MHD_HTTP_OK, out);
}

static enum MHD_Result
kn_alternates_add(struct MHD_Connection *c, struct api_request *r,
    const char *const *args, int nseg)
{
	char mpn[2 * API_ARG_LEN], max[16];
	const char *alt, *reason, *user, *params[4];
	enum MHD_Result ret;
	PGresult *res;
	PGconn *db;
	json_t *body, *out, *entry = NULL;
	char *entrys = NULL;

	if (kn_mpn(c, args, nseg, mpn, sizeof(mpn), &ret) == -1)
		return ret;
	if ((body = kn_body(c, r, false, &ret)) == NULL)
		return ret;
	if (kn_body_str(c, body, "alternate_mpn", KN_MAX_MPN, true, &alt,
	    &ret) == -1 ||
	    kn_body_str(c, body, "reason", KN_MAX_TEXT, false, &reason,
	    &ret) == -1 ||
	    kn_body_str(c, body, "user", KN_MAX_NAME, false, &user,
	    &ret) == -1)
		goto out;
	if (alt[0] == '\0' || !kn_text_ok(alt)) {
		ret = api_error(c, MHD_HTTP_BAD_REQUEST, "alternate_mpn: must "
		    "be a non-empty part number without control characters");
		goto out;
	}
	if (strcasecmp(alt, mpn) == 0) {
		ret = api_error(c, MHD_HTTP_BAD_REQUEST, "alternate_mpn: a "
		    "part cannot be its own alternate");
		goto out;
	}
	entry = json_pack("{s:s, s:s?, s:s?}", "alternate_mpn", alt, "reason",
	    reason, "user", user);
	entrys = json_dumps(entry, JSON_COMPACT);
	snprintf(max, sizeof(max), "%d", KN_MAX_ALTERNATES);
	params[0] = r->client_id;
	params[1] = mpn;
	params[2] = entrys;
	params[3] = max;
	if ((db = api_db_get(r)) == NULL) {
		ret = kn_db_unavailable(c);
		goto out;
	}
	/*
	 * One statement: the same alternate again replaces its reason and
	 * user (keeping when it was added); a new one is appended while the
	 * part has fewer than the maximum.
	 */
	res = db_query(db, "WITH n AS (SELECT $3::jsonb || jsonb_build_object("
	    "'reason', COALESCE($3::jsonb->'reason', 'null'::jsonb), "
	    "'user', COALESCE($3::jsonb->'user', 'null'::jsonb), "
	    "'added_at', " API_TS("now()") ") AS e) "
	    "INSERT INTO part_knowledge AS k (client_id, mpn, "
	    "approved_alternates) SELECT $1, $2, jsonb_build_array(n.e) FROM n "
	    "ON CONFLICT (client_id, mpn) DO UPDATE SET "
	    "approved_alternates = CASE WHEN EXISTS (SELECT 1 FROM "
	    "jsonb_array_elements(k.approved_alternates) x WHERE "
	    "upper(x->>'alternate_mpn') = upper($3::jsonb->>'alternate_mpn')) "
	    "THEN (SELECT jsonb_agg(CASE WHEN jsonb_typeof(x) = 'object' AND "
	    "upper(x->>'alternate_mpn') = upper($3::jsonb->>'alternate_mpn') "
	    "THEN x || jsonb_build_object('reason', "
	    "COALESCE($3::jsonb->'reason', 'null'::jsonb), 'user', "
	    "COALESCE($3::jsonb->'user', 'null'::jsonb)) ELSE x END "
	    "ORDER BY o) FROM jsonb_array_elements(k.approved_alternates) "
	    "WITH ORDINALITY AS t(x, o)) "
	    "ELSE k.approved_alternates || jsonb_build_array("
	    "(SELECT e FROM n)) END, updated_at = now() "
	    "WHERE jsonb_array_length(k.approved_alternates) < $4::int OR "
	    "EXISTS (SELECT 1 FROM jsonb_array_elements(k.approved_alternates) "
	    "x WHERE upper(x->>'alternate_mpn') = "
	    "upper($3::jsonb->>'alternate_mpn')) "
	    "RETURNING " KN_PART_COLS, 4, params, NULL, 0);
	api_db_put(db);
	if (res == NULL) {
		ret = kn_db_unavailable(c);
		goto out;
	}
	if (PQntuples(res) == 0) {
		PQclear(res);
		ret = api_error(c, MHD_HTTP_BAD_REQUEST, "approved_alternates: "
		    "at most %d per part", KN_MAX_ALTERNATES);
		goto out;
	}
	out = kn_part_json(res, 0);
	PQclear(res);
	ret = api_json(c, MHD_HTTP_OK, out);
out:
	json_decref(body);
	json_decref(entry);
	free(entrys);
	return ret;
}

/*
 * Route entry points: one path segment for the MPN, or two for an MPN
 * that contains a "/".
 */
#define KN_PART_ROUTE(name, fn)						\
static enum MHD_Result							\
name##_1(struct MHD_Connection *c, struct api_request *r,		\
    const char *const *args)						\
{									\
	return fn(c, r, args, 1);					\
}									\
static enum MHD_Result							\
name##_2(struct MHD_Connection *c, struct api_request *r,		\
    const char *const *args)						\
{									\
	return fn(c, r, args, 2);					\
}

KN_PART_ROUTE(kn_route_part, kn_part_get)
KN_PART_ROUTE(kn_route_ban, kn_part_ban)
KN_PART_ROUTE(kn_route_unban, kn_part_unban)
KN_PART_ROUTE(kn_route_alts_get, kn_alternates_get)
KN_PART_ROUTE(kn_route_alts_add, kn_alternates_add)

/* --- suppliers ------------------------------------------------------ */

static enum MHD_Result
kn_suppliers_list(struct MHD_Connection *c, struct api_request *r,
    const char *const *args)
{
	(void)args;
	return kn_answer_list(c, r, "SELECT " KN_SUPPLIER_COLS " FROM "
	    "supplier_knowledge WHERE client_id = $1 ORDER BY supplier_id "
	    "LIMIT $2::int", kn_supplier_json);
}

static enum MHD_Result
kn_supplier_get(struct MHD_Connection *c, struct api_request *r,
    const char *const *args)
{
	enum MHD_Result ret;

	if (kn_check_id(c, "supplier_id", args[0], KN_MAX_ID, &ret) == -1)
		return ret;
	return kn_answer_row(c, r, "SELECT " KN_SUPPLIER_COLS " FROM "
	    "supplier_knowledge WHERE client_id = $1 AND supplier_id = $2", 2,
	    (const char *[]){ r->client_id, args[0] }, kn_supplier_json,
	    "Supplier", args[0]);
}

static enum MHD_Result
kn_supplier_create(struct MHD_Connection *c, struct api_request *r,
    const char *const *args)
{
	const char *id, *name, *type, *trust, *rep, *terms, *notes;
	const char *params[8];
	enum MHD_Result ret;
	PGresult *res;
	PGconn *db;
	json_t *body, *out;

	(void)args;
	if ((body = kn_body(c, r, false, &ret)) == NULL)
		return ret;
	if (kn_body_str(c, body, "supplier_id", KN_MAX_ID, true, &id,
	    &ret) == -1 ||
	    kn_body_str(c, body, "name", KN_MAX_NAME, true, &name,
	    &ret) == -1 ||
	    kn_body_str(c, body, "supplier_type", KN_MAX_ID, false, &type,
	    &ret) == -1 ||
	    kn_body_str(c, body, "trust_level", KN_MAX_ID, false, &trust,
	    &ret) == -1 ||
	    kn_body_str(c, body, "account_rep", KN_MAX_NAME, false, &rep,
	    &ret) == -1 ||
	    kn_body_str(c, body, "payment_terms", KN_MAX_NAME, false, &terms,
	    &ret) == -1 ||
	    kn_body_str(c, body, "notes", KN_MAX_TEXT, false, &notes,
	    &ret) == -1)
		goto out;
	if (id[0] == '\0' || strchr(id, '/') != NULL || !kn_text_ok(id)) {
		ret = api_error(c, MHD_HTTP_BAD_REQUEST, "supplier_id: must be "
		    "non-empty, without '/' or control characters");
		goto out;
	}
	if (name[0] == '\0' || !kn_text_ok(name)) {
		ret = api_error(c, MHD_HTTP_BAD_REQUEST, "name: must be "
		    "non-empty, without control characters");
		goto out;
	}
	if (type == NULL)
		type = "authorized";
	if (!kn_word(type, kn_supplier_types)) {
		ret = api_error(c, MHD_HTTP_BAD_REQUEST, "Invalid supplier "
		    "type: %s", type);
		goto out;
	}
	if (trust == NULL)
		trust = "medium";
	if (!kn_word(trust, kn_trust_levels)) {
		ret = api_error(c, MHD_HTTP_BAD_REQUEST, "Invalid trust "
		    "level: %s", trust);
		goto out;
	}
	params[0] = r->client_id;
	params[1] = id;
	params[2] = name;
	params[3] = type;
	params[4] = trust;
	params[5] = rep;
	params[6] = terms;
	params[7] = notes ? notes : "";
	if ((db = api_db_get(r)) == NULL) {
		ret = kn_db_unavailable(c);
		goto out;
	}
	res = db_query(db, "INSERT INTO supplier_knowledge (client_id, "
	    "supplier_id, name, supplier_type, trust_level, account_rep, "
	    "payment_terms, notes) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
	    "ON CONFLICT (client_id, supplier_id) DO NOTHING "
	    "RETURNING " KN_SUPPLIER_COLS, 8, params, NULL, 0);
	api_db_put(db);
	if (res == NULL) {
		ret = kn_db_unavailable(c);
		goto out;
	}
	if (PQntuples(res) == 0) {
		PQclear(res);
		ret = api_error(c, MHD_HTTP_BAD_REQUEST, "Supplier already "
		    "exists: %s", id);
		goto out;
	}
	out = kn_supplier_json(res, 0);
	PQclear(res);
	/* 200 as FastAPI's default: the original set no other status */
	ret = api_json(c, MHD_HTTP_OK, out);
out:
	json_decref(body);
	return ret;
}

static enum MHD_Result
kn_supplier_trust(struct MHD_Connection *c, struct api_request *r,
    const char *const *args)
{
	const char *trust, *reason, *user;
	enum MHD_Result ret;
	json_t *body;

	if (kn_check_id(c, "supplier_id", args[0], KN_MAX_ID, &ret) == -1)
		return ret;
	if ((body = kn_body(c, r, false, &ret)) == NULL)
		return ret;
	if (kn_body_str(c, body, "trust_level", KN_MAX_ID, true, &trust,
	    &ret) == -1 ||
	    kn_body_str(c, body, "reason", KN_MAX_TEXT, false, &reason,
	    &ret) == -1 ||
	    kn_body_str(c, body, "user", KN_MAX_NAME, false, &user,
	    &ret) == -1)
		goto out;
	if (!kn_word(trust, kn_trust_levels)) {
		ret = api_error(c, MHD_HTTP_BAD_REQUEST, "Invalid trust "
		    "level: %s", trust);
		goto out;
	}
	ret = kn_answer_row(c, r, "UPDATE supplier_knowledge SET "
	    "trust_level = $3, updated_at = now() WHERE client_id = $1 AND "
	    "supplier_id = $2 RETURNING " KN_SUPPLIER_COLS, 3,
	    (const char *[]){ r->client_id, args[0], trust },
	    kn_supplier_json, "Supplier", args[0]);
out:
	json_decref(body);
	return ret;
}

/*
 * Specific part routes come before the two-segment ones: GET
 * /knowledge/parts/X/alternates is X's alternates, never a part named
 * "X/alternates".
 */
const struct api_route api_knowledge_routes[] = {
	{ "GET", "/knowledge/parts", API_AUTH_KEY, kn_parts_list },
	{ "GET", "/knowledge/parts/{}", API_AUTH_KEY, kn_route_part_1 },
	{ "POST", "/knowledge/parts/{}/ban", API_AUTH_KEY, kn_route_ban_1 },
	{ "POST", "/knowledge/parts/{}/unban", API_AUTH_KEY,
	    kn_route_unban_1 },
	{ "GET", "/knowledge/parts/{}/alternates", API_AUTH_KEY,
	    kn_route_alts_get_1 },
	{ "POST", "/knowledge/parts/{}/alternates", API_AUTH_KEY,
	    kn_route_alts_add_1 },
	{ "POST", "/knowledge/parts/{}/{}/ban", API_AUTH_KEY,
	    kn_route_ban_2 },
	{ "POST", "/knowledge/parts/{}/{}/unban", API_AUTH_KEY,
	    kn_route_unban_2 },
	{ "GET", "/knowledge/parts/{}/{}/alternates", API_AUTH_KEY,
	    kn_route_alts_get_2 },
	{ "POST", "/knowledge/parts/{}/{}/alternates", API_AUTH_KEY,
	    kn_route_alts_add_2 },
	{ "GET", "/knowledge/parts/{}/{}", API_AUTH_KEY, kn_route_part_2 },
	{ "GET", "/knowledge/suppliers", API_AUTH_KEY, kn_suppliers_list },
	{ "POST", "/knowledge/suppliers", API_AUTH_KEY, kn_supplier_create },
	{ "GET", "/knowledge/suppliers/{}", API_AUTH_KEY, kn_supplier_get },
	{ "POST", "/knowledge/suppliers/{}/trust", API_AUTH_KEY,
	    kn_supplier_trust },
	{ NULL, NULL, 0, NULL }
};
