/*
 * A batch: the entries one read brought, run through the flow together and
 * committed in one transaction, then acknowledged together.
 */
#ifndef BOMD_WORKER_BATCH_H
#define BOMD_WORKER_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include <hiredis/hiredis.h>
#include <libpq-fe.h>

#include "job.h"
#include "queue.h"

struct cache;
struct config;
struct provider_set;

/* A worker process's state, shared by its loop and its batches. */
struct worker {
	const struct config	*cfg;
	int			 slot;
	char			 consumer[128];
	redisContext		*redis;
	PGconn			*db;
	struct cache		*cache;
	struct provider_set	*providers;	/* live sources, or NULL */
	int64_t			 jobs_done;
};

/*
 * Runs entries e[0..n) to their end: committed and acknowledged, moved to
 * the retry set or the dead letters, or rejected. STAGE_RETRY when a
 * connection failed on the way: entries not yet moved stay pending for
 * this consumer (the caller reconnects and reads its pending entries).
 */
enum stage_rc	batch_run(struct worker *w, struct queue_entry *e, size_t n);
/*
 * Fills mv to send entry e to dest as it stands: its job, crash and retry
 * counts and last error; the caller changes what the move changes.
 */
void		batch_move_init(struct queue_move *mv,
		    const struct queue_entry *e, enum queue_dest dest);

#endif
