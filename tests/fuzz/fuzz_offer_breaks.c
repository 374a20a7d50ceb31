/*
 * Fuzzes offer_parse_breaks() ("1:0.10|10:0.08") and checks the breaks it
 * returns; each price also survives money_format() and parse_money().
 */
#include <assert.h>
#include <stdlib.h>

#include "fuzz.h"
#include "offers.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct price_break *v;
	const char *why = NULL;
	char *s, money[32];
	size_t n, i;
	int64_t back;

	s = fuzz_str(data, size);
	if (offer_parse_breaks(s, &v, &n, &why) == -1) {
		assert(why != NULL && v == NULL && n == 0);
		free(s);
		return 0;
	}
	assert(n <= OFFERS_MAX_BREAKS && (n == 0) == (v == NULL));
	for (i = 0; i < n; i++) {
		assert(v[i].qty >= 1 && v[i].qty <= OFFERS_MAX_QTY);
		assert(i == 0 || v[i].qty > v[i - 1].qty);
		assert(v[i].unit_micros >= 0);
		money_format(v[i].unit_micros, money, sizeof(money));
		assert(parse_money(money, &back, NULL) == 0);
		assert(back == v[i].unit_micros);
	}
	free(v);
	free(s);
	return 0;
}
