/*
 * Unit tests for common/bom.c: the fixture corpus in tests/fixtures/bom
 * (run from the repository root), plus focused tables for ranges,
 * quantities, header aliases, DNP, limits and a generated 10k-line BOM.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "bom.h"
#include "fixture_bom.h"
#include "fixture_cases.h"
#include "fixture_file.h"
#include "unit.h"
#include "util.h"

/* The texts of a line a fixture case may name in "texts", by member. */
#define LINE_TEXT(m)	{ #m, offsetof(struct bom_line, m) }
static const struct line_text {
	const char	*name;
	size_t		 off;
} line_texts[] = {
	LINE_TEXT(designator_text),
	LINE_TEXT(manufacturer),
	LINE_TEXT(description),
	LINE_TEXT(package),
	LINE_TEXT(value),
};

/* The text of l that a case's "texts" names name; fails on another name. */
static const char *
line_text(const struct bom_line *l, const char *name, const char *file)
{
	size_t t;

	for (t = 0; t < sizeof(line_texts) / sizeof(line_texts[0]); t++)
		if (strcmp(line_texts[t].name, name) == 0)
			return *(char *const *)(const void *)((const char *)l +
			    line_texts[t].off);
	fail_msg("%s: no line text '%s'", file, name);
	return NULL;
}

/*
 * Line k of a fixture case's "lines": bom->lines[index] must stand at
 * line_no with this mpn, quantity and number of designators, and, when
 * the case names them, these designators and texts.
 */
static void
check_line(const struct bom *bom, const json_t *lines, size_t k,
    const char *file)
{
	const struct bom_line *l;
	json_int_t idx, line_no, qty, ndes;
	json_t *des = NULL, *texts = NULL, *want;
	const char *mpn, *name;
	size_t d;

	fixture_case_unpack(lines, k, "{s:I, s:I, s:s, s:I, s:I, s?o, s?o}",
	    "index", &idx, "line_no", &line_no, "mpn", &mpn,
	    "quantity", &qty, "ndesignators", &ndes, "designators", &des,
	    "texts", &texts);
	assert_true(idx >= 0 && (size_t)idx < bom->nlines);
	l = &bom->lines[idx];
	assert_int_equal(l->line_no, line_no);
	assert_string_equal(l->mpn, mpn);
	assert_int_equal(l->quantity, qty);
	assert_int_equal(l->ndesignators, ndes);
	if (des != NULL && json_array_size(des) != l->ndesignators)
		fail_msg("%s: %zu designators, want %zu", file,
		    l->ndesignators, json_array_size(des));
	for (d = 0; d < json_array_size(des); d++) {
		if (!json_is_string(json_array_get(des, d)))
			fail_msg("%s: designator %zu is not a string", file, d);
		assert_string_equal(l->designators[d],
		    json_string_value(json_array_get(des, d)));
	}
	if (texts != NULL && !json_is_object(texts))
		fail_msg("%s: texts is not an object", file);
	json_object_foreach(texts, name, want) {
		if (!json_is_string(want))
			fail_msg("%s: text '%s' is not a string", file, name);
		assert_string_equal(line_text(l, name, file),
		    json_string_value(want));
	}
}

/*
 * Fails the test unless bom has (want true) or has not each warning of
 * the case's list, if the case gives one.
 */
static void
check_warnings(const struct bom *bom, const json_t *list, bool want,
    const char *file)
{
	size_t w;

	if (list != NULL && !json_is_array(list))
		fail_msg("%s: a warning list is not an array", file);
	for (w = 0; w < json_array_size(list); w++) {
		if (!json_is_string(json_array_get(list, w)))
			fail_msg("%s: warning %zu is not a string", file, w);
		fixture_bom_warning(bom, file,
		    json_string_value(json_array_get(list, w)), want);
	}
}

/* What an int member of a case holds when the case does not give it. */
#define CASE_NONE	INT64_MIN

/*
 * A case of bom_fixtures.json: its "file" and either the "error" it is
 * refused with or what it parses to.
 */
