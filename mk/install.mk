# mk/install.mk - make install / make uninstall, included by the top Makefile
# (after bench/bench.mk, whose $(BUDDYSTAT) rule it uses when present).
#
#   make install   [PREFIX=/usr/local] [DESTDIR=] [BINDIR=] [LIBDIR=] ...
#   make uninstall (with the same variables)
#
# install copies:
#   $(LIB)                 -> $(LIBDIR)/libbuddymalloc.so.$(VERSION), with the
#                             links libbuddymalloc.so.0 (the soname) and
#                             libbuddymalloc.so (for -lbuddymalloc)
#   include/buddymalloc.h  -> $(INCLUDEDIR)/buddymalloc.h
#   libbuddymalloc.pc.in   -> $(PKGCONFIGDIR)/libbuddymalloc.pc
#   man/*.[13]             -> $(MANDIR)/man1, man3
#   $(BUDDYSTAT)           -> $(BINDIR)/buddystat
#   tools/buddymalloc      -> $(BINDIR)/buddymalloc
# The launcher, the .pc file and the man pages get the real directories
# written in (sed). uninstall removes exactly those files and links, and
# leaves directories alone (they may hold other software's files), as
# automake's uninstall does. DESTDIR only prefixes where files go; the
# paths written into them are the ones without it.
#
# With DEBUG=1, $(LIB) is the debug build and that is what gets installed.

VERSION      := 0.1.0
PREFIX       ?= /usr/local
BINDIR       ?= $(PREFIX)/bin
LIBDIR       ?= $(PREFIX)/lib
INCLUDEDIR   ?= $(PREFIX)/include
MANDIR       ?= $(PREFIX)/share/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
INSTALL      ?= install

# bench/bench.mk builds buddystat; without it, the same rule lives here.
BUDDYSTAT ?= $(BUILD)/bin/buddystat
ifndef BENCH_SRC
$(BUDDYSTAT): stats/buddystat.c stats/profcost.c stats/profcost.h
	@mkdir -p $(@D)
	$(CC) -O2 -g -std=gnu11 -Wall -Wextra -o $@ $(filter %.c,$^) -lm
endif

INST_REAL  := libbuddymalloc.so.$(VERSION)
INST_SONAME := libbuddymalloc.so.0
INST_MAN1  := buddymalloc.1 buddystat.1
INST_MAN3  := libbuddymalloc.3

# Every path install creates, for uninstall (no globs: a neighbour such as
# libbuddymalloc.so.0.0.9 of another version must survive).
INST_FILES := \
	$(DESTDIR)$(LIBDIR)/$(INST_REAL) \
	$(DESTDIR)$(LIBDIR)/$(INST_SONAME) \
	$(DESTDIR)$(LIBDIR)/libbuddymalloc.so \
	$(DESTDIR)$(INCLUDEDIR)/buddymalloc.h \
	$(DESTDIR)$(PKGCONFIGDIR)/libbuddymalloc.pc \
	$(addprefix $(DESTDIR)$(MANDIR)/man1/,$(INST_MAN1)) \
	$(addprefix $(DESTDIR)$(MANDIR)/man3/,$(INST_MAN3)) \
	$(DESTDIR)$(BINDIR)/buddystat \
	$(DESTDIR)$(BINDIR)/buddymalloc

# The installed directories, written into the launcher, the .pc file and
# the man pages (which say /usr/local/... in the source).
INST_SED := sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' \
	-e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' -e 's|@VERSION@|$(VERSION)|g'
INST_MAN_SED := sed -e 's|/usr/local/lib/|$(LIBDIR)/|g' \
	-e 's|/usr/local/bin/|$(BINDIR)/|g' \
	-e 's|/usr/local/include/|$(INCLUDEDIR)/|g' \
	-e 's|/usr/local/share/man/|$(MANDIR)/|g'

.PHONY: install uninstall
install: $(LIB) $(BUDDYSTAT)
	$(INSTALL) -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(PKGCONFIGDIR) \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3 $(DESTDIR)$(BINDIR)
	$(INSTALL) -m 644 $(LIB) $(DESTDIR)$(LIBDIR)/$(INST_REAL)
	ln -sfn $(INST_REAL) $(DESTDIR)$(LIBDIR)/$(INST_SONAME)
	ln -sfn $(INST_SONAME) $(DESTDIR)$(LIBDIR)/libbuddymalloc.so
	$(INSTALL) -m 644 include/buddymalloc.h $(DESTDIR)$(INCLUDEDIR)/buddymalloc.h
	$(INST_SED) libbuddymalloc.pc.in >$(DESTDIR)$(PKGCONFIGDIR)/libbuddymalloc.pc
	chmod 644 $(DESTDIR)$(PKGCONFIGDIR)/libbuddymalloc.pc
	for m in $(INST_MAN1); do \
		$(INST_MAN_SED) man/$$m >$(DESTDIR)$(MANDIR)/man1/$$m && \
		chmod 644 $(DESTDIR)$(MANDIR)/man1/$$m || exit 1; \
	done
	for m in $(INST_MAN3); do \
		$(INST_MAN_SED) man/$$m >$(DESTDIR)$(MANDIR)/man3/$$m && \
		chmod 644 $(DESTDIR)$(MANDIR)/man3/$$m || exit 1; \
	done
	$(INSTALL) -m 755 $(BUDDYSTAT) $(DESTDIR)$(BINDIR)/buddystat
	$(INST_SED) tools/buddymalloc >$(DESTDIR)$(BINDIR)/buddymalloc
	chmod 755 $(DESTDIR)$(BINDIR)/buddymalloc

uninstall:
	rm -f $(INST_FILES)
