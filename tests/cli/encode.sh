# Command-line tests of CSV to Parquet: edge inputs, types, options, errors.
. "$(dirname "$0")/lib.inc"

nl='
'

# ---- edge inputs, read back with -d ----
csv_rt "one row" 'a,b\n1,x\n' "a,b${nl}1,x"
csv_rt "no final newline" 'a,b\n1,x\n2,y' "a,b${nl}1,x${nl}2,y"
csv_rt "CRLF" 'a,b\r\n1,x\r\n2,y\r\n' "a,b${nl}1,x${nl}2,y"
csv_rt "CR only" 'a,b\r1,x\r2,y\r' "a,b${nl}1,x${nl}2,y"
csv_rt "quoted newline and quotes" 'a,b\n1,"x\ny ""q"""\n' "a,b${nl}1,\"x${nl}y \"\"q\"\"\""
csv_rt "UTF-8 BOM" '\357\273\277id,name\n1,\303\251t\303\251\n' "id,name${nl}1,été"
csv_rt "NULL vs empty string" 'a,b\n1,\n2,""\n3,z\n' "a,b${nl}1,${nl}2,\"\"${nl}3,z"
csv_rt "spaces kept" 'a,b\n1, x \n' "a,b${nl}1, x "
csv_rt "blank lines skipped" 'a,b\n\n1,x\n\n2,y\n\n' "a,b${nl}1,x${nl}2,y"
csv_rt "--null markers" 'a,b\n1,NA\n2,-\n3,x\n' "a,b${nl}1,${nl}2,${nl}3,x" --null NA --null -
# (DuckDB's read_csv keeps a quoted "NA" a string: not a pair for interop)
nokeep=1
csv_rt "quoted NA is NULL too" 'a,b\n1,"NA"\n2,x\n' "a,b${nl}1,${nl}2,x" --null NA
nokeep=
csv_rt "quoted empty stays a string with --null" 'a,b\n1,""\n2,x\n' "a,b${nl}1,\"\"${nl}2,x" --null NA
csv_rt "--no-header" '1,x\n2,y\n' "column_1,column_2${nl}1,x${nl}2,y" --no-header
csv_rt "semicolons" 'a;b\n1;x,y\n' "a,b${nl}1,\"x,y\"" --delimiter ';'
csv_rt "tabs" 'a\tb\n1\tx\n' "a,b${nl}1,x" --delimiter '\t'
csv_rt "other quote" "a,b\n1,'x,y'\n" "a,b${nl}1,\"x,y\"" --quote "'"
csv_rt "duplicate and empty names" 'a,a,,b\n1,2,3,4\n' "a,a_2,column_3,b${nl}1,2,3,4"
csv_rt "header only" 'a,b\n' "a,b"

# ---- types ----
printf 'i,d,b,dt,ts,tsz,s,z,big,lead,n\n1,1.5,true,2024-02-29,2024-01-02 03:04:05,2024-01-02T03:04:05Z,x,0,12345678901234567890,007,\n-2,2,FALSE,1969-12-31,2024-01-02 03:04,2024-01-02 05:04:05+02:00,y,-0.0,1,1,\n' > "$T/types.csv"
run "$BIN" --print-schema "$T/types.csv"
check "inferred schema" "i int64
d double
b boolean
dt date
ts timestamp
tsz timestamp_utc
s string
z double
big string
lead string
n string" "$out"

# Enough values that -j2 and more infer on two threads, the columns taken
# in turn: columns decided by their last rows get the same types.
awk 'BEGIN {
    print "a,b,c,d,e,f,g,h,i,j,k,l"
    for (r = 0; r < 7000; r++)
        printf "%d,%d.5,x%d,2024-01-%02d,%s,%d,%s,%s,%d,%d,%s,%s\n", r, r, r, r % 28 + 1,
            r == 6999 ? "1.5" : r, r, r == 6998 ? "2024-01-01" : "2024-01-01 10:00:00",
            r % 2 ? "true" : "false", r, r, r == 6000 ? "z" : r, r == 3 ? "" : "7"
}' > "$T/infer.csv"
want="a int64
b double
c string
d date
e double
f int64
g timestamp
h boolean
i int64
j int64
k string
l int64"
for j in 1 2 4; do
    run "$BIN" -j$j --print-schema "$T/infer.csv"
    check "inferred schema of 84000 values, -j$j" "$want" "$out"
    "$BIN" -j$j "$T/infer.csv" -o "$T/infer.j$j.parquet"
