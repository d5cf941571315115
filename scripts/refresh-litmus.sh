#!/usr/bin/env bash
# Refreshes the herdtools7 test data in testdata/ from the workplace copy beside the clone (../shared/litmus and
# ../shared/litmus-aarch64, or SHARED=DIR). The files are copied unchanged, licence included; run this when the shared
# copy changes, then review `git status testdata` and commit. Tests and docs read only testdata/.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
shared="${SHARED:-$repo/../shared}"
mkdir -p "$repo/testdata"
for corpus in litmus litmus-aarch64; do
  src="$shared/$corpus"
  if [ ! -d "$src" ]; then echo "refresh-litmus: $src is missing (set SHARED=DIR to the folder holding $corpus/)" >&2; exit 2; fi
  dst="$repo/testdata/$corpus"
  rm -rf "$dst.new"
  cp -R "$src" "$dst.new"
  chmod -R u+w "$dst.new"
  rm -rf "$dst"
  mv "$dst.new" "$dst"
done
[ -f "$repo/testdata/litmus/LICENSE-herdtools7.txt" ] || { echo "refresh-litmus: LICENSE-herdtools7.txt missing in the copy" >&2; exit 1; }
echo "refresh-litmus: testdata/litmus and testdata/litmus-aarch64 now match $shared"
