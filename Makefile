# bomd — one Makefile for the daemon, the client, tests, demo and bench.

CC	?= cc
PKGS	 = hiredis libpq jansson libcurl libconfig libmicrohttpd libsystemd \
	   yaml-0.1 libcrypto zlib
WERROR	?= 1

CFLAGS_BASE = -std=c11 -D_DEFAULT_SOURCE -Wall -Wextra -Wstrict-prototypes \
	-Wwrite-strings -Wmissing-prototypes -Wshadow -MMD -MP -Icommon -Idaemon
ifeq ($(WERROR),1)
CFLAGS_BASE += -Werror
endif
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# bomctl is a plain HTTP client: it links only these
BOMCTL_PKGS = libcurl jansson libcrypto
BOMCTL_LIBS = $(shell pkg-config --libs $(BOMCTL_PKGS) 2>/dev/null)

CFLAGS	?= -O2 -g
ASAN_FLAGS = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=undefined

# One short line per compiled file; the full commands with "make V=1".
ifeq ($(V),1)
Q	=
SAY	= @:
else
Q	= @
SAY	= @echo
endif

# The library every program shares.
COMMON_SRCS = \
	common/agents.c \
	common/apikey.c \
	common/assess.c \
	common/base64.c \
	common/basis.c \
	common/bom.c \
	common/bom_header.c \
	common/config.c \
	common/costing.c \
	common/csv.c \
	common/db.c \
	common/http_fetch.c \
	common/intake.c \
	common/intake_sheet.c \
	common/intake_values.c \
	common/intake_view.c \
	common/intake_yaml.c \
	common/job_status.c \
	common/jwks.c \
	common/jwt.c \
	common/llm_caps.c \
	common/llm_chat.c \
	common/llm_http.c \
	common/llm_json.c \
	common/log.c \
	common/offer_text.c \
	common/offers.c \
	common/oidc.c \
	common/provider.c \
	common/provider_digikey.c \
	common/provider_fetch.c \
	common/provider_http.c \
	common/provider_mouser.c \
	common/provider_nexar.c \
	common/provider_redis.c \
	common/provider_store.c \
	common/queue.c \
	common/queue_master.c \
	common/redis_conn.c \
	common/redis_url.c \
	common/report.c \
	common/scope.c \
	common/sourcing.c \
	common/sourcing_checks.c \
	common/sourcing_select.c \
	common/strategies.c \
	common/util.c \
	common/x402.c

# bomd: the master (supervisor) and the command line.
MASTER_SRCS = \
	daemon/main.c \
	daemon/master.c \
	daemon/proctitle.c \
	daemon/signals.c \
	daemon/upkeep.c

# bomd: the HTTP API process.
API_SRCS = \
	daemon/api/api.c \
	daemon/api/api_admin.c \
	daemon/api/api_auth.c \
	daemon/api/api_bootstrap.c \
	daemon/api/api_cache.c \
	daemon/api/api_chat_tasks.c \
	daemon/api/api_db.c \
	daemon/api/api_events.c \
	daemon/api/api_jobs.c \
	daemon/api/api_knowledge.c \
	daemon/api/api_limit.c \
	daemon/api/api_live.c \
	daemon/api/api_metrics.c \
	daemon/api/api_openai.c \
	daemon/api/api_parts.c \
	daemon/api/api_projects.c \
	daemon/api/api_submit.c \
	daemon/api/api_rate.c \
	daemon/api/api_redis.c \
	daemon/api/api_render.c \
	daemon/api/api_reply.c \
	daemon/api/api_request.c \
	daemon/api/api_route.c \
	daemon/api/api_search.c \
	daemon/api/api_service.c \
	daemon/api/api_suppliers.c \
	daemon/api/api_tenants.c \
	daemon/api/api_wait.c \
	daemon/api/api_x402.c

# bomd: the worker process and the flow stages.
WORKER_SRCS = \
	daemon/worker/batch.c \
	daemon/worker/budget.c \
	daemon/worker/cache.c \
	daemon/worker/checkpoint.c \
	daemon/worker/job.c \
	daemon/worker/job_trace.c \
	daemon/worker/progress.c \
	daemon/worker/stage_decide.c \
	daemon/worker/stage_enrich.c \
	daemon/worker/stage_intake.c \
	daemon/worker/stage_llm.c \
	daemon/worker/stage_persist.c \
	daemon/worker/worker.c