struct bom_case {
	const char	*file, *why, *error, *encoding, *delim;
	json_int_t	 nlines, ndnp, nrejected;
	json_t		*warnings, *absent, *lines;
};

/*
 * Case i of cases into c: a file and an error alone, or a file, the
 * counts, encoding, delimiter and lines, and if it likes why, the warnings
 * it must have and those it must not. Fails the test on anything else.
 */
static void
bom_case_get(const json_t *cases, size_t i, struct bom_case *c)
{
	int must, may;

	memset(c, 0, sizeof(*c));
	c->nlines = c->ndnp = c->nrejected = CASE_NONE;
	fixture_case_unpack(cases, i, "{s:s, s?s, s?s, s?I, s?I, s?I, s?s, "
	    "s?s, s?o, s?o, s?o}", "file", &c->file, "why", &c->why,
	    "error", &c->error, "nlines", &c->nlines, "ndnp", &c->ndnp,
	    "nrejected", &c->nrejected, "encoding", &c->encoding,
	    "delimiter", &c->delim, "warnings", &c->warnings,
	    "absent_warnings", &c->absent, "lines", &c->lines);
	must = (c->nlines != CASE_NONE) + (c->ndnp != CASE_NONE) +
	    (c->nrejected != CASE_NONE) + (c->encoding != NULL) +
	    (c->delim != NULL) + (c->lines != NULL);
	may = (c->why != NULL) + (c->warnings != NULL) + (c->absent != NULL);
	if (c->error != NULL ? must + may != 0 : must != 6)
		fail_msg("%s: want an error alone, or nlines, ndnp, "
		    "nrejected, encoding, delimiter and lines", c->file);
}

/*
 * A fixture bom parsed as case c says: the counts, encoding and delimiter,
 * the warnings it must have and must not have (if named) and the lines it
 * names.
 */
static void
check_parsed(const struct bom *bom, const struct bom_case *c)
{
	size_t k;

	if (c->why != NULL)
		print_message("  (%s)\n", c->why);
	assert_int_equal(bom->nlines, c->nlines);
	assert_int_equal(bom->ndnp, c->ndnp);
	assert_int_equal(bom->nrejected, c->nrejected);
	assert_string_equal(bom->encoding, c->encoding);
	assert_int_equal(strlen(c->delim), 1);
	assert_int_equal(bom->delimiter, c->delim[0]);
	check_warnings(bom, c->warnings, true, c->file);
	check_warnings(bom, c->absent, false, c->file);
	if (!json_is_array(c->lines) || json_array_size(c->lines) == 0)
		fail_msg("%s: no lines to check", c->file);
	for (k = 0; k < json_array_size(c->lines); k++)
		check_line(bom, c->lines, k, c->file);
	/* every excluded or rejected row left a warning */
	assert_true(bom->nwarnings >= bom->ndnp + bom->nrejected);
}

/*
 * Each file of tests/fixtures/bom as tests/fixtures/cases/bom_fixtures.json
 * says it parses: refused with an error containing the case's "error", or
 * accepted as check_parsed() checks.
 */
UNIT_TEST(test_fixtures)
{
	struct bom_case c;
	json_t *cases;
	struct bom *bom;
	char err[512], *data;
	size_t i, len;

	cases = fixture_cases("bom_fixtures");
	for (i = 0; i < json_array_size(cases); i++) {
		bom_case_get(cases, i, &c);
		print_message("fixture %s\n", c.file);
		data = fixture_file("bom", c.file, &len);
		bom = bom_parse(data, len, NULL, err, sizeof(err));
		free(data);
		if (c.error != NULL) {
			if (bom != NULL)
				fail_msg("%s: parsed, want refused with '%s'",
				    c.file, c.error);
			if (strstr(err, c.error) == NULL)
				fail_msg("%s: err '%s', want '%s'", c.file, err,
				    c.error);
		} else if (bom == NULL)
			fail_msg("%s: unexpected error '%s'", c.file, err);
		else
			check_parsed(bom, &c);
		bom_free(bom);
	}
	json_decref(cases);
}

