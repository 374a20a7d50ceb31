/*
 * Signal dispositions from a table: the master, the API process and the
 * workers each declare theirs as rows and install them with one call.
 */
#ifndef BOMD_SIGNALS_H
#define BOMD_SIGNALS_H

#include <signal.h>
#include <stddef.h>

struct signal_row {
	int	  sig;
	void	(*handler)(int);	/* a function, SIG_IGN or SIG_DFL */
};

/* Installs every row (no SA_RESTART: blocking calls see EINTR). */
void	signals_install(const struct signal_row *rows, size_t n);
/* The set of the rows' signals whose handler is a function. */
void	signals_set(const struct signal_row *rows, size_t n, sigset_t *set);

#endif
