/*
 * Per-line sourcing decision from the rules: bans, avoided parts and
 * obsolete parts with their approved alternates, the offers of the part
 * (sourcing_select.c), the engineering checks (sourcing_checks.c), and the
 * verdict with its reasons in words and as JSON.
 */
#include <sys/types.h>

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sourcing_internal.h"

#define SOURCING_TOO_LARGE	"quantity or price too large"
#define SOURCING_SCRATCH	8192	/* bytes of candidates on the stack */

/* The approved alternates of one part, priced, and the best usable one. */
struct sourcing_alts {
	struct sourcing_sel	 sel[SOURCING_MAX_ALTERNATES];
	const struct alternate	*alt[SOURCING_MAX_ALTERNATES];
	size_t			 n;
	ssize_t			 best;		/* -1: none usable */
	struct buf		 notes;		/* why the others are not */
};

const struct name_table trust_level_names = { "unknown",
    { TRUST_LEVELS(NAME_TABLE_ROW) } };
const struct name_table decision_status_names = { "unknown",
    { DECISION_STATUSES(NAME_TABLE_ROW) } };

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

static void
sourcing_flag(json_t *flags, const char *f)
{
	if (flags != NULL)	/* quiet: NULL */
		json_array_append_new(flags, json_string(f));
}

/* Whether alternate a beats the best so far: preferred maker, then price. */
static bool
sourcing_alts_better(const struct sourcing_run *run,
    const struct sourcing_alts *a, size_t i)
{
	const struct sourcing_cand *x = &a->sel[i].c[0], *y;
	int px, py;

	if (a->best == -1)
		return true;
	y = &a->sel[a->best].c[0];
	px = sourcing_checks_maker(run, sourcing_nz(x->o->manufacturer)) == 1;
	py = sourcing_checks_maker(run, sourcing_nz(y->o->manufacturer)) == 1;
	if (px != py)
		return px > py;
	return x->r.extended_micros < y->r.extended_micros;
}

/*
 * Prices the approved alternates of mpn and picks the best usable one
 * (not banned or avoided, eligible, deliverable, not obsolete or EOL, and
 * active when require_active); why the others are not goes to notes.
 */
static void
sourcing_alts_pick(struct sourcing_run *run, const char *mpn,
    bool require_active, struct sourcing_alts *a)
{
	const struct sourcing_rules *rules = run->rules;
	const struct alternate *alt;
	struct sourcing_sel *s;
	const char *amp, *lwhy;
	size_t i, j;

	a->n = 0;
	a->best = -1;
	if (rules->quiet)
		buf_init_sink(&a->notes);
	else
		buf_init(&a->notes);
	for (i = 0; i < rules->nalternates; i++) {
		alt = &rules->alternates[i];
		if (alt->mpn == NULL || alt->alternate_mpn == NULL ||
		    alt->alternate_mpn[0] == '\0' ||
		    strcasecmp(alt->mpn, mpn) != 0 ||
		    strcasecmp(alt->alternate_mpn, mpn) == 0)
			continue;
		for (j = 0; j < a->n; j++)
			if (strcasecmp(a->alt[j]->alternate_mpn,
			    alt->alternate_mpn) == 0)
				break;
		if (j < a->n)
			continue;
		amp = alt->alternate_mpn;
		if (sourcing_banned(rules, amp) != NULL ||
		    sourcing_avoided(rules, amp)) {
			buf_printf(&a->notes, "%s%s: %s", a->notes.len ? "; " :
			    "", amp, sourcing_banned(rules, amp) != NULL ?
			    "banned too" : "avoided by project");
			continue;
		}
		if (a->n == SOURCING_MAX_ALTERNATES)
			break;
		a->alt[a->n] = alt;
		s = &a->sel[a->n];
		sourcing_select(run, amp, s);
		if (s->noffers == 0)
			buf_printf(&a->notes, "%s%s: no offers",
			    a->notes.len ? "; " : "", amp);
		else if (s->nc == 0) {
			buf_printf(&a->notes, "%s%s: no eligible offers (",
			    a->notes.len ? "; " : "", amp);
			sourcing_select_describe_excluded(s, &a->notes);
			buf_puts(&a->notes, ")");
		} else if (!sourcing_checks_usable_lifecycle(s,
		    require_active, &lwhy))
			buf_printf(&a->notes, "%s%s: %s", a->notes.len ?
			    "; " : "", amp, lwhy);
		else if (!s->c[0].r.lead_ok)
			buf_printf(&a->notes, "%s%s: short by %" PRId64
			    " units within %" PRId64 " days",
			    a->notes.len ? "; " : "", amp,
			    s->c[0].r.shortfall, run->p->max_lead_time_days);
		else if (sourcing_alts_better(run, a, a->n))
			a->best = (ssize_t)a->n;
		a->n++;
	}
}

