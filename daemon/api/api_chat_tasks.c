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

/* An offer of an item: what a strategy compares. */
struct api_chat_offer {
	const char	*distributor;
	int64_t		 unit_micros;
	int64_t		 stock;
	int64_t		 buy;		/* quantity, raised to the minimum */
	int64_t		 cost_micros;	/* buy x unit */
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
 * The offers of an item as the strategies compare them: at most
 * API_CHAT_TASKS_MAX_OFFERS, indexed as sent. Caller frees; *n may be 0.
 */
static struct api_chat_offer *
api_chat_tasks_offers(const struct api_chat_item *it, size_t *n)
{
	struct api_chat_offer *o;
	const json_t *of, *v;
	double price;
	int64_t min;
	size_t i;

	*n = json_is_array(it->offers) ? json_array_size(it->offers) : 0;
	if (*n > API_CHAT_TASKS_MAX_OFFERS)
		*n = API_CHAT_TASKS_MAX_OFFERS;
	o = xcalloc(*n + 1, sizeof(*o));
	for (i = 0; i < *n; i++) {
		of = json_array_get(it->offers, i);
		o[i].distributor = api_chat_tasks_member(of, "distributor",
		    "provider");
		v = json_object_get(of, "price");
		price = json_is_number(v) ? json_number_value(v) : -1;
		/* money from the caller's JSON numbers: micro-units, once */
		o[i].unit_micros = price >= 0 && price < 1e9 ?
		    llround(price * 1e6) : -1;
		v = json_object_get(of, "stock");
		o[i].stock = json_is_integer(v) ? json_integer_value(v) : 0;
		v = json_object_get(of, "minQty");
		if (v == NULL)
			v = json_object_get(of, "minQuantity");
		min = json_is_integer(v) ? json_integer_value(v) : 1;
		o[i].buy = it->quantity > min ? it->quantity : min;
		if (o[i].unit_micros < 0 || i64_mul(o[i].buy,
		    o[i].unit_micros, &o[i].cost_micros) == -1)
			o[i].cost_micros = -1;
	}
	return o;
}

/* How a strategy ranks two offers of an item. */
enum api_chat_rank {
	API_CHAT_CHEAPEST,	/* in stock first, then cost */
	API_CHAT_DEEPEST	/* most stock beyond the need, then cost */
};

/* The index of the best offer (of distributor d, if not NULL); -1: none. */
static ssize_t
api_chat_tasks_best(const struct api_chat_offer *o, size_t n,
    const struct api_chat_item *it, enum api_chat_rank rank, const char *d)
{
	ssize_t best = -1;
	size_t i;
	bool si, sb;

	for (i = 0; i < n; i++) {
		if (o[i].cost_micros < 0 || (d != NULL &&
		    strcasecmp(o[i].distributor, d) != 0))
			continue;
		if (best == -1) {
			best = (ssize_t)i;
			continue;
		}
		si = o[i].stock >= it->quantity;
		sb = o[best].stock >= it->quantity;
		if (si != sb) {
			if (si)
				best = (ssize_t)i;
			continue;
		}
		if (rank == API_CHAT_DEEPEST && o[i].stock != o[best].stock) {
			if (o[i].stock > o[best].stock)
				best = (ssize_t)i;
			continue;
		}
		if (o[i].cost_micros < o[best].cost_micros)
			best = (ssize_t)i;
	}
	return best;
}

/* A strategy: one offer per item (-1: none), and what it adds up to. */
struct api_chat_strategy {
	const char	*name;
	const char	*description;
	ssize_t		*pick;
	int64_t		 total_micros;
	size_t		 ndist;
	size_t		 instock;
	size_t		 covered;
};

/*
 * Fewest distributors: again and again the distributor with in-stock
 * offers for most of the items left (the cheaper on a tie) takes them;
 * items nobody stocks take their cheapest offer.
 */
static void
api_chat_tasks_consolidate(struct api_chat_item *it,
    struct api_chat_offer **o, const size_t *no, size_t n, ssize_t *pick)
{
	const char *bestd, *d;
	size_t i, j, k, cover, bestcover;
	int64_t cost, bestcost;
	ssize_t b;

	for (;;) {
		bestd = NULL;
		bestcover = 0;
		bestcost = 0;
		for (i = 0; i < n; i++) {
			if (pick[i] != -1)
				continue;
			for (j = 0; j < no[i]; j++) {
				d = o[i][j].distributor;
				cover = 0;
				cost = 0;
				for (k = 0; k < n; k++) {
					if (pick[k] != -1)
						continue;
					b = api_chat_tasks_best(o[k], no[k],
					    &it[k], API_CHAT_CHEAPEST, d);
					if (b == -1 || o[k][b].stock <
					    it[k].quantity)
						continue;
					cover++;
					cost += o[k][b].cost_micros;
				}
				if (cover > bestcover || (cover == bestcover &&
				    cover > 0 && cost < bestcost)) {
					bestd = d;
					bestcover = cover;
					bestcost = cost;
				}
			}
		}
		if (bestd == NULL)
			break;
		for (k = 0; k < n; k++) {
			if (pick[k] != -1)
				continue;
			b = api_chat_tasks_best(o[k], no[k], &it[k],
			    API_CHAT_CHEAPEST, bestd);
			if (b != -1 && o[k][b].stock >= it[k].quantity)
				pick[k] = b;
		}
	}
	for (k = 0; k < n; k++)
		if (pick[k] == -1)
			pick[k] = api_chat_tasks_best(o[k], no[k], &it[k],
			    API_CHAT_CHEAPEST, NULL);
}

/* Adds up a strategy's picks: total, distributors, items in stock. */
static void
api_chat_tasks_sum(struct api_chat_strategy *st, struct api_chat_item *it,
    struct api_chat_offer **o, size_t n)
{
	const char *seen[64];
	size_t i, k, nseen = 0;

