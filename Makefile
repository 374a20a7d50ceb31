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
	common/log.c \
	common/util.c

DAEMON_SRCS = \
	daemon/main.c

BOMCTL_SRCS = \
	daemon/bomctl.c

UNIT_TESTS = \
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

all: deps bin/bomd bin/bomctl

# Install missing Debian packages when a header is missing.
deps:
	@for h in hiredis/hiredis.h libpq-fe.h jansson.h curl/curl.h \
	    libconfig.h microhttpd.h systemd/sd-daemon.h yaml.h \
	    openssl/sha.h cmocka.h; do \
		for d in /usr/include /usr/include/postgresql; do \
			[ -e $$d/$$h ] && continue 2; \
		done; \
		exec scripts/install-deps; \
	done

bin/bomd: $(DAEMON_OBJS) $(COMMON_OBJS)
	@mkdir -p bin
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS) -lm

bin/bomctl: $(BOMCTL_OBJS) $(COMMON_OBJS)
	@mkdir -p bin
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS) -lm

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) $(CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

# Sanitizer builds: everything the tests run.
asan: deps $(ABUILD)/bin/bomd $(ABUILD)/bin/bomctl $(UNIT_BINS)

$(ABUILD)/bin/bomd: $(ADAEMON_OBJS) $(ACOMMON_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(ASAN_FLAGS) -o $@ $^ $(PKG_LIBS) -lm

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
test: deps $(UNIT_BINS)
	@scripts/run-unit $(UNIT_BINS)

# Everything: unit tests, then integration against real Redis/PostgreSQL.
check: deps asan
	@scripts/run-checks $(UNIT_BINS)

demo: all
	@scripts/demo

demo-stop:
	@scripts/demo-stop

bench: all
	-@scripts/bench

clean:
	rm -rf $(BUILD) bin

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