static void
sourcing_alts_free(struct sourcing_alts *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		sourcing_select_free(&a->sel[i]);
	buf_free(&a->notes);
}

/* The best alternate of a proposed for mpn: words, selection, JSON. */
static void
sourcing_alts_propose(struct sourcing_run *run, const char *mpn,
    struct sourcing_alts *a)
{
	const struct alternate *alt = a->alt[a->best];
	const struct sourcing_sel *s = &a->sel[a->best];
	struct buf *b = run->b;
	json_t *aj;
	char m[32];
	size_t i;

	buf_printf(b, "; approved alternate %s proposed", alt->alternate_mpn);
	if (alt->reason != NULL && alt->reason[0] != '\0')
		buf_printf(b, " (%s)", alt->reason);
	buf_puts(b, ": ");
	sourcing_select_describe(s, run->p, b);
	for (i = 0; i < a->n; i++)
		if ((ssize_t)i != a->best && a->sel[i].nc > 0 &&
		    a->sel[i].c[0].r.lead_ok) {
			money_format(a->sel[i].c[0].r.extended_micros, m,
			    sizeof(m));
			buf_printf(&a->notes, "%s%s: costs %s",
			    a->notes.len ? "; " : "", a->alt[i]->alternate_mpn,
			    m);
		}
	if (a->notes.len > 0)
		buf_printf(b, " Other alternates: %s.", a->notes.data);
	sourcing_select_fill(run->d, s);
	sourcing_flag(run->flags, "alternate_proposed");
	sourcing_select_flags(&s->c[0], run->flags);
	sourcing_checks_part(run, s, false);
	sourcing_select_options(run, s);
	sourcing_select_json(s, run->p, run->d->output_data);
	if (run->d->output_data == NULL)
		return;
	aj = json_object();
	json_object_set_new(aj, "mpn", json_string(alt->alternate_mpn));
	json_object_set_new(aj, "replaces", json_string(mpn));
	json_object_set_new(aj, "reason", json_string(sourcing_nz(
	    alt->reason)));
	json_object_set_new(aj, "considered", json_integer((json_int_t)a->n));
	json_object_set_new(run->d->output_data, "alternate", aj);
}

/* A banned or avoided MPN: rejected, with the best usable alternate. */
static void
sourcing_decide_banned(struct sourcing_run *run, const char *mpn,
    const char *ban_reason, bool avoided)
{
	struct sourcing_alts a;
	struct buf *b = run->b;

	run->d->status = DECISION_REJECTED;
	if (ban_reason != NULL) {
		sourcing_flag(run->flags, "banned");
		buf_printf(b, "%s is banned (reason: %s)", mpn, ban_reason);
		if (avoided)
			buf_puts(b, " and avoided by project");
	} else
		buf_printf(b, "%s is avoided by project", mpn);
	if (avoided)
		sourcing_flag(run->flags, "avoided");
	sourcing_checks_add(run, "engineering", "ban", "rejected", "%s %s",
	    mpn, ban_reason != NULL ? "is banned by the organisation" :
	    "is on the project's avoid list");
	if (!run->rules->allow_alternates) {
		buf_puts(b, "; alternates not allowed by project, "
		    "no part selected.");
		return;
	}
	sourcing_alts_pick(run, mpn, false, &a);
	if (a.best == -1) {
		if (a.n == 0 && a.notes.len == 0)
			buf_puts(b, "; no approved alternate, "
			    "no part selected.");
		else
			buf_printf(b, "; no usable approved alternate (%s), "
			    "no part selected.", a.notes.data);
		sourcing_flag(run->flags, "no_alternate");
	} else
		sourcing_alts_propose(run, mpn, &a);
	sourcing_alts_free(&a);
}

/*
 * An obsolete or EOL part (s): rejected with an active approved
 * alternate when one is usable (true), else an escalation reason (false;
 * the line goes on with its own offers).
 */
