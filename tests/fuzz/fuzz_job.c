/*
 * Fuzzes job_parse(): the job field of a Redis stream entry, which any
 * client that can write to the stream controls.
 */
#include <assert.h>
#include <string.h>

#include "fuzz.h"
#include "worker/job.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct job *job;

	job = job_new("1735689600000-0");
	if (job_parse(job, (const char *)data, size) == -1)
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
	return 0;
}