# bomd: the offline commands (migrate, clients, keys, offers import).
ADMIN_SRCS = \
	daemon/admin/admin.c \
	daemon/admin/import_original.c \
	daemon/admin/migrate.c \
	daemon/admin/offers_fetch.c \
	daemon/admin/offers_import.c

DAEMON_SRCS = $(MASTER_SRCS) $(API_SRCS) $(WORKER_SRCS) $(ADMIN_SRCS)

# bomctl: the command-line client, and the few common modules it uses.
BOMCTL_SRCS = \
	daemon/bomctl/bomctl.c \
	daemon/bomctl/cmd_admin.c \
	daemon/bomctl/cmd_chat.c \
	daemon/bomctl/cmd_jobs.c \
	daemon/bomctl/cmd_kb.c \
	daemon/bomctl/cmd_keys.c \
	daemon/bomctl/cmd_parts.c \
	daemon/bomctl/cmd_projects.c \
	daemon/bomctl/cmd_search.c \
	daemon/bomctl/cmd_strategies.c \
	daemon/bomctl/cmd_submit.c \
	daemon/bomctl/cmd_suppliers.c \
	daemon/bomctl/cmd_trace.c \
	daemon/bomctl/events.c \
	daemon/bomctl/fetch.c \
	daemon/bomctl/http.c \
	daemon/bomctl/table.c
BOMCTL_COMMON_SRCS = \
	common/job_status.c \
	common/log.c \
	common/util.c

UNIT_TESTS = \
	tests/unit/test_agents.c \
	tests/unit/test_api_cache.c \
	tests/unit/test_api_route.c \
	tests/unit/test_apikey.c \
	tests/unit/test_assess.c \
	tests/unit/test_base64.c \
	tests/unit/test_batch.c \
	tests/unit/test_basis.c \
	tests/unit/test_bom.c \
	tests/unit/test_config.c \
	tests/unit/test_costing.c \
	tests/unit/test_csv.c \
	tests/unit/test_http_fetch.c \
	tests/unit/test_intake.c \
	tests/unit/test_jwt.c \
	tests/unit/test_llm_http.c \
	tests/unit/test_llm_json.c \
	tests/unit/test_master.c \
	tests/unit/test_offer_text.c \
	tests/unit/test_oidc.c \
	tests/unit/test_providers.c \
	tests/unit/test_redis_url.c \
	tests/unit/test_report.c \
	tests/unit/test_scope.c \
	tests/unit/test_sourcing.c \
	tests/unit/test_sourcing_checks.c \
	tests/unit/test_strategies.c \
	tests/unit/test_util.c \
	tests/unit/test_x402.c

# libFuzzer harnesses, one per parser of untrusted input (tests/fuzz/).
FUZZ_TESTS = \
	tests/fuzz/fuzz_api_route.c \
	tests/fuzz/fuzz_bom.c \
	tests/fuzz/fuzz_config.c \
	tests/fuzz/fuzz_intake_json.c \
	tests/fuzz/fuzz_intake_yaml.c \
	tests/fuzz/fuzz_job.c \
	tests/fuzz/fuzz_jwt.c \
	tests/fuzz/fuzz_llm_chat.c \
	tests/fuzz/fuzz_llm_json.c \
	tests/fuzz/fuzz_offer_breaks.c \
	tests/fuzz/fuzz_offers.c \
	tests/fuzz/fuzz_openai_chat.c \
	tests/fuzz/fuzz_redis_url.c \
	tests/fuzz/fuzz_x402.c

BUILD	= build
ABUILD	= build/asan

COMMON_OBJS = $(COMMON_SRCS:%.c=$(BUILD)/%.o)
DAEMON_OBJS = $(DAEMON_SRCS:%.c=$(BUILD)/%.o)
BOMCTL_OBJS = $(BOMCTL_SRCS:%.c=$(BUILD)/%.o) \
	$(BOMCTL_COMMON_SRCS:%.c=$(BUILD)/%.o)
