/*
 * Part knowledge routes: the tenant's parts (bans, approved alternates,
 * usage), compatible with the original service. The worker reads the
 * same rows, so a ban set here applies to the next job.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api_db.h"
#include "api_knowledge.h"
#include "api_parts.h"
#include "api_reply.h"
#include "api_request.h"

#define API_PARTS_MAX_MPN		128
#define API_PARTS_MAX_ALTERNATES	100	/* approved, of one part */

#define API_PARTS_COLS "mpn, notes, approved_alternates::text, banned, " \
	"ban_reason, preferred, " \
	API_TS("bomd_part_last_used(client_id, mpn)") ", " \
	"bomd_part_projects(client_id, mpn)::text, " \
	"bomd_part_times_used(client_id, mpn), " \
	"failure_count, " \
	"quality_notes::text, " API_TS("created_at") ", " API_TS("updated_at")

/* A string member of o as a new JSON string, or null. */
static json_t *
api_parts_member_str(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string(json_string_value(v)) :
	    json_null();
}

/*
 * The stored approved_alternates (column col) as the original's list of
 * MPNs (names true), or as alternate objects {alternate_mpn, reason,
 * user, added_at}; rows written by hand may hold only some of the
 * members, or plain strings.
 */
static json_t *
api_parts_alternates(const PGresult *res, int row, int col, bool names)
{
	json_t *in, *out, *a, *mpn;
	size_t i;

	in = api_db_col_json(res, row, col);
	out = json_array();
	json_array_foreach(in, i, a) {
		mpn = json_is_string(a) ? a : json_object_get(a,
		    "alternate_mpn");
		if (!json_is_string(mpn))
			continue;
		if (names)
			json_array_append(out, mpn);
		else if (json_is_string(a))
			json_array_append_new(out, json_pack("{s:O, s:n, s:n, "
			    "s:n}", "alternate_mpn", a, "reason", "user",
			    "added_at"));
		else
			json_array_append_new(out, json_pack("{s:o, s:o, s:o, "
			    "s:o}", "alternate_mpn", json_incref(mpn),
			    "reason", api_parts_member_str(a, "reason"),
			    "user", api_parts_member_str(a, "user"),
			    "added_at", api_parts_member_str(a, "added_at")));
	}
	json_decref(in);
	return out;
}

static json_t *
api_parts_array_or_empty(const PGresult *res, int row, int col)
{
	json_t *v = api_db_col_json(res, row, col);

	if (json_is_array(v))
		return v;
	json_decref(v);
	return json_array();
}

/*
 * One row selected with API_PARTS_COLS as the original's part object:
 * notes, quality_notes and approved_alternates are lists of strings; who
 * approved an alternate, why and when is in approved_alternates_detail.
 */
static json_t *
api_parts_json(const PGresult *res, int i)
{
	json_t *q = api_db_col_json(res, i, 10);

	return json_pack("{s:s, s:o, s:o, s:o, s:b, s:o, s:b, s:o, s:o, s:I, "
	    "s:I, s:o, s:s, s:s}",
	    "mpn", PQgetvalue(res, i, 0),
	    "notes", api_knowledge_notes(PQgetvalue(res, i, 1)),
	    "approved_alternates", api_parts_alternates(res, i, 2, true),
	    "approved_alternates_detail", api_parts_alternates(res, i, 2,
	    false),
	    "banned", strcmp(PQgetvalue(res, i, 3), "t") == 0,
	    "ban_reason", api_db_col_str(res, i, 4),
	    "preferred", strcmp(PQgetvalue(res, i, 5), "t") == 0,
	    "last_used_date", api_db_col_str(res, i, 6),
	    "projects_used_in", api_parts_array_or_empty(res, i, 7),
	    "times_used", (json_int_t)atoll(PQgetvalue(res, i, 8)),
	    "failure_count", (json_int_t)atoll(PQgetvalue(res, i, 9)),
	    "quality_notes", api_knowledge_strings(q),
	    "created_at", PQgetvalue(res, i, 11),
	    "updated_at", PQgetvalue(res, i, 12));
}

