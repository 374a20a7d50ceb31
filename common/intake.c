/*
 * Project context intake: the job's JSON, the form fields and (through
 * intake_yaml.c) the YAML file are all checked against one table of fields
 * and normalised into the JSON object stored as a project's context.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "intake.h"
#include "intake_internal.h"
#include "util.h"

const char *const intake_sections[INTAKE_NSECTIONS] = {
	"project",
	"requirements",
	"compliance",
	"sourcing_constraints",
	"engineering_context",
};

/* The original service's product types (its ProductType enum). */
static const char *const intake_product_types[] = {
	"consumer", "industrial", "medical", "automotive", "aerospace", NULL
};

/*
 * The fields and their defaults where the intake is silent; the original
 * service's defaults except quality_class and product_type (null here,
 * shown as "IPC Class 2" and "consumer" by bomd_project_context()).
 */
static const struct intake_field intake_fields[] = {
	{ "project", "name", "project_name", INTAKE_STR, 0, INTAKE_MAX_NAME,
	    0, NULL, NULL },
	{ "project", "id", "project_id", INTAKE_STR, 0, INTAKE_MAX_NAME, 0,
	    NULL, NULL },
	{ "project", "owner", "owner", INTAKE_STR, 0, INTAKE_MAX_NAME, 0,
	    NULL, NULL },
	{ "project", "engineering_contact", "engineering_contact",
	    INTAKE_STR, 0, INTAKE_MAX_NAME, 0, NULL, NULL },
	{ "requirements", "product_type", "product_type", INTAKE_WORD, 0, 0,
	    0, intake_product_types, NULL },
	{ "requirements", "quantity", "quantity", INTAKE_INT, 1,
	    INTAKE_MAX_QUANTITY, 1, NULL, NULL },
	{ "requirements", "deadline", "deadline", INTAKE_DATE, 0, 0, 0, NULL,
	    NULL },
	{ "requirements", "budget_total", "budget_total", INTAKE_MONEY, 0, 0,
	    0, NULL, NULL },
	{ "compliance", "standards", "compliance_standards", INTAKE_LIST, 0,
	    0, 0, NULL, NULL },
	{ "compliance", "quality_class", "quality_class", INTAKE_STR, 0,
	    INTAKE_MAX_NAME, 0, NULL, NULL },
	{ "compliance", "country_of_origin_restrictions",
	    "country_of_origin_restrictions", INTAKE_LIST, 0, 0, 0, NULL,
	    NULL },
	{ "sourcing_constraints", "allow_brokers", "allow_brokers",
	    INTAKE_BOOL, 0, 0, 0, NULL, NULL },
	{ "sourcing_constraints", "allow_alternates", "allow_alternates",
	    INTAKE_BOOL, 0, 0, 1, NULL, NULL },
	{ "sourcing_constraints", "single_source_ok", "single_source_ok",
	    INTAKE_BOOL, 0, 0, 0, NULL, NULL },
	{ "sourcing_constraints", "preferred_distributors",
	    "preferred_distributors", INTAKE_LIST, 0, 0, 0, NULL, NULL },
	{ "sourcing_constraints", "max_lead_time_days", "max_lead_time_days",
	    INTAKE_INT, 0, INTAKE_MAX_LEAD_DAYS, INTAKE_DEFAULT_LEAD_DAYS,
	    NULL, NULL },
	{ "engineering_context", "notes", "engineering_notes", INTAKE_STR, 0,
	    INTAKE_MAX_NOTES, 0, NULL, "notes" },
	{ "engineering_context", "critical_parts", "critical_parts",
	    INTAKE_LIST, 0, 0, 0, NULL, NULL },
	{ "engineering_context", "preferred_manufacturers", NULL,
	    INTAKE_MAKERS, 0, 0, 0, NULL, NULL },
	{ "engineering_context", "avoid_parts", "avoid_parts", INTAKE_AVOID,
	    0, 0, 0, NULL, NULL },
};
#define INTAKE_NFIELDS (sizeof(intake_fields) / sizeof(intake_fields[0]))

