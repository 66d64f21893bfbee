# meldung - one non-recursive GNU Makefile.
#
#   make             build ./meldung
#   make check       build and run every test (TAP through prove)
#   make check SAN=1 the same under AddressSanitizer + UndefinedBehaviorSanitizer
#   make fuzz        build the libFuzzer drivers (clang) into build/fuzz/
#   make run         build, load the demo wire, serve on http://127.0.0.1:8080
#   make bench       meldung vs nginx on the reference page (bench/http.sh)
#   make bench-ingest ingest throughput vs a bare SQLite insert (bench/ingest.sh)
#   make bench-search search and related latency vs plain FTS5 (bench/search.sh)
#   make bench-sse    5,000 live-update clients: delay and memory (bench/sse.sh)
#   make bench-backup meldung backup of 20,000 articles while serving and ingesting (bench/backup.sh)
#   make install     install into $(DESTDIR)$(PREFIX) (default /usr/local), FHS paths
#   make uninstall   remove what make install put there (never the config or the store)
#   make format      clang-format every source file
#   make lint        tools/checksrc.sh: banned functions, missing comments

PKGS    := libmicrohttpd sqlite3 libpq jansson zlib libxxhash gumbo libxml-2.0 libcurl libcrypto libargon2
CC      ?= cc
OPT     ?= -O2
WARN    := -Wall -Wextra -Wformat=2 -Wvla -Wshadow -Wpointer-arith -Wcast-qual \
           -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
CFLAGS  = -std=c11 -D_GNU_SOURCE $(OPT) -g $(WARN) -I$(BUILD)/gen $(PKG_CFLAGS)
# utf8proc and libstemmer ship no .pc file in Debian 12; they link by name.
LDLIBS  := $(shell pkg-config --libs $(PKGS)) -lutf8proc -lstemmer -lpthread -lm

ifeq ($(CI),true)
CFLAGS  += -Werror
endif

BUILD   := build/rel
ifeq ($(SAN),1)
BUILD   := build/san
OPT     := -O1
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif

