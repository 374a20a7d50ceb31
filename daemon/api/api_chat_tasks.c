/*
 * The original service's two JSON tasks of /v1/chat/completions, computed
 * from the caller's data instead of guessed: BOM analysis (ambiguity from
 * the BOM parser, the offers catalog and the tenant's knowledge) and
 * sourcing strategies (selections over the offers the caller sent, or the
 * decisions stored for a project the caller names).
 */
#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api_chat_tasks.h"
#include "api_db.h"
#include "api_request.h"
#include "bom.h"
#include "db.h"
#include "sourcing.h"
#include "strategies.h"
#include "util.h"

#define API_CHAT_TASKS_MAX_ITEMS	1000	/* BOM items read */
#define API_CHAT_TASKS_MAX_OFFERS	50	/* offers read per item */
#define API_CHAT_TASKS_ID_LEN		64	/* bytes of an item id */

/* A BOM item as the caller sent it (strings borrowed from the input). */
struct api_chat_item {
	char		 id[API_CHAT_TASKS_ID_LEN];
	const char	*mpn;		/* "" when none */
	const char	*manufacturer;
	const char	*description;	/* or the part number / value */
	int64_t		 quantity;
	const json_t	*offers;	/* strategies: the item's offers */
};

/* An item's offers that can fill it, as the decision engine's options. */
struct api_chat_options {
	struct sourcing_option	*o;
	size_t			*offer;	/* option -> index of the offer sent */
	size_t			 n;
};

/* A string member out of several names, or "" (borrowed). */
static const char *
api_chat_tasks_member(const json_t *o, const char *a, const char *b)
{
	const char *s = json_string_value(json_object_get(o, a));

	if (s == NULL && b != NULL)
		s = json_string_value(json_object_get(o, b));
	return s != NULL ? s : "";
}

