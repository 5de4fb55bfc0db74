# csv2pq -- CSV <-> Parquet converter.  See README.md.

VERSION    = 0.1.0
PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
MANDIR    ?= $(PREFIX)/share/man/man1
CC        ?= cc
CFLAGS    ?= -O2 -g
WARN       = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -DCSV2PQ_VERSION='"$(VERSION)"' -pthread $(WARN) $(CFLAGS)
LIBS       = -lcsv -lzstd -lz -llz4 -lm
STATIC    ?= -static
CLANG     ?= clang

LIBSRC  = $(filter-out main.c,$(wildcard *.c))
LIBOBJ  = $(LIBSRC:.c=.o)
UNITSRC = $(wildcard tests/unit/test_*.c)
UNITBIN = $(UNITSRC:.c=)

.PHONY: all check unit clitest interop fuzz-replay fuzz asan tsan bench install uninstall clean
all: csv2pq

%.o: %.c $(wildcard *.h)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

libcsv2pq.a: $(LIBOBJ)
	rm -f $@ && ar rcs $@ $(LIBOBJ)

csv2pq: main.o libcsv2pq.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) $(STATIC) -o $@ main.o libcsv2pq.a $(LIBS)

tests/unit/test_%: tests/unit/test_%.c libcsv2pq.a $(wildcard *.h)
	$(CC) $(ALL_CFLAGS) -I. $(LDFLAGS) -o $@ $< libcsv2pq.a -lcmocka $(LIBS)

# Every tier the machine can run: unit tests, command-line tests, the fuzz
# corpus replay, the threaded runs under ThreadSanitizer (skipped, saying so,
# without clang) and the interop tests (skipped, saying so, without node/npm).
# The Parquet files the command-line tests write are read by the interop tier
# too (through CSV2PQ_INTEROP_DIR).
check: unit fuzz-replay csv2pq
	@d=$$(mktemp -d "$${TMPDIR:-/tmp}/csv2pq-check.XXXXXX") && \
	CSV2PQ_INTEROP_DIR=$$d $(MAKE) -s clitest && \
	$(MAKE) -s tsan && \
	CSV2PQ_INTEROP_DIR=$$d $(MAKE) -s interop; s=$$?; rm -rf "$$d"; exit $$s

unit: $(UNITBIN)
	@set -e; for t in $(UNITBIN); do echo "== $$t"; ./$$t; done

clitest: csv2pq
	@set -e; for t in tests/cli/*.sh; do echo "== $$t"; sh $$t ./csv2pq; done

fuzz-replay: libcsv2pq.a
	@if [ -d tests/fuzz ]; then $(MAKE) -s -C tests/fuzz replay CC="$(CC)" CFLAGS="$(CFLAGS)"; fi

fuzz:
	$(MAKE) -C tests/fuzz fuzz

interop: csv2pq
	@sh tests/interop/run.sh ./csv2pq

# The whole suite under AddressSanitizer and UndefinedBehaviorSanitizer.
asan:
	$(MAKE) clean
	CSV2PQ_SANITIZE=1 $(MAKE) check STATIC= CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all"

# Conversions with threads under ThreadSanitizer, against the build above.
csv2pq-tsan: $(LIBSRC) main.c $(wildcard *.h)
	$(CLANG) -std=c11 -D_GNU_SOURCE -DCSV2PQ_VERSION='"$(VERSION)"' -pthread -O1 -g \
	    -fsanitize=thread -o $@ $(LIBSRC) main.c $(LIBS)

tsan: csv2pq
	@if command -v $(CLANG) >/dev/null 2>&1; then \
	    $(MAKE) -s csv2pq-tsan && echo "== tests/tsan.sh" && sh tests/tsan.sh ./csv2pq-tsan ./csv2pq; \
	else \
	    echo "tsan: $(CLANG) not found: the threaded runs under ThreadSanitizer are skipped"; \
	fi

bench: csv2pq
	sh bench/run.sh

install: csv2pq
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)
	install -m 755 csv2pq $(DESTDIR)$(BINDIR)/csv2pq
	ln -sf csv2pq $(DESTDIR)$(BINDIR)/pq2csv
	install -m 644 csv2pq.1 $(DESTDIR)$(MANDIR)/csv2pq.1
	ln -sf csv2pq.1 $(DESTDIR)$(MANDIR)/pq2csv.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/csv2pq $(DESTDIR)$(BINDIR)/pq2csv
	rm -f $(DESTDIR)$(MANDIR)/csv2pq.1 $(DESTDIR)$(MANDIR)/pq2csv.1

clean:
	rm -f csv2pq csv2pq-tsan *.o libcsv2pq.a $(UNITBIN)
	@if [ -d tests/fuzz ]; then $(MAKE) -s -C tests/fuzz clean; fi
