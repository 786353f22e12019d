# sipfed — build, test and run. `make test` is what CI and people run.
CC      ?= gcc
PKGS    := sofia-sip-ua libssl libcrypto libcares libpcre2-8 inih expat
CSTD    := -std=c11 -D_GNU_SOURCE
WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wpointer-arith -Wvla -Werror
# sofia's headers trip -Wstrict-prototypes and friends: include them as system headers.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null | sed 's/-I/-isystem /g')
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CFLAGS  ?= -O2 -g
# One folder per layer (docs/architecture.md); each folder's headers are on the include path.
LAYERS  := base dialplan routing dns tls presence sip cli
INC     := $(LAYERS:%=-Iproxy/%)
ALL_CFLAGS = $(CSTD) $(WARN) $(CFLAGS) $(PKG_CFLAGS) $(INC) -MMD -MP
LDLIBS  = $(PKG_LIBS) -lresolv -ldl

B       ?= build
SRC     := $(filter-out proxy/cli/main.c,$(foreach l,$(LAYERS),$(wildcard proxy/$(l)/*.c)))
OBJ     := $(SRC:proxy/%.c=$(B)/obj/%.o)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)

.SECONDARY:
.PHONY: all asan deps certs run test unit unit-asan acceptance acceptance-asan bench fuzz clean
all: $(B)/sipfed

$(B)/obj/%.o: proxy/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/libsipfed.a: $(OBJ)
	@rm -f $@
	ar rcs $@ $^

$(B)/sipfed: $(B)/obj/cli/main.o $(B)/libsipfed.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/tests/%.o: tests/unit/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/tests/%: $(B)/tests/%.o $(B)/libsipfed.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

# Live DNS test program (tests/acceptance/t_dns_resolver.sh runs it against dnsmasq).
$(B)/tests/dns_live: tests/acceptance/dns_live.c $(B)/libsipfed.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# ASan+UBSan build of the daemon and the unit tests, in build-asan/.
asan:
	$(MAKE) B=build-asan CFLAGS="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined" \
		LDFLAGS="-fsanitize=address,undefined" build-asan/sipfed $(UNIT_BIN:$(B)/%=build-asan/%)

deps:
	scripts/deps.sh

certs: $(B)/sipfed
	certs/mklab.sh

unit: $(UNIT_BIN)
	scripts/run-unit.sh $(UNIT_BIN)

unit-asan: asan
	scripts/run-unit.sh $(UNIT_BIN:$(B)/%=build-asan/%)

run: deps
	$(MAKE) all
	$(MAKE) certs
	$(B)/sipfed -c sipfed.ini run

test: deps
	$(MAKE) all
	$(MAKE) certs
	$(B)/sipfed -c sipfed.ini check --cases rules/lab.cases --cases rules/policy.cases
	$(B)/sipfed -c rules/examples/internal/sipfed.ini check --cases rules/examples/internal/internal.cases
	$(B)/sipfed -c rules/examples/dmz/sipfed.ini check --cases rules/examples/dmz/dmz.cases
	$(MAKE) unit
	$(MAKE) unit-asan
	$(MAKE) fuzz-smoke
	$(MAKE) acceptance
	$(MAKE) acceptance-asan

acceptance: all $(B)/tests/dns_live
	tests/acceptance/run.sh

# The same scenarios against the ASan+UBSan daemon: any sanitizer report fails a scenario.
acceptance-asan: asan $(B)/tests/dns_live
	SIPFED=$(CURDIR)/build-asan/sipfed ASAN_OPTIONS=fast_unwind_on_malloc=0 \
		LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
		tests/acceptance/run.sh

bench: deps all
	scripts/bench.sh

clean:
	rm -rf build build-asan build-fuzz

-include $(OBJ:.o=.d) $(B)/obj/cli/main.d $(UNIT_BIN:%=%.d)

# libFuzzer target over the presence body parsers (clang), in build-fuzz/ (owner: presence).
# `fuzz` runs 5 minutes, `fuzz-smoke` 30 s; new inputs go to build-fuzz/corpus, never the repo.
FUZZ_CC    ?= clang
# the pure parsers and mappings only (the proxy's presence glue lives in proxy/sip/)
FUZZ_SRC   := tests/fuzz/fuzz_presence.c $(wildcard proxy/presence/*.c)
FUZZ_RUN    = build-fuzz/fuzz_presence -max_len=70000 -timeout=10 -rss_limit_mb=1024 \
              -artifact_prefix=build-fuzz/ build-fuzz/corpus tests/fuzz/corpus/presence
.PHONY: fuzz-smoke
build-fuzz/fuzz_presence: $(FUZZ_SRC) $(wildcard proxy/presence/*.h)
	@mkdir -p build-fuzz/corpus
	$(FUZZ_CC) $(CSTD) $(WARN) -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined \
		$(PKG_CFLAGS) $(INC) -o $@ $(FUZZ_SRC) $(PKG_LIBS)

fuzz: build-fuzz/fuzz_presence
	$(FUZZ_RUN) -max_total_time=300

fuzz-smoke: build-fuzz/fuzz_presence
	$(FUZZ_RUN) -max_total_time=30