done
cmp -s "$T/infer.j1.parquet" "$T/infer.j2.parquet" && cmp -s "$T/infer.j1.parquet" "$T/infer.j4.parquet" &&
    pass || fail "types inferred on two threads: -j2 or -j4 differs from -j1"

run "$BIN" --print-schema --no-header "$TESTS/data/sample.csv"
check "--no-header makes header text a value" 0 "$status"
case "$out" in column_1\ string*) pass ;; *) fail "--no-header schema: $out" ;; esac

csv_rt "widening int to double" 'a\n1\n2.5\n' "a${nl}1.0${nl}2.5"
csv_rt "widening date to timestamp" 'a\n2024-01-01\n2024-01-01 10:00:00\n' "a${nl}2024-01-01 00:00:00${nl}2024-01-01 10:00:00"
csv_rt "widening to string" 'a\n1\nx\n' "a${nl}1${nl}x"
csv_rt "int64 extremes" 'a\n9223372036854775807\n-9223372036854775808\n' "a${nl}9223372036854775807${nl}-9223372036854775808"

# ---- compression codecs and row groups ----
python3 -c 'print("id,name,val")' > "$T/big.csv" 2>/dev/null || echo 'id,name,val' > "$T/big.csv"
i=0
while [ $i -lt 3000 ]; do
    echo "$i,name$((i % 17)),$((i * 7 % 1000)).25"
    i=$((i + 1))
done >> "$T/big.csv"
"$BIN" -d "$T/big.parquet" > /dev/null 2>&1 && fail "stale file"
for c in zstd snappy gzip none; do
    if "$BIN" -c $c "$T/big.csv" -o "$T/big.$c.parquet" &&
       "$BIN" -d "$T/big.$c.parquet" > "$T/big.$c.csv"; then
        check_file "codec $c round trip" "$T/big.csv" "$T/big.$c.csv"
        keep "codec-$c" "$T/big.csv" "$T/big.$c.parquet" -c $c
    else
        fail "codec $c"
    fi
done
"$BIN" --row-group-size 1000 "$T/big.csv" -o "$T/rg.parquet"
check "row groups by rows" 3 "$("$BIN" -d --meta "$T/rg.parquet" | grep -c '^row_group:')"
"$BIN" -d "$T/rg.parquet" > "$T/rg.csv"
check_file "row groups round trip" "$T/big.csv" "$T/rg.csv"
keep "row-groups" "$T/big.csv" "$T/rg.parquet" --row-group-size 1000
"$BIN" "$T/types.csv" -o "$T/types.parquet" && keep "types" "$T/types.csv" "$T/types.parquet"
run "$BIN" --level 19 "$T/big.csv" -o "$T/l19.parquet"
check "--level 19" 0 "$status"
cat "$T/big.csv" | "$BIN" > "$T/pipe.parquet"
"$BIN" -d < "$T/pipe.parquet" > "$T/pipe.csv"
check_file "stdin and stdout pipes" "$T/big.csv" "$T/pipe.csv"
"$BIN" < "$T/big.csv" > "$T/redir.parquet"
check_file "redirected file equals pipe" "$T/pipe.parquet" "$T/redir.parquet"

# ---- encodings chosen per column chunk ----
awk 'BEGIN {
    print "seq,day,ts,rnd,cat"
    for (i = 0; i < 5000; i++)
        printf "%d,%04d-%02d-%02d,2024-03-01 %02d:%02d:%02d.%03d5,%d,c%d\n", 1000000 + i * 3,
            2000 + int(i / 336), int(i / 28) % 12 + 1, i % 28 + 1,
            int(i / 3600) % 24, int(i / 60) % 60, i % 60, i % 999 + 1, (i * 7919) % 100003, i % 7
}' > "$T/enc.csv"
"$BIN" "$T/enc.csv" -o "$T/enc.parquet"
"$BIN" -d --meta "$T/enc.parquet" | grep '^    encodings:' > "$T/enc.meta"
check "encodings per column" "    encodings: DELTA_BINARY_PACKED,RLE
    encodings: DELTA_BINARY_PACKED,RLE
    encodings: DELTA_BINARY_PACKED,RLE
    encodings: DELTA_BINARY_PACKED,RLE
    encodings: PLAIN,RLE,RLE_DICTIONARY" "$(cat "$T/enc.meta")"
