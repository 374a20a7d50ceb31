/*
 * Supplier knowledge routes: the tenant's suppliers (type, trust, order
 * cost), compatible with the original service. The worker reads the same
 * rows, so a supplier blocked here is avoided from the next job on.
 */
#include <stdbool.h>
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
	", " API_TS("updated_at") ", order_cost_micros"

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

/*
 * One row selected with API_SUPPLIERS_COLS as the original's supplier,
 * with bomd's order_cost (shipping and handling per order) beside.
 */
static json_t *
api_suppliers_json(const PGresult *res, int i)
{
	json_t *j;
	int64_t oc = strtoll(PQgetvalue(res, i, 15), NULL, 10);

	j = json_pack("{s:s, s:s, s:s, s:s, s:f, s:f, s:f, s:o, s:o, s:o, "
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
	json_object_set_new(j, "order_cost", json_real(money_to_double(oc)));
	json_object_set_new(j, "order_cost_micros", json_integer(oc));
	return j;
}

/*
 * The order_cost member of body (a number or a decimal string in currency
 * units, >= 0) as micro-units into out ("" when absent). 0, or -1 after
 * answering 400.
 */
static int
api_suppliers_order_cost(struct MHD_Connection *c, const json_t *body,
    char *out, size_t len, enum MHD_Result *ret)
{
	const json_t *v = json_object_get(body, "order_cost");
	const char *why = "not an amount";
	char tmp[64];
	int64_t m;

	out[0] = '\0';
	if (v == NULL || json_is_null(v))
		return 0;
	if (json_is_integer(v))
		snprintf(tmp, sizeof(tmp), "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
	else if (json_is_real(v))
		snprintf(tmp, sizeof(tmp), "%.6f", json_real_value(v));
	else if (json_is_string(v))
		snprintf(tmp, sizeof(tmp), "%s", json_string_value(v));
	else
		tmp[0] = '\0';
	if (tmp[0] == '\0' || parse_money(tmp, &m, &why) == -1) {
		*ret = api_error(c, MHD_HTTP_BAD_REQUEST, "order_cost: %s "
		    "(a non-negative amount in currency units)", why);
		return -1;
	}
	snprintf(out, len, "%lld", (long long)m);
	return 0;
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

const struct api_knowledge_list api_suppliers_list = {
	"SELECT " API_SUPPLIERS_COLS " FROM supplier_knowledge WHERE "
	"client_id = $1 ORDER BY supplier_id LIMIT $2::int",
	api_suppliers_json
};

enum MHD_Result
api_suppliers_get(struct MHD_Connection *c, struct api_request *r)
{
	enum MHD_Result ret;

	if (api_knowledge_check_id(c, "supplier_id", r->match.args[0],
	    API_KNOWLEDGE_MAX_ID, &ret) == -1)
		return ret;
	return api_reply_row(c, r, "SELECT " API_SUPPLIERS_COLS " FROM "
	    "supplier_knowledge WHERE client_id = $1 AND supplier_id = $2", 2,
	    (const char *[]){ r->client_id, r->match.args[0] },
	    api_suppliers_json, MHD_HTTP_NOT_FOUND, "Supplier not found: %s",
	    r->match.args[0]);
}

/* The members a supplier write reads, borrowed from its body. */
struct api_suppliers_fields {
	const char	*id, *name, *type, *trust, *rep, *terms, *notes;
	char		 cost[32];	/* order_cost in micro-units, or "" */
};

/*
 * Reads and checks the body of a create (supplier_id and name required)
 * or an update (every member optional): texts, supplier type, trust
 * level, order cost. The body (f borrows from it; caller decrefs), or
 * NULL after answering in *ret.
 */
static json_t *
api_suppliers_read(struct MHD_Connection *c, struct api_request *r,
    bool create, struct api_suppliers_fields *f, enum MHD_Result *ret)
{
	const struct api_knowledge_member members[] = {
		{ "supplier_id", API_KNOWLEDGE_MAX_ID, create, &f->id },
		{ "name", API_KNOWLEDGE_MAX_NAME, create, &f->name },
		{ "supplier_type", API_KNOWLEDGE_MAX_ID, false, &f->type },
		{ "trust_level", API_KNOWLEDGE_MAX_ID, false, &f->trust },
		{ "account_rep", API_KNOWLEDGE_MAX_NAME, false, &f->rep },
		{ "payment_terms", API_KNOWLEDGE_MAX_NAME, false, &f->terms },
		{ "notes", API_KNOWLEDGE_MAX_TEXT, false, &f->notes },
	};
	json_t *body;

	memset(f, 0, sizeof(*f));
	if ((body = api_knowledge_body(c, r, false, members,
	    API_NMEMBERS(members), ret)) == NULL)
		return NULL;
	if (api_suppliers_order_cost(c, body, f->cost, sizeof(f->cost),
	    ret) == -1)
		goto bad;
	if (create && (f->id[0] == '\0' || strchr(f->id, '/') != NULL ||
	    !api_knowledge_text_ok(f->id))) {
		*ret = api_error(c, MHD_HTTP_BAD_REQUEST, "supplier_id: must "
		    "be non-empty, without '/' or control characters");
		goto bad;
	}
	if (f->name != NULL && (f->name[0] == '\0' ||
	    !api_knowledge_text_ok(f->name))) {
		*ret = api_error(c, MHD_HTTP_BAD_REQUEST, "name: must be "
		    "non-empty, without control characters");
		goto bad;
	}
	if ((f->type != NULL && api_suppliers_check(c, f->type,
	    api_suppliers_types, "supplier type", ret) == -1) ||
	    (f->trust != NULL && api_suppliers_check(c, f->trust,
	    api_suppliers_trust_levels, "trust level", ret) == -1))
		goto bad;
	return body;
bad:
	json_decref(body);
	return NULL;
}

enum MHD_Result
api_suppliers_trust(struct MHD_Connection *c, struct api_request *r)
{
	const char *trust, *reason, *user;
	const struct api_knowledge_member members[] = {
		{ "trust_level", API_KNOWLEDGE_MAX_ID, true, &trust },
		{ "reason", API_KNOWLEDGE_MAX_TEXT, false, &reason },
		{ "user", API_KNOWLEDGE_MAX_NAME, false, &user },
	};
	enum MHD_Result ret;
	json_t *body;

	if (api_knowledge_check_id(c, "supplier_id", r->match.args[0],
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
		    (const char *[]){ r->client_id, r->match.args[0], trust },
		    api_suppliers_updated_json, MHD_HTTP_NOT_FOUND, "Supplier "
		    "not found: %s", r->match.args[0]);
	json_decref(body);
	return ret;
}

/*
 * The two supplier writes: one statement each, on $1 client_id, $2
 * supplier_id, then name, supplier_type, trust_level, account_rep,
 * payment_terms, notes and order_cost (micro-units), NULL where the body
 * has no such member; and what to answer without a row.
 */
struct api_suppliers_write {
	const char	*sql;
	api_row_fn	 to_json;
	unsigned int	 none;
	const char	*none_fmt;	/* takes the supplier_id */
};

/* A new supplier; 200 as FastAPI's default: the original set no other. */
static const struct api_suppliers_write api_suppliers_insert = {
	"INSERT INTO supplier_knowledge (client_id, supplier_id, name, "
	"supplier_type, trust_level, account_rep, payment_terms, notes, "
	"order_cost_micros) VALUES ($1, $2, $3, COALESCE($4, 'authorized'), "
	"COALESCE($5, 'medium'), $6, $7, COALESCE($8, ''), "
	"COALESCE($9::bigint, 0)) "
	"ON CONFLICT (client_id, supplier_id) DO NOTHING "
	"RETURNING " API_SUPPLIERS_COLS,
	api_suppliers_created_json, MHD_HTTP_BAD_REQUEST,
	"Supplier already exists: %s"
};

/* The members given change; the others keep their values. */
static const struct api_suppliers_write api_suppliers_change = {
	"UPDATE supplier_knowledge SET "
	"name = COALESCE($3, name), supplier_type = COALESCE($4, "
	"supplier_type), trust_level = COALESCE($5, trust_level), "
	"account_rep = COALESCE($6, account_rep), payment_terms = "
	"COALESCE($7, payment_terms), notes = COALESCE($8, notes), "
	"order_cost_micros = COALESCE($9::bigint, order_cost_micros), "
	"updated_at = now() WHERE client_id = $1 AND supplier_id = $2 "
	"RETURNING " API_SUPPLIERS_COLS,
	api_suppliers_updated_json, MHD_HTTP_NOT_FOUND,
	"Supplier not found: %s"
};

/*
 * POST /knowledge/suppliers: a new supplier, supplier_id and name in the
 * body. POST or PUT /knowledge/suppliers/{id}: changes the members given
 * (name, supplier_type, trust_level, order_cost, account_rep,
 * payment_terms, notes) of that supplier.
 */
enum MHD_Result
api_suppliers_write(struct MHD_Connection *c, struct api_request *r)
{
	bool create = r->match.nargs == 0;	/* no supplier in the path */
	const struct api_suppliers_write *w = create ? &api_suppliers_insert :
	    &api_suppliers_change;
	struct api_suppliers_fields f;
	const char *id;
	enum MHD_Result ret;
	json_t *body;

	if (!create && api_knowledge_check_id(c, "supplier_id",
	    r->match.args[0], API_KNOWLEDGE_MAX_ID, &ret) == -1)
		return ret;
	if ((body = api_suppliers_read(c, r, create, &f, &ret)) == NULL)
		return ret;
	id = create ? f.id : r->match.args[0];
	ret = api_reply_row(c, r, w->sql, 9, (const char *[]){ r->client_id,
	    id, f.name, f.type, f.trust, f.rep, f.terms, f.notes, f.cost[0] ?
	    f.cost : NULL }, w->to_json, w->none, w->none_fmt, id);
	json_decref(body);
	return ret;
}
