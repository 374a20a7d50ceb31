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
COMMON_SRCS = $(sort $(wildcard common/*.c))

# bomd: the master (supervisor) and the command line.
MASTER_SRCS = $(sort $(wildcard daemon/*.c))

# bomd: the HTTP API process.
API_SRCS = $(sort $(wildcard daemon/api/*.c))

# bomd: the worker process and the flow stages.
WORKER_SRCS = $(sort $(wildcard daemon/worker/*.c))

# bomd: the offline commands (migrate, clients, keys, offers import).
ADMIN_SRCS = $(sort $(wildcard daemon/admin/*.c))

DAEMON_SRCS = $(MASTER_SRCS) $(API_SRCS) $(WORKER_SRCS) $(ADMIN_SRCS)

# bomctl: the command-line client, and the few common modules it uses.
BOMCTL_SRCS = $(sort $(wildcard daemon/bomctl/*.c))
BOMCTL_COMMON_SRCS = \
	common/job_status.c \
	common/log.c \
	common/util.c

UNIT_TESTS = $(sort $(wildcard tests/unit/test_*.c))

# libFuzzer harnesses, one per parser of untrusted input (tests/fuzz/).
FUZZ_TESTS = $(sort $(wildcard tests/fuzz/fuzz_*.c))

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
MOCKS = $(filter-out tests/tools/mock_http.c, \
	$(sort $(wildcard tests/tools/mock_*.c)))
MOCK_BINS = $(MOCKS:%.c=$(ABUILD)/%)
# What several unit tests share (keys, tokens, mock servers, fixture
# files, parse helpers, and unit.c: the one main(), which runs the tests
# a file registers with UNIT_TEST()), linked to each as an archive.
UNIT_FIXTURES = $(filter-out $(UNIT_TESTS), $(sort $(wildcard tests/unit/*.c)))
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

# $(call cc,COMPILER,FLAGS,NOTE): compile $< to $@.
define cc
@mkdir -p $(dir $@)
$(SAY) "  CC      $<$(3)"
$(Q)$(1) $(CFLAGS_BASE) $(2) $(PKG_CFLAGS) -c -o $@ $<
endef

# $(call ld,COMPILER AND FLAGS,LIBS,NOTE): link $^ to $@.
define ld
@mkdir -p $(dir $@)
$(SAY) "  LD      $@$(3)"
$(Q)$(1) -o $@ $^ $(2)
endef

# $(call ar): archive $^ as $@.
define ar
$(SAY) "  AR      $@"
$(Q)rm -f $@ && ar rcs $@ $^
endef

# Every build (release, sanitizers, fuzzing) compiles the sources and the
# embedded migrations into a folder of its own.
$(BUILD)/%.o: %.c
	$(call cc,$(CC),$(CFLAGS))

$(BUILD)/gen/%.o: $(BUILD)/gen/%.c
	$(call cc,$(CC),$(CFLAGS))

$(ABUILD)/%.o: %.c
	$(call cc,$(CC),$(ASAN_FLAGS), (asan))

$(ABUILD)/gen/%.o: $(BUILD)/gen/%.c
	$(call cc,$(CC),$(ASAN_FLAGS), (asan))

bin/bomd: $(DAEMON_OBJS) $(COMMON_OBJS) $(BUILD)/gen/migrations.o
	$(call ld,$(CC) $(CFLAGS),$(PKG_LIBS) -lpthread -lm)

bin/bomctl: $(BOMCTL_OBJS)
	$(call ld,$(CC) $(CFLAGS),$(BOMCTL_LIBS) -lm)

# Sanitizer builds: everything the tests run.
asan: deps $(ABUILD)/bin/bomd $(ABUILD)/bin/bomctl $(UNIT_BINS) \
	$(MOCK_BINS)

$(MOCK_BINS): $(ABUILD)/tests/tools/%: $(ABUILD)/tests/tools/%.o \
    $(ABUILD)/tests/tools/mock_http.o $(ALIB)
	$(call ld,$(CC) $(ASAN_FLAGS),$(PKG_LIBS) -lpthread -lm)

$(ABUILD)/bin/bomd: $(ADAEMON_OBJS) $(ACOMMON_OBJS) $(ABUILD)/gen/migrations.o
	$(call ld,$(CC) $(ASAN_FLAGS),$(PKG_LIBS) -lpthread -lm, (asan))

$(ABUILD)/bin/bomctl: $(ABOMCTL_OBJS)
	$(call ld,$(CC) $(ASAN_FLAGS),$(BOMCTL_LIBS) -lm, (asan))

$(ALIB): $(ALIB_OBJS)
	$(call ar)

$(AFIXTURES): $(UNIT_FIXTURES:%.c=$(ABUILD)/%.o)
	$(call ar)

$(ABUILD)/tests/unit/%: $(ABUILD)/tests/unit/%.o $(AFIXTURES) $(ALIB)
	$(call ld,$(CC) $(ASAN_FLAGS),$(PKG_LIBS) -lcmocka -lpthread -lm)

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
FUZZ_LDFLAGS = -fsanitize=fuzzer,address,undefined
FLIB	= $(FBUILD)/libbomd.a
FLIB_OBJS = $(filter-out $(FBUILD)/daemon/main.o, \
	$(DAEMON_SRCS:%.c=$(FBUILD)/%.o)) $(COMMON_SRCS:%.c=$(FBUILD)/%.o) \
	$(FBUILD)/gen/migrations.o
FUZZ_BINS = $(FUZZ_TESTS:tests/fuzz/%.c=$(FBUILD)/bin/%)

fuzz-build: deps $(FUZZ_BINS)

fuzz: fuzz-build
	@scripts/run-fuzz $(FUZZ_SECONDS) $(FUZZ_BINS)

$(FBUILD)/%.o: %.c
	$(call cc,$(FUZZ_CC),$(FUZZ_FLAGS), (fuzz))

$(FBUILD)/gen/%.o: $(BUILD)/gen/%.c
	$(call cc,$(FUZZ_CC),$(FUZZ_FLAGS), (fuzz))

$(FLIB): $(FLIB_OBJS)
	$(call ar)

$(FBUILD)/bin/%: $(FBUILD)/tests/fuzz/%.o $(FLIB)
	$(call ld,$(FUZZ_CC) $(FUZZ_LDFLAGS),$(PKG_LIBS) -lpthread -lm)

# fuzz_llm_json validates against the LLM unit tests' schema too
$(FBUILD)/tests/fuzz/fuzz_llm_json.o: FUZZ_FLAGS += -Itests/unit
$(FBUILD)/bin/fuzz_llm_json: $(FBUILD)/tests/unit/fixture_schema.o

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
