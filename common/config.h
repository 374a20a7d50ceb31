/*
 * Configuration: a libconfig file plus BOMD_* environment overrides (the
 * environment wins). Every key is one row of a table in config.c.
 */
#ifndef BOMD_CONFIG_H
#define BOMD_CONFIG_H

#include <netinet/in.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct llm_config;
struct oidc_config;
struct provider_settings;
struct x402_config;

#define CONFIG_DEFAULT_PATH	"/etc/bomd/bomd.conf"

/* One live offer source's providers.NAME.* keys (provider.h). */
struct config_provider {
	bool	 enabled;		/* and credentials set: in use */
	char	*client_id;		/* DigiKey, Nexar */
	char	*client_secret;
	char	*api_key;		/* Mouser */
	char	*base_url;
	char	*token_url;		/* Nexar */
	char	*locale_site;		/* DigiKey */
	char	*locale_language;
	char	*currency;		/* DigiKey, Nexar */
	char	*country;		/* Nexar */
	int64_t	 ttl;			/* seconds offers stay fresh */
	int64_t	 per_minute;		/* request budget, every process */
	int64_t	 per_day;
	int64_t	 limit;			/* Nexar: parts per MPN */
};

struct config {
	char	*database_url;
	char	*database_role;	/* SET ROLE for API and workers; "none" */
	char	*database_owner_url;	/* migrate, offline commands; NULL: */
					/* database_url (one role) */
	char	*metrics_token;		/* NULL: /metrics needs none */
	char	*redis_url;
	char	*listen;
	int64_t	 workers;
	char	*admin_key;		/* NULL: admin routes disabled */
	char	*llm_provider;		/* "none" or "openai" */
	char	*llm_base_url;
	char	*llm_api_key;		/* NULL when unset */
	char	*llm_model;
	int64_t	 llm_timeout_ms;
	int64_t	 llm_max_retries;
	int64_t	 llm_max_concurrency;
	int64_t	 llm_connect_timeout_ms;
	int64_t	 llm_deadline_ms;	/* one request, retries included */
	int64_t	 llm_job_deadline_ms;	/* no new LLM wave after this */
	int64_t	 llm_max_reasks;
	int64_t	 llm_batch_size;	/* BOM lines per request */
	int64_t	 llm_requests_per_min;	/* shared by every worker; 0 = no cap */
	int64_t	 llm_tokens_per_min;	/* shared by every worker; 0 = no cap */
	int64_t	 llm_backoff_base_ms;
	int64_t	 llm_backoff_cap_ms;
	int64_t	 llm_retry_after_cap_ms;
	int64_t	 llm_price_in_micros;	/* per 1M prompt tokens */
	int64_t	 llm_price_out_micros;	/* per 1M completion tokens */
	bool	 x402_enabled;		/* pay-per-request; see x402.h */
	char	*x402_facilitator_url;
	char	*x402_network;
	char	*x402_asset;		/* the token contract */
	char	*x402_asset_name;
	char	*x402_asset_version;
	int64_t	 x402_asset_decimals;
	char	*x402_pay_to;
	char	*x402_price;		/* "$0.05"; atomic in config_x402() */
	int64_t	 x402_max_timeout_seconds;
	int64_t	 x402_verify_timeout_ms;	/* a facilitator's /verify */
	int64_t	 x402_settle_timeout_ms;	/* its /settle, never retried */
	int64_t	 oidc_jwks_ttl_s;	/* an issuer's keys are fresh: 600 */
	int64_t	 oidc_jwks_refetch_s;	/* one fetch per issuer per: 60 */
	int64_t	 oidc_jwks_stale_s;	/* kept past the TTL in outages */
	bool	 oidc_loopback_http;	/* tests: http:// issuers on loopback */
	int64_t	 sync_wait;		/* seconds */
	int64_t	 max_upload;		/* bytes */
	char	*log_level;
	int64_t	 job_max_attempts;
	int64_t	 job_lease_ms;
	int64_t	 job_timeout_ms;	/* a try over this is failed, retried */
	int64_t	 job_retry_base_ms;	/* first retry delay, then doubled */
	int64_t	 worker_max_jobs;	/* recycle a worker after; 0 never */
	int64_t	 worker_inflight;	/* jobs one worker holds at once */
	int64_t	 attrition_bp;		/* costing: basis points */
	int64_t	 setup_extra;		/* costing: parts per line */
	int64_t	 grace_period;		/* seconds a stopping worker finishes */
	int64_t	 api_probe_every;	/* s between probes of the API; 0 off */
	int64_t	 reconcile_after;	/* s a queued job may be missing from */
					/* Redis before it is queued again; 0 */
					/* off */
	int64_t	 retention_days;	/* final jobs, LLM calls...; 0 keeps */
	int64_t	 retention_trace_steps;	/* a project's trace; 0 keeps all */
	int64_t	 retention_dead_max;	/* bomd:dead entries; 0 uncapped */
	int64_t	 retention_every;	/* seconds between retention runs */
	int64_t	 rate_limit;		/* requests/s per API key; 0 = off */
	int64_t	 rate_burst;		/* bucket size */
	int64_t	 auth_fail_limit;	/* failed auths a minute per address */
					/* before it is refused; 0 = off */
	int64_t	 per_ip_connections;	/* open at once per address; 0 = any */
	int64_t	 unauth_timeout;	/* s idle before a close, until a */
					/* request authenticates */
	int64_t	 streams_per_client;	/* at once; 0 = no cap */
	int64_t	 waits_per_client;
	int64_t	 chats_per_client;
	int64_t	 api_cache_bytes;	/* rendered project documents */
					/* the API keeps; 0 = none */
	struct config_provider digikey;
	struct config_provider mouser;
	struct config_provider nexar;
	int64_t	 providers_timeout_ms;	/* one request to a source */
	int64_t	 providers_deadline_ms;	/* one fetch, every source */
};

/*
 * Loads path (NULL: the default path, which may be absent; an explicit path
 * must exist) and applies the environment. Returns 0, or -1 with one line
 * naming the key in err. Free with config_free().
 */
int	config_load(const char *path, struct config *cfg, char *err,
	    size_t errlen);
void	config_free(struct config *cfg);

/*
 * The IPv4 address of listen ("ADDRESS:PORT"; ADDRESS "*" or empty: any,
 * "localhost": the loopback) into sa. 0, or -1 when it is none: the one
 * parse config_check() and the API's socket use.
 */
int	config_listen_addr(const char *listen, struct sockaddr_in *sa);

/* Whether decisions are reviewed by a model (llm.provider openai). */
bool	config_llm_on(const struct config *cfg);
/*
 * Fills an LLM client's settings from cfg (llm_config_defaults() first, then
 * every llm.* key). The strings are borrowed from cfg, which must outlive
 * the llm_client_new() call that copies them.
 */
void	config_llm(const struct config *cfg, struct llm_config *out);

/* Fills an OIDC key cache's settings from cfg's oidc.* keys. */
void	config_oidc(const struct config *cfg, struct oidc_config *out);

/*
 * Fills the live offer sources' settings from the providers.* keys. The
 * strings are borrowed from cfg, which must outlive the
 * provider_set_new() call that copies them.
 */
void	config_providers(const struct config *cfg,
	    struct provider_settings *out);

/*
 * Fills the x402 seller's settings from cfg (x402_config_defaults() first,
 * then every x402.* key, the price in atomic units). The strings are
 * borrowed from cfg, which must outlive out.
 */
void	config_x402(const struct config *cfg, struct x402_config *out);

#endif
