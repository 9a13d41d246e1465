# install.mk: make install / make uninstall.
#
#   make install   [PREFIX=/usr/local] [DESTDIR=]   dmc, libdmrt (and whatever other runtime
#                                                   libraries the build made), dm.h and
#                                                   dm_data.h, the manual page, dmrt.pc
#   make uninstall [PREFIX=...] [DESTDIR=]          removes exactly those files
#
# An installed dmc needs nothing from the source tree: the prelude and the
# kernels' bitcode are inside the executable.  pkg-config finds the runtime
# once PREFIX/lib/pkgconfig is on its path (it is for /usr/local and /usr):
#   cc main.c model.o $(pkg-config --cflags --libs dmrt)
PREFIX     ?= /usr/local
BINDIR      = $(PREFIX)/bin
LIBDIR      = $(PREFIX)/lib
INCLUDEDIR  = $(PREFIX)/include
MANDIR      = $(PREFIX)/share/man/man1
PCDIR       = $(LIBDIR)/pkgconfig
DMC_VERSION = $(shell sed -n 's/^#define DMC_VERSION "\(.*\)"/\1/p' compiler/support/support.h)

# Every runtime library the build produces (libdmrt.a always; others, such as
# the shared library or the MPI layer, when they were built).
INSTALL_LIBS = $(wildcard $(BUILD)/libdmrt*.a $(BUILD)/libdmrt*.so)
INSTALL_HDRS = runtime/dm.h runtime/dm_data.h $(wildcard runtime/mpi/dm_mpi.h)
INSTALLED    = $(BINDIR)/dmc $(MANDIR)/dmc.1 $(PCDIR)/dmrt.pc \
               $(addprefix $(LIBDIR)/,$(notdir $(INSTALL_LIBS))) \
               $(addprefix $(INCLUDEDIR)/,$(notdir $(INSTALL_HDRS)))

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(MANDIR) $(DESTDIR)$(PCDIR)
	install -m 755 $(BUILD)/dmc $(DESTDIR)$(BINDIR)/dmc
	install -m 644 $(INSTALL_LIBS) $(DESTDIR)$(LIBDIR)/
	install -m 644 $(INSTALL_HDRS) $(DESTDIR)$(INCLUDEDIR)/
	install -m 644 docs/dmc.1 $(DESTDIR)$(MANDIR)/dmc.1
	@# written here, not in $(BUILD): it names PREFIX, which changes between installs
	printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$${prefix}/lib' 'includedir=$${prefix}/include' '' \
	    'Name: dmrt' 'Description: the runtime of models compiled by dmc' 'Version: $(DMC_VERSION)' \
	    'Cflags: -I$${includedir}' 'Libs: -L$${libdir} -ldmrt -lm -lpthread' >$(DESTDIR)$(PCDIR)/dmrt.pc
	chmod 644 $(DESTDIR)$(PCDIR)/dmrt.pc

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))

FORCE:
.PHONY: install uninstall FORCE
