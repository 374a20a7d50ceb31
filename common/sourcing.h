/*
 * Sourcing decision for one BOM line, from the rules alone: knowledge
 * rules (bans, alternates, supplier trust, brokers), the engineering checks
 * (lifecycle, compliance, critical parts, single source, preferred
 * manufacturers, deadline), offer selection and ranking, and the
 * approved/rejected/escalated verdict with its reasons.
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

/* The enums below and their names, X(VALUE, "name") (util.h). */
#define TRUST_LEVELS(X)							\
	X(TRUST_HIGH, "high")						\
	X(TRUST_MEDIUM, "medium")					\
	X(TRUST_LOW, "low")						\
	X(TRUST_BLOCKED, "blocked")
enum trust_level { TRUST_LEVELS(NAME_TABLE_ENUM) };

/* The trust levels' names: for name_of() and name_index(). */
extern const struct name_table trust_level_names;

#define DECISION_STATUSES(X)						\
	X(DECISION_APPROVED, "approved")				\
	X(DECISION_REJECTED, "rejected")				\
	X(DECISION_ESCALATED, "escalated")
enum decision_status { DECISION_STATUSES(NAME_TABLE_ENUM) };

/* The decision statuses' names: for name_of(). */
extern const struct name_table decision_status_names;

struct supplier_rule {
	const char		*supplier_id;
	enum trust_level	 trust;
	int64_t			 order_cost_micros; /* per order, >= 0 */
};

/* A line's category, from its first designator's letters. */
#define PART_CATEGORIES(X)						\
	X(PART_RESISTORS, "resistors")		/* R */			\
	X(PART_CAPACITORS, "capacitors")	/* C */			\
	X(PART_MCU, "mcu")			/* U */			\
	X(PART_CONNECTORS, "connectors")	/* J, P */		\
	X(PART_OTHER, "other")
enum part_category { PART_CATEGORIES(NAME_TABLE_ENUM) };

/* The categories' names: for name_of(). */
extern const struct name_table part_category_names;
/* The category of a designator ("R12" resistors, "RN1" other); NULL or
 * "" is other. */
enum part_category part_category_of(const char *designator);

/* One BOM line as the engine sees it; everything borrowed. */
struct sourcing_line {
	const char		 *mpn;
	const char *const	 *designators;	/* may be NULL */
	size_t			  ndesignators;
	const char		 *manufacturer;	/* the BOM's; may be NULL */
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

/*
 * Frees a tenant's knowledge where a loader made it owned: every string
 * of the n entries of each array, then the arrays (NULL arrays are fine).
 */
void	sourcing_knowledge_free(struct supplier_rule *suppliers,
	    size_t nsuppliers, struct banned_part *banned, size_t nbanned,
	    struct alternate *alternates, size_t nalternates);

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
	/*
	 * The checks of the project context (issue 15). legacy: decided
	 * before they existed (an old basis), so none of them runs.
	 */
	bool				  legacy;
	const char			 *product_type;	/* NULL: consumer */
	bool				  rohs_required;
	/* countries of origin excluded (ISO alpha-2, any case) */
	const char			**restricted;
	size_t				  nrestricted;
	/* critical parts: reference designators or MPNs */
	const char			**critical;
	size_t				  ncritical;
	bool				  single_source_ok;
	/* engineering_context.preferred_manufacturers (NULL: none) */
	const json_t			 *makers;
	/*
	 * The deadline, and the days from the decision to it (may be
	 * negative); the cost parameters' max_lead_time_days is already
	 * the nearer of the project's limit (max_lead_days) and this.
	 */
	const char			 *deadline;	/* NULL: none */
	int64_t				  deadline_days;
	int64_t				  max_lead_days; /* -1: none */
	/* fill line_decision.options (the strategies read them) */
	bool				  options;
};

/*
 * An offer that can fill a line as decided (the part bought, eligible,
 * deliverable in time, and from a qualifying supplier for a critical
 * line). Strings are borrowed from the offers the lookup returned.
 */
struct sourcing_option {
	const char	*mpn;
	const char	*supplier_id;
	const char	*supplier_name;
	const char	*sku;
	int64_t		 order_qty;
	int64_t		 unit_micros;
	int64_t		 extended_micros;
	int64_t		 lead_time_days;
	int64_t		 delivery_days;	/* 0 in stock, else the lead time */
	bool		 in_stock;
};

struct line_decision {
	enum decision_status	 status;
	/* NULL when nothing is selected; supplier is the supplier_id; set
	 * with line_decision_select() */
	const char		*selected_mpn;
	const char		*selected_supplier;
	const char		*supplier_name;
	const char		*sku;
	char			*selection;	/* the one block of the four */
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
	 * alternate {mpn, reason, ...} when proposed, flags [strings],
	 * checks [{agent, check, result (pass|flag|escalated|rejected),
	 * detail}], lifecycle, rohs, critical, category, manufacturer.
	 * Prices as numbers in currency units and as *_micros integers.
	 */
	json_t			*output_data;
	/* rules->options: the offers that can fill the line, best first */
	struct sourcing_option	*options;
	size_t			 noptions;
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
int	sourcing_decide(const struct sourcing_line *line,
	    const struct cost_params *p,
	    const struct sourcing_rules *rules, offers_lookup_fn lookup,
	    void *ctx, struct line_decision *out);

/*
 * Sets d's selection to copies of mpn, supplier (its supplier_id),
 * supplier_name and sku, in one block d owns (NULL ones stay NULL); the
 * previous selection is freed.
 */
void	line_decision_select(struct line_decision *d, const char *mpn,
	    const char *supplier, const char *supplier_name, const char *sku);
/* Frees the contents of d and zeroes it; NULL is a no-op. */
void	line_decision_free(struct line_decision *d);

/* Sets key of obj to micros as a number in currency units and key_micros
 * to the exact integer (how output_data and strategies show money). */
void	sourcing_money_json(json_t *obj, const char *key, int64_t micros);

#endif
