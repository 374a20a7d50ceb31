/*
 * The engineering checks of a line (issue 15): part categories from
 * designators, critical parts, lifecycle, RoHS and country of origin,
 * single source, preferred manufacturers and the deadline; each one a
 * reason in the line's decision ("checks" in output_data and words).
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sourcing_internal.h"

const struct name_table part_category_names = { "other",
    { PART_CATEGORIES(NAME_TABLE_ROW) } };

/* Product types whose NRND parts need a person. */
static const char *const sourcing_checks_regulated[] = {
	"medical", "automotive", "aerospace"
};

enum part_category
part_category_of(const char *designator)
{
	size_t n = 0;

	if (designator == NULL)
		return PART_OTHER;
	while (isalpha((unsigned char)designator[n]))
		n++;
	if (n != 1)
		return PART_OTHER;
	switch (toupper((unsigned char)designator[0])) {
	case 'R':
		return PART_RESISTORS;
	case 'C':
		return PART_CAPACITORS;
	case 'U':
		return PART_MCU;
	case 'J':
	case 'P':
		return PART_CONNECTORS;
	default:
		return PART_OTHER;
	}
}

static bool
sourcing_checks_is_regulated(const char *product_type)
{
	size_t i;

	for (i = 0; product_type != NULL && i <
	    sizeof(sourcing_checks_regulated) /
	    sizeof(sourcing_checks_regulated[0]); i++)
		if (strcasecmp(product_type, sourcing_checks_regulated[i]) == 0)
			return true;
	return false;
}

void
sourcing_checks_begin(struct sourcing_run *run)
{
	const struct sourcing_rules *rules = run->rules;
	const struct sourcing_line *l = run->line;
	size_t i, k;

	run->checks = !rules->legacy;
	if (run->flags == NULL) {	/* quiet */
		buf_init_sink(&run->why);
		buf_init_sink(&run->notes);
	} else {
		buf_init(&run->why);
		buf_init(&run->notes);
		if (run->checks)
			run->checks_json = json_array();
	}
	run->category = l->ndesignators > 0 && l->designators != NULL ?
	    part_category_of(l->designators[0]) : PART_OTHER;
	if (!run->checks)
		return;
	for (i = 0; i < rules->ncritical && !run->critical; i++) {
		if (rules->critical[i] == NULL)
			continue;
		if (strcasecmp(rules->critical[i], l->mpn) == 0) {
			run->critical = true;
			run->critical_by = rules->critical[i];
		}
		for (k = 0; k < l->ndesignators && !run->critical; k++)
			if (l->designators[k] != NULL &&
			    strcasecmp(rules->critical[i],
			    l->designators[k]) == 0) {
				run->critical = true;
				run->critical_by = l->designators[k];
			}
	}
}

void
sourcing_checks_add(struct sourcing_run *run, const char *agent,
    const char *check, const char *result, const char *fmt, ...)
{
	char detail[512];
	va_list ap;

	if (run->checks_json == NULL)	/* quiet */
		return;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	json_array_append_new(run->checks_json, json_pack("{s:s, s:s, s:s, "
	    "s:s}", "agent", agent, "check", check, "result", result,
	    "detail", detail));
	buf_printf(&run->notes, "%s%s", run->notes.len ? "; " : "", detail);
}

void
sourcing_checks_escalate(struct sourcing_run *run, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;

	if (run->nwhy++ > 0)
		buf_puts(&run->why, "; ");
	if (run->why.sink)
		return;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	buf_puts(&run->why, tmp);
}

void
sourcing_checks_flag(struct sourcing_run *run, const char *f)
{
	if (run->flags != NULL)
		json_array_append_new(run->flags, json_string(f));
}

bool
sourcing_checks_usable_lifecycle(const struct sourcing_sel *s,
    bool require_active, const char **why)
{
	switch (s->lifecycle) {
	case OFFER_LIFECYCLE_OBSOLETE:
		*why = "obsolete";
		return false;
	case OFFER_LIFECYCLE_EOL:
		*why = "end of life";
		return false;
	case OFFER_LIFECYCLE_NRND:
		*why = "NRND, not active";
		return !require_active;
	case OFFER_LIFECYCLE_UNKNOWN:
		*why = "lifecycle unknown, not known active";
		return !require_active;
	default:
		*why = "";
		return true;
	}
}

