/*
 * The master's upkeep between signals: accepted jobs Redis lost are queued
 * again from PostgreSQL (reconciliation), old rows, long traces and dead
 * letters are trimmed (retention), and the API process is asked whether
 * it still answers.
 */
#ifndef BOMD_UPKEEP_H
#define BOMD_UPKEEP_H

#include <stdint.h>

struct config;
struct upkeep;

/* Nothing is connected yet; caller frees with upkeep_free(). */
struct upkeep	*upkeep_new(void);
/* Closes its connections; NULL does nothing. */
void		 upkeep_free(struct upkeep *u);
/*
 * Runs what is due by now under cfg (read afresh each time: a reload
 * applies at once) and returns when something is due next (now_ms()
 * time). Failures are logged and tried again at the next turn; with
 * several masters on one Redis, one at a time does each task.
 */
int64_t		 upkeep_run(struct upkeep *u, const struct config *cfg);

/*
 * Asks the API process on cfg->listen for GET / (on the loopback when it
 * listens on every address): 1 when an HTTP answer came within 2 s, 0
 * when not, -1 when it cannot ask.
 */
int		 upkeep_probe_api(const struct config *cfg);

#endif
