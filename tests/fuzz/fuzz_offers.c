/*
 * Fuzzes offers_parse_csv() (the catalog `bomd offers import` loads) and
 * checks what the header promises of the offers it keeps.
 */
#include <assert.h>
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "fuzz.h"
#include "offers.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct offer_list l;
	const struct offer *o;
	char err[256];
	size_t i, k;

	err[0] = '\0';
	if (offers_parse_csv((const char *)data, size, &l, err,
	    sizeof(err)) == -1)
		assert(err[0] != '\0');
	assert(l.nerrors <= OFFERS_MAX_ERRORS && l.nerrors <= l.nbad);
	for (i = 0; i < l.n; i++) {
		o = &l.v[i];
		assert(o->mpn[0] != '\0' && o->supplier_id[0] != '\0' &&
		    o->sku[0] != '\0' && o->manufacturer != NULL &&
		    o->supplier_name[0] != '\0');
		assert(o->stock >= 0 && o->moq >= 0 &&
		    o->order_multiple >= 0 && o->lead_time_days >= 0 &&
		    o->lead_time_days <= OFFERS_MAX_LEAD_DAYS);
		for (k = 0; k < 3; k++)
			assert(isupper((unsigned char)o->currency[k]));
		assert(o->currency[3] == '\0');
		assert(o->nbreaks <= OFFERS_MAX_BREAKS);
		for (k = 0; k < o->nbreaks; k++) {
			assert(o->breaks[k].qty >= 1 &&
			    o->breaks[k].unit_micros >= 0);
			assert(k == 0 ||
			    o->breaks[k].qty > o->breaks[k - 1].qty);
		}
		/* the optional columns: known values or unknown */
		assert((unsigned)o->lifecycle <= OFFER_LIFECYCLE_OBSOLETE &&
		    (unsigned)o->rohs <= OFFER_ROHS_NO);
		assert(o->country[0] == '\0' ||
		    (isupper((unsigned char)o->country[0]) &&
		    isupper((unsigned char)o->country[1]) &&
		    o->country[2] == '\0'));
		assert(strlen(o->packaging) < OFFER_PACKAGING_LEN);
		assert(o->datasheet_url == NULL ||
		    strncasecmp(o->datasheet_url, "http://", 7) == 0 ||
		    strncasecmp(o->datasheet_url, "https://", 8) == 0);
		/* one offer per (supplier_id, sku): the later row won */
		for (k = i + 1; k < l.n && k < i + 64; k++)
			assert(strcmp(o->supplier_id,
			    l.v[k].supplier_id) != 0 ||
			    strcmp(o->sku, l.v[k].sku) != 0);
	}
	offer_list_free(&l);
	return 0;
}
