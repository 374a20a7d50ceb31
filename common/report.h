/*
 * The project report: the budget check (within, warning above 90 %,
 * over), the risks of the decided lines with their mitigations, the
 * follow-ups, the risk level and the executive summary, all written by
 * rules from the lines' decisions. Pure.
 */
#ifndef BOMD_REPORT_H
#define BOMD_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "sourcing.h"
#include "util.h"

#define REPORT_WARNING_PCT	90	/* above this share: a warning */

enum budget_status {
	BUDGET_NONE,		/* no budget_total */
	BUDGET_WITHIN,
	BUDGET_WARNING,
	BUDGET_OVER
};

struct budget_check {
	enum budget_status	status;
	int64_t			budget_micros;	/* -1: none */
	int64_t			approved_micros;
	/* approved / budget in hundredths of a percent, rounded down; -1
	 * without a budget or with a budget of 0 */
	int64_t			used_bp;
};

/* "none", "within", "warning" or "over": for name_of(). */
extern const struct name_table budget_status_names;

/*
 * The approved total against the budget (-1: none): over when above it,
 * a warning when above REPORT_WARNING_PCT % of it, else within; exact.
 */
void	report_budget(int64_t approved_micros, int64_t budget_micros,
	    struct budget_check *out);

/* The budget in words: "approved lines cost 4550.00 USD, 91.00 % of the
 * budget of 5000.00 USD: above 90 %, a warning". */
void	report_budget_words(const struct budget_check *c, struct buf *b);

/* {budget_total, approved_total, used_pct, status, ...} (new reference). */
json_t	*report_budget_json(const struct budget_check *c);

/* One decided line as the report reads it; everything borrowed. */
struct report_line {
	int64_t			 number;	/* 1-based */
	const char		*mpn;
	enum decision_status	 status;
	const char		*reasoning;	/* may be NULL */
	const json_t		*output_data;	/* flags, checks, alternate */
};

/* What the report says of the project as a whole. */
struct report_project {
	const char		*name;		/* may be NULL */
	int64_t			 build_qty;
	struct budget_check	 budget;
	const json_t		*strategies;	/* strategies_json(), or NULL */
};

/*
 * The report {executive_summary, risk_level, risks [{line_id,
 * line_number, mpn, risk, mitigation}], follow_ups [], budget, strategies}
 * of lines l[0..n). A new reference; never NULL.
 */
json_t	*report_build(const struct report_project *pr,
	    const struct report_line *l, size_t n);

/* The line id of line number n ("L7") into out. */
void	report_line_id(int64_t n, char *out, size_t len);

#endif