/* True when maker names manufacturer: equal, or its first word(s). */
static bool
sourcing_checks_maker_match(const char *maker, const char *manufacturer)
{
	size_t n = strlen(maker);

	if (n == 0 || strncasecmp(maker, manufacturer, n) != 0)
		return false;
	return !isalnum((unsigned char)manufacturer[n]);
}

/* Appends the names of list to b ("A, B"); whether one matches m. */
static bool
sourcing_checks_maker_list(const json_t *list, const char *m, struct buf *b)
{
	const json_t *e;
	bool hit = false;
	size_t i;

	json_array_foreach(list, i, e) {
		if (!json_is_string(e))
			continue;
		if (sourcing_checks_maker_match(json_string_value(e), m))
			hit = true;
		if (b != NULL)
			buf_printf(b, "%s%s", b->len ? ", " : "",
			    json_string_value(e));
	}
	return hit;
}

/*
 * Whether manufacturer is a preferred maker of the line's category: 1 yes,
 * 0 no, -1 when the category has no preferred makers. The names go to b
 * (NULL: not wanted).
 */
static int
sourcing_checks_maker_in(const struct sourcing_run *run,
    const char *manufacturer, struct buf *b)
{
	const json_t *makers = run->rules->makers, *list, *other;
	const char *key;
	bool hit = false, any = false;

	if (!run->checks || !json_is_object(makers))
		return -1;
	if (run->category != PART_OTHER) {
		list = json_object_get(makers,
		    name_of(&part_category_names, run->category));
		any = json_array_size(list) > 0;
		hit = sourcing_checks_maker_list(list, manufacturer, b);
	} else {
		other = json_object_get(makers, "other");
		json_object_foreach((json_t *)other, key, list) {
			any = any || json_array_size(list) > 0;
			if (sourcing_checks_maker_list(list, manufacturer, b))
				hit = true;
		}
	}
	return any ? hit : -1;
}

int
sourcing_checks_maker(const struct sourcing_run *run,
    const char *manufacturer)
{
	return sourcing_checks_maker_in(run, manufacturer, NULL);
}

/* Distinct suppliers that can fill the line from s; the first in *who. */
static size_t
sourcing_checks_fillers(const struct sourcing_run *run,
    const struct sourcing_sel *s, const char **who)
{
	size_t i, k, n = 0;

	*who = NULL;
	for (i = 0; i < s->nc; i++) {
		if (!s->c[i].r.lead_ok || (run->critical &&
		    !s->c[i].critical_ok))
			continue;
		for (k = 0; k < i; k++)
			if ((s->c[k].r.lead_ok && (!run->critical ||
			    s->c[k].critical_ok)) &&
			    strcasecmp(sourcing_nz(s->c[k].o->supplier_id),
			    sourcing_nz(s->c[i].o->supplier_id)) == 0)
				break;
		if (k < i)
			continue;
		if (n++ == 0)
			*who = s->c[i].o->supplier_id;
	}
	return n;
}

/* Why the chosen offer does not suit a critical line. */
static void
sourcing_checks_critical_why(const struct sourcing_cand *c, char *out,
    size_t len)
{
	if (c->o->type != SUPPLIER_AUTHORIZED)
		snprintf(out, len, "%s is a %s supplier, not authorized",
		    sourcing_nz(c->o->supplier_id),
		    name_of(&supplier_type_names, c->o->type));
	else if (c->trust != TRUST_HIGH && c->trust != TRUST_MEDIUM)
		snprintf(out, len, "%s has trust %s",
		    sourcing_nz(c->o->supplier_id), name_of(&trust_level_names,
		    c->trust));
	else
		snprintf(out, len, "%s has %" PRId64 " in stock for a need "
		    "of %" PRId64, sourcing_nz(c->o->supplier_id), c->o->stock,
		    c->r.need);
}

