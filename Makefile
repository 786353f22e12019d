# sipfed — build, test and run. `make test` is what CI and people run.
CC      ?= gcc
# pkg-config modules with the lowest versions we build against (Debian 12 has these or newer).
# sofia-sip below 1.13: proxy/tls/tls_hook.c frees each connection's SSL, which 1.12 never does;
# the 1.13 fork frees it itself, so the hook would free it twice (docs/tls.md).
PKGS    := 'sofia-sip-ua >= 1.12' 'sofia-sip-ua < 1.13' 'libssl >= 3.0' 'libcrypto >= 3.0' \
           'libcares >= 1.17' 'libpcre2-8 >= 10.34' 'inih >= 53' 'expat >= 2.2' \
           'libsystemd >= 209' 'libstrophe >= 0.12'
CSTD    := -std=c11 -D_GNU_SOURCE
WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wpointer-arith -Wvla -Werror
# sofia's headers trip -Wstrict-prototypes and friends: include them as system headers.
# pkg-config's own errors (a missing -dev package, a version too old) go to the terminal;
# the `pkgcheck` target stops the build on them before the first compiler error.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) | sed 's/-I/-isystem /g')
PKG_LIBS   = $(shell pkg-config --libs $(PKGS))
CFLAGS  ?= -O2 -g
# Installation (make install; the .deb sets PREFIX=/usr). The configuration stays in /etc unless
# SYSCONFDIR says otherwise; the daemon's default node file is $(SYSCONFDIR)/sipfed/sipfed.ini.
PREFIX     ?= /usr/local
SBINDIR    ?= $(PREFIX)/sbin
MANDIR     ?= $(PREFIX)/share/man
DOCDIR     ?= $(PREFIX)/share/doc/sipfed
SYSCONFDIR ?= /etc
UNITDIR    ?= $(PREFIX)/lib/systemd/system
DEFS    := -DSIPFED_DEFAULT_CONFIG='"$(SYSCONFDIR)/sipfed/sipfed.ini"'
# One folder per layer (docs/architecture.md); each folder's headers are on the include path.
LAYERS  := base dialplan routing dns tls presence ops sip gateway cli
INC     := $(LAYERS:%=-Iproxy/%)
# CPPFLAGS/LDFLAGS from the environment too (dpkg-buildflags: fortify, relro, now).
ALL_CFLAGS = $(CSTD) $(WARN) $(CPPFLAGS) $(CFLAGS) $(PKG_CFLAGS) $(INC) $(DEFS) -MMD -MP
LDLIBS  = $(PKG_LIBS) -lresolv -ldl

