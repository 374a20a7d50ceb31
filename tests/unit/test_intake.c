/*
 * Unit tests for common/intake.c: intake YAML, job JSON and form fields
 * normalised into the project context, with every limit and bad value.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fixture_cases.h"
#include "fixture_file.h"
#include "intake.h"
#include "unit.h"
#include "util.h"

#define NROWS(a)	(sizeof(a) / sizeof((a)[0]))
/* A table row that must fail with an error containing e. */
#define BAD(e)		.ok = 0, .err = (e)
#define E_QTY		"requirements.quantity: expected a positive whole " \
			    "number"

/* A fixture parsed as intake YAML, with nwarn warnings into *warn. */
static json_t *
parse_fixture(const char *name, json_t **warn, size_t nwarn)
{
	char err[256];
	char *text;
	json_t *ctx;
	size_t len;

	text = fixture_file("intake", name, &len);
	ctx = intake_parse_yaml(text, len, warn, err, sizeof(err));
	free(text);
	if (ctx == NULL)
		fail_msg("%s: %s", name, err);
	assert_int_equal(json_array_size(*warn), nwarn);
	return ctx;
}

/* Normalising the normalised ctx changes nothing and warns of nothing. */
static void
check_round_trip(json_t *ctx)
{
	json_t *again, *warn;
	char err[256];

	again = intake_from_json(ctx, &warn, err, sizeof(err));
	assert_non_null(again);
	assert_true(json_equal(again, ctx));
	assert_int_equal(json_array_size(warn), 0);
	json_decref(again);
	json_decref(warn);
}

/*
 * Checks how row i (input in, for messages) came out: when want_err is
 * NULL, that ctx was made (true: check what it holds); otherwise that
 * nothing was made, nor warnings, and that err contains want_err (false).
 */
static bool
row_accepted(size_t i, const char *in, const json_t *ctx, const json_t *warn,
    const char *err, const char *want_err)
{
	if (want_err != NULL) {
		if (ctx != NULL)
			fail_msg("row %zu: accepted %s", i, in);
		assert_null(warn);
		if (strstr(err, want_err) == NULL)
			fail_msg("row %zu: error '%s', want '%s'", i, err,
			    want_err);
		return false;
	}
	if (ctx == NULL)
		fail_msg("row %zu: rejected: %s", i, err);
	return true;
}

static const json_t *
path_get(const json_t *ctx, const char *section, const char *key)
{
	return json_object_get(json_object_get(ctx, section), key);
}

