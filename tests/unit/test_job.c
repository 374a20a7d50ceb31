/*
 * Unit tests for the worker's jobs (daemon/worker/job.c): the decided
 * lines' texts packed, read back as a copy beside the packed form, and
 * unpacked for good.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sourcing.h"
#include "unit.h"
#include "util.h"
#include "worker/job.h"

static const char *const texts[] = {
	"{\"reasons\":[\"in stock\"],\"flags\":[]}",
	NULL,				/* a line decided quietly */
	"{\"reasons\":[\"lead time\"],\"llm\":{\"effect\":\"escalated\"}}"
};
#define NTEXTS	(sizeof(texts) / sizeof(texts[0]))

/* A job with NTEXTS decided lines and their texts. */
static struct job *
job_with_texts(void)
{
	struct job *job;
	size_t i;

	job = job_new("1700000000000-0");
	assert_non_null(job);
	job->decisions = xcalloc(NTEXTS, sizeof(*job->decisions));
	job->od_text = xcalloc(NTEXTS + 1, sizeof(*job->od_text));
	job->ndecisions = NTEXTS;
	for (i = 0; i < NTEXTS; i++)
		job->od_text[i] = texts[i] != NULL ? xstrdup(texts[i]) : NULL;
	return job;
}

static void
assert_texts(const struct job *job)
{
	size_t i;

	assert_non_null(job->od_text);
	for (i = 0; i < NTEXTS; i++) {
		if (texts[i] == NULL)
			assert_null(job->od_text[i]);
		else
			assert_string_equal(job->od_text[i], texts[i]);
	}
}

/* A copy read beside the packed texts, freed again; packed all along. */
UNIT_TEST(test_peek)
{
	struct job *job = job_with_texts();

	assert_int_equal(job_od_pack(job), 0);
	assert_null(job->od_text);
	assert_non_null(job->od_z);
	assert_int_equal(job_od_peek(job), 0);
	assert_texts(job);
	assert_non_null(job->od_z);
	/* read twice: the same copy */
	assert_int_equal(job_od_peek(job), 0);
	assert_texts(job);
	job_od_unpeek(job);
	assert_null(job->od_text);
	assert_non_null(job->od_z);
	/* packing a copy frees it, the packed texts stay */
	assert_int_equal(job_od_peek(job), 0);
	assert_int_equal(job_od_pack(job), 0);
	assert_null(job->od_text);
	assert_int_equal(job_od_peek(job), 0);
	assert_texts(job);
	job_free(job);		/* with a copy out: both go */
}

/* Unpacked for good after a peek: the texts stay, the packed form goes. */
UNIT_TEST(test_unpack_after_peek)
{
	struct job *job = job_with_texts();

	assert_int_equal(job_od_pack(job), 0);
	assert_int_equal(job_od_peek(job), 0);
	assert_int_equal(job_od_unpack(job), 0);
	assert_null(job->od_z);
	assert_texts(job);
	/* not packed now: unpeek leaves texts that may have changed */
	job_od_unpeek(job);
	assert_texts(job);
	assert_int_equal(job_od_pack(job), 0);
	assert_int_equal(job_od_unpack(job), 0);
	assert_texts(job);
	job_free(job);
}

/* A job never packed: peek and unpeek leave its texts alone. */
UNIT_TEST(test_not_packed)
{
	struct job *job = job_with_texts();

	assert_int_equal(job_od_peek(job), 0);
	job_od_unpeek(job);
	assert_texts(job);
	assert_null(job->od_z);
	job_free(job);
}

/* Packed texts that do not inflate are an error, not a crash. */
UNIT_TEST(test_corrupt)
{
	struct job *job = job_with_texts();

	assert_int_equal(job_od_pack(job), 0);
	memset(job->od_z, 0xff, job->od_zlen);
	assert_int_equal(job_od_peek(job), -1);
	assert_null(job->od_text);
	assert_int_equal(job_od_unpack(job), -1);
	job_free(job);
}