"$BIN" -d "$T/enc.parquet" | cmp -s - "$T/enc.csv" && pass || fail "DELTA_BINARY_PACKED round trip"
keep "encodings" "$T/enc.csv" "$T/enc.parquet"

# ---- threads: the same bytes whatever -j ----
"$BIN" -j1 "$T/types.csv" -o "$T/types.j1.parquet"
for j in 2 3 8; do
    "$BIN" -j$j "$T/types.csv" -o "$T/types.j$j.parquet"
    cmp -s "$T/types.j1.parquet" "$T/types.j$j.parquet" && pass || fail "-j$j differs from -j1 (types)"
done
for opts in "" "-c snappy --row-group-size 700" "-c gzip -m 4M" "-c none --row-group-size 1"; do
    "$BIN" -j1 $opts "$T/big.csv" -o "$T/big.j1.parquet"
    for j in 2 4; do
        "$BIN" -j$j $opts "$T/big.csv" -o "$T/big.j$j.parquet"
        cmp -s "$T/big.j1.parquet" "$T/big.j$j.parquet" && pass || fail "-j$j $opts differs from -j1"
    done
done
# Several row groups of quoted text, so that the reader parses each next
# row group while the threads encode the last: the same bytes from a file
# and a pipe, for every -j.  Uncompressed, a row group's chunks are larger
# than the threads may hold waiting for their turn (B/16), so that a thread
# waits for the writing too.
awk 'BEGIN {
    print "id,name,note,price,day"
    for (i = 0; i < 300000; i++)
        printf "%d,name %d,\"note %d, \"\"q\"\"%s\",%d.%03d,2024-%02d-%02d\n", i, i % 1000,
            i * 7, i % 50 ? "" : "\nsecond line", i % 9973, i % 100 * 10 + 5, i % 12 + 1, i % 28 + 1
}' > "$T/ahead.csv"
"$BIN" -j1 "$T/ahead.csv" -o "$T/ahead.j1.parquet"
rgs=$("$BIN" -d --meta "$T/ahead.j1.parquet" | sed -n 's/^num_row_groups: //p')
[ "$rgs" -ge 3 ] && pass || fail "several row groups expected, got $rgs"
for j in 2 3; do
    "$BIN" -j$j "$T/ahead.csv" -o "$T/ahead.j$j.parquet"
    cmp -s "$T/ahead.j1.parquet" "$T/ahead.j$j.parquet" && pass || fail "-j$j differs from -j1 (row groups read ahead)"
    cat "$T/ahead.csv" | "$BIN" -j$j > "$T/ahead.pipe.parquet"
    cmp -s "$T/ahead.j1.parquet" "$T/ahead.pipe.parquet" && pass || fail "-j$j through a pipe differs"
