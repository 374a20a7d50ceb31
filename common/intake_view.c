/*
 * Typed view of a normalised project context: the values the flow reads,
 * with their defaults, borrowed from the JSON object.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "intake.h"
#include "intake_internal.h"
#include "util.h"

static const json_t *
intake_view_lookup(const json_t *ctx, const char *section, const char *key)
{
	const json_t *sec = json_object_get(ctx, section);

	if (!json_is_object(sec))
		return NULL;
	return json_object_get(sec, key);
}

static int
intake_view_str(const json_t *ctx, const char *section, const char *key,
    const char **out)
{
	const json_t *v = intake_view_lookup(ctx, section, key);

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return -1;
	*out = json_string_value(v);
	return 0;
}

static int
intake_view_int(const json_t *ctx, const char *section, const char *key,
    int64_t *out)
{
	const json_t *v = intake_view_lookup(ctx, section, key);

	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_integer(v))
		return -1;
	*out = json_integer_value(v);
	return 0;
}

static int
intake_view_bool(const json_t *ctx, const char *section, const char *key,
    bool *out)
{
	const json_t *v = intake_view_lookup(ctx, section, key);

	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_boolean(v))
		return -1;
	*out = json_is_true(v);
	return 0;
}

static int
intake_view_list(const json_t *ctx, const char *section, const char *key,
    const char ***out, size_t *n)
{
	const json_t *v = intake_view_lookup(ctx, section, key), *item;
	size_t i;

	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return -1;
	*out = xcalloc(json_array_size(v), sizeof(**out));
	json_array_foreach(v, i, item) {
		if (!json_is_string(item))
			return -1;
		(*out)[i] = json_string_value(item);
		*n = i + 1;
	}
	return 0;
}

int
intake_view_get(const json_t *ctx, struct intake_view *v)
{
	size_t s;

	memset(v, 0, sizeof(*v));
	v->quantity = 1;
	v->budget_total_micros = -1;
	v->allow_alternates = true;
	v->max_lead_time_days = -1;
	if (!json_is_object(ctx))
		return -1;
	for (s = 0; s < INTAKE_NSECTIONS; s++) {
		const json_t *sec = json_object_get(ctx, intake_sections[s]);

		if (sec != NULL && !json_is_null(sec) && !json_is_object(sec))
			return -1;
	}
	if (intake_view_str(ctx, "project", "name", &v->name) == -1 ||
	    intake_view_str(ctx, "project", "id", &v->project_id) == -1 ||
	    intake_view_str(ctx, "project", "owner", &v->owner) == -1 ||
	    intake_view_str(ctx, "requirements", "product_type",
	    &v->product_type) == -1 ||
	    intake_view_int(ctx, "requirements", "quantity",
	    &v->quantity) == -1 ||
	    intake_view_int(ctx, "requirements", "budget_total_micros",
	    &v->budget_total_micros) == -1 ||
	    intake_view_str(ctx, "requirements", "deadline",
	    &v->deadline) == -1 ||
	    intake_view_bool(ctx, "sourcing_constraints", "allow_brokers",
	    &v->allow_brokers) == -1 ||
	    intake_view_bool(ctx, "sourcing_constraints", "allow_alternates",
	    &v->allow_alternates) == -1 ||
	    intake_view_int(ctx, "sourcing_constraints", "max_lead_time_days",
	    &v->max_lead_time_days) == -1 ||
	    intake_view_list(ctx, "sourcing_constraints",
	    "preferred_distributors", &v->preferred, &v->npreferred) == -1 ||
	    intake_view_str(ctx, "engineering_context", "notes",
	    &v->notes) == -1 ||
	    intake_view_list(ctx, "engineering_context", "critical_parts",
	    &v->critical, &v->ncritical) == -1 ||
	    intake_view_list(ctx, "engineering_context", "avoid_parts",
	    &v->avoid, &v->navoid) == -1)
		return -1;
	if (v->quantity < 1 || v->budget_total_micros < -1 ||
	    v->max_lead_time_days < -1)
		return -1;
	return 0;
}

void
intake_view_free(struct intake_view *v)
{
	if (v == NULL)
		return;
	free(v->preferred);
	free(v->avoid);
	free(v->critical);
	v->preferred = v->avoid = v->critical = NULL;
	v->npreferred = v->navoid = v->ncritical = 0;
}