/* The lifecycle of the part bought (obsolete and EOL are the caller's). */
static void
sourcing_checks_lifecycle(struct sourcing_run *run,
    const struct sourcing_sel *s, bool decide)
{
	const char *pt = run->rules->product_type;

	switch (s->lifecycle) {
	case OFFER_LIFECYCLE_ACTIVE:
		sourcing_checks_add(run, "engineering", "lifecycle", "pass",
		    "%s is active (per %s)", s->mpn,
		    sourcing_nz(s->lifecycle_by));
		break;
	case OFFER_LIFECYCLE_NRND:
		sourcing_checks_flag(run, "nrnd");
		if (decide && sourcing_checks_is_regulated(pt)) {
			sourcing_checks_escalate(run, "%s is not recommended "
			    "for new designs (NRND, per %s) and the product is "
			    "%s", s->mpn, sourcing_nz(s->lifecycle_by), pt);
			sourcing_checks_add(run, "engineering", "lifecycle",
			    "escalated", "%s is NRND (per %s): a %s product "
			    "needs a person to accept it", s->mpn,
			    sourcing_nz(s->lifecycle_by), pt);
		} else
			sourcing_checks_add(run, "engineering", "lifecycle",
			    "flag", "%s is NRND (per %s): approved for a %s "
			    "product, plan a replacement", s->mpn,
			    sourcing_nz(s->lifecycle_by), pt != NULL ? pt :
			    "consumer");
		break;
	default:
		break;
	}
}

/* RoHS and country of origin of the chosen offer c. */
static void
sourcing_checks_compliance(struct sourcing_run *run,
    const struct sourcing_cand *c)
{
	const struct sourcing_rules *rules = run->rules;
	const char *sup = sourcing_nz(c->o->supplier_id);

	if (rules->rohs_required) {
		if (c->o->rohs == OFFER_ROHS_YES)
			sourcing_checks_add(run, "engineering", "rohs", "pass",
			    "RoHS compliant (per %s)", sup);
		else {
			sourcing_checks_flag(run, "rohs_unknown");
			sourcing_checks_add(run, "engineering", "rohs", "flag",
			    "RoHS required but %s does not state RoHS "
			    "compliance: get a certificate of compliance", sup);
		}
	}
	if (rules->nrestricted > 0 && c->o->country[0] != '\0')
		sourcing_checks_add(run, "engineering", "country_of_origin",
		    "pass", "country of origin %s is not restricted",
		    c->o->country);
	else if (rules->nrestricted > 0) {
		sourcing_checks_flag(run, "country_unknown");
		sourcing_checks_add(run, "engineering", "country_of_origin",
		    "flag", "%s does not state the country of origin; the "
		    "project restricts some", sup);
	}
}

/* The critical-part and single-source checks of the chosen offer. */
static void
sourcing_checks_supply(struct sourcing_run *run,
    const struct sourcing_sel *s, bool decide)
{
	const struct sourcing_cand *c = &s->c[0];
	const char *who;
	char why[192];
	size_t n;

	if (run->critical) {
		sourcing_checks_flag(run, "critical");
		if (c->critical_ok)
			sourcing_checks_add(run, "engineering", "critical",
			    "pass", "critical part (%s): %s is authorized, "
			    "trust %s, %" PRId64 " in stock covers the need of "
			    "%" PRId64, run->critical_by,
			    sourcing_nz(c->o->supplier_id),
			    name_of(&trust_level_names, c->trust), c->o->stock,
			    c->r.need);
		else {
			sourcing_checks_critical_why(c, why, sizeof(why));
			sourcing_checks_flag(run, "critical_unqualified");
			if (decide)
				sourcing_checks_escalate(run, "critical part "
				    "(%s) not available from an authorized "
				    "supplier with trust high or medium and "
				    "stock covering the need: %s",
				    run->critical_by, why);
			sourcing_checks_add(run, "engineering", "critical",
			    decide ? "escalated" : "flag", "critical part "
			    "(%s): %s", run->critical_by, why);
		}
	}
	if (run->rules->single_source_ok)
		return;
	n = sourcing_checks_fillers(run, s, &who);
	if (n == 1) {
		sourcing_checks_flag(run, "single_source");
		if (run->critical && decide) {
			sourcing_checks_escalate(run, "critical part (%s) has "
			    "a single source (only %s can fill it)",
			    run->critical_by, sourcing_nz(who));
			sourcing_checks_add(run, "sourcing", "single_source",
			    "escalated", "single source: only %s can fill "
			    "this critical line", sourcing_nz(who));
		} else
			sourcing_checks_add(run, "sourcing", "single_source",
			    "flag", "single source: only %s can fill the "
			    "line; qualify a second source", sourcing_nz(who));
	} else if (n > 1)
		sourcing_checks_add(run, "sourcing", "single_source", "pass",
		    "%zu suppliers can fill the line", n);
}

