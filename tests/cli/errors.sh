# Command-line tests of bad rows and bad values, type drift, schemas, rules,
# column selection and renaming.
. "$(dirname "$0")/lib.inc"

nl='
'

# ---- type drift: regular files are converted again, pipes follow --on-error ----
{ echo 'a,b'; i=1; while [ $i -le 3000 ]; do echo "$i,x$i"; i=$((i + 1)); done; echo '2.5,y'; } > "$T/drift.csv"
run "$BIN" -v --row-group-size 1000 "$T/drift.csv" -o "$T/drift.parquet"
check "drift in a file: status" 0 "$status"
check "drift in a file: reported with -v" "csv2pq: $T/drift.csv:3002: column \"a\" widened from int64 to double; converting again from the start" "$(echo "$err" | head -1)"
"$BIN" -d "$T/drift.parquet" > "$T/drift.out"
check "drift in a file: first value" "1.0,x1" "$(sed -n 2p "$T/drift.out")"
check "drift in a file: last value" "2.5,y" "$(tail -1 "$T/drift.out")"
check "drift in a file: rows" 3002 "$(wc -l < "$T/drift.out" | tr -d ' ')"
keep "drift" "$T/drift.csv" "$T/drift.parquet" --row-group-size 1000

run sh -c "'$BIN' --row-group-size 1000 < '$T/drift.csv' > '$T/drift2.parquet'"
check "drift with redirections: status" 0 "$status"
check_file "drift with redirections: same file" "$T/drift.parquet" "$T/drift2.parquet"
printf 'junk' > "$T/prefix.parquet"
run sh -c "'$BIN' --row-group-size 1000 < '$T/drift.csv' >> '$T/prefix.parquet'"
check "drift appended to a file keeps what was there" "junk" "$(head -c 4 "$T/prefix.parquet")"
check "drift appended: size" "$(($(wc -c < "$T/drift.parquet") + 4))" "$(wc -c < "$T/prefix.parquet" | tr -d ' ')"

run sh -c "cat '$T/drift.csv' | '$BIN' --row-group-size 1000 -o '$T/pipe.parquet'"
check "drift from a pipe: status" 1 "$status"
check "drift from a pipe: message" "csv2pq: <stdin>:3002:1: column \"a\" is int64, but this value is \"2.5\"; use --type a=double, or --on-error null|skip (types were inferred from the first 1000 rows; --infer-rows N with a regular input file, or a larger -m, lets inference see more)" "$err"
[ -e "$T/pipe.parquet" ] && fail "drift from a pipe left a file" || pass
run sh -c "'$BIN' --row-group-size 1000 '$T/drift.csv' | cat > '$T/pipe.parquet'"
check "drift into a pipe: status" 1 "$(echo "$err" | grep -c 'is int64, but this value is "2.5"')"
run sh -c "cat '$T/drift.csv' | '$BIN' --row-group-size 1000 --infer-rows 5000 -o '$T/pipe.parquet'"
check "--infer-rows beyond the first row group of a pipe: still the row group" 1 "$status"
run "$BIN" --row-group-size 1000 --infer-rows 5000 --print-schema "$T/drift.csv"
check "--infer-rows scans a regular file ahead" "a double${nl}b string" "$out"
run "$BIN" --infer-rows 10 --print-schema "$T/drift.csv"
check "--infer-rows 10" "a int64${nl}b string" "$out"
run "$BIN" --print-schema "$T/drift.csv"
check "--print-schema reads a whole regular file" "a double${nl}b string" "$out"
run sh -c "cat '$T/drift.csv' | '$BIN' --row-group-size 1000 --on-error null -q -o '$T/pipe.parquet'"
check "drift from a pipe, --on-error null: status" 0 "$status"
check "drift from a pipe, --on-error null: value" "," "$("$BIN" -d "$T/pipe.parquet" | tail -1 | cut -c1)"

# drift in the last row of a large file, several columns widening
awk 'BEGIN { print "id,v,d"; for (i = 0; i < 300000; i++) printf "%d,%d,2024-01-%02d\n", i, i * 3, i % 28 + 1; print "300000,x,2024-01-01 12:00:00" }' > "$T/large.csv"
run "$BIN" -v "$T/large.csv" -o "$T/large.parquet"
check "drift in the last row of a large file: status" 0 "$status"
check "drift in the last row: widened columns" "v string${nl}d timestamp" "$(echo "$err" | grep -E '^  |^(v|d) ' | tail -2)"
check "drift in the last row: last value" "300000,x,2024-01-01 12:00:00" "$("$BIN" -d "$T/large.parquet" | tail -1)"
check "drift in the last row: rows" 300001 "$("$BIN" -d --count "$T/large.parquet")"