	st->total_micros = 0;
	st->ndist = st->instock = st->covered = 0;
	for (i = 0; i < n; i++) {
		if (st->pick[i] < 0)
			continue;
		const struct api_chat_offer *p = &o[i][st->pick[i]];

		st->covered++;
		st->total_micros += p->cost_micros;
		st->instock += p->stock >= it[i].quantity;
		for (k = 0; k < nseen; k++)
			if (strcasecmp(seen[k], p->distributor) == 0)
				break;
		if (k == nseen && nseen < 64)
			seen[nseen++] = p->distributor;
	}
	st->ndist = nseen;
}

/* One strategy as the original's {name, description, selections, ...}. */
static json_t *
api_chat_tasks_strategy_json(const struct api_chat_strategy *st,
    const struct api_chat_item *it, size_t n)
{
	json_t *sel = json_object();
	char money[32], reason[512];
	size_t i;

	for (i = 0; i < n; i++)
		if (st->pick[i] >= 0)
			json_object_set_new(sel, it[i].id,
			    json_integer(st->pick[i]));
	money_format(st->total_micros, money, sizeof(money));
	snprintf(reason, sizeof(reason), "%zu of %zu items sourced for %s in "
	    "total from %zu distributor%s; %zu of them in stock for the "
	    "quantity needed (computed from the offers given, each bought at "
	    "least at its minimum quantity).", st->covered, n, money,
	    st->ndist, st->ndist == 1 ? "" : "s", st->instock);
	return json_pack("{s:s, s:s, s:o, s:s, s:f, s:I, s:I}", "name",
	    st->name, "description", st->description, "selections", sel,
	    "reasoning", reason, "totalCost", (double)st->total_micros / 1e6,
	    "total_micros", (json_int_t)st->total_micros, "distributors",
	    (json_int_t)st->ndist);
}

/* Strategies over the offers the caller sent with its items. */
static void
api_chat_tasks_over_offers(struct api_chat_item *it, size_t n,
    struct buf *out)
{
	struct api_chat_strategy st[3] = {
		{ "Lowest total cost", "Each item from its cheapest offer "
		    "in stock, whichever distributor has it.", NULL, 0, 0, 0,
		    0 },
		{ "Fewest distributors", "As few distributors as cover the "
		    "items in stock: fewer shipments and invoices, at some "
		    "cost.", NULL, 0, 0, 0, 0 },
		{ "Deepest stock", "Each item from the offer with the most "
		    "stock: the least risk of a shortage before the order "
		    "ships.", NULL, 0, 0, 0, 0 },
	};
	struct api_chat_offer **o;
	size_t *no, i, k;
	json_t *list = json_array();
	char a[32], b[32], joint[512];

	o = xcalloc(n, sizeof(*o));
	no = xcalloc(n, sizeof(*no));
	for (i = 0; i < n; i++)
		o[i] = api_chat_tasks_offers(&it[i], &no[i]);
	for (k = 0; k < 3; k++) {
		st[k].pick = xcalloc(n, sizeof(*st[k].pick));
		for (i = 0; i < n; i++)
			st[k].pick[i] = k == 1 ? -1 : api_chat_tasks_best(o[i],
			    no[i], &it[i], k == 0 ? API_CHAT_CHEAPEST :
			    API_CHAT_DEEPEST, NULL);
	}
	api_chat_tasks_consolidate(it, o, no, n, st[1].pick);
	for (k = 0; k < 3; k++) {
		api_chat_tasks_sum(&st[k], it, o, n);
		/* a strategy that picks what an earlier one did adds nothing */
		for (i = 0; i < k; i++)
			if (memcmp(st[i].pick, st[k].pick, n *
			    sizeof(*st[k].pick)) == 0)
				break;
		if (i == k && st[k].covered > 0)
			json_array_append_new(list,
			    api_chat_tasks_strategy_json(&st[k], it, n));
	}
	money_format(st[0].total_micros, a, sizeof(a));
	money_format(st[1].total_micros, b, sizeof(b));
	snprintf(joint, sizeof(joint), "Buying everything at its cheapest "
	    "costs %s from %zu distributor%s; consolidating on %zu costs %s. "
	    "%zu of %zu items have offers.", a, st[0].ndist,
	    st[0].ndist == 1 ? "" : "s", st[1].ndist, b, st[0].covered, n);
	api_chat_tasks_put(out, json_pack("{s:o, s:s}", "strategies", list,
	    "jointConsiderations", joint));
	for (i = 0; i < n; i++)
		free(o[i]);
	for (k = 0; k < 3; k++)
		free(st[k].pick);
	free(o);
	free(no);
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
