# Skiff: `make` builds out/skiff, out/skiff-runtime, out/skiff-monitor and out/skiff-init (NativeAOT); `make demo` runs a real container offline;
# `make test` runs the whole suite; `make stress` the long loops; `make bench` compares with podman and runc;
# `make install PREFIX=...`.
PREFIX ?= /usr/local
OUT := $(CURDIR)/out
DOTNET ?= dotnet
export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_NOLOGO := 1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE := 1

# Debian packages: what the build needs (NativeAOT links with clang; lld links skiff-monitor and the static skiff-init), and what the
# demo and tests use.
BUILD_PACKAGES := clang lld libc6-dev
RUN_PACKAGES := busybox-static docker-registry skopeo uidmap curl runc libsqlite3-0
# What only the tests use: podman to run on our runtime and compare with, libseccomp's resolver to check our
# syscall tables, qemu-user (and lld) to run the aarch64 launch routine for real, umoci and setcap (libcap2-bin) to build layers as those tools write them.
TEST_PACKAGES := podman catatonit crun seccomp qemu-user tmux umoci libcap2-bin
SOURCES := $(shell find src -name '*.cs' -o -name '*.csproj') Directory.Build.props Directory.Packages.props

.PHONY: all deps demo test unit-test stress bench install clean

all: $(OUT)/skiff $(OUT)/skiff-runtime $(OUT)/skiff-monitor $(OUT)/skiff-init
	@for f in $(OUT)/skiff $(OUT)/skiff-runtime $(OUT)/skiff-monitor $(OUT)/skiff-init; do awk -v n="$$(basename $$f)" -v s="$$(stat -c %s $$f)" 'BEGIN {printf "%-16s %6.2f MiB\n", n, s / 1048576}'; done

# Installs what is missing when run as root; otherwise names it.
deps:
	@missing=""; for p in $(BUILD_PACKAGES) $(EXTRA_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then echo "installing:$$missing"; (apt-get install -y -q --no-install-recommends $$missing 2>/dev/null || { apt-get update -q && apt-get install -y -q --no-install-recommends $$missing; }) >/dev/null; \
	  else echo "missing Debian packages:$$missing (run 'sudo apt-get install$$missing' or 'sudo make deps')" >&2; exit 1; fi; fi

$(OUT)/skiff: $(SOURCES) | deps
	$(DOTNET) publish src/Skiff.Cli -c Release -o $(OUT) -p:DebugType=none --nologo -v quiet
	@touch $@

$(OUT)/skiff-runtime: $(SOURCES) | deps
	$(DOTNET) publish src/Skiff.Runtime.Cli -c Release -o $(OUT) -p:DebugType=none --nologo -v quiet
	@touch $@

$(OUT)/skiff-monitor: $(SOURCES) | deps
	$(DOTNET) publish src/Skiff.Monitor -c Release -o $(OUT) -p:DebugType=none --nologo -v quiet
	@touch $@

$(OUT)/skiff-init: $(SOURCES) | deps
	$(DOTNET) publish src/Skiff.Init -c Release -o $(OUT) -p:DebugType=none --nologo -v quiet
	@touch $@

demo:
	@$(MAKE) --no-print-directory deps EXTRA_PACKAGES="$(RUN_PACKAGES)"
	@$(MAKE) --no-print-directory all
	bash tests/fixtures/demo.sh $(OUT)/skiff

test:
	@$(MAKE) --no-print-directory deps EXTRA_PACKAGES="$(RUN_PACKAGES) $(TEST_PACKAGES)"
	@bash tests/fixtures/prepare-machine.sh
	@$(MAKE) --no-print-directory all
	bash tests/run-tests.sh $(OUT)

unit-test:
	bash tests/run-tests.sh $(OUT) unit

# The slow loops, not part of `make test`: clones under GC pressure, containers killed at every stage, the
# mount-target race attack, and the seccomp compiler fuzzed against the kernel, each STRESS_ITERATIONS times.
STRESS_ITERATIONS ?= 2000
SECCOMP_FUZZ_RUNS ?= 5000
stress:
	@$(MAKE) --no-print-directory deps EXTRA_PACKAGES="$(RUN_PACKAGES) $(TEST_PACKAGES)"
	@bash tests/fixtures/prepare-machine.sh
	@$(MAKE) --no-print-directory all
	SKIFF_STRESS_ITERATIONS=$(STRESS_ITERATIONS) SKIFF_SECCOMP_FUZZ_RUNS=$(SECCOMP_FUZZ_RUNS) bash tests/run-tests.sh $(OUT) stress

bench: all
	bash bench/run.sh $(OUT)/skiff

install: all
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(OUT)/skiff $(OUT)/skiff-runtime $(OUT)/skiff-monitor $(OUT)/skiff-init $(DESTDIR)$(PREFIX)/bin/

clean:
	rm -rf $(OUT) artifacts