void
intake_quote(const char *s, size_t len, char *out, size_t outlen)
{
	size_t i, n;

	n = len < outlen - 1 ? len : outlen - 1;
	if (n > INTAKE_QUOTE_MAX)
		n = INTAKE_QUOTE_MAX;
	n = utf8_prefix(s, n);
	for (i = 0; i < n; i++)
		out[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ?
		    '?' : s[i];
	out[n] = '\0';
}

/*
 * Warns that key, of section (NULL: at the top), is ignored; past
 * INTAKE_MAX_WARNINGS warnings, once that more are.
 */
static void
intake_warn_unknown(struct intake_norm *n, const char *key,
    const char *section)
{
	char q[INTAKE_QUOTE_MAX + 1], msg[256];
	size_t count;

	if (n->warnings == NULL)
		return;
	count = json_array_size(n->warnings);
	if (count > INTAKE_MAX_WARNINGS)
		return;
	if (count == INTAKE_MAX_WARNINGS) {
		json_array_append_new(n->warnings,
		    json_string("more unknown keys ignored"));
		return;
	}
	intake_quote(key, strlen(key), q, sizeof(q));
	if (section == NULL)
		err_printf(msg, sizeof(msg), "unknown key '%s' ignored", q);
	else
		err_printf(msg, sizeof(msg), "unknown key '%s' in %s ignored",
		    q, section);
	json_array_append_new(n->warnings, json_string(msg));
}

static void
intake_fname(const struct intake_norm *n, const struct intake_field *f,
    char *out, size_t len)
{
	if (n->form && f->form != NULL)
		snprintf(out, len, "%s", f->form);
	else
		snprintf(out, len, "%s.%s", f->section, f->key);
}

/* The table's field section.key, or NULL. */
static const struct intake_field *
intake_field_find(const char *section, const char *key)
{
	size_t i;

	for (i = 0; i < INTAKE_NFIELDS; i++)
		if (strcmp(intake_fields[i].section, section) == 0 &&
		    strcmp(intake_fields[i].key, key) == 0)
			return &intake_fields[i];
	return NULL;
}

static json_t *
intake_norm_compliance(struct intake_norm *n, const json_t *v)
{
	char qkey[INTAKE_QUOTE_MAX + 1], fname[INTAKE_QUOTE_MAX + 16];
	const char *key, *s;
	const json_t *val;
	json_t *out, *nv;
	size_t len;

	out = json_object();
	if (v == NULL || json_is_null(v))
		return out;
	if (!json_is_object(v)) {
		err_printf(n->err, n->errlen,
		    "compliance: expected a mapping");
		goto fail;
	}
	if (json_object_size(v) > INTAKE_MAX_COMPLIANCE) {
		err_printf(n->err, n->errlen,
		    "compliance: more than %d keys", INTAKE_MAX_COMPLIANCE);
		goto fail;
	}
	json_object_foreach((json_t *)v, key, val) {
		intake_quote(key, strlen(key), qkey, sizeof(qkey));
		snprintf(fname, sizeof(fname), "compliance.%s", qkey);
		if (strlen(key) > INTAKE_MAX_CKEY) {
			err_printf(n->err, n->errlen,
			    "compliance: key '%s...' longer than %d bytes",
			    qkey, INTAKE_MAX_CKEY);
			goto fail;
		}
		/* standards and the like: normalised by their table rows */
		if (json_is_null(val) ||
		    intake_field_find("compliance", key) != NULL)
			continue;
		if (json_is_boolean(val) || json_is_number(val))
			nv = json_deep_copy(val);
		else if (json_is_string(val)) {
			if (intake_trim(val, &s, &len) == -1 ||
			    len > INTAKE_MAX_NAME) {
				err_printf(n->err, n->errlen,
				    "%s: expected a string of at most %d "
				    "bytes", fname, INTAKE_MAX_NAME);
				goto fail;
			}
			nv = json_stringn(s, len);
		} else {
			err_printf(n->err, n->errlen,
			    "%s: expected a boolean or a string", fname);
			goto fail;
		}
		json_object_set_new(out, key, nv);
	}
	return out;
fail:
	json_decref(out);
	return NULL;
}

static bool
intake_known(const char *section, const char *key)
{
	/* written by us beside budget_total and avoid_parts: no warning */
	if ((strcmp(section, "requirements") == 0 &&
	    strcmp(key, "budget_total_micros") == 0) ||
	    (strcmp(section, "engineering_context") == 0 &&
	    strcmp(key, "avoid_reasons") == 0))
		return true;
	return intake_field_find(section, key) != NULL;
}

/* Checks the sections of in and warns about unknown keys. */
static int
intake_check_keys(struct intake_norm *n, const json_t *in)
{
	const char *key, *k2;
	const json_t *sec, *v2;
	size_t i;

	json_object_foreach((json_t *)in, key, sec) {
		for (i = 0; i < INTAKE_NSECTIONS; i++)
			if (strcmp(intake_sections[i], key) == 0)
				break;
		if (i == INTAKE_NSECTIONS) {
			intake_warn_unknown(n, key, NULL);
			continue;
		}
		if (sec != NULL && !json_is_null(sec) &&
		    !json_is_object(sec)) {
			err_printf(n->err, n->errlen,
			    "%s: expected a mapping", key);
			return -1;
		}
		if (strcmp(key, "compliance") == 0 || !json_is_object(sec))
			continue;
		json_object_foreach((json_t *)sec, k2, v2) {
			(void)v2;
			if (!intake_known(key, k2))
				intake_warn_unknown(n, k2, key);
		}
	}
	return 0;
}

static json_t *
intake_normalise(struct intake_norm *n, const json_t *in)
{
	char fname[64];
	const struct intake_field *f;
	const json_t *insec, *v, *vm;
	json_t *out = NULL, *sec[INTAKE_NSECTIONS], *nv, *reasons;
	int64_t iv;
	bool bv, null;
	size_t i, s;

	if (in != NULL && json_is_null(in))
		in = NULL;
	if (in != NULL && !json_is_object(in)) {
		err_printf(n->err, n->errlen,
		    "intake: top level must be a mapping");
		goto fail;
	}
	if (in != NULL && intake_check_keys(n, in) == -1)
		goto fail;

	out = json_object();
	for (s = 0; s < INTAKE_NSECTIONS; s++) {
		if (strcmp(intake_sections[s], "compliance") == 0) {
			insec = in ? json_object_get(in, "compliance") : NULL;
			if ((sec[s] = intake_norm_compliance(n, insec)) ==
			    NULL)
				goto fail;
		} else
			sec[s] = json_object();
		json_object_set_new(out, intake_sections[s], sec[s]);
	}

	for (i = 0; i < INTAKE_NFIELDS; i++) {
		f = &intake_fields[i];
		for (s = 0; s < INTAKE_NSECTIONS; s++)
			if (strcmp(intake_sections[s], f->section) == 0)
				break;
		insec = in ? json_object_get(in, f->section) : NULL;
		v = json_is_object(insec) ? json_object_get(insec, f->key) :
		    NULL;
		intake_fname(n, f, fname, sizeof(fname));
		switch (f->type) {
		case INTAKE_STR:
			nv = intake_norm_str(n, fname, v, (size_t)f->max);
			break;
		case INTAKE_INT:
			if (intake_norm_int(n, fname, v, f, &iv, &null) == -1)
				goto fail;
			nv = null ? json_null() : json_integer(iv);
			break;
		case INTAKE_BOOL:
			if (intake_norm_bool(n, fname, v, f->def == 1,
			    &bv) == -1)
				goto fail;
			nv = json_boolean(bv);
			break;
		case INTAKE_DATE:
			nv = intake_norm_date(n, fname, v);
			break;
		case INTAKE_MONEY:
			vm = json_is_object(insec) ?
			    json_object_get(insec, "budget_total_micros") :
			    NULL;
			if (json_is_integer(vm) &&
			    json_integer_value(vm) >= 0 && (intake_absent(v) ||
			    intake_money_written(v, json_integer_value(vm))))
				iv = json_integer_value(vm);
			else if (intake_norm_money(n, fname, v, &iv) == -1)
				goto fail;
			if (iv < 0)
				nv = json_null();
			else if (iv % MICROS_PER_UNIT == 0)
				nv = json_integer(iv / MICROS_PER_UNIT);
			else
				nv = json_real(money_to_double(iv));
			json_object_set_new(sec[s], "budget_total", nv);
			nv = iv < 0 ? json_null() : json_integer(iv);
			json_object_set_new(sec[s], "budget_total_micros", nv);
			continue;
		case INTAKE_LIST:
			nv = intake_norm_list(n, fname, v);
			break;
		case INTAKE_WORD:
			nv = intake_sheet_word(n, fname, v, f->words);
			break;
		case INTAKE_MAKERS:
			nv = intake_sheet_makers(n, fname, v);
			break;
		case INTAKE_AVOID:
			if (intake_sheet_avoid(n, fname, v,
			    json_is_object(insec) ? json_object_get(insec,
			    "avoid_reasons") : NULL, &nv, &reasons) == -1)
				goto fail;
			json_object_set_new(sec[s], "avoid_reasons", reasons);
			break;
		default:
			nv = NULL;
			break;
		}
		if (nv == NULL)
			goto fail;
		json_object_set_new(sec[s], f->key, nv);
	}
	return out;
fail:
	json_decref(out);
	return NULL;
}

static json_t *
intake_run(const json_t *in, bool form, json_t **warnings, char *err,
    size_t errlen)
{
	struct intake_norm n;
	json_t *out;

	memset(&n, 0, sizeof(n));
	n.form = form;
	n.err = err;
	n.errlen = errlen;
	if (warnings != NULL) {
		*warnings = NULL;
		n.warnings = json_array();
	}
	if ((out = intake_normalise(&n, in)) == NULL) {
		json_decref(n.warnings);
		return NULL;
	}
	if (warnings != NULL)
		*warnings = n.warnings;
	return out;
}

json_t *
intake_from_json(const json_t *in, json_t **warnings, char *err,
    size_t errlen)
{
	return intake_run(in, false, warnings, err, errlen);
}

json_t *
intake_from_form(const char *(*get)(void *ctx, const char *name), void *ctx,
    json_t **warnings, char *err, size_t errlen)
{
	const struct intake_field *f;
	const char *val;
	json_t *in, *sec, *out = NULL, *js;
	size_t i;

	if (warnings != NULL)
		*warnings = NULL;
	in = json_object();
	for (i = 0; i < INTAKE_NFIELDS; i++) {
		f = &intake_fields[i];
		if (f->form == NULL)
			continue;
		if (((val = get(ctx, f->form)) == NULL || *val == '\0') &&
		    (f->alias == NULL || (val = get(ctx, f->alias)) == NULL ||
		    *val == '\0'))
			continue;
		if ((js = json_string(val)) == NULL) {
			err_printf(err, errlen, "%s: not valid UTF-8",
			    f->form);
			goto out;
		}
		if ((sec = json_object_get(in, f->section)) == NULL) {
			sec = json_object();
			json_object_set_new(in, f->section, sec);
		}
		json_object_set_new(sec, f->key, js);
	}
	out = intake_run(in, true, warnings, err, errlen);
out:
	json_decref(in);
	return out;
}
