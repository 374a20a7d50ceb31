/*
 * x402 pay-per-request on the payable routes: a request without
 * credentials pays with X-PAYMENT. Its payment is admitted first (checked,
 * its nonce reserved, verified by the facilitator, its wallet's client
 * found or made); the job then runs, and only a settled payment commits
 * its result and hands over a project token.
 */
#ifndef BOMD_API_X402_H
#define BOMD_API_X402_H

#include <stdbool.h>

#include <jansson.h>
#include <microhttpd.h>

struct api_request;
struct api_route;
struct api_x402;
struct config;

/* Reads the x402.* settings; call before the request threads start. */
void		api_x402_init(const struct config *cfg);
/* True when x402 is enabled and rt has a price. */
bool		api_x402_payable(const struct api_route *rt);
/*
 * Admits a paid request for the payable route rt at url: 0 with
 * r->client_id (the payer's client) and r->x402 set, or -1 after
 * answering in *ret: 402 with the payment requirements when X-PAYMENT is
 * missing, malformed, not what they ask, already used, or refused by the
 * facilitator; 403 for a deactivated client; 503 database unavailable.
 */
int		api_x402_admit(struct MHD_Connection *c, struct api_request *r,
		    const struct api_route *rt, const char *url,
		    enum MHD_Result *ret);
/*
 * Answers a paid request's job, whose answer would be status with body
 * (taken over): a failed job is not sold; otherwise the payment is
 * settled, and then the answer carries project_token and
 * X-PAYMENT-RESPONSE. Unless settled, the job's project and token are
 * removed (its jobs row stays, failed, so a run still under way commits
 * nothing) and the answer is 402.
 */
enum MHD_Result	api_x402_finish(struct MHD_Connection *c,
		    struct api_request *r, unsigned int status, json_t *body);
/* Frees a paid request's payment state; NULL does nothing. */
void		api_x402_free(struct api_x402 *x);

#endif
