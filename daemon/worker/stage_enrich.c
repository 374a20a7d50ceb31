/*
 * Enrich stage: the offers for every line's MPN (and for the approved
 * alternates of those MPNs) and the tenant's knowledge, from the worker's
 * caches, which the batch has loaded for all its jobs at once.
 */
#include <stdlib.h>
#include <strings.h>

#include "basis.h"
#include "cache.h"
#include "bom.h"
#include "stage_enrich.h"
#include "stages.h"
#include "util.h"

const struct offer *
offer_cache_lookup(void *ctx, const char *mpn, size_t *n)
{
	const struct offer_cache *v = ctx;
	const struct offer_cache_line *l;

	if (v->lines != NULL && v->cur < v->nlines &&
	    (l = &v->lines[v->cur])->mpn == mpn) {
		*n = l->n;
		return l->o;
	}
	return cache_offers(v->cat, mpn, n);
}

static void
enrich_push(const char ***mpns, size_t *n, size_t *cap, const char *m)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 256;
		*mpns = xrealloc(*mpns, *cap * sizeof(**mpns));
	}
	(*mpns)[(*n)++] = m;
}

void
stage_enrich_mpns(const struct job *job, const struct tenant_knowledge *kn,
    const char ***mpns, size_t *n, size_t *cap)
{
	size_t i, j;

	for (i = 0; i < job->bom->nlines; i++) {
		const char *m = job->bom->lines[i].mpn;

		enrich_push(mpns, n, cap, m);
		for (j = 0; j < kn->nalternates; j++)
			if (strcasecmp(kn->alternates[j].mpn, m) == 0)
				enrich_push(mpns, n, cap,
				    kn->alternates[j].alternate_mpn);
	}
}

enum stage_rc
stage_enrich_run(struct job *job, const struct cache *c,
    const struct tenant_knowledge *kn, struct offer_cache *view)
{
	/* the lines of the job being decided: reused from job to job */
	static struct offer_cache_line *lines;
	static size_t cap;
	struct offer_cache_line *l;
	size_t i, j, n, noffers = 0, nwith = 0;

	view->cat = c;
	view->kn = kn;
	if (cap < job->bom->nlines) {
		cap = job->bom->nlines;
		lines = xrealloc(lines, cap * sizeof(*lines));
	}
	view->lines = lines;
	view->nlines = job->bom->nlines;
	view->cur = 0;
	for (i = 0; i < job->bom->nlines; i++) {
		const char *m = job->bom->lines[i].mpn;

		l = &lines[i];
		l->mpn = m;
		l->o = cache_offers_basis(c, m, &l->n, &l->text, &l->len,
		    &l->hash, &l->key);
		n = l->n;
		noffers += n;
		if (n > 0)
			nwith++;
		for (j = 0; j < kn->nalternates; j++)
			if (strcasecmp(kn->alternates[j].mpn, m) == 0) {
				cache_offers(c, kn->alternates[j].alternate_mpn,
				    &n);
				noffers += n;
			}
	}
	job_trace(job, "enrich", "enrichment", NULL, NULL,
	    "%zu offers loaded; %zu of %zu lines have offers; knowledge: "
	    "%zu banned parts, %zu alternates, %zu supplier rules",
	    noffers, nwith, job->bom->nlines, kn->nbanned, kn->nalternates,
	    kn->nsuppliers);
	return STAGE_OK;
}

/*
 * The offers of m into the basis, named by their set's hash; a set not
 * known to be stored yet goes with the job (job->sets) to be stored with
 * it. A set that is no JSON string (never: its text is JSON) is copied.
 */
static void
stage_enrich_set(struct basis_writer *w, struct job *job, const char *m,
    const struct offer_cache *view, const struct offer_cache_line *line)
{
	const struct offer *o;
	const char *text, *hash;
	const void *key;
	json_t *t;
	size_t n, len;

	if (line != NULL) {	/* the enrich stage looked it up */
		o = line->o;
		n = line->n;
		text = line->text;
		len = line->len;
		hash = line->hash;
		key = line->key;
	} else
		o = cache_offers_basis(view->cat, m, &n, &text, &len, &hash,
		    &key);
	if (n > 0 && !stage_persist_set_known(hash)) {
		if (job->sets == NULL)
			job->sets = json_object();
		if (json_object_get(job->sets, hash) == NULL) {
			if ((t = json_stringn(text, len)) == NULL) {
				basis_add_offers_text(w, m, key, o, n, text,
				    len);
				return;
			}
			json_object_set_new(job->sets, hash, t);
		}
	}
	basis_add_offers_ref(w, m, key, o, n, hash);
}

void
stage_enrich_basis(struct job *job, const struct offer_cache *view,
    const struct basis_costing *c, struct buf *out)
{
	const struct tenant_knowledge *kn = view->kn;
	struct basis_writer w;
	const char *m;
	size_t i, j;

	basis_begin(&w, out, c);
	for (i = 0; i < job->bom->nlines; i++) {
		m = job->bom->lines[i].mpn;
		stage_enrich_set(&w, job, m, view, view->lines != NULL &&
		    i < view->nlines && view->lines[i].mpn == m ?
		    &view->lines[i] : NULL);
		for (j = 0; j < kn->nalternates; j++)
			if (strcasecmp(kn->alternates[j].mpn, m) == 0)
				stage_enrich_set(&w, job,
				    kn->alternates[j].alternate_mpn, view,
				    NULL);
	}
	basis_add_knowledge(&w, kn->suppliers, kn->nsuppliers, kn->banned,
	    kn->nbanned, kn->alternates, kn->nalternates);
	basis_end(&w);
}