# ---- --on-error, --rejects, --max-errors ----
printf 'a,b,c\n1,x,2024-01-01\nN/A,y,2024-01-02\n3,z\n4,w,2024-01-04,extra\n5,"bad, date",nope\n6,ok,2024-01-06\n' > "$T/bad.csv"
run "$BIN" --type a=int32 --type c=date --on-error skip --rejects "$T/rej.csv" "$T/bad.csv" -o "$T/skip.parquet"
check "--on-error skip: status" 0 "$status"
check "--on-error skip: warning" "csv2pq: $T/bad.csv: 4 bad rows: 4 skipped, 0 with values set to NULL, 0 padded or cut; the first, at line 4: expected 3 fields, found 2 (row skipped)" "$err"
check "--on-error skip: rows" "a,b,c${nl}1,x,2024-01-01${nl}6,ok,2024-01-06" "$("$BIN" -d "$T/skip.parquet")"
check "--rejects file" "line,column,reason,row
4,\"\",\"expected 3 fields, found 2\",\"3,z\"
5,\"\",\"expected 3 fields, found 4\",\"4,w,2024-01-04,extra\"
3,a,is int32,\"N/A,y,2024-01-02\"
6,c,is date,\"5,\"\"bad, date\"\",nope\"" "$(cat "$T/rej.csv")"
keep "on-error skip" "$T/bad.csv" "$T/skip.parquet" --type a=int32 --type c=date --on-error skip

run "$BIN" -q --type a=int32 --type c=date --on-error null "$T/bad.csv" -o "$T/null.parquet"
check "--on-error null: quiet" "" "$err"
check "--on-error null: values" "a,b,c${nl}1,x,2024-01-01${nl},y,2024-01-02${nl}3,z,${nl}4,w,2024-01-04${nl}5,\"bad, date\",${nl}6,ok,2024-01-06" "$("$BIN" -d "$T/null.parquet")"
run "$BIN" --type a=int32 --type c=date --on-error null "$T/bad.csv" -o "$T/null.parquet"
check "--on-error null: warning" "csv2pq: $T/bad.csv: 4 bad rows: 0 skipped, 2 with values set to NULL, 2 padded or cut; the first, at line 4: expected 3 fields, found 2 (row padded with NULLs) (--rejects FILE lists them all)" "$err"

grep -v -e '^3,z' -e extra "$T/bad.csv" > "$T/bad2.csv"
run "$BIN" --type a=int32 "$T/bad2.csv" -o "$T/fail.parquet"
check "--on-error fail (default): status" 1 "$status"
check "--on-error fail: message" "csv2pq: $T/bad2.csv:3:1: column \"a\" is int32, but this value is \"N/A\"; use --type a=string, --null 'N/A', or --on-error null|skip" "$err"
[ -e "$T/fail.parquet" ] && fail "--on-error fail left a file" || pass

run "$BIN" --type a=int32 --on-error skip --max-errors 2 "$T/bad.csv" -o "$T/max.parquet"
check "--max-errors: status" 1 "$status"
check "--max-errors: message" "csv2pq: $T/bad.csv: more than 2 bad rows (--max-errors); the first, at line 4: expected 3 fields, found 2 (row skipped)" "$err"
run "$BIN" -q --type a=int32 --on-error skip --max-errors 4 "$T/bad.csv" -o "$T/max.parquet"
check "--max-errors not passed" 0 "$status"

printf 'a,b\n1,x\n2,\377\n3,z\n' > "$T/utf8.csv"
run "$BIN" -q --on-error skip "$T/utf8.csv" -o "$T/utf8.parquet"
check "invalid UTF-8 skipped" "a,b${nl}1,x${nl}3,z" "$("$BIN" -d "$T/utf8.parquet")"
run "$BIN" --binary "$T/utf8.csv" -o "$T/utf8.parquet"
check "--binary keeps the bytes" 0 "$status"
check "--binary: no STRING annotation" "optional binary b;" "$("$BIN" -d --schema "$T/utf8.parquet" | grep ' b' | tr -s ' ' | sed 's/^ //')"