ACOMMON_OBJS = $(COMMON_SRCS:%.c=$(ABUILD)/%.o)
ADAEMON_OBJS = $(DAEMON_SRCS:%.c=$(ABUILD)/%.o)
ABOMCTL_OBJS = $(BOMCTL_SRCS:%.c=$(ABUILD)/%.o) \
	$(BOMCTL_COMMON_SRCS:%.c=$(ABUILD)/%.o)
# Unit tests link an archive of every daemon object but main.c and of
# common/, so a test pulls in only the modules it calls.
ALIB	= $(ABUILD)/libbomd.a
ALIB_OBJS = $(filter-out $(ABUILD)/daemon/main.o,$(ADAEMON_OBJS)) \
	$(ACOMMON_OBJS) $(ABUILD)/gen/migrations.o
UNIT_BINS = $(UNIT_TESTS:tests/unit/%.c=$(ABUILD)/tests/unit/%)

# The mock servers the tests start, on one server skeleton (mock_http.c):
# DigiKey, Mouser and Nexar for the providers, an OpenAI-compatible LLM with
# scripted faults, an OIDC issuer and an x402 facilitator.
MOCKS = \
	tests/tools/mock_distributors.c \
	tests/tools/mock_llm.c \
	tests/tools/mock_oidc.c \
	tests/tools/mock_x402.c
MOCK_BINS = $(MOCKS:%.c=$(ABUILD)/%)
# What several unit tests share (keys, tokens, mock servers, fixture
# files, parse helpers), linked to each as an archive.
UNIT_FIXTURES = \
	tests/unit/auth_fixture.c \
	tests/unit/fixture_bom.c \
	tests/unit/fixture_file.c \
	tests/unit/fixture_schema.c
AFIXTURES = $(ABUILD)/tests/unit/libfixtures.a

.PHONY: all asan test check clean deps demo demo-stop bench fuzz fuzz-build

# keep intermediate objects (no "rm" after the test summary)
.SECONDARY:

all: deps bin/bomd bin/bomctl

# Install missing Debian packages: headers, and the servers and tools the
# tests and the demo run (quiet and quick when all are present).
deps:
	@scripts/install-deps