UNIT_TEST(test_ranges)
{
	static const struct {
		const char	*cell;
		const char	*want;		/* joined by ' ' */
		const char	*warning;	/* or NULL */
	} rows[] = {
		{ "R1-R4", "R1 R2 R3 R4", NULL },
		{ "R1", "R1", NULL },
		{ "C1, C2, C5", "C1 C2 C5", NULL },
		{ "C1;C2 C3\tC4", "C1 C2 C3 C4", NULL },
		{ "R1-R3,R7", "R1 R2 R3 R7", NULL },
		{ "R10 - R12", "R10 R11 R12", NULL },
		{ "R3-R3", "R3", NULL },
		{ "D08-D11", "D08 D09 D10 D11", NULL },
		{ "U1.R1-U1.R3", "U1.R1 U1.R2 U1.R3", NULL },
		{ "R4-R1", "R4-R1",
		    "line 2: designator range 'R4-R1' not expanded" },
		{ "R1-C4", "R1-C4",
		    "line 2: designator range 'R1-C4' not expanded" },
		{ "R1-4", "R1-4",
		    "line 2: designator range 'R1-4' not expanded" },
		{ "J1-1 J2-1", "J1-1 J2-1",
		    "line 2: designator range 'J1-1' not expanded "
		    "(and 1 more)" },
		{ "R1-R10001", "R1-R10001",
		    "line 2: designator range 'R1-R10001' not expanded" },
	};
	struct bom *bom;
	struct buf joined;
	size_t i, k;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		bom = fixture_bomf_ok("RefDes,MPN\n\"%s\",RC0805FR-0710KL\n",
		    rows[i].cell);
		assert_int_equal(bom->nlines, 1);
		buf_init(&joined);
		for (k = 0; k < bom->lines[0].ndesignators; k++)
			buf_printf(&joined, "%s%s", k ? " " : "",
			    bom->lines[0].designators[k]);
		assert_string_equal(joined.data, rows[i].want);
		buf_free(&joined);
		assert_string_equal(bom->lines[0].designator_text,
		    rows[i].cell);
		/* no Qty column: quantity is the designator count */
		assert_int_equal(bom->lines[0].quantity,
		    bom->lines[0].ndesignators);
		if (rows[i].warning != NULL)
			fixture_bom_warning(bom, rows[i].cell, rows[i].warning,
			    true);
		else
			assert_int_equal(bom->nwarnings, 0);
		bom_free(bom);
	}
}

UNIT_TEST(test_range_cap)
{
	struct bom *bom;

	bom = fixture_bom_ok("RefDes,MPN\nR1-R10000,RC0805FR-0710KL\n",
	    NULL);
	assert_int_equal(bom->lines[0].ndesignators, BOM_MAX_DESIGNATORS);
	assert_string_equal(bom->lines[0].designators[9999], "R10000");
	assert_int_equal(bom->lines[0].quantity, BOM_MAX_DESIGNATORS);
	bom_free(bom);
}

/*
 * The designator bomb: 100 rows of "R1-R10000" (3.4 KB) would expand to a
 * million strings; the BOM-wide budget refuses it, naming the limit, and
 * a BOM just within it still parses.
 */
UNIT_TEST(test_designator_budget)
{
	struct buf csv;
	struct bom *bom;
	char err[256];
	size_t i, total = 0;

	buf_init(&csv);
	buf_puts(&csv, "RefDes,MPN\n");
	for (i = 0; i < 100; i++)
		buf_printf(&csv, "R1-R10000,MPN-%zu\n", i);
	bom = bom_parse(csv.data, csv.len, NULL, err, sizeof(err));
	assert_null(bom);
	assert_non_null(strstr(err, "more than 50000 designators"));
	assert_non_null(strstr(err, "the limit"));
	buf_free(&csv);

	buf_init(&csv);
	buf_puts(&csv, "RefDes,MPN\n");
	for (i = 0; i < BOM_MAX_ALL_DESIGNATORS / BOM_MAX_DESIGNATORS; i++)
		buf_printf(&csv, "R1-R10000,MPN-%zu\n", i);
	bom = bom_parse(csv.data, csv.len, NULL, err, sizeof(err));
	assert_non_null(bom);
	for (i = 0; i < bom->nlines; i++)
		total += bom->lines[i].ndesignators;
	assert_int_equal(total, BOM_MAX_ALL_DESIGNATORS);
	bom_free(bom);
	buf_free(&csv);
}

