/*
 * The flow's stages, run by the worker for each job of a batch in order:
 * intake, enrich, decide, LLM review, then persist commits the whole batch.
 * Each stage returns STAGE_OK, STAGE_RETRY or STAGE_FAIL and appends trace
 * steps to the job.
 */
#ifndef BOMD_STAGES_H
#define BOMD_STAGES_H

#include <hiredis/hiredis.h>
#include <libpq-fe.h>

#include "job.h"
#include "util.h"

/* JSON as stored: compact, prices to 15 digits (0.71, not 0.70999...) */
#define PERSIST_JSON	(JSON_COMPACT | JSON_REAL_PRECISION(15))

struct cache;
struct config;
struct offer_cache;
struct tenant_knowledge;

/*
 * Loads (a project's stored BOM, when the job names a project) and parses
 * the BOM and the project context (bom.c, intake.c).
 */
enum stage_rc	stage_intake_run(struct job *job, PGconn *db);
/* Frees what the intake stage keeps between jobs; at worker exit. */
void		stage_intake_shutdown(void);
/*
 * Adds to *mpns (a growing array of borrowed strings, *n used, *cap room)
 * the MPNs whose offers the job needs: every line's and their approved
 * alternates'.
 */
void		stage_enrich_mpns(const struct job *job,
		    const struct tenant_knowledge *kn, const char ***mpns,
		    size_t *n, size_t *cap);
/*
 * Points view at the worker's caches for this job's tenant (offers must
 * be loaded: cache_load_offers()) and traces what it found.
 */
enum stage_rc	stage_enrich_run(struct job *job, const struct cache *c,
		    const struct tenant_knowledge *kn, struct offer_cache *view);
/*
 * Writes the basis of the job's decisions (basis.h) into out: the offers
 * of its lines and their alternates, the knowledge about them, and the
 * costing settings c.
 */
struct basis_costing;
void		stage_enrich_basis(struct job *job,
		    const struct offer_cache *view,
		    const struct basis_costing *c, struct buf *out);
/*
 * Prices every line and decides it (costing.c, sourcing.c); totals.
 * Without an LLM the decisions are numbers only and job->basis is set.
 */
enum stage_rc	stage_decide_run(struct job *job, const struct config *cfg,
		    const struct offer_cache *view);
/*
 * LLM review (llm.provider openai) of jobs[0..n): each job's lines in
 * batches of llm.batch_size, every request of every job at once on the
 * worker's one curl multi handle; the LLM may only escalate an approved
 * line or add notes. Any LLM failure leaves the rule decisions and a
 * trace step saying why, so it always returns STAGE_OK. Rows for
 * llm_calls go to job->llm_calls, totals to job->totals.llm. Waves take
 * from the budget shared by every worker through r (budget.h).
 */
enum stage_rc	stage_llm_run(struct job *const *jobs, size_t n,
		    const struct config *cfg, redisContext *r);
/* Frees the worker's LLM client (made on first use); at worker exit. */
void		stage_llm_shutdown(void);
/*
 * The job's line items as a JSON array (the stored and the live form):
 * line_no, source_line, designators, quantity, mpn, manufacturer,
 * description, package, value, status, selected_*, order_quantity,
 * *_micros, currency, final_decision. 0, or -1 when a decision's
 * output_data cannot be encoded.
 */
int		stage_persist_lines_text(const struct job *job, struct buf *b);
/*
 * Commits the outcome of every job of the batch whose outcome is
 * JOB_COMPLETE, JOB_FAILED or JOB_DEAD, in one statement (one round trip,
 * one transaction; a batch over 1 MB in several statements of one
 * transaction): the jobs row fences each job, so a job that was final
 * already writes nothing (its dup is set). When the batch's statement
 * fails, each job is committed alone, and a job that fails alone becomes
 * JOB_RETRY with the error (a dead one stays dead: the dead letter is
 * its record). 0, or -1 when the connection failed (nothing
 * is known to be committed: the batch stays pending).
 */
int		stage_persist_batch(PGconn *db, struct job *const *jobs,
		    size_t n);
/*
 * Whether the offer set of hash (basis_hash()) is known to be stored in
 * offer_sets: this worker committed it on its current connection. A set
 * not known goes with its job (job->sets) and is stored by its commit.
 */
bool		stage_persist_set_known(const char *hash);
/*
 * Frees the column buffers kept from one batch's commit for the next
 * (megabytes), before a long wait such as the LLM review.
 */
void		stage_persist_release(void);

#endif
