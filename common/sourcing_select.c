/*
 * The offers of one part for one line: eligibility (trust, brokers,
 * compliance, currency, prices), costing, ranking, the runner-up and why
 * it lost, in words and as JSON.
 */
#include <sys/types.h>

#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "sourcing_internal.h"

static enum trust_level
sourcing_select_trust(const struct sourcing_rules *rules,
    const char *supplier_id)
{
	size_t i;

	for (i = 0; i < rules->nsuppliers; i++)
		if (rules->suppliers[i].supplier_id != NULL &&
		    strcasecmp(rules->suppliers[i].supplier_id,
		    sourcing_nz(supplier_id)) == 0)
			return rules->suppliers[i].trust;
	return TRUST_MEDIUM;
}

static bool
sourcing_select_preferred(const struct sourcing_rules *rules,
    const struct offer *o)
{
	size_t i;

	for (i = 0; i < rules->npreferred; i++) {
		if (rules->preferred[i] == NULL)
			continue;
		if (strcasecmp(rules->preferred[i],
		    sourcing_nz(o->supplier_id)) == 0 ||
		    strcasecmp(rules->preferred[i],
		    sourcing_nz(o->supplier_name)) == 0)
			return true;
	}
	return false;
}

static bool
sourcing_select_restricted(const struct sourcing_rules *rules,
    const struct offer *o)
{
	size_t i;

	if (o->country[0] == '\0')
		return false;
	for (i = 0; i < rules->nrestricted; i++)
		if (rules->restricted[i] != NULL &&
		    strcasecmp(rules->restricted[i], o->country) == 0)
			return true;
	return false;
}

/* Critical offers first (on other lines none is), then deliverable,
 * preferred, trusted, cheap, soon; supplier id and sku break ties. */
static int
sourcing_select_cmp(const void *a, const void *b)
{
	const struct sourcing_cand *x = a, *y = b;
	int c;

	if (x->critical_ok != y->critical_ok)
		return x->critical_ok ? -1 : 1;
	if (x->r.lead_ok != y->r.lead_ok)
		return x->r.lead_ok ? -1 : 1;
	if (x->preferred != y->preferred)
		return x->preferred ? -1 : 1;
	if (x->trust != y->trust)
		return x->trust < y->trust ? -1 : 1;
	if (x->r.extended_micros != y->r.extended_micros)
		return x->r.extended_micros < y->r.extended_micros ? -1 : 1;
	if (x->o->lead_time_days != y->o->lead_time_days)
		return x->o->lead_time_days < y->o->lead_time_days ? -1 : 1;
	if ((c = strcmp(sourcing_nz(x->o->supplier_id),
	    sourcing_nz(y->o->supplier_id))) != 0)
		return c;
	return strcmp(sourcing_nz(x->o->sku), sourcing_nz(y->o->sku));
}

void
sourcing_select_free(struct sourcing_sel *s)
{
	if (s->owned)
		free(s->c);	/* x is in the same block */
	memset(s, 0, sizeof(*s));
}

/*
 * Room for n candidates and n exclusions: from the run's scratch while it
 * lasts, else one allocation (s->owned). Neither is zeroed: every entry
 * is filled before it is counted.
 */
static void
sourcing_select_room(struct sourcing_run *run, struct sourcing_sel *s,
    size_t n)
{
	const size_t al = _Alignof(max_align_t);
	size_t cs = (n * sizeof(*s->c) + al - 1) / al * al;
	size_t need = cs + n * sizeof(*s->x);
	char *p;

	if (n > SIZE_MAX / 2 / (sizeof(*s->c) + sizeof(*s->x) + al))
		fatalx("sourcing: %zu offers", n);
	if (run->scratch_cap - run->scratch_len >= need) {
		p = run->scratch + run->scratch_len;
		run->scratch_len += (need + al - 1) / al * al;
	} else {
		p = xmalloc(need);
		s->owned = true;
	}
	s->c = (struct sourcing_cand *)(void *)p;
	s->x = (struct sourcing_excl *)(void *)(p + cs);
}

/* How bad a lifecycle is: unknown 0, active 1, nrnd 2, eol 3, obsolete 4. */
static int
sourcing_select_severity(enum offer_lifecycle l)
{
	switch (l) {
	case OFFER_LIFECYCLE_ACTIVE:
		return 1;
	case OFFER_LIFECYCLE_NRND:
		return 2;
	case OFFER_LIFECYCLE_EOL:
		return 3;
	case OFFER_LIFECYCLE_OBSOLETE:
		return 4;
	default:
		return 0;
	}
}

