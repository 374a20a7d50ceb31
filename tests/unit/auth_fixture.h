/*
 * What the auth unit tests (test_jwt, test_oidc, test_x402) share: temp
 * directories, keys made with the openssl command line, tokens minted by
 * tests/tools/mock_oidc, and child processes and mock servers started on
 * free ports (which test_llm_http and test_providers use too).
 */
#ifndef BOMD_AUTH_FIXTURE_H
#define BOMD_AUTH_FIXTURE_H

#include <stdbool.h>
#include <sys/types.h>

#include <jansson.h>

#define FIXTURE_MOCK_OIDC	"build/asan/tests/tools/mock_oidc"
#define FIXTURE_MOCK_X402	"build/asan/tests/tools/mock_x402"

struct fixture_mock {
	pid_t	pid;
	int	port;
};

/*
 * Starts argv (argv[0] found in PATH); its stdout goes to a pipe whose read
 * end is *fd (caller closes), or to /dev/null when fd is NULL.
 */
pid_t	fixture_spawn(const char *const argv[], int *fd);

/*
 * Runs argv (argv[0] found in PATH) to its end; its stdout, without the final
 * newline, goes to *out when out is not NULL (caller frees). Returns the
 * exit status, or -1 when it did not exit.
 */
int	fixture_run(const char *const argv[], char **out);

/* A new directory /tmp/<tag>.XXXXXX; caller frees, fixture_rmtree()s. */
char	*fixture_tmpdir(const char *tag);
/* Removes dir and everything in it. */
void	fixture_rmtree(const char *dir);

/*
 * Writes dir/name.pem, a private key made by "openssl genpkey": kind is
 * "rsa2048", "rsa1024" or "p256". Fails the test when openssl fails.
 */
void	fixture_key(const char *dir, const char *name, const char *kind);

/*
 * A token for claims from "mock_oidc mint": key is a PEM path (NULL for
 * alg "none"), kid and alg may be NULL. Caller frees.
 */
char	*fixture_mint(const char *key, const char *kid, const char *alg,
	    bool tamper, const json_t *claims);

/*
 * Starts a mock server (argv[0]; it must print "port=N") and
 * fills m. Fails the test when it does not come up.
 */
void	fixture_mock_start(struct fixture_mock *m,
	    const char *const argv[]);
/* Stops it by its pid; returns its wait status (-1: was not running). */
int	fixture_mock_stop(struct fixture_mock *m);

#endif
