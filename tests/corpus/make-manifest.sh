#!/bin/sh
# Writes tests/corpus/MANIFEST from what the given csv2pq does now with
# default options: one line per file of files/ and per big- case of
# lib.sh's corpus_make_big, "NAME<TAB>OUTCOME" (see lib.sh for the forms).
# Review the diff before committing it: an outcome of hang, signal=,
# status= or undecodable= is a bug, never an expectation, and so is a file
# that DuckDB or Polars reads but csv2pq refuses (node compare.mjs says).
#
# usage: sh tests/corpus/make-manifest.sh ./csv2pq [OUTPUT]   (default: MANIFEST beside this script)
set -u
if [ $# -lt 1 ]; then
    echo "usage: sh tests/corpus/make-manifest.sh CSV2PQ [OUTPUT]" >&2
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
out=${2:-$here/MANIFEST}
. "$here/lib.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/csv2pq-manifest.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/big"
corpus_make_big "$work/big"

{
    echo "# Expected outcome of csv2pq with default options for each corpus file:"
    echo "# files/NAME, or a big- case made at test time (lib.sh).  Written by"
    echo "# make-manifest.sh; checked by tests/cli/corpus.sh.  Forms: see lib.sh."
    for d in "$here/files" "$work/big"; do
        (cd "$d" && for f in *; do
            printf '%s\t%s\n' "$f" "$(corpus_outcome "$bin" "$f" "$work")"
        done)
    done
} > "$work/MANIFEST"
mv "$work/MANIFEST" "$out"
echo "make-manifest: $(grep -vc '^#' "$out") files:"
grep -v '^#' "$out" | cut -f2 | sed 's/=.*//' | sort | uniq -c
