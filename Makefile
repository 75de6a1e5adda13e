# drover — the two commands a fresh machine needs: `make demo` and `make test`.
GO      ?= go
BIN     := bin/drover
FLEET   := .drover/demo-fleet
HOSTS   ?= 8
FUZZTIME ?= 20s

.PHONY: all build demo test deps vet fmt-check unit fuzz bench clean tty-demo

all: build

build:
	$(GO) build -o $(BIN) ./cmd/drover

# The main job: start the local fleet, roll examples/xen-reboot over it in
# batches (one rack at a time), show the result, stop the fleet.
demo: build
	@rm -rf $(FLEET) && mkdir -p $(FLEET)
	@$(BIN) fleet --dir $(FLEET) --hosts $(HOSTS) --racks 4 --group affected --reboot-delay 1s > $(FLEET)/fleet.log 2>&1 & echo $$! > $(FLEET)/fleet.pid
	@for i in $$(seq 1 100); do [ -f $(FLEET)/inventory.yml ] && break; sleep 0.1; done
	@test -f $(FLEET)/inventory.yml || { cat $(FLEET)/fleet.log; kill $$(cat $(FLEET)/fleet.pid); exit 1; }
	@echo "local fleet: $(HOSTS) SSH hosts on 127.0.0.1, inventory $(FLEET)/inventory.yml"
	$(BIN) plan examples/xen-reboot/playbook.yml -i $(FLEET)/inventory.yml --graph=false
	$(BIN) run examples/xen-reboot/playbook.yml -i $(FLEET)/inventory.yml \
		--known-hosts $(FLEET)/known_hosts --state-dir $(FLEET)/state -e app_dir=. ; \
		rc=$$?; kill $$(cat $(FLEET)/fleet.pid) 2>/dev/null; wait 2>/dev/null; \
		echo; echo "each host's own reboot record (down → up, old → new boot id):"; \
		for f in $(FLEET)/hosts/*/root/reboots.log; do printf '  %s: ' $$(basename $$(dirname $$(dirname $$f))); awk '{printf "%d reboot(s), last down %.2fs\n", NR, ($$2-$$1)/1e9}' $$f | tail -1; done; \
		exit $$rc

# Every test, as CI runs it: installs what the end-to-end tests need
# (openssh-server, sudo, ansible-core, tmux) when missing, then vet, gofmt
# and the race-enabled test suite, end-to-end tests included.
test: deps vet fmt-check unit

deps:
	@sh scripts/test-deps.sh

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

unit:
	$(GO) test -race -count=1 -timeout 15m ./...

# Fuzz every parser for FUZZTIME each (their seed corpora run in make test).
fuzz:
	@set -e; for spec in $$($(GO) test -list 'Fuzz.*' ./... 2>/dev/null | awk '/^Fuzz/{n[++c]=$$1} /^ok/{for(i=1;i<=c;i++) print $$2":"n[i]; c=0}'); do \
		pkg=$${spec%%:*}; fn=$${spec##*:}; \
		echo "== $$pkg $$fn"; $(GO) test -run '^$$' -fuzz "^$$fn$$" -fuzztime $(FUZZTIME) $$pkg; done

bench: build
	$(GO) test -run '^$$' -bench . -benchmem ./...
	@if [ -x bench/run.sh ]; then bench/run.sh; fi

tty-demo: build
	@sh scripts/tty-demo.sh

clean:
	rm -rf bin .drover
