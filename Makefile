# kpm: build, demo and test entry points. `make test` installs what it needs itself.
GO ?= go
BIN := $(CURDIR)/bin

.PHONY: all build demo test test-go test-scripts bench vet vsix clean

all: build

# The version printed by `kpm --version`: a release tag, else v0.0.0-devel+<commit> (a build
# from a module proxy, `go install module@vX.Y.Z`, gets its version from the build information).
VERSION ?= $(shell git describe --tags --match 'v[0-9]*' 2>/dev/null || echo v0.0.0-devel+$$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown))

build:
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o $(BIN)/kpm ./cmd/kpm

# Builds kpm, starts a real local registry on localhost:5001 (user test, password 1234)
# and walks the main flow in a temporary KCL_PKG_PATH.
demo: build
	bash scripts/demo.sh

vet:
	$(GO) vet ./...

test-go:
	$(GO) test -count=1 ./...

# Every scripts/test/*.sh is one more suite (fuzzing, editor clients, ...); each installs what it needs.
test-scripts: build
	@set -e; for s in scripts/test/*.sh; do \
		[ -e "$$s" ] || continue; \
		echo "== $$s"; KPM_BIN=$(BIN)/kpm bash "$$s"; \
	done

test: vet test-go test-scripts

bench: build
	@set -e; for s in bench/*.sh; do [ -e "$$s" ] || continue; echo "== $$s"; bash "$$s"; done

# Packages the VS Code extension (npm ci, tsc, esbuild, vsce) into editors/vscode/dist/.
vsix:
	bash editors/vscode/package.sh

clean:
	rm -rf $(BIN)
