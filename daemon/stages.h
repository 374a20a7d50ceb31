/*
 * The flow's stages, run by the worker in order: intake, enrich, rules and
 * decision, persist. Each returns STAGE_OK, STAGE_RETRY or STAGE_FAIL and
 * appends trace steps to the job.
 */
#ifndef BOMD_STAGES_H
#define BOMD_STAGES_H

#include <libpq-fe.h>

#include "job.h"

struct config;
struct offer_cache;

/* Loads or parses the BOM and the project context (bom.c, intake.c). */
enum stage_rc	stage_intake_run(struct job *job, PGconn *db);
/*
 * Loads the offers for every line's MPN and the tenant's knowledge (bans,
 * alternates and their offers, supplier trust). *cache is owned by the
 * caller: free with offer_cache_free().
 */
enum stage_rc	stage_enrich_run(struct job *job, PGconn *db,
		    struct offer_cache **cache);
void		offer_cache_free(struct offer_cache *cache);
/* Prices every line and decides it (costing.c, sourcing.c); totals. */
enum stage_rc	stage_decide_run(struct job *job, const struct config *cfg,
		    struct offer_cache *cache);
/*
 * LLM review (llm.provider openai): batches of lines assessed concurrently;
 * the LLM may only escalate an approved line or add notes. Any LLM failure
 * leaves the rule decisions and a trace step saying why, so it always
 * returns STAGE_OK. Rows for llm_calls go to job->llm_calls, totals to
 * job->totals.llm.
 */
enum stage_rc	stage_llm_run(struct job *job, const struct config *cfg);
/* Frees the worker's LLM client (made on first use); at worker exit. */
void		stage_llm_shutdown(void);
/*
 * Writes project, line items, trace, usage and the job state in one
 * transaction. STAGE_OK also when the job had already been committed
 * (then *dup is set and nothing changed).
 */
/*
 * Line items while a job runs: written as pending_enrichment when the job
 * starts (replacing a reprocessed project's), then moved through the
 * original's statuses as stages finish; persist writes the final ones.
 * 0 or -1.
 */
int		stage_persist_lines_start(struct job *job, PGconn *db);
int		stage_persist_lines_status(struct job *job, PGconn *db,
		    const char *status);
enum stage_rc	stage_persist_run(struct job *job, PGconn *db, int *dup);

#endif