B       ?= build
# The pure core (no SIP engine, TLS or DNS) is its own library; the layering check keeps it so.
CORE_LAYERS := base dialplan routing
CORE_SRC := $(foreach l,$(CORE_LAYERS),$(wildcard proxy/$(l)/*.c))
SRC     := $(filter-out proxy/cli/main.c $(CORE_SRC),$(foreach l,$(LAYERS),$(wildcard proxy/$(l)/*.c)))
CORE_OBJ := $(CORE_SRC:proxy/%.c=$(B)/obj/%.o)
OBJ     := $(SRC:proxy/%.c=$(B)/obj/%.o)
LIBS    := $(B)/libsipfed.a $(B)/libsipfed_core.a
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)

# Every build uses every core: `make test` compiles the normal, the sanitizer, the fuzz and the
# package builds in turn (MAKEFLAGS given on the command line, e.g. -j1, still wins).
MAKEFLAGS += -j$(shell nproc)

.SECONDARY:
.PHONY: all asan deps deps-run certs run test unit unit-asan acceptance acceptance-asan acceptance-all bench bench-memory fuzz clean \
	pkgcheck install install-config deb package-test man-lint layers-test docs-test test-full-limits
all: $(B)/sipfed $(B)/layers.ok

# Every -dev package present in a recent enough version, or pkg-config's message and a hint.
pkgcheck:
	@pkg-config --print-errors --exists $(PKGS) || \
		{ echo "sipfed: missing build dependencies: run scripts/deps.sh build (as root)" >&2; exit 1; }

$(B)/obj/%.o: proxy/%.c | pkgcheck
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# base + dialplan + routing: what `check`, `locate` and the proxy share. The build fails when
# it calls nta_/tport_ (SIP engine), ares_ (DNS) or SSL_ (TLS) (scripts/check-layers.py).
$(B)/libsipfed_core.a: $(CORE_OBJ) scripts/check-layers.py
	@rm -f $@
	ar rcs $@ $(CORE_OBJ)
	@scripts/check-layers.py core $@ || { rm -f $@; exit 1; }

# dns, tls, presence, sip, cli: the shell around the core.
$(B)/libsipfed.a: $(OBJ)
	@rm -f $@
	ar rcs $@ $^

# sofia's own functions that proxy/tls/tls_readbuf.c, tls_drain.c, tls_after_check.c and
# proxy/sip/stream_read.c interpose: the executable must export them
# (libssl's and libc's functions are exported because the libraries import them; these are not).
INTERPOSE_EXPORTS := $(foreach f,tls_init_secondary tls_read tls_free tls_pending tls_connect su_getmsgsize,-Wl,--export-dynamic-symbol=$(f))
$(B)/sipfed: $(B)/obj/cli/main.o $(LIBS)
	$(CC) $(CFLAGS) $(LDFLAGS) $(INTERPOSE_EXPORTS) -o $@ $^ $(LDLIBS)

# Every file calls only its own layer or lower ones, and no files call each other in a circle.
$(B)/layers.ok: $(CORE_OBJ) $(OBJ) $(B)/obj/cli/main.o scripts/check-layers.py
	@scripts/check-layers.py deps $(CORE_OBJ) $(OBJ) $(B)/obj/cli/main.o
	@touch $@

# The checker itself catches a planted violation of each kind.
layers-test:
	scripts/check-layers.py self-test

$(B)/tests/%.o: tests/unit/%.c | pkgcheck
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/tests/%: $(B)/tests/%.o $(LIBS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

# the TLS wire test runs sofia with the daemon's interposed functions (tls_drain.c's test)
$(B)/tests/test_tls_wire: $(B)/tests/test_tls_wire.o $(LIBS)
	$(CC) $(CFLAGS) $(LDFLAGS) $(INTERPOSE_EXPORTS) -o $@ $^ $(LDLIBS) -lcmocka

# Live DNS test program (tests/acceptance/t_dns_resolver.sh runs it against dnsmasq).
$(B)/tests/dns_live: tests/acceptance/dns_live.c $(LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The scripted XMPP client of the gateway scenarios (tests/acceptance/t_gateway_*.sh).
$(B)/tests/xmpp_client: tests/acceptance/xmpp_client.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LDLIBS)

# ASan+UBSan build of the daemon and the unit tests, in build-asan/.
asan:
	$(MAKE) B=build-asan CFLAGS="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined" \
		LDFLAGS="-fsanitize=address,undefined" build-asan/sipfed build-asan/layers.ok $(UNIT_BIN:$(B)/%=build-asan/%)

# Every set (build, run, test); `make run` installs only what building and running need.
deps:
	scripts/deps.sh

deps-run:
	scripts/deps.sh build run

certs: $(B)/sipfed
	certs/mklab.sh

unit: $(UNIT_BIN)
	scripts/run-unit.sh $(UNIT_BIN)

unit-asan: asan
	scripts/run-unit.sh $(UNIT_BIN:$(B)/%=build-asan/%)

run: deps-run
	$(MAKE) all
	$(MAKE) certs
	$(B)/sipfed -c sipfed.ini run

test: deps
	$(MAKE) all
	$(MAKE) certs
	tests/ports-free.sh
	$(B)/sipfed -c sipfed.ini check --cases rules/lab.cases --cases rules/policy.cases
	$(B)/sipfed -c rules/examples/internal/sipfed.ini check --cases rules/examples/internal/internal.cases
	$(B)/sipfed -c rules/examples/dmz/sipfed.ini check --cases rules/examples/dmz/dmz.cases
	$(MAKE) layers-test
	$(MAKE) docs-test
	$(MAKE) unit
	$(MAKE) unit-asan
	$(MAKE) fuzz-smoke
	$(MAKE) man-lint
	$(MAKE) acceptance-all
	$(MAKE) package-test

# Every example of README.md and docs/*.md, run as shown (tests/docs/run.py says how).
docs-test: all certs
	tests/docs/run.py

acceptance: all $(B)/tests/dns_live $(B)/tests/xmpp_client
	tests/acceptance/run.sh

# The same scenarios against the ASan+UBSan daemon: any sanitizer report fails a scenario.
acceptance-asan: asan $(B)/tests/dns_live $(B)/tests/xmpp_client
	SIPFED=$(CURDIR)/build-asan/sipfed ASAN_OPTIONS=fast_unwind_on_malloc=0 \
		LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
		tests/acceptance/run.sh

# Both sets in one pool of parallel jobs (`make test`; each scenario in its own network namespace).
acceptance-all: all asan $(B)/tests/dns_live $(B)/tests/xmpp_client
	tests/acceptance/run.sh -a $(CURDIR)/build-asan/sipfed

bench: all
	scripts/deps.sh build run test bench
	scripts/bench.sh

# make bench's memory step alone (about 30 s per configuration, one core; docs/performance.md):
# node B's PSS idle and with TLS_CONNS (1000) idle mutual-TLS connections, in kB per connection.
# CONFIGS="sipfed:1 sipfed:2 kamailio:1" to compare; runs in its own network namespace as root.
bench-memory: all
	set -- env MEMORY_ONLY=1 CONFIGS="$${CONFIGS:-sipfed:1}" scripts/bench.sh; \
	if [ "$$(id -u)" -eq 0 ]; then unshare -n sh -c 'ip link set lo up && exec "$$@"' sh "$$@"; \
	else "$$@"; fi

# Issue 11's full-size slow-client run (docs/security.md, not part of make test; about two
# minutes, root, in its own network namespace): 1 000 half-open TLS connections, 200 trickling
# one byte a second, 1 360 silent TCP ones, while a legitimate peer sends 200 MESSAGE/s for 30 s.
test-full-limits: all certs
	unshare -n sh -c 'ip link set lo up && HALF=1000 TRICKLE=200 TRICKLE_INTERVAL=1 RATE=200 \
		HS_TIMEOUT=15 IDLE_TIMEOUT=20 MSG_TIMEOUT=10 \
		CALLS=6000 tests/acceptance/run.sh inbound_limits'

clean:
	rm -rf build build-asan build-fuzz

# ------------------------------------------------------------------ install
# The binary, the man pages, the systemd unit and the examples; never the configuration in /etc
# (install-config puts the default one there when there is none). DESTDIR stages a package.
MAN_PAGES := man/sipfed.8 man/sipfed.ini.5
install: $(B)/sipfed
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(UNITDIR) $(DESTDIR)$(DOCDIR)/examples/rules
	install -m 755 $(B)/sipfed $(DESTDIR)$(SBINDIR)/sipfed
	install -m 644 man/sipfed.8 $(DESTDIR)$(MANDIR)/man8/sipfed.8
	install -m 644 man/sipfed.ini.5 $(DESTDIR)$(MANDIR)/man5/sipfed.ini.5
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' dist/sipfed.service.in \
		> $(DESTDIR)$(UNITDIR)/sipfed.service
	chmod 644 $(DESTDIR)$(UNITDIR)/sipfed.service
	install -m 644 dist/examples/sipfed.ini $(DESTDIR)$(DOCDIR)/examples/sipfed.ini
	install -m 644 dist/examples/rules/*.ini $(DESTDIR)$(DOCDIR)/examples/rules/

# The example node file and dial plan as $(SYSCONFDIR)/sipfed, only where none exists yet.
install-config:
	install -d $(DESTDIR)$(SYSCONFDIR)/sipfed/rules
	[ -e $(DESTDIR)$(SYSCONFDIR)/sipfed/sipfed.ini ] || \
		install -m 644 dist/sipfed.ini $(DESTDIR)$(SYSCONFDIR)/sipfed/sipfed.ini
	for f in dist/rules/*.ini; do [ -e $(DESTDIR)$(SYSCONFDIR)/sipfed/rules/$${f##*/} ] || \
		install -m 644 $$f $(DESTDIR)$(SYSCONFDIR)/sipfed/rules/; done