done
# from a file with -j2, a second thread parses part of each row group
# (smaller row groups, more of them: the read-ahead block is made from the
# second on at the latest)
"$BIN" -m 16M -j1 "$T/ahead.csv" -o "$T/ahead.m1.parquet"
"$BIN" -m 16M -v -j2 "$T/ahead.csv" -o "$T/ahead.v.parquet" 2> "$T/ahead.v"
cmp -s "$T/ahead.m1.parquet" "$T/ahead.v.parquet" && pass || fail "-m 16M -j2 differs from -j1"
split=$(sed -n 's/.* threads (\([0-9]*\) rows parsed by the second).*/\1/p' "$T/ahead.v")
[ "${split:-0}" -gt 0 ] && pass || fail "-j2 from a file: no rows parsed by a second thread: $(cat "$T/ahead.v")"
"$BIN" -j1 -c none "$T/ahead.csv" -o "$T/ahead.none1.parquet"
"$BIN" -j2 -c none "$T/ahead.csv" -o "$T/ahead.none2.parquet"
cmp -s "$T/ahead.none1.parquet" "$T/ahead.none2.parquet" && pass || fail "-j2 -c none differs from -j1"
"$BIN" -d --meta "$T/ahead.none1.parquet" | awk '/^  column: note/ { n = 1 } n && /compressed_size:/ { print $2; exit }' > "$T/note.size"
[ "$(cat "$T/note.size")" -gt 2097152 ] && pass || fail "an uncompressed chunk larger than B/16 expected: $(cat "$T/note.size")"
"$BIN" -d "$T/ahead.j1.parquet" | cmp -s - "$T/ahead.csv" && pass || fail "row groups read ahead: round trip"
# an error in a later row group: the same message for every -j, from a
# file and a pipe
{ cat "$T/ahead.csv"; echo '300000,x,"y",1.5'; } > "$T/ahead-short.csv"
{ cat "$T/ahead.csv"; echo '300000,x,"y",abc,2024-01-01'; } > "$T/ahead-bad.csv"
for j in 1 2; do
    run "$BIN" -j$j "$T/ahead-short.csv" -o "$T/ahead-err.parquet"
    check "late short row -j$j" "1 csv2pq: $T/ahead-short.csv:306002:5: expected 5 fields, found 4; --on-error skip leaves such rows out, --on-error null pads or cuts them" "$status $err"
    run sh -c "cat '$T/ahead-bad.csv' | '$BIN' -j$j > '$T/ahead-err.parquet'"
    check "late bad value through a pipe -j$j" 1 "$status"
    case "$err" in "csv2pq: <stdin>:306002:4: column \"price\" is double, but this value is \"abc\""*) pass ;;
        *) fail "late bad value -j$j: $err" ;; esac
done

run "$BIN" -j 0 "$T/big.csv"
check "-j 0 status" 2 "$status"
check "-j 0 message" "csv2pq: --threads takes a number from 1 to 64, not '0'" "$err"

# A pipe delivering odd-sized pieces gives the same row groups, so the
# same bytes, as the file: batches are cut by their rows' sizes alone.
awk 'BEGIN {
    print "id,text,n,when"
    for (i = 0; i < 60000; i++)
        printf "%d,\"line %d, with a comma\nand \"\"a quote\"\"\",%d.5,2024-01-%02d\r\n", i, i, i % 977, i % 28 + 1
}' > "$T/multi.csv"
"$BIN" -m 4M "$T/multi.csv" -o "$T/multi.file.parquet"
dd if="$T/multi.csv" bs=777 2> /dev/null | "$BIN" -m 4M > "$T/multi.pipe.parquet"
check "several row groups in the multi-batch file" yes "$("$BIN" -d --meta "$T/multi.file.parquet" | awk '/^num_row_groups:/ { print ($2 > 1 ? "yes" : "no") }')"
cmp -s "$T/multi.file.parquet" "$T/multi.pipe.parquet" && pass || fail "pipe and file give different Parquet"
"$BIN" -d "$T/multi.pipe.parquet" | tr -d '\r' > "$T/multi.out"
tr -d '\r' < "$T/multi.csv" | cmp -s - "$T/multi.out" && pass || fail "multi-batch round trip"

# ---- errors: exact message and exit status ----
run "$BIN" -o "$T/e.parquet" < /dev/null
check "empty input status" 1 "$status"
check "empty input message" "csv2pq: <stdin>: no header and no rows: the input is empty; --schema FILE gives the columns of a table of no rows" "$err"
[ -e "$T/e.parquet" ] && fail "empty input left a file" || pass

printf 'a,b\n1,2\n3\n' > "$T/short.csv"
run "$BIN" "$T/short.csv" -o "$T/short.parquet"
check "short row status" 1 "$status"
check "short row message" "csv2pq: $T/short.csv:3:2: expected 2 fields, found 1; --on-error skip leaves such rows out, --on-error null pads or cuts them" "$err"
[ -e "$T/short.parquet" ] && fail "short row left a file" || pass

printf 'a,b\n1,2\n3,4,5\n' > "$T/long.csv"
run "$BIN" "$T/long.csv" -o "$T/long.parquet"
check "long row message" "csv2pq: $T/long.csv:3:3: expected 2 fields, found 3; --on-error skip leaves such rows out, --on-error null pads or cuts them" "$err"

