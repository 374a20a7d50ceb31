/*
 * GET /metrics (Prometheus text) and the HTTP counters behind it: every
 * answer is counted by method, route pattern and status.
 */
#ifndef BOMD_API_METRICS_H
#define BOMD_API_METRICS_H

#include "api_route.h"

/* Handlers of api_routes[] (api_route.c). */
api_route_fn	api_metrics;

/* Names the route the calling thread serves now (NULL: unmatched). */
void	api_metrics_route(const char *method, const char *route);
/* Counts one answer with status under the calling thread's route. */
void	api_metrics_count(unsigned int status);

#endif
