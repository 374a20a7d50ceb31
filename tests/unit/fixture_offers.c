/*
 * Offer lookups and decision questions for the unit tests; see
 * fixture_offers.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <cmocka.h>

#include "fixture_offers.h"

void
fixture_offers_parse(const char *csv, size_t len, struct offer_list *l,
    const char *const *want, size_t nwant)
{
	char err[256];
	size_t i;

	if (offers_parse_csv(csv, len, l, err, sizeof(err)) != 0)
		fail_msg("offers: %s", err);
	for (i = 0; i < l->nerrors && i < nwant; i++)
		assert_string_equal(l->errors[i], want[i]);
	if (l->nerrors != nwant)
		fail_msg("offers: %zu row errors, want %zu (first: %s)",
		    l->nerrors, nwant, l->nerrors > 0 ? l->errors[0] : "none");
}

/* A string field of the offer of line: fails unless got is want. */
static void
fixture_offer_str(size_t line, const char *field, const char *got,
    const char *want)
{
	if (got == want || (got != NULL && want != NULL &&
	    strcmp(got, want) == 0))
		return;
	fail_msg("offer of line %zu: %s '%s', want '%s'", line, field,
	    got != NULL ? got : "(null)", want != NULL ? want : "(null)");
}

/* A number field of the offer of line: fails unless got is want. */
static void
fixture_offer_int(size_t line, const char *field, int64_t got, int64_t want)
{
	if (got != want)
		fail_msg("offer of line %zu: %s %lld, want %lld", line, field,
		    (long long)got, (long long)want);
}

/* Offer got is want in every field; see fixture_offers_expect(). */
static void
fixture_offer_expect(const struct offer *got, const struct offer *want)
{
	size_t i, line = want->line_no;

#define FIXTURE_STR(f)	fixture_offer_str(line, #f, got->f, want->f)
#define FIXTURE_INT(f)	fixture_offer_int(line, #f, (int64_t)got->f, \
	(int64_t)want->f)
	FIXTURE_INT(line_no);
	FIXTURE_STR(mpn);
	FIXTURE_STR(manufacturer);
	FIXTURE_STR(supplier_id);
	FIXTURE_STR(supplier_name);
	FIXTURE_STR(sku);
	FIXTURE_INT(type);
	FIXTURE_INT(stock);
	FIXTURE_INT(moq);
	FIXTURE_INT(order_multiple);
	FIXTURE_INT(lead_time_days);
	FIXTURE_STR(currency);
	FIXTURE_INT(nbreaks);
	if (want->breaks == NULL)
		assert_null(got->breaks);
	for (i = 0; i < want->nbreaks; i++) {
		FIXTURE_INT(breaks[i].qty);
		FIXTURE_INT(breaks[i].unit_micros);
	}
	FIXTURE_STR(source);
	FIXTURE_INT(fetched_at);
	FIXTURE_INT(lead_unknown);
	FIXTURE_STR(packaging);
	FIXTURE_INT(lifecycle);
	FIXTURE_INT(rohs);
	FIXTURE_STR(country);
	FIXTURE_STR(datasheet_url);
#undef FIXTURE_STR
#undef FIXTURE_INT
}

void
fixture_offers_expect(const struct offer_list *l, const struct offer *want,
    size_t nwant)
{
	size_t i;

	if (l->n != nwant)
		fail_msg("offers: %zu parsed, want %zu", l->n, nwant);
	for (i = 0; i < nwant; i++)
		fixture_offer_expect(&l->v[i], &want[i]);
}

const struct offer *
fixture_offers_lookup(void *ctx, const char *mpn, size_t *n)
{
	const struct offer_list *l = ctx;
	size_t i, j;

	*n = 0;
	for (i = 0; i < l->n; i++)
		if (strcasecmp(l->v[i].mpn, mpn) == 0)
			break;
	for (j = i; j < l->n && strcasecmp(l->v[j].mpn, mpn) == 0; j++)
		;
	*n = j - i;
	return *n ? &l->v[i] : NULL;
}

void
fixture_decide(const char *name, const struct sourcing_line *line,
    const struct cost_params *p, const struct sourcing_rules *rules,
    struct offer_list *l, struct line_decision *d,
    enum decision_status status)
{
	if (sourcing_decide(line, p, rules, fixture_offers_lookup, l, d) != 0)
		fail_msg("%s: rc", name);
	if (d->status != status)
		fail_msg("%s: status %s, want %s: %s", name,
		    name_of(&decision_status_names, d->status),
		    name_of(&decision_status_names, status), d->reasoning);
}

bool
fixture_has_flag(const json_t *data, const char *flag)
{
	const json_t *v;
	size_t i;

	json_array_foreach(json_object_get(data, "flags"), i, v)
		if (strcmp(json_string_value(v), flag) == 0)
			return true;
	return false;
}
