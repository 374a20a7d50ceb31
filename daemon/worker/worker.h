/*
 * A worker process: reads jobs from the stream, runs the flow, commits the
 * result and acknowledges the entry.
 */
#ifndef BOMD_WORKER_H
#define BOMD_WORKER_H

struct config;

/*
 * Runs worker number slot until SIGTERM. Connects to Redis and PostgreSQL
 * itself (call it after fork). Returns the process exit status: 0 on a
 * clean stop, 2 when it cannot start.
 */
int	worker_main(const struct config *cfg, int slot);

/* The consumer name of a slot on this host ("host:3"); 0 or -1. */
int	worker_consumer_name(int slot, char *buf, size_t len);

#endif
