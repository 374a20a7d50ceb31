/*
 * Offers for the unit tests that decide lines (test_agents, test_sourcing,
 * test_sourcing_checks): offers CSV parsed with the row errors expected,
 * the offers parsed compared with those expected, the lookup
 * sourcing_decide() calls over the list, a decision of the status
 * expected, and questions about the decision it writes.
 */
#ifndef BOMD_FIXTURE_OFFERS_H
#define BOMD_FIXTURE_OFFERS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "offers.h"
#include "sourcing.h"

/* The columns every offers CSV has, in order (an offers CSV's header). */
#define FIXTURE_OFFERS_COLS						\
	"mpn,manufacturer,supplier_id,supplier_name,supplier_type,sku,"	\
	"stock,moq,order_multiple,lead_time_days,currency,breaks"

/*
 * offers_parse_csv() of the len bytes of csv into l: it must succeed with
 * exactly the nwant row errors of want, in order (none: want NULL, nwant
 * 0). Caller frees l with offer_list_free().
 */
void	fixture_offers_parse(const char *csv, size_t len, struct offer_list *l,
	    const char *const *want, size_t nwant);
/* fixture_offers_parse() of the string literal csv, want an array. */
#define FIXTURE_OFFERS_PARSE(csv, l, want)				\
	fixture_offers_parse((csv), sizeof(csv) - 1, (l), (want),	\
	    sizeof(want) / sizeof((want)[0]))

/*
 * The offers of l are exactly the nwant of want, in order, in every field
 * (the breaks one by one; a NULL string or breaks in want wants NULL). A
 * difference fails the test naming the offer's line and the field.
 */
void	fixture_offers_expect(const struct offer_list *l,
	    const struct offer *want, size_t nwant);
/* fixture_offers_expect() with want an array. */
#define FIXTURE_OFFERS_EXPECT(l, want)					\
	fixture_offers_expect((l), (want), sizeof(want) / sizeof((want)[0]))

/*
 * An offers_lookup_fn over the struct offer_list ctx, whose offers for one
 * MPN stand together: the first of them (MPN compared without case), their
 * number in *n; NULL and 0 when there is none.
 */
const struct offer	*fixture_offers_lookup(void *ctx, const char *mpn,
			    size_t *n);

/*
 * sourcing_decide() of line with p and rules over the offers of l into d
 * (caller frees it with line_decision_free()): it must succeed with
 * status, else the test fails naming the case.
 */
void	fixture_decide(const char *name, const struct sourcing_line *line,
	    const struct cost_params *p, const struct sourcing_rules *rules,
	    struct offer_list *l, struct line_decision *d,
	    enum decision_status status);

/* Whether the decision's output data lists flag among its "flags". */
bool	fixture_has_flag(const json_t *data, const char *flag);

#endif
