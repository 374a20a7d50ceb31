/*
 * What the files of the offer sources share: a source's settings and
 * Redis prefix, one HTTP request of a fetch, and the table of operations
 * each source (provider_digikey.c, provider_mouser.c, provider_nexar.c)
 * fills in. Only provider*.c include this.
 */
#ifndef BOMD_PROVIDER_INTERNAL_H
#define BOMD_PROVIDER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>
#include <jansson.h>

#include "provider.h"
#include "util.h"

#define PROVIDER_MAX_PER_CALL	20	/* MPNs in one request */
#define PROVIDER_REASON_MAX	200	/* bytes of a server's message kept */

/* How an answer (or a failure to get one) ends a request. */
enum provider_verdict {
	PROVIDER_V_OK,		/* answered; per-MPN results are set */
	PROVIDER_V_FAILED,	/* this request failed: why */
	PROVIDER_V_RETRY,	/* transient (5xx, reset): once more */
	PROVIDER_V_EXPIRED,	/* the token was refused: refresh, once */
	PROVIDER_V_CONFIG,	/* credentials refused: disable the source */
	PROVIDER_V_RATE,	/* 429: wait (Retry-After) and retry */
	PROVIDER_V_DAY		/* the daily limit is spent */
};

/* One source of a set: settings (owned copies) and derived strings. */
struct provider_src {
	const struct provider_ops	*ops;
	struct provider_config		 cfg;	/* strings in strs */
	char				*strs;	/* cfg's strings, one block */
	size_t				 strs_len;
	bool				 configured;
	char				 prefix[96];	/* Redis keys */
	char				*token_url;	/* OAuth sources */
	char				 disabled[256];	/* this process saw
							   the credentials
							   refused */
};

struct provider_run;

/* One HTTP request: a search for some MPNs of the batch, or a token. */
struct provider_call {
	struct provider_run	*run;
	bool			 is_token;
	size_t			 idx[PROVIDER_MAX_PER_CALL];	/* batch MPNs */
	size_t			 nidx;
	int			 state;		/* provider_fetch.c */
	int64_t			 next_at;	/* ms: not before */
	int			 tries;		/* retries after 5xx, 429 */
	bool			 refreshed;	/* token refused once */
	char			*token;		/* the one sent; owned */
	CURL			*easy;
	struct curl_slist	*hdrs;
	char			*url;
	char			*body;
	struct buf_cap		 resp;		/* the answer */
	long			 status;
	/* from the answer's headers; -1 when absent */
	int64_t			 retry_after_ms;
	int64_t			 burst_remaining;	/* DigiKey */
	int64_t			 day_remaining;
	int64_t			 day_reset_ms;
};

/* A source's part in one fetch (provider_fetch.c drives it). */
struct provider_run {
	struct provider_src	*src;
	struct provider_batch	*batch;
	struct provider_call	*calls;
	size_t			 ncalls;
	size_t			 ndone;
	size_t			 inflight;
	int			 token_state;	/* provider_fetch.c */
	char			*token;		/* the shared one; owned */
	char			 owner[33];	/* refresh lock value */
	int64_t			 token_next_at;	/* ms: look again */
	struct provider_call	 tokcall;	/* our token request */
	int64_t			 started_ms;
	bool			 stopped;	/* disabled or out of budget */
	enum provider_outcome	 stop_outcome;	/* for requests after it */
	char			 stop_why[300];
};

/*
 * A source's operations. build() sets the call's url, headers and body
 * for a search of its MPNs (mpns: the batch's); answer() judges the reply
 * (body: the parsed JSON or NULL) and, on PROVIDER_V_OK, records every
 * MPN of the call with provider_call_offer() / provider_call_fail() /
 * provider_call_done(). Both write a reason into why on failure.
 */
struct provider_ops {
	enum provider_id	 id;
	bool			 oauth;		/* client-credentials token */
	const char		*scope;		/* token scope, NULL: none */
	size_t			 per_call;	/* MPNs per request */
	int			(*build)(struct provider_call *call,
				    const struct provider_src *src,
				    const char *token,
				    const char *const *mpns, char *why,
				    size_t len);
	enum provider_verdict	(*answer)(struct provider_call *call,
				    const struct provider_src *src, long status,
				    const json_t *body, char *why, size_t len);
};

/* provider.c: the set's parts, for provider_fetch.c */
struct provider_src	*provider_set_src(struct provider_set *ps,
			    enum provider_id id);
CURLM			*provider_set_multi(struct provider_set *ps,
			    int64_t *timeout_ms, int64_t *deadline_ms);

/* provider.c: what the sources call while answering */

/* The batch MPN of the call's k-th slot (borrowed). */
const char	*provider_call_mpn(const struct provider_call *call, size_t k);
/*
 * Adds o (taken over: its strings and breaks now belong to the batch) to
 * the call's k-th MPN; source, fetched_at and mpn are set here.
 */
void		 provider_call_offer(struct provider_call *call, size_t k,
		    struct offer *o);
/* Marks the call's k-th MPN answered (its offers, maybe none, current). */
void		 provider_call_done(struct provider_call *call, size_t k);
/* Marks the call's k-th MPN failed with why. */
void		 provider_call_fail(struct provider_call *call, size_t k,
		    const char *why);

/* An MPN as compared across sources: upper case, no blanks. */
void		 provider_mpn_key(const char *mpn, char *out, size_t len);
/* True when a returned MPN is the one asked (provider_mpn_key()). */
bool		 provider_mpn_same(const char *a, const char *b);
/* A supplier id from a seller's name: "Digi-Key" -> "digikey". */
void		 provider_supplier_id(const char *name, char *out,
		    size_t len);
/*
 * Sorts o's breaks by quantity and drops repeated quantities and breaks
 * below 1; the offer keeps at most OFFERS_MAX_BREAKS.
 */
void		 provider_breaks_tidy(struct offer *o);
/* A JSON number (integer or real) as micro-units, rounded; -1 if none. */
int64_t		 provider_json_micros(const json_t *v);
/* A JSON integer, or a string of one, or dflt. */
int64_t		 provider_json_int(const json_t *v, int64_t dflt);
/* Copies a server's message, cut to PROVIDER_REASON_MAX and one line. */
void		 provider_reason(char *why, size_t len, const char *prefix,
		    const char *msg);
/*
 * A RoHS text ("ROHS3 Compliant", "RoHS Compliant By Exemption",
 * "Non-RoHS Compliant", "Not Compliant") as yes, no or unknown.
 */
enum offer_rohs	 provider_rohs(const char *s);

#endif
