/*
 * bomd: the command line. Global options, then one command of main_cmds[]:
 * serve runs the master (master.c), the offline commands (daemon/admin/)
 * run once. Exit status 0, 1 with one line on stderr, 2 on a usage error.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "admin/admin.h"
#include "admin/import_original.h"
#include "admin/migrate.h"
#include "admin/offers_fetch.h"
#include "admin/offers_import.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "master.h"
#include "proctitle.h"
#include "util.h"
#include "version.h"

#define MAIN_EXIT_FAIL	1
#define MAIN_EXIT_USAGE	2
#define MAIN_MAX_OPTS	5	/* value options of one command */

/* What a command runs with. */
struct main_ctx {
	const char	 *config_path;	/* -c; NULL: the default */
	const struct config *cfg;	/* loaded before the command runs */
	PGconn		 *db;		/* when the command needs_db */
	const char	 *vals[MAIN_MAX_OPTS];	/* by opts[]; NULL: not given */
	char		**operands;
};

static int	main_serve(const struct main_ctx *);
static int	main_migrate(const struct main_ctx *);
static int	main_client_create(const struct main_ctx *);
static int	main_key_create(const struct main_ctx *);
static int	main_key_revoke(const struct main_ctx *);
static int	main_offers_import(const struct main_ctx *);
static int	main_import_keys(const struct main_ctx *);
static int	main_offers_fetch(const struct main_ctx *);

/*
 * The commands: one or two words, options that each take a value (those
 * in required must be given), a fixed number of operands. The help text
 * is made from these rows.
 */
static const struct main_cmd {
	const char	*name;
	const char	*sub;		/* the second word, or NULL */
	const char	*args;		/* synopsis after the words */
	const char	*help;
	const char	*opts[MAIN_MAX_OPTS + 1];	/* NULL ends */
	unsigned int	 required;	/* bit i: opts[i] */
	int		 noperands;
	int		 needs_db;
	int		(*fn)(const struct main_ctx *);
} main_cmds[] = {
	{ "serve", NULL, "[--role all|api|worker] [--workers N]",
	    "run the master, the API process and N workers",
	    { "role", "workers", NULL }, 0, 0, 0, main_serve },
	{ "migrate", NULL, "",
	    "apply pending database migrations (idempotent)",
	    { NULL }, 0, 0, 1, main_migrate },
	{ "client", "create", "--name NAME [--slug S] [--wallet 0x...] "
	    "[--oidc-issuer URL --oidc-audience AUD]",
	    "create a client; prints {\"client_id\",\"api_key\"}",
	    { "name", "slug", "wallet", "oidc-issuer", "oidc-audience", NULL },
	    1u << 0, 0, 1, main_client_create },
	{ "key", "create", "--client ID [--name N] [--scope S,...]",
	    "create an API key (scopes all, read, admin, project:<id>; "
	    "default all); prints {\"key_id\",\"api_key\"}",
	    { "client", "name", "scope", NULL }, 1u << 0, 0, 1,
	    main_key_create },
	{ "key", "revoke", "KEY_ID", "revoke an API key",
	    { NULL }, 0, 1, 1, main_key_revoke },
	{ "offers", "import", "FILE.csv|-",
	    "load the supplier offers catalog",
	    { NULL }, 0, 1, 1, main_offers_import },
	{ "import", "original-keys", "DSN",
	    "copy the original's clients and pbom_sk_ keys",
	    { NULL }, 0, 1, 1, main_import_keys },
	{ "offers", "fetch", "MPN",
	    "ask the live distributors about MPN now (as the flow does)",
	    { NULL }, 0, 1, 1, main_offers_fetch },
};

#define MAIN_NCMDS	(sizeof(main_cmds) / sizeof(main_cmds[0]))

/* "bomd: what: err" on stderr; returns the failure exit status. */
static int
main_fail(const char *what, const char *err)
{
	fprintf(stderr, "bomd: %s%s%s\n", what != NULL ? what : "",
	    what != NULL ? ": " : "", err);
	return MAIN_EXIT_FAIL;
}

/* One line on stderr; returns the usage error exit status. */
static int
main_usage(const char *fmt, ...)
{
	va_list ap;

	fputs("bomd: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return MAIN_EXIT_USAGE;
}

/* "client create --name NAME ...": a command's words and arguments. */
static const char *
main_synopsis(const struct main_cmd *cmd, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s%s", cmd->name, cmd->sub ? " " : "",
	    cmd->sub ? cmd->sub : "", cmd->args[0] ? " " : "", cmd->args);
	return buf;
}

static void
main_help(FILE *f)
{
	char line[128];
	size_t i;

	fputs("usage: bomd [-c FILE] [-n] COMMAND ...\n\ncommands:\n", f);
	for (i = 0; i < MAIN_NCMDS; i++) {
		main_synopsis(&main_cmds[i], line, sizeof(line));
		if (strlen(line) <= 22)
			fprintf(f, "  %-22s %s\n", line, main_cmds[i].help);
		else
			fprintf(f, "  %s\n  %-22s %s\n", line, "",
			    main_cmds[i].help);
	}
	fputs("\noptions:\n"
	    "  -c FILE    configuration file (default " CONFIG_DEFAULT_PATH
	    ", optional)\n"
	    "  -n         check the configuration, print \"configuration OK\","
	    " exit\n"
	    "  --version  print the version\n"
	    "  --help     print this help\n"
	    "\nEvery configuration key has a BOMD_* environment override "
	    "(see README).\n", f);
}

