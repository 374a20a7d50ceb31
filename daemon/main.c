/*
 * bomd: the daemon and its admin commands (serve, migrate, client, key,
 * offers). Exit status 0 on success, 1 with one line on stderr otherwise.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "admin/admin.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "master.h"
#include "admin/migrate.h"
#include "admin/offers_import.h"
#include "proctitle.h"
#include "util.h"

#define BOMD_VERSION	"0.1.0"

static const char usage_text[] =
"usage: bomd [-c FILE] [-n] COMMAND ...\n"
"\n"
"commands:\n"
"  serve [--role all|api|worker] [--workers N]\n"
"                         run the master, the API process and N workers\n"
"  migrate                apply pending database migrations (idempotent)\n"
"  client create --name NAME [--slug S] [--wallet 0x...]\n"
"                         create a client; prints {\"client_id\",\"api_key\"}\n"
"  key create --client ID [--name N]\n"
"                         create an API key; prints {\"key_id\",\"api_key\"}\n"
"  key revoke KEY_ID      revoke an API key\n"
"  offers import FILE.csv|-\n"
"                         load the supplier offers catalog\n"
"\n"
"options:\n"
"  -c FILE    configuration file (default " CONFIG_DEFAULT_PATH ", optional)\n"
"  -n         check the configuration, print \"configuration OK\", exit\n"
"  --version  print the version\n"
"  --help     print this help\n"
"\n"
"Every configuration key has a BOMD_* environment override (see README).\n";

static int
die(const char *fmt, const char *arg)
{
	fprintf(stderr, "bomd: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	return 1;
}

static PGconn *
connect_db(const struct config *cfg)
{
	char err[512];
	PGconn *db;

	if ((db = db_connect(cfg->database_url, "bomd-cli", err,
	    sizeof(err))) == NULL)
		die("%s", err);
	return db;
}

static int
print_json(json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT);

	printf("%s\n", s);
	free(s);
	json_decref(v);
	return 0;
}

/* Finds "--name VALUE" in argv; NULL when absent. */
static const char *
opt_value(int argc, char **argv, const char *name, int *bad)
{
	int i;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], name) != 0)
			continue;
		if (i + 1 >= argc) {
			*bad = 1;
			return NULL;
		}
		return argv[i + 1];
	}
	return NULL;
}

static int
cmd_migrate(const struct config *cfg)
{
	char err[512];
	PGconn *db;
	int n;

	if ((db = connect_db(cfg)) == NULL)
		return 1;
	n = migrate_run(db, err, sizeof(err));
	PQfinish(db);
	if (n < 0)
		return die("%s", err);
	if (n == 0)
		printf("schema is current\n");
	else
		printf("applied %d migration%s\n", n, n == 1 ? "" : "s");
	return 0;
}

static int
cmd_client(const struct config *cfg, int argc, char **argv)
{
	const char *name, *slug, *wallet;
	char err[512];
	json_t *out;
	PGconn *db;
	int bad = 0, rc;

	if (argc < 1 || strcmp(argv[0], "create") != 0)
		return die("%s", "usage: bomd client create --name NAME "
		    "[--slug S] [--wallet 0x...]");
	name = opt_value(argc, argv, "--name", &bad);
	slug = opt_value(argc, argv, "--slug", &bad);
	wallet = opt_value(argc, argv, "--wallet", &bad);
	if (bad || name == NULL)
		return die("%s", "client create: --name NAME is required");
	if ((db = connect_db(cfg)) == NULL)
		return 1;
	rc = admin_client_create(db, name, slug, wallet, &out, err,
	    sizeof(err));
	PQfinish(db);
	if (rc != ADMIN_OK)
		return die("client create: %s", err);
	json_object_del(out, "key_id");
	json_object_del(out, "name");
	json_object_del(out, "slug");
	return print_json(out);
}

