/*
 * Project context ("intake"): the intake YAML file, the job's "intake" JSON
 * object and the POST /projects form fields, all validated and normalised
 * into one JSON object that is stored as the project's context.
 */
#ifndef BOMD_INTAKE_H
#define BOMD_INTAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define INTAKE_MAX_YAML		(256 * 1024)	/* bytes of YAML input */
#define INTAKE_MAX_DEPTH	16		/* nested mappings/sequences */
#define INTAKE_MAX_QUANTITY	10000000
#define INTAKE_MAX_LEAD_DAYS	3650
#define INTAKE_DEFAULT_LEAD_DAYS 30		/* the original's default */
#define INTAKE_MAX_ITEMS	1000		/* items in one list */
#define INTAKE_MAX_ITEM		128		/* bytes in one list item */
#define INTAKE_MAX_NAME		200		/* bytes in names and ids */
#define INTAKE_MAX_NOTES	65536		/* bytes of free text */
#define INTAKE_MAX_REASON	1024		/* bytes of an avoid reason */
#define INTAKE_MAX_COMPLIANCE	100		/* keys in compliance */
#define INTAKE_MAX_WARNINGS	100

/*
 * The normalised context is the intake YAML shape (the original service's
 * intake sheet) with every key present:
 *   project:              {name, id, owner, engineering_contact}
 *                                                       strings or null
 *   requirements:         {product_type (consumer, industrial, medical,
 *                          automotive or aerospace; null when unset),
 *                          quantity (default 1),
 *                          deadline ("YYYY-MM-DD" or null),
 *                          budget_total (number in currency units or null),
 *                          budget_total_micros (integer or null)}
 *   compliance:           {standards ([]), quality_class (string or null),
 *                          country_of_origin_restrictions ([]), and any
 *                          other key: boolean, string or number}
 *   sourcing_constraints: {allow_brokers (false), allow_alternates (true),
 *                          single_source_ok (false),
 *                          preferred_distributors ([]),
 *                          max_lead_time_days (INTAKE_DEFAULT_LEAD_DAYS)}
 *   engineering_context:  {notes (string or null), critical_parts ([]:
 *                          reference designators or MPNs),
 *                          preferred_manufacturers ({capacitors, resistors,
 *                          mcu, connectors: lists; other: {category:
 *                          list}}), avoid_parts ([] of MPNs; the input may
 *                          give {mpn, reason} objects), avoid_reasons
 *                          ({mpn: reason})}
 * Normalising a normalised context again gives the same object.
 *
 * All three constructors below return a new reference (caller
 * json_decref()s) or NULL with a one-line reason naming the field in err
 * ("requirements.quantity: expected a positive whole number ...").
 * When warnings is not NULL, *warnings receives a new JSON array of
 * strings (caller json_decref()s) on success, and NULL on failure; unknown
 * keys are ignored with a warning ("unknown key 'foo' in requirements
 * ignored").
 */

/*
 * Parses intake YAML text (at most INTAKE_MAX_YAML bytes, one document,
 * no anchors or aliases, nesting at most INTAKE_MAX_DEPTH). The top level
 * must be a mapping; an empty document gives the defaults.
 */
json_t	*intake_parse_yaml(const char *buf, size_t len, json_t **warnings,
	    char *err, size_t errlen);

/*
 * Applies the same rules to an already parsed JSON object of the same
 * shape (the Redis job's "intake" field). NULL or JSON null gives the
 * defaults. Booleans may also be the strings true/false/yes/no/on/off/1/0,
 * numbers may be numeric strings, lists may be comma-separated strings.
 */
json_t	*intake_from_json(const json_t *in, json_t **warnings, char *err,
	    size_t errlen);

/*
 * Builds the context from flat form fields (POST /projects, the original
 * service's names): project_name, project_id, owner, engineering_contact,
 * product_type, quantity, deadline, budget_total, compliance_standards,
 * quality_class, country_of_origin_restrictions, allow_brokers,
 * allow_alternates, single_source_ok, max_lead_time_days,
 * preferred_distributors, engineering_notes (or notes), critical_parts,
 * avoid_parts (lists comma separated). get(ctx, name) returns the
 * field's value or NULL; an empty value counts as absent. Errors name the
 * form field ("quantity: ...").
 */
json_t	*intake_from_form(const char *(*get)(void *ctx, const char *name),
	    void *ctx, json_t **warnings, char *err, size_t errlen);

/*
 * Typed view of a normalised context. Every string is borrowed from the
 * context and lives as long as it does; the pointer arrays are owned by
 * the view.
 */
struct intake_view {
	const char	 *name;			/* NULL when unset */
	const char	 *project_id;		/* NULL when unset */
	const char	 *owner;		/* NULL when unset */
	const char	 *product_type;		/* NULL when unset */
	int64_t		  quantity;		/* default 1 */
	int64_t		  budget_total_micros;	/* -1 = none */
	bool		  allow_brokers;	/* default false */
	bool		  allow_alternates;	/* default true */
	int64_t		  max_lead_time_days;	/* -1 = none */
	const char	**preferred;
	size_t		  npreferred;
	const char	**avoid;
	size_t		  navoid;
	const char	**critical;
	size_t		  ncritical;
	const char	 *deadline;		/* "YYYY-MM-DD" or NULL */
	const char	 *notes;		/* NULL when unset */
	bool		  single_source_ok;	/* default false */
	const char	**standards;		/* compliance.standards */
	size_t		  nstandards;
	/* compliance.country_of_origin_restrictions, without "none" */
	const char	**restricted;
	size_t		  nrestricted;
	/* a standard names RoHS, or compliance.rohs is true or "yes" */
	bool		  rohs_required;
	/* engineering_context.preferred_manufacturers, or NULL */
	const json_t	 *makers;
};

/*
 * Fills v from ctx (missing keys take their defaults). Returns 0, or -1
 * when ctx is not an object or a present value has the wrong type. v is
 * always left safe to pass to intake_view_free(), which the caller must
 * call in both cases.
 */
int	intake_view_get(const json_t *ctx, struct intake_view *v);
/* Frees the arrays of a view (not the borrowed strings); NULL is a no-op. */
void	intake_view_free(struct intake_view *v);

/* True when s is a valid calendar date written exactly "YYYY-MM-DD". */
bool	intake_date_valid(const char *s);
/* The days from 1970-01-01 to such a date into *days. 0, or -1 when s is
 * not one. */
int	intake_date_days(const char *s, int64_t *days);

#endif
