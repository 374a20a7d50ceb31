/*
 * The basis of a job's decisions: the offers and the tenant knowledge its
 * lines were decided from, and the costing settings. The worker stores it
 * beside the compact decisions (numbers only); the API decides each line
 * again from it to render the reasoning and output_data, word for word
 * what the worker would have written.
 */
#ifndef BOMD_BASIS_H
#define BOMD_BASIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "costing.h"
#include "intake.h"
#include "offers.h"
#include "sourcing.h"
#include "util.h"

/* Costing settings of the configuration a decision used, and its date. */
struct basis_costing {
	int64_t	attrition_bp;
	int64_t	setup_extra;
	/* the day decided, in days from 1970-01-01 (UTC); -1 in a basis
	 * written before the engineering checks, which then do not run */
	int64_t	decided_on;
};

/* A parsed basis; everything owned (basis_free()). */
struct basis {
	struct basis_costing	 costing;
	struct offer		*offers;	/* sorted by MPN, case-blind */
	size_t			 noffers;
	struct supplier_rule	*trust;
	size_t			 ntrust;
	struct banned_part	*banned;
	size_t			 nbanned;
	struct alternate	*alternates;
	size_t			 nalternates;
};

/*
 * Writing a basis: basis_begin(), then the offers of every MPN the job
 * looked up (each MPN once: basis_add_offers()), then the knowledge
 * (basis_add_knowledge(): only rows about the MPNs and suppliers added),
 * then basis_end(). Output is one JSON object appended to b.
 */
struct basis_writer {
	struct buf	*b;
	size_t		 noffers;
	const char	**mpns;		/* borrowed: the MPNs added */
	size_t		 nmpns, capmpns;
	/* borrowed: their offers (whose suppliers the trust rules
	 * kept are looked up in, only when there are rules) */
	struct basis_noted {
		const struct offer	*o;
		size_t			 n;
	}		*noted;
	size_t		 nnoted, capnoted;
	const void	**keys;		/* identities of the added sets */
	size_t		 nkeys, capkeys;
	struct buf	 refs;		/* "hash","hash": the sets named */
	size_t		 nrefs;
};
void	basis_begin(struct basis_writer *w, struct buf *b,
	    const struct basis_costing *c);
/* Adds the offers of mpn (both borrowed until basis_end()); once per
 * MPN. */
void	basis_add_offers(struct basis_writer *w, const char *mpn,
	    const struct offer *o, size_t n);
/*
 * The offers as stored in a basis (comma-separated elements), for a
 * caller that keeps them rendered; and basis_add_offers() with that text.
 * key, when not NULL, is the identity of the offer set (the same key is
 * added once, whatever the MPN's spelling).
 */
void	basis_offers_text(const struct offer *o, size_t n, struct buf *b);
void	basis_add_offers_text(struct basis_writer *w, const char *mpn,
	    const void *key, const struct offer *o, size_t n,
	    const char *text, size_t len);
/*
 * An offer set stored once (offer_sets, by the hash of its text) instead
 * of in every basis: the basis names it in "sets" (after the knowledge),
 * and bomd_basis() in SQL puts the text back among the offers, so what
 * basis_parse() reads has them inline. basis_add_offers_text() with the
 * set named by hash (BASIS_HASH_LEN hex digits) instead of copied.
 */
#define BASIS_HASH_LEN	32
void	basis_hash(const char *text, size_t len,
	    char hash[BASIS_HASH_LEN + 1]);
void	basis_add_offers_ref(struct basis_writer *w, const char *mpn,
	    const void *key, const struct offer *o, size_t n,
	    const char *hash);
void	basis_add_knowledge(struct basis_writer *w,
	    const struct supplier_rule *trust, size_t ntrust,
	    const struct banned_part *banned, size_t nbanned,
	    const struct alternate *alternates, size_t nalternates);
void	basis_end(struct basis_writer *w);

/* Parses a stored basis. 0, or -1 when it is not one (out is empty). */
int	basis_parse(const char *text, size_t len, struct basis *out);
void	basis_free(struct basis *b);
/* offers_lookup_fn over a basis (ctx). */
const struct offer *basis_lookup(void *ctx, const char *mpn, size_t *n);

/*
 * The rules and cost parameters of one line, from the project's context
 * (v), the tenant knowledge and the costing settings: the one place the
 * worker (deciding) and the API (rendering) set them up. The lead-time
 * limit is the nearer of max_lead_time_days and the deadline (counted
 * from c->decided_on). rules->quiet, rules->options and p->no_explain
 * are left false.
 */
void	basis_setup(const struct intake_view *v,
	    const struct supplier_rule *trust, size_t ntrust,
	    const struct banned_part *banned, size_t nbanned,
	    const struct alternate *alternates, size_t nalternates,
	    const struct basis_costing *c, struct sourcing_rules *rules,
	    struct cost_params *p);

#endif