static int
cmd_key(const struct config *cfg, int argc, char **argv)
{
	const char *client, *name;
	char err[512];
	json_t *out;
	PGconn *db;
	int bad = 0, rc;

	if (argc >= 1 && strcmp(argv[0], "create") == 0) {
		client = opt_value(argc, argv, "--client", &bad);
		name = opt_value(argc, argv, "--name", &bad);
		if (bad || client == NULL)
			return die("%s", "key create: --client ID is required");
		if ((db = connect_db(cfg)) == NULL)
			return 1;
		rc = admin_key_create(db, client, name, &out, err,
		    sizeof(err));
		PQfinish(db);
		if (rc != ADMIN_OK)
			return die("key create: %s", err);
		return print_json(out);
	}
	if (argc == 2 && strcmp(argv[0], "revoke") == 0) {
		if ((db = connect_db(cfg)) == NULL)
			return 1;
		rc = admin_key_revoke(db, argv[1], err, sizeof(err));
		PQfinish(db);
		if (rc != ADMIN_OK)
			return die("key revoke: %s", err);
		printf("revoked %s\n", argv[1]);
		return 0;
	}
	return die("%s", "usage: bomd key create --client ID [--name N] | "
	    "bomd key revoke KEY_ID");
}

static int
cmd_offers(const struct config *cfg, int argc, char **argv)
{
	PGconn *db;
	int rc;

	if (argc != 2 || strcmp(argv[0], "import") != 0)
		return die("%s", "usage: bomd offers import FILE.csv|-");
	if ((db = connect_db(cfg)) == NULL)
		return 1;
	rc = offers_import_file(db, argv[1]);
	PQfinish(db);
	return rc == 0 ? 0 : 1;
}

static int
cmd_serve(const char *config_path, int argc, char **argv)
{
	enum master_role role = ROLE_ALL;
	int64_t workers = 0;
	int i;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--role") == 0 && i + 1 < argc) {
			i++;
			if (strcmp(argv[i], "all") == 0)
				role = ROLE_ALL;
			else if (strcmp(argv[i], "api") == 0)
				role = ROLE_API;
			else if (strcmp(argv[i], "worker") == 0)
				role = ROLE_WORKER;
			else
				return die("serve: --role '%s' is not one of "
				    "all, api, worker", argv[i]);
		} else if (strcmp(argv[i], "--workers") == 0 && i + 1 < argc) {
			i++;
			if (parse_i64(argv[i], 1, 256, &workers, NULL) == -1)
				return die("serve: --workers '%s' is not a "
				    "number from 1 to 256", argv[i]);
		} else
			return die("serve: unknown argument '%s'", argv[i]);
	}
	return master_main(config_path, role, (int)workers);
}

int
main(int argc, char **argv)
{
	struct config cfg;
	char err[512], *config_path = NULL, **args;
	int i, nargs, check = 0, rc;

	if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
		printf("bomd %s\n", BOMD_VERSION);
		return 0;
	}
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)) {
		fputs(usage_text, stdout);
		return 0;
	}
	log_init("bomd", LOG_LEVEL_INFO);
	/* copy the arguments: the process title overwrites argv later */
	args = xcalloc((size_t)argc + 1, sizeof(*args));
	for (i = 0; i < argc; i++)
		args[i] = xstrdup(argv[i]);
	proctitle_init(argc, argv);
	for (i = 1; i < argc; i++) {
		if (strcmp(args[i], "-c") == 0 && i + 1 < argc)
			config_path = args[++i];
		else if (strcmp(args[i], "-n") == 0)
			check = 1;
		else
			break;
	}
	nargs = argc - i;
	if (!check && nargs == 0) {
		fputs(usage_text, stderr);
		rc = 1;
		goto out;
	}
	if (config_load(config_path, &cfg, err, sizeof(err)) == -1) {
		rc = die("%s", err);
		goto out;
	}
	log_setlevel(log_parse_level(cfg.log_level));
	if (check) {
		printf("configuration OK\n");
		rc = 0;
	} else if (strcmp(args[i], "serve") == 0)
		rc = cmd_serve(config_path, nargs - 1, args + i + 1);
	else if (strcmp(args[i], "migrate") == 0 && nargs == 1)
		rc = cmd_migrate(&cfg);
	else if (strcmp(args[i], "client") == 0)
		rc = cmd_client(&cfg, nargs - 1, args + i + 1);
	else if (strcmp(args[i], "key") == 0)
		rc = cmd_key(&cfg, nargs - 1, args + i + 1);
	else if (strcmp(args[i], "offers") == 0)
		rc = cmd_offers(&cfg, nargs - 1, args + i + 1);
	else
		rc = die("unknown command '%s' (see bomd --help)", args[i]);
	config_free(&cfg);
out:
	for (i = 0; i < argc; i++)
		free(args[i]);
	free(args);
	return rc;
}