MIGRATIONS = $(sort $(wildcard migrations/*.sql))

$(BUILD)/gen/migrations.c: $(MIGRATIONS) scripts/embed-migrations
	@mkdir -p $(dir $@)
	$(SAY) "  GEN     $@"
	$(Q)scripts/embed-migrations $@

$(BUILD)/gen/migrations.o: $(BUILD)/gen/migrations.c
	$(SAY) "  CC      $<"
	$(Q)$(CC) $(CFLAGS_BASE) $(CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

bin/bomd: $(DAEMON_OBJS) $(COMMON_OBJS) $(BUILD)/gen/migrations.o
	@mkdir -p bin
	$(SAY) "  LD      $@"
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS) -lpthread -lm

bin/bomctl: $(BOMCTL_OBJS)
	@mkdir -p bin
	$(SAY) "  LD      $@"
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(BOMCTL_LIBS) -lm

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(SAY) "  CC      $<"
	$(Q)$(CC) $(CFLAGS_BASE) $(CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

# Sanitizer builds: everything the tests run.
asan: deps $(ABUILD)/bin/bomd $(ABUILD)/bin/bomctl $(UNIT_BINS) \
	$(MOCK_BINS)

$(MOCK_BINS): $(ABUILD)/tests/tools/%: $(ABUILD)/tests/tools/%.o \
    $(ABUILD)/tests/tools/mock_http.o $(ALIB)
	@mkdir -p $(dir $@)
	$(SAY) "  LD      $@"
	$(Q)$(CC) $(ASAN_FLAGS) -o $@ $^ $(PKG_LIBS) -lpthread -lm

$(ABUILD)/bin/bomd: $(ADAEMON_OBJS) $(ACOMMON_OBJS) $(ABUILD)/gen/migrations.o
	@mkdir -p $(dir $@)
	$(SAY) "  LD      $@ (asan)"
	$(Q)$(CC) $(ASAN_FLAGS) -o $@ $^ $(PKG_LIBS) -lpthread -lm

$(ABUILD)/gen/migrations.o: $(BUILD)/gen/migrations.c
	@mkdir -p $(dir $@)
	$(SAY) "  CC      $< (asan)"
	$(Q)$(CC) $(CFLAGS_BASE) $(ASAN_FLAGS) $(PKG_CFLAGS) -c -o $@ $<

$(ABUILD)/bin/bomctl: $(ABOMCTL_OBJS)
	@mkdir -p $(dir $@)
	$(SAY) "  LD      $@ (asan)"
	$(Q)$(CC) $(ASAN_FLAGS) -o $@ $^ $(BOMCTL_LIBS) -lm

$(ABUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(SAY) "  CC      $< (asan)"
	$(Q)$(CC) $(CFLAGS_BASE) $(ASAN_FLAGS) $(PKG_CFLAGS) -c -o $@ $<

$(ALIB): $(ALIB_OBJS)
	$(SAY) "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

$(AFIXTURES): $(UNIT_FIXTURES:%.c=$(ABUILD)/%.o)
	$(SAY) "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

$(ABUILD)/tests/unit/%: $(ABUILD)/tests/unit/%.o $(AFIXTURES) $(ALIB)
	@mkdir -p $(dir $@)
	$(SAY) "  LD      $@"
	$(Q)$(CC) $(ASAN_FLAGS) -o $@ $^ $(PKG_LIBS) -lcmocka -lpthread -lm

# Unit tests: no network, no services.
test: deps $(UNIT_BINS) $(MOCK_BINS)
	@scripts/run-unit $(UNIT_BINS)

# Fuzzing: every harness built with clang (its own objects in build/fuzz/)
# and run FUZZ_SECONDS each; make check runs each for a few seconds.
FUZZ_CC	= clang
FUZZ_SECONDS ?= 60
FBUILD	= build/fuzz
FUZZ_FLAGS = -O1 -g -fno-omit-frame-pointer \
	-fsanitize=fuzzer-no-link,address,undefined \
	-fno-sanitize-recover=undefined
FLIB	= $(FBUILD)/libbomd.a
FLIB_OBJS = $(filter-out $(FBUILD)/daemon/main.o, \
	$(DAEMON_SRCS:%.c=$(FBUILD)/%.o)) $(COMMON_SRCS:%.c=$(FBUILD)/%.o) \
	$(FBUILD)/gen/migrations.o
FUZZ_BINS = $(FUZZ_TESTS:tests/fuzz/%.c=$(FBUILD)/bin/%)

fuzz-build: deps $(FUZZ_BINS)

fuzz: fuzz-build
	@scripts/run-fuzz $(FUZZ_SECONDS) $(FUZZ_BINS)

$(FBUILD)/gen/migrations.o: $(BUILD)/gen/migrations.c
	@mkdir -p $(dir $@)
	$(SAY) "  CC      $< (fuzz)"
	$(Q)$(FUZZ_CC) $(CFLAGS_BASE) $(FUZZ_FLAGS) $(PKG_CFLAGS) -c -o $@ $<

$(FBUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(SAY) "  CC      $< (fuzz)"
	$(Q)$(FUZZ_CC) $(CFLAGS_BASE) $(FUZZ_FLAGS) $(PKG_CFLAGS) -c -o $@ $<

$(FLIB): $(FLIB_OBJS)
	$(SAY) "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

$(FBUILD)/bin/%: $(FBUILD)/tests/fuzz/%.o $(FLIB)
	@mkdir -p $(dir $@)
	$(SAY) "  LD      $@"
	$(Q)$(FUZZ_CC) -fsanitize=fuzzer,address,undefined -o $@ $^ \
	    $(PKG_LIBS) -lpthread -lm

# Everything: unit tests, a short run of every fuzz harness, then
# integration against real Redis/PostgreSQL.
check: deps asan fuzz-build
	@BOMD_FUZZ_BINS="$(FUZZ_BINS)" scripts/run-checks $(UNIT_BINS)

demo: all
	@scripts/demo

demo-stop:
	@scripts/demo-stop

bench: all $(BUILD)/bench_load
	-@scripts/bench

# The HTTP load generator the bench drives the API with (bench only).
$(BUILD)/bench_load: tests/tools/bench_load.c
	@mkdir -p $(dir $@)
	$(SAY) "  CC      $<"
	$(Q)$(CC) $(CFLAGS_BASE) $(CFLAGS) $(shell pkg-config --cflags libcurl) \
	    -o $@ $< $(shell pkg-config --libs libcurl)

clean:
	rm -rf $(BUILD) bin

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