/*
 * The original's answers to the writes, the part (as api_parts_json())
 * beside them: {status: banned, mpn, reason}, {status: unbanned, mpn},
 * {status: added, mpn, alternate_mpn} (the alternate in column 13).
 */
static json_t *
api_parts_banned_json(const PGresult *res, int i)
{
	return json_pack("{s:s, s:s, s:o, s:o}", "status", "banned", "mpn",
	    PQgetvalue(res, i, 0), "reason", api_db_col_str(res, i, 4),
	    "part", api_parts_json(res, i));
}

static json_t *
api_parts_unbanned_json(const PGresult *res, int i)
{
	return json_pack("{s:s, s:s, s:o}", "status", "unbanned", "mpn",
	    PQgetvalue(res, i, 0), "part", api_parts_json(res, i));
}

static json_t *
api_parts_added_json(const PGresult *res, int i)
{
	return json_pack("{s:s, s:s, s:s, s:o}", "status", "added", "mpn",
	    PQgetvalue(res, i, 0), "alternate_mpn", PQgetvalue(res, i, 13),
	    "part", api_parts_json(res, i));
}

/* A part route's handler, given the part's MPN. */
typedef enum MHD_Result (*api_parts_fn)(struct MHD_Connection *c,
    struct api_request *r, const char *mpn);

