/*
 * GET /projects/{id}/events: a project's progress as Server-Sent Events.
 */
#ifndef BOMD_API_EVENTS_H
#define BOMD_API_EVENTS_H

#include "api_route.h"

/* Handlers of api_routes[] (api_route.c). */
api_route_fn	api_events_open;

#endif