UNIT_TEST(test_errors)
{
	static const struct unit_str_str rows[] = {
		{ "", "No valid line items found in BOM" },
		{ "\n\n  \n", "No valid line items found in BOM" },
		{ "MPN,Qty\n",
		    "No valid line items found in BOM: no data rows" },
		{ "MPN,Qty\n\n,\n", "No valid line items found in BOM: "
		    "no data rows" },
		{ "RefDes,Qty\nR1,1\n", "no header row with a part number "
		    "column (expected one of: MPN, Manufacturer Part Number, "
		    "Part Number)" },
		{ "MPN,Qty\nX1,1\n\"open\n\nX2,1\n",
		    "line 3: unterminated quoted field" },
		{ "RefDes,MPN\n,\nR1,\nR2,\nR3,\nR4,\n",
		    "No valid line items found in BOM: line 3: missing part "
		    "number; line 4: missing part number; line 5: missing "
		    "part number" },
		{ "MPN,Qty\nX1,\n", "No valid line items found in BOM: "
		    "line 2: no quantity and no designators" },
		{ "MPN,Qty\nX1,99999999\n", "No valid line items found in "
		    "BOM: line 2: quantity '99999999' is too large" },
	};
	char err[512];
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		fixture_bom_refused(rows[i].in, NULL, rows[i].want);
	/* NULL err and a NULL buffer are tolerated */
	assert_null(bom_parse(NULL, 0, NULL, NULL, 0));
	assert_null(bom_parse("MPN\n", 4, NULL, err, 8));
	assert_string_equal(err, "No vali");
	bom_free(NULL);
}

UNIT_TEST(test_quantity)
{
	static const struct {
		const char	*qty;
		int64_t		 want;		/* 0: no line */
		const char	*warning;
	} rows[] = {
		{ "2", 2, NULL },
		{ " 2 ", 2, NULL },
		{ "\" 3\"", 3, NULL },
		{ "2.0", 2, NULL },
		{ "2.00", 2, NULL },
		{ "+4", 4, NULL },
		{ "", 2, NULL },		/* from the 2 designators */
		{ "2.5", 0, "line 2: quantity '2.5' is not a whole number" },
		{ "2.000", 0,
		    "line 2: quantity '2.000' is not a whole number" },
		{ "\"2,0\"", 0,
		    "line 2: quantity '2,0' is not a whole number" },
		{ "-1", 0, "line 2: quantity '-1' is not a whole number" },
		{ "abc", 0, "line 2: quantity 'abc' is not a whole number" },
		{ "1e3", 0, "line 2: quantity '1e3' is not a whole number" },
		{ "2 pcs", 0,
		    "line 2: quantity '2 pcs' is not a whole number" },
		{ "0", 0, "line 2: quantity 0, DNP, excluded" },
		{ "00", 0, "line 2: quantity 0, DNP, excluded" },
		{ "1000001", 0,
		    "line 2: quantity '1000001' is too large" },
		{ "123456789012345678901234567890123456789012345", 0,
		    "line 2: quantity '1234567890123456789012345678901234567890"
		    "...' is not a whole number" },
	};
	struct bom *bom;
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		bom = fixture_bomf_ok("RefDes,Qty,MPN\n"
		    "\"R1,R2\",%s,RC0805FR-0710KL\nC1,1,GRM188R71H104KA93D\n",
		    rows[i].qty);
		if (rows[i].want > 0) {
			assert_int_equal(bom->nlines, 2);
			assert_int_equal(bom->lines[0].quantity, rows[i].want);
		} else {
			assert_int_equal(bom->nlines, 1);
			assert_int_equal(bom->lines[0].line_no, 3);
		}
		if (rows[i].warning != NULL)
			fixture_bom_warning(bom, rows[i].qty, rows[i].warning,
			    true);
		bom_free(bom);
	}

	/* a decimal comma is whole in a semicolon file */
	bom = fixture_bom_ok("RefDes;Qty;MPN\nR1 R2;2,0;RC0805FR-0710KL\n",
	    NULL);
	assert_int_equal(bom->lines[0].quantity, 2);
	bom_free(bom);
}

