/*
 * Exact sourcing strategies: per line and supplier the best offer, then a
 * depth-first branch and bound over supplier subsets (include or leave
 * out each supplier; the bound is the order costs taken so far plus each
 * line's cheapest offer among the suppliers still possible), which proves
 * the optimum when it finishes.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "strategies.h"
#include "report.h"
#include "util.h"

#define STRATEGIES_NONE	(-1)

const struct name_table strategy_kind_names = { "unknown", {
	[STRATEGY_LOWEST_TOTAL] = "lowest_total",
	[STRATEGY_FEWEST_SUPPLIERS] = "fewest_suppliers",
	[STRATEGY_SOONEST] = "soonest",
	[STRATEGY_SINGLE_SUPPLIER] = "single_supplier",
} };

static const char *const strategies_titles[STRATEGY_NKINDS] = {
	[STRATEGY_LOWEST_TOTAL] = "Lowest total cost",
	[STRATEGY_FEWEST_SUPPLIERS] = "Fewest suppliers",
	[STRATEGY_SOONEST] = "Everything soonest",
	[STRATEGY_SINGLE_SUPPLIER] = "Single supplier",
};

/* The search over one matrix of line x supplier best offers. */
struct strategies_solver {
	const struct strategy_line	*l;
	size_t				*lines;	/* the lines with options */
	size_t				 nl;
	const char			*sup[STRATEGIES_MAX_SUPPLIERS];
	int64_t				 cost[STRATEGIES_MAX_SUPPLIERS];
	size_t				 k;
	size_t				 order[STRATEGIES_MAX_SUPPLIERS];
	int64_t				*m;	/* nl x k; -1: none */
	int				*bi;	/* nl x k: option index */
	/* the search */
	bool				 fewest; /* key (suppliers, total) */
	bool				 have;
	uint64_t			 best;
	int64_t				 best_total;
	size_t				 best_n;
	long				 nodes;
	long				 max_nodes;
	bool				 cut;
};

static int
strategies_sup_index(const struct strategies_solver *sv, const char *id)
{
	size_t i;

	for (i = 0; i < sv->k; i++)
		if (strcasecmp(sv->sup[i], id) == 0)
			return (int)i;
	return -1;
}

