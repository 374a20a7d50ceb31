/*
 * Costing of one BOM line against one offer: how many parts are needed,
 * how many must be ordered (MOQ, order multiple, price breaks, buy-up) and
 * what that costs, in exact int64 micro-units.
 */
#ifndef BOMD_COSTING_H
#define BOMD_COSTING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "offers.h"
#include "util.h"

#define COSTING_MAX_ATTRITION_BP	100000	/* 1000 % */

struct cost_params {
	int64_t	line_qty;	/* per board, >= 1 */
	int64_t	build_qty;	/* boards, >= 1 (the project's quantity) */
	int32_t	attrition_bp;	/* extra parts in basis points of need,
				   rounded up: 250 = 2.5 % */
	int64_t	setup_extra;	/* extra parts per line added after attrition */
	int64_t	max_lead_time_days; /* -1: no limit */
	bool	no_explain;	/* leave cost_result.explain empty */
};

struct cost_result {
	int64_t	need;		/* ceil(line_qty*build_qty*(1+attrition))
				   + setup_extra */
	int64_t	need_base;	/* line_qty * build_qty */
	int64_t	attrition_qty;	/* parts added by attrition */
	int64_t	base_qty;	/* max(need, moq, first break qty) rounded up
				   to order_multiple */
	int64_t	base_unit_micros; /* unit price at base_qty */
	int64_t	base_break_qty;	/* qty of the break that priced base_qty */
	int64_t	base_extended;	/* base_qty * base_unit_micros */
	int64_t	order_qty;	/* after buy-up */
	int64_t	break_qty;	/* qty of the break that priced order_qty */
	int64_t	unit_micros, extended_micros;
	int64_t	saved_micros;	/* base_extended - extended_micros */
	int64_t	moq;		/* effective: >= 1 */
	int64_t	multiple;	/* effective: >= 1 */
	bool	moq_applied;	/* the MOQ raised the order above need */
	bool	first_break_applied; /* the first break raised it further */
	bool	multiple_applied; /* rounding to the multiple raised it */
	bool	bought_up;	/* buying up to a higher break was cheaper */
	bool	in_stock;	/* stock >= order_qty */
	bool	lead_ok;	/* in_stock, or lead_time_days <=
				   max_lead_time_days (or no limit) */
	int64_t	shortfall;	/* order_qty - stock when !in_stock, else 0 */
	char	explain[512];	/* one line: "need 20 = 2 x 10; moq 100;
				   multiple 10 -> 100 @ 0.05 = 5.00" */
};

/*
 * Checks p and computes the need: ceil(line_qty * build_qty * (10000 +
 * attrition_bp) / 10000) + setup_extra. Fills need, need_base and
 * attrition_qty of r (the rest is zeroed). Returns 0, or -1 with a reason
 * in err ("quantity or price too large" on overflow).
 */
int	costing_need(const struct cost_params *p, struct cost_result *r,
	    char *err, size_t errlen);

/*
 * Prices offer o for the line described by p. Rules: order = max(need,
 * MOQ), raised to the first break's qty when below it, rounded up to the
 * order multiple; unit price = the break with the highest qty <= order;
 * then the cheapest total among the higher breaks (each rounded up to the
 * multiple and >= MOQ) replaces it when strictly cheaper (ties keep the
 * smaller quantity). Returns 0 with r filled, or -1 with a reason in err:
 * bad parameters, an offer without breaks, or overflow ("quantity or price
 * too large").
 */
int	costing_price(const struct offer *o, const struct cost_params *p,
	    struct cost_result *r, char *err, size_t errlen);

/*
 * Appends to b the costing of r in words, for people: "need 52 (2 per
 * board x 25 boards + 2 attrition); the MOQ of 100 raises the order to
 * 100; 0.05 each at the 100+ break = 5.00; ...". Nothing to free but b.
 */
void	costing_describe(const struct offer *o, const struct cost_params *p,
	    const struct cost_result *r, struct buf *b);

#endif
