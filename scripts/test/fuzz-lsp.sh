#!/usr/bin/env bash
# Bounded fuzzing of the language server's position conversion and of kpm.json validation
# (FUZZTIME per target, default 20s).
set -euo pipefail
cd "$(dirname "$0")/../.."
fuzztime="${FUZZTIME:-20s}"
echo "fuzz-lsp: FuzzDocumentPositions for $fuzztime"
go test -run='^$' -fuzz='^FuzzDocumentPositions$' -fuzztime="$fuzztime" ./lsp
echo "fuzz-lsp: FuzzParseKpmJSON for $fuzztime"
go test -run='^$' -fuzz='^FuzzParseKpmJSON$' -fuzztime="$fuzztime" ./workspace