/*
 * Each of the n aliases of a column, as the header fmt puts it in, must
 * give one line of MPN STM32F103C8T6 and quantity qty.
 */
static void
check_aliases(const char *const *aliases, size_t n, const char *fmt,
    int64_t qty)
{
	struct bom *bom;
	size_t i;

	for (i = 0; i < n; i++) {
		bom = fixture_bomf_ok(fmt, aliases[i]);
		assert_int_equal(bom->nlines, 1);
		assert_string_equal(bom->lines[0].mpn, "STM32F103C8T6");
		assert_int_equal(bom->lines[0].quantity, qty);
		bom_free(bom);
	}
}

UNIT_TEST(test_header_aliases)
{
	static const struct {
		const char	*header;
		const char	*field;	/* line_texts[] member that gets "V" */
	} rows[] = {
		{ "Manufacturer", "manufacturer" },
		{ "Mfr", "manufacturer" },
		{ "MFG", "manufacturer" },
		{ "Manufacturer Name", "manufacturer" },
		{ "Manufacturer 1", "manufacturer" },
		{ "Description", "description" },
		{ "Desc", "description" },
		{ "Comment", "description" },
		{ "Package", "package" },
		{ "Footprint", "package" },
		{ "Case", "package" },
		{ "PCB Footprint", "package" },
		{ "Value", "value" },
		{ "VAL", "value" },
		{ "RefDes", "designator_text" },
		{ "Ref Des", "designator_text" },
		{ "Reference", "designator_text" },
		{ "References", "designator_text" },
		{ "Reference Designator", "designator_text" },
		{ "Reference Designators", "designator_text" },
		{ "Reference_Designator(s)", "designator_text" },
		{ "Designator", "designator_text" },
		{ "Designators", "designator_text" },
		{ "Ref", "designator_text" },
		{ "Refs", "designator_text" },
		{ "Part", "designator_text" },
		{ "Parts", "designator_text" },
		{ "  \"ref-des\"  ", "designator_text" },
		{ "Unknown Column", "none" },
		{ "Supplier", "none" },
	};
	static const char *const mpn_aliases[] = {
		"MPN", "Manufacturer Part Number", "Mfr Part Number",
		"Mfr. Part #", "Manufacturer_Part_Number", "MFG PN",
		"Part Number", "PartNumber", "P/N", "mpn ", "\xef\xbb\xbfMPN",
		"Manufacturer Part Number 1", "manufacturer   part--number",
	};
	static const char *const qty_aliases[] = {
		"Qty", "Quantity", "Qnty", "Count", "Qty per board", "QTY.",
	};
	struct bom *bom;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		bom = fixture_bomf(err, sizeof(err),
		    "MPN,%s\nRC0805FR-0710KL,V\n", rows[i].header);
		if (strcmp(rows[i].field, "designator_text") != 0 &&
		    strcmp(rows[i].field, "none") != 0) {
			/* no quantity source at all: the row is rejected */
			assert_null(bom);
			assert_string_equal(err, "No valid line items found "
			    "in BOM: line 2: no quantity and no designators");
			bom = fixture_bomf(err, sizeof(err),
			    "MPN,Qty,%s\nRC0805FR-0710KL,1,V\n",
			    rows[i].header);
		} else if (strcmp(rows[i].field, "none") == 0) {
			assert_null(bom);
			continue;
		}
		if (bom == NULL)
			fail_msg("'%s': %s", rows[i].header, err);
		if (strcmp(line_text(&bom->lines[0], rows[i].field,
		    rows[i].header), "V") != 0)
			fail_msg("header '%s' did not map to %s",
			    rows[i].header, rows[i].field);
		bom_free(bom);
	}
	check_aliases(mpn_aliases, sizeof(mpn_aliases) /
	    sizeof(mpn_aliases[0]), "Qty,%s\n1,STM32F103C8T6\n", 1);
	check_aliases(qty_aliases, sizeof(qty_aliases) /
	    sizeof(qty_aliases[0]), "%s,MPN\n7,STM32F103C8T6\n", 7);

	/* the stronger MPN alias wins whatever the column order */
	bom = fixture_bom_ok("MPN,Part Number,Qty\nRC0805FR-0710KL,INT-001,1\n",
	    NULL);
	assert_string_equal(bom->lines[0].mpn, "RC0805FR-0710KL");
	bom_free(bom);
	bom = fixture_bom_ok("Part Number,Mfr Part Number,Qty\nINT-001,"
	    "RC0805FR-0710KL,1\n", NULL);
	assert_string_equal(bom->lines[0].mpn, "RC0805FR-0710KL");
	bom_free(bom);
	/* "Description" beats "Comment"; "Package" beats "Footprint" */
	bom = fixture_bom_ok("Comment,MPN,Qty,Description,Footprint,Package\n"
	    "10k,X1,1,Resistor,R0805,0805\n", NULL);
	assert_string_equal(bom->lines[0].description, "Resistor");
	assert_string_equal(bom->lines[0].package, "0805");
	bom_free(bom);
}

