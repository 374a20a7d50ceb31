/*
 * Job routes: a job's state, the client's jobs by state, and a retry.
 */
#ifndef BOMD_API_JOBS_H
#define BOMD_API_JOBS_H

#include "api_route.h"

extern const struct api_route api_jobs_routes[];

#endif
