/*
 * Golden tables for common/offer_text.c: localised price strings as
 * Mouser, DigiKey and Nexar send them, stock texts and lead times.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "offer_text.h"
#include "unit.h"

#define NBSP	"\xc2\xa0"
#define NNBSP	"\xe2\x80\xaf"
#define EURO	"\xe2\x82\xac"
#define YEN	"\xc2\xa5"
#define POUND	"\xc2\xa3"

UNIT_TEST(test_price_golden)
{
	/* text: the ISO currency code the price names, "" for none */
	static const struct unit_num_text rows[] = {
		{ "$1.23", 0, 1230000, "" },
		{ "$0.0125", 0, 12500, "" },
		{ "$1,234.56", 0, 1234560000, "" },
		{ "US$ 12.50", 0, 12500000, "USD" },
		{ "6,85 " EURO, 0, 6850000, "EUR" },
		{ "1.234,56 " EURO, 0, 1234560000, "EUR" },
		{ "1 234,56 " EURO, 0, 1234560000, "EUR" },
		{ "1" NBSP "234,56" NBSP EURO, 0, 1234560000, "EUR" },
		{ "1" NNBSP "234,56" NNBSP EURO, 0, 1234560000, "EUR" },
		{ EURO "0,123", 0, 123000, "EUR" },
		{ "7,20 kr", 0, 7200000, "" },
		{ "6.817,20 kr", 0, 6817200000, "" },
		{ "6 817,20 kr", 0, 6817200000, "" },
		{ "0,50 kr.", 0, 500000, "" },
		{ YEN "32.8", 0, 32800000, "" },
		{ YEN "1,234.5", 0, 1234500000, "" },
		{ POUND "0.45", 0, 450000, "GBP" },
		{ "CHF 1'234.50", 0, 1234500000, "CHF" },
		{ "12,34 z\xc5\x82", 0, 12340000, "PLN" },
		{ "1.23 USD", 0, 1230000, "USD" },
		{ "EUR 2,5", 0, 2500000, "EUR" },
		{ "0.1", 0, 100000, "" },
		{ "3", 0, 3000000, "" },
		{ ".5", 0, 500000, "" },
		{ "$.75", 0, 750000, "" },
		{ "1.000.000", 0, 1000000000000, "" },
		{ "1,000,000", 0, 1000000000000, "" },
		{ "0.12345678", 0, 123457, "" },		/* rounded */
		{ "0.1234564", 0, 123456, "" },
		{ "  $2.00  ", 0, 2000000, "" },
		{ "", -1, 0, "" },
		{ "N/A", -1, 0, "" },
		{ "-1.00", -1, 0, "" },
		{ "$-1.00", -1, 0, "" },
		{ "1.2.3,4,5", -1, 0, "" },
		{ "12,34,5", -1, 0, "" },
		{ "1,2345.00", -1, 0, "" },
		{ "1x2", -1, 0, "" },
		{ "1.00 bananas", -1, 0, "" },
		{ "$ 1.00 USD", -1, 0, "" },
	};
	int64_t v;

	unit_check_numbers_text(rows, sizeof(rows) / sizeof(rows[0]),
	    offer_text_price);
	/* NULL cur and why are allowed */
	assert_int_equal(offer_text_price("1.00", &v, NULL, NULL), 0);
	assert_int_equal(offer_text_price(NULL, &v, NULL, NULL), -1);
}

UNIT_TEST(test_qty_golden)
{
	static const struct unit_num rows[] = {
		{ "6178 In Stock", 0, 6178 },
		{ "6178", 0, 6178 },
		{ "6,178 In Stock", 0, 6178 },
		{ "1.234.567", 0, 1234567 },
		{ "12 345 pcs", 0, 12345 },
		{ "12" NBSP "345", 0, 12345 },
		{ " 0 ", 0, 0 },
		{ "1,2345", 0, 1 },
		{ "None", -1, 0 },
		{ "On Order", -1, 0 },
		{ "", -1, 0 },
		{ "-5", -1, 0 },
		{ "99999999999999999999", -1, 0 },
	};
	int64_t v;

	unit_check_numbers(rows, sizeof(rows) / sizeof(rows[0]),
	    offer_text_qty);
	assert_int_equal(offer_text_qty(NULL, &v, NULL), -1);
}

UNIT_TEST(test_days_golden)
{
	/* arg: the unit, in days, of a number that names none */
	static const struct unit_num_arg rows[] = {
		{ "42 Days", 1, 0, 42 },
		{ "1 Day", 1, 0, 1 },
		{ "6 Weeks", 1, 0, 42 },
		{ "6 Wochen", 1, 0, 42 },
		{ "14 Tage", 1, 0, 14 },
		{ "14 d\xc3\xad" "as", 1, 0, 14 },
		{ "3 wk", 1, 0, 21 },
		{ "8-10 weeks", 1, 0, 70 },
		{ "8 to 10 weeks", 1, 0, 70 },
		{ "16", 7, 0, 112 },
		{ "16", 1, 0, 16 },
		{ "0", 7, 0, 0 },
		{ "42 Days.", 1, 0, 42 },
		{ "N/A", 7, -1, 0 },
		{ "", 7, -1, 0 },
		{ "Contact us", 7, -1, 0 },
		{ "12 parsecs", 1, -1, 0 },
		{ "9999 weeks", 1, -1, 0 },
	};
	int64_t v;

	unit_check_numbers_arg(rows, sizeof(rows) / sizeof(rows[0]),
	    offer_text_days);
	assert_int_equal(offer_text_days(NULL, 1, &v, NULL), -1);
}
