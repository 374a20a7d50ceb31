/*
 * Unit tests for common/offers.c: price breaks and their refusal reasons,
 * the offers CSV (rows, header, duplicates and limits), and an offer that
 * owns its strings.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture_offers.h"
#include "offers.h"
#include "unit.h"
#include "util.h"

#define HDR	FIXTURE_OFFERS_COLS "\n"

UNIT_TEST(test_offer_parse_breaks)
{
	static const struct {
		const char	*in;
		int		 rc;
		size_t		 n;
		int64_t		 q0, p0, qlast, plast;
	} rows[] = {
		{ "1:0.10|10:0.08|100:0.05", 0, 3, 1, 100000, 100, 50000 },
		{ " 1 : 0.10 | 10 : 0.08 ", 0, 2, 1, 100000, 10, 80000 },
		{ "2500:0.004", 0, 1, 2500, 4000, 2500, 4000 },
		{ "1:0", 0, 1, 1, 0, 1, 0 },
		{ "", 0, 0, 0, 0, 0, 0 },
		{ "   ", 0, 0, 0, 0, 0, 0 },
		{ "1:x", -1, 0, 0, 0, 0, 0 },
		{ "10:0.1|5:0.05", -1, 0, 0, 0, 0, 0 },	/* descending */
		{ "10:0.1|10:0.05", -1, 0, 0, 0, 0, 0 },	/* equal */
		{ "0:0.1", -1, 0, 0, 0, 0, 0 },
		{ "-1:0.1", -1, 0, 0, 0, 0, 0 },
		{ "1:0.1|", -1, 0, 0, 0, 0, 0 },
		{ "1:0.1||10:0.05", -1, 0, 0, 0, 0, 0 },
		{ "1", -1, 0, 0, 0, 0, 0 },
		{ "1:-0.1", -1, 0, 0, 0, 0, 0 },
		{ "1:0.1234567", -1, 0, 0, 0, 0, 0 },
		{ "1.5:0.1", -1, 0, 0, 0, 0, 0 },
		{ "1000000000000001:0.1", -1, 0, 0, 0, 0, 0 },
		{ "1:0.10;10:0.08", -1, 0, 0, 0, 0, 0 },
	};
	struct price_break *b;
	struct buf s;
	const char *why;
	size_t i, n;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		why = NULL;
		if (offer_parse_breaks(rows[i].in, &b, &n, &why) != rows[i].rc)
			fail_msg("breaks row %zu '%s': rc", i, rows[i].in);
		if (rows[i].rc == -1) {
			assert_non_null(why);
			assert_null(b);
			continue;
		}
		assert_int_equal(n, rows[i].n);
		if (n > 0) {
			assert_int_equal(b[0].qty, rows[i].q0);
			assert_int_equal(b[0].unit_micros, rows[i].p0);
			assert_int_equal(b[n - 1].qty, rows[i].qlast);
			assert_int_equal(b[n - 1].unit_micros, rows[i].plast);
		}
		free(b);
	}
	/* 64 breaks are fine, 65 are not */
	buf_init(&s);
	for (i = 1; i <= 64; i++)
		buf_printf(&s, "%s%zu:1.00", i > 1 ? "|" : "", i);
	assert_int_equal(offer_parse_breaks(s.data, &b, &n, &why), 0);
	assert_int_equal(n, 64);
	free(b);
	buf_puts(&s, "|65:1.00");
	assert_int_equal(offer_parse_breaks(s.data, &b, &n, &why), -1);
	assert_string_equal(why, "more than 64 breaks");
	buf_free(&s);
}

