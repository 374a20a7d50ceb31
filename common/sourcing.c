/*
 * Per-line sourcing decision from the rules: bans and alternates, offer
 * eligibility (trust, brokers, currency, prices), ranking, runner-up and
 * the reasons in words and as JSON.
 */
#include <sys/types.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sourcing.h"
#include "util.h"

#define SOURCING_TOO_LARGE	"quantity or price too large"

struct sourcing_cand {
	const struct offer	*o;
	struct cost_result	 r;
	enum trust_level	 trust;
	bool			 preferred;
};

struct sourcing_excl {
	const struct offer	*o;
	char			 why[160];
};

/* The offers of one MPN, split into ranked candidates and exclusions. */
struct sourcing_sel {
	const char		*mpn;
	size_t			 noffers;
	struct sourcing_cand	*c;		/* ranked, best first */
	size_t			 nc;
	struct sourcing_excl	*x;
	size_t			 nx;
};

/* The names of enum trust_level and enum decision_status, by value. */
static const char *const sourcing_trust_levels[] = {
	[TRUST_HIGH] = "high",
	[TRUST_MEDIUM] = "medium",
	[TRUST_LOW] = "low",
	[TRUST_BLOCKED] = "blocked",
};
static const char *const sourcing_statuses[] = {
	[DECISION_APPROVED] = "approved",
	[DECISION_REJECTED] = "rejected",
	[DECISION_ESCALATED] = "escalated",
};
#define SOURCING_NTRUST \
	(sizeof(sourcing_trust_levels) / sizeof(sourcing_trust_levels[0]))
#define SOURCING_NSTATUS \
	(sizeof(sourcing_statuses) / sizeof(sourcing_statuses[0]))

int
trust_level_parse(const char *s, enum trust_level *t)
{
	int i;

	if ((i = name_index(sourcing_trust_levels, SOURCING_NTRUST, s)) == -1)
		return -1;
	*t = (enum trust_level)i;
	return 0;
}

const char *
trust_level_name(enum trust_level t)
{
	return (size_t)t < SOURCING_NTRUST ? sourcing_trust_levels[t] :
	    "unknown";
}

const char *
decision_status_name(enum decision_status s)
{
	return (size_t)s < SOURCING_NSTATUS ? sourcing_statuses[s] :
	    "unknown";
}

static const char *
sourcing_nz(const char *s)
{
	return s != NULL ? s : "";
}

static enum trust_level
sourcing_trust(const struct sourcing_rules *rules, const char *supplier_id)
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
sourcing_preferred(const struct sourcing_rules *rules, const struct offer *o)
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

/* The ban reason of mpn, or NULL when it is not banned. */
static const char *
sourcing_banned(const struct sourcing_rules *rules, const char *mpn)
{
	size_t i;

	for (i = 0; i < rules->nbanned; i++)
		if (rules->banned[i].mpn != NULL &&
		    strcasecmp(rules->banned[i].mpn, mpn) == 0)
			return rules->banned[i].reason != NULL &&
			    rules->banned[i].reason[0] != '\0' ?
			    rules->banned[i].reason : "no reason given";
	return NULL;
}

static bool
sourcing_avoided(const struct sourcing_rules *rules, const char *mpn)
{
	size_t i;

	for (i = 0; i < rules->navoid; i++)
		if (rules->avoid_parts[i] != NULL &&
		    strcasecmp(rules->avoid_parts[i], mpn) == 0)
			return true;
	return false;
}