static bool
sourcing_decide_lifecycle(struct sourcing_run *run,
    const struct sourcing_sel *s)
{
	const char *mpn = s->mpn, *by = sourcing_nz(s->lifecycle_by);
	const char *what = s->lifecycle == OFFER_LIFECYCLE_OBSOLETE ?
	    "obsolete" : "at end of life (EOL)";
	struct sourcing_alts a;

	sourcing_flag(run->flags, s->lifecycle == OFFER_LIFECYCLE_OBSOLETE ?
	    "obsolete" : "eol");
	if (!run->rules->allow_alternates) {
		sourcing_checks_escalate(run, "%s is %s according to %s and "
		    "alternates are not allowed by project", mpn, what, by);
		sourcing_checks_add(run, "engineering", "lifecycle",
		    "escalated", "%s is %s according to %s; alternates not "
		    "allowed", mpn, what, by);
		return false;
	}
	sourcing_alts_pick(run, mpn, true, &a);
	if (a.best == -1) {
		if (a.n == 0 && a.notes.len == 0)
			sourcing_checks_escalate(run, "%s is %s according to "
			    "%s and has no approved alternate", mpn, what, by);
		else
			sourcing_checks_escalate(run, "%s is %s according to "
			    "%s and no active approved alternate is usable "
			    "(%s)", mpn, what, by, a.notes.data);
		sourcing_checks_add(run, "engineering", "lifecycle",
		    "escalated", "%s is %s according to %s: no active "
		    "approved alternate; a last-time buy needs a person", mpn,
		    what, by);
		sourcing_flag(run->flags, "no_alternate");
		sourcing_alts_free(&a);
		return false;
	}
	run->d->status = DECISION_REJECTED;
	buf_printf(run->b, "%s is %s according to %s", mpn, what, by);
	sourcing_checks_add(run, "engineering", "lifecycle", "rejected",
	    "%s is %s according to %s: active approved alternate %s "
	    "proposed", mpn, what, by, a.alt[a.best]->alternate_mpn);
	sourcing_alts_propose(run, mpn, &a);
	sourcing_alts_free(&a);
	return true;
}

/* The reasons of an escalation so far, then "a person must decide". */
static void
sourcing_decide_why(struct sourcing_run *run)
{
	if (run->nwhy > 0)
		buf_printf(run->b, "%s; ", run->why.data);
}

/* The line's own part s: its selection, checks and verdict. */
static void
sourcing_decide_own(struct sourcing_run *run, const struct sourcing_sel *s,
    int64_t need)
{
	const struct cost_params *p = run->p;
	const struct sourcing_cand *c = &s->c[0];
	struct line_decision *d = run->d;
	char limit[96];

	if (s->noffers == 0) {
		sourcing_decide_why(run);
		buf_printf(run->b, "no offers for %s in the catalog; needs "
		    "manual sourcing (need %" PRId64 ").", s->mpn, need);
		sourcing_flag(run->flags, "no_offers");
		return;
	}
	if (s->nc == 0) {
		sourcing_decide_why(run);
		buf_puts(run->b, "no eligible offers: ");
		sourcing_select_describe_excluded(s, run->b);
		buf_puts(run->b, ".");
		sourcing_flag(run->flags, "no_eligible_offers");
		return;
	}
	sourcing_select_fill(d, s);
	sourcing_select_flags(c, run->flags);
	if (!c->r.lead_ok) {
		if (run->checks && run->rules->deadline != NULL &&
		    (run->rules->max_lead_days < 0 ||
		    p->max_lead_time_days < run->rules->max_lead_days))
			snprintf(limit, sizeof(limit), " (the deadline %s)",
			    run->rules->deadline);
		else
			limit[0] = '\0';
		sourcing_checks_escalate(run, "short by %" PRId64 " units "
		    "within %" PRId64 " days%s: the best offer has %" PRId64
		    " in stock and a lead time of %" PRId64 " days",
		    c->r.shortfall, p->max_lead_time_days, limit, c->o->stock,
		    c->o->lead_time_days);
	}
	sourcing_checks_part(run, s, true);
	sourcing_select_options(run, s);
	if (run->nwhy == 0) {
		d->status = DECISION_APPROVED;
		buf_puts(run->b, "approved: ");
	} else
		buf_printf(run->b, "%s; a person must decide. Best offer: ",
		    run->why.data);
	sourcing_select_describe(s, p, run->b);
}

/* Sets up quiet or worded output and the run; false on bad arguments. */
static bool
sourcing_decide_begin(struct sourcing_run *run,
    const struct sourcing_line *line, const struct cost_params *p,
    const struct sourcing_rules *rules, offers_lookup_fn lookup, void *ctx,
    struct line_decision *out, struct buf *b)
{
	memset(out, 0, sizeof(*out));
	out->status = DECISION_ESCALATED;
	snprintf(out->currency, sizeof(out->currency), SOURCING_CURRENCY);
	*run = (struct sourcing_run){ .line = line, .p = p, .rules = rules,
	    .lookup = lookup, .ctx = ctx, .d = out, .b = b };
	if (rules != NULL && rules->quiet)
		buf_init_sink(b);
	else {
		out->output_data = json_object();
		run->flags = json_array();
		buf_init(b);
	}
	if (line == NULL || line->mpn == NULL || line->mpn[0] == '\0' ||
	    p == NULL || rules == NULL || lookup == NULL) {
		buf_puts(b, "cannot decide: missing part number or rules");
		return false;
	}
	sourcing_checks_begin(run);
	if (out->output_data != NULL)
		json_object_set_new(out->output_data, "mpn",
		    json_string(line->mpn));
	return true;
}

