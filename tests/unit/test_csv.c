/*
 * Unit tests for common/csv.c: the reader on its own (records, quoting,
 * malformed records and recovery, strict mode, limits), and through
 * bom_parse() the decoding (UTF-8, byte-order mark, CP1252, UTF-16
 * refused), delimiter detection and field limits.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bom.h"
#include "csv.h"
#include "fixture_cases.h"
#include "fixture_bom.h"
#include "unit.h"
#include "util.h"

/*
 * Reads all of in[0..len) and writes each record as "N:f1|f2\n" (N its
 * first line), or "N!L: reason\n" when it is malformed (L the line the
 * reason is about).
 */
static void
read_all(const char *in, size_t len, const struct csv_opts *opts,
    struct buf *out)
{
	struct csv_reader r;
	size_t i;
	int rc;

	buf_init(out);
	csv_reader_init(&r, in, len, opts);
	while ((rc = csv_read_record(&r)) != 0) {
		if (rc == -1) {
			buf_printf(out, "%zu!%zu: %s\n", r.rec_line, r.err_line,
			    r.err);
			continue;
		}
		buf_printf(out, "%zu:", r.rec_line);
		for (i = 0; i < r.nfields; i++)
			buf_printf(out, "%s%s", i > 0 ? "|" : "",
			    csv_field(&r, i));
		buf_puts(out, "\n");
	}
	csv_reader_free(&r);
}

/* The reader's cases, tests/fixtures/cases/csv_reader.json, each why named. */
UNIT_TEST(test_reader)
{
	json_t *cases = fixture_cases("csv_reader");
	struct csv_opts opts = { ',', 0, 0, false };
	const char *why, *in, *want;
	json_int_t max_field, max_fields;
	struct buf out;
	size_t i, len;
	int strict;

	for (i = 0; i < json_array_size(cases); i++) {
		fixture_case_unpack(cases, i, "{s:s, s:s%, s:I, s:I, s:b, s:s}",
		    "why", &why, "in", &in, &len, "max_field", &max_field,
		    "max_fields", &max_fields, "strict", &strict,
		    "want", &want);
		opts.max_field = (size_t)max_field;
		opts.max_fields = (size_t)max_fields;
		opts.strict = strict;
		read_all(in, len, &opts, &out);
		if (strcmp(out.data != NULL ? out.data : "", want) != 0)
			fail_msg("case %zu (%s): got '%s', want '%s'", i, why,
			    out.data, want);
		buf_free(&out);
	}
	json_decref(cases);
}

UNIT_TEST(test_decode)
{
	struct csv_text t;
	char err[64];

	assert_int_equal(csv_decode("\xef\xbb\xbf" "A,\xc2\xb5", 7, &t, err,
	    sizeof(err)), 0);
	assert_string_equal(t.encoding, "utf-8-bom");
	assert_int_equal(t.len, 4);
	assert_memory_equal(t.data, "A,\xc2\xb5", 4);
	assert_null(t.owned);
	csv_text_free(&t);

	assert_int_equal(csv_decode("A,\xb5", 3, &t, err, sizeof(err)), 0);
	assert_string_equal(t.encoding, "cp1252");
	assert_string_equal(t.data, "A,\xc2\xb5");
	assert_int_equal(t.len, 4);
	csv_text_free(&t);

	assert_int_equal(csv_decode("\xff\xfe" "A", 3, &t, err, sizeof(err)),
	    -1);
	assert_string_equal(err, "UTF-16 is not supported; save as UTF-8");
	csv_text_free(&t);
	assert_int_equal(csv_utf8_mark("\xef\xbb", 2), 0);
}