/* The usage error after getopt_long() returned '?' or ':' for argv. */
static int
main_bad_option(const char *where, int c, char **argv)
{
	char shortopt[3] = { '-', (char)optopt, '\0' };
	const char *opt = optopt != 0 ? shortopt : argv[optind - 1];

	if (c == ':')
		return main_usage("%soption '%s' needs a value (see bomd "
		    "--help)", where, opt);
	return main_usage("%sunknown option '%s' (see bomd --help)", where,
	    opt);
}

/*
 * Finds the command named by the first one or two words of argv and sets
 * *nwords. NULL after a usage line.
 */
static const struct main_cmd *
main_find(int argc, char **argv, int *nwords)
{
	size_t i;
	int known = 0;

	if (argc == 0) {
		main_usage("no command (see bomd --help)");
		return NULL;
	}
	for (i = 0; i < MAIN_NCMDS; i++) {
		if (strcmp(main_cmds[i].name, argv[0]) != 0)
			continue;
		known = 1;
		*nwords = main_cmds[i].sub == NULL ? 1 : 2;
		if (main_cmds[i].sub == NULL ||
		    (argc > 1 && strcmp(main_cmds[i].sub, argv[1]) == 0))
			return &main_cmds[i];
	}
	if (!known)
		main_usage("unknown command '%s' (see bomd --help)", argv[0]);
	else if (argc == 1)
		main_usage("%s: missing subcommand (see bomd --help)", argv[0]);
	else
		main_usage("%s: unknown command '%s' (see bomd --help)",
		    argv[0], argv[1]);
	return NULL;
}

/*
 * Parses a command's options and operands; argv[0] is its last word.
 * Returns 0, or the usage exit status after one line on stderr.
 */
static int
main_parse(const struct main_cmd *cmd, int argc, char **argv,
    struct main_ctx *ctx)
{
	struct option opts[MAIN_MAX_OPTS + 1];
	char where[48], usage[128];
	int c, i, n, idx;

	snprintf(where, sizeof(where), "%s%s%s: ", cmd->name,
	    cmd->sub ? " " : "", cmd->sub ? cmd->sub : "");
	main_synopsis(cmd, usage, sizeof(usage));
	memset(opts, 0, sizeof(opts));
	for (n = 0; cmd->opts[n] != NULL; n++) {
		opts[n].name = cmd->opts[n];
		opts[n].has_arg = required_argument;
	}
	optind = 0;	/* glibc: start afresh on this argv */
	while ((c = getopt_long(argc, argv, ":", opts, &idx)) != -1) {
		if (c != 0)
			return main_bad_option(where, c, argv);
		ctx->vals[idx] = optarg;
	}
	for (i = 0; i < n; i++)
		if ((cmd->required & (1u << i)) && ctx->vals[i] == NULL)
			return main_usage("%s--%s is required (usage: bomd "
			    "%s)", where, cmd->opts[i], usage);
	if (argc - optind > cmd->noperands)
		return main_usage("%sunexpected argument '%s' (usage: bomd "
		    "%s)", where, argv[optind + cmd->noperands], usage);
	if (argc - optind < cmd->noperands)
		return main_usage("%smissing %s (usage: bomd %s)", where,
		    cmd->args, usage);
	ctx->operands = argv + optind;
	return 0;
}

static int
main_print_json(json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT);

	printf("%s\n", s);
	free(s);
	json_decref(v);
	return 0;
}

static int
main_serve(const struct main_ctx *ctx)
{
	enum master_role role = MASTER_ROLE_ALL;
	int64_t workers = 0;

	if (ctx->vals[0] != NULL &&
	    master_role_parse(ctx->vals[0], &role) == -1)
		return main_usage("serve: --role '%s' is not one of all, api, "
		    "worker", ctx->vals[0]);
	if (ctx->vals[1] != NULL &&
	    parse_i64(ctx->vals[1], 1, 256, &workers, NULL) == -1)
		return main_usage("serve: --workers '%s' is not a number from "
		    "1 to 256", ctx->vals[1]);
	return master_main(ctx->config_path, role, (int)workers);
}

static int
main_migrate(const struct main_ctx *ctx)
{
	char err[512];
	int n;

	if ((n = migrate_run(ctx->db, err, sizeof(err))) < 0)
		return main_fail(NULL, err);
	/* two roles: the daemon's login gets the runtime grants */
	if (ctx->cfg->database_owner_url != NULL &&
	    migrate_grant_runtime(ctx->db, ctx->cfg->database_url,
	    ctx->cfg->database_role, err, sizeof(err)) == -1)
		return main_fail(NULL, err);
	if (n == 0)
		printf("schema is current\n");
	else
		printf("applied %d migration%s\n", n, n == 1 ? "" : "s");
	return 0;
}

