/*
 * Unit tests for common/strategies.c: golden, hand-computed strategies
 * (the cheapest offer of every line is not the cheapest total once order
 * costs count; no single supplier fills every line), and the search
 * checked against every supplier subset on generated projects.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sourcing.h"
#include "strategies.h"
#include "unit.h"
#include "util.h"

#define M(x)	((int64_t)((x) * 1000000 + 0.5))	/* currency units */

/* An option: supplier, extended price, delivery days (0: in stock). */
#define OPT(s, ext, days) { "P", (s), (s), "SKU-" s, 1, M(ext), M(ext), \
	(days), (days), (days) == 0 }

/*
 * Case 1, order costs A 10.00, B 2.00, C 5.00:
 *   line 1: A 5.00, B 6.00        line 2: A 5.00, B 6.00
 *   line 3: B 3.00, A 4.00        line 4: C 1.00 (lead 10), B 20.00
 * Each line's cheapest: A 5 + A 5 + B 3 + C 1 = 14 + 10 + 2 + 5 = 31.
 * Every set that fills all lines: {B} 35 + 2 = 37; {B,C} 6+6+3+1 = 16 +
 * 7 = 23; {A,B} 5+5+3+20 = 33 + 12 = 45; {A,C} fails line 3? no: A 4 ->
 * 5+5+4+1 = 15 + 15 = 30; {A,B,C} 5+5+3+1 = 14 + 17 = 31. Lowest: {B,C}
 * 23.00. Fewest: {B} 37.00 (the only single one). Soonest: line 4 from
 * stock only at B, so everything from stock: {B} 37.00. Single: B 37.00.
 */
static const struct sourcing_option c1l1[] = { OPT("A", 5, 0),
    OPT("B", 6, 0) };
static const struct sourcing_option c1l2[] = { OPT("A", 5, 0),
    OPT("B", 6, 0) };
static const struct sourcing_option c1l3[] = { OPT("B", 3, 0),
    OPT("A", 4, 0) };
static const struct sourcing_option c1l4[] = { OPT("C", 1, 10),
    OPT("B", 20, 0) };
static const struct supplier_rule c1costs[] = {
	{ "A", TRUST_MEDIUM, M(10) }, { "b", TRUST_HIGH, M(2) },
	{ "C", TRUST_MEDIUM, M(5) },
};

/*
 * Case 2, no single supplier: line 1 only A 2.00, line 2 only B 3.00,
 * line 3 A 1.00 or B 0.50 (lead 30), line 4 none. Order costs A 1.00,
 * B 1.00. Lowest and fewest: {A,B} 2 + 3 + 0.50 + 2 = 7.50. Soonest:
 * line 3 from stock only at A: 2 + 3 + 1 + 2 = 8.00.
 */
static const struct sourcing_option c2l1[] = { OPT("A", 2, 0) };
static const struct sourcing_option c2l2[] = { OPT("B", 3, 0) };
static const struct sourcing_option c2l3[] = { OPT("A", 1, 0),
    OPT("B", 0.5, 30) };
static const struct supplier_rule c2costs[] = {
	{ "A", TRUST_MEDIUM, M(1) }, { "B", TRUST_MEDIUM, M(1) },
};

#define NOPT(a)	(sizeof(a) / sizeof((a)[0]))

/* One field of strategy kind: fails naming both unless got is want. */
static void
expect_field(const char *kind, const char *field, int64_t got, int64_t want)
{
	if (got != want)
		fail_msg("%s: %s %lld, want %lld", kind, field, (long long)got,
		    (long long)want);
}

/*
 * Strategy k of st is want: found and exact, then, when found, its
 * parts, order costs, total, suppliers used and longest delivery (the
 * picks are the caller's to check).
 */
static void
expect_strategy(const struct strategies *st, enum strategy_kind k,
    const struct strategy *want)
{
	const struct strategy *got = &st->s[k];
	const char *kind = name_of(&strategy_kind_names, (int)k);

#define EXPECT_FIELD(f)	expect_field(kind, #f, (int64_t)got->f, \
	(int64_t)want->f)
	EXPECT_FIELD(found);
	EXPECT_FIELD(exact);
	if (!want->found)
		return;
	EXPECT_FIELD(parts_micros);
	EXPECT_FIELD(order_costs_micros);
	EXPECT_FIELD(total_micros);
	EXPECT_FIELD(nsuppliers);
	EXPECT_FIELD(longest_days);
#undef EXPECT_FIELD
}