UNIT_TEST(test_cp1252)
{
	static const struct {
		const char	*desc_in;	/* raw CP1252 bytes */
		const char	*desc_out;	/* UTF-8 */
	} rows[] = {
		{ "4.7\xb5" "F", "4.7\xc2\xb5" "F" },		/* µ */
		{ "-40\xb0" "C", "-40\xc2\xb0" "C" },		/* ° */
		{ "\xb1" "5%", "\xc2\xb1" "5%" },		/* ± */
		{ "\x80" "1", "\xe2\x82\xac" "1" },		/* € */
		{ "\x96", "\xe2\x80\x93" },			/* – */
		{ "\x99", "\xe2\x84\xa2" },			/* ™ */
		{ "\x9f", "\xc5\xb8" },				/* Ÿ */
		{ "\x81", "\xef\xbf\xbd" },			/* none */
		{ "\xa0" "x", "\xc2\xa0" "x" },		/* NBSP */
		{ "\xff", "\xc3\xbf" },				/* ÿ */
	};
	struct bom *bom;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		bom = fixture_bomf_ok("RefDes,MPN,Description\n"
		    "C1,GRM188R71H104KA93D,%s\n", rows[i].desc_in);
		assert_string_equal(bom->encoding, "cp1252");
		assert_string_equal(bom->lines[0].description,
		    rows[i].desc_out);
		bom_free(bom);
	}

	/* valid UTF-8 is never reinterpreted: Ω as U+2126 and U+03A9 */
	bom = fixture_bom_ok("RefDes,MPN,Description\n"
	    "R1,RC0805FR-0710KL,10k\xe2\x84\xa6 \xce\xa9 4.7\xc2\xb5" "F\n", NULL);
	assert_string_equal(bom->encoding, "utf-8");
	assert_string_equal(bom->lines[0].description,
	    "10k\xe2\x84\xa6 \xce\xa9 4.7\xc2\xb5" "F");
	bom_free(bom);

	/* a BOM followed by CP1252 bytes: the bytes decide */
	bom = fixture_bom_ok("\xef\xbb\xbfRefDes,MPN,Description\n"
	    "C1,GRM188R71H104KA93D,1\xb5" "F\n", NULL);
	assert_string_equal(bom->encoding, "cp1252");
	assert_string_equal(bom->lines[0].description, "1\xc2\xb5" "F");
	bom_free(bom);

	/* overlong and surrogate encodings are not UTF-8 */
	bom = fixture_bom_ok("RefDes,MPN,Description\nC1,X1,\xc0\xaf\n",
	    NULL);
	assert_string_equal(bom->encoding, "cp1252");
	assert_string_equal(bom->lines[0].description, "\xc3\x80\xc2\xaf");
	bom_free(bom);
	bom = fixture_bom_ok("RefDes,MPN,Description\nC1,X1,\xed\xa0\x80\n",
	    NULL);
	assert_string_equal(bom->encoding, "cp1252");
	bom_free(bom);

	/* UTF-16 big endian is refused like little endian */
	assert_null(bom_parse("\xfe\xff\x00R", 4, NULL, err, sizeof(err)));
	assert_string_equal(err, "UTF-16 is not supported; save as UTF-8");
}

