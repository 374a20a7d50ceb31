/*
 * The redis_url setting: one Redis by TCP or a socket, or Redis Sentinels
 * that name the primary. Parsing only; redis_conn.c connects.
 */
#ifndef BOMD_REDIS_URL_H
#define BOMD_REDIS_URL_H

#include <stddef.h>

#define REDIS_URL_MAX_NODES	8	/* sentinels in one url */
#define REDIS_URL_SENTINEL_PORT	26379

enum redis_url_kind {
	REDIS_URL_TCP,		/* redis://[[user]:pass@]host[:port][/db] */
	REDIS_URL_UNIX,		/* unix:///path/to/socket */
	REDIS_URL_SENTINEL	/* redis-sentinel://: see redis_url_parse() */
};

struct redis_node {
	char	host[256];	/* name or address (IPv6 without brackets),
				   or the socket's path */
	int	port;
};

struct redis_url {
	enum redis_url_kind kind;
	struct redis_node node[REDIS_URL_MAX_NODES];	/* the server, or
							   the sentinels */
	size_t	nnodes;
	char	master[128];		/* SENTINEL: the primary's name */
	char	user[128];		/* AUTH on the data node(s) */
	char	pass[256];
	char	sentinel_user[128];	/* AUTH on the sentinels */
	char	sentinel_pass[256];
	int	db;
};

/*
 * Parses url into u. The sentinel form is
 *   redis-sentinel://[[user]:pass@]host[:port][,host[:port]...]/name
 *       [?db=N&sentinel_user=U&sentinel_password=P]
 * (port 26379 by default, IPv6 hosts in brackets, %XX escapes in the
 * user, password and query values). The user and password of the
 * authority are for the primary the sentinels name; the sentinels are
 * asked without AUTH unless sentinel_password is given. 0, or -1 with
 * the reason in err (which never holds a password).
 */
int	redis_url_parse(const char *url, struct redis_url *u, char *err,
	    size_t errlen);

#endif