UNIT_TEST(test_dnp)
{
	static const struct {
		const char	*header;
		const char	*row;
		int		 dnp;
	} rows[] = {
		{ "RefDes,Qty,MPN,DNP", "R1,1,X1,yes", 1 },
		{ "RefDes,Qty,MPN,DNP", "R1,1,X1,Y", 1 },
		{ "RefDes,Qty,MPN,DNP", "R1,1,X1,TRUE", 1 },
		{ "RefDes,Qty,MPN,DNP", "R1,1,X1,1", 1 },
		{ "RefDes,Qty,MPN,DNP", "R1,1,X1,x", 1 },
		{ "RefDes,Qty,MPN,DNF", "R1,1,X1,dnf", 1 },
		{ "RefDes,Qty,MPN,DNP", "R1,1,X1,", 0 },
		{ "RefDes,Qty,MPN,DNP", "R1,1,X1,no", 0 },
		{ "RefDes,Qty,MPN,Do Not Place", "R1,1,X1,yes", 1 },
		{ "RefDes,Qty,MPN,Exclude from BOM", "R1,1,X1,yes", 1 },
		{ "RefDes,Qty,MPN,Populate", "R1,1,X1,no", 1 },
		{ "RefDes,Qty,MPN,Populate", "R1,1,X1,0", 1 },
		{ "RefDes,Qty,MPN,Populate", "R1,1,X1,false", 1 },
		{ "RefDes,Qty,MPN,Populate", "R1,1,X1,yes", 0 },
		{ "RefDes,Qty,MPN,Fitted", "R1,1,X1,not fitted", 1 },
		{ "RefDes,Qty,MPN,Fitted", "R1,1,X1,Fitted", 0 },
		{ "RefDes,Qty,MPN,Value", "R1,1,X1,DNP", 1 },
		{ "RefDes,Qty,MPN,Value", "R1,1,X1,10k/DNP", 1 },
		{ "RefDes,Qty,MPN,Value", "R1,1,X1,DNPX", 0 },
		{ "RefDes,Qty,MPN,Description", "R1,1,X1,Do Not Place", 1 },
		{ "RefDes,Qty,MPN,Description", "R1,1,X1,(not fitted)", 1 },
		{ "RefDes,Qty,MPN,Description", "R1,1,X1,fitted", 0 },
		{ "RefDes,Qty,MPN", "R1 DNF,1,X1", 1 },
		{ "RefDes,Qty,MPN", "R1,1,DNP", 1 },
		{ "RefDes,Qty,MPN", "R1,1,XDNP1", 0 },
		{ "RefDes,Qty,MPN", "R1,0,X1", 1 },
	};
	struct bom *bom;
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		bom = fixture_bomf_ok("%s\n%s\n%s\n", rows[i].header,
		    rows[i].row, "C1,1,GRM188R71H104KA93D");
		if (bom->ndnp != (size_t)rows[i].dnp ||
		    bom->nlines != (size_t)(2 - rows[i].dnp))
			fail_msg("'%s' / '%s': ndnp %zu nlines %zu",
			    rows[i].header, rows[i].row, bom->ndnp,
			    bom->nlines);
		assert_int_equal(bom->nrejected, 0);
		if (rows[i].dnp)
			assert_true(bom->nwarnings == 1 &&
			    strstr(bom->warnings[0], "line 2: ") ==
			    bom->warnings[0] &&
			    strstr(bom->warnings[0], "DNP, excluded") != NULL);
		bom_free(bom);
	}
}

