/*
 * The auth unit tests' shared fixture; see auth_fixture.h. Child
 * processes die with the test (PR_SET_PDEATHSIG) even when it crashes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "auth_fixture.h"
#include "util.h"

pid_t
fixture_spawn(const char *const argv[], int *fd)
{
	int fds[2], null;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	switch ((pid = fork())) {
	case -1:
		fail_msg("fork: %s", strerror(errno));
		break;
	case 0:
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		null = open("/dev/null", O_WRONLY);
		dup2(fd != NULL ? fds[1] : null, STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	default:
		break;
	}
	close(fds[1]);
	if (fd != NULL)
		*fd = fds[0];
	else
		close(fds[0]);
	return pid;
}

int
fixture_run(const char *const argv[], char **out)
{
	struct buf b;
	char chunk[4096];
	ssize_t r;
	pid_t pid;
	int fd, status;

	pid = fixture_spawn(argv, &fd);
	buf_init(&b);
	buf_append(&b, "", 0);
	while ((r = read(fd, chunk, sizeof(chunk))) > 0)
		buf_append(&b, chunk, (size_t)r);
	close(fd);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	while (b.len > 0 && b.data[b.len - 1] == '\n')
		b.data[--b.len] = '\0';
	if (out != NULL)
		*out = buf_steal(&b);
	buf_free(&b);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

char *
fixture_tmpdir(const char *tag)
{
	char path[128];

	snprintf(path, sizeof(path), "/tmp/%s.XXXXXX", tag);
	assert_non_null(mkdtemp(path));
	return xstrdup(path);
}

void
fixture_rmtree(const char *dir)
{
	const char *argv[] = { "rm", "-rf", dir, NULL };

	fixture_run(argv, NULL);
}

void
fixture_key(const char *dir, const char *name, const char *kind)
{
	char out[512];
	const char *argv[] = { "openssl", "genpkey", "-quiet", "-algorithm",
	    "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", out, NULL };

	snprintf(out, sizeof(out), "%s/%s.pem", dir, name);
	if (strcmp(kind, "rsa1024") == 0)
		argv[6] = "rsa_keygen_bits:1024";
	else if (strcmp(kind, "p256") == 0) {
		argv[4] = "EC";
		argv[6] = "ec_paramgen_curve:P-256";
	}
	assert_int_equal(fixture_run(argv, NULL), 0);
}

char *
fixture_mint(const char *key, const char *kid, const char *alg,
    bool tamper, const json_t *claims)
{
	const char *argv[12];
	char *json, *token = NULL;
	int n = 0;

	json = json_dumps(claims, JSON_COMPACT);
	assert_non_null(json);
	argv[n++] = FIXTURE_MOCK_OIDC;
	argv[n++] = "mint";
	if (key != NULL) {
		argv[n++] = "--key";
		argv[n++] = key;
	}
	if (kid != NULL) {
		argv[n++] = "--kid";
		argv[n++] = kid;
	}
	if (alg != NULL) {
		argv[n++] = "--alg";
		argv[n++] = alg;
	}
	if (tamper)
		argv[n++] = "--tamper";
	argv[n++] = json;
	argv[n] = NULL;
	assert_int_equal(fixture_run(argv, &token), 0);
	free(json);
	return token;
}

void
fixture_mock_start(struct fixture_mock *m, const char *const argv[])
{
	char line[64];
	struct pollfd pfd;
	size_t off = 0;
	ssize_t r;
	int fd;

	memset(m, 0, sizeof(*m));
	m->pid = fixture_spawn(argv, &fd);
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (off < sizeof(line) - 1 && memchr(line, '\n', off) == NULL) {
		if (poll(&pfd, 1, 10000) != 1)
			fail_msg("%s did not print its port", argv[0]);
		if ((r = read(fd, line + off, sizeof(line) - 1 - off)) <= 0)
			fail_msg("%s exited before printing its port", argv[0]);
		off += (size_t)r;
	}
	close(fd);
	line[off] = '\0';
	assert_int_equal(strncmp(line, "port=", 5), 0);
	m->port = atoi(line + 5);
	assert_true(m->port > 0);
}

int
fixture_mock_stop(struct fixture_mock *m)
{
	int status = -1, i;

	if (m->pid <= 0)
		return -1;
	kill(m->pid, SIGTERM);
	for (i = 0; i < 500; i++) {
		if (waitpid(m->pid, &status, WNOHANG) == m->pid)
			break;
		usleep(10000);
	}
	if (i == 500) {
		kill(m->pid, SIGKILL);
		waitpid(m->pid, &status, 0);
	}
	m->pid = 0;
	return status;
}
