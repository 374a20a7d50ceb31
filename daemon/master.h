/*
 * bomd serve: the master process that forks and supervises the API process
 * and the workers.
 */
#ifndef BOMD_MASTER_H
#define BOMD_MASTER_H

enum master_role {
	ROLE_ALL,
	ROLE_API,
	ROLE_WORKER
};

/*
 * Runs until SIGTERM/SIGINT; config_path is re-read on SIGHUP. workers > 0
 * overrides the configured count. Returns the exit status.
 */
int	master_main(const char *config_path, enum master_role role,
	    int workers);

#endif