/* The item id: "id" or "bomItemId", a string or a number, else its index. */
static void
api_chat_tasks_id(const json_t *o, size_t index, char *out, size_t len)
{
	const json_t *v = json_object_get(o, "bomItemId");

	if (v == NULL)
		v = json_object_get(o, "id");
	if (json_is_string(v))
		snprintf(out, len, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(out, len, "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
	else
		snprintf(out, len, "%zu", index + 1);
}

/*
 * The items of a JSON text: an array of objects, or an object holding one
 * as "items", "bom" or "bomItems". NULL when the text is none of those.
 * Caller frees the items and json_decref()s *root (they borrow from it).
 */
static struct api_chat_item *
api_chat_tasks_items(const char *text, json_t **root, size_t *n)
{
	static const char *const keys[] = { "items", "bom", "bomItems", NULL };
	struct api_chat_item *items;
	const json_t *arr, *o, *q;
	size_t i, k;

	*n = 0;
	if ((*root = json_loads(text, JSON_DECODE_ANY, NULL)) == NULL)
		return NULL;
	arr = *root;
	for (k = 0; json_is_object(arr) && keys[k] != NULL; k++)
		if (json_is_array(json_object_get(*root, keys[k])))
			arr = json_object_get(*root, keys[k]);
	if (!json_is_array(arr) || json_array_size(arr) == 0)
		return NULL;
	items = xcalloc(json_array_size(arr), sizeof(*items));
	json_array_foreach(arr, i, o) {
		if (!json_is_object(o) || *n == API_CHAT_TASKS_MAX_ITEMS)
			continue;
		api_chat_tasks_id(o, i, items[*n].id, sizeof(items[*n].id));
		items[*n].mpn = api_chat_tasks_member(o, "mpn", "MPN");
		items[*n].manufacturer = api_chat_tasks_member(o,
		    "manufacturer", "Manufacturer");
		items[*n].description = api_chat_tasks_member(o,
		    "description", "partNumber");
		q = json_object_get(o, "quantity");
		items[*n].quantity = json_is_integer(q) &&
		    json_integer_value(q) > 0 ? json_integer_value(q) : 1;
		items[*n].offers = json_object_get(o, "offers");
		(*n)++;
	}
	if (*n == 0) {
		free(items);
		return NULL;
	}
	return items;
}

/* True for a part number that is only a value: "10k", "100nF", "4.7uH". */
static bool
api_chat_tasks_value_only(const char *s)
{
	size_t i = 0, digits = 0;

	while (isdigit((unsigned char)s[i]) || s[i] == '.') {
		digits += isdigit((unsigned char)s[i]) != 0;
		i++;
	}
	if (digits == 0 || strlen(s) > 10)
		return false;
	for (; s[i] != '\0'; i++)
		if (strchr("pnumkKMRFHVAWfhrv%", s[i]) == NULL &&
		    strncmp(s + i, "\xc2\xb5", 2) != 0 &&
		    strncmp(s + i, "\xce\xa9", 2) != 0 && s[i] != (char)0xb5 &&
		    s[i] != (char)0xa9)
			return false;
	return true;
}

/*
 * What the catalog and the tenant know of each item's MPN: offers count,
 * banned, ban reason, approved alternates (a JSON text). NULL on db
 * trouble; caller clears it.
 */
static PGresult *
api_chat_tasks_known(struct api_request *r, const struct api_chat_item *it,
    size_t n)
{
	json_t *mpns = json_array();
	PGresult *res;
	char *s;
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(mpns, json_string(it[i].mpn));
	s = json_dumps(mpns, JSON_COMPACT);
	json_decref(mpns);
	res = api_db_query(r, "SELECT (SELECT count(*) FROM offers o WHERE "
	    "upper(o.mpn) = upper(u.m)), COALESCE(k.banned, false), "
	    "COALESCE(k.ban_reason, ''), COALESCE(k.approved_alternates, "
	    "'[]')::text FROM json_array_elements_text($2::json) WITH "
	    "ORDINALITY AS u(m, o) LEFT JOIN part_knowledge k ON "
	    "k.client_id = $1 AND k.mpn = u.m ORDER BY u.o", 2,
	    (const char *[]){ r->client_id, s });
	free(s);
	return res;
}

/* Appends s to the list terms unless empty or there already. */
static void
api_chat_tasks_term(json_t *terms, const char *s)
{
	const json_t *t;
	size_t i;

	if (s == NULL || *s == '\0')
		return;
	json_array_foreach(terms, i, t)
		if (strcasecmp(json_string_value(t), s) == 0)
			return;
	json_array_append_new(terms, json_string(s));
}

/* One item's analysis, with what is known of its MPN (row i of known). */
static json_t *
api_chat_tasks_analyse(const struct api_chat_item *it, const PGresult *known,
    int i, size_t counts[4])
{
	json_t *terms = json_array(), *alts, *a;
	struct buf notes, q;
	bool ambiguous = false;
	const char *mpn = it->mpn, *query;
	size_t k;

	buf_init(&notes);
	buf_init(&q);
	if (*mpn == '\0') {
		ambiguous = true;
		counts[0]++;
		buf_puts(&notes, "no manufacturer part number: the "
		    "description alone does not name one part");
	} else if (api_chat_tasks_value_only(mpn)) {
		ambiguous = true;
		counts[1]++;
		buf_printf(&notes, "'%s' is a value, not a part number: "
		    "package, tolerance and rating are needed", mpn);
	} else if (atoll(PQgetvalue(known, i, 0)) == 0) {
		ambiguous = true;
		counts[2]++;
		buf_printf(&notes, "%s is not in the offers catalog: check "
		    "the part number", mpn);
	}
	if (*mpn != '\0' && strcmp(PQgetvalue(known, i, 1), "t") == 0) {
		counts[3]++;
		buf_printf(&notes, "%sbanned by your organisation%s%s",
		    notes.len ? "; " : "", *PQgetvalue(known, i, 2) ? ": " : "",
		    PQgetvalue(known, i, 2));
	}
	if (*mpn != '\0' && !api_chat_tasks_value_only(mpn)) {
		api_chat_tasks_term(terms, mpn);
		if (*it->manufacturer != '\0') {
			buf_printf(&q, "%s %s", it->manufacturer, mpn);
			api_chat_tasks_term(terms, q.data);
		}
	}
	alts = json_loads(PQgetvalue(known, i, 3), 0, NULL);
	json_array_foreach(alts, k, a)
		api_chat_tasks_term(terms, json_is_string(a) ?
		    json_string_value(a) : json_string_value(json_object_get(a,
		    "alternate_mpn")));
	json_decref(alts);
	if (json_array_size(terms) == 0 || ambiguous) {
		buf_free(&q);
		buf_printf(&q, "%s%s%s", *mpn != '\0' ? mpn : "",
		    *mpn != '\0' && *it->description != '\0' ? " " : "",
		    it->description);
		api_chat_tasks_term(terms, q.data);
	}
	query = json_string_value(json_array_get(terms, 0));
	a = json_pack("{s:s, s:s, s:b, s:o, s:s}", "bomItemId", it->id,
	    "query", query ? query : "", "isAmbiguous", ambiguous,
	    "suggestedSearchTerms", terms, "notes", notes.len ? notes.data :
	    "");
	buf_free(&notes);
	buf_free(&q);
	return a;
}

/* Appends doc (taken over) to out as compact JSON text. */
static void
api_chat_tasks_put(struct buf *out, json_t *doc)
{
	char *s = json_dumps(doc, JSON_COMPACT);

	if (s != NULL)
		buf_puts(out, s);
	free(s);
	json_decref(doc);
}

/* The items of a BOM given as CSV text, through the BOM parser. */
static struct api_chat_item *
api_chat_tasks_csv(const char *text, struct bom **bom, size_t *n,
    char *err, size_t errlen)
{
	struct api_chat_item *items;
	size_t i;

	*n = 0;
	if ((*bom = bom_parse(text, strlen(text), NULL, err, errlen)) == NULL)
		return NULL;
	items = xcalloc((*bom)->nlines, sizeof(*items));
	for (i = 0; i < (*bom)->nlines && i < API_CHAT_TASKS_MAX_ITEMS; i++) {
		const struct bom_line *l = &(*bom)->lines[i];

		snprintf(items[i].id, sizeof(items[i].id), "%s",
		    *l->designator_text ? l->designator_text : "");
		if (items[i].id[0] == '\0')
			snprintf(items[i].id, sizeof(items[i].id), "%zu",
			    i + 1);
		items[i].mpn = l->mpn;
		items[i].manufacturer = l->manufacturer;
		items[i].description = *l->description ? l->description :
		    l->value;
		items[i].quantity = l->quantity;
		(*n)++;
	}
	return items;
}

int
api_chat_tasks_analysis(struct api_request *r, const char *user,
    struct buf *out)
{
	struct api_chat_item *items;
	struct bom *bom = NULL;
	size_t n, i, counts[4] = { 0, 0, 0, 0 };
	json_t *root = NULL, *list = json_array(), *doc;
	struct buf overall;
	PGresult *known = NULL;
	char err[256] = "";
	int rc = -1;

	buf_init(&overall);
	if ((items = api_chat_tasks_items(user, &root, &n)) == NULL)
		items = api_chat_tasks_csv(user, &bom, &n, err, sizeof(err));
	if (items == NULL) {
		buf_printf(&overall, "No BOM items found in the message: send "
		    "a JSON list of {id, mpn, manufacturer, description, "
		    "quantity} or the BOM as CSV%s%s.", err[0] ? " (" : "",
		    err);
		if (err[0])
			buf_puts(&overall, ")");
		goto done;
	}
	if ((known = api_chat_tasks_known(r, items, n)) == NULL ||
	    (size_t)PQntuples(known) != n)
		goto out;
	for (i = 0; i < n; i++)
		json_array_append_new(list, api_chat_tasks_analyse(&items[i],
		    known, (int)i, counts));
	buf_printf(&overall, "%zu items: %zu ambiguous (%zu without a "
	    "manufacturer part number, %zu given only a value, %zu not in the "
	    "offers catalog), %zu banned by your organisation.", n,
	    counts[0] + counts[1] + counts[2], counts[0], counts[1],
	    counts[2], counts[3]);
	for (i = 0; bom != NULL && i < bom->nwarnings && i < 20; i++)
		buf_printf(&overall, " %s.", bom->warnings[i]);
done:
	doc = json_pack("{s:O, s:s}", "analysis", list, "overallNotes",
	    overall.data);
	api_chat_tasks_put(out, doc);
	rc = 0;
out:
	PQclear(known);
	free(items);
	bom_free(bom);
	json_decref(root);
	json_decref(list);
	buf_free(&overall);
	return rc;
}

/*
 * The offers of an item that can fill it now (a price, a distributor,
 * and stock for the quantity bought, the item's raised to the offer's
 * minimum) as options of the decision engine; at most
 * API_CHAT_TASKS_MAX_OFFERS are read. Strings borrowed from the item.
 */
static void
api_chat_tasks_options(const struct api_chat_item *it,
    struct api_chat_options *op)
{
	struct sourcing_option *s;
	const json_t *of, *v;
	const char *dist;
	double price;
	int64_t unit, stock, min, buy, cost;
	size_t i, n;

	n = json_is_array(it->offers) ? json_array_size(it->offers) : 0;
	if (n > API_CHAT_TASKS_MAX_OFFERS)
		n = API_CHAT_TASKS_MAX_OFFERS;
	op->o = xcalloc(n + 1, sizeof(*op->o));
	op->offer = xcalloc(n + 1, sizeof(*op->offer));
	op->n = 0;
	for (i = 0; i < n; i++) {
		of = json_array_get(it->offers, i);
		dist = api_chat_tasks_member(of, "distributor", "provider");
		v = json_object_get(of, "price");
		price = json_is_number(v) ? json_number_value(v) : -1;
		/* money from the caller's JSON numbers: micro-units, once */
		unit = price >= 0 && price < 1e9 ? llround(price * 1e6) : -1;
		v = json_object_get(of, "stock");
		stock = json_is_integer(v) ? json_integer_value(v) : 0;
		v = json_object_get(of, "minQty");
		if (v == NULL)
			v = json_object_get(of, "minQuantity");
		min = json_is_integer(v) ? json_integer_value(v) : 1;
		buy = it->quantity > min ? it->quantity : min;
		if (*dist == '\0' || unit < 0 || stock < buy ||
		    i64_mul(buy, unit, &cost) == -1)
			continue;
		s = &op->o[op->n];
		s->mpn = api_chat_tasks_member(of, "mpn", NULL);
		if (*s->mpn == '\0')
			s->mpn = it->mpn;
		s->supplier_id = s->supplier_name = dist;
		s->sku = api_chat_tasks_member(of, "sku", NULL);
		s->order_qty = buy;
		s->unit_micros = unit;
		s->extended_micros = cost;
		s->in_stock = true;
		op->offer[op->n++] = i;
	}
}

/* The names the chat gives the engine's strategies. */
static const char *const api_chat_tasks_names[STRATEGY_NKINDS] = {
	[STRATEGY_LOWEST_TOTAL] = "Lowest total cost",
	[STRATEGY_FEWEST_SUPPLIERS] = "Fewest distributors",
	[STRATEGY_SOONEST] = "Everything soonest",
	[STRATEGY_SINGLE_SUPPLIER] = "Single distributor",
};

/* The engine's description of strategy k in its JSON, or "". */
static const char *
api_chat_tasks_described(const json_t *engine, enum strategy_kind k)
{
	const json_t *e;
	size_t i;

	json_array_foreach(json_object_get(engine, "strategies"), i, e)
		if (strcmp(api_chat_tasks_member(e, "name", NULL),
		    name_of(&strategy_kind_names, k)) == 0)
			return api_chat_tasks_member(e, "description", NULL);
	return "";
}

/* Strategy k as the original's {name, description, selections, ...}. */
static json_t *
api_chat_tasks_strategy(enum strategy_kind k, const struct strategies *st,
    const json_t *engine, const struct api_chat_item *it,
    const struct api_chat_options *op, size_t n)
{
	const struct strategy *s = &st->s[k];
	json_t *sel = json_object();
	char money[32], reason[512];
	size_t i, covered = 0;

	for (i = 0; i < n; i++)
		if (s->pick[i] >= 0) {
			json_object_set_new(sel, it[i].id, json_integer(
			    (json_int_t)op[i].offer[s->pick[i]]));
			covered++;
		}
	money_format(s->total_micros, money, sizeof(money));
	snprintf(reason, sizeof(reason), "%zu of %zu items sourced from "
	    "stock for %s in total from %zu distributor%s; %s (the decision "
	    "engine over the offers given, each bought at least at its "
	    "minimum quantity).", covered, n, money, s->nsuppliers,
	    s->nsuppliers == 1 ? "" : "s", s->exact ? "proven optimal" :
	    "the best found within the search budget");
	return json_pack("{s:s, s:s, s:o, s:s, s:f, s:I, s:I, s:b}", "name",
	    api_chat_tasks_names[k], "description",
	    api_chat_tasks_described(engine, k), "selections", sel,
	    "reasoning", reason, "totalCost", (double)s->total_micros / 1e6,
	    "total_micros", (json_int_t)s->total_micros, "distributors",
	    (json_int_t)s->nsuppliers, "exact", s->exact);
}

/* The strategies of st that pick something new, and what they weigh. */
static void
api_chat_tasks_put_strategies(const struct strategies *st,
    const struct strategy_line *sl, const struct api_chat_item *it,
    const struct api_chat_options *op, size_t n, struct buf *out)
{
	const struct strategy *lo = &st->s[STRATEGY_LOWEST_TOTAL];
	const struct strategy *few = &st->s[STRATEGY_FEWEST_SUPPLIERS];
	json_t *engine, *list = json_array();
	char a[32], b[32], joint[512];
	size_t i, k;

	engine = strategies_json(st, sl, n, NULL, 0);
	for (k = 0; k < STRATEGY_NKINDS && st->nfilled > 0; k++) {
		if (!st->s[k].found)
			continue;
		/* a strategy that picks what an earlier one did adds nothing */
		for (i = 0; i < k; i++)
			if (st->s[i].found && memcmp(st->s[i].pick,
			    st->s[k].pick, n * sizeof(*st->s[k].pick)) == 0)
				break;
		if (i == k)
			json_array_append_new(list, api_chat_tasks_strategy(
			    (enum strategy_kind)k, st, engine, it, op, n));
	}
	json_decref(engine);
	if (st->nfilled == 0)
		snprintf(joint, sizeof(joint), "None of the %zu items has an "
		    "offer with stock for its quantity: no strategy.", n);
	else {
		money_format(lo->total_micros, a, sizeof(a));
		money_format(few->total_micros, b, sizeof(b));
		snprintf(joint, sizeof(joint), "Buying everything at its "
		    "cheapest costs %s from %zu distributor%s; consolidating "
		    "on %zu costs %s. %zu of %zu items have offers in stock.",
		    a, lo->nsuppliers, lo->nsuppliers == 1 ? "" : "s",
		    few->nsuppliers, b, st->nfilled, n);
	}
	api_chat_tasks_put(out, json_pack("{s:o, s:s}", "strategies", list,
	    "jointConsiderations", joint));
}

/* Strategies over the offers the caller sent with its items. */
static void
api_chat_tasks_over_offers(struct api_chat_item *it, size_t n,
    struct buf *out)
{
	struct api_chat_options *op;
	struct strategy_line *sl;
	struct strategies st;
	size_t i;

	op = xcalloc(n + 1, sizeof(*op));
	sl = xcalloc(n + 1, sizeof(*sl));
	for (i = 0; i < n; i++) {
		api_chat_tasks_options(&it[i], &op[i]);
		sl[i].number = (int64_t)i + 1;
		sl[i].mpn = it[i].mpn;
		sl[i].status = op[i].n > 0 ? DECISION_APPROVED :
		    DECISION_ESCALATED;
		sl[i].options = op[i].o;
		sl[i].noptions = op[i].n;
	}
	if (strategies_solve(sl, n, NULL, 0, &st) == -1)
		api_chat_tasks_put(out, json_pack("{s:[], s:s}", "strategies",
		    "jointConsiderations", "The offers name more than "
		    "64 distributors: too many to search."));
	else
		api_chat_tasks_put_strategies(&st, sl, it, op, n, out);
	strategies_free(&st);
	for (i = 0; i < n; i++) {
		free(op[i].o);
		free(op[i].offer);
	}
	free(op);
	free(sl);
}

/*
 * The decisions stored for the caller's project id (the first one in
 * text) as one strategy. 1 answered, 0 no such project, -1 db trouble.
 */
static int
api_chat_tasks_over_project(struct api_request *r, const char *text,
    struct buf *out)
{
	char id[UUID_BUFSZ], joint[256], money[32];
	json_t *sel = json_object();
	const char *p;
	PGresult *res;
	int64_t total = 0;
	int i, approved = 0;

	for (p = text; *p != '\0'; p++) {
		snprintf(id, sizeof(id), "%.36s", p);
		if (uuid_valid(id))
			break;
	}
	if (*p == '\0') {
		json_decref(sel);
		return 0;
	}
	res = api_db_query(r, "SELECT l.line_no, l.selected_supplier, "
	    "COALESCE(l.extended_price_micros, 0) FROM line_items l WHERE "
	    "l.client_id = $1 AND l.project_id = $2 AND l.final_decision->>"
	    "'status' = 'approved' ORDER BY l.line_no", 2,
	    (const char *[]){ r->client_id, id });
	if (res == NULL) {
		json_decref(sel);
		return -1;
	}
	for (i = 0; i < PQntuples(res); i++) {
		json_object_set_new(sel, PQgetvalue(res, i, 0),
		    json_integer(0));
		total += atoll(PQgetvalue(res, i, 2));
		approved++;
	}
	PQclear(res);
	money_format(total, money, sizeof(money));
	snprintf(joint, sizeof(joint), "The decision engine's selection for "
	    "project %s: %d approved lines, %s in total.", id, approved,
	    money);
	api_chat_tasks_put(out, json_pack("{s:[{s:s, s:s, s:o, s:s}], s:s}",
	    "strategies", "name", "Decision engine", "description", "The "
	    "offers the project's last run approved, line by line.",
	    "selections", sel, "reasoning", joint, "jointConsiderations",
	    "Strategies over a project's own offers come with the exact "
	    "strategies of GET /projects/{id}/strategies; send the items "
	    "with their offers to compare distributors here."));
	return 1;
}

int
api_chat_tasks_strategies(struct api_request *r, const char *user,
    struct buf *out)
{
	struct api_chat_item *items;
	json_t *root = NULL;
	size_t n;
	int rc = 0;

	if ((items = api_chat_tasks_items(user, &root, &n)) != NULL)
		api_chat_tasks_over_offers(items, n, out);
	else if ((rc = api_chat_tasks_over_project(r, user, out)) == 0)
		api_chat_tasks_put(out, json_pack("{s:[], s:s}", "strategies",
		    "jointConsiderations", "No BOM items with offers found in "
		    "the message: send a JSON list of {bomItemId, quantity, "
		    "offers: [{mpn, distributor, price, stock, minQty}]}, or "
		    "name one of your projects by its id."));
	free(items);
	json_decref(root);
	return rc == -1 ? -1 : 0;
}
