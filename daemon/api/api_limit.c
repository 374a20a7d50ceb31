/*
 * The API process's limits by client address and by client; see
 * api_limit.h. Both tables are small, fixed and in memory (each API
 * process keeps its own): an address or a client that does not fit takes
 * the place of the stalest one.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "api_internal.h"
#include "api_limit.h"
#include "api_reply.h"
#include "api_request.h"
#include "config.h"
#include "log.h"
#include "util.h"

#define API_LIMIT_ADDRS		1024	/* addresses remembered */
#define API_LIMIT_CLIENTS	1024	/* clients holding something */
#define API_LIMIT_PROBE		16	/* slots looked at for one key */
#define API_LIMIT_WINDOW_MS	60000	/* failed authentications per */

/* Failed authentications of one address within a window. */
struct api_limit_addr {
	char	addr[INET6_ADDRSTRLEN];
	int64_t	since;		/* the window's start, now_ms() */
	int64_t	fails;
};

/* What one client holds now. */
struct api_limit_client {
	char	id[UUID_BUFSZ];
	int64_t	held[API_LIMIT_NKINDS];
};

static const char *const api_limit_names[API_LIMIT_NKINDS] = {
	"event streams", "job waits", "chats"
};

static pthread_mutex_t api_limit_mu = PTHREAD_MUTEX_INITIALIZER;
static struct api_limit_addr api_limit_addrs[API_LIMIT_ADDRS];
static struct api_limit_client api_limit_clients[API_LIMIT_CLIENTS];

/* The last address of X-Forwarded-For into buf, when it is one. */
static void
api_limit_forwarded(struct MHD_Connection *c, char *buf, size_t len)
{
	const char *xff, *last;
	size_t n;

	xff = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    "X-Forwarded-For");
	if (xff == NULL)
		return;
	last = strrchr(xff, ',');
	last = last ? last + 1 : xff;
	last += strspn(last, " \t");
	n = strspn(last, "0123456789abcdefABCDEF.:");
	if (n > 0 && n < len && n < INET6_ADDRSTRLEN &&
	    last[n + strspn(last + n, " \t")] == '\0') {
		memcpy(buf, last, n);
		buf[n] = '\0';
	}
}

/*
 * The client address of c as text ("" when unknown): its peer's, or, when
 * the peer is a proxy on this host (a loopback address), the last address
 * of X-Forwarded-For, the one that proxy saw.
 */
static void
api_limit_addr_of(struct MHD_Connection *c, char *buf, size_t len)
{
	const union MHD_ConnectionInfo *ci;
	const struct sockaddr *sa;
	const struct sockaddr_in *in4;
	const struct sockaddr_in6 *in6;

	buf[0] = '\0';
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci == NULL || (sa = ci->client_addr) == NULL)
		return;
	in4 = (const void *)sa;
	in6 = (const void *)sa;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &in4->sin_addr, buf, (socklen_t)len);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &in6->sin6_addr, buf, (socklen_t)len);
	if ((sa->sa_family == AF_INET &&
	    (ntohl(in4->sin_addr.s_addr) >> 24) == 127) ||
	    (sa->sa_family == AF_INET6 &&
	    IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr)))
		api_limit_forwarded(c, buf, len);
}

/*
 * The slot of addr (lock held): its own, else (make) a free or expired
 * one, else the one whose window is oldest. NULL when not found and not
 * made.
 */
static struct api_limit_addr *
api_limit_addr_slot(const char *addr, bool make, int64_t now)
{
	struct api_limit_addr *a, *old = NULL;
	size_t h = (size_t)str_hash(addr), i;

	for (i = 0; i < API_LIMIT_PROBE; i++) {
		a = &api_limit_addrs[(h + i) % API_LIMIT_ADDRS];
		if (strcmp(a->addr, addr) == 0)
			return a;
		if (old == NULL || a->since < old->since)
			old = a;
	}
	if (!make)
		return NULL;
	snprintf(old->addr, sizeof(old->addr), "%s", addr);
	old->since = now;
	old->fails = 0;
	return old;
}