static int
sourcing_cand_cmp(const void *a, const void *b)
{
	const struct sourcing_cand *x = a, *y = b;
	int c;

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

static void
sourcing_sel_free(struct sourcing_sel *s)
{
	free(s->c);
	free(s->x);
	memset(s, 0, sizeof(*s));
}

/* Looks up, filters, prices and ranks the offers of mpn. */
static void
sourcing_select(const char *mpn, const struct cost_params *p,
    const struct sourcing_rules *rules, offers_lookup_fn lookup, void *ctx,
    struct sourcing_sel *s)
{
	const struct offer *v, *o;
	struct sourcing_cand *c;
	struct sourcing_excl *x;
	size_t n = 0, i;
	char err[128];

	memset(s, 0, sizeof(*s));
	s->mpn = mpn;
	v = lookup(ctx, mpn, &n);
	if (v == NULL)
		n = 0;
	s->noffers = n;
	if (n == 0)
		return;
	s->c = xcalloc(n, sizeof(*s->c));
	s->x = xcalloc(n, sizeof(*s->x));
	for (i = 0; i < n; i++) {
		o = &v[i];
		c = &s->c[s->nc];
		x = &s->x[s->nx];
		c->o = x->o = o;
		c->trust = sourcing_trust(rules, o->supplier_id);
		c->preferred = sourcing_preferred(rules, o);
		if (c->trust == TRUST_BLOCKED)
			snprintf(x->why, sizeof(x->why), "supplier blocked");
		else if (o->type == SUPPLIER_BROKER && !rules->allow_brokers)
			snprintf(x->why, sizeof(x->why),
			    "broker not allowed by project");
		else if (strcmp(o->currency, SOURCING_CURRENCY) != 0)
			snprintf(x->why, sizeof(x->why),
			    "currency %.3s not supported", o->currency);
		else if (o->nbreaks == 0)
			snprintf(x->why, sizeof(x->why), "no price breaks");
		else if (costing_price(o, p, &c->r, err, sizeof(err)) == -1)
			snprintf(x->why, sizeof(x->why), "%s", err);
		else {
			s->nc++;
			continue;
		}
		s->nx++;
	}
	qsort(s->c, s->nc, sizeof(*s->c), sourcing_cand_cmp);
}

/* Why b ranks below a: the first criterion where it lost. */
static void
sourcing_why_lost(const struct sourcing_cand *a, const struct sourcing_cand *b,
    const struct cost_params *p, char *out, size_t len)
{
	char m1[32], m2[32], m3[32];

	if (a->r.lead_ok && !b->r.lead_ok)
		snprintf(out, len, "cannot deliver within %" PRId64 " days "
		    "(short by %" PRId64 ", lead time %" PRId64 " days)",
		    p->max_lead_time_days, b->r.shortfall,
		    b->o->lead_time_days);
	else if (a->preferred && !b->preferred)
		snprintf(out, len, "not a preferred distributor");
	else if (a->trust != b->trust)
		snprintf(out, len, "lower trust (%s vs %s)",
		    trust_level_name(b->trust), trust_level_name(a->trust));
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

static void
sourcing_set_money(json_t *obj, const char *key, int64_t micros)
{
	char k[64];

	json_object_set_new(obj, key, json_real(money_to_double(micros)));
	snprintf(k, sizeof(k), "%s_micros", key);
	json_object_set_new(obj, k, json_integer(micros));
}

static json_t *
sourcing_cand_json(const struct sourcing_cand *c)
{
	const struct offer *o = c->o;
	json_t *j;

	j = json_object();
	json_object_set_new(j, "mpn", json_string(sourcing_nz(o->mpn)));
	json_object_set_new(j, "manufacturer",
	    json_string(sourcing_nz(o->manufacturer)));
	json_object_set_new(j, "supplier_id",
	    json_string(sourcing_nz(o->supplier_id)));
	json_object_set_new(j, "supplier_name",
	    json_string(sourcing_nz(o->supplier_name)));
	json_object_set_new(j, "supplier_type",
	    json_string(supplier_type_name(o->type)));
	json_object_set_new(j, "trust",
	    json_string(trust_level_name(c->trust)));
	json_object_set_new(j, "preferred", json_boolean(c->preferred));
	json_object_set_new(j, "sku", json_string(sourcing_nz(o->sku)));
	json_object_set_new(j, "need", json_integer(c->r.need));
	json_object_set_new(j, "order_qty", json_integer(c->r.order_qty));
	sourcing_set_money(j, "unit_price", c->r.unit_micros);
	sourcing_set_money(j, "extended_price", c->r.extended_micros);
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
		sourcing_set_money(j, "base_extended_price",
		    c->r.base_extended);
	}
	json_object_set_new(j, "explain", json_string(c->r.explain));
	return j;
}

/* Adds chosen, runner_up and excluded of s to obj. */
static void
sourcing_sel_json(const struct sourcing_sel *s, const struct cost_params *p,
    json_t *obj)
{
	json_t *ru, *ex;
	char why[192];
	size_t i;

	if (obj == NULL)	/* quiet */
		return;
	if (s->nc > 0)
		json_object_set_new(obj, "chosen",
		    sourcing_cand_json(&s->c[0]));
	if (s->nc > 1) {
		ru = sourcing_cand_json(&s->c[1]);
		sourcing_why_lost(&s->c[0], &s->c[1], p, why, sizeof(why));
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

static void
sourcing_describe_excluded(const struct sourcing_sel *s, struct buf *b)
{
	size_t i;

	if (b->sink)
		return;
	for (i = 0; i < s->nx; i++)
		buf_printf(b, "%s%s (%s): %s", i > 0 ? "; " : "",
		    sourcing_nz(s->x[i].o->supplier_id),
		    sourcing_nz(s->x[i].o->sku), s->x[i].why);
}

/* The chosen offer, runner-up and exclusions of s in words. */
static void
sourcing_describe_sel(const struct sourcing_sel *s,
    const struct cost_params *p, struct buf *b)
{
	const struct sourcing_cand *c = &s->c[0];
	char m[32], why[192];

	if (b->sink)
		return;
	buf_printf(b, "%s from %s (%s, sku %s, %s, trust %s%s): ",
	    sourcing_nz(c->o->mpn), sourcing_nz(c->o->supplier_name),
	    sourcing_nz(c->o->supplier_id), sourcing_nz(c->o->sku),
	    supplier_type_name(c->o->type),
	    trust_level_name(c->trust),
	    c->preferred ? ", preferred distributor" : "");
	costing_describe(c->o, p, &c->r, b);
	money_format(c->r.extended_micros, m, sizeof(m));
	buf_printf(b, "; extended %s %s.", m, c->o->currency);
	if (s->nc > 1) {
		sourcing_why_lost(c, &s->c[1], p, why, sizeof(why));
		buf_printf(b, " Runner-up %s (%s) %s.",
		    sourcing_nz(s->c[1].o->supplier_name),
		    sourcing_nz(s->c[1].o->supplier_id), why);
	} else
		buf_puts(b, " No runner-up.");
	if (s->nx > 0) {
		buf_puts(b, " Excluded: ");
		sourcing_describe_excluded(s, b);
		buf_puts(b, ".");
	}
}

/* Fills the selected_* fields of d from the best candidate of s. */
static void
sourcing_fill(struct line_decision *d, const struct sourcing_sel *s)
{
	const struct sourcing_cand *c = &s->c[0];

	d->selected_mpn = xstrdup(sourcing_nz(c->o->mpn)[0] ? c->o->mpn :
	    s->mpn);
	d->selected_supplier = xstrdup(sourcing_nz(c->o->supplier_id));
	d->supplier_name = xstrdup(sourcing_nz(c->o->supplier_name));
	d->sku = xstrdup(sourcing_nz(c->o->sku));
	d->order_quantity = c->r.order_qty;
	d->unit_micros = c->r.unit_micros;
	d->extended_micros = c->r.extended_micros;
	d->lead_ok = c->r.lead_ok;
	d->shortfall = c->r.shortfall;
}

static void
sourcing_flag(json_t *flags, const char *f)
{
	if (flags != NULL)	/* quiet: NULL */
		json_array_append_new(flags, json_string(f));
}

/* Flags of the chosen offer: bought_up, moq_applied, backorder... */
static void
sourcing_cand_flags(const struct sourcing_cand *c, json_t *flags)
{
	if (c->r.moq_applied)
		sourcing_flag(flags, "moq_applied");
	if (c->r.first_break_applied)
		sourcing_flag(flags, "first_break_applied");
	if (c->r.multiple_applied)
		sourcing_flag(flags, "multiple_applied");
	if (c->r.bought_up)
		sourcing_flag(flags, "bought_up");
	if (!c->r.in_stock)
		sourcing_flag(flags, c->r.lead_ok ? "backorder" : "short");
	if (c->o->type == SUPPLIER_BROKER)
		sourcing_flag(flags, "broker");
}

/* A banned or avoided MPN: rejected, with the best usable alternate. */
static void
sourcing_decide_banned(const char *mpn, const char *ban_reason, bool avoided,
    const struct cost_params *p, const struct sourcing_rules *rules,
    offers_lookup_fn lookup, void *ctx, struct line_decision *d,
    struct buf *b, json_t *flags)
{
	struct sourcing_sel sel[SOURCING_MAX_ALTERNATES];
	const struct alternate *alt[SOURCING_MAX_ALTERNATES];
	const struct alternate *a;
	struct buf notes;
	json_t *aj;
	size_t i, j, nalt = 0;
	ssize_t best = -1;
	const char *amp;

	d->status = DECISION_REJECTED;
	if (ban_reason != NULL) {
		sourcing_flag(flags, "banned");
		buf_printf(b, "%s is banned (reason: %s)", mpn, ban_reason);
		if (avoided)
			buf_puts(b, " and avoided by project");
	} else
		buf_printf(b, "%s is avoided by project", mpn);
	if (avoided)
		sourcing_flag(flags, "avoided");
	if (!rules->allow_alternates) {
		buf_puts(b, "; alternates not allowed by project, "
		    "no part selected.");
		return;
	}
	if (rules->quiet)
		buf_init_sink(&notes);
	else
		buf_init(&notes);
	for (i = 0; i < rules->nalternates; i++) {
		a = &rules->alternates[i];
		if (a->mpn == NULL || a->alternate_mpn == NULL ||
		    a->alternate_mpn[0] == '\0' ||
		    strcasecmp(a->mpn, mpn) != 0 ||
		    strcasecmp(a->alternate_mpn, mpn) == 0)
			continue;
		for (j = 0; j < nalt; j++)
			if (strcasecmp(alt[j]->alternate_mpn,
			    a->alternate_mpn) == 0)
				break;
		if (j < nalt)
			continue;
		amp = a->alternate_mpn;
		if (sourcing_banned(rules, amp) != NULL ||
		    sourcing_avoided(rules, amp)) {
			buf_printf(&notes, "%s%s: %s", notes.len ? "; " : "",
			    amp, sourcing_banned(rules, amp) != NULL ?
			    "banned too" : "avoided by project");
			continue;
		}
		if (nalt == SOURCING_MAX_ALTERNATES)
			break;
		alt[nalt] = a;
		sourcing_select(amp, p, rules, lookup, ctx, &sel[nalt]);
		if (sel[nalt].noffers == 0)
			buf_printf(&notes, "%s%s: no offers",
			    notes.len ? "; " : "", amp);
		else if (sel[nalt].nc == 0) {
			buf_printf(&notes, "%s%s: no eligible offers (",
			    notes.len ? "; " : "", amp);
			sourcing_describe_excluded(&sel[nalt], &notes);
			buf_puts(&notes, ")");
		} else if (!sel[nalt].c[0].r.lead_ok)
			buf_printf(&notes, "%s%s: short by %" PRId64
			    " units within %" PRId64 " days",
			    notes.len ? "; " : "", amp,
			    sel[nalt].c[0].r.shortfall,
			    p->max_lead_time_days);
		else if (best == -1 || sel[nalt].c[0].r.extended_micros <
		    sel[best].c[0].r.extended_micros)
			best = (ssize_t)nalt;
		nalt++;
	}
	if (best == -1) {
		if (nalt == 0 && notes.len == 0)
			buf_puts(b, "; no approved alternate, "
			    "no part selected.");
		else
			buf_printf(b, "; no usable approved alternate (%s), "
			    "no part selected.", notes.data);
		sourcing_flag(flags, "no_alternate");
		goto out;
	}
	a = alt[best];
	buf_printf(b, "; approved alternate %s proposed", a->alternate_mpn);
	if (a->reason != NULL && a->reason[0] != '\0')
		buf_printf(b, " (%s)", a->reason);
	buf_puts(b, ": ");
	sourcing_describe_sel(&sel[best], p, b);
	for (i = 0; i < nalt; i++)
		if ((ssize_t)i != best && sel[i].nc > 0 &&
		    sel[i].c[0].r.lead_ok) {
			char m[32];

			money_format(sel[i].c[0].r.extended_micros, m,
			    sizeof(m));
			buf_printf(&notes, "%s%s: costs %s",
			    notes.len ? "; " : "", alt[i]->alternate_mpn, m);
		}
	if (notes.len > 0)
		buf_printf(b, " Other alternates: %s.", notes.data);
	sourcing_fill(d, &sel[best]);
	sourcing_flag(flags, "alternate_proposed");
	sourcing_cand_flags(&sel[best].c[0], flags);
	sourcing_sel_json(&sel[best], p, d->output_data);
	if (d->output_data == NULL)
		goto out;
	aj = json_object();
	json_object_set_new(aj, "mpn", json_string(a->alternate_mpn));
	json_object_set_new(aj, "replaces", json_string(mpn));
	json_object_set_new(aj, "reason", json_string(sourcing_nz(a->reason)));
	json_object_set_new(aj, "considered", json_integer((json_int_t)nalt));
	json_object_set_new(d->output_data, "alternate", aj);
out:
	for (i = 0; i < nalt; i++)
		sourcing_sel_free(&sel[i]);
	buf_free(&notes);
}

int
sourcing_decide(const char *mpn, const struct cost_params *p,
    const struct sourcing_rules *rules, offers_lookup_fn lookup, void *ctx,
    struct line_decision *out)
{
	struct sourcing_sel sel = { 0 };
	struct cost_result nr;
	const char *ban;
	struct buf b;
	json_t *flags;
	char err[128];
	bool avoided;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	out->status = DECISION_ESCALATED;
	snprintf(out->currency, sizeof(out->currency), SOURCING_CURRENCY);
	if (rules != NULL && rules->quiet) {
		out->output_data = NULL;
		flags = NULL;
		buf_init_sink(&b);
	} else {
		out->output_data = json_object();
		flags = json_array();
		buf_init(&b);
	}
	if (mpn == NULL || mpn[0] == '\0' || p == NULL || rules == NULL ||
	    lookup == NULL) {
		buf_puts(&b, "cannot decide: missing part number or rules");
		goto out;
	}
	if (out->output_data != NULL)
		json_object_set_new(out->output_data, "mpn", json_string(mpn));
	if (costing_need(p, &nr, err, sizeof(err)) == -1) {
		buf_printf(&b, "cannot compute the need: %s", err);
		if (strcmp(err, SOURCING_TOO_LARGE) == 0) {
			sourcing_flag(flags, "too_large");
			rc = 0;
		}
		goto out;
	}
	out->need = nr.need;
	if (out->output_data != NULL)
		json_object_set_new(out->output_data, "need",
		    json_integer(nr.need));
	ban = sourcing_banned(rules, mpn);
	avoided = sourcing_avoided(rules, mpn);
	if (ban != NULL || avoided) {
		sourcing_decide_banned(mpn, ban, avoided, p, rules, lookup, ctx,
		    out, &b, flags);
		rc = 0;
		goto out;
	}
	sourcing_select(mpn, p, rules, lookup, ctx, &sel);
	sourcing_sel_json(&sel, p, out->output_data);
	rc = 0;
	if (sel.noffers == 0) {
		buf_printf(&b, "no offers for %s in the catalog; needs manual "
		    "sourcing (need %" PRId64 ").", mpn, nr.need);
		sourcing_flag(flags, "no_offers");
		goto out;
	}
	if (sel.nc == 0) {
		buf_puts(&b, "no eligible offers: ");
		sourcing_describe_excluded(&sel, &b);
		buf_puts(&b, ".");
		sourcing_flag(flags, "no_eligible_offers");
		goto out;
	}
	sourcing_fill(out, &sel);
	sourcing_cand_flags(&sel.c[0], flags);
	if (!sel.c[0].r.lead_ok) {
		buf_printf(&b, "short by %" PRId64 " units within %" PRId64
		    " days: the best offer has %" PRId64 " in stock and a "
		    "lead time of %" PRId64 " days; a person must decide. "
		    "Best offer: ", sel.c[0].r.shortfall,
		    p->max_lead_time_days, sel.c[0].o->stock,
		    sel.c[0].o->lead_time_days);
	} else {
		out->status = DECISION_APPROVED;
		buf_puts(&b, "approved: ");
	}
	sourcing_describe_sel(&sel, p, &b);
out:
	sourcing_sel_free(&sel);
	if (out->output_data != NULL)
		json_object_set_new(out->output_data, "flags", flags);
	out->reasoning = buf_steal(&b);
	return rc;
}

void
line_decision_free(struct line_decision *d)
{
	if (d == NULL)
		return;
	free(d->selected_mpn);
	free(d->selected_supplier);
	free(d->supplier_name);
	free(d->sku);
	free(d->reasoning);
	json_decref(d->output_data);
	memset(d, 0, sizeof(*d));
}
