/*
 * Supplier knowledge routes: the tenant's suppliers (type, trust),
 * compatible with the original service. The worker reads the same rows,
 * so a supplier blocked here is avoided from the next job on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_db.h"
#include "api_knowledge.h"
#include "api_reply.h"
#include "api_request.h"
#include "api_suppliers.h"
#include "util.h"

#define API_SUPPLIERS_COLS "supplier_id, name, supplier_type, " \
	"trust_level, on_time_rate, quality_rate, lead_time_accuracy, " \
	"account_rep, payment_terms, notes, " API_TS("last_order_date") ", " \
	"total_spend_ytd_micros, order_count_ytd, " API_TS("created_at") \
	", " API_TS("updated_at")

static const char *const api_suppliers_types[] = {
	"authorized", "broker", "direct", NULL
};
static const char *const api_suppliers_trust_levels[] = {
	"high", "medium", "low", "blocked", NULL
};

/*
 * Checks that s is one of words: 0, or -1 after answering 400 "Invalid
 * <what>: <s>".
 */
static int
api_suppliers_check(struct MHD_Connection *c, const char *s,
    const char *const *words, const char *what, enum MHD_Result *ret)
{
	for (; *words != NULL; words++)
		if (strcmp(s, *words) == 0)
			return 0;
	*ret = api_error(c, MHD_HTTP_BAD_REQUEST, "Invalid %s: %s", what, s);
	return -1;
}

/* One row selected with API_SUPPLIERS_COLS as the original's supplier. */
static json_t *
api_suppliers_json(const PGresult *res, int i)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:f, s:f, s:f, s:o, s:o, s:o, "
	    "s:o, s:f, s:I, s:s, s:s}",
	    "supplier_id", PQgetvalue(res, i, 0),
	    "name", PQgetvalue(res, i, 1),
	    "supplier_type", PQgetvalue(res, i, 2),
	    "trust_level", PQgetvalue(res, i, 3),
	    "on_time_rate", strtod(PQgetvalue(res, i, 4), NULL),
	    "quality_rate", strtod(PQgetvalue(res, i, 5), NULL),
	    "lead_time_accuracy", strtod(PQgetvalue(res, i, 6), NULL),
	    "account_rep", api_db_col_str(res, i, 7),
	    "payment_terms", api_db_col_str(res, i, 8),
	    "notes", api_knowledge_notes(PQgetvalue(res, i, 9)),
	    "last_order_date", api_db_col_str(res, i, 10),
	    "total_spend_ytd", money_to_double(atoll(PQgetvalue(res, i, 11))),
	    "order_count_ytd", (json_int_t)atoll(PQgetvalue(res, i, 12)),
	    "created_at", PQgetvalue(res, i, 13),
	    "updated_at", PQgetvalue(res, i, 14));
}

/*
 * The original's answers to the writes, the supplier beside them:
 * {status: created, supplier_id, name}, {status: updated, supplier_id,
 * trust_level}.
 */
static json_t *
api_suppliers_created_json(const PGresult *res, int i)
{
	return json_pack("{s:s, s:s, s:s, s:o}", "status", "created",
	    "supplier_id", PQgetvalue(res, i, 0), "name",
	    PQgetvalue(res, i, 1), "supplier", api_suppliers_json(res, i));
}

static json_t *
api_suppliers_updated_json(const PGresult *res, int i)
{
	return json_pack("{s:s, s:s, s:s, s:o}", "status", "updated",
	    "supplier_id", PQgetvalue(res, i, 0), "trust_level",
	    PQgetvalue(res, i, 3), "supplier", api_suppliers_json(res, i));
}

static enum MHD_Result
api_suppliers_list(struct MHD_Connection *c, struct api_request *r,
    const char *const *args)
{
	(void)args;
	return api_knowledge_list(c, r, "SELECT " API_SUPPLIERS_COLS " FROM "
	    "supplier_knowledge WHERE client_id = $1 ORDER BY supplier_id "
	    "LIMIT $2::int", api_suppliers_json);
}

static enum MHD_Result
api_suppliers_get(struct MHD_Connection *c, struct api_request *r,
    const char *const *args)
{
	enum MHD_Result ret;

	if (api_knowledge_check_id(c, "supplier_id", args[0],
	    API_KNOWLEDGE_MAX_ID, &ret) == -1)
		return ret;
	return api_reply_row(c, r, "SELECT " API_SUPPLIERS_COLS " FROM "
	    "supplier_knowledge WHERE client_id = $1 AND supplier_id = $2", 2,
	    (const char *[]){ r->client_id, args[0] }, api_suppliers_json,
	    MHD_HTTP_NOT_FOUND, "Supplier not found: %s", args[0]);
}