UNIT_TEST(test_offer_breaks_reasons)
{
	static const struct unit_str_str rows[] = {
		{ "1:0.1|", "empty break" },
		{ "1:0.1| \t|10:0.05", "empty break" },
		{ "1", "break is not qty:price" },
		{ "0:0.1", "quantity below 1" },
		{ "-1:0.1", "quantity below 1" },
		{ "1000000000000001:0.1", "quantity too large" },
		{ "10:0.1|5:0.05", "quantities not strictly ascending" },
		{ "1:0.10;10:0.08", "trailing characters" },
		{ "1:" "0.1000000000000000000000000000000000000000000000000000"
		    "000000000001", "break too long" },
	};
	struct price_break *b;
	const char *why;
	size_t i, n;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		why = NULL;
		if (offer_parse_breaks(rows[i].in, &b, &n, &why) != -1)
			fail_msg("'%s' accepted", rows[i].in);
		if (why == NULL || strcmp(why, rows[i].want) != 0)
			fail_msg("'%s': reason '%s', want '%s'", rows[i].in,
			    why ? why : "(none)", rows[i].want);
		assert_null(b);
		assert_int_equal(n, 0);
	}
	/* NULL: refused; a NULL why is allowed */
	assert_int_equal(offer_parse_breaks(NULL, &b, &n, &why), -1);
	assert_string_equal(why, "empty");
	assert_int_equal(offer_parse_breaks("1:x", &b, &n, NULL), -1);
	assert_int_equal(offer_parse_breaks("  ", &b, &n, NULL), 0);
	assert_int_equal(n, 0);
	assert_null(b);
}

UNIT_TEST(test_offers_csv_rows)
{
	static const char csv[] =
	    "\xef\xbb\xbf" HDR						/* 1 */
	    "RC0805FR-0710KL,Yageo,digikey,DigiKey,authorized,311-10KCT-ND,"
	    "1000,1,1,0,usd,1:0.10|10:0.08|100:0.05\n"			/* 2 */
	    "BAD-1,Acme,digikey,DigiKey,authorized,X1,1,1,1,0,USD,1:x\n" /* 3 */
	    "BAD-2,Acme,digikey,DigiKey,wholesale,X2,1,1,1,0,USD,1:1\n"	/* 4 */
	    ",Acme,digikey,DigiKey,authorized,X3,1,1,1,0,USD,1:1\n"	/* 5 */
	    "BAD-4,Acme,digikey\n"					/* 6 */
	    "\"PESD5V0S1BL,315\",\"Nex\"\"peria\",mouser,\"Mouser\n"	/* 7 */
	    "Electronics\",broker,771-PESD,0,10,10,42,USD,10:0.19\r\n"	/* 8 */
	    "\n"							/* 9 */
	    "BAD-5,Acme,lcsc,LCSC,direct,C1,-5,1,1,0,USD,1:1\n"		/* 10 */
	    "BAD-6,Acme,lcsc,LCSC,direct,C2,5,1,1,0,US,1:1\n"		/* 11 */
	    "BAD-7,Acme,lcsc,LCSC,direct,C3,5,1,1,0,USD,10:1|5:0.5\n"	/* 12 */
	    "BAD-8,Acme,lcsc,LCSC,direct,C4,5,1,1,9999,USD,1:1\n"	/* 13 */
	    "BAD-9,\"Ac\"me,lcsc,LCSC,direct,C5,5,1,1,0,USD,1:1\n"	/* 14 */
	    "NOPRICE,Acme,lcsc,,DIRECT,C6,5,0,0,3,USD,\n"		/* 15 */
	    "LAST,Acme,lcsc,LCSC,direct,C7,5,1,1,0,USD,\"1:1.5\"";	/* 16 */
	static const char *const want_errors[] = {
		"line 3: bad breaks '1:x' (not a number)",
		"line 4: bad supplier_type 'wholesale' (authorized, broker or "
		    "direct)",
		"line 5: empty mpn",
		"line 6: 3 fields, header has 12",
		"line 10: bad stock '-5' (out of range)",
		"line 11: bad currency 'US' (3 letters)",
		"line 12: bad breaks '10:1|5:0.5' (quantities not strictly "
		    "ascending)",
		"line 13: bad lead_time_days '9999' (out of range)",
		"line 14: text after a closing quote",
	};
	const struct offer want[] = {
		/* currency in any case */
		{ .line_no = 2, .mpn = "RC0805FR-0710KL",
		    .manufacturer = "Yageo", .supplier_id = "digikey",
		    .supplier_name = "DigiKey", .sku = "311-10KCT-ND",
		    .type = SUPPLIER_AUTHORIZED, .stock = 1000, .moq = 1,
		    .order_multiple = 1, .currency = "USD", .nbreaks = 3,
		    .breaks = (struct price_break[]){ { 1, 100000 },
		    { 10, 80000 }, { 100, 50000 } } },
		/* quoted comma, doubled quote, newline inside quotes, CRLF */
		{ .line_no = 7, .mpn = "PESD5V0S1BL,315",
		    .manufacturer = "Nex\"peria", .supplier_id = "mouser",
		    .supplier_name = "Mouser\nElectronics", .sku = "771-PESD",
		    .type = SUPPLIER_BROKER, .moq = 10, .order_multiple = 10,
		    .lead_time_days = 42, .currency = "USD", .nbreaks = 1,
		    .breaks = (struct price_break[]){ { 10, 190000 } } },
		/* no breaks is allowed (the offer is excluded later), empty
		 * name falls back to the id, type is case-insensitive */
		{ .line_no = 15, .mpn = "NOPRICE", .manufacturer = "Acme",
		    .supplier_id = "lcsc", .supplier_name = "lcsc",
		    .sku = "C6", .type = SUPPLIER_DIRECT, .stock = 5,
		    .lead_time_days = 3, .currency = "USD" },
		/* last row without a final newline, quoted breaks */
		{ .line_no = 16, .mpn = "LAST", .manufacturer = "Acme",
		    .supplier_id = "lcsc", .supplier_name = "LCSC", .sku = "C7",
		    .type = SUPPLIER_DIRECT, .stock = 5, .moq = 1,
		    .order_multiple = 1, .currency = "USD", .nbreaks = 1,
		    .breaks = (struct price_break[]){ { 1, 1500000 } } },
	};
	struct offer_list l;

	FIXTURE_OFFERS_PARSE(csv, &l, want_errors);
	assert_int_equal(l.nbad, 9);
	FIXTURE_OFFERS_EXPECT(&l, want);
	offer_list_free(&l);
	assert_int_equal(l.n, 0);
	assert_null(l.v);
	offer_list_free(NULL);
}

