/*
 * Sourcing decision for one BOM line, from the rules alone: knowledge
 * rules (bans, alternates, supplier trust, brokers), offer selection and
 * ranking, and the approved/rejected/escalated verdict with its reasons.
 */
#ifndef BOMD_SOURCING_H
#define BOMD_SOURCING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "costing.h"
#include "offers.h"

#define SOURCING_CURRENCY	"USD"	/* the only currency priced */
#define SOURCING_MAX_ALTERNATES	32	/* alternates priced per banned MPN */

enum trust_level {
	TRUST_HIGH,
	TRUST_MEDIUM,
	TRUST_LOW,
	TRUST_BLOCKED
};

/* Parses high|medium|low|blocked (case-insensitive). 0 or -1. */
int	trust_level_parse(const char *s, enum trust_level *t);
/* "high", "medium", "low" or "blocked" (static). */
const char *trust_level_name(enum trust_level t);

enum decision_status {
	DECISION_APPROVED,
	DECISION_REJECTED,
	DECISION_ESCALATED
};

/* "approved", "rejected" or "escalated" (static). */
const char *decision_status_name(enum decision_status s);

struct supplier_rule {
	const char		*supplier_id;
	enum trust_level	 trust;
};

struct banned_part {
	const char	*mpn;
	const char	*reason;	/* may be NULL or "" */
};

struct alternate {
	const char	*mpn;		/* the part it replaces */
	const char	*alternate_mpn;
	const char	*reason;	/* may be NULL or "" */
};

/* Everything borrowed; per tenant + project. MPNs and supplier ids are
 * compared case-insensitively. */
struct sourcing_rules {
	/* unknown supplier = TRUST_MEDIUM */
	const struct supplier_rule	 *suppliers;
	size_t				  nsuppliers;
	const struct banned_part	 *banned;
	size_t				  nbanned;
	const struct alternate		 *alternates;
	size_t				  nalternates;
	/* project avoid_parts: treated like bans, "avoided by project" */
	const char			**avoid_parts;
	size_t				  navoid;
	/* preferred distributors: match supplier_id or supplier_name */
	const char			**preferred;
	size_t				  npreferred;
	bool				  allow_brokers; /* default false */
	bool				  allow_alternates; /* default true */
	/*
	 * Numbers only: status, selection and prices, no reasoning (""),
	 * no output_data (NULL). The same inputs decided again without it
	 * give the words (the API renders stored decisions so).
	 */
	bool				  quiet;
};

struct line_decision {
	enum decision_status	 status;
	/* NULL when nothing is selected; supplier is the supplier_id */
	char			*selected_mpn;
	char			*selected_supplier;
	char			*supplier_name;
	char			*sku;
	int64_t			 need;
	int64_t			 order_quantity;
	int64_t			 unit_micros;
	int64_t			 extended_micros;
	char			 currency[4];	/* always SOURCING_CURRENCY */
	bool			 lead_ok;	/* selection deliverable */
	int64_t			 shortfall;	/* of the selection */
	/* human text with every reason, never NULL */
	char			*reasoning;
	/*
	 * jansson object: mpn, need, chosen {mpn, manufacturer, supplier_id,
	 * supplier_name, supplier_type, trust, preferred, sku, order_qty,
	 * unit_price(_micros), extended_price(_micros), currency, stock,
	 * lead_time_days, in_stock, lead_ok, shortfall, bought_up, explain},
	 * runner_up {same + why_lost}, excluded [{supplier_id, sku, why}],
	 * alternate {mpn, reason, ...} when proposed, flags [strings].
	 * Prices as numbers in currency units and as *_micros integers.
	 */
	json_t			*output_data;
};

/*
 * Returns the offers for an MPN, borrowed from the caller (who loads them
 * from the database); *n = 0 (and NULL) when there are none.
 */
typedef const struct offer *(*offers_lookup_fn)(void *ctx, const char *mpn,
    size_t *n);

/*
 * Decides one line: rules as in DESIGN.md "Decision per line". Returns 0
 * with out filled (the caller frees its contents with line_decision_free()),
 * or -1 on bad arguments (NULL pointers, invalid cost_params); out is then
 * still a valid escalated decision whose reasoning says why, and must be
 * freed too.
 */
int	sourcing_decide(const char *mpn, const struct cost_params *p,
	    const struct sourcing_rules *rules, offers_lookup_fn lookup,
	    void *ctx, struct line_decision *out);

/* Frees the contents of d and zeroes it; NULL is a no-op. */
void	line_decision_free(struct line_decision *d);

#endif