int
api_parts_mpn(const struct api_route_match *m, char *mpn, size_t len)
{
	int n;

	if (m->nargs == 2)
		n = snprintf(mpn, len, "%s/%s", m->args[0], m->args[1]);
	else
		n = snprintf(mpn, len, "%s", m->args[0]);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/*
 * Calls fn with the MPN of a part route (one capture, or two for an MPN
 * that contains a "/"); one too long or not text is 400.
 */
static enum MHD_Result
api_parts_route(struct MHD_Connection *c, struct api_request *r,
    api_parts_fn fn)
{
	char mpn[2 * API_ROUTE_ARG_LEN];
	enum MHD_Result ret;

	if (api_parts_mpn(&r->match, mpn, sizeof(mpn)) == -1)
		return api_error(c, MHD_HTTP_BAD_REQUEST, "mpn: at most %d "
		    "bytes", API_PARTS_MAX_MPN);
	if (api_knowledge_check_id(c, "mpn", mpn, API_PARTS_MAX_MPN,
	    &ret) == -1)
		return ret;
	return fn(c, r, mpn);
}

const struct api_knowledge_list api_parts_list = {
	"SELECT " API_PARTS_COLS " FROM part_knowledge WHERE client_id = $1 "
	"ORDER BY mpn LIMIT $2::int",
	api_parts_json
};

static enum MHD_Result
api_parts_get(struct MHD_Connection *c, struct api_request *r,
    const char *mpn)
{
	return api_reply_row(c, r, "SELECT " API_PARTS_COLS " FROM "
	    "part_knowledge WHERE client_id = $1 AND mpn = $2", 2,
	    (const char *[]){ r->client_id, mpn }, api_parts_json,
	    MHD_HTTP_NOT_FOUND, "Part not found: %s", mpn);
}

static enum MHD_Result
api_parts_ban(struct MHD_Connection *c, struct api_request *r,
    const char *mpn)
{
	const char *reason, *user;
	const struct api_knowledge_member members[] = {
		{ "reason", API_KNOWLEDGE_MAX_TEXT, true, &reason },
		{ "user", API_KNOWLEDGE_MAX_NAME, false, &user },
	};
	enum MHD_Result ret;
	json_t *body;

	if ((body = api_knowledge_body(c, r, false, members,
	    API_NMEMBERS(members), &ret)) == NULL)
		return ret;
	/* a part nobody has used yet can be banned ahead of time */
	ret = api_reply_row(c, r, "INSERT INTO part_knowledge AS k "
	    "(client_id, mpn, banned, ban_reason, banned_by) "
	    "VALUES ($1, $2, true, $3, $4) "
	    "ON CONFLICT (client_id, mpn) DO UPDATE SET banned = true, "
	    "ban_reason = EXCLUDED.ban_reason, banned_by = EXCLUDED.banned_by, "
	    "updated_at = now() RETURNING " API_PARTS_COLS, 4,
	    (const char *[]){ r->client_id, mpn, reason, user },
	    api_parts_banned_json,
	    MHD_HTTP_NOT_FOUND, "Part not found: %s", mpn);
	json_decref(body);
	return ret;
}

static enum MHD_Result
api_parts_unban(struct MHD_Connection *c, struct api_request *r,
    const char *mpn)
{
	const char *user;
	const struct api_knowledge_member members[] = {
		{ "user", API_KNOWLEDGE_MAX_NAME, false, &user },
	};
	enum MHD_Result ret;
	json_t *body;

	if ((body = api_knowledge_body(c, r, true, members,
	    API_NMEMBERS(members), &ret)) == NULL)
		return ret;
	ret = api_reply_row(c, r, "UPDATE part_knowledge SET banned = false, "
	    "ban_reason = NULL, banned_by = NULL, updated_at = now() "
	    "WHERE client_id = $1 AND mpn = $2 RETURNING " API_PARTS_COLS, 2,
	    (const char *[]){ r->client_id, mpn }, api_parts_unbanned_json,
	    MHD_HTTP_NOT_FOUND, "Part not found: %s", mpn);
	json_decref(body);
	return ret;
}

/* A row selected as approved_alternates alone, as the list of MPNs. */
static json_t *
api_parts_alternates_row(const PGresult *res, int i)
{
	return api_parts_alternates(res, i, 0, true);
}

static enum MHD_Result
api_parts_alternates_get(struct MHD_Connection *c, struct api_request *r,
    const char *mpn)
{
	return api_reply_row(c, r, "SELECT approved_alternates::text FROM "
	    "part_knowledge WHERE client_id = $1 AND mpn = $2", 2,
	    (const char *[]){ r->client_id, mpn }, api_parts_alternates_row,
	    MHD_HTTP_NOT_FOUND, "Part not found: %s", mpn);
}

static enum MHD_Result
api_parts_alternates_add(struct MHD_Connection *c, struct api_request *r,
    const char *mpn)
{
	const char *alt, *reason, *user;
	const struct api_knowledge_member members[] = {
		{ "alternate_mpn", API_PARTS_MAX_MPN, true, &alt },
		{ "reason", API_KNOWLEDGE_MAX_TEXT, false, &reason },
		{ "user", API_KNOWLEDGE_MAX_NAME, false, &user },
	};
	char max[16], *entrys = NULL;
	enum MHD_Result ret;
	json_t *body, *entry = NULL;

	if ((body = api_knowledge_body(c, r, false, members,
	    API_NMEMBERS(members), &ret)) == NULL)
		return ret;
	if (alt[0] == '\0' || !api_knowledge_text_ok(alt)) {
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
	snprintf(max, sizeof(max), "%d", API_PARTS_MAX_ALTERNATES);
	/*
	 * One statement: the same alternate again replaces its reason and
	 * user (keeping when it was added); a new one is appended while the
	 * part has fewer than the maximum, else no row comes back.
	 */
	ret = api_reply_row(c, r, "WITH n AS (SELECT $3::jsonb || "
	    "jsonb_build_object("
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
	    "RETURNING " API_PARTS_COLS ", $3::jsonb->>'alternate_mpn'", 4,
	    (const char *[]){ r->client_id, mpn, entrys, max },
	    api_parts_added_json, MHD_HTTP_BAD_REQUEST, "approved_alternates: "
	    "at most %d per part", API_PARTS_MAX_ALTERNATES);
out:
	json_decref(body);
	json_decref(entry);
	free(entrys);
	return ret;
}

/* Route entry points, for the MPN in one path segment or in two. */
#define API_PARTS_ROUTE(name, fn)					\
enum MHD_Result								\
name(struct MHD_Connection *c, struct api_request *r)			\
{									\
	return api_parts_route(c, r, fn);				\
}

API_PARTS_ROUTE(api_parts_route_part, api_parts_get)
API_PARTS_ROUTE(api_parts_route_ban, api_parts_ban)
API_PARTS_ROUTE(api_parts_route_unban, api_parts_unban)
API_PARTS_ROUTE(api_parts_route_alts_get, api_parts_alternates_get)
API_PARTS_ROUTE(api_parts_route_alts_add, api_parts_alternates_add)
