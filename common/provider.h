/*
 * Live offer sources (DigiKey Product Information v4, Mouser Search, Nexar
 * supply GraphQL) behind one interface: the configured set, and one
 * concurrent fetch for a batch of MPNs on a single curl multi handle,
 * within request budgets and tokens shared by every process through Redis.
 */
#ifndef BOMD_PROVIDER_H
#define BOMD_PROVIDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hiredis/hiredis.h>

#include "offers.h"
#include "util.h"

enum provider_id {
	PROVIDER_DIGIKEY,
	PROVIDER_MOUSER,
	PROVIDER_NEXAR,
	PROVIDER_COUNT
};

/* A set of sources as a bit mask: 1u << PROVIDER_DIGIKEY, ... */
#define PROVIDER_BIT(id)	(1u << (id))
#define PROVIDER_ALL		((1u << PROVIDER_COUNT) - 1)

enum provider_outcome {
	PROVIDER_SKIPPED,	/* not asked: not configured, or still fresh */
	PROVIDER_OK,		/* answered; its offers (maybe none) are current */
	PROVIDER_FAILED,	/* error, timeout, unreadable answer: reason */
	PROVIDER_NO_BUDGET	/* its request budget is spent: reason */
};

/*
 * One source's settings (the providers.* keys; config_providers() fills
 * them). Strings are borrowed; provider_set_new() copies them. A source
 * is configured when enabled and its credentials are set.
 */
struct provider_config {
	bool		 enabled;
	const char	*client_id;	/* DigiKey, Nexar */
	const char	*client_secret;
	const char	*api_key;	/* Mouser */
	const char	*base_url;
	const char	*token_url;	/* Nexar; DigiKey's is under base_url */
	const char	*locale_site;	/* DigiKey */
	const char	*locale_language;
	const char	*currency;	/* DigiKey, Nexar: asked, not assumed */
	const char	*country;	/* Nexar */
	int64_t		 ttl_s;		/* offers stay fresh this long */
	int64_t		 per_minute;	/* request budget, all processes */
	int64_t		 per_day;
	int64_t		 match_limit;	/* Nexar: parts per MPN */
};

struct provider_settings {
	struct provider_config	src[PROVIDER_COUNT];
	int64_t			timeout_ms;	/* one HTTP request */
	int64_t			deadline_ms;	/* one whole fetch */
};

/* One MPN's answer from one source. */
struct provider_offers {
	enum provider_outcome	 outcome;
	char			*reason;	/* FAILED, NO_BUDGET; else NULL */
	struct offer		*v;		/* mpn is the MPN asked */
	size_t			 n;
};

/* What one source did in a fetch, for traces, logs and the API. */
struct provider_status {
	enum provider_outcome	outcome;	/* OK only when every MPN was */
	char			reason[256];	/* the first failure; "" */
	unsigned		calls;		/* HTTP requests, tokens too */
	size_t			nasked;
	size_t			nok;
	size_t			noffers;
	int64_t			ms;
};

/*
 * The answer to a fetch: res[p][i] is source p's answer for mpns[i]
 * (res[p] is NULL when p was asked about none). Free with
 * provider_batch_free().
 */
struct provider_batch {
	char			**mpns;
	size_t			  n;
	int64_t			  fetched_at;	/* Unix seconds */
	struct provider_status	  status[PROVIDER_COUNT];
	struct provider_offers	 *res[PROVIDER_COUNT];
};

struct provider_set;

/* "digikey", "mouser", "nexar": for name_of() and name_index(). */
extern const struct name_table provider_id_names;
/* "skipped", "ok", "failed", "out_of_budget": for name_of(). */
extern const struct name_table provider_outcome_names;

/*
 * Makes the set of sources from s; call after fork, one per process (it
 * owns a curl multi handle). NULL when curl cannot start. Secrets are
 * copied and wiped again by provider_set_free(), which accepts NULL.
 */
struct provider_set *provider_set_new(const struct provider_settings *s);
void		 provider_set_free(struct provider_set *ps);
/* Sources enabled with credentials, as PROVIDER_BIT()s. */
unsigned	 provider_set_configured(const struct provider_set *ps);
/*
 * The configured sources usable now: credentials not refused, daily
 * budget not spent (one look in redis each; NULL or down: none).
 */
unsigned	 provider_set_available(const struct provider_set *ps,
		    redisContext *redis);
/*
 * Appends the sources' counters (calls, errors, out of budget) and their
 * remaining budgets as Prometheus text (-1 and zeros when redis is NULL
 * or down).
 */
void		 provider_set_metrics(const struct provider_set *ps,
		    redisContext *redis, struct buf *out);
/* A source's settings (strings owned by ps). */
const struct provider_config *provider_set_config(
		    const struct provider_set *ps, enum provider_id id);

/*
 * Asks the configured sources about mpns[0..n): source p about mpns[i]
 * when bit p of ask[i] is set (ask NULL: every configured source about
 * every MPN). Requests run concurrently on the set's curl multi handle
 * within providers.deadline_ms; each takes a token from its source's
 * per-minute and per-day budgets in redis first, and DigiKey and Nexar
 * share their OAuth tokens there. A source that fails, times out, is
 * disabled or out of budget is reported in out->status and per MPN;
 * redis NULL or down fails every source (budgets cannot be kept).
 * Returns 0 with *out filled (caller frees with provider_batch_free()),
 * or -1 on bad arguments only.
 */
int		 provider_fetch(struct provider_set *ps, redisContext *redis,
		    const char *const *mpns, size_t n, const unsigned *ask,
		    struct provider_batch *out);
/* Frees what a batch owns and zeroes it; NULL is a no-op. */
void		 provider_batch_free(struct provider_batch *b);
/* The row of mpn in b (case-blind) into *i: 0, or -1 when absent. */
int		 provider_batch_find(const struct provider_batch *b,
		    const char *mpn, size_t *i);
/*
 * One line on what each asked source said about mpns[i], for a trace:
 * "digikey: 3 offers; mouser: failed (http 503), cached offers used".
 * Appended to out.
 */
void		 provider_batch_describe(const struct provider_batch *b,
		    size_t i, struct buf *out);

#endif