# ---- --type, --schema, rules ----
printf 'id,price,qty,day,at,flag\n1,12.50,3,2024-02-29,10:30:00,1\n2,0.05,65535,2024-03-01,23:59:59.5,0\n' > "$T/typed.csv"
run "$BIN" --type price='decimal(6,2)' --type 3=uint16 --type at='time(ms)' --type flag=int8 --print-schema "$T/typed.csv"
check "--type by name and position" "id int64
price decimal(6,2)
qty uint16
day date
at time(ms)
flag int8" "$out"
run "$BIN" --type price='decimal(6,2)' --type 3=uint16 --type at='time(ms)' --type flag=int8 "$T/typed.csv" -o "$T/typed.parquet"
check "explicit types convert" "id,price,qty,day,at,flag${nl}1,12.50,3,2024-02-29,10:30:00,1${nl}2,0.05,65535,2024-03-01,23:59:59.5,0" "$("$BIN" -d "$T/typed.parquet")"
keep "explicit types" "$T/typed.csv" "$T/typed.parquet" --type price='decimal(6,2)' --type 3=uint16 --type at='time(ms)' --type flag=int8
run "$BIN" --type price='decimal(6,1)' "$T/typed.csv" -o "$T/typed.parquet"
check "decimal never rounds" "csv2pq: $T/typed.csv:3:2: column \"price\" is decimal(6,1), but this value is \"0.05\"; use --type price=double, or --on-error null|skip" "$err"
run "$BIN" --type qty=int16 "$T/typed.csv" -o "$T/typed.parquet"
check "int16 range" "csv2pq: $T/typed.csv:3:3: column \"qty\" is int16, but this value is \"65535\"; use --type qty=int64, or --on-error null|skip" "$err"

run "$BIN" --type nope=int32 "$T/typed.csv"
check "--type unknown column: status" 2 "$status"
check "--type unknown column: message" "csv2pq: --type: no column \"nope\"" "$err"
run "$BIN" --type id=int31 "$T/typed.csv"
check "--type unknown type: status" 2 "$status"
check "--type bad value" "csv2pq: --type id=int31: unknown type \"int31\" (boolean, int8 ... int64, uint8 ... uint64, float, double, decimal(P,S), date, time, timestamp, timestamp_utc, string, binary)" "$err"
run "$BIN" --type id "$T/typed.csv"
check "--type without =" "csv2pq: --type takes COLUMN=TYPE, not 'id'" "$err"

printf 'id,name,score,code\n1,alice,10,AB12\n2,,200,AB13\n3,bob,-5,zz\n4,"a very long name",50,AB14\n5,eve,100,XY9\n' > "$T/rules.csv"
cat > "$T/rules.schema" <<'EOF'
# a schema with rules
id int32 not null min=1
name string not null maxlen=10
score "int16" min=0 max=100
code string pattern="[A-Z]{2}[0-9]+" minlen=3
EOF
run "$BIN" --schema "$T/rules.schema" "$T/rules.csv" -o "$T/rules.parquet"
check "rule broken: status" 1 "$status"
check "rule broken: message" "csv2pq: $T/rules.csv:3:2: column \"name\": NULL breaks the rule not null; --on-error skip leaves such rows out (and --rejects FILE lists them)" "$err"
run "$BIN" -q --schema "$T/rules.schema" --on-error skip --rejects "$T/rrej.csv" "$T/rules.csv" -o "$T/rules.parquet"
check "rules: kept rows" "id,name,score,code${nl}1,alice,10,AB12${nl}5,eve,100,XY9" "$("$BIN" -d "$T/rules.parquet")"
check "rules: rejects name the rule" "line,column,reason,row
3,name,not null,\"2,,200,AB13\"
4,score,min=0,\"3,bob,-5,zz\"
5,name,maxlen=10,\"4,a very long name,50,AB14\"" "$(cat "$T/rrej.csv")"
keep "schema rules" "$T/rules.csv" "$T/rules.parquet" --schema "$T/rules.schema" --on-error skip
printf 'id,code\n1,AB1\n2,ab1\n' > "$T/pat.csv"
run "$BIN" -q --type id=int32 --schema "$T/rules.schema" --columns id,code --on-error null "$T/pat.csv" -o "$T/pat.parquet"
check "--schema with --columns: unselected schema column" 2 "$status"
printf 'id int32\ncode string pattern="[A-Z]{2}[0-9]+"\n' > "$T/pat.schema"
run "$BIN" -q --schema "$T/pat.schema" --on-error null "$T/pat.csv" -o "$T/pat.parquet"
check "pattern must match the whole value; null mode" "id,code${nl}1,AB1${nl}2," "$("$BIN" -d "$T/pat.parquet")"
run "$BIN" --schema "$T/rules.schema" --print-schema "$T/rules.csv"
check "--print-schema prints the rules back" "id int32 not null min=1
name string not null maxlen=10
score int16 min=0 max=100
code string minlen=3 pattern=[A-Z]{2}[0-9]+" "$out"

