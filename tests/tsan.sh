#!/bin/sh
# Threaded conversions under ThreadSanitizer: usage: sh tests/tsan.sh TSAN PLAIN
# TSAN is csv2pq built with -fsanitize=thread, PLAIN the ordinary build.
# Every run below uses threads: the encoders (-j2, -j3), the second parsing
# thread (a mapped file with a small budget, so that row groups follow one
# another), the inference threads, a pipe, type drift (a second pass),
# a bad value found by one of the encoders, and -d with threads.  Any
# report fails the run (exit status 66), and every output must be the
# plain build's.
set -u
TSAN=$1
PLAIN=$2
T=$(mktemp -d "${TMPDIR:-/tmp}/csv2pq-tsan.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
failed=0
checks=0
fail() {
    echo "FAIL: $*"
    failed=$((failed + 1))
}
check() {                            # one check more; fail() when it failed
    checks=$((checks + 1))
}

export TSAN_OPTIONS="halt_on_error=1 exitcode=66"
if ! out=$("$TSAN" --version 2>&1); then
    echo "tsan: ThreadSanitizer does not run on this machine, skipped: $(echo "$out" | head -n 1)"
    exit 0
fi

# 120000 rows of integers, decimals, quoted text with commas and doubled
# quotes, timestamps and a sparse column; a copy with one bad value late
awk 'BEGIN { srand(7); print "id,n,x,s,t,opt"
    for (i = 1; i <= 120000; i++)
        printf "%d,%d,%.6f,\"w%d, \"\"q\"\" %d\",2024-01-%02d %02d:%02d:%02d,%s\n", i,
               int(rand() * 1000), rand() * 1e4, int(rand() * 500), i % 7, 1 + i % 28,
               i % 24, i % 60, (i * 7) % 60, i % 5 ? "" : i }' > "$T/in.csv"
sed '100000s/^\([0-9]*\),[0-9]*,/\1,oops,/' "$T/in.csv" > "$T/bad.csv"
awk 'NR == 1 || NR <= 90000 { print; next } { sub(/^[0-9]+,[0-9]+,/, $1 "," NR ".5,"); print }' \
    FS=, "$T/in.csv" > "$T/drift.csv"

# the plain build's files to compare with
"$PLAIN" -q -j1 "$T/in.csv" -o "$T/ref.parquet" &&
    "$PLAIN" -q -j1 -m 8M "$T/in.csv" -o "$T/ref8.parquet" &&
    "$PLAIN" -q -j1 --row-group-size 30000 "$T/drift.csv" -o "$T/refd.parquet" &&
    "$PLAIN" -d -j1 "$T/ref.parquet" > "$T/ref.csv" || { echo "tsan: the plain build failed"; exit 1; }

for j in 2 3; do
    check
    "$TSAN" -q -j$j "$T/in.csv" -o "$T/f.parquet" && cmp -s "$T/ref.parquet" "$T/f.parquet" ||
        fail "a mapped file, -j$j"
    check
    cat "$T/in.csv" | "$TSAN" -q -j$j > "$T/p.parquet" && cmp -s "$T/ref.parquet" "$T/p.parquet" ||
        fail "a pipe, -j$j"
    check
    "$TSAN" -q -j$j -m 8M "$T/in.csv" -o "$T/m.parquet" && cmp -s "$T/ref8.parquet" "$T/m.parquet" ||
        fail "-m 8M, -j$j"
    check
    "$TSAN" -q -j$j --row-group-size 30000 "$T/drift.csv" -o "$T/d.parquet" && cmp -s "$T/refd.parquet" "$T/d.parquet" ||
        fail "type drift, -j$j"
    check
    "$TSAN" -q -j$j --type n=int64 "$T/bad.csv" -o "$T/b.parquet" 2> "$T/err"
    [ $? -eq 1 ] && grep -q ':100000:2: column "n" is int64, but this value is "oops"' "$T/err" ||
        fail "a bad value, -j$j: $(cat "$T/err")"
    check
    "$TSAN" -d -j$j "$T/ref.parquet" > "$T/out.csv" && cmp -s "$T/ref.csv" "$T/out.csv" ||
        fail "-d, -j$j"
done

echo "tsan: $((checks - failed)) passed, $failed failed"
[ $failed -eq 0 ]