static enum MHD_Result
api_suppliers_create(struct MHD_Connection *c, struct api_request *r,
    const char *const *args)
{
	const char *id, *name, *type, *trust, *rep, *terms, *notes;
	const struct api_knowledge_member members[] = {
		{ "supplier_id", API_KNOWLEDGE_MAX_ID, true, &id },
		{ "name", API_KNOWLEDGE_MAX_NAME, true, &name },
		{ "supplier_type", API_KNOWLEDGE_MAX_ID, false, &type },
		{ "trust_level", API_KNOWLEDGE_MAX_ID, false, &trust },
		{ "account_rep", API_KNOWLEDGE_MAX_NAME, false, &rep },
		{ "payment_terms", API_KNOWLEDGE_MAX_NAME, false, &terms },
		{ "notes", API_KNOWLEDGE_MAX_TEXT, false, &notes },
	};
	enum MHD_Result ret;
	json_t *body;

	(void)args;
	if ((body = api_knowledge_body(c, r, false, members,
	    API_NMEMBERS(members), &ret)) == NULL)
		return ret;
	if (id[0] == '\0' || strchr(id, '/') != NULL ||
	    !api_knowledge_text_ok(id)) {
		ret = api_error(c, MHD_HTTP_BAD_REQUEST, "supplier_id: must be "
		    "non-empty, without '/' or control characters");
		goto out;
	}
	if (name[0] == '\0' || !api_knowledge_text_ok(name)) {
		ret = api_error(c, MHD_HTTP_BAD_REQUEST, "name: must be "
		    "non-empty, without control characters");
		goto out;
	}
	if (type == NULL)
		type = "authorized";
	if (trust == NULL)
		trust = "medium";
	if (api_suppliers_check(c, type, api_suppliers_types,
	    "supplier type", &ret) == -1 ||
	    api_suppliers_check(c, trust, api_suppliers_trust_levels,
	    "trust level", &ret) == -1)
		goto out;
	/* 200 as FastAPI's default: the original set no other status */
	ret = api_reply_row(c, r, "INSERT INTO supplier_knowledge (client_id, "
	    "supplier_id, name, supplier_type, trust_level, account_rep, "
	    "payment_terms, notes) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
	    "ON CONFLICT (client_id, supplier_id) DO NOTHING "
	    "RETURNING " API_SUPPLIERS_COLS, 8, (const char *[]){ r->client_id,
	    id, name, type, trust, rep, terms, notes ? notes : "" },
	    api_suppliers_created_json, MHD_HTTP_BAD_REQUEST, "Supplier "
	    "already exists: %s", id);
out:
	json_decref(body);
	return ret;
}

static enum MHD_Result
api_suppliers_trust(struct MHD_Connection *c, struct api_request *r,
    const char *const *args)
{
	const char *trust, *reason, *user;
	const struct api_knowledge_member members[] = {
		{ "trust_level", API_KNOWLEDGE_MAX_ID, true, &trust },
		{ "reason", API_KNOWLEDGE_MAX_TEXT, false, &reason },
		{ "user", API_KNOWLEDGE_MAX_NAME, false, &user },
	};
	enum MHD_Result ret;
	json_t *body;

	if (api_knowledge_check_id(c, "supplier_id", args[0],
	    API_KNOWLEDGE_MAX_ID, &ret) == -1)
		return ret;
	if ((body = api_knowledge_body(c, r, false, members,
	    API_NMEMBERS(members), &ret)) == NULL)
		return ret;
	if (api_suppliers_check(c, trust, api_suppliers_trust_levels,
	    "trust level", &ret) == 0)
		ret = api_reply_row(c, r, "UPDATE supplier_knowledge SET "
		    "trust_level = $3, updated_at = now() WHERE client_id = $1 "
		    "AND supplier_id = $2 RETURNING " API_SUPPLIERS_COLS, 3,
		    (const char *[]){ r->client_id, args[0], trust },
		    api_suppliers_updated_json, MHD_HTTP_NOT_FOUND, "Supplier "
		    "not found: %s", args[0]);
	json_decref(body);
	return ret;
}

const struct api_route api_suppliers_routes[] = {
	{ "GET", "/knowledge/suppliers", API_AUTH_READ, api_suppliers_list },
	{ "POST", "/knowledge/suppliers", API_AUTH_WRITE,
	    api_suppliers_create },
	{ "GET", "/knowledge/suppliers/{}", API_AUTH_READ, api_suppliers_get },
	{ "POST", "/knowledge/suppliers/{}/trust", API_AUTH_WRITE,
	    api_suppliers_trust },
	{ NULL, NULL, 0, NULL }
};
