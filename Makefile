# dualstack: Kamailio modules for a dual-stack (IPv6/IPv4) edge.
#
#   make deps      install what is missing (Debian packages; root or sudo)
#   make           build every module in modules/*/ against the installed kamailio,
#                  and the operator tools in utils/ (build/utils/)
#   make demo      deps + build, then the LB, the core and the relay on loopback
#                  with an IPv6 phone calling an IPv4 one; KEEP=1 keeps it up
#   make test      deps + build + unit and system tests ("N passed, N failed,
#                  N skipped": a test that cannot run on this system);
#                  T=name runs one test, SAN=1 runs unit tests under ASan+UBSan
#   make fuzz      the libFuzzer targets for FUZZ_SECONDS (60) each
#   make soak      calls across families through the LB and rtpengine while
#                  regping pings 100k contacts, memory sampled (SOAK_SECONDS,
#                  SOAK_RATE, SOAK_CONTACTS...); CSV + summary in build/soak/
#   make bench     what the modules cost, as ratios against references measured in
#                  the same run (bench/out/); B=name runs one benchmark
#   make doc       regenerate each module's README from its DocBook sources
#   make install   put the modules into kamailio's module folder (DESTDIR aware)
#   make deb       the Debian package of modules and tools for the installed
#                  kamailio (dpkg-buildpackage, lintian) into build/deb/
#   make test-deb  build, install (apt-get) and test that package, purge it
#   make test-root DIST=bookworm|trixie
#                  make test in a fresh Debian root of that release (debootstrap,
#                  chroot; the committed HEAD cloned); root-shell: a shell there
#   make clean / distclean

BUILD := $(CURDIR)/build
MODULES := $(patsubst modules/%/Makefile,%,$(wildcard modules/*/Makefile))
MULTIARCH := $(shell dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
MODDIR ?= /usr/lib/$(MULTIARCH)/kamailio/modules

# the configured kamailio source tree: fetched once into build/, or any
# configured tree given as KSR_SRC=/path/to/kamailio/src
ifneq ($(filter command line environment,$(origin KSR_SRC)),)
KSR_GIVEN := 1
else
KSR_SRC = $(shell cat $(BUILD)/ksrc.path)
endif

all: modules utils

utils:
	@$(MAKE) -s -C utils

deps:
	@mk/deps.sh

$(BUILD)/ksrc.path: mk/ksrc.sh
	@mkdir -p $(BUILD) && mk/ksrc.sh $(BUILD) >$@.tmp && mv $@.tmp $@

ifdef KSR_GIVEN
ksrc:
	@test -f $(KSR_SRC)/Makefile.defs -a -f $(KSR_SRC)/config.mak || { \
		echo "build: KSR_SRC=$(KSR_SRC) is not a configured kamailio src/" \
			"folder (Makefile.defs, and config.mak from 'make cfg')" >&2; \
		exit 1; }
else
ksrc: $(BUILD)/ksrc.path
	@mk/ksrc.sh $(BUILD) >/dev/null
endif

modules: ksrc
	@set -e; for m in $(MODULES); do \
		$(MAKE) -s -C modules/$$m KSR_SRC=$(KSR_SRC) quiet=silent; \
	done
ifndef KSR_GIVEN
	@KSRC_VERIFY=1 mk/ksrc.sh $(BUILD) >/dev/null || { \
		echo "build: kamailio's make regenerated config.mak during the" \
			"build (make -B?); the configured one is restored, run make again" >&2; \
		exit 1; }
endif
	@mk/checkmod.sh $(foreach m,$(MODULES),modules/$(m)/$(m).so)
	@echo "built: $(foreach m,$(MODULES),modules/$(m)/$(m).so)"

install: modules
	@for m in $(MODULES); do \
		install -D -m 0644 modules/$$m/$$m.so $(DESTDIR)$(MODDIR)/$$m.so; \
		echo "installed $(DESTDIR)$(MODDIR)/$$m.so"; \
	done

test: deps
	@$(MAKE) -s modules
	@$(if $(KSR_GIVEN),KSR_SRC=$(KSR_SRC)) test/run.sh $(if $(T),"$(T)")

test-root:
	@mk/deps.sh debootstrap
	@mk/testroot.sh $(DIST)

root-shell:
	@mk/deps.sh debootstrap
	@mk/testroot.sh $(DIST) shell

fuzz: deps
	@$(MAKE) -s -C test/fuzz run

bench: deps
	@mk/deps.sh gnuplot-nox
	@$(MAKE) -s modules
	@make -s -C test/tools >/dev/null
	@bench/run.sh $(B)

soak: deps
	@$(MAKE) -s modules
	@$(MAKE) -s -C test/tools >/dev/null
	@test/soak/soak.sh

deb: deps
	@mk/deps.sh build-essential debhelper lintian
	@mk/deb.sh

test-deb: deps
	@mk/deps.sh build-essential debhelper lintian man-db
	@test/deb/run.sh

demo: deps
	@$(MAKE) -s modules
	@KEEP=$(KEEP) cfg/demo.sh

doc:
	@for m in $(MODULES); do mk/doc.sh modules/$$m || exit 1; done

clean:
	@for m in $(MODULES); do \
		rm -f modules/$$m/*.o modules/$$m/*.d modules/$$m/*.so \
			modules/$$m/makecfg.lst modules/$$m/librpath.lst; \
	done
	rm -rf $(BUILD)/unit $(BUILD)/unit-san $(BUILD)/test $(BUILD)/tools $(BUILD)/utils $(BUILD)/demo $(BUILD)/fuzz $(BUILD)/soak

distclean: clean
	rm -rf $(BUILD)

.PHONY: all deps ksrc modules utils install deb test-deb test test-root root-shell fuzz bench soak demo doc clean distclean