UNIT_TEST(test_order_costs_couple_lines)
{
	const struct strategy_line l[] = {
		{ 1, "L1", DECISION_APPROVED, c1l1, NOPT(c1l1) },
		{ 2, "L2", DECISION_APPROVED, c1l2, NOPT(c1l2) },
		{ 3, "L3", DECISION_APPROVED, c1l3, NOPT(c1l3) },
		{ 4, "L4", DECISION_APPROVED, c1l4, NOPT(c1l4) },
	};
	struct strategy b_alone;
	struct strategies st;
	json_t *j, *s0;

	assert_int_equal(strategies_solve(l, 4, c1costs, 3, &st), 0);
	assert_int_equal(st.greedy_micros, M(31));
	/* {B,C}: B 6 + 6 + 3, C 1 (lead 10), order costs 2 + 5 */
	expect_strategy(&st, STRATEGY_LOWEST_TOTAL, &(struct strategy){
	    .found = true, .exact = true, .parts_micros = M(16),
	    .order_costs_micros = M(7), .total_micros = M(23),
	    .nsuppliers = 2, .longest_days = 10 });
	/* B, B, B, C */
	assert_int_equal(st.s[STRATEGY_LOWEST_TOTAL].pick[0], 1);
	assert_int_equal(st.s[STRATEGY_LOWEST_TOTAL].pick[2], 0);
	assert_int_equal(st.s[STRATEGY_LOWEST_TOTAL].pick[3], 0);
	/* {B} alone, all from stock: 6 + 6 + 3 + 20, order cost 2 */
	b_alone = (struct strategy){ .found = true, .exact = true,
	    .parts_micros = M(35), .order_costs_micros = M(2),
	    .total_micros = M(37), .nsuppliers = 1, .longest_days = 0 };
	expect_strategy(&st, STRATEGY_FEWEST_SUPPLIERS, &b_alone);
	expect_strategy(&st, STRATEGY_SOONEST, &b_alone);
	expect_strategy(&st, STRATEGY_SINGLE_SUPPLIER, &b_alone);
	j = strategies_json(&st, l, 4, c1costs, 3);
	assert_int_equal(json_array_size(json_object_get(j, "strategies")),
	    4);
	s0 = json_array_get(json_object_get(j, "strategies"), 0);
	assert_string_equal(json_string_value(json_object_get(s0, "name")),
	    "lowest_total");
	assert_int_equal(json_integer_value(json_object_get(s0,
	    "total_micros")), M(23));
	assert_true(json_is_true(json_object_get(s0, "exact")));
	assert_int_equal(json_array_size(json_object_get(s0, "selections")),
	    4);
	assert_int_equal(json_integer_value(json_object_get(j,
	    "per_line_cheapest_total_micros")), M(31));
	assert_null(json_object_get(j, "note"));
	assert_non_null(strstr(json_string_value(json_object_get(s0,
	    "description")), "parts 16.00 + order costs 7.00 = 23.00 USD "
	    "from 2 suppliers, proven optimal (each line's cheapest offer "
	    "alone would total 31.00"));
	json_decref(j);
	strategies_free(&st);
}

UNIT_TEST(test_no_single_supplier)
{
	const struct strategy_line l[] = {
		{ 1, "L1", DECISION_APPROVED, c2l1, NOPT(c2l1) },
		{ 2, "L2", DECISION_APPROVED, c2l2, NOPT(c2l2) },
		{ 3, "L3", DECISION_REJECTED, c2l3, NOPT(c2l3) },
		{ 4, "L4", DECISION_ESCALATED, NULL, 0 },
	};
	struct strategy a_and_b;
	struct strategies st;
	json_t *j;

	assert_int_equal(strategies_solve(l, 4, c2costs, 2, &st), 0);
	assert_int_equal(st.nfilled, 3);
	/* {A,B}: A 2, B 3, B 0.50 (lead 30), order costs 1 + 1 */
	a_and_b = (struct strategy){ .found = true, .exact = true,
	    .parts_micros = M(5.5), .order_costs_micros = M(2),
	    .total_micros = M(7.5), .nsuppliers = 2, .longest_days = 30 };
	expect_strategy(&st, STRATEGY_LOWEST_TOTAL, &a_and_b);
	expect_strategy(&st, STRATEGY_FEWEST_SUPPLIERS, &a_and_b);
	/* from stock, line 3 from A: 2 + 3 + 1, order costs 1 + 1 */
	expect_strategy(&st, STRATEGY_SOONEST, &(struct strategy){
	    .found = true, .exact = true, .parts_micros = M(6),
	    .order_costs_micros = M(2), .total_micros = M(8),
	    .nsuppliers = 2, .longest_days = 0 });
	expect_strategy(&st, STRATEGY_SINGLE_SUPPLIER, &(struct strategy){
	    .found = false, .exact = true });
	assert_int_equal(st.s[STRATEGY_LOWEST_TOTAL].pick[3], -1);
	j = strategies_json(&st, l, 4, c2costs, 2);
	assert_int_equal(json_array_size(json_object_get(j, "strategies")),
	    3);
	assert_string_equal(json_string_value(json_object_get(j, "note")),
	    "no single supplier can fill every line (the widest, A, fills 2 "
	    "of 3)");
	assert_int_equal(json_array_size(json_object_get(j,
	    "lines_unfilled")), 1);
	json_decref(j);
	strategies_free(&st);
}