UNIT_TEST(test_offers_csv_header)
{
	static const char permuted[] =
	    "breaks, SKU ,mpn,supplier_id,supplier_type,supplier_name,"
	    "manufacturer,currency,stock,moq,order_multiple,lead_time_days,"
	    "extra\n"
	    "1:2.50,S1,ABC,mouser,authorized,Mouser,Acme,USD,7,1,1,3,x\n";
	static const struct unit_str_str bad[] = {
		{ "", "offers csv has no header" },
		{ "\n\n", "offers csv has no header" },
		{ "mpn,manufacturer,supplier_id,supplier_name,supplier_type,"
		    "sku,stock,moq,order_multiple,lead_time_days,currency\n",
		    "missing column 'breaks' in header" },
		{ "mpn,mpn,manufacturer,supplier_id,supplier_name,"
		    "supplier_type,sku,stock,moq,order_multiple,lead_time_days,"
		    "currency,breaks\n", "duplicate column 'mpn' in header" },
		{ "\"mpn,manufacturer", "line 1: header: unterminated quoted "
		    "field" },
	};
	struct offer_list l;
	char err[256];
	size_t i;

	assert_int_equal(offers_parse_csv(permuted, sizeof(permuted) - 1, &l,
	    err, sizeof(err)), 0);
	assert_int_equal(l.nerrors, 0);
	fixture_offers_expect(&l, &(struct offer){ .line_no = 2,
	    .mpn = "ABC", .manufacturer = "Acme", .supplier_id = "mouser",
	    .supplier_name = "Mouser", .sku = "S1",
	    .type = SUPPLIER_AUTHORIZED, .stock = 7, .moq = 1,
	    .order_multiple = 1, .lead_time_days = 3, .currency = "USD",
	    .nbreaks = 1, .breaks = (struct price_break[]){ { 1, 2500000 } } },
	    1);
	offer_list_free(&l);

	assert_int_equal(offers_parse_csv(HDR, strlen(HDR), &l, err,
	    sizeof(err)), 0);
	assert_int_equal(l.n, 0);
	offer_list_free(&l);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (offers_parse_csv(bad[i].in, strlen(bad[i].in), &l, err,
		    sizeof(err)) != -1)
			fail_msg("header row %zu accepted", i);
		assert_string_equal(err, bad[i].want);
		offer_list_free(&l);
	}
}

