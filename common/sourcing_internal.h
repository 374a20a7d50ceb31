/*
 * Shared by the files of the sourcing engine: sourcing.c decides a line,
 * sourcing_select.c prices and ranks the offers of one part, and
 * sourcing_checks.c runs the engineering checks. One line being decided
 * and the offers of one part.
 */
#ifndef BOMD_SOURCING_INTERNAL_H
#define BOMD_SOURCING_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "sourcing.h"
#include "util.h"

struct sourcing_cand {
	const struct offer	*o;
	struct cost_result	 r;
	enum trust_level	 trust;
	bool			 preferred;
	/* for a critical line: authorized, trust high or medium, stock
	 * covering the need (false on other lines) */
	bool			 critical_ok;
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
	/* the part's lifecycle: the worst any of its offers states */
	enum offer_lifecycle	 lifecycle;
	const char		*lifecycle_by;	/* that offer's supplier_id */
	bool			 owned;		/* c and x malloc'ed, not the
						   run's scratch */
};

/* One line being decided. */
struct sourcing_run {
	const struct sourcing_line	*line;
	const struct cost_params	*p;
	const struct sourcing_rules	*rules;
	offers_lookup_fn		 lookup;
	void				*ctx;
	bool				 checks;	/* !rules->legacy */
	bool				 critical;
	const char			*critical_by;	/* designator or MPN */
	enum part_category		 category;
	struct line_decision		*d;
	struct buf			*b;	/* the reasoning */
	struct buf			 why;	/* escalation reasons */
	int				 nwhy;	/* how many, also when quiet */
	struct buf			 notes;	/* the checks in words */
	json_t				*flags;	/* NULL when quiet */
	json_t				*checks_json;	/* NULL when quiet */
	/* scratch for the selections' candidates (no malloc per part) */
	char				*scratch;
	size_t				 scratch_len, scratch_cap;
};

static inline const char *
sourcing_nz(const char *s)
{
	return s != NULL ? s : "";
}

/* sourcing_select.c */

/*
 * Looks up the offers of mpn, prices the eligible ones (the rest get
 * their reason) and ranks them into s; the caller frees it with
 * sourcing_select_free(). Never fails: no offers is s->noffers 0.
 */
void	sourcing_select(struct sourcing_run *run, const char *mpn,
	    struct sourcing_sel *s);
void	sourcing_select_free(struct sourcing_sel *s);
/* Why candidate b ranks below a, the first criterion it lost on. */
void	sourcing_select_why_lost(const struct sourcing_cand *a,
	    const struct sourcing_cand *b, const struct cost_params *p,
	    char *out, size_t len);
/* Adds chosen, runner_up and excluded of s to obj (NULL: quiet). */
void	sourcing_select_json(const struct sourcing_sel *s,
	    const struct cost_params *p, json_t *obj);
/* The exclusions of s, and the chosen offer, runner-up and exclusions,
 * in words appended to b (nothing when b is a sink). */
void	sourcing_select_describe_excluded(const struct sourcing_sel *s,
	    struct buf *b);
void	sourcing_select_describe(const struct sourcing_sel *s,
	    const struct cost_params *p, struct buf *b);
/* The selected_* numbers of d from the best candidate of s. */
void	sourcing_select_fill(struct line_decision *d,
	    const struct sourcing_sel *s);
/* The costing flags of candidate c (moq_applied, backorder, ...). */
void	sourcing_select_flags(const struct sourcing_cand *c, json_t *flags);
/* With rules->options, the offers of s that can fill the line into
 * run->d->options (freed with the decision). */
void	sourcing_select_options(struct sourcing_run *run,
	    const struct sourcing_sel *s);

/* sourcing_checks.c */

/* Readies the checks of run: its buffers, category, critical match. */
void	sourcing_checks_begin(struct sourcing_run *run);
/* Records a check {agent, check, result, detail} and its words. */
void	sourcing_checks_add(struct sourcing_run *run, const char *agent,
	    const char *check, const char *result, const char *fmt, ...)
	    __attribute__((format(printf, 5, 6)));
/* Adds a reason to escalate the line (counted also when quiet). */
void	sourcing_checks_escalate(struct sourcing_run *run, const char *fmt,
	    ...) __attribute__((format(printf, 2, 3)));
void	sourcing_checks_flag(struct sourcing_run *run, const char *f);
/* Whether the part of s may replace another (not obsolete or EOL, and
 * known active when require_active); else why, static. */
bool	sourcing_checks_usable_lifecycle(const struct sourcing_sel *s,
	    bool require_active, const char **why);
/* 1 when manufacturer is a preferred maker of the line's category, 0
 * when not, -1 when the category names none. */
int	sourcing_checks_maker(const struct sourcing_run *run,
	    const char *manufacturer);
/* The checks of the chosen offer of s: lifecycle (NRND), compliance,
 * critical part, single source, makers, deadline; escalations only when
 * decide (the line's own part, not a proposed alternate). */
void	sourcing_checks_part(struct sourcing_run *run,
	    const struct sourcing_sel *s, bool decide);
/* Puts the checks into output_data and frees the run's buffers. */
void	sourcing_checks_end(struct sourcing_run *run);

#endif