/* Why o cannot be bought for this line, into why; false when it can. */
static bool
sourcing_select_excluded(const struct sourcing_run *run,
    const struct sourcing_cand *c, char *why, size_t len)
{
	const struct sourcing_rules *rules = run->rules;
	const struct offer *o = c->o;

	if (c->trust == TRUST_BLOCKED)
		snprintf(why, len, "supplier blocked");
	else if (o->type == SUPPLIER_BROKER && !rules->allow_brokers)
		snprintf(why, len, "broker not allowed by project");
	else if (run->checks && rules->rohs_required &&
	    o->rohs == OFFER_ROHS_NO)
		snprintf(why, len, "not RoHS compliant (RoHS required by "
		    "project)");
	else if (run->checks && sourcing_select_restricted(rules, o))
		snprintf(why, len, "country of origin %s restricted by "
		    "project", o->country);
	else if (strcmp(o->currency, SOURCING_CURRENCY) != 0)
		snprintf(why, len, "currency %.3s not supported", o->currency);
	else if (o->nbreaks == 0)
		snprintf(why, len, "no price breaks");
	else
		return false;
	return true;
}

void
sourcing_select(struct sourcing_run *run, const char *mpn,
    struct sourcing_sel *s)
{
	const struct offer *v, *o;
	struct sourcing_cand *c;
	struct sourcing_excl *x;
	size_t n = 0, i;
	char err[128];

	memset(s, 0, sizeof(*s));
	s->mpn = mpn;
	v = run->lookup(run->ctx, mpn, &n);
	if (v == NULL)
		n = 0;
	s->noffers = n;
	if (n == 0)
		return;
	sourcing_select_room(run, s, n);
	for (i = 0; i < n; i++) {
		o = &v[i];
		if (sourcing_select_severity(o->lifecycle) >
		    sourcing_select_severity(s->lifecycle)) {
			s->lifecycle = o->lifecycle;
			s->lifecycle_by = o->supplier_id;
		}
		c = &s->c[s->nc];
		x = &s->x[s->nx];
		c->o = x->o = o;
		c->critical_ok = false;
		c->trust = sourcing_select_trust(run->rules, o->supplier_id);
		c->preferred = sourcing_select_preferred(run->rules, o);
		if (sourcing_select_excluded(run, c, x->why, sizeof(x->why)))
			;
		else if (costing_price(o, run->p, &c->r, err,
		    sizeof(err)) == -1)
			snprintf(x->why, sizeof(x->why), "%s", err);
		else {
			c->critical_ok = run->critical &&
			    o->type == SUPPLIER_AUTHORIZED &&
			    (c->trust == TRUST_HIGH ||
			    c->trust == TRUST_MEDIUM) && o->stock >= c->r.need;
			s->nc++;
			continue;
		}
		s->nx++;
	}
	if (!run->checks)
		s->lifecycle = OFFER_LIFECYCLE_UNKNOWN;
	qsort(s->c, s->nc, sizeof(*s->c), sourcing_select_cmp);
}

void
sourcing_select_why_lost(const struct sourcing_cand *a,
    const struct sourcing_cand *b, const struct cost_params *p, char *out,
    size_t len)
{
	char m1[32], m2[32], m3[32];

	if (a->critical_ok && !b->critical_ok)
		snprintf(out, len, "not fit for a critical part (authorized, "
		    "trust high or medium, stock covering the need)");
	else if (a->r.lead_ok && !b->r.lead_ok)
		snprintf(out, len, "cannot deliver within %" PRId64 " days "
		    "(short by %" PRId64 ", lead time %" PRId64 " days)",
		    p->max_lead_time_days, b->r.shortfall,
		    b->o->lead_time_days);
	else if (a->preferred && !b->preferred)
		snprintf(out, len, "not a preferred distributor");
	else if (a->trust != b->trust)
		snprintf(out, len, "lower trust (%s vs %s)",
		    name_of(&trust_level_names, b->trust),
		    name_of(&trust_level_names, a->trust));
	else if (a->r.extended_micros != b->r.extended_micros) {
		money_format(b->r.extended_micros - a->r.extended_micros, m1,
		    sizeof(m1));
		money_format(b->r.extended_micros, m2, sizeof(m2));
		money_format(a->r.extended_micros, m3, sizeof(m3));
		snprintf(out, len, "costs %s more (%s vs %s)", m1, m2, m3);
	} else if (a->o->lead_time_days != b->o->lead_time_days)
		snprintf(out, len, "longer lead time (%" PRId64 " vs %" PRId64
		    " days)", b->o->lead_time_days, a->o->lead_time_days);
	else
		snprintf(out, len, "same price and lead time; tie broken by "
		    "supplier id");
}