printf 'a b,c\n1,2\n' > "$T/sp.csv"
run "$BIN" --print-schema "$T/sp.csv"
check "--print-schema quotes names" "\"a b\" int64${nl}c int64" "$out"
"$BIN" --print-schema "$T/sp.csv" > "$T/sp.schema"
"$BIN" --schema "$T/sp.schema" "$T/sp.csv" -o "$T/sp1.parquet"
"$BIN" "$T/sp.csv" -o "$T/sp2.parquet"
check_file "--print-schema output read back gives the same file" "$T/sp1.parquet" "$T/sp2.parquet"

printf 'id int32\nnope string\n' > "$T/bad.schema"
run "$BIN" --schema "$T/bad.schema" "$T/typed.csv"
check "schema file: unknown column" "csv2pq: $T/bad.schema:2: no column \"nope\"" "$err"
check "schema file: usage status" 2 "$status"
printf 'id int32 min=x\n' > "$T/bad.schema"
run "$BIN" --schema "$T/bad.schema" "$T/typed.csv"
check "schema file: bad bound" "csv2pq: column \"id\": min=x is not a int32 value" "$err"
printf 'id int32 unique\n' > "$T/bad.schema"
run "$BIN" --schema "$T/bad.schema" "$T/typed.csv"
check "schema file: unknown rule" "csv2pq: $T/bad.schema:1: unknown rule \"unique\" (not null, min=, max=, minlen=, maxlen=, pattern=)" "$err"
printf 'id int32 pattern="(("\n' > "$T/bad.schema"
run "$BIN" --schema "$T/bad.schema" "$T/typed.csv"
check "schema file: bad pattern status" 2 "$status"
run "$BIN" --schema "$T/nonexistent.schema" "$T/typed.csv"
check "schema file missing" "csv2pq: $T/nonexistent.schema: No such file or directory" "$err"

# ---- number and date formats ----
printf 'a;b;d;t\n1,5;x;03/04/2024;03/04/2024 01:02 PM\n2,25;y;12/31/1999;12/31/1999 11:59 AM\n' > "$T/fmt.csv"
run "$BIN" --decimal-comma --date-format '%m/%d/%Y' --timestamp-format '%m/%d/%Y %I:%M %p' --print-schema "$T/fmt.csv"
check "formats: inferred types" "a double${nl}b string${nl}d date${nl}t timestamp" "$out"
run "$BIN" --decimal-comma --date-format '%m/%d/%Y' --timestamp-format '%m/%d/%Y %I:%M %p' "$T/fmt.csv" -o "$T/fmt.parquet"
check "formats: values" "a,b,d,t${nl}1.5,x,2024-03-04,2024-03-04 13:02:00${nl}2.25,y,1999-12-31,1999-12-31 11:59:00" "$("$BIN" -d "$T/fmt.parquet")"
keep "formats" "$T/fmt.csv" "$T/fmt.parquet" --decimal-comma --date-format '%m/%d/%Y' --timestamp-format '%m/%d/%Y %I:%M %p'
printf '1,5;2,5\n3,25;4\n' > "$T/dc.csv"
run "$BIN" --decimal-comma "$T/dc.csv" -o "$T/dc.parquet"
check "--decimal-comma: ';' detected, no header" "column_1,column_2${nl}1.5,2.5${nl}3.25,4.0" "$("$BIN" -d "$T/dc.parquet")"
run "$BIN" --decimal-comma --delimiter , "$T/dc.csv"
check "--decimal-comma with ',': status" 2 "$status"
check "--decimal-comma with ','" "csv2pq: --decimal-comma needs a delimiter other than ','" "$err"
run "$BIN" --date-format '%H:%M' "$T/dc.csv"
check "--date-format without a date: status" 2 "$status"
check "--date-format without a date" "csv2pq: --date-format '%H:%M': has no year (%Y or %y)" "$err"
printf 'at,n\n01.02.2024 10:30,1\n29.02.2024 23:59,2\n' > "$T/ms.csv"
run "$BIN" --type 'at=timestamp(ms)' --timestamp-format '%d.%m.%Y %H:%M' "$T/ms.csv" -o "$T/ms.parquet"
check "--type with a unit and a format" "at,n${nl}2024-02-01 10:30:00,1${nl}2024-02-29 23:59:00,2" "$("$BIN" -d "$T/ms.parquet")"
check "--type with a unit: Parquet type" "optional int64 at (TIMESTAMP(MILLIS,false));" "$("$BIN" -d --schema "$T/ms.parquet" | grep ' at' | sed 's/^ *//')"

