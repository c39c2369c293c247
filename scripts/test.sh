#!/usr/bin/env bash
# The project's test command (README): installs what the terminal tests need
# when it is missing, then runs every test with the race detector (the
# bench module's without it).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v tmux >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing tmux for the terminal tests" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tmux) >&2 || echo "tmux could not be installed; its tests will skip" >&2
  else
    echo "tmux is missing and cannot be installed here; its tests will skip" >&2
  fi
fi
go test -race -count=1 -timeout 30m ./... "$@"
# The bench module has its own go.mod: its adapters, floors and report have
# tests too. Not under -race: eslgo v1.5.0 races with itself (Close writes a
# map its auth goroutine reads), which is not ours to fix.
(cd bench && go test -count=1 -timeout 10m ./... "$@")
