#!/bin/sh
# Counts one call of a fake Qubes tool on a benchmark host, then runs the tool.
# bench/run.sh links each tool in a host's bin/ to this script while it counts, and
# moves the real tools to bin.real/ next to it.
name=${0##*/}
dir=${0%/*}
echo "$name" >> "$QUBES_FAKE_STATE/calls.log"
exec "$dir/../bin.real/$name" "$@"
