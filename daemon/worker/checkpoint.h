/*
 * Stage checkpoints: a job's decisions, totals, trace and LLM accounting
 * saved after its assessment so a retry resumes at persist.
 */
#ifndef BOMD_CHECKPOINT_H
#define BOMD_CHECKPOINT_H

#include <libpq-fe.h>

#include "job.h"

#define CHECKPOINT_ASSESSED	"assessed"

/*
 * Saves (replaces) the job's checkpoint. 0 or -1 (the job goes on). The
 * decisions' output_data is dumped once for it and for the commit: the
 * text goes to job->od_text and the trees are freed.
 */
int	checkpoint_save(PGconn *db, struct job *job, const char *stage);
/*
 * Restores the job's decisions, totals, warnings, trace and llm_calls from
 * its checkpoint. 1 restored, 0 none (or unusable: ignored), -1 db error.
 * job->bom must be parsed already (the decisions are per BOM line).
 */
int	checkpoint_load(PGconn *db, struct job *job, char *stage,
	    size_t stagelen);
/* Deletes the checkpoint (inside the persist transaction). 0 or -1. */
int	checkpoint_delete(PGconn *db, const struct job *job);

#endif