UNIT_TEST(test_limits)
{
	struct bom_limits lim = { 64, 2, 8 };
	struct bom *bom;
	const char *ok = "MPN,Qty\nABCDEFGH,1\nX2,2\n";

	bom = fixture_bom_ok(ok, &lim);
	assert_int_equal(bom->nlines, 2);
	bom_free(bom);

	lim.max_bytes = strlen(ok);
	bom = fixture_bom_ok(ok, &lim);
	bom_free(bom);
	lim.max_bytes = 10;
	fixture_bom_refused(ok, &lim, "BOM is larger than 10 bytes");
	lim.max_bytes = 64;

	fixture_bom_refused("MPN,Qty\nX1,1\n\nX2,1\nX3,1\n", &lim,
	    "BOM has more than 2 lines");
	/* rejected and DNP rows count too; blank ones do not */
	fixture_bom_refused("MPN,Qty\nX1,0\n,1\nX3,1\n", &lim,
	    "BOM has more than 2 lines");
	bom = fixture_bom_ok("MPN,Qty\n\nX1,1\n\n\nX2,1\n\n", &lim);
	assert_int_equal(bom->nlines, 2);
	bom_free(bom);
}

static char *
make_big(size_t rows, size_t *len)
{
	struct buf b;
	size_t i;

	buf_init(&b);
	buf_puts(&b, "\"Designator\",\"Quantity\",\"Manufacturer Part "
	    "Number\",\"Manufacturer\",\"Description\",\"Footprint\"\r\n");
	for (i = 0; i < rows; i++)
		buf_printf(&b, "\"R%zu-R%zu\",4,RC0805FR-07%zuKL,Yageo,"
		    "\"RES %zu OHM, 1%%, 0805\",R0805\r\n", 4 * i + 1,
		    4 * i + 4, i, i);
	*len = b.len;
	return buf_steal(&b);
}

UNIT_TEST(test_big)
{
	struct bom *bom;
	char err[256], *data;
	size_t i, len;
	int64_t t0, ms, best;

	data = make_big(BOM_MAX_LINES, &len);
	/* best of three, so a busy shared machine does not fail the test */
	for (i = 0, best = INT64_MAX; i < 3; i++) {
		t0 = now_ms();
		bom = bom_parse(data, len, NULL, err, sizeof(err));
		ms = now_ms() - t0;
		if (ms < best)
			best = ms;
		if (bom == NULL)
			fail_msg("%s", err);
		if (i < 2)
			bom_free(bom);
	}
	free(data);
	/* a figure for whoever reads the log; tests assert behaviour only */
	print_message("10000-line BOM (%zu bytes) parsed in %" PRId64
	    " ms\n", len, best);
	assert_int_equal(bom->nlines, BOM_MAX_LINES);
	assert_int_equal(bom->nwarnings, 0);
	assert_int_equal(bom->lines[9999].line_no, 10001);
	assert_int_equal(bom->lines[9999].ndesignators, 4);
	assert_string_equal(bom->lines[9999].designators[3], "R40000");
	assert_string_equal(bom->lines[9999].mpn, "RC0805FR-079999KL");
	assert_string_equal(bom->lines[9999].description,
	    "RES 9999 OHM, 1%, 0805");
	bom_free(bom);

	data = make_big(BOM_MAX_LINES + 1, &len);
	bom = bom_parse(data, len, NULL, err, sizeof(err));
	free(data);
	assert_null(bom);
	assert_string_equal(err, "BOM has more than 10000 lines");
}