UNIT_TEST(test_offers_csv_duplicates_and_limits)
{
	static const char dup[] = HDR
	    "A,Acme,digikey,DigiKey,authorized,SKU1,1,1,1,0,USD,1:1.00\n"
	    "B,Acme,digikey,DigiKey,authorized,SKU2,1,1,1,0,USD,1:1.00\n"
	    "A,Acme,digikey,DigiKey,authorized,SKU1,9,1,1,0,USD,1:0.50\n";
	struct offer_list l;
	struct buf b;
	char err[256], *big;
	size_t i;

	/* the later row for (supplier_id, sku) wins, as a re-import would */
	assert_int_equal(offers_parse_csv(dup, sizeof(dup) - 1, &l, err,
	    sizeof(err)), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].mpn, "B");
	assert_string_equal(l.v[1].mpn, "A");
	assert_int_equal(l.v[1].stock, 9);
	assert_int_equal(l.nerrors, 1);
	assert_string_equal(l.errors[0], "line 2: duplicate offer "
	    "digikey/SKU1, a later row replaces it");
	offer_list_free(&l);

	/* errors kept are capped, bad rows are all counted */
	buf_init(&b);
	buf_puts(&b, HDR);
	for (i = 0; i < 1500; i++)
		buf_puts(&b, "x\n");
	assert_int_equal(offers_parse_csv(b.data, b.len, &l, err,
	    sizeof(err)), 0);
	assert_int_equal(l.nbad, 1500);
	assert_int_equal(l.nerrors, OFFERS_MAX_ERRORS);
	assert_string_equal(l.errors[0], "line 2: 1 fields, header has 12");
	offer_list_free(&l);

	/* more than 1,000,000 rows */
	for (i = 1500; i < OFFERS_MAX_ROWS + 1; i++)
		buf_puts(&b, "x\n");
	assert_int_equal(offers_parse_csv(b.data, b.len, &l, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "offers csv has more than 1000000 rows");
	offer_list_free(&l);
	buf_free(&b);

	/* more than 50 MB */
	big = xcalloc(OFFERS_MAX_BYTES + 1, 1);
	memcpy(big, HDR, strlen(HDR));
	assert_int_equal(offers_parse_csv(big, OFFERS_MAX_BYTES + 1, &l, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "larger than"));
	offer_list_free(&l);
	free(big);
}

/* An offer filled with borrowed strings owns copies after
 * offer_own_strings(); offer_free_fields() releases them. */
UNIT_TEST(test_offers_own_strings)
{
	char mpn[] = "RC0805FR-0710KL", sku[] = "311-10.0KCRCT-ND";
	struct offer o;
	const char *why;

	memset(&o, 0, sizeof(o));
	o.mpn = mpn;
	o.manufacturer = "";
	o.supplier_id = "digikey";
	o.supplier_name = "DigiKey";
	o.sku = sku;
	assert_int_equal(offer_parse_breaks("1:0.10|10:0.08", &o.breaks,
	    &o.nbreaks, &why), 0);
	offer_own_strings(&o);
	/* the copies no longer depend on what they were made from */
	memset(mpn, 'x', sizeof(mpn) - 1);
	memset(sku, 'x', sizeof(sku) - 1);
	assert_string_equal(o.mpn, "RC0805FR-0710KL");
	assert_string_equal(o.sku, "311-10.0KCRCT-ND");
	assert_string_equal(o.manufacturer, "");
	assert_string_equal(o.supplier_id, "digikey");
	assert_string_equal(o.supplier_name, "DigiKey");
	assert_null(o.datasheet_url);
	assert_non_null(o.strs);
	assert_true(o.mpn >= o.strs && o.sku >= o.strs);
	assert_int_equal(o.nbreaks, 2);
	offer_free_fields(&o);
	assert_null(o.mpn);
	assert_null(o.strs);
	assert_null(o.breaks);
	offer_free_fields(&o);
	offer_free_fields(NULL);
}

UNIT_TEST(test_offers_own_none)
{
	struct offer o;

	memset(&o, 0, sizeof(o));
	offer_own_strings(&o);
	assert_null(o.strs);
	assert_null(o.mpn);
	o.datasheet_url = "https://example.com/ds.pdf";
	offer_own_strings(&o);
	assert_string_equal(o.datasheet_url, "https://example.com/ds.pdf");
	assert_ptr_equal(o.datasheet_url, o.strs);
	offer_free_fields(&o);
}