printf 'a,b\n1,"x\ny\n2,3\n' > "$T/quote.csv"
run "$BIN" "$T/quote.csv" -o "$T/quote.parquet"
check "unterminated quote status" 1 "$status"
check "unterminated quote message" "csv2pq: $T/quote.csv:2:2: quoted field is not terminated; --quote '' reads quotes as text" "$err"

printf 'id,fare,note\n1,2.5,x\n2,3,y\n3,4,"multi\nline"\n4,N/A,z\n' > "$T/drift.csv"
for j in 1 2; do
    run sh -c "cat '$T/drift.csv' | '$BIN' -j$j --row-group-size 2 -o '$T/drift.parquet'"
    check "type drift status -j$j" 1 "$status"
    check "type drift message -j$j" "csv2pq: <stdin>:6:2: column \"fare\" is double, but this value is \"N/A\"; use --type fare=string, --null 'N/A', or --on-error null|skip (types were inferred from the first 2 rows; --infer-rows N with a regular input file, or a larger -m, lets inference see more)" "$err"
done
ls "$T" | grep -q 'csv2pq-' && fail "temporary file left behind" || pass

# bad values in three columns of one row group: the first column in column
# order is reported, with its own line, whichever thread found which
awk 'BEGIN { print "c1,c2,c3,c4,c5,c6"
             for (i = 1; i <= 3000; i++) {
                 v2 = i == 1800 ? "b2" : i; v5 = i == 1500 ? "b5" : i; v6 = i == 1200 ? "b6" : i
                 print i "," v2 "," i "," i "," v5 "," v6 } }' > "$T/bad3.csv"
for j in 1 2 3; do
    run "$BIN" -j$j --row-group-size 1000 --schema /dev/stdin "$T/bad3.csv" -o "$T/bad3.parquet" <<EOF2
c1 int64
c2 int64
c3 int64
c4 int64
c5 int64
c6 int64
EOF2
    check "first bad column of a row group -j$j" "csv2pq: $T/bad3.csv:1801:2: column \"c2\" is int64, but this value is \"b2\"; use --type c2=string, --null 'b2', or --on-error null|skip" "$err"
done

printf 'a\n\377\n' > "$T/utf8.csv"
run "$BIN" "$T/utf8.csv" -o "$T/utf8.parquet"
check "invalid UTF-8" "csv2pq: $T/utf8.csv:2:1: column \"a\" holds invalid UTF-8; --binary keeps the bytes as they are, --on-error null|skip drops them" "$err"

printf '\377\376a\000\n\000' > "$T/utf16.csv"
run "$BIN" "$T/utf16.csv" -o "$T/utf16.parquet"
check "UTF-16 refused" "csv2pq: $T/utf16.csv:1: UTF-16 input is not supported; convert it first, e.g. iconv -f UTF-16 -t UTF-8" "$err"

run "$BIN" "$T/missing.csv" -o "$T/m.parquet"
check "missing input status" 1 "$status"
check "missing input message" "csv2pq: $T/missing.csv: No such file or directory" "$err"

run "$BIN" "$T/big.csv" -o "$T/no/such/dir/x.parquet"
check "unwritable output status" 1 "$status"
case "$err" in "csv2pq: $T/no/such/dir/x.parquet: cannot create: No such file or directory") pass ;; *) fail "unwritable output: $err" ;; esac

run "$BIN" --compression lzma "$T/big.csv"
check "bad codec status" 2 "$status"
check "bad codec message" "csv2pq: unknown compression 'lzma' (zstd, snappy, gzip or none)" "$err"
run "$BIN" -c gzip --level 15 "$T/big.csv"
check "gzip level status" 2 "$status"
check "gzip level message" "csv2pq: --level for gzip takes a number from 1 to 9, not 15" "$err"
run "$BIN" --level 0 "$T/big.csv"
check "level 0 status" 2 "$status"
run "$BIN" --bogus
check "unknown option status" 2 "$status"
run "$BIN" -m 1K "$T/big.csv"
check "tiny -m status" 2 "$status"
run "$BIN" a.csv b.csv
check "two inputs status" 2 "$status"
run "$BIN" --head 3 "$T/big.csv"
check "decode option without -d" 2 "$status"