int
sourcing_decide(const struct sourcing_line *line,
    const struct cost_params *p, const struct sourcing_rules *rules,
    offers_lookup_fn lookup, void *ctx, struct line_decision *out)
{
	/* the candidates of a few parts: no malloc per line */
	_Alignas(max_align_t) char scratch[SOURCING_SCRATCH];
	struct sourcing_run run;
	struct sourcing_sel sel = { 0 };
	struct cost_result nr;
	const char *ban, *mpn;
	struct buf b;
	char err[128];
	bool avoided, began;
	int rc = -1;

	if (!(began = sourcing_decide_begin(&run, line, p, rules, lookup, ctx,
	    out, &b)))
		goto out;
	run.scratch = scratch;
	run.scratch_cap = sizeof(scratch);
	mpn = line->mpn;
	if (costing_need(p, &nr, err, sizeof(err)) == -1) {
		buf_printf(&b, "cannot compute the need: %s", err);
		if (strcmp(err, SOURCING_TOO_LARGE) == 0) {
			sourcing_flag(run.flags, "too_large");
			rc = 0;
		}
		goto out;
	}
	out->need = nr.need;
	if (out->output_data != NULL)
		json_object_set_new(out->output_data, "need",
		    json_integer(nr.need));
	rc = 0;
	ban = sourcing_banned(rules, mpn);
	avoided = sourcing_avoided(rules, mpn);
	if (ban != NULL || avoided) {
		sourcing_decide_banned(&run, mpn, ban, avoided);
		goto out;
	}
	sourcing_select(&run, mpn, &sel);
	if (out->output_data != NULL)
		json_object_set_new(out->output_data, "lifecycle",
		    json_string(name_of(&offer_lifecycle_names,
		    sel.lifecycle)));
	if ((sel.lifecycle == OFFER_LIFECYCLE_OBSOLETE ||
	    sel.lifecycle == OFFER_LIFECYCLE_EOL) &&
	    sourcing_decide_lifecycle(&run, &sel))
		goto out;
	sourcing_select_json(&sel, p, out->output_data);
	sourcing_decide_own(&run, &sel, nr.need);
out:
	if (began && run.notes.len > 0)
		buf_printf(&b, " Checks: %s.", run.notes.data);
	sourcing_select_free(&sel);
	if (began)
		sourcing_checks_end(&run);
	if (out->output_data != NULL)
		json_object_set_new(out->output_data, "flags", run.flags);
	out->reasoning = buf_steal(&b);
	return rc;
}

void
sourcing_money_json(json_t *obj, const char *key, int64_t micros)
{
	char k[64];

	json_object_set_new(obj, key, json_real(money_to_double(micros)));
	snprintf(k, sizeof(k), "%s_micros", key);
	json_object_set_new(obj, k, json_integer(micros));
}

void
sourcing_knowledge_free(struct supplier_rule *suppliers, size_t nsuppliers,
    struct banned_part *banned, size_t nbanned, struct alternate *alternates,
    size_t nalternates)
{
	size_t i;

	for (i = 0; i < nsuppliers; i++)
		free((char *)suppliers[i].supplier_id);
	free(suppliers);
	for (i = 0; i < nbanned; i++) {
		free((char *)banned[i].mpn);
		free((char *)banned[i].reason);
	}
	free(banned);
	for (i = 0; i < nalternates; i++) {
		free((char *)alternates[i].mpn);
		free((char *)alternates[i].alternate_mpn);
		free((char *)alternates[i].reason);
	}
	free(alternates);
}

void
line_decision_select(struct line_decision *d, const char *mpn,
    const char *supplier, const char *supplier_name, const char *sku)
{
	const char **const f[] = { &d->selected_mpn, &d->selected_supplier,
	    &d->supplier_name, &d->sku };
	char *old = d->selection;

	d->selected_mpn = mpn;
	d->selected_supplier = supplier;
	d->supplier_name = supplier_name;
	d->sku = sku;
	d->selection = xstrs_pack(f, sizeof(f) / sizeof(f[0]), NULL);
	free(old);	/* last: the new strings may have come from it */
}

void
line_decision_free(struct line_decision *d)
{
	if (d == NULL)
		return;
	free(d->selection);
	free(d->reasoning);
	json_decref(d->output_data);
	free(d->options);
	memset(d, 0, sizeof(*d));
}
