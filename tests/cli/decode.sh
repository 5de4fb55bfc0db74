# Command-line tests of Parquet to CSV (csv2pq -d, pq2csv): the
# parquet-testing corpus against DuckDB's reading, damaged files, the
# options, stdin, and round trips through the writer.
. "$(dirname "$0")/lib.inc"

P=$TESTS/parquet
nl='
'
if command -v timeout > /dev/null 2>&1; then LIMIT="timeout 60"; else LIMIT=; fi

# A run that must not crash: status below 128 (no signal, no timeout) and no
# sanitizer report.
sane() {
    if [ "$status" -ge 124 ] || grep -q 'Sanitizer\|runtime error' "$T/err"; then
        fail "$1: status $status: $(head -c 300 "$T/err")"
        return 1
    fi
    return 0
}

# A run that must fail cleanly, naming the file in its one-line message.
clean_error() {
    name=$1 file=$2
    sane "$name" || return 0
    if [ "$status" -eq 0 ]; then
        fail "$name: succeeded, an error was expected"
    elif ! grep -qF "$file" "$T/err"; then
        fail "$name: message does not name $file: $(head -c 300 "$T/err")"
    else
        pass
    fi
}

# ---- the corpus: every file against its expected outcome ----
while IFS='	' read -r rel outcome readers note; do
    f=$P/$rel
    exp=$P/expect/$(echo "$rel" | sed 's/\.parquet\(\.encrypted\)\{0,1\}$/.csv/')
    $LIMIT "$BIN" -d "$f" > "$T/out.csv" 2> "$T/err"
    status=$?
    case $outcome in
    error)
        clean_error "$rel" "$f" ;;
    *)
        sane "$rel" || continue
        if [ "$status" -ne 0 ]; then
            fail "$rel: status $status: $(head -c 300 "$T/err")"
        else
            check_file "$rel" "$exp" "$T/out.csv"
        fi ;;
    esac
done < "$P/expect/MANIFEST"

# ---- damaged copies of valid files: truncated and with bytes changed ----
for name in alltypes_plain datapage_v2.snappy nested_lists.snappy nullable.impala \
            delta_byte_array byte_stream_split.zstd rle_boolean_encoding \
            fixed_length_decimal int96_from_spark; do
    f=$P/data/$name.parquet
    size=$(wc -c < "$f")
    step=$((size / 23 + 1))
    at=1
    while [ "$at" -lt "$size" ]; do
        head -c "$at" "$f" > "$T/cut.parquet"
        $LIMIT "$BIN" -d "$T/cut.parquet" > /dev/null 2> "$T/err"
        status=$?
        clean_error "$name truncated to $at bytes" "$T/cut.parquet"
        for byte in '\377' '\000' '\037'; do
            cp "$f" "$T/flip.parquet"
            printf "$byte" | dd of="$T/flip.parquet" bs=1 seek="$at" conv=notrunc 2> /dev/null
            $LIMIT "$BIN" -d "$T/flip.parquet" > /dev/null 2> "$T/err"
            status=$?
            if sane "$name byte $at set to $byte"; then
                if [ "$status" -ne 0 ] && ! grep -qF "$T/flip.parquet" "$T/err"; then
                    fail "$name byte $at: message does not name the file: $(head -c 200 "$T/err")"
                else
                    pass
                fi
            fi
        done
        at=$((at + step))
    done
done

# ---- not Parquet at all ----
: > "$T/empty.parquet"
run "$BIN" -d "$T/empty.parquet"
clean_error "empty file" "$T/empty.parquet"
printf 'a,b\n1,2\n' > "$T/text.parquet"
run "$BIN" -d "$T/text.parquet"
clean_error "CSV given to -d" "$T/text.parquet"
run "$BIN" -d "$T/no-such.parquet"
clean_error "missing file" "$T/no-such.parquet"
run "$BIN" -d "$T"
clean_error "a directory" "$T"
run "$BIN" -d "$P/data/encrypt_columns_and_footer.parquet.encrypted"
check "encrypted file message" \
    "csv2pq: $P/data/encrypt_columns_and_footer.parquet.encrypted: encrypted footer (PARE): encrypted Parquet files are not supported" \
    "$err"
run "$BIN" -d "$P/data/large_string_map.brotli.parquet"
check "BROTLI message" \
    "csv2pq: $P/data/large_string_map.brotli.parquet: row group 0, column \"arr.key_value.key\", page 0: unsupported codec BROTLI" \
    "$err"
run "$BIN" -d "$P/bad_data/ARROW-GH-45185.parquet"
case $err in
*'row group 0, column "x.list.element", page 0: repetition level 1 at the start of a record'*) pass ;;
*) fail "place of a page error: $err" ;;
esac