# A field larger than the memory budget: a clear error, exit status 3.
{ echo 'a'; head -c 6000000 /dev/zero | tr '\0' 'x'; echo; } > "$T/huge.csv"
run "$BIN" -m 4M "$T/huge.csv" -o "$T/huge.parquet"
check "huge field status" 3 "$status"
case "$err" in "csv2pq: $T/huge.csv:2:1: field does not fit the memory budget"*) pass ;; *) fail "huge field: $err" ;; esac
[ -e "$T/huge.parquet" ] && fail "huge field left a file" || pass

# Refuse a terminal on stdout, unless forced.
if command -v script > /dev/null 2>&1; then
    script -qec "$BIN $T/big.csv" /dev/null > "$T/tty.out" 2>&1
    case "$(cat "$T/tty.out")" in *"refusing to write Parquet to a terminal"*) pass ;; *) fail "terminal refusal: $(head -c 200 "$T/tty.out")" ;; esac
fi

# SIGTERM while writing -o: no file, no temporary file.
mkdir "$T/sig"
( echo 'a,b'; echo '1,2'; sleep 3 ) | "$BIN" -o "$T/sig/out.parquet" &
pid=$!
sleep 1
kill -TERM $pid 2> /dev/null
wait $pid 2> /dev/null
check "SIGTERM status" 143 "$?"
check "SIGTERM leaves nothing" "" "$(ls -A "$T/sig")"

# -v summary, -q silence, --version, --help
run "$BIN" -v "$T/big.csv" -o "$T/v.parquet"
case "$err" in *"3000 rows, 1 row groups, 3 columns"*) pass ;; *) fail "-v summary: $err" ;; esac
run "$BIN" -q "$T/big.csv" -o "$T/q.parquet"
check "-q is silent" "" "$err"
run "$BIN" --version
case "$out" in "csv2pq "[0-9]*) pass ;; *) fail "--version: $out" ;; esac
run "$BIN" --help
for opt in --threads --output --memory --delimiter --null --no-header --force --quiet --verbose \
           --version --compression --level --row-group-size --quote --print-schema \
           --columns --head --schema --meta --count; do
    case "$out" in *"$opt"*) pass ;; *) fail "--help lacks $opt" ;; esac
    grep -q -- "$(echo "$opt" | sed 's/-/\\\\-/g')" "$TESTS/../csv2pq.1" && pass || fail "man page lacks $opt"
    grep -q -- "$opt" "$TESTS/../README.md" && pass || fail "README lacks $opt"
done

# ---- BYTE_STREAM_SPLIT only when asked for ----
awk 'BEGIN { srand(7); print "x,y"; for (i = 0; i < 5000; i++) printf "%.15f,%d\n", rand(), i }' > "$T/bss.csv"
"$BIN" "$T/bss.csv" -o "$T/bss.parquet"
check "doubles are not BYTE_STREAM_SPLIT by default" 0 "$("$BIN" -d --meta "$T/bss.parquet" | grep -c BYTE_STREAM_SPLIT)"
"$BIN" --byte-stream-split "$T/bss.csv" -o "$T/bss2.parquet"
check "--byte-stream-split" 1 "$("$BIN" -d --meta "$T/bss2.parquet" | grep -c 'encodings: BYTE_STREAM_SPLIT')"
check "--byte-stream-split: same values" "$("$BIN" -d "$T/bss.parquet" | md5sum)" "$("$BIN" -d "$T/bss2.parquet" | md5sum)"
keep "byte stream split" "$T/bss.csv" "$T/bss2.parquet" --byte-stream-split
run "$BIN" -d --byte-stream-split "$T/bss2.parquet"
check "--byte-stream-split with -d" 2 "$status"

# ---- identifiers: random ones and ones that repeat inside take other zstd parameters ----
awk 'BEGIN { srand(11); print "id,code"
             for (i = 0; i < 20000; i++)
                 printf "%08x%08x%08x%08x,K%015d\n", rand() * 4294967296, rand() * 4294967296,
                        rand() * 4294967296, rand() * 4294967296, i * 7 }' > "$T/ids.csv"
"$BIN" --type id=string --type code=string "$T/ids.csv" -o "$T/ids.parquet"
check "identifiers round trip" "$(md5sum < "$T/ids.csv")" "$("$BIN" -d "$T/ids.parquet" | md5sum)"
keep "identifiers" "$T/ids.csv" "$T/ids.parquet" --type id=string --type code=string

finish
