# Compressed CSV input, recognised by its magic bytes, from files and pipes:
# gzip (several members too) and zstd (several frames too).
. "$(dirname "$0")/lib.inc"

awk 'BEGIN {
    print "id,name,when,amount"
    for (i = 0; i < 20000; i++)
        printf "%d,\"name %d, \"\"q\"\"\",2024-02-%02d 10:%02d:00,%d.25\n", i, i % 300, i % 28 + 1, i % 60, i % 1000
}' > "$T/in.csv"
"$BIN" "$T/in.csv" -o "$T/plain.parquet"

same() {   # NAME FILE: as a file and through a pipe, the same Parquet as plain
    if "$BIN" "$2" -o "$T/c.parquet" 2> "$T/err" && cmp -s "$T/c.parquet" "$T/plain.parquet"; then
        pass
    else
        fail "$1 (file): $(cat "$T/err")"
    fi
    if cat "$2" | "$BIN" > "$T/c.parquet" 2> "$T/err" && cmp -s "$T/c.parquet" "$T/plain.parquet"; then
        pass
    else
        fail "$1 (pipe): $(cat "$T/err")"
    fi
}

gzip -c "$T/in.csv" > "$T/in.csv.gz"
same "gzip" "$T/in.csv.gz"
head -n 7001 "$T/in.csv" | gzip -c > "$T/multi.gz"
tail -n +7002 "$T/in.csv" | gzip -c >> "$T/multi.gz"
same "gzip with two members" "$T/multi.gz"

if command -v zstd > /dev/null 2>&1; then
    zstd -q -c "$T/in.csv" > "$T/in.csv.zst"
    same "zstd" "$T/in.csv.zst"
    head -n 9001 "$T/in.csv" | zstd -q -c > "$T/multi.zst"
    tail -n +9002 "$T/in.csv" | zstd -q -c >> "$T/multi.zst"
    same "zstd with two frames" "$T/multi.zst"
    size=$(wc -c < "$T/in.csv.zst")
    head -c $((size / 2)) "$T/in.csv.zst" > "$T/cut.zst"
    run "$BIN" "$T/cut.zst" -o "$T/cut.parquet"
    check "truncated zstd status" 1 "$status"
    case "$err" in "csv2pq: $T/cut.zst:"*": zstd input ends in the middle of a frame (truncated?)") pass ;;
        *) fail "truncated zstd message: $err" ;; esac
else
    echo "compressed: zstd not installed, zstd cases skipped"
fi

size=$(wc -c < "$T/in.csv.gz")
head -c $((size / 2)) "$T/in.csv.gz" > "$T/cut.gz"
run "$BIN" "$T/cut.gz" -o "$T/cut.parquet"
check "truncated gzip status" 1 "$status"
case "$err" in "csv2pq: $T/cut.gz:"*": gzip input ends in the middle of a member (truncated?)") pass ;;
    *) fail "truncated gzip message: $err" ;; esac
[ -e "$T/cut.parquet" ] && fail "truncated gzip left a file" || pass

# a damaged byte in the middle of the deflate stream
{ head -c 2000 "$T/in.csv.gz"; printf '\377\377\377\377\377\377\377\377'; tail -c +2009 "$T/in.csv.gz"; } > "$T/bad.gz"
run "$BIN" "$T/bad.gz" -o "$T/bad.parquet"
check "corrupt gzip status" 1 "$status"
case "$err" in "csv2pq: $T/bad.gz:"[0-9]*": corrupt gzip input") pass ;;
    *) fail "corrupt gzip message: $err" ;; esac

# a BOM and CRLF inside the compressed stream; an empty compressed input
printf '\357\273\277a,b\r\n1,x\r\n' | gzip -c > "$T/bom.gz"
check "BOM inside gzip" "a,b
1,x" "$("$BIN" "$T/bom.gz" | "$BIN" -d)"
printf '' | gzip -c > "$T/empty.gz"
run "$BIN" "$T/empty.gz" -o "$T/empty.parquet"
check "empty gzip" "csv2pq: $T/empty.gz: no header and no rows: the input is empty; --schema FILE gives the columns of a table of no rows" "$err"
gzip -c "$T/in.csv.gz" > "$T/twice.gz"
run "$BIN" "$T/twice.gz" -o "$T/twice.parquet"
check "gzip in gzip" "csv2pq: $T/twice.gz:1: the decompressed input is compressed again; take the outer layer off first: zcat FILE | csv2pq" "$err"
[ -e "$T/twice.parquet" ] && fail "gzip in gzip left an output file" || pass
zcat "$T/twice.gz" | "$BIN" > "$T/once.parquet"
"$BIN" "$T/in.csv.gz" -o "$T/direct.parquet"
cmp -s "$T/once.parquet" "$T/direct.parquet" && pass || fail "gzip in gzip after zcat"
if command -v zstd > /dev/null 2>&1; then
    zstd -q -c "$T/in.csv.gz" > "$T/gz.zst"
    run "$BIN" "$T/gz.zst" -o "$T/twice.parquet"
    check "gzip in zstd" "csv2pq: $T/gz.zst:1: the decompressed input is compressed again; take the outer layer off first: zstdcat FILE | csv2pq" "$err"
fi

finish
