#!/usr/bin/env bash
# The main job: the bookinfo demo (bookinfo-demo/demo.sh; `ci/demo.sh --help` says what it does).
# `ci/demo.sh --quick` is what CI runs; ci/demo-basics.sh shows the daemon, CLI and REST API alone.
exec "$(dirname "$0")/../bookinfo-demo/demo.sh" "$@"
