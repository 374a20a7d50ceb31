/*
 * Sourcing strategies for a whole project, solved exactly: the lowest
 * total with each used supplier's order cost (the order costs couple the
 * lines, so supplier subsets are searched, never guessed), the fewest
 * suppliers, everything soonest (from stock when it can be) and a single
 * supplier when one can fill every line. Pure.
 */
#ifndef BOMD_STRATEGIES_H
#define BOMD_STRATEGIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "sourcing.h"

#define STRATEGIES_MAX_SUPPLIERS 64	/* suppliers searched */
/* search work per strategy (nodes x lines x suppliers), then the best
 * found stands, marked not exact; at least this many nodes */
#define STRATEGIES_MAX_WORK	 200000000L
#define STRATEGIES_MIN_NODES	 4096L

/* One line as the strategies see it; everything borrowed. */
struct strategy_line {
	int64_t				 number;	/* 1-based */
	const char			*mpn;		/* the BOM's */
	enum decision_status		 status;
	const struct sourcing_option	*options;	/* may be none */
	size_t				 noptions;
};

enum strategy_kind {
	STRATEGY_LOWEST_TOTAL,
	STRATEGY_FEWEST_SUPPLIERS,
	STRATEGY_SOONEST,
	STRATEGY_SINGLE_SUPPLIER,
	STRATEGY_NKINDS
};

struct strategy {
	bool	 found;		/* single supplier: one fills every line */
	bool	 exact;		/* the search finished: proven optimal */
	int	*pick;		/* per line: option index, -1 unfilled */
	int64_t	 parts_micros;
	int64_t	 order_costs_micros;
	int64_t	 total_micros;
	size_t	 nsuppliers;	/* used */
	int64_t	 longest_days;	/* longest delivery (0: all in stock) */
};

struct strategies {
	struct strategy	 s[STRATEGY_NKINDS];
	size_t		 nlines;
	size_t		 nfilled;	/* lines with an option */
	size_t		 nconsidered;	/* suppliers in the search */
	int64_t		 greedy_micros;	/* each line's cheapest + costs */
	/* the supplier covering the most lines when none covers all */
	const char	*widest;
	size_t		 widest_lines;
};

/*
 * Solves the strategies over lines l[0..n) with the order costs in
 * costs[0..ncosts) (suppliers not named cost 0). Returns 0 with out
 * filled (free it with strategies_free()), or -1 when there are more than
 * STRATEGIES_MAX_SUPPLIERS suppliers (out is then empty).
 */
int	strategies_solve(const struct strategy_line *l, size_t n,
	    const struct supplier_rule *costs, size_t ncosts,
	    struct strategies *out);
void	strategies_free(struct strategies *st);

/*
 * The strategies as JSON: {strategies: [{name, title, description,
 * exact, total, parts_total, order_costs, supplier_count, suppliers,
 * longest_lead_time_days, all_in_stock, selections}], lines_covered,
 * lines_unfilled, per_line_cheapest_total, suppliers_considered, note}.
 * A new reference.
 */
json_t	*strategies_json(const struct strategies *st,
	    const struct strategy_line *l, size_t n,
	    const struct supplier_rule *costs, size_t ncosts);

/* "lowest_total", "fewest_suppliers", "soonest" or "single_supplier":
 * for name_of(). */
extern const struct name_table strategy_kind_names;

#endif