# ---- the name pq2csv ----
ln -s "$BIN" "$T/pq2csv"
run "$T/pq2csv" "$P/data/alltypes_plain.parquet"
check "called as pq2csv" "$(cat "$P/expect/data/alltypes_plain.csv")" "$out"

# ---- inspection ----
run "$BIN" -d --count "$P/data/alltypes_tiny_pages.parquet"
check "--count" "7300" "$out"
run "$BIN" -d --schema "$P/data/nested_maps.snappy.parquet"
check "--schema" "message spark_schema {
  optional group a (MAP) {
    repeated group key_value {
      required binary key (UTF8);
      optional group value (MAP) {
        repeated group key_value {
          required int32 key;
          required boolean value;
        }
      }
    }
  }
  required int32 b;
  required double c;
}" "$out"
run "$BIN" -d --schema "$P/data/fixed_length_decimal.parquet"
check "--schema decimal" "message spark_schema {
  optional fixed_len_byte_array(11) value (DECIMAL(25,2));
}" "$out"
run "$BIN" -d --meta "$P/data/alltypes_tiny_pages.parquet"
for line in 'num_rows: 7300' 'num_row_groups: 1' 'num_columns: 13' 'row_group: 0' \
            '  column: id' '    type: INT32' '    codec: UNCOMPRESSED' '    encodings: PLAIN,RLE,BIT_PACKED' \
            '    compressed_size: 37325' '    num_values: 7300' '    null_count: 0' '    min: 0' \
            '    max: 7299' '    dictionary: no' '    pages: 325 (0 dictionary, 325 data)' \
            '  column: timestamp_col' '    type: INT96' '    pages: 1056 (1 dictionary, 1055 data)' \
            '  writer.model.name: 2.1.1-cdh6.x-SNAPSHOT'; do
    if printf '%s\n' "$out" | grep -qxF "$line"; then pass; else fail "--meta has no line '$line'"; fi
done
run "$BIN" -d --meta "$P/data/nation.dict-malformed.parquet"
check "--meta status" 0 "$status"

# ---- output options ----
f=$P/data/alltypes_plain.parquet
run "$BIN" -d --columns string_col,id --head 3 "$f"
check "--columns reorders, --head" "string_col,id${nl}0,4${nl}1,5${nl}0,6" "$out"
run "$BIN" -d --head 0 "$f"
check "--head 0" "$(head -1 "$P/expect/data/alltypes_plain.csv")" "$out"
run "$BIN" -d --columns int_array,id --head 2 "$P/data/nullable.impala.parquet"
check "--columns with a nested column" "int_array,id${nl}\"[1,2,3]\",1${nl}\"[null,1,2,null,3,null]\",2" "$out"
run "$BIN" -d --columns id,nope "$f"
check "unknown column status" 2 "$status"
check "unknown column message" "csv2pq: $f: no column named \"nope\"" "$err"
run "$BIN" -d --no-header --head 2 --columns id "$f"
check "--no-header" "4${nl}5" "$out"
run "$BIN" -d --null NULL --head 4 "$P/data/datapage_v2.snappy.parquet"
check "--null" "a,b,c,d,e${nl}abc,1,2.0,true,\"[1,2,3]\"${nl}abc,2,3.0,true,NULL${nl}abc,3,4.0,true,NULL${nl}NULL,4,5.0,false,\"[1,2,3]\"" "$out"
run "$BIN" -d --delimiter ';' --head 2 "$P/data/datapage_v2.snappy.parquet"
check "--delimiter ;" "a;b;c;d;e${nl}abc;1;2.0;true;[1,2,3]${nl}abc;2;3.0;true;" "$out"
run "$BIN" -d --delimiter '\t' --head 1 --columns a,e "$P/data/datapage_v2.snappy.parquet"
check "--delimiter tab" "a	e${nl}abc	[1,2,3]" "$out"
run "$BIN" -d --columns a,b "$P/data/nested_lists.snappy.parquet"
check "nested lists as JSON" "$(cat "$P/expect/data/nested_lists.snappy.csv")" "$out"
run "$BIN" -d "$f" -o "$T/o.csv"
check "-o status" 0 "$status"
check_file "-o" "$P/expect/data/alltypes_plain.csv" "$T/o.csv"

