/*
 * Logging for every bomd process: one line per message on stderr with a
 * "<N>" syslog level prefix so journald keeps the level.
 */
#ifndef BOMD_LOG_H
#define BOMD_LOG_H

#include <stdarg.h>

enum log_level {
	LOG_LEVEL_ERR = 3,
	LOG_LEVEL_WARN = 4,
	LOG_LEVEL_INFO = 6,
	LOG_LEVEL_DEBUG = 7
};

/* Sets the process name shown on every line (e.g. "worker 3"). */
void	log_init(const char *procname, enum log_level level);
void	log_setname(const char *procname);
void	log_setlevel(enum log_level level);
/* Parses "error", "warn", "info", "debug"; -1 when unknown. */
int	log_parse_level(const char *s);

/* log_warn() appends strerror(errno); log_warnx() does not. */
void	log_warn(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
void	log_info(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
void	log_debug(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
void	fatal(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif
