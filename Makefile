# bomd — one Makefile for the daemon, the client, tests, demo and bench.

CC	?= cc
PKGS	 = hiredis libpq jansson libcurl libconfig libmicrohttpd libsystemd \
	   yaml-0.1 libcrypto
WERROR	?= 1

CFLAGS_BASE = -std=c11 -D_DEFAULT_SOURCE -Wall -Wextra -Wstrict-prototypes \
	-Wwrite-strings -MMD -MP -Icommon -Idaemon
ifeq ($(WERROR),1)
CFLAGS_BASE += -Werror
endif
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

CFLAGS	?= -O2 -g
ASAN_FLAGS = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=undefined

COMMON_SRCS = \
	common/apikey.c \
	common/assess.c \
	common/config.c \
	common/costing.c \
	common/csv.c \
	common/db.c \
	common/intake.c \
	common/llm_http.c \
	common/llm_json.c \
	common/log.c \
	common/offers.c \
	common/queue.c \
	common/sourcing.c \
	common/util.c

DAEMON_SRCS = \
	daemon/admin.c \
	daemon/api_admin.c \
	daemon/api.c \
	daemon/api_events.c \
	daemon/api_jobs.c \
	daemon/api_knowledge.c \
	daemon/api_metrics.c \
	daemon/api_openai.c \
	daemon/api_projects.c \
	daemon/api_wait.c \
	daemon/checkpoint.c \
	daemon/job.c \
	daemon/main.c \
	daemon/master.c \
	daemon/migrate.c \
	daemon/offers_import.c \
	daemon/proctitle.c \
	daemon/stage_decide.c \
	daemon/stage_enrich.c \
	daemon/stage_intake.c \
	daemon/stage_llm.c \
	daemon/stage_persist.c \
	daemon/worker.c

BOMCTL_SRCS = \
	daemon/bomctl.c

UNIT_TESTS = \
	tests/test_assess.c \
	tests/test_config.c \
	tests/test_costing.c \
	tests/test_csv.c \
	tests/test_intake.c \
	tests/test_llm_http.c \
	tests/test_llm_json.c \
	tests/test_sourcing.c \
	tests/test_util.c

BUILD	= build
ABUILD	= build/asan

COMMON_OBJS = $(COMMON_SRCS:%.c=$(BUILD)/%.o)
DAEMON_OBJS = $(DAEMON_SRCS:%.c=$(BUILD)/%.o)
BOMCTL_OBJS = $(BOMCTL_SRCS:%.c=$(BUILD)/%.o)
ACOMMON_OBJS = $(COMMON_SRCS:%.c=$(ABUILD)/%.o)
ADAEMON_OBJS = $(DAEMON_SRCS:%.c=$(ABUILD)/%.o)
ABOMCTL_OBJS = $(BOMCTL_SRCS:%.c=$(ABUILD)/%.o)
UNIT_BINS = $(UNIT_TESTS:tests/%.c=$(ABUILD)/tests/%)

.PHONY: all asan test check clean deps demo demo-stop bench

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
	scripts/embed-migrations $@

$(BUILD)/gen/migrations.o: $(BUILD)/gen/migrations.c
	$(CC) $(CFLAGS_BASE) $(CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

bin/bomd: $(DAEMON_OBJS) $(COMMON_OBJS) $(BUILD)/gen/migrations.o
	@mkdir -p bin
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS) -lpthread -lm

bin/bomctl: $(BOMCTL_OBJS) $(COMMON_OBJS)
	@mkdir -p bin
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS) -lm

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) $(CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

# Sanitizer builds: everything the tests run.
asan: deps $(ABUILD)/bin/bomd $(ABUILD)/bin/bomctl $(UNIT_BINS) \
	$(ABUILD)/tests/mock_llm

# The OpenAI-compatible mock server the LLM tests start (scripted faults).
$(ABUILD)/tests/mock_llm: $(ABUILD)/tests/mock_llm.o $(ACOMMON_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(ASAN_FLAGS) -o $@ $^ $(PKG_LIBS) -lpthread -lm

$(ABUILD)/bin/bomd: $(ADAEMON_OBJS) $(ACOMMON_OBJS) $(ABUILD)/gen/migrations.o
	@mkdir -p $(dir $@)
	$(CC) $(ASAN_FLAGS) -o $@ $^ $(PKG_LIBS) -lpthread -lm

$(ABUILD)/gen/migrations.o: $(BUILD)/gen/migrations.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) $(ASAN_FLAGS) $(PKG_CFLAGS) -c -o $@ $<

$(ABUILD)/bin/bomctl: $(ABOMCTL_OBJS) $(ACOMMON_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(ASAN_FLAGS) -o $@ $^ $(PKG_LIBS) -lm

$(ABUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) $(ASAN_FLAGS) $(PKG_CFLAGS) -c -o $@ $<

$(ABUILD)/tests/%: $(ABUILD)/tests/%.o $(ACOMMON_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(ASAN_FLAGS) -o $@ $^ $(PKG_LIBS) -lcmocka -lm

# Unit tests: no network, no services.
test: deps $(UNIT_BINS) $(ABUILD)/tests/mock_llm
	@scripts/run-unit $(UNIT_BINS)

# Everything: unit tests, then integration against real Redis/PostgreSQL.
check: deps asan
	@scripts/run-checks $(UNIT_BINS)

demo: all
	@scripts/demo

demo-stop:
	@scripts/demo-stop

bench: all $(BUILD)/bench_load
	-@scripts/bench

# The HTTP load generator the bench drives the API with (bench only).
$(BUILD)/bench_load: tests/bench_load.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) $(CFLAGS) $(shell pkg-config --cflags libcurl) \
	    -o $@ $< $(shell pkg-config --libs libcurl)

clean:
	rm -rf $(BUILD) bin

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
