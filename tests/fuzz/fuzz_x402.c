/*
 * Fuzzes the X-PAYMENT header: x402_payment_decode() on the input as the
 * header text and on the input as the payload JSON (base64-encoded first,
 * so the fuzzer reaches the fields), then x402_payment_check() against a
 * fixed price. Also the base64 decoder and its round trip, and the price
 * and address parsers on the input text.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base64.h"
#include "fuzz.h"
#include "x402.h"

#define FUZZ_X402_NOW	1767225600	/* 2026-01-01 */

static struct x402_config fuzz_x402_cfg;
static json_t *fuzz_x402_req;

static void
fuzz_x402_init(void)
{
	const char *why;

	x402_config_defaults(&fuzz_x402_cfg);
	fuzz_x402_cfg.enabled = true;
	fuzz_x402_cfg.network = "base-sepolia";
	fuzz_x402_cfg.asset = "0x036CbD53842c5426634e7929541eC2318f3dCF7e";
	fuzz_x402_cfg.asset_name = "USDC";
	fuzz_x402_cfg.asset_version = "2";
	fuzz_x402_cfg.pay_to = "0x209693Bc6afc0C5328bA36FaF03C514EF312287C";
	fuzz_x402_cfg.max_timeout_s = 60;
	if (x402_price_atomic("$0.05", 6, fuzz_x402_cfg.amount,
	    sizeof(fuzz_x402_cfg.amount), &why) == -1)
		abort();
	fuzz_x402_req = x402_requirements(&fuzz_x402_cfg,
	    "https://bomd.example/v1/chat/completions", "one chat answer");
}

static void
fuzz_x402_header(const char *header)
{
	struct x402_payment p;
	char err[256];

	err[0] = '\0';
	if (x402_payment_decode(header, &p, err, sizeof(err)) == 0) {
		assert(json_is_object(p.payload));
		assert(strlen(p.payer) == X402_ADDR_LEN &&
		    strlen(p.to) == X402_ADDR_LEN &&
		    strlen(p.nonce) == X402_NONCE_LEN && p.value[0] != '\0');
		err[0] = '\0';
		if (x402_payment_check(&p, fuzz_x402_req, FUZZ_X402_NOW, err,
		    sizeof(err)) == 0)
			assert(strcmp(p.value, fuzz_x402_cfg.amount) == 0);
		else
			assert(err[0] != '\0');
	} else
		assert(err[0] != '\0');
	x402_payment_free(&p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *back;
	char *s, *enc, out[X402_AMOUNT_MAX];
	const char *why;
	size_t n;

	if (fuzz_x402_req == NULL)
		fuzz_x402_init();
	s = fuzz_str(data, size);
	fuzz_x402_header(s);
	(void)x402_address_valid(s);
	if (x402_price_atomic(s, 6, out, sizeof(out), &why) == 0)
		assert(out[0] >= '1' && out[0] <= '9');
	free(s);
	enc = base64_encode(data, size);
	fuzz_x402_header(enc);
	back = base64_decode(enc, strlen(enc), &n);
	assert(back != NULL && n == size && memcmp(back, data, n) == 0);
	free(back);
	free(enc);
	return 0;
}
