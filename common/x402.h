/*
 * x402 protocol version 1, "exact" scheme on EVM networks: the payment
 * requirements and 402 body, the X-PAYMENT header decoded and checked
 * against them, and the facilitator's /verify and /settle.
 */
#ifndef BOMD_X402_H
#define BOMD_X402_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define X402_VERSION		1
#define X402_SCHEME		"exact"
#define X402_AMOUNT_MAX		80	/* uint256 in decimal, and the NUL */
#define X402_ADDR_LEN		42	/* "0x" + 40 hex */
#define X402_NONCE_LEN		66	/* "0x" + 64 hex */
#define X402_NETWORK_MAX	64
#define X402_HEADER_MAX		16384	/* a longer X-PAYMENT is refused */
#define X402_SETTLE_MARGIN_S	6	/* validBefore at least this ahead */

/* The seller's side, from the x402.* keys (config_x402()). */
struct x402_config {
	bool		 enabled;
	const char	*facilitator_url;	/* borrowed, as the others */
	const char	*network;
	const char	*asset;			/* the token contract */
	const char	*asset_name;		/* EIP-712 domain name */
	const char	*asset_version;		/* EIP-712 domain version */
	const char	*pay_to;
	char		 amount[X402_AMOUNT_MAX];	/* the price, atomic */
	int64_t		 max_timeout_s;
	long		 connect_timeout_ms;
	long		 verify_timeout_ms;
	long		 settle_timeout_ms;
	size_t		 max_bytes;		/* a facilitator answer */
};

/* A decoded X-PAYMENT (PaymentPayload). */
struct x402_payment {
	json_t		*payload;	/* as sent, for the facilitator */
	char		 network[X402_NETWORK_MAX];
	char		 payer[X402_ADDR_LEN + 1];	/* from, lower case */
	char		 to[X402_ADDR_LEN + 1];		/* lower case */
	char		 value[X402_AMOUNT_MAX];	/* no leading zeros */
	char		 nonce[X402_NONCE_LEN + 1];	/* lower case */
	int64_t		 valid_after;
	int64_t		 valid_before;
	/* the requirement's asset, lower case, set by x402_payment_check() */
	char		 asset[X402_ADDR_LEN + 1];
};

enum x402_outcome {
	X402_OK,		/* valid, or settled */
	X402_REFUSED,		/* the facilitator said no; reason says why */
	X402_UNAVAILABLE,	/* no usable answer; nothing was taken */
	X402_UNKNOWN		/* settle: no answer, and the re-check could
				   not rule out that the payment was taken */
};

/* What the facilitator said; it owns nothing. */
struct x402_result {
	char	 reason[192];
	char	 payer[X402_ADDR_LEN + 1];	/* the facilitator's, or "" */
};

/* Fills out's timeouts and limits with the defaults; the rest zeroed. */
void		x402_config_defaults(struct x402_config *out);

/*
 * Converts a price such as "$0.05" or "0.05" into atomic units of a token
 * with decimals decimals ("50000" for 6) in out. More fraction digits
 * than decimals, zero, or anything else is an error: -1 with *why.
 */
int		x402_price_atomic(const char *price, int decimals, char *out,
		    size_t len, const char **why);

/* True for an EVM address: "0x" and 40 hex digits, any case. */
bool		x402_address_valid(const char *s);

/*
 * The PaymentRequirements for resource (the request's absolute URL) at
 * cfg's price: scheme, network, maxAmountRequired, resource, description,
 * mimeType, payTo, maxTimeoutSeconds, asset, extra {name, version}.
 * Never NULL; caller json_decref()s.
 */
json_t		*x402_requirements(const struct x402_config *cfg,
		    const char *resource, const char *description);

/*
 * The 402 body {x402Version, error, accepts: [requirements]}. Takes a
 * reference to requirements. Never NULL; caller json_decref()s.
 */
json_t		*x402_payment_required(const char *error,
		    json_t *requirements);

/*
 * Decodes an X-PAYMENT header (standard base64 of the PaymentPayload
 * JSON) into p and checks its shape: x402Version 1, scheme, network,
 * payload.signature, payload.authorization {from, to, value, validAfter,
 * validBefore, nonce}. Returns 0, or -1 with the reason in err. Free p's
 * contents with x402_payment_free(), also after a failure.
 */
int		x402_payment_decode(const char *header, struct x402_payment *p,
		    char *err, size_t errlen);

/*
 * Checks p against requirements at now (Unix seconds): scheme and network
 * equal, value equal to maxAmountRequired, to equal to payTo (any case),
 * validAfter reached and validBefore X402_SETTLE_MARGIN_S ahead. Sets
 * p->asset. Returns 0, or -1 with the reason in err.
 */
int		x402_payment_check(struct x402_payment *p,
		    const json_t *requirements, int64_t now, char *err,
		    size_t errlen);
void		x402_payment_free(struct x402_payment *p);

/*
 * POST {facilitator_url}/verify {x402Version, paymentPayload,
 * paymentRequirements}. X402_OK when isValid; X402_REFUSED with the
 * invalidReason; X402_UNAVAILABLE without a usable answer.
 */
enum x402_outcome x402_verify(const struct x402_config *cfg,
		    const struct x402_payment *p, const json_t *requirements,
		    struct x402_result *out);

/*
 * POST {facilitator_url}/settle, the same body, once. X402_OK when
 * settled, with *response the base64 of the answer for X-PAYMENT-RESPONSE
 * (caller frees; NULL on any other outcome); X402_REFUSED with the
 * errorReason. Without a usable answer it is never sent again: /verify
 * re-checks the authorization, and still valid (so not spent) is
 * X402_UNAVAILABLE, anything else X402_UNKNOWN.
 */
enum x402_outcome x402_settle(const struct x402_config *cfg,
		    const struct x402_payment *p, const json_t *requirements,
		    struct x402_result *out, char **response);

#endif
