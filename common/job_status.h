/*
 * The states of a job (table jobs, GET /jobs/{id}): queued, running, then
 * one of the final states complete, failed or dead.
 */
#ifndef BOMD_JOB_STATUS_H
#define BOMD_JOB_STATUS_H

#include <stdbool.h>

/* The final states as an SQL list, for "status IN " JOB_FINAL_SQL. */
#define JOB_FINAL_SQL	"('complete', 'failed', 'dead')"

/* Every state, NULL-terminated, in lifecycle order. */
extern const char *const job_statuses[];

/* True for complete, failed and dead. */
bool	job_status_final(const char *status);
/* True for any state in job_statuses. */
bool	job_status_valid(const char *status);

#endif
