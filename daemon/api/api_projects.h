/*
 * Project routes: list, detail, trace, strategies and delete (the
 * submissions are api_submit.c's).
 */
#ifndef BOMD_API_PROJECTS_H
#define BOMD_API_PROJECTS_H

#include <jansson.h>

#include "api_db.h"
#include "api_route.h"

/* One trace step object: element t.x of a project's trace document. */
#define API_PROJECTS_TRACE_KEYS \
	"'step', COALESCE(t.x->>'step', ''), " \
	"'agent', COALESCE(t.x->>'agent', ''), " \
	"'message', COALESCE(t.x->>'message', ''), " \
	"'reasoning', COALESCE(t.x->>'reasoning', ''), " \
	"'references', COALESCE(t.x->'references', '[]'::json), " \
	"'timestamp', " API_TS("(t.x->>'timestamp')::timestamptz")
/*
 * A stored project's step: one about a line ("line") or about every line
 * ("lines": the decisions) keeps the key, for api_render_project() to
 * give it the line's words.
 */
#define API_PROJECTS_TRACE_STEP "CASE WHEN t.x->'line' IS NOT NULL " \
	"THEN json_build_object(" API_PROJECTS_TRACE_KEYS ", 'line', " \
	"t.x->'line') WHEN t.x->'lines' IS NOT NULL THEN json_build_object(" \
	API_PROJECTS_TRACE_KEYS ", 'lines', t.x->'lines') " \
	"ELSE json_build_object(" API_PROJECTS_TRACE_KEYS ") END"

/*
 * The line items of stored project project_id of client_id as
 * GET /projects/{id} answers them (rendered, or from the cache): a new
 * reference, or NULL when there is no such project or on trouble.
 */
json_t	*api_projects_items(const char *client_id,
	    const char *project_id);

/* Handlers of api_routes[] (api_route.c). */
api_route_fn	api_projects_list, api_projects_get, api_projects_delete,
    api_projects_trace, api_projects_strategies;

#endif