/* Preferred manufacturers of the line's category. */
static void
sourcing_checks_makers(struct sourcing_run *run,
    const struct sourcing_cand *c)
{
	const char *m = sourcing_nz(c->o->manufacturer);
	const char *cat = name_of(&part_category_names, run->category);
	struct buf names;
	int r;

	if (m[0] == '\0')
		m = sourcing_nz(run->line->manufacturer);
	if (run->checks_json == NULL)	/* quiet: a flag changes nothing */
		return;
	buf_init(&names);
	if ((r = sourcing_checks_maker_in(run, m, &names)) == 1)
		sourcing_checks_add(run, "engineering", "manufacturer", "pass",
		    "%s is a preferred %s manufacturer", m, cat);
	else if (r == 0) {
		sourcing_checks_flag(run, "not_preferred_manufacturer");
		sourcing_checks_add(run, "engineering", "manufacturer", "flag",
		    "%s is not a preferred %s manufacturer (%s)", m[0] ? m :
		    "the manufacturer (unknown)", cat, names.data);
	}
	buf_free(&names);
}

/* Whether the deadline is the nearer limit, and its check. */
static void
sourcing_checks_deadline(struct sourcing_run *run,
    const struct sourcing_cand *c)
{
	const struct sourcing_rules *rules = run->rules;

	if (rules->deadline == NULL)
		return;
	if (rules->deadline_days < 0)
		sourcing_checks_add(run, "sourcing", "deadline",
		    c->r.in_stock ? "pass" : "escalated", "the deadline %s "
		    "has passed: only stock qualifies", rules->deadline);
	else if (rules->max_lead_days < 0 ||
	    rules->deadline_days < rules->max_lead_days)
		sourcing_checks_add(run, "sourcing", "deadline",
		    c->r.lead_ok ? "pass" : "escalated", "the deadline %s is "
		    "%" PRId64 " days after the decision: an offer qualifies "
		    "in stock or with a lead time of at most %" PRId64 " days",
		    rules->deadline, rules->deadline_days,
		    rules->deadline_days);
	else
		sourcing_checks_add(run, "sourcing", "deadline", "pass",
		    "the deadline %s is %" PRId64 " days after the decision, "
		    "beyond the lead-time limit of %" PRId64 " days",
		    rules->deadline, rules->deadline_days,
		    rules->max_lead_days);
}

void
sourcing_checks_part(struct sourcing_run *run, const struct sourcing_sel *s,
    bool decide)
{
	if (!run->checks || s->nc == 0)
		return;
	sourcing_checks_lifecycle(run, s, decide);
	sourcing_checks_compliance(run, &s->c[0]);
	sourcing_checks_supply(run, s, decide);
	sourcing_checks_makers(run, &s->c[0]);
	sourcing_checks_deadline(run, &s->c[0]);
}

void
sourcing_checks_end(struct sourcing_run *run)
{
	json_t *o = run->d->output_data;

	if (o != NULL && run->checks_json != NULL) {
		json_object_set_new(o, "checks", run->checks_json);
		run->checks_json = NULL;
		json_object_set_new(o, "critical", json_boolean(run->critical));
		json_object_set_new(o, "category",
		    json_string(name_of(&part_category_names, run->category)));
	}
	json_decref(run->checks_json);
	run->checks_json = NULL;
	buf_free(&run->why);
	buf_free(&run->notes);
}