/* splitmix64: the same generated projects on every run. */
static uint64_t
next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static const char *const sups[] = { "S0", "S1", "S2", "S3", "S4", "S5" };

/* The lowest total and fewest suppliers over every subset, by brute. */
static void
brute(const struct strategy_line *l, size_t n, const int64_t *cost,
    size_t k, int64_t *lowest, size_t *fewest, int64_t *fewest_total)
{
	uint64_t set;
	int64_t total, best;
	size_t i, j, s, cnt;

	*lowest = *fewest_total = -1;
	*fewest = k + 1;
	for (set = 1; set < ((uint64_t)1 << k); set++) {
		total = 0;
		for (s = cnt = 0; s < k; s++)
			if (set & ((uint64_t)1 << s)) {
				total += cost[s];
				cnt++;
			}
		for (i = 0; i < n && total >= 0; i++) {
			if (l[i].noptions == 0)
				continue;
			best = -1;
			for (j = 0; j < l[i].noptions; j++) {
				s = (size_t)(l[i].options[j].supplier_id[1] -
				    '0');
				if ((set & ((uint64_t)1 << s)) && (best == -1 ||
				    l[i].options[j].extended_micros < best))
					best = l[i].options[j].extended_micros;
			}
			total = best == -1 ? -1 : total + best;
		}
		if (total < 0)
			continue;
		if (*lowest == -1 || total < *lowest)
			*lowest = total;
		if (cnt < *fewest || (cnt == *fewest &&
		    total < *fewest_total)) {
			*fewest = cnt;
			*fewest_total = total;
		}
	}
}

UNIT_TEST(test_search_is_exact)
{
	struct sourcing_option opts[12][6];
	struct strategy_line l[12];
	struct supplier_rule costs[6];
	struct strategies st;
	int64_t cost[6], lowest, ftotal;
	uint64_t seed = 15;
	size_t round, i, j, n, k, fewest;

	for (round = 0; round < 300; round++) {
		k = 1 + next(&seed) % 6;
		n = 1 + next(&seed) % 12;
		for (j = 0; j < k; j++) {
			cost[j] = (int64_t)(next(&seed) % 20) * 1000000;
			costs[j] = (struct supplier_rule){ sups[j],
			    TRUST_MEDIUM, cost[j] };
		}
		for (i = 0; i < n; i++) {
			l[i] = (struct strategy_line){ (int64_t)i + 1, "X",
			    DECISION_APPROVED, opts[i], 0 };
			for (j = 0; j < k; j++) {
				if (next(&seed) % 3 == 0)
					continue;
				opts[i][l[i].noptions++] = (struct
				    sourcing_option){ "X", sups[j], sups[j],
				    "SKU", 1, 0, (int64_t)(1 + next(&seed) %
				    50) * 100000, 0, 0, true };
			}
		}
		assert_int_equal(strategies_solve(l, n, costs, k, &st), 0);
		brute(l, n, cost, k, &lowest, &fewest, &ftotal);
		for (i = j = 0; i < n; i++)
			j += l[i].noptions > 0;
		if (j == 0) {
			/* only lines without options */
			assert_int_equal(st.nfilled, 0);
			strategies_free(&st);
			continue;
		}
		if (!st.s[STRATEGY_LOWEST_TOTAL].exact ||
		    st.s[STRATEGY_LOWEST_TOTAL].total_micros != lowest)
			fail_msg("round %zu: lowest %lld, brute %lld", round,
			    (long long)st.s[STRATEGY_LOWEST_TOTAL].total_micros,
			    (long long)lowest);
		if (st.s[STRATEGY_FEWEST_SUPPLIERS].nsuppliers != fewest ||
		    st.s[STRATEGY_FEWEST_SUPPLIERS].total_micros != ftotal)
			fail_msg("round %zu: fewest %zu %lld, brute %zu %lld",
			    round, st.s[STRATEGY_FEWEST_SUPPLIERS].nsuppliers,
			    (long long)
			    st.s[STRATEGY_FEWEST_SUPPLIERS].total_micros,
			    fewest, (long long)ftotal);
		/* never above each line's cheapest with its order costs */
		assert_true(st.s[STRATEGY_LOWEST_TOTAL].total_micros <=
		    st.greedy_micros);
		strategies_free(&st);
	}
}

UNIT_TEST(test_nothing_to_fill)
{
	const struct strategy_line l[] = {
		{ 1, "L1", DECISION_ESCALATED, NULL, 0 },
	};
	struct strategies st;
	json_t *j;

	assert_int_equal(strategies_solve(l, 1, NULL, 0, &st), 0);
	j = strategies_json(&st, l, 1, NULL, 0);
	assert_int_equal(json_array_size(json_object_get(j, "strategies")),
	    0);
	assert_non_null(json_object_get(j, "note"));
	json_decref(j);
	strategies_free(&st);
	assert_string_equal(name_of(&strategy_kind_names, STRATEGY_SOONEST),
	    "soonest");
}
