#!/usr/bin/env bash
# Builds site-states.jar from this folder against qfleet's own jars (run `mvn package` first).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
top="$(cd "$here/../.." && pwd)"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
javac --release 17 -cp "$top/cli/target/lib/*" -d "$out" $(find "$here/src" -name '*.java')
cp -r "$here/resources/." "$out/"
jar --create --file "$here/site-states.jar" -C "$out" .
echo "$here/site-states.jar"
