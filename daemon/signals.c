/*
 * Installs a process's signal table; see signals.h.
 */
#include <string.h>

#include "signals.h"

void
signals_install(const struct signal_row *rows, size_t n)
{
	struct sigaction sa;
	size_t i;

	for (i = 0; i < n; i++) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = rows[i].handler;
		sigemptyset(&sa.sa_mask);
		sigaction(rows[i].sig, &sa, NULL);
	}
}

void
signals_set(const struct signal_row *rows, size_t n, sigset_t *set)
{
	size_t i;

	sigemptyset(set);
	for (i = 0; i < n; i++)
		if (rows[i].handler != SIG_IGN && rows[i].handler != SIG_DFL)
			sigaddset(set, rows[i].sig);
}
