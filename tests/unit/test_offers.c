/*
 * Unit tests for common/offers.c's ownership: an offer filled with
 * borrowed strings owns copies of them after offer_own_strings(), and
 * offer_free_fields() releases them (ASan/LSan check the rest).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "offers.h"
#include "util.h"

static void
test_offers_own_strings(void **state)
{
	char mpn[] = "RC0805FR-0710KL", sku[] = "311-10.0KCRCT-ND";
	struct offer o;
	const char *why;

	(void)state;
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

static void
test_offers_own_none(void **state)
{
	struct offer o;

	(void)state;
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_offers_own_strings),
		cmocka_unit_test(test_offers_own_none),
	};

	return cmocka_run_group_tests_name("offers", tests, NULL, NULL);
}