# The man pages: clean for mandoc (warnings included), every key and command described.
man-lint:
	scripts/check-man.sh

# The Debian package, built with debhelper from a copy of the tracked files (build/deb/src), so
# dpkg-buildpackage's clean never touches this tree's builds. Result: build/deb/sipfed_*.deb.
deb:
	scripts/build-deb.sh

# As root: build the .deb, lint it, check the unit (verify, security <= 3.0), install it, run the
# daemon with the unit's own commands as the sipfed user, send a MESSAGE, reload, purge it.
package-test: deb
	tests/package/run.sh

-include $(CORE_OBJ:.o=.d) $(OBJ:.o=.d) $(B)/obj/cli/main.d $(UNIT_BIN:%=%.d)

# ------------------------------------------------------------------ fuzzing (docs/fuzzing.md)
# libFuzzer targets (clang, ASan+UBSan), one per input the proxy reads from outside, in
# build-fuzz/:
#   presence  presence bodies (PIDF, msrtc, XPIDF, XMPP, multipart) parsed and written back
#   loader    the node file + dial-plan files, through the calls of `sipfed check`
#   cases     a routing-case file (rules/*.cases) run against the lab dial plan
#   request   raw bytes -> sofia's parser -> source zone -> §16.3 checks -> search -> the copy
#             each branch would send (no network)
#   stream    a TCP/TLS byte stream -> reads of at most STREAM_READ_CHUNK -> sofia's framing
#             (msg_extract/msg_next with the agent's class and flags) -> each message re-encoded
#   admin     a connection to the admin port -> nth's HTTP framing and checks -> admin_route.c
#             (method, bearer token, path, ?n=)
# Seeds: tests/fuzz/corpus/TARGET. New inputs go to build-fuzz/corpus/TARGET, never the repo;
# a crash is written to build-fuzz/TARGET-crash-*. `fuzz-smoke` (in make test) runs each target
# FUZZ_SMOKE_SECONDS, `fuzz` each FUZZ_SECONDS, `fuzz-long` each for FUZZ_LONG_RUNS executions.
FUZZ_CC      ?= clang
FUZZ_TARGETS := presence loader cases request stream admin
# 6 targets x 8 s: with libFuzzer's start and corpus pass (~6 s a target under load) about
# the time 4 x 15 s took before (84 s at load 12)
FUZZ_SMOKE_SECONDS ?= 8
FUZZ_SECONDS ?= 300
FUZZ_LONG_RUNS ?= 10000000
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS   = $(CSTD) $(WARN) -g -O1 -fno-omit-frame-pointer $(FUZZ_SAN) $(PKG_CFLAGS) $(INC) \
                -Itests/fuzz -DFUZZ_REPO='"$(CURDIR)"' -MMD -MP
