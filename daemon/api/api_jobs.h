/*
 * Job routes: a job's state, the client's jobs by state, and a retry.
 */
#ifndef BOMD_API_JOBS_H
#define BOMD_API_JOBS_H

#include "api_route.h"

/* Handlers of api_routes[] (api_route.c). */
api_route_fn	api_jobs_list, api_jobs_get, api_jobs_retry;

#endif
