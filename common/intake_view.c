/*
 * Typed view of a normalised project context: the values the flow reads,
 * with their defaults, borrowed from the JSON object.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "intake.h"
#include "intake_internal.h"
#include "util.h"

enum intake_view_type {
	INTAKE_VIEW_STR,	/* const char * */
	INTAKE_VIEW_INT,	/* int64_t */
	INTAKE_VIEW_BOOL,	/* bool */
	INTAKE_VIEW_LIST,	/* const char ** and a size_t count */
	INTAKE_VIEW_OBJECT	/* const json_t *, an object */
};

#define INTAKE_VIEW_AT(m)	offsetof(struct intake_view, m)
/* A member's type says how its value is read: a row cannot disagree. */
#define INTAKE_VIEW_TYPE(m) _Generic(((struct intake_view *)NULL)->m,	\
	const char *: INTAKE_VIEW_STR,					\
	int64_t: INTAKE_VIEW_INT,					\
	bool: INTAKE_VIEW_BOOL,						\
	const char **: INTAKE_VIEW_LIST,				\
	const json_t *: INTAKE_VIEW_OBJECT)

/*
 * A row: the value at key in section goes in member m. INTAKE_VIEW_KEY:
 * the key is the member's name. INTAKE_VIEW_LIST_AS: a list, its count in
 * the member n<m>.
 */
