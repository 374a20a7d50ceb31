/*
 * Fuzzes job_parse(): the job field of a Redis stream entry, which any
 * client that can write to the stream controls. Its direct scan must give
 * what jansson gives: the same outcome, error and fields.
 */
#include <assert.h>
#include <string.h>

#include "fuzz.h"
#include "worker/job.h"

static int
same_str(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static void
compare(const struct job *a, const struct job *b)
{
	assert(strcmp(a->error, b->error) == 0);
	assert(strcmp(a->client_id, b->client_id) == 0);
	assert(strcmp(a->job_id, b->job_id) == 0);
	assert(strcmp(a->project_id, b->project_id) == 0);
	assert(a->reprocess == b->reprocess);
	assert(same_str(a->bom_csv, b->bom_csv));
	assert(same_str(a->bom_filename, b->bom_filename));
	assert(same_str(a->project_name, b->project_name));
	assert((a->intake == NULL) == (b->intake == NULL));
	assert(a->intake == NULL || json_equal(a->intake, b->intake));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct job *job, *ref;
	int rc;

	job = job_new("1735689600000-0");
	ref = job_new("1735689600000-0");
	rc = job_parse(job, (const char *)data, size);
	assert(job_parse_jansson(ref, (const char *)data, size) == rc);
	compare(job, ref);
	if (rc == -1)
		assert(job->error[0] != '\0');
	else {
		assert(job->error[0] == '\0');
		assert(strlen(job->client_id) == UUID_STRLEN &&
		    uuid_valid(job->client_id));
		assert(job->job_id[0] != '\0');
		/* a project is named, or derived from the inline BOM */
		assert(uuid_valid(job->project_id));
		assert(job->reprocess || job->bom_csv != NULL);
		assert(job->intake == NULL || json_is_object(job->intake));
	}
	job_free(job);
	job_free(ref);
	return 0;
}
