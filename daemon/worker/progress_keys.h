/*
 * The Redis keys of a running job's live progress, shared by the worker
 * (writer) and the API (reader).
 */
#ifndef BOMD_PROGRESS_KEYS_H
#define BOMD_PROGRESS_KEYS_H

#define PROGRESS_PROJECT_FMT	"bomd:live:%s:%s"	/* client, project */
#define PROGRESS_JOB_FMT	"bomd:livejob:%s:%s"	/* client, job id */
#define PROGRESS_KEY_MAX	256

#endif
