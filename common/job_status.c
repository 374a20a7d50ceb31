/*
 * The job states, stated once: the API validates ?status= with them and the
 * worker and bomctl ask whether a state is final.
 */
#include <string.h>

#include "job_status.h"

const char *const job_statuses[] = {
	"queued", "running", "complete", "failed", "dead", NULL
};

bool
job_status_final(const char *status)
{
	return strcmp(status, "complete") == 0 ||
	    strcmp(status, "failed") == 0 || strcmp(status, "dead") == 0;
}

bool
job_status_valid(const char *status)
{
	size_t i;

	for (i = 0; job_statuses[i] != NULL; i++)
		if (strcmp(job_statuses[i], status) == 0)
			return true;
	return false;
}