int
api_limit_auth_check(struct MHD_Connection *c, enum MHD_Result *ret)
{
	struct api_limit_addr *a;
	char addr[INET6_ADDRSTRLEN];
	int64_t now = now_ms(), retry_s = 0;

	if (api_cfg->auth_fail_limit <= 0)
		return 0;
	api_limit_addr_of(c, addr, sizeof(addr));
	pthread_mutex_lock(&api_limit_mu);
	if ((a = api_limit_addr_slot(addr, false, now)) != NULL &&
	    now - a->since < API_LIMIT_WINDOW_MS &&
	    a->fails >= api_cfg->auth_fail_limit)
		retry_s = (a->since + API_LIMIT_WINDOW_MS - now) / 1000 + 1;
	pthread_mutex_unlock(&api_limit_mu);
	if (retry_s == 0)
		return 0;
	*ret = api_reply_retry(c, retry_s, "Too many failed authentications "
	    "from this address");
	return -1;
}

void
api_limit_auth_failed(struct MHD_Connection *c)
{
	struct api_limit_addr *a;
	char addr[INET6_ADDRSTRLEN];
	int64_t now = now_ms();

	if (api_cfg->auth_fail_limit <= 0)
		return;
	api_limit_addr_of(c, addr, sizeof(addr));
	pthread_mutex_lock(&api_limit_mu);
	a = api_limit_addr_slot(addr, true, now);
	if (now - a->since >= API_LIMIT_WINDOW_MS) {
		a->since = now;
		a->fails = 0;
	}
	if (++a->fails == api_cfg->auth_fail_limit)
		log_warnx("%s failed to authenticate %lld times within %d s; "
		    "refused until the minute is over", addr,
		    (long long)a->fails, API_LIMIT_WINDOW_MS / 1000);
	pthread_mutex_unlock(&api_limit_mu);
}

/* The cap of kind per client under the configuration; 0: none. */
static int64_t
api_limit_cap(enum api_limit_kind kind)
{
	switch (kind) {
	case API_LIMIT_STREAM:
		return api_cfg->streams_per_client;
	case API_LIMIT_WAIT:
		return api_cfg->waits_per_client;
	default:
		return api_cfg->chats_per_client;
	}
}

/*
 * The slot of client id (lock held): its own, else (make) one that holds
 * nothing. NULL when there is none.
 */
static struct api_limit_client *
api_limit_client_slot(const char *id, bool make)
{
	struct api_limit_client *s, *idle = NULL;
	size_t h = (size_t)str_hash(id), i, k;
	int64_t n;

	for (i = 0; i < API_LIMIT_PROBE; i++) {
		s = &api_limit_clients[(h + i) % API_LIMIT_CLIENTS];
		if (strcmp(s->id, id) == 0)
			return s;
		for (n = 0, k = 0; k < API_LIMIT_NKINDS; k++)
			n += s->held[k];
		if (n == 0 && idle == NULL)
			idle = s;
	}
	if (!make || idle == NULL)
		return NULL;
	snprintf(idle->id, sizeof(idle->id), "%s", id);
	return idle;
}

int
api_limit_take(struct MHD_Connection *c, struct api_request *r,
    enum api_limit_kind kind, enum MHD_Result *ret)
{
	struct api_limit_client *s;
	int64_t cap = api_limit_cap(kind);
	int full = 0;

	if (cap <= 0 || r->client_id[0] == '\0' ||
	    (r->limits_held & (1u << kind)))
		return 0;
	pthread_mutex_lock(&api_limit_mu);
	/* a table full of busy clients: this one is not held back */
	if ((s = api_limit_client_slot(r->client_id, true)) != NULL) {
		if (s->held[kind] >= cap)
			full = 1;
		else {
			s->held[kind]++;
			r->limits_held |= 1u << kind;
		}
	}
	pthread_mutex_unlock(&api_limit_mu);
	if (!full)
		return 0;
	*ret = api_reply_retry(c, 1, "Too many concurrent %s for this client "
	    "(at most %lld)", api_limit_names[kind], (long long)cap);
	return -1;
}

void
api_limit_release(struct api_request *r)
{
	struct api_limit_client *s;
	size_t k;

	if (r == NULL || r->limits_held == 0)
		return;
	pthread_mutex_lock(&api_limit_mu);
	if ((s = api_limit_client_slot(r->client_id, false)) != NULL)
		for (k = 0; k < API_LIMIT_NKINDS; k++)
			if ((r->limits_held & (1u << k)) && s->held[k] > 0)
				s->held[k]--;
	r->limits_held = 0;
	pthread_mutex_unlock(&api_limit_mu);
}
