#!/bin/sh
# Writes tests/corpus/MANIFEST from what the given csv2pq does now: for
# each file of files/ and each big- case of lib.sh's corpus_make_big, one
# line "NAME<TAB>OUTCOME" with default options, followed by one line
# "NAME<TAB>+OPTIONS<TAB>OUTCOME" for each line of tests/corpus/OPTIONS
# about NAME, with those options (see lib.sh for the outcome forms; an
# outcome never starts with "+").  Review the diff before committing it:
# an outcome of hang, signal=, status= or undecodable= is a bug, never an
# expectation, and so is a file that DuckDB or Polars reads but csv2pq
# refuses (node compare.mjs says).  A fail=2 (usage error) after OPTIONS is
# a mistake in OPTIONS; so is an OPTIONS line about no file.
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
options=$here/OPTIONS
[ -f "$options" ] || options=/dev/null
work=$(mktemp -d "${TMPDIR:-/tmp}/csv2pq-manifest.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/big"
corpus_make_big "$work/big"

{
    echo "# Expected outcome of csv2pq for each corpus file: files/NAME, or a big-"
    echo "# case made at test time (lib.sh).  NAME<TAB>OUTCOME with default options;"
    echo "# NAME<TAB>+OPTIONS<TAB>OUTCOME with the options tests/corpus/OPTIONS gives"
    echo "# for NAME.  Written by make-manifest.sh; checked by tests/cli/corpus.sh."
    echo "# Forms: see lib.sh."
    for d in "$here/files" "$work/big"; do
        (cd "$d" && for f in *; do
            printf '%s\t%s\n' "$f" "$(corpus_outcome "$bin" "$f" "$work")"
            corpus_options "$options" "$f" > "$work/opts"
            while IFS= read -r opts <&3; do
                printf '%s\t+%s\t%s\n' "$f" "$opts" "$(corpus_outcome "$bin" "$f" "$work" 10 "$opts")"
            done 3< "$work/opts"
        done)
    done
} > "$work/MANIFEST"
mv "$work/MANIFEST" "$out"
bad=0
for f in $(grep -v '^#' "$options" | cut -f1 | sort | uniq -d); do
    echo "make-manifest: OPTIONS has more than one line about $f" >&2
    bad=1
done
for f in $(grep -v '^#' "$options" | cut -f1); do
    awk -F '\t' -v n="$f" '$1 == n { found = 1 } END { exit !found }' "$out" && continue
    echo "make-manifest: OPTIONS names $f, which is no corpus file" >&2
    bad=1
done
if grep -v '^#' "$out" | awk -F '\t' '$2 ~ /^\+/ && $3 == "fail=2"' | grep . >&2; then
    echo "make-manifest: the lines above are usage errors: fix their OPTIONS" >&2
    bad=1
fi
echo "make-manifest: $(grep -v '^#' "$out" | grep -vc '	+') files, default options:"
grep -v '^#' "$out" | grep -v '	+' | cut -f2 | sed 's/=.*//' | sort | uniq -c
echo "make-manifest: $(grep -v '^#' "$out" | grep -c '	+') with their OPTIONS:"
grep -v '^#' "$out" | grep '	+' | cut -f3 | sed 's/=.*//' | sort | uniq -c
exit "$bad"