static json_t *
sourcing_select_cand_json(const struct sourcing_cand *c)
{
	const struct offer *o = c->o;
	json_t *j, *br, *e;
	size_t k;

	j = json_object();
	json_object_set_new(j, "mpn", json_string(sourcing_nz(o->mpn)));
	json_object_set_new(j, "manufacturer",
	    json_string(sourcing_nz(o->manufacturer)));
	json_object_set_new(j, "supplier_id",
	    json_string(sourcing_nz(o->supplier_id)));
	json_object_set_new(j, "supplier_name",
	    json_string(sourcing_nz(o->supplier_name)));
	json_object_set_new(j, "supplier_type",
	    json_string(name_of(&supplier_type_names, o->type)));
	json_object_set_new(j, "trust",
	    json_string(name_of(&trust_level_names, c->trust)));
	json_object_set_new(j, "preferred", json_boolean(c->preferred));
	json_object_set_new(j, "sku", json_string(sourcing_nz(o->sku)));
	json_object_set_new(j, "need", json_integer(c->r.need));
	json_object_set_new(j, "order_qty", json_integer(c->r.order_qty));
	sourcing_money_json(j, "unit_price", c->r.unit_micros);
	sourcing_money_json(j, "extended_price", c->r.extended_micros);
	json_object_set_new(j, "currency", json_string(o->currency));
	json_object_set_new(j, "stock", json_integer(o->stock));
	json_object_set_new(j, "moq", json_integer(c->r.moq));
	json_object_set_new(j, "order_multiple", json_integer(c->r.multiple));
	json_object_set_new(j, "lead_time_days",
	    json_integer(o->lead_time_days));
	json_object_set_new(j, "in_stock", json_boolean(c->r.in_stock));
	json_object_set_new(j, "lead_ok", json_boolean(c->r.lead_ok));
	json_object_set_new(j, "shortfall", json_integer(c->r.shortfall));
	json_object_set_new(j, "bought_up", json_boolean(c->r.bought_up));
	if (c->r.bought_up) {
		json_object_set_new(j, "base_qty", json_integer(c->r.base_qty));
		sourcing_money_json(j, "base_extended_price",
		    c->r.base_extended);
	}
	json_object_set_new(j, "break_qty", json_integer(c->r.break_qty));
	br = json_array();
	for (k = 0; k < o->nbreaks; k++) {
		e = json_pack("{s:I}", "qty", (json_int_t)o->breaks[k].qty);
		sourcing_money_json(e, "unit_price",
		    o->breaks[k].unit_micros);
		json_array_append_new(br, e);
	}
	json_object_set_new(j, "breaks", br);
	json_object_set_new(j, "lifecycle",
	    json_string(name_of(&offer_lifecycle_names, o->lifecycle)));
	json_object_set_new(j, "rohs", json_string(name_of(&offer_rohs_names,
	    o->rohs)));
	json_object_set_new(j, "country_of_origin", o->country[0] ?
	    json_string(o->country) : json_null());
	json_object_set_new(j, "packaging", o->packaging[0] ?
	    json_string(o->packaging) : json_null());
	json_object_set_new(j, "datasheet_url", o->datasheet_url != NULL &&
	    o->datasheet_url[0] != '\0' ? json_string(o->datasheet_url) :
	    json_null());
	json_object_set_new(j, "explain", json_string(c->r.explain));
	return j;
}

void
sourcing_select_json(const struct sourcing_sel *s,
    const struct cost_params *p, json_t *obj)
{
	json_t *ru, *ex;
	char why[192];
	size_t i;

	if (obj == NULL)	/* quiet */
		return;
	if (s->nc > 0)
		json_object_set_new(obj, "chosen",
		    sourcing_select_cand_json(&s->c[0]));
	if (s->nc > 1) {
		ru = sourcing_select_cand_json(&s->c[1]);
		sourcing_select_why_lost(&s->c[0], &s->c[1], p, why,
		    sizeof(why));
		json_object_set_new(ru, "why_lost", json_string(why));
		json_object_set_new(obj, "runner_up", ru);
	}
	ex = json_array();
	for (i = 0; i < s->nx; i++)
		json_array_append_new(ex, json_pack("{s:s, s:s, s:s}",
		    "supplier_id", sourcing_nz(s->x[i].o->supplier_id),
		    "sku", sourcing_nz(s->x[i].o->sku), "why", s->x[i].why));
	json_object_set_new(obj, "excluded", ex);
}