UNIT_TEST(test_quoting)
{
	static const struct {
		const char	*csv;
		size_t		 nlines;
		size_t		 last_line_no;	/* of the last */
		const char	*last_desc;
	} rows[] = {
		{ "MPN,Qty,Description\nX1,1,\"a, b\"\n", 1, 2, "a, b" },
		{ "MPN,Qty,Description\nX1,1,\"say \"\"hi\"\"\"\n", 1, 2,
		    "say \"hi\"" },
		{ "MPN,Qty,Description\nX1,1,\"\"\n", 1, 2, "" },
		{ "MPN,Qty,Description\nX1,1,  \"  padded  \"  \n", 1, 2,
		    "padded" },
		{ "MPN,Qty,Description\nX1,1,   spaced out   \n", 1, 2,
		    "spaced out" },
		{ "MPN,Qty,Description\nX1,1,10\" cable\n", 1, 2,
		    "10\" cable" },
		{ "MPN,Qty,Description\nX1,1,\"a\"b\n", 1, 2, "ab" },
		{ "MPN,Qty,Description\r\nX1,1,\"l1\r\nl2\r\nl3\"\r\n"
		    "X2,1,next\r\n", 2, 5, "next" },
		{ "MPN,Qty,Description\rX1,1,\"l1\rl2\"\rX2,1,cr\r", 2, 4,
		    "cr" },
		{ "MPN,Qty,Description\nX1,1,no newline at end", 1, 2,
		    "no newline at end" },
		{ "\"MPN\",\"Qty\",\"Description\"\n\"X1\",\"1\",\"q\"\n", 1,
		    2, "q" },
		{ "MPN;Qty;Description\nX1;1;\"a;b,c\"\n", 1, 2, "a;b,c" },
		{ "MPN\tQty\tDescription\nX1\t1\t\"tab\there\"\n", 1, 2,
		    "tab\there" },
		{ "MPN,Qty,Description\n\n\nX1,1,d\n\n", 1, 4, "d" },
	};
	struct bom *bom;
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		bom = fixture_bom_ok(rows[i].csv, NULL);
		assert_int_equal(bom->nlines, rows[i].nlines);
		assert_int_equal(bom->lines[bom->nlines - 1].line_no,
		    rows[i].last_line_no);
		assert_string_equal(bom->lines[bom->nlines - 1].description,
		    rows[i].last_desc);
		bom_free(bom);
	}
}

/* A header and a row, and the delimiter it is read with. */
UNIT_TEST(test_delimiter)
{
	static const struct unit_str_int rows[] = {
		{ "RefDes,Qty,MPN\nR1,1,X1\n", ',' },
		{ "RefDes;Qty;MPN\nR1;1;X1\n", ';' },
		{ "RefDes\tQty\tMPN\nR1\t1\tX1\n", '\t' },
		/* commas inside a semicolon header do not win */
		{ "Ref, Des;Qty;MPN;Note, with, commas\nR1;1;X1;a,b\n", ';' },
		/* a quoted semicolon does not count */
		{ "\"a;b;c;d\",Qty,MPN\nR1,1,X1\n", ',' },
		/* preamble written with another delimiter */
		{ "Title;Board;Rev\nRefDes,Qty,MPN\nR1,1,X1\n", ',' },
		/* a header under both: the split with more columns wins */
		{ "MPN,Note;MPN;Qty\nX1,n;X1;2\n", ';' },
	};
	struct bom *bom;
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		bom = fixture_bom_ok(rows[i].in, NULL);
		assert_int_equal(bom->delimiter, rows[i].want);
		assert_int_equal(bom->nlines, 1);
		assert_string_equal(bom->lines[0].mpn, "X1");
		bom_free(bom);
	}
	/* a lone MPN column has no quantity source */
	fixture_bom_refused("MPN\nX1\n", NULL, "No valid line items found "
	    "in BOM: line 2: no quantity and no designators");
}

UNIT_TEST(test_field_limits)
{
	struct bom_limits lim = { 64, 2, 8 };
	struct bom *bom;
	char err[256];

	fixture_bom_refused("MPN,Qty\nABCDEFGHI,1\n", &lim,
	    "line 2: field longer than 8 bytes");
	/* quoted content counts, the quotes themselves do not */
	bom = fixture_bom_ok("MPN,Qty\n\"ABCD\"\"EFG\",1\n", &lim);
	assert_string_equal(bom->lines[0].mpn, "ABCD\"EFG");
	bom_free(bom);
	/* a multi-line field is reported at the line where its row starts */
	fixture_bom_refused("MPN,Desc,Qty\nX,\"ab\ncdefgh\",1\n", &lim,
	    "line 2: field longer than 8 bytes");

	/* NUL bytes, quoted or not, with the default limits */
	assert_null(bom_parse("MPN\nX\0Y\n", 8, NULL, err, sizeof(err)));
	assert_string_equal(err, "line 2: NUL byte in file");
	assert_null(bom_parse("MPN\n\"X\0Y\"\n", 10, NULL, err,
	    sizeof(err)));
	assert_string_equal(err, "line 2: NUL byte in file");
}