FUZZ_CORE    := $(CORE_SRC:proxy/%.c=build-fuzz/obj/%.o)
# what each target links besides its own file (the pure layers; never nta, tport or TLS)
FUZZ_OBJ_presence := $(patsubst proxy/%.c,build-fuzz/obj/%.o,$(wildcard proxy/presence/*.c)) \
                     build-fuzz/obj/base/mime.o
FUZZ_OBJ_loader   := $(FUZZ_CORE) build-fuzz/obj/gateway/gateway_config.o build-fuzz/obj/fuzz/fuzz_lib.o
FUZZ_OBJ_cases    := $(FUZZ_CORE) build-fuzz/obj/fuzz/fuzz_lib.o
FUZZ_OBJ_request  := $(FUZZ_CORE) build-fuzz/obj/sip/srczone.o build-fuzz/obj/sip/route.o \
                     build-fuzz/obj/sip/gen_names.o build-fuzz/obj/dns/dns.o \
                     build-fuzz/obj/sip/sip_mclass.o build-fuzz/obj/sip/sofialog.o \
                     build-fuzz/obj/sip/sofialog_limit.o \
                     build-fuzz/obj/fuzz/fuzz_lib.o build-fuzz/obj/fuzz/fuzz_sip.o
FUZZ_OBJ_stream   := $(FUZZ_CORE) build-fuzz/obj/sip/sip_mclass.o build-fuzz/obj/sip/sofialog.o \
                     build-fuzz/obj/sip/sofialog_limit.o build-fuzz/obj/sip/route.o \
                     build-fuzz/obj/fuzz/stream_feed.o build-fuzz/obj/fuzz/fuzz_sip.o \
                     build-fuzz/obj/fuzz/fuzz_lib.o
FUZZ_OBJ_admin    := build-fuzz/obj/sip/admin_route.o build-fuzz/obj/fuzz/stream_feed.o
FUZZ_MAXLEN_presence := 70000
FUZZ_MAXLEN_loader   := 65536
FUZZ_MAXLEN_cases    := 16384
FUZZ_MAXLEN_request  := 70000
FUZZ_MAXLEN_stream   := 70000
FUZZ_MAXLEN_admin    := 16384
FUZZ_BIN     := $(FUZZ_TARGETS:%=build-fuzz/fuzz_%)
# libFuzzer's options for target $(1): its corpus (new inputs first), its dictionary if any
fuzz_run = build-fuzz/fuzz_$(1) -max_len=$(FUZZ_MAXLEN_$(1)) -timeout=10 -rss_limit_mb=1024 \
           -print_final_stats=1 -artifact_prefix=build-fuzz/$(1)- \
           $(if $(wildcard tests/fuzz/$(1).dict),-dict=tests/fuzz/$(1).dict) \
           build-fuzz/corpus/$(1) tests/fuzz/corpus/$(1)
.PHONY: fuzz-build fuzz-smoke fuzz-long

build-fuzz/obj/%.o: proxy/%.c | pkgcheck
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

build-fuzz/obj/fuzz/%.o: tests/fuzz/%.c | pkgcheck
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

.SECONDEXPANSION:
build-fuzz/fuzz_%: build-fuzz/obj/fuzz/fuzz_%.o $$(FUZZ_OBJ_$$*)
	@mkdir -p build-fuzz/corpus/$*
	$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $^ $(LDLIBS)

fuzz-build: $(FUZZ_BIN)

fuzz: fuzz-build
	$(foreach t,$(FUZZ_TARGETS),$(call fuzz_run,$(t)) -max_total_time=$(FUZZ_SECONDS) &&) true

fuzz-smoke: fuzz-build
	$(foreach t,$(FUZZ_TARGETS),$(call fuzz_run,$(t)) -max_total_time=$(FUZZ_SMOKE_SECONDS) &&) true

fuzz-long: fuzz-build
	$(foreach t,$(FUZZ_TARGETS),$(call fuzz_run,$(t)) -runs=$(FUZZ_LONG_RUNS) &&) true

-include $(wildcard build-fuzz/obj/*/*.d)
