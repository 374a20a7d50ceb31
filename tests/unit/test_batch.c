/*
 * Unit tests for the worker's batches (daemon/worker/batch.c): how a move
 * of a queue entry starts from the entry as it stands.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "unit.h"
#include "worker/batch.h"

UNIT_TEST(test_move_init)
{
	static const enum queue_dest dests[] = {
		QUEUE_TO_STREAM, QUEUE_TO_RETRY, QUEUE_TO_DEAD
	};
	char id[] = "1700000000000-0", job[] = "{\"client_id\":\"c\"}";
	char err[] = "llm: timeout";
	struct queue_entry e = { id, job, strlen(job), 3, 2, 4, err };
	struct queue_move mv;
	size_t i;

	for (i = 0; i < sizeof(dests) / sizeof(dests[0]); i++) {
		memset(&mv, 0xa5, sizeof(mv));
		batch_move_init(&mv, &e, dests[i]);
		assert_int_equal(mv.dest, dests[i]);
		assert_int_equal(mv.delay_ms, 0);
		assert_ptr_equal(mv.job, job);
		assert_int_equal(mv.job_len, strlen(job));
		assert_int_equal(mv.crashes, 2);
		assert_int_equal(mv.retries, 4);
		assert_ptr_equal(mv.error, err);
		assert_null(mv.client_id);
		assert_null(mv.job_id);
	}
}

/* An entry read without a job field or a last error moves as it is. */
UNIT_TEST(test_move_init_bare)
{
	char id[] = "1-0";
	struct queue_entry e = { id, NULL, 0, 0, 0, 0, NULL };
	struct queue_move mv;

	batch_move_init(&mv, &e, QUEUE_TO_STREAM);
	assert_null(mv.job);
	assert_int_equal(mv.job_len, 0);
	assert_int_equal(mv.crashes, 0);
	assert_int_equal(mv.retries, 0);
	assert_null(mv.error);
}
