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

/*
 * One line at level, when the process logs that level; with_errno appends
 * strerror(errno). log_fatal() logs at LOG_LEVEL_ERR and exits 1.
 */
void	log_emit(enum log_level level, int with_errno, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
void	log_fatal(int with_errno, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3), noreturn));

/* The levels by name: log_warn() appends strerror(errno), log_warnx() not. */
#define log_warn(...)	log_emit(LOG_LEVEL_WARN, 1, __VA_ARGS__)
#define log_warnx(...)	log_emit(LOG_LEVEL_WARN, 0, __VA_ARGS__)
#define log_info(...)	log_emit(LOG_LEVEL_INFO, 0, __VA_ARGS__)
#define log_debug(...)	log_emit(LOG_LEVEL_DEBUG, 0, __VA_ARGS__)
#define fatal(...)	log_fatal(1, __VA_ARGS__)
#define fatalx(...)	log_fatal(0, __VA_ARGS__)

#endif