static int
strategies_cmp_str(const void *a, const void *b)
{
	return strcasecmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * Fills the matrix from the options delivered within maxdays: per line
 * and supplier the cheapest (then soonest, then first) option.
 */
static void
strategies_matrix(struct strategies_solver *sv, int64_t maxdays)
{
	const struct strategy_line *ln;
	const struct sourcing_option *o;
	size_t i, j, s;
	int64_t *cell;
	int *bc;
	int si;

	for (i = 0; i < sv->nl * sv->k; i++) {
		sv->m[i] = STRATEGIES_NONE;
		sv->bi[i] = -1;
	}
	for (i = 0; i < sv->nl; i++) {
		ln = &sv->l[sv->lines[i]];
		for (j = 0; j < ln->noptions; j++) {
			o = &ln->options[j];
			if (o->delivery_days > maxdays ||
			    (si = strategies_sup_index(sv, o->supplier_id)) ==
			    -1)
				continue;
			s = (size_t)si;
			cell = &sv->m[i * sv->k + s];
			bc = &sv->bi[i * sv->k + s];
			if (*cell == STRATEGIES_NONE ||
			    o->extended_micros < *cell ||
			    (o->extended_micros == *cell && o->delivery_days <
			    ln->options[*bc].delivery_days)) {
				*cell = o->extended_micros;
				*bc = (int)j;
			}
		}
	}
}

/* Whether (n, total) beats the best so far under the solver's key. */
static bool
strategies_better(const struct strategies_solver *sv, size_t n,
    int64_t total)
{
	if (!sv->have)
		return true;
	if (sv->fewest && n != sv->best_n)
		return n < sv->best_n;
	if (total != sv->best_total)
		return total < sv->best_total;
	return n < sv->best_n;
}

/*
 * The bound of a node: order costs of in plus each line's cheapest offer
 * among the suppliers not left out; *covered whether in alone covers
 * every line. False when some line has no supplier left.
 */
static bool
strategies_bound(const struct strategies_solver *sv, uint64_t in,
    uint64_t out, int64_t *lb, bool *covered)
{
	int64_t sum = 0, best, v, bin;
	size_t i, s;

	*covered = true;
	for (s = 0; s < sv->k; s++)
		if (in & ((uint64_t)1 << s))
			sum += sv->cost[s];
	for (i = 0; i < sv->nl; i++) {
		best = bin = STRATEGIES_NONE;
		for (s = 0; s < sv->k; s++) {
			if (out & ((uint64_t)1 << s))
				continue;
			v = sv->m[i * sv->k + s];
			if (v == STRATEGIES_NONE)
				continue;
			if (best == STRATEGIES_NONE || v < best)
				best = v;
			if ((in & ((uint64_t)1 << s)) &&
			    (bin == STRATEGIES_NONE || v < bin))
				bin = v;
		}
		if (best == STRATEGIES_NONE)
			return false;
		if (bin == STRATEGIES_NONE)
			*covered = false;
		sum += best;
	}
	*lb = sum;
	return true;
}

static size_t
strategies_popcount(uint64_t x)
{
	size_t n = 0;

	for (; x != 0; x &= x - 1)
		n++;
	return n;
}

/* Depth-first over the suppliers in search order, from position i. */
static void
strategies_search(struct strategies_solver *sv, size_t i, uint64_t in,
    uint64_t out)
{
	uint64_t bit;
	int64_t lb;
	size_t nlb;
	bool covered;

	if (sv->cut || ++sv->nodes > sv->max_nodes) {
		sv->cut = true;
		return;
	}
	if (!strategies_bound(sv, in, out, &lb, &covered))
		return;
	nlb = strategies_popcount(in) + (covered ? 0 : 1);
	if (sv->have && !strategies_better(sv, nlb, lb))
		return;
	if (i == sv->k) {
		/* nothing undecided: in covers every line, lb is exact */
		sv->have = true;
		sv->best = in;
		sv->best_total = lb;
		sv->best_n = nlb;
		return;
	}
	bit = (uint64_t)1 << sv->order[i];
	strategies_search(sv, i + 1, in | bit, out);
	strategies_search(sv, i + 1, in, out | bit);
}

/* The picks of set within the matrix into st (cheapest per line). */
static void
strategies_pick(const struct strategies_solver *sv, uint64_t set,
    struct strategy *st)
{
	const struct strategy_line *ln;
	const struct sourcing_option *o;
	uint64_t used = 0;
	int64_t v, best;
	size_t i, s, bs;

	st->parts_micros = st->order_costs_micros = st->longest_days = 0;
	for (i = 0; i < sv->nl; i++) {
		ln = &sv->l[sv->lines[i]];
		best = STRATEGIES_NONE;
		bs = 0;
		for (s = 0; s < sv->k; s++) {
			if (!(set & ((uint64_t)1 << s)) ||
			    (v = sv->m[i * sv->k + s]) == STRATEGIES_NONE)
				continue;
			if (best == STRATEGIES_NONE || v < best ||
			    (v == best && ln->options[sv->bi[i * sv->k +
			    s]].delivery_days < ln->options[sv->bi[i * sv->k +
			    bs]].delivery_days)) {
				best = v;
				bs = s;
			}
		}
		if (best == STRATEGIES_NONE)
			continue;
		st->pick[sv->lines[i]] = sv->bi[i * sv->k + bs];
		o = &ln->options[st->pick[sv->lines[i]]];
		st->parts_micros += o->extended_micros;
		if (o->delivery_days > st->longest_days)
			st->longest_days = o->delivery_days;
		used |= (uint64_t)1 << bs;
	}
	for (s = 0; s < sv->k; s++)
		if (used & ((uint64_t)1 << s))
			st->order_costs_micros += sv->cost[s];
	st->nsuppliers = strategies_popcount(used);
	st->total_micros = st->parts_micros + st->order_costs_micros;
}

/* Searches the matrix for the best set under the key; fills st. */
static void
strategies_run(struct strategies_solver *sv, bool fewest,
    struct strategy *st)
{
	sv->fewest = fewest;
	sv->have = sv->cut = false;
	sv->nodes = 0;
	/* a node costs lines x suppliers: bound the work, not the nodes */
	sv->max_nodes = STRATEGIES_MAX_WORK / (long)(sv->nl * sv->k + 1);
	if (sv->max_nodes < STRATEGIES_MIN_NODES)
		sv->max_nodes = STRATEGIES_MIN_NODES;
	if (sv->nl == 0) {
		st->found = st->exact = true;
		return;
	}
	strategies_search(sv, 0, 0, 0);
	st->exact = !sv->cut;
	if ((st->found = sv->have))
		strategies_pick(sv, sv->best, st);
}

/* One supplier filling every line, the cheapest with its order cost. */
static void
strategies_single(struct strategies_solver *sv, struct strategies *out)
{
	struct strategy *st = &out->s[STRATEGY_SINGLE_SUPPLIER];
	int64_t total, best = STRATEGIES_NONE;
	size_t i, s, n, bs = 0;

	st->exact = true;
	for (s = 0; s < sv->k; s++) {
		total = sv->cost[s];
		for (i = n = 0; i < sv->nl; i++)
			if (sv->m[i * sv->k + s] != STRATEGIES_NONE) {
				n++;
				total += sv->m[i * sv->k + s];
			}
		if (n > out->widest_lines) {
			out->widest_lines = n;
			out->widest = sv->sup[s];
		}
		if (n == sv->nl && (best == STRATEGIES_NONE || total < best)) {
			best = total;
			bs = s;
		}
	}
	if ((st->found = best != STRATEGIES_NONE && sv->nl > 0))
		strategies_pick(sv, (uint64_t)1 << bs, st);
}

/* Each line's cheapest offer, as a buyer without the order costs would. */
static void
strategies_greedy(struct strategies_solver *sv, struct strategies *out)
{
	struct strategy tmp;
	int64_t best;
	size_t i, s, bs;
	uint64_t used = 0;

	memset(&tmp, 0, sizeof(tmp));
	out->greedy_micros = 0;
	for (i = 0; i < sv->nl; i++) {
		best = STRATEGIES_NONE;
		bs = 0;
		for (s = 0; s < sv->k; s++)
			if (sv->m[i * sv->k + s] != STRATEGIES_NONE &&
			    (best == STRATEGIES_NONE ||
			    sv->m[i * sv->k + s] < best)) {
				best = sv->m[i * sv->k + s];
				bs = s;
			}
		if (best == STRATEGIES_NONE)
			continue;
		out->greedy_micros += best;
		used |= (uint64_t)1 << bs;
	}
	for (s = 0; s < sv->k; s++)
		if (used & ((uint64_t)1 << s))
			out->greedy_micros += sv->cost[s];
}

/* The suppliers of every option, sorted, with their order costs. */
static int
strategies_suppliers(struct strategies_solver *sv,
    const struct strategy_line *l, size_t n,
    const struct supplier_rule *costs, size_t ncosts)
{
	size_t i, j, c, a, b, t;
	size_t cover[STRATEGIES_MAX_SUPPLIERS];

	for (i = 0; i < n; i++)
		for (j = 0; j < l[i].noptions; j++) {
			if (strategies_sup_index(sv,
			    l[i].options[j].supplier_id) != -1)
				continue;
			if (sv->k == STRATEGIES_MAX_SUPPLIERS)
				return -1;
			sv->sup[sv->k++] = l[i].options[j].supplier_id;
		}
	qsort(sv->sup, sv->k, sizeof(sv->sup[0]), strategies_cmp_str);
	for (i = 0; i < sv->k; i++) {
		sv->cost[i] = 0;
		for (c = 0; c < ncosts; c++)
			if (costs[c].supplier_id != NULL &&
			    strcasecmp(costs[c].supplier_id, sv->sup[i]) == 0 &&
			    costs[c].order_cost_micros > 0)
				sv->cost[i] = costs[c].order_cost_micros;
		sv->order[i] = i;
		cover[i] = 0;
		for (j = 0; j < n; j++)
			for (c = 0; c < l[j].noptions; c++)
				if (strcasecmp(l[j].options[c].supplier_id,
				    sv->sup[i]) == 0) {
					cover[i]++;
					break;
				}
	}
	/* search the widest suppliers first: good sets early, more cuts */
	for (a = 1; a < sv->k; a++)
		for (b = a; b > 0 && cover[sv->order[b - 1]] <
		    cover[sv->order[b]]; b--) {
			t = sv->order[b];
			sv->order[b] = sv->order[b - 1];
			sv->order[b - 1] = t;
		}
	return 0;
}

int
strategies_solve(const struct strategy_line *l, size_t n,
    const struct supplier_rule *costs, size_t ncosts, struct strategies *out)
{
	struct strategies_solver sv;
	int64_t dstar = 0, dmin;
	size_t i, j, k;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	memset(&sv, 0, sizeof(sv));
	sv.l = l;
	if (strategies_suppliers(&sv, l, n, costs, ncosts) == -1)
		return -1;
	out->nlines = n;
	out->nconsidered = sv.k;
	sv.lines = xcalloc(n + 1, sizeof(*sv.lines));
	for (i = 0; i < n; i++) {
		if (l[i].noptions == 0)
			continue;
		sv.lines[sv.nl++] = i;
		dmin = INT64_MAX;
		for (j = 0; j < l[i].noptions; j++)
			if (l[i].options[j].delivery_days < dmin)
				dmin = l[i].options[j].delivery_days;
		if (dmin > dstar)
			dstar = dmin;
	}
	out->nfilled = sv.nl;
	sv.m = xcalloc(sv.nl * sv.k + 1, sizeof(*sv.m));
	sv.bi = xcalloc(sv.nl * sv.k + 1, sizeof(*sv.bi));
	for (k = 0; k < STRATEGY_NKINDS; k++) {
		out->s[k].pick = xcalloc(n + 1, sizeof(int));
		for (i = 0; i < n; i++)
			out->s[k].pick[i] = -1;
	}
	strategies_matrix(&sv, INT64_MAX);
	strategies_greedy(&sv, out);
	strategies_run(&sv, false, &out->s[STRATEGY_LOWEST_TOTAL]);
	strategies_run(&sv, true, &out->s[STRATEGY_FEWEST_SUPPLIERS]);
	strategies_single(&sv, out);
	/* soonest: the least longest delivery, then the lowest total */
	strategies_matrix(&sv, dstar);
	strategies_run(&sv, false, &out->s[STRATEGY_SOONEST]);
	rc = 0;
	free(sv.lines);
	free(sv.m);
	free(sv.bi);
	return rc;
}

void
strategies_free(struct strategies *st)
{
	size_t k;

	if (st == NULL)
		return;
	for (k = 0; k < STRATEGY_NKINDS; k++)
		free(st->s[k].pick);
	memset(st, 0, sizeof(*st));
}

/* What a strategy is, in words, with its numbers. */
static json_t *
strategies_describe(enum strategy_kind k, const struct strategy *st,
    const struct strategies *all)
{
	char t[32], p[32], c[32], g[32];

	money_format(st->total_micros, t, sizeof(t));
	money_format(st->parts_micros, p, sizeof(p));
	money_format(st->order_costs_micros, c, sizeof(c));
	money_format(all->greedy_micros, g, sizeof(g));
	switch (k) {
	case STRATEGY_LOWEST_TOTAL:
		return json_sprintf("the lowest total over every set of "
		    "suppliers: parts %s + order costs %s = %s %s from %zu "
		    "supplier%s%s (each line's cheapest offer alone would "
		    "total %s with its order costs)", p, c, t,
		    SOURCING_CURRENCY, st->nsuppliers, st->nsuppliers == 1 ?
		    "" : "s", st->exact ? ", proven optimal" : "", g);
	case STRATEGY_FEWEST_SUPPLIERS:
		return json_sprintf("the fewest suppliers that fill every "
		    "line (%zu), the cheapest such set: parts %s + order "
		    "costs %s = %s %s%s", st->nsuppliers, p, c, t,
		    SOURCING_CURRENCY, st->exact ? ", proven optimal" : "");
	case STRATEGY_SOONEST:
		return json_sprintf("%s, then the lowest total: parts %s + "
		    "order costs %s = %s %s", st->longest_days == 0 ?
		    "everything from stock" : "the shortest longest lead time",
		    p, c, t, SOURCING_CURRENCY);
	default:
		return json_sprintf("one supplier for every line, the "
		    "cheapest that can: parts %s + order cost %s = %s %s", p,
		    c, t, SOURCING_CURRENCY);
	}
}

/* One strategy's selections and its suppliers. */
static json_t *
strategies_one(enum strategy_kind k, const struct strategies *all,
    const struct strategy_line *l, size_t n,
    const struct supplier_rule *costs, size_t ncosts)
{
	const struct strategy *st = &all->s[k];
	const struct sourcing_option *o;
	json_t *j, *sel, *sups, *e, *sup;
	const char *id;
	char lid[32];
	bool stock = true;
	size_t i, c;
	int64_t oc;

	j = json_object();
	json_object_set_new(j, "name",
	    json_string(strategy_kind_names.names[k]));
	json_object_set_new(j, "title", json_string(strategies_titles[k]));
	json_object_set_new(j, "description", strategies_describe(k, st,
	    all));
	json_object_set_new(j, "exact", json_boolean(st->exact));
	sourcing_money_json(j, "total", st->total_micros);
	sourcing_money_json(j, "parts_total", st->parts_micros);
	sourcing_money_json(j, "order_costs", st->order_costs_micros);
	json_object_set_new(j, "supplier_count",
	    json_integer((json_int_t)st->nsuppliers));
	json_object_set_new(j, "longest_lead_time_days",
	    json_integer(st->longest_days));
	sel = json_array();
	sups = json_object();
	for (i = 0; i < n; i++) {
		if (st->pick[i] < 0)
			continue;
		o = &l[i].options[st->pick[i]];
		stock = stock && o->in_stock;
		report_line_id(l[i].number, lid, sizeof(lid));
		e = json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:I, "
		    "s:b, s:I, s:s}", "line_id", lid, "line_number",
		    (json_int_t)l[i].number, "mpn", l[i].mpn ? l[i].mpn : "",
		    "selected_mpn", o->mpn, "supplier_id", o->supplier_id,
		    "supplier_name", o->supplier_name, "sku", o->sku,
		    "order_qty", (json_int_t)o->order_qty, "lead_time_days",
		    (json_int_t)o->lead_time_days, "in_stock", o->in_stock,
		    "delivery_days", (json_int_t)o->delivery_days, "status",
		    name_of(&decision_status_names, l[i].status));
		sourcing_money_json(e, "unit_price", o->unit_micros);
		sourcing_money_json(e, "extended_price", o->extended_micros);
		json_array_append_new(sel, e);
		if ((sup = json_object_get(sups, o->supplier_id)) == NULL) {
			oc = 0;
			for (c = 0; c < ncosts; c++)
				if (costs[c].supplier_id != NULL &&
				    strcasecmp(costs[c].supplier_id,
				    o->supplier_id) == 0)
					oc = costs[c].order_cost_micros;
			sup = json_pack("{s:s, s:I}", "supplier_id",
			    o->supplier_id, "lines", (json_int_t)0);
			sourcing_money_json(sup, "order_cost", oc);
			json_object_set_new(sups, o->supplier_id, sup);
		}
		json_object_set_new(sup, "lines", json_integer(
		    json_integer_value(json_object_get(sup, "lines")) + 1));
	}
	json_object_set_new(j, "all_in_stock", json_boolean(stock));
	e = json_array();
	json_object_foreach(sups, id, sup)
		json_array_append(e, sup);
	json_decref(sups);
	json_object_set_new(j, "suppliers", e);
	json_object_set_new(j, "selections", sel);
	return j;
}

json_t *
strategies_json(const struct strategies *st, const struct strategy_line *l,
    size_t n, const struct supplier_rule *costs, size_t ncosts)
{
	json_t *out, *list, *unfilled;
	char lid[32];
	size_t i, k;

	out = json_object();
	list = json_array();
	for (k = 0; k < STRATEGY_NKINDS && st->nfilled > 0; k++)
		if (st->s[k].found)
			json_array_append_new(list, strategies_one(
			    (enum strategy_kind)k, st, l, n, costs, ncosts));
	json_object_set_new(out, "strategies", list);
	json_object_set_new(out, "lines_covered",
	    json_integer((json_int_t)st->nfilled));
	unfilled = json_array();
	for (i = 0; i < n; i++)
		if (l[i].noptions == 0) {
			report_line_id(l[i].number, lid, sizeof(lid));
			json_array_append_new(unfilled, json_pack("{s:s, s:I, "
			    "s:s, s:s}", "line_id", lid, "line_number",
			    (json_int_t)l[i].number, "mpn", l[i].mpn ?
			    l[i].mpn : "", "status",
			    name_of(&decision_status_names, l[i].status)));
		}
	json_object_set_new(out, "lines_unfilled", unfilled);
	sourcing_money_json(out, "per_line_cheapest_total", st->greedy_micros);
	json_object_set_new(out, "suppliers_considered",
	    json_integer((json_int_t)st->nconsidered));
	if (st->nfilled == 0)
		json_object_set_new(out, "note", json_string("no line has an "
		    "offer that can fill it: no strategy"));
	else if (!st->s[STRATEGY_SINGLE_SUPPLIER].found)
		json_object_set_new(out, "note", json_sprintf("no single "
		    "supplier can fill every line (the widest, %s, fills %zu "
		    "of %zu)", st->widest ? st->widest : "none",
		    st->widest_lines, st->nfilled));
	return out;
}
