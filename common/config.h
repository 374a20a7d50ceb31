/*
 * Configuration: a libconfig file plus BOMD_* environment overrides (the
 * environment wins). Every key is one row of a table in config.c.
 */
#ifndef BOMD_CONFIG_H
#define BOMD_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#define CONFIG_DEFAULT_PATH	"/etc/bomd/bomd.conf"

struct config {
	char	*database_url;
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
	int64_t	 sync_wait;		/* seconds */
	int64_t	 max_upload;		/* bytes */
	char	*log_level;
	int64_t	 job_max_attempts;
	int64_t	 job_lease_ms;
	int64_t	 attrition_bp;		/* costing: basis points */
	int64_t	 setup_extra;		/* costing: parts per line */
	int64_t	 grace_period;		/* seconds a stopping worker finishes */
};

/*
 * Loads path (NULL: the default path, which may be absent; an explicit path
 * must exist) and applies the environment. Returns 0, or -1 with one line
 * naming the key in err. Free with config_free().
 */
int	config_load(const char *path, struct config *cfg, char *err,
	    size_t errlen);
void	config_free(struct config *cfg);

#endif
