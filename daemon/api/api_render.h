/*
 * The words of decisions stored as numbers only, rendered when a project
 * is read (api_render.c).
 */
#ifndef BOMD_API_RENDER_H
#define BOMD_API_RENDER_H

#include <stddef.h>

#include <jansson.h>

/*
 * In doc, a project document (context, line_items, trace): every line
 * whose final_decision has no reasoning is decided again from basis (the
 * project's stored basis, len bytes; NULL when it has none) for its
 * reasoning and output_data; trace steps naming a line (key "line") take
 * its reasoning and lose the key. 0, or -1 when the basis is unusable.
 */
int	api_render_project(json_t *doc, const char *basis, size_t len);

#endif