#define INTAKE_VIEW_AS(sec, key, m) \
	{ #sec, #key, INTAKE_VIEW_TYPE(m), INTAKE_VIEW_AT(m), 0 }
#define INTAKE_VIEW_KEY(sec, m)	INTAKE_VIEW_AS(sec, m, m)
#define INTAKE_VIEW_LIST_AS(sec, key, m) \
	{ #sec, #key, INTAKE_VIEW_TYPE(m), INTAKE_VIEW_AT(m), \
	    INTAKE_VIEW_AT(n##m) }

/* Where each value of a context goes in the view, in the order read. */
static const struct intake_view_field {
	const char		*section;
	const char		*key;
	enum intake_view_type	 type;
	size_t			 off;	/* of the value in the view */
	size_t			 noff;	/* LIST: of the count */
} intake_view_fields[] = {
	INTAKE_VIEW_KEY(project, name),
	INTAKE_VIEW_AS(project, id, project_id),
	INTAKE_VIEW_KEY(project, owner),
	INTAKE_VIEW_KEY(requirements, product_type),
	INTAKE_VIEW_KEY(requirements, quantity),
	INTAKE_VIEW_KEY(requirements, budget_total_micros),
	INTAKE_VIEW_KEY(requirements, deadline),
	INTAKE_VIEW_KEY(sourcing_constraints, allow_brokers),
	INTAKE_VIEW_KEY(sourcing_constraints, allow_alternates),
	INTAKE_VIEW_KEY(sourcing_constraints, max_lead_time_days),
	INTAKE_VIEW_LIST_AS(sourcing_constraints, preferred_distributors,
	    preferred),
	INTAKE_VIEW_KEY(engineering_context, notes),
	INTAKE_VIEW_LIST_AS(engineering_context, critical_parts, critical),
	INTAKE_VIEW_LIST_AS(engineering_context, avoid_parts, avoid),
	INTAKE_VIEW_KEY(sourcing_constraints, single_source_ok),
	INTAKE_VIEW_LIST_AS(compliance, standards, standards),
	INTAKE_VIEW_LIST_AS(compliance, country_of_origin_restrictions,
	    restricted),
	INTAKE_VIEW_AS(engineering_context, preferred_manufacturers, makers),
};

/*
 * Copies the value f names from ctx into view; a missing or null value
 * leaves the default. -1 when the value has another type.
 */
static int
intake_view_read(const json_t *ctx, const struct intake_view_field *f,
    struct intake_view *view)
{
	const json_t *sec = json_object_get(ctx, f->section), *v, *item;
	void *p = (char *)view + f->off;
	const char **list;
	size_t i;

	v = json_is_object(sec) ? json_object_get(sec, f->key) : NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	switch (f->type) {
	case INTAKE_VIEW_STR:
		if (!json_is_string(v))
			return -1;
		*(const char **)p = json_string_value(v);
		return 0;
	case INTAKE_VIEW_INT:
		if (!json_is_integer(v))
			return -1;
		*(int64_t *)p = json_integer_value(v);
		return 0;
	case INTAKE_VIEW_BOOL:
		if (!json_is_boolean(v))
			return -1;
		*(bool *)p = json_is_true(v);
		return 0;
	case INTAKE_VIEW_LIST:
		if (!json_is_array(v))
			return -1;
		list = xcalloc(json_array_size(v), sizeof(*list));
		*(const char ***)p = list;	/* the view owns it now */
		json_array_foreach(v, i, item) {
			if (!json_is_string(item))
				return -1;
			list[i] = json_string_value(item);
			*(size_t *)(void *)((char *)view + f->noff) = i + 1;
		}
		return 0;
	case INTAKE_VIEW_OBJECT:
		if (!json_is_object(v))
			return -1;
		*(const json_t **)p = v;
		return 0;
	}
	return -1;
}

/*
 * The compliance the checks read: RoHS required (a standard naming it, or
 * compliance.rohs true or "yes"), and the country restrictions without
 * the "none" the original's intake sheet writes.
 */
static void
intake_view_compliance(const json_t *ctx, struct intake_view *v)
{
	const json_t *rohs;
	const char *s;
	size_t i, n;

	for (i = 0; i < v->nstandards; i++)
		for (s = v->standards[i]; *s != '\0'; s++)
			if (strncasecmp(s, "rohs", 4) == 0)
				v->rohs_required = true;
	rohs = json_object_get(json_object_get(ctx, "compliance"), "rohs");
	if (json_is_true(rohs) || (json_is_string(rohs) &&
	    (strcasecmp(json_string_value(rohs), "yes") == 0 ||
	    strcasecmp(json_string_value(rohs), "true") == 0 ||
	    strcasecmp(json_string_value(rohs), "required") == 0)))
		v->rohs_required = true;
	for (i = n = 0; i < v->nrestricted; i++) {
		s = v->restricted[i];
		if (s[0] != '\0' && strcasecmp(s, "none") != 0 &&
		    strcasecmp(s, "n/a") != 0)
			v->restricted[n++] = s;
	}
	v->nrestricted = n;
}

int
intake_view_get(const json_t *ctx, struct intake_view *v)
{
	size_t i, s;

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
	for (i = 0; i < sizeof(intake_view_fields) /
	    sizeof(intake_view_fields[0]); i++)
		if (intake_view_read(ctx, &intake_view_fields[i], v) == -1)
			return -1;
	if (v->quantity < 1 || v->budget_total_micros < -1 ||
	    v->max_lead_time_days < -1)
		return -1;
	intake_view_compliance(ctx, v);
	return 0;
}

/* The lists are the view's own: the table says which fields they are. */
void
intake_view_free(struct intake_view *v)
{
	const struct intake_view_field *f;
	const char ***list;
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < sizeof(intake_view_fields) /
	    sizeof(intake_view_fields[0]); i++) {
		f = &intake_view_fields[i];
		if (f->type != INTAKE_VIEW_LIST)
			continue;
		list = (const char ***)(void *)((char *)v + f->off);
		free(*list);
		*list = NULL;
		*(size_t *)(void *)((char *)v + f->noff) = 0;
	}
}

int
intake_date_days(const char *s, int64_t *days)
{
	int64_t y, m, d, era, yoe, doy, doe;

	if (!intake_date_valid(s))
		return -1;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	    (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	/* days from civil, proleptic Gregorian (H. Hinnant's algorithm) */
	y -= m <= 2;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	*days = era * 146097 + doe - 719468;
	return 0;
}