LIB_SRC := $(filter-out src/cli/%,$(wildcard src/*/*.c))
CLI_SRC := $(filter-out src/cli/paths.c,$(wildcard src/cli/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o)
LIB     := $(BUILD)/libmeldung.a
BIN     := $(BUILD)/meldung

UNIT_SRC := $(wildcard tests/unit/*/*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/unit/%)
CONF_BIN := $(patsubst tests/conformance/%.c,$(BUILD)/tests/conformance/%,$(wildcard tests/conformance/*.c))
FUZZ_SRC := $(filter-out tests/fuzz/replay.c,$(wildcard tests/fuzz/*.c))
REPLAY_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/tests/replay/%)
HTTP_T   := $(wildcard tests/http/*.t)

# Installation paths (docs/operating.md). Only src/cli/paths.c knows them;
# it is compiled once per PREFIX and SYSCONFDIR into its own folder, so an
# install with another PREFIX relinks a binary of its own there and leaves
# ./meldung (and the tests' binary) alone.
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
DATADIR    ?= $(PREFIX)/share/meldung
SYSCONFDIR ?= /etc
STATEDIR   ?= /var/lib/meldung
UNITDIR    ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
PATHS_DIR  := $(BUILD)/paths$(abspath $(DATADIR))$(abspath $(SYSCONFDIR))
PATHS_OBJ  := $(PATHS_DIR)/paths.o

.PHONY: all meldung check fuzz run bench bench-ingest bench-search bench-sse bench-backup format lint \
        clean install uninstall
all: meldung

meldung: $(BIN)
	ln -sf $(BIN) meldung

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

# The schema migrations are compiled into the binary.
SQL_SRC := $(sort $(wildcard src/store/sql/*.sql))
$(BUILD)/gen/migrations.h: $(SQL_SRC) tools/embed.sh
	@mkdir -p $(@D)
	tools/embed.sh $@ $(SQL_SRC)
$(BUILD)/src/store/sqlite.o: $(BUILD)/gen/migrations.h
PG_SQL_SRC := $(sort $(wildcard src/store/pg/*.sql))
$(BUILD)/gen/pg_migrations.h: $(PG_SQL_SRC) tools/embed.sh
	@mkdir -p $(@D)
	tools/embed.sh -n pg_migrations $@ $(PG_SQL_SRC)
$(BUILD)/src/store/pg_conn.o: $(BUILD)/gen/pg_migrations.h

# Default data (gazetteer, section mapping) is compiled in as well; operators
# extend it with files named in the configuration.
DATA_SRC := $(sort $(wildcard data/*.txt))
$(BUILD)/gen/data.h: $(DATA_SRC) tools/embed_data.sh
	@mkdir -p $(@D)
	tools/embed_data.sh $@ $(DATA_SRC)
$(patsubst %.c,$(BUILD)/%.o,$(wildcard src/enrich/*.c)): $(BUILD)/gen/data.h

# The API's OpenAPI document is compiled in too (src/web/api.c serves it).
$(BUILD)/gen/openapi.h: docs/openapi.json tools/embed_data.sh
	@mkdir -p $(@D)
	tools/embed_data.sh $@ docs/openapi.json
$(BUILD)/src/web/api.o: $(BUILD)/gen/openapi.h

$(LIB): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(PATHS_OBJ): src/cli/paths.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -DMLD_DATADIR='"$(DATADIR)"' -DMLD_SYSCONFDIR='"$(SYSCONFDIR)"' -MMD -MP \
	    -c -o $@ $<

$(PATHS_DIR)/meldung: $(CLI_OBJ) $(PATHS_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(PATHS_OBJ) $(LIB) $(LDLIBS)

$(BIN): $(PATHS_DIR)/meldung
	cp $< $@

# A unit test #includes the .c it tests; the archive supplies the rest.
$(BUILD)/tests/unit/%: tests/unit/%.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Itests/harness -MMD -MP $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

# Conformance runners (upstream test suites against meldung) build the same way.
$(BUILD)/tests/conformance/%: tests/conformance/%.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Itests/harness -MMD -MP $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

# Fuzz drivers without libFuzzer: replay.c feeds them the seed corpora.
$(BUILD)/tests/replay/%: tests/fuzz/%.c tests/fuzz/replay.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -MMD -MP $(LDFLAGS) -o $@ $< tests/fuzz/replay.c $(LIB) $(LDLIBS)

check: $(BIN) $(UNIT_BIN) $(CONF_BIN) $(REPLAY_BIN) $(REPLAY_BIN:%=%.t)
	MELDUNG=$(abspath $(BIN)) BUILD=$(BUILD) prove -f $(UNIT_BIN) $(CONF_BIN) $(REPLAY_BIN:%=%.t) $(HTTP_T)
ifeq ($(PG),1)
	MELDUNG=$(abspath $(BIN)) BUILD=$(BUILD) tests/harness/pgcheck.sh prove -f $(PG_T)
endif

# The tests that run on both backends: `make check PG=1` runs them again,
# on a throwaway PostgreSQL cluster (tests/harness/pgcheck.sh). The
# end-to-end tests take their stores from store_db (tests/http/Mld.pm);
# nodes.t, migrate.t and standby.t need the cluster. backup.t,
# ingest_full.t and install.t are about SQLite's file and run on SQLite
# only.
PG_T := $(BUILD)/tests/unit/store/pg_sql $(BUILD)/tests/unit/store/listen \
        $(addprefix $(BUILD)/tests/unit/store/,sqlite editor api sitemap tally story related search copy) \
        $(addprefix tests/http/,$(addsuffix .t,api browser cli crash editorial editors enrich \
            feeds_out hardening headers incomplete ingest ingest_files live live_browser \
            migrate nodes observe optimize pipeline poll push redaktion reference reload search \
            sections seo site standby store watch webhooks))

# The replay of each driver runs through a tiny TAP wrapper named DRIVER.t.
$(BUILD)/tests/replay/%.t: $(BUILD)/tests/replay/%
	printf '#!/bin/sh\nexec %s tests/fuzz/corpus/%s "$${MLD_CORPUS:-../shared/corpus}"\n' \
	    $(abspath $<) $* > $@
	chmod +x $@

FUZZ_CC := clang
fuzz: $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)
build/fuzz/%: tests/fuzz/%.c $(LIB_SRC) $(BUILD)/gen/migrations.h $(BUILD)/gen/pg_migrations.h $(BUILD)/gen/data.h
	@mkdir -p $(@D)
	$(FUZZ_CC) -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
	    -I$(BUILD)/gen $(PKG_CFLAGS) -o $@ $< $(LIB_SRC) $(LDLIBS)

run: meldung
	./meldung ingest demo/
	./meldung serve --listen 127.0.0.1:8080

bench: meldung
	bench/http.sh

bench-ingest: meldung
	bench/ingest.sh

# The search benchmark links against the library, like a unit test.
$(BUILD)/bench/search: bench/search.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -MMD -MP $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

# So does bare_insert (bench/ingest.sh), for the store's mld_unpack().
$(BUILD)/bench/bare_insert: bench/bare_insert.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -MMD -MP $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

bench-search: $(BUILD)/bench/search
	bench/search.sh

# The live-updates client stands alone (libc only).
$(BUILD)/bench/sse_client: bench/sse_client.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $<

bench-sse: meldung $(BUILD)/bench/sse_client
	bench/sse.sh

bench-backup: meldung
	bench/backup.sh

# The systemd units name the installed binary and files; the rest is copied.
SUBST := sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
             -e 's|@STATEDIR@|$(STATEDIR)|g' -e 's|@DATADIR@|$(DATADIR)|g'
UNITS := $(notdir $(wildcard dist/systemd/*.service dist/systemd/*.timer))

install: $(PATHS_DIR)/meldung
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/templates $(DESTDIR)$(DATADIR)/static \
	    $(DESTDIR)$(SYSCONFDIR)/meldung $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR)
	install -d -m 0750 $(DESTDIR)$(STATEDIR)
	install -m 0755 $(PATHS_DIR)/meldung $(DESTDIR)$(BINDIR)/meldung
	install -m 0644 templates/*.mustache $(DESTDIR)$(DATADIR)/templates/
	cd static && find . -type d -exec install -d $(abspath $(DESTDIR)$(DATADIR))/static/{} \; \
	    && find . -type f -exec install -m 0644 {} $(abspath $(DESTDIR)$(DATADIR))/static/{} \;
	install -m 0644 etc/meldung.conf.example $(DESTDIR)$(DATADIR)/meldung.conf.example
	@# An operator's configuration is never overwritten.
	if [ ! -e $(DESTDIR)$(SYSCONFDIR)/meldung/meldung.conf ]; then \
	    $(SUBST) dist/meldung.conf.in > $(DESTDIR)$(SYSCONFDIR)/meldung/meldung.conf; \
	    chmod 0644 $(DESTDIR)$(SYSCONFDIR)/meldung/meldung.conf; \
	else echo "install: $(DESTDIR)$(SYSCONFDIR)/meldung/meldung.conf exists, left as it is"; fi
	for u in $(UNITS); do $(SUBST) dist/systemd/$$u > $(DESTDIR)$(UNITDIR)/$$u || exit 1; \
	    chmod 0644 $(DESTDIR)$(UNITDIR)/$$u; done
	install -m 0644 dist/systemd/meldung.sysusers $(DESTDIR)$(SYSUSERSDIR)/meldung.conf

# Leaves the configuration and the store (an operator's data) in place.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/meldung $(DESTDIR)$(SYSUSERSDIR)/meldung.conf \
	    $(UNITS:%=$(DESTDIR)$(UNITDIR)/%)
	rm -rf $(DESTDIR)$(DATADIR)
	@echo "uninstall: kept $(DESTDIR)$(SYSCONFDIR)/meldung and $(DESTDIR)$(STATEDIR)"

format:
	clang-format -i $(wildcard src/*/*.[ch] tests/*/*.[ch] tests/unit/*/*.c)

lint:
	tools/checksrc.sh

clean:
	rm -rf build meldung

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(PATHS_OBJ:.o=.d) $(UNIT_BIN:=.d) $(CONF_BIN:=.d) $(REPLAY_BIN:=.d) \
    $(BUILD)/bench/search.d $(BUILD)/bench/bare_insert.d
