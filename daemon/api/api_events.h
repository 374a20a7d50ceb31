/*
 * GET /projects/{id}/events: a project's progress as Server-Sent Events.
 */
#ifndef BOMD_API_EVENTS_H
#define BOMD_API_EVENTS_H

#include "api_route.h"

extern const struct api_route api_events_routes[];

#endif