static int64_t
path_int(const json_t *ctx, const char *section, const char *key)
{
	const json_t *v = path_get(ctx, section, key);

	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

/* What an int member of a case holds when the case does not give it. */
#define CASE_NONE	INT64_MIN

/*
 * A case of intake_yaml.json: its text, in "yaml" or in the file of
 * tests/fixtures/intake that "file" names, and either the "error" it is
 * refused with or what check_yaml_accepted() finds in it.
 */
struct yaml_case {
	const char	*why, *yaml, *file, *error;
	json_int_t	 quantity, npreferred, navoid, nwarnings;
	int		 brokers, alternates;
};

/*
 * Case i of cases into c: yaml or file, not both, and an error or all of
 * what check_yaml_accepted() checks, not both. Fails the test on anything
 * else.
 */
static void
yaml_case_get(const json_t *cases, size_t i, struct yaml_case *c)
{
	int accepted;

	memset(c, 0, sizeof(*c));
	c->quantity = c->npreferred = c->navoid = c->nwarnings = CASE_NONE;
	c->brokers = c->alternates = -1;
	fixture_case_unpack(cases, i, "{s?s, s?s, s?s, s?s, s?I, s?b, s?b, "
	    "s?I, s?I, s?I}", "why", &c->why, "yaml", &c->yaml,
	    "file", &c->file, "error", &c->error, "quantity", &c->quantity,
	    "allow_brokers", &c->brokers, "allow_alternates", &c->alternates,
	    "npreferred", &c->npreferred, "navoid", &c->navoid,
	    "nwarnings", &c->nwarnings);
	if ((c->yaml == NULL) == (c->file == NULL))
		fail_msg("case %zu: want yaml or file", i);
	accepted = (c->quantity != CASE_NONE) + (c->brokers != -1) +
	    (c->alternates != -1) + (c->npreferred != CASE_NONE) +
	    (c->navoid != CASE_NONE) + (c->nwarnings != CASE_NONE);
	if (c->error != NULL ? accepted != 0 : accepted != 6)
		fail_msg("case %zu: want an error, or quantity, "
		    "allow_brokers, allow_alternates, npreferred, navoid and "
		    "nwarnings", i);
}

/*
 * What accepted YAML case c (row i) says of the ctx and warnings made of
 * it: this quantity, these booleans, this many distributors, parts to
 * avoid and warnings.
 */
static void
check_yaml_accepted(size_t i, const struct yaml_case *c, const json_t *ctx,
    const json_t *warn)
{
	assert_int_equal(path_int(ctx, "requirements", "quantity"),
	    c->quantity);
	assert_int_equal(json_is_true(path_get(ctx, "sourcing_constraints",
	    "allow_brokers")), c->brokers);
	assert_int_equal(json_is_true(path_get(ctx, "sourcing_constraints",
	    "allow_alternates")), c->alternates);
	assert_int_equal(json_array_size(path_get(ctx,
	    "sourcing_constraints", "preferred_distributors")), c->npreferred);
	assert_int_equal(json_array_size(path_get(ctx,
	    "engineering_context", "avoid_parts")), c->navoid);
	assert_non_null(warn);
	if (json_array_size(warn) != (size_t)c->nwarnings)
		fail_msg("row %zu: %zu warnings, want %zu", i,
		    json_array_size(warn), (size_t)c->nwarnings);
}

/*
 * The cases of tests/fixtures/cases/intake_yaml.json: a text refused with
 * an error containing "error", or accepted as check_yaml_accepted() checks.
 */
UNIT_TEST(test_yaml_table)
{
	struct yaml_case c;
	json_t *cases, *ctx, *warn;
	const char *text;
	char err[256], *file_text;
	size_t i, len;

	cases = fixture_cases("intake_yaml");
	for (i = 0; i < json_array_size(cases); i++) {
		yaml_case_get(cases, i, &c);
		if (c.why != NULL)
			print_message("case %zu: %s\n", i, c.why);
		file_text = NULL;
		if ((text = c.yaml) != NULL)
			len = strlen(text);
		else
			text = file_text = fixture_file("intake", c.file, &len);
		err[0] = '\0';
		warn = (json_t *)1;
		ctx = intake_parse_yaml(text, len, &warn, err, sizeof(err));
		free(file_text);
		if (row_accepted(i, c.yaml != NULL ? c.yaml : c.file, ctx,
		    warn, err, c.error))
			check_yaml_accepted(i, &c, ctx, warn);
		json_decref(warn);
		json_decref(ctx);
	}
	json_decref(cases);
}

UNIT_TEST(test_yaml_full_fixture)
{
	json_t *ctx, *warn, *want;
	const json_t *pref;

	ctx = parse_fixture("full.yaml", &warn, 0);
	want = json_loads("{"
	    "\"project\": {\"name\": \"Sensor board rev C\", \"id\": \"SB-C\","
	    " \"owner\": \"ana@example.com\", \"engineering_contact\": null},"
	    "\"requirements\": {\"product_type\": \"industrial\","
	    " \"quantity\": 25, \"deadline\": \"2027-01-15\","
	    " \"budget_total\": 5000, \"budget_total_micros\": 5000000000},"
	    "\"compliance\": {\"rohs\": true, \"reach\": true,"
	    " \"itar\": false, \"standards\": [], \"quality_class\": null,"
	    " \"country_of_origin_restrictions\": []},"
	    "\"sourcing_constraints\": {\"allow_brokers\": false,"
	    " \"allow_alternates\": true, \"single_source_ok\": false,"
	    " \"preferred_distributors\": [\"digikey\", \"mouser\"],"
	    " \"max_lead_time_days\": 28},"
	    "\"engineering_context\": {\"notes\": \"...\","
	    " \"critical_parts\": [\"STM32F103C8T6\"],"
	    " \"preferred_manufacturers\": {\"capacitors\": [],"
	    " \"resistors\": [], \"mcu\": [], \"connectors\": [],"
	    " \"other\": {}},"
	    " \"avoid_parts\": [\"LM358DR\"], \"avoid_reasons\": {}}}", 0,
	    NULL);
	assert_non_null(want);
	assert_true(json_equal(ctx, want));
	pref = path_get(ctx, "sourcing_constraints", "preferred_distributors");
	assert_string_equal(json_string_value(json_array_get(pref, 1)),
	    "mouser");

	check_round_trip(ctx);
	json_decref(want);
	json_decref(warn);
	json_decref(ctx);
}

/*
 * The original service's own intake sheet: standards as a list, avoid_parts
 * as {mpn, reason}, preferred manufacturers by category, designators as
 * critical parts; read again, nothing changes.
 */
UNIT_TEST(test_yaml_original_fixture)
{
	json_t *ctx, *warn, *want;
	struct intake_view v;

	ctx = parse_fixture("original.yaml", &warn, 0);
	want = json_loads("{\"standards\": [\"RoHS\", \"IEC 60601-1\", "
	    "\"ISO 13485\", \"FDA Class II\"], \"quality_class\": "
	    "\"IPC Class 3\", \"country_of_origin_restrictions\": "
	    "[\"none\"]}", 0, NULL);
	assert_true(json_equal(json_object_get(ctx, "compliance"), want));
	json_decref(want);
	assert_string_equal(json_string_value(path_get(ctx, "project",
	    "engineering_contact")), "david.park@neurolink.bio");
	assert_string_equal(json_string_value(path_get(ctx, "requirements",
	    "product_type")), "medical");
	assert_string_equal(json_string_value(json_array_get(path_get(ctx,
	    "engineering_context", "critical_parts"), 5)), "J2");
	want = json_loads("[\"Harwin\", \"Amphenol\", \"Hirose\"]", 0, NULL);
	assert_true(json_equal(json_object_get(path_get(ctx,
	    "engineering_context", "preferred_manufacturers"), "connectors"),
	    want));
	json_decref(want);
	want = json_loads("[\"ADS1298\", \"STM32F4\"]", 0, NULL);
	assert_true(json_equal(path_get(ctx, "engineering_context",
	    "avoid_parts"), want));
	json_decref(want);
	assert_string_equal(json_string_value(json_object_get(path_get(ctx,
	    "engineering_context", "avoid_reasons"), "STM32F4")),
	    "Insufficient processing power for real-time DSP");
	assert_int_equal(intake_view_get(ctx, &v), 0);
	assert_int_equal(v.navoid, 2);
	assert_int_equal(v.max_lead_time_days, 21);
	intake_view_free(&v);

	check_round_trip(ctx);
	json_decref(warn);
	json_decref(ctx);
}

UNIT_TEST(test_yaml_block_fixture)
{
	struct intake_view v;
	json_t *ctx, *warn;

	ctx = parse_fixture("block.yaml", &warn, 2);
	assert_string_equal(json_string_value(json_array_get(warn, 0)),
	    "unknown key 'colour' in project ignored");
	assert_string_equal(json_string_value(json_array_get(warn, 1)),
	    "unknown key 'reviewers' ignored");
	assert_int_equal(path_int(ctx, "requirements", "budget_total_micros"),
	    INT64_C(12345670000));
	assert_true(json_is_real(path_get(ctx, "requirements",
	    "budget_total")));
	assert_true(json_is_true(path_get(ctx, "compliance", "rohs")));
	assert_string_equal(json_string_value(path_get(ctx, "compliance",
	    "ipc_class")), "3");
	assert_string_equal(json_string_value(path_get(ctx,
	    "engineering_context", "notes")),
	    "Keep the gate drivers from the same lot.");
	assert_true(json_is_null(path_get(ctx, "project", "id")));
	assert_int_equal(path_int(ctx, "sourcing_constraints",
	    "max_lead_time_days"), INTAKE_DEFAULT_LEAD_DAYS);

	assert_int_equal(intake_view_get(ctx, &v), 0);
	assert_string_equal(v.name, "Motor driver");
	assert_null(v.project_id);
	assert_int_equal(v.quantity, 500);
	assert_int_equal(v.budget_total_micros, INT64_C(12345670000));
	assert_true(v.allow_brokers);
	assert_false(v.allow_alternates);
	assert_int_equal(v.max_lead_time_days, INTAKE_DEFAULT_LEAD_DAYS);
	assert_int_equal(v.npreferred, 3);
	assert_string_equal(v.preferred[2], "arrow");
	assert_int_equal(v.ncritical, 1);
	assert_string_equal(v.critical[0], "DRV8305");
	assert_int_equal(v.navoid, 0);
	assert_string_equal(v.deadline, "2028-02-29");
	intake_view_free(&v);

	/* the decimal budget survives a round trip through JSON text */
	check_round_trip(ctx);
	json_decref(warn);
	json_decref(ctx);
}

UNIT_TEST(test_yaml_limits)
{
	struct buf b;
	json_t *ctx;
	char err[256], *text;
	size_t len, i;
	int depth;

	/* billion laughs is refused at its first anchor */
	text = fixture_file("intake", "laughs.yaml", &len);
	ctx = intake_parse_yaml(text, len, NULL, err, sizeof(err));
	free(text);
	assert_null(ctx);
	assert_non_null(strstr(err, "aliases are not allowed"));

	/* size: just over the limit is refused, whatever the content */
	text = xmalloc(INTAKE_MAX_YAML + 2);
	memset(text, '#', INTAKE_MAX_YAML + 1);
	text[INTAKE_MAX_YAML + 1] = '\0';
	assert_null(intake_parse_yaml(text, INTAKE_MAX_YAML + 1, NULL, err,
	    sizeof(err)));
	assert_non_null(strstr(err, "larger than"));
	text[INTAKE_MAX_YAML - 1] = '\n';
	ctx = intake_parse_yaml(text, INTAKE_MAX_YAML, NULL, err, sizeof(err));
	assert_non_null(ctx);
	json_decref(ctx);
	free(text);

	/* nesting: 16 levels pass (as an unknown key), 17 do not */
	for (depth = 16; depth <= 17; depth++) {
		buf_init(&b);
		buf_puts(&b, "x: ");
		for (i = 1; i < (size_t)depth; i++)
			buf_puts(&b, "[");
		for (i = 1; i < (size_t)depth; i++)
			buf_puts(&b, "]");
		buf_puts(&b, "\n");
		ctx = intake_parse_yaml(b.data, b.len, NULL, err, sizeof(err));
		if (depth == 16)
			assert_non_null(ctx);
		else {
			assert_null(ctx);
			assert_non_null(strstr(err, "deeper than 16"));
		}
		json_decref(ctx);
		buf_free(&b);
	}
}

UNIT_TEST(test_field_limits)
{
	static const struct {
		const char	*prefix;	/* text before the value */
		size_t		 n;		/* value: n copies of 'A' */
		const char	*suffix;
		int		 ok;
		const char	*err;
	} rows[] = {
		{ "project: {name: ", 200, "}\n", 1, NULL },
		{ "project: {name: ", 201, "}\n",
		    BAD("project.name: longer than 200 bytes") },
		{ "engineering_context: {avoid_parts: [", 128, "]}\n", 1,
		    NULL },
		{ "engineering_context: {avoid_parts: [", 129, "]}\n",
		    BAD("engineering_context.avoid_parts: item 1 longer "
		    "than 128") },
		{ "compliance: {", 64, ": yes}\n", 1, NULL },
		{ "compliance: {", 65, ": yes}\n", BAD("longer than 64") },
	};
	struct buf b;
	json_t *ctx;
	char err[256];
	size_t i, k;

	for (i = 0; i < NROWS(rows); i++) {
		buf_init(&b);
		buf_puts(&b, rows[i].prefix);
		for (k = 0; k < rows[i].n; k++)
			buf_puts(&b, "A");
		buf_puts(&b, rows[i].suffix);
		err[0] = '\0';
		ctx = intake_parse_yaml(b.data, b.len, NULL, err, sizeof(err));
		if (rows[i].ok && ctx == NULL)
			fail_msg("row %zu: %s", i, err);
		if (!rows[i].ok) {
			assert_null(ctx);
			if (strstr(err, rows[i].err) == NULL)
				fail_msg("row %zu: error '%s'", i, err);
		}
		json_decref(ctx);
		buf_free(&b);
	}

	/* 1000 list items pass, 1001 do not */
	for (k = 1000; k <= 1001; k++) {
		buf_init(&b);
		buf_puts(&b, "sourcing_constraints: "
		    "{preferred_distributors: [");
		for (i = 0; i < k; i++)
			buf_printf(&b, "%sd%zu", i ? ", " : "", i);
		buf_puts(&b, "]}\n");
		ctx = intake_parse_yaml(b.data, b.len, NULL, err, sizeof(err));
		if (k == 1000) {
			assert_non_null(ctx);
			assert_int_equal(json_array_size(path_get(ctx,
			    "sourcing_constraints", "preferred_distributors")),
			    1000);
		} else {
			assert_null(ctx);
			assert_non_null(strstr(err, "more than 1000 items"));
		}
		json_decref(ctx);
		buf_free(&b);
	}
}

UNIT_TEST(test_json_table)
{
	static const struct {
		const char	*json;
		int		 ok;
		const char	*err;
		int64_t		 quantity;
		int		 brokers;
		int64_t		 budget_micros;
		size_t		 npreferred;
		size_t		 nwarnings;
	} rows[] = {
		{ "{}", 1, NULL, 1, 0, -1, 0, 0 },
		{ "null", 1, NULL, 1, 0, -1, 0, 0 },
		{ "{\"requirements\": {\"quantity\": 25.0}}", 1, NULL,
		    25, 0, -1, 0, 0 },
		{ "{\"requirements\": {\"quantity\": \" 7 \"}}", 1, NULL,
		    7, 0, -1, 0, 0 },
		{ "{\"requirements\": {\"quantity\": 7.5}}",
		    BAD(E_QTY) },
		{ "{\"requirements\": {\"quantity\": true}}",
		    BAD(E_QTY) },
		{ "{\"requirements\": {\"budget_total\": 0.1}}", 1, NULL,
		    1, 0, 100000, 0, 0 },
		{ "{\"requirements\": {\"budget_total\": \"19.99\"}}", 1, NULL,
		    1, 0, 19990000, 0, 0 },
		{ "{\"requirements\": {\"budget_total\": 0}}", 1, NULL,
		    1, 0, 0, 0, 0 },
		{ "{\"requirements\": {\"budget_total\": 1e300}}",
		    BAD("requirements.budget_total: expected a non-negative") },
		{ "{\"requirements\": {\"budget_total\": -0.5}}",
		    BAD("requirements.budget_total: expected a non-negative") },
		{ "{\"sourcing_constraints\": {\"allow_brokers\": \"on\"}}", 1,
		    NULL, 1, 1, -1, 0, 0 },
		{ "{\"sourcing_constraints\": {\"allow_brokers\": 1}}", 1,
		    NULL, 1, 1, -1, 0, 0 },
		{ "{\"sourcing_constraints\": {\"allow_brokers\": 2}}",
		    BAD("sourcing_constraints.allow_brokers: expected true") },
		{ "{\"sourcing_constraints\": {\"preferred_distributors\": "
		    "[\"digikey\", null, \"arrow\"]}}", 1, NULL,
		    1, 0, -1, 2, 0 },
		{ "{\"sourcing_constraints\": {\"preferred_distributors\": "
		    "[true]}}", BAD("expected a list of strings") },
		{ "{\"project\": {\"name\": \"a\\u0000b\"}}",
		    BAD("project.name: contains a NUL byte") },
		{ "{\"bom\": 1, \"requirements\": {\"qty\": 2}}", 1, NULL,
		    1, 0, -1, 0, 2 },
		{ "[1, 2]", BAD("top level must be a mapping") },
		{ "\"text\"", BAD("top level must be a mapping") },
		{ "{\"project\": \"x\"}", BAD("project: expected a mapping") },
	};
	json_t *in, *ctx, *warn;
	json_error_t jerr;
	char err[256];
	size_t i;

	for (i = 0; i < NROWS(rows); i++) {
		in = json_loads(rows[i].json, JSON_DECODE_ANY |
		    JSON_ALLOW_NUL, &jerr);
		if (in == NULL)
			fail_msg("row %zu: bad test JSON: %s", i, jerr.text);
		err[0] = '\0';
		ctx = intake_from_json(in, &warn, err, sizeof(err));
		json_decref(in);
		if (!row_accepted(i, rows[i].json, ctx, warn, err,
		    rows[i].ok ? NULL : rows[i].err))
			continue;
		assert_int_equal(path_int(ctx, "requirements", "quantity"),
		    rows[i].quantity);
		assert_int_equal(json_is_true(path_get(ctx,
		    "sourcing_constraints", "allow_brokers")), rows[i].brokers);
		if (rows[i].budget_micros == -1)
			assert_true(json_is_null(path_get(ctx, "requirements",
			    "budget_total_micros")));
		else
			assert_int_equal(path_int(ctx, "requirements",
			    "budget_total_micros"), rows[i].budget_micros);
		assert_int_equal(json_array_size(path_get(ctx,
		    "sourcing_constraints", "preferred_distributors")),
		    rows[i].npreferred);
		assert_int_equal(json_array_size(warn), rows[i].nwarnings);
		json_decref(warn);
		json_decref(ctx);
	}
	/* a missing input is the defaults too */
	ctx = intake_from_json(NULL, NULL, err, sizeof(err));
	assert_non_null(ctx);
	assert_int_equal(path_int(ctx, "requirements", "quantity"), 1);
	json_decref(ctx);
}

/* Form fields for one test row: NULL-terminated name/value pairs. */
struct form {
	const char	*kv[32];
};

static const char *
form_get(void *ctx, const char *name)
{
	const struct form *f = ctx;
	size_t i;

	for (i = 0; f->kv[i] != NULL; i += 2)
		if (strcmp(f->kv[i], name) == 0)
			return f->kv[i + 1];
	return NULL;
}

UNIT_TEST(test_form_table)
{
	static const struct {
		struct form	 form;
		int		 ok;
		const char	*err;
		int64_t		 quantity;
		int		 brokers;
		int		 alternates;
		size_t		 npreferred;
		size_t		 navoid;
	} rows[] = {
		{ { { NULL } }, 1, NULL, 1, 0, 1, 0, 0 },
		{ { { "project_name", "Sensor board rev C", "quantity", "25",
		    "allow_brokers", "true", "allow_alternates", "false",
		    "preferred_distributors", "digikey, mouser",
		    "avoid_parts", "LM358DR", "critical_parts",
		    "STM32F103C8T6,ATSAMD21", "budget_total", "5000.50",
		    "deadline", "2027-01-15", "max_lead_time_days", "28",
		    "owner", "ana@example.com", "project_id", "SB-C",
		    "engineering_notes", "n", "product_type", "Medical",
		    NULL } },
		    1, NULL, 25, 1, 0, 2, 1 },
		/* empty fields are not given */
		{ { { "quantity", "", "allow_alternates", "", "deadline", "",
		    "budget_total", "", NULL } }, 1, NULL, 1, 0, 1, 0, 0 },
		{ { { "allow_brokers", "1", "allow_alternates", "0", NULL } },
		    1, NULL, 1, 1, 0, 0, 0 },
		{ { { "allow_brokers", "on", "allow_alternates", "off",
		    NULL } }, 1, NULL, 1, 1, 0, 0, 0 },
		{ { { "allow_brokers", "False", NULL } }, 1, NULL,
		    1, 0, 1, 0, 0 },
		{ { { "allow_brokers", "maybe", NULL } },
		    BAD("allow_brokers: expected true or false") },
		{ { { "quantity", "0", NULL } },
		    BAD("quantity: expected a positive whole number") },
		{ { { "quantity", "12x", NULL } },
		    BAD("quantity: expected a positive whole number") },
		{ { { "deadline", "15/01/2027", NULL } },
		    BAD("deadline: expected a calendar date") },
		{ { { "budget_total", "1,000", NULL } },
		    BAD("budget_total: expected a non-negative amount") },
		{ { { "product_type", "toys", NULL } },
		    BAD("product_type: expected one of consumer, industrial, "
		    "medical, automotive, aerospace") },
		{ { { "max_lead_time_days", "9999", NULL } },
		    BAD("max_lead_time_days: expected a whole number") },
		{ { { "project_name", "\xff\xfe", NULL } },
		    BAD("project_name: not valid UTF-8") },
	};
	struct intake_view v;
	json_t *ctx, *warn;
	char err[256];
	size_t i;

	for (i = 0; i < NROWS(rows); i++) {
		err[0] = '\0';
		ctx = intake_from_form(form_get, (void *)&rows[i].form, &warn,
		    err, sizeof(err));
		if (!row_accepted(i, "form", ctx, warn, err,
		    rows[i].ok ? NULL : rows[i].err)) {
			/* form errors name the form field, not the path */
			assert_null(strstr(err, "requirements."));
			assert_null(strstr(err, "sourcing_constraints."));
			continue;
		}
		assert_int_equal(json_array_size(warn), 0);
		assert_int_equal(intake_view_get(ctx, &v), 0);
		assert_int_equal(v.quantity, rows[i].quantity);
		assert_int_equal(v.allow_brokers, rows[i].brokers);
		assert_int_equal(v.allow_alternates, rows[i].alternates);
		assert_int_equal(v.npreferred, rows[i].npreferred);
		assert_int_equal(v.navoid, rows[i].navoid);
		if (i == 1) {
			assert_string_equal(v.name, "Sensor board rev C");
			assert_string_equal(v.project_id, "SB-C");
			assert_string_equal(v.preferred[1], "mouser");
			assert_int_equal(v.ncritical, 2);
			assert_string_equal(v.critical[1], "ATSAMD21");
			assert_int_equal(v.budget_total_micros, 5000500000);
			assert_int_equal(v.max_lead_time_days, 28);
			assert_string_equal(v.deadline, "2027-01-15");
		}
		intake_view_free(&v);
		json_decref(warn);
		json_decref(ctx);
	}
}

UNIT_TEST(test_view)
{
	static const struct unit_str_int rows[] = {
		{ "{}", 0 },
		{ "{\"requirements\": null}", 0 },
		{ "[]", -1 },
		{ "{\"requirements\": []}", -1 },
		{ "{\"requirements\": {\"quantity\": \"5\"}}", -1 },
		{ "{\"requirements\": {\"quantity\": 0}}", -1 },
		{ "{\"sourcing_constraints\": {\"allow_brokers\": 1}}", -1 },
		{ "{\"engineering_context\": {\"avoid_parts\": [\"a\", 1]}}",
		    -1 },
		{ "{\"engineering_context\": {\"avoid_parts\": \"a\"}}", -1 },
	};
	struct intake_view v;
	json_t *ctx, *warn;
	char err[256];
	size_t i;

	/* defaults */
	ctx = intake_parse_yaml("", 0, NULL, err, sizeof(err));
	assert_non_null(ctx);
	assert_int_equal(intake_view_get(ctx, &v), 0);
	assert_null(v.name);
	assert_int_equal(v.quantity, 1);
	assert_int_equal(v.budget_total_micros, -1);
	assert_false(v.allow_brokers);
	assert_true(v.allow_alternates);
	assert_int_equal(v.max_lead_time_days, INTAKE_DEFAULT_LEAD_DAYS);
	assert_int_equal(v.npreferred, 0);
	assert_int_equal(v.navoid, 0);
	assert_int_equal(v.ncritical, 0);
	assert_null(v.deadline);
	intake_view_free(&v);
	json_decref(ctx);

	/* the full example */
	ctx = parse_fixture("full.yaml", &warn, 0);
	assert_int_equal(intake_view_get(ctx, &v), 0);
	assert_string_equal(v.name, "Sensor board rev C");
	assert_string_equal(v.owner, "ana@example.com");
	assert_string_equal(v.product_type, "industrial");
	assert_int_equal(v.quantity, 25);
	assert_int_equal(v.budget_total_micros, INT64_C(5000000000));
	assert_int_equal(v.max_lead_time_days, 28);
	assert_int_equal(v.npreferred, 2);
	assert_string_equal(v.preferred[0], "digikey");
	assert_int_equal(v.navoid, 1);
	assert_string_equal(v.avoid[0], "LM358DR");
	assert_string_equal(v.critical[0], "STM32F103C8T6");
	assert_string_equal(v.notes, "...");
	intake_view_free(&v);
	intake_view_free(&v);		/* twice is harmless */
	intake_view_free(NULL);
	json_decref(warn);
	json_decref(ctx);

	for (i = 0; i < NROWS(rows); i++) {
		ctx = json_loads(rows[i].in, JSON_DECODE_ANY, NULL);
		assert_non_null(ctx);
		if (intake_view_get(ctx, &v) != rows[i].want)
			fail_msg("row %zu: %s", i, rows[i].in);
		intake_view_free(&v);
		json_decref(ctx);
	}
}

UNIT_TEST(test_date_valid)
{
	static const struct unit_str_int rows[] = {
		{ "2027-01-15", true },
		{ "2028-02-29", true },
		{ "2000-02-29", true },
		{ "1900-02-29", false },
		{ "2027-02-29", false },
		{ "2027-04-31", false },
		{ "2027-12-31", true },
		{ "2027-13-01", false },
		{ "2027-00-10", false },
		{ "2027-01-00", false },
		{ "0000-01-01", false },
		{ "2027-1-15", false },
		{ "2027/01/15", false },
		{ "2027-01-15T00:00:00Z", false },
		{ "", false },
		{ NULL, false },
	};
	size_t i;

	for (i = 0; i < NROWS(rows); i++)
		if (intake_date_valid(rows[i].in) != rows[i].want)
			fail_msg("row %zu: %s", i,
			    rows[i].in ? rows[i].in : "(null)");
}

UNIT_TEST(test_warning_cap)
{
	struct buf b;
	json_t *ctx, *warn;
	char err[256];
	size_t i;

	buf_init(&b);
	buf_puts(&b, "requirements:\n");
	for (i = 0; i < 300; i++)
		buf_printf(&b, "  k%zu: 1\n", i);
	ctx = intake_parse_yaml(b.data, b.len, &warn, err, sizeof(err));
	assert_non_null(ctx);
	assert_int_equal(json_array_size(warn), INTAKE_MAX_WARNINGS + 1);
	assert_string_equal(json_string_value(json_array_get(warn, 0)),
	    "unknown key 'k0' in requirements ignored");
	assert_string_equal(json_string_value(json_array_get(warn,
	    INTAKE_MAX_WARNINGS)), "more unknown keys ignored");
	json_decref(warn);
	json_decref(ctx);
	buf_free(&b);
}