# ---- --columns, --rename ----
run "$BIN" --columns day,1,price --rename price=cost --rename 1=key "$T/typed.csv" -o "$T/sel.parquet"
check "--columns and --rename" "day,key,cost${nl}2024-02-29,1,12.5${nl}2024-03-01,2,0.05" "$("$BIN" -d "$T/sel.parquet")"
keep "columns and rename" "$T/typed.csv" "$T/sel.parquet" --columns day,1,price --rename price=cost --rename 1=key
run "$BIN" --columns day,nope "$T/typed.csv"
check "--columns unknown" "csv2pq: --columns: no column \"nope\"" "$err"
run "$BIN" --columns day,day "$T/typed.csv"
check "--columns twice" "csv2pq: --columns: \"day\" is named twice" "$err"
run "$BIN" --rename id=qty "$T/typed.csv"
check "--rename clash" "csv2pq: two output columns are named \"qty\" (use --rename)" "$err"
run "$BIN" --columns id --type qty=int32 "$T/typed.csv"
check "--type on an unselected column" "csv2pq: --type: column not selected by --columns: \"qty\"" "$err"

# ---- -o to something that is not a regular file ----
printf 'a\n1\n' > "$T/one.csv"
run "$BIN" "$T/one.csv" -o /dev/null
check "-o /dev/null: status" 0 "$status"
[ -c /dev/null ] && pass || fail "-o /dev/null replaced the device"
mkfifo "$T/fifo"
cat "$T/fifo" > "$T/fifo.out" &
run "$BIN" "$T/one.csv" -o "$T/fifo"
wait
check "-o FIFO: written through" "a${nl}1" "$("$BIN" -d "$T/fifo.out")"
[ -p "$T/fifo" ] && pass || fail "-o FIFO replaced the FIFO"
run "$BIN" "$T/one.csv" -o "$T"
check "-o directory" "csv2pq: $T: is a directory" "$err"

# ---- an empty input with --schema: a table of no rows ----
printf 'id int32 not null\n"the name" string\nwhen date\n' > "$T/empty.schema"
: > "$T/empty.csv"
run "$BIN" "$T/empty.csv" -o "$T/empty.parquet"
check "empty input: status" 1 "$status"
check "empty input: message" "csv2pq: $T/empty.csv: no header and no rows: the input is empty; --schema FILE gives the columns of a table of no rows" "$err"
[ -e "$T/empty.parquet" ] && fail "empty input left an output file" || pass
run "$BIN" --schema "$T/empty.schema" "$T/empty.csv" -o "$T/empty.parquet"
check "empty input, --schema: status" 0 "$status"
check "empty input, --schema: no rows" "0" "$("$BIN" -d --count "$T/empty.parquet")"
check "empty input, --schema: the columns" "id,the name,when" "$("$BIN" -d "$T/empty.parquet")"
keep "empty input with a schema" "$T/empty.csv" "$T/empty.parquet" --schema "$T/empty.schema"
check "empty input, --schema: the types" "optional int32 id (INTEGER(32,true));${nl}optional binary the name (STRING);${nl}optional int32 when (DATE);" "$("$BIN" -d --schema "$T/empty.parquet" | sed -n 's/^ *//; /optional/p')"
printf '\n\r\n' | "$BIN" --schema "$T/empty.schema" > "$T/empty.pipe.parquet"
cmp -s "$T/empty.parquet" "$T/empty.pipe.parquet" && pass || fail "empty input, --schema: a pipe of blank lines differs"
run "$BIN" --schema "$T/nope.schema" "$T/empty.csv" -o "$T/empty.parquet"
check "empty input, missing schema" "csv2pq: $T/nope.schema: No such file or directory" "$err"

finish