static int
main_client_create(const struct main_ctx *ctx)
{
	struct admin_client spec = { ctx->vals[0], ctx->vals[1], ctx->vals[2],
	    ctx->vals[3], ctx->vals[4], ctx->cfg->oidc_loopback_http };
	char err[512];
	json_t *out;

	if (admin_client_create(ctx->db, &spec, &out, err, sizeof(err)) !=
	    ADMIN_OK)
		return main_fail("client create", err);
	/* the command line shows only what DESIGN.md promises */
	json_object_del(out, "key_id");
	json_object_del(out, "name");
	json_object_del(out, "slug");
	return main_print_json(out);
}

static int
main_key_create(const struct main_ctx *ctx)
{
	char err[512];
	json_t *out;

	if (admin_key_create(ctx->db, ctx->vals[0], ctx->vals[1], ctx->vals[2],
	    &out, err, sizeof(err)) != ADMIN_OK)
		return main_fail("key create", err);
	return main_print_json(out);
}

static int
main_key_revoke(const struct main_ctx *ctx)
{
	char err[512];

	if (admin_key_revoke(ctx->db, ctx->operands[0], err, sizeof(err)) !=
	    ADMIN_OK)
		return main_fail("key revoke", err);
	printf("revoked %s\n", ctx->operands[0]);
	if (admin_auth_changed(ctx->cfg->redis_url, err, sizeof(err)) == -1)
		fprintf(stderr, "bomd: key revoke: %s: running API processes "
		    "refuse the key within 2 s\n", err);
	return 0;
}

static int
main_offers_import(const struct main_ctx *ctx)
{
	return offers_import_file(ctx->db, ctx->operands[0]) == 0 ? 0 :
	    MAIN_EXIT_FAIL;
}

static int
main_import_keys(const struct main_ctx *ctx)
{
	char err[512];
	json_t *out;

	if (import_original_keys(ctx->db, ctx->operands[0], &out, err,
	    sizeof(err)) == -1)
		return main_fail("import original-keys", err);
	/* an import may revoke keys: every API process asks again */
	if (admin_auth_changed(ctx->cfg->redis_url, err, sizeof(err)) == -1)
		fprintf(stderr, "bomd: import original-keys: %s\n", err);
	return main_print_json(out);
}

static int
main_offers_fetch(const struct main_ctx *ctx)
{
	return offers_fetch_mpn(ctx->db, ctx->cfg, ctx->operands[0]) == 0 ?
	    0 : MAIN_EXIT_FAIL;
}

/*
 * Loads the configuration, opens the database if needed (as the schema
 * owner, database_owner_url, every tenant's rows in view), runs cmd.
 */
static int
main_run(const struct main_cmd *cmd, struct main_ctx *ctx)
{
	struct config cfg;
	char err[512];
	int rc;

	if (config_load(ctx->config_path, &cfg, err, sizeof(err)) == -1)
		return main_fail(NULL, err);
	log_setlevel(log_parse_level(cfg.log_level));
	ctx->cfg = &cfg;
	if (cmd == NULL) {
		printf("configuration OK\n");
		rc = 0;
	} else if (cmd->needs_db && (ctx->db = db_connect(
	    cfg.database_owner_url ? cfg.database_owner_url :
	    cfg.database_url, "bomd-cli", err, sizeof(err))) == NULL)
		rc = main_fail(NULL, err);
	else if (cmd->needs_db && db_set_tenant(ctx->db, "*") == -1)
		rc = main_fail(NULL, "cannot set the session's tenant");
	else
		rc = cmd->fn(ctx);
	if (ctx->db != NULL)
		PQfinish(ctx->db);
	config_free(&cfg);
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const struct main_cmd *cmd = NULL;
	struct main_ctx ctx;
	char **args;
	int c, i, nwords, check = 0, rc = MAIN_EXIT_USAGE;

	log_init("bomd", LOG_LEVEL_INFO);
	memset(&ctx, 0, sizeof(ctx));
	/* copy the arguments: the process title overwrites argv later */
	args = xcalloc((size_t)argc + 1, sizeof(*args));
	for (i = 0; i < argc; i++)
		args[i] = xstrdup(argv[i]);
	proctitle_init(argc, argv);
	opterr = 0;
	/* "+": the global options end at the command */
	while ((c = getopt_long(argc, args, "+:c:nh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			ctx.config_path = optarg;
			break;
		case 'n':
			check = 1;
			break;
		case 'h':
			main_help(stdout);
			rc = 0;
			goto out;
		case 'V':
			printf("bomd %s\n", BOMD_VERSION);
			rc = 0;
			goto out;
		default:
			rc = main_bad_option("", c, args);
			goto out;
		}
	}
	if (!check) {
		if ((cmd = main_find(argc - optind, args + optind,
		    &nwords)) == NULL)
			goto out;
		i = optind + nwords - 1;
		if ((rc = main_parse(cmd, argc - i, args + i, &ctx)) != 0)
			goto out;
	}
	rc = main_run(cmd, &ctx);
out:
	for (i = 0; i < argc; i++)
		free(args[i]);
	free(args);
	return rc;
}
