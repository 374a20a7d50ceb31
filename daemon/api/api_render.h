/*
 * The words of decisions stored as numbers only, the per-agent decisions,
 * the strategies and the report, rendered when a project is read
 * (api_render.c).
 */
#ifndef BOMD_API_RENDER_H
#define BOMD_API_RENDER_H

#include <stddef.h>

#include <jansson.h>

/*
 * In doc, a project document (its stored context, totals, line_items,
 * trace): every line is decided again from basis (the project's stored
 * basis, len bytes; NULL when it has none): a final_decision without
 * reasoning gets the reasoning and output_data, every line its
 * engineering_decision, sourcing_decision and finance_decision (null in
 * doc until then), and doc its report (with the strategies). Trace steps
 * naming a line (key "line") take its reasoning and lose the key. 0, or
 * -1 when the basis is unusable.
 */
int	api_render_project(json_t *doc, const char *basis, size_t len);

/*
 * Appends to out what one stored trace step stands for, as a project's
 * trace shows it: a decisions marker (key "lines") becomes a step per
 * line and one per check that did not simply pass; a step about a line
 * (key "line") takes the line's reasoning when it has none and loses the
 * key. items: the project's line items as rendered. step is not changed.
 */
void	api_render_trace_step(json_t *out, json_t *step, json_t *items);

#endif
