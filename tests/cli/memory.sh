# Memory stays flat as the input grows: 5 times the rows, the same peak
# RSS within 10%, from a file (mmap) and from a pipe.  The rows are about
# 125 bytes, so even the smaller input fills four row groups, and the
# reader's read-ahead block counts in both.
. "$(dirname "$0")/lib.inc"

gen() {
    awk -v n="$1" 'BEGIN {
        print "id,ts,name,price,qty,flag,note,day,city,total,code"
        for (i = 0; i < n; i++)
            printf "%d,2024-%02d-%02d %02d:%02d:%02d,name%d,%d.%02d,%d,%s,\"note %d, x\",2023-%02d-%02d,city number %d of the list,%d.%d,code-%08d\n",
                i, i % 12 + 1, i % 28 + 1, i % 24, i % 60, (i * 7) % 60, i % 1000,
                i % 997, i % 100, i % 50, (i % 3 ? "true" : "false"), i % 5000,
                i % 12 + 1, i % 27 + 1, i % 300, i * 13 % 100000, i % 10, i * 7
    }'
}
gen 200000 > "$T/small.csv"
gen 1000000 > "$T/large.csv"

rss() {   # peak RSS in KiB from the -v summary
    sed -n 's/.*peak RSS \([0-9.]*\) MiB.*/\1/p' "$1" | awk '{ printf "%d", $1 * 1024 }'
}
within10() {   # NAME SMALL LARGE (the sanitizers' own memory is not ours)
    if [ -n "${CSV2PQ_SANITIZE:-}" ]; then
        return
    fi
    if [ -n "$2" ] && [ -n "$3" ] && [ "$3" -le $(( $2 + $2 / 10 )) ]; then pass; else
        fail "$1: peak RSS $2 KiB for 200k rows, $3 KiB for 1M rows"
    fi
}

# With threads the peak depends a little on which columns each encoder
# happened to take: the median of three runs of each.
median3() {   # SIZE MODE: the median peak RSS of three conversions
    for k in 1 2 3; do
        if [ "$2" = file ]; then
            "$BIN" -v "$T/$1.csv" -o "$T/$1.parquet" 2> "$T/$1.err"
        else
            cat "$T/$1.csv" | "$BIN" -v > "$T/$1.parquet" 2> "$T/$1.err"
        fi
        rss "$T/$1.err"
        echo
    done | sort -n | sed -n 2p
}
within10 "file input" "$(median3 small file)" "$(median3 large file)"
check "1M rows written" "1000000" "$("$BIN" -d --count "$T/large.parquet")"

within10 "pipe input" "$(median3 small pipe)" "$(median3 large pipe)"

# The budget is a hard bound: a small one still converts, in more row groups.
"$BIN" -v -m 4M "$T/large.csv" -o "$T/m4.parquet" 2> "$T/m4.err"
check "-m 4M converts" 0 "$?"
"$BIN" -d "$T/large.parquet" > "$T/large.out"
"$BIN" -d "$T/m4.parquet" | cmp -s - "$T/large.out" && pass || fail "-m 4M gives the same values"
echo "memory: $(sed -n 's/.*\(pool peak.*\)/\1/p' "$T/small.err" "$T/large.err" "$T/m4.err" | tr '\n' ';')"

finish