void
sourcing_select_describe_excluded(const struct sourcing_sel *s,
    struct buf *b)
{
	size_t i;

	if (b->sink)
		return;
	for (i = 0; i < s->nx; i++)
		buf_printf(b, "%s%s (%s): %s", i > 0 ? "; " : "",
		    sourcing_nz(s->x[i].o->supplier_id),
		    sourcing_nz(s->x[i].o->sku), s->x[i].why);
}

void
sourcing_select_describe(const struct sourcing_sel *s,
    const struct cost_params *p, struct buf *b)
{
	const struct sourcing_cand *c = &s->c[0];
	char m[32], why[192];

	if (b->sink)
		return;
	buf_printf(b, "%s from %s (%s, sku %s, %s, trust %s%s): ",
	    sourcing_nz(c->o->mpn), sourcing_nz(c->o->supplier_name),
	    sourcing_nz(c->o->supplier_id), sourcing_nz(c->o->sku),
	    name_of(&supplier_type_names, c->o->type),
	    name_of(&trust_level_names, c->trust),
	    c->preferred ? ", preferred distributor" : "");
	costing_describe(c->o, p, &c->r, b);
	money_format(c->r.extended_micros, m, sizeof(m));
	buf_printf(b, "; extended %s %s.", m, c->o->currency);
	if (s->nc > 1) {
		sourcing_select_why_lost(c, &s->c[1], p, why, sizeof(why));
		buf_printf(b, " Runner-up %s (%s) %s.",
		    sourcing_nz(s->c[1].o->supplier_name),
		    sourcing_nz(s->c[1].o->supplier_id), why);
	} else
		buf_puts(b, " No runner-up.");
	if (s->nx > 0) {
		buf_puts(b, " Excluded: ");
		sourcing_select_describe_excluded(s, b);
		buf_puts(b, ".");
	}
}

void
sourcing_select_fill(struct line_decision *d, const struct sourcing_sel *s)
{
	const struct sourcing_cand *c = &s->c[0];
	const char *mpn = sourcing_nz(c->o->mpn)[0] ? c->o->mpn : s->mpn;

	line_decision_select(d, mpn, sourcing_nz(c->o->supplier_id),
	    sourcing_nz(c->o->supplier_name), sourcing_nz(c->o->sku));
	d->order_quantity = c->r.order_qty;
	d->unit_micros = c->r.unit_micros;
	d->extended_micros = c->r.extended_micros;
	d->lead_ok = c->r.lead_ok;
	d->shortfall = c->r.shortfall;
}

void
sourcing_select_flags(const struct sourcing_cand *c, json_t *flags)
{
	if (flags == NULL)	/* quiet */
		return;
	if (c->r.moq_applied)
		json_array_append_new(flags, json_string("moq_applied"));
	if (c->r.first_break_applied)
		json_array_append_new(flags,
		    json_string("first_break_applied"));
	if (c->r.multiple_applied)
		json_array_append_new(flags, json_string("multiple_applied"));
	if (c->r.bought_up)
		json_array_append_new(flags, json_string("bought_up"));
	if (!c->r.in_stock)
		json_array_append_new(flags, json_string(c->r.lead_ok ?
		    "backorder" : "short"));
	if (c->o->type == SUPPLIER_BROKER)
		json_array_append_new(flags, json_string("broker"));
}

void
sourcing_select_options(struct sourcing_run *run,
    const struct sourcing_sel *s)
{
	struct line_decision *d = run->d;
	struct sourcing_option *op;
	const struct sourcing_cand *c;
	size_t i;

	if (!run->rules->options || s->nc == 0)
		return;
	d->options = xcalloc(s->nc, sizeof(*d->options));
	for (i = 0; i < s->nc; i++) {
		c = &s->c[i];
		if (!c->r.lead_ok || (run->critical && !c->critical_ok))
			continue;
		op = &d->options[d->noptions++];
		op->mpn = c->o->mpn != NULL && c->o->mpn[0] ? c->o->mpn :
		    s->mpn;
		op->supplier_id = sourcing_nz(c->o->supplier_id);
		op->supplier_name = sourcing_nz(c->o->supplier_name);
		op->sku = sourcing_nz(c->o->sku);
		op->order_qty = c->r.order_qty;
		op->unit_micros = c->r.unit_micros;
		op->extended_micros = c->r.extended_micros;
		op->lead_time_days = c->o->lead_time_days;
		op->in_stock = c->r.in_stock;
		op->delivery_days = c->r.in_stock ? 0 : c->o->lead_time_days;
	}
}