# empty strings are quoted, NULLs are not; a value equal to --null is quoted
printf 'a,b\n"",x\n,y\n' > "$T/e.csv"
if "$BIN" "$T/e.csv" -o "$T/e.parquet" 2> /dev/null; then
    run "$BIN" -d "$T/e.parquet"
    check "empty string vs NULL" "a,b${nl}\"\",x${nl},y" "$out"
    run "$BIN" -d --null x "$T/e.parquet"
    check "value equal to --null" "a,b${nl},\"x\"${nl}x,y" "$out"
else
    fail "writing $T/e.parquet"
fi

# ---- stdin: a pipe is spooled to TMPDIR and removed; a file is mapped ----
mkdir "$T/tmp"
cat "$f" | TMPDIR=$T/tmp "$BIN" -d > "$T/pipe.csv" 2> "$T/err"
check_file "stdin pipe" "$P/expect/data/alltypes_plain.csv" "$T/pipe.csv"
check "spool file removed" "" "$(ls -A "$T/tmp")"
cat "$f" | TMPDIR=$T/tmp "$BIN" -d - > "$T/pipe.csv" 2> "$T/err"
check_file "stdin as -" "$P/expect/data/alltypes_plain.csv" "$T/pipe.csv"
"$BIN" -d < "$f" > "$T/redir.csv" 2> "$T/err"
check_file "stdin redirected from a file" "$P/expect/data/alltypes_plain.csv" "$T/redir.csv"
head -c 1000 "$f" | TMPDIR=$T/tmp "$BIN" -d > /dev/null 2> "$T/err"
status=$?
clean_error "truncated stdin" "<stdin>"
check "spool file removed after an error" "" "$(ls -A "$T/tmp")"
cat "$f" | TMPDIR=$T/no-such-dir "$BIN" -d > /dev/null 2> "$T/err"
status=$?
clean_error "TMPDIR missing" "<stdin>"

# ---- a reader that stops early: the first rows intact, then a quiet end
# (SIGPIPE, or a write error when SIGPIPE is ignored), no crash ----
{ "$BIN" -d "$P/data/alltypes_tiny_pages.parquet"; echo $? > "$T/rc"; } 2> "$T/err" | head -2 > "$T/head.csv"
check "output closed early: first rows" "$(head -2 "$P/expect/data/alltypes_tiny_pages.csv")" "$(cat "$T/head.csv")"
rc=$(cat "$T/rc")
if [ "$rc" -lt 128 ] || [ "$rc" -eq 141 ]; then pass; else fail "closed pipe: status $rc"; fi

# ---- round trip: canonical CSV -> Parquet -> CSV gives the same text ----
cat > "$T/rt.csv" <<'EOF'
id,price,name,ok,day,at
1,1.5,plain,true,2024-02-29,2024-01-02 03:04:05
-2,0.1,"comma, inside",false,1969-12-31,1970-01-01 00:00:00
3,100.0,"quote "" inside",true,2000-01-01,2024-01-02 03:04:05.123456
4,1e+20,"new
line",,0001-01-01,
5,,"",false,,1999-12-31 23:59:59.5
EOF
if "$BIN" "$T/rt.csv" -o "$T/rt.parquet" 2> "$T/err"; then
    run "$BIN" -d "$T/rt.parquet"
    check_file "round trip" "$T/rt.csv" "$T/out"
else
    fail "round trip: writing Parquet: $(cat "$T/err")"
fi

# ---- threads make the same CSV ----
awk 'BEGIN { print "i,d,s,t"; for (i = 0; i < 30000; i++) printf "%d,%.3f,\"s,%d\",2024-01-%02d 10:00:%02d\n", i, i / 7, i % 97, i % 28 + 1, i % 60 }' > "$T/thr.csv"
"$BIN" --row-group-size 7000 "$T/thr.csv" -o "$T/thr.parquet"
"$BIN" -d -j 1 "$T/thr.parquet" > "$T/thr1.csv"
"$BIN" -d -j 4 "$T/thr.parquet" > "$T/thr4.csv"
check_file "-d -j 4 gives the same CSV as -j 1" "$T/thr1.csv" "$T/thr4.csv"
check "-d: rows" 30001 "$(wc -l < "$T/thr4.csv" | tr -d ' ')"

# ---- no rows: only the header, whatever the number of columns ----
awk 'BEGIN { for (i = 1; i <= 5000; i++) printf "%sc%d", (i > 1 ? "," : ""), i; print "" }' > "$T/wide.csv"
"$BIN" -m 64M "$T/wide.csv" -o "$T/wide.parquet"
run "$BIN" -d -m 8M "$T/wide.parquet"
check "-d: 5000 columns and no rows at -m 8M: status" 0 "$status"
check "-d: 5000 columns and no rows at -m 8M" "$(cat "$T/wide.csv")" "$out"

finish
