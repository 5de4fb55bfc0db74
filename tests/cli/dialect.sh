# Command-line tests of CSV dialects: the delimiter, quote, header, '#'
# comments and a preamble detected, --comment, --skip, and options given
# winning over detection.
. "$(dirname "$0")/lib.inc"

nl='
'

# rt NAME CSV_TEXT EXPECTED [OPTIONS...]: CSV -> Parquet -> CSV with OPTIONS,
# and the same through a pipe must give the same Parquet bytes.  The pair is
# kept for the interop tier with the dialect spelled out, so that its checker
# reads the CSV as csv2pq did without detecting anything: ',' '"' and a
# header, overridden by $as; with $as_csv, the CSV kept is that text (the
# same table as plain CSV, for inputs with comments or skipped lines).  Both
# are reset.
as= as_csv=
rt() {
    name=$1 text=$2 expected=$3
    shift 3
    printf "$text" > "$T/rt.csv"
    if "$BIN" "$@" "$T/rt.csv" -o "$T/rt.parquet" 2> "$T/err" &&
       "$BIN" -d "$T/rt.parquet" > "$T/rt.out" 2>> "$T/err"; then
        check "$name" "$expected" "$(cat "$T/rt.out")"
        if printf "$text" | "$BIN" "$@" > "$T/rt.pipe.parquet" 2>> "$T/err" &&
           cmp -s "$T/rt.parquet" "$T/rt.pipe.parquet"; then
            pass
        else
            fail "$name: a pipe gives other Parquet bytes than the file $(cat "$T/err")"
        fi
        if [ -n "$as_csv" ]; then printf "$as_csv" > "$T/as.csv"; else cp "$T/rt.csv" "$T/as.csv"; fi
        # shellcheck disable=SC2086  # $as is words on purpose
        keep "$name" "$T/as.csv" "$T/rt.parquet" --delimiter , --quote '"' --header $as
    else
        fail "$name: $(cat "$T/err")"
    fi
    as= as_csv=
}

# ---- the delimiter detected ----
as="--delimiter ;"
rt "semicolons" 'id;name;price\n1;x,y;2,5\n2;z;3\n' "id,name,price${nl}1,\"x,y\",\"2,5\"${nl}2,z,3"
as="--delimiter \\t"
rt "tabs" 'a\tb c\n1\tx, y\n2\t\n' "a,b c${nl}1,\"x, y\"${nl}2,"
as="--delimiter |"
rt "pipes" 'a|b|c\n1|x;y|2024-01-01\n2|z|2024-01-02\n' "a,b,c${nl}1,x;y,2024-01-01${nl}2,z,2024-01-02"
# quoted delimiters do not count; the rows agreeing most often win
as="--delimiter ;"
rt "quoted commas" 'a;b\n"1,2,3";x\n"4,5";y\n' "a,b${nl}\"1,2,3\",x${nl}\"4,5\",y"
rt "commas in text" 'id,desc\n1,"a; b"\n2,c;d\n' "id,desc${nl}1,a; b${nl}2,c;d"
rt "one column" 'name\nx;y\nz|w\n' "name${nl}x;y${nl}z|w"
as="--delimiter ;"
rt "CRLF semicolons" 'a;b\r\n1;2\r\n' "a,b${nl}1,2"

# ---- the quote detected ----
as="--quote '"
rt "single quotes" "a,b\n1,'x,y'\n2,'it''s'\n" "a,b${nl}1,\"x,y\"${nl}2,it's"
rt "apostrophes are no quotes" "a,b\n1,it's\n2,'tis\n" "a,b${nl}1,it's${nl}2,'tis"
rt "both quotes: double" "a,b\n1,'x'\n2,\"y, z\"\n" "a,b${nl}1,'x'${nl}2,\"y, z\""

# ---- the header detected ----
as="--no-header"
rt "headerless numbers" '1,2.5,x\n2,3.5,y\n' "column_1,column_2,column_3${nl}1,2.5,x${nl}2,3.5,y"
as="--no-header --delimiter ;"
rt "headerless semicolons" '1;2024-01-02;true\n2;2024-01-03;false\n' \
    "column_1,column_2,column_3${nl}1,2024-01-02,true${nl}2,2024-01-03,false" --quote '"'
as="--no-header"
rt "headerless with NULLs" ',5\n1,6\n2,\n' "column_1,column_2${nl},5${nl}1,6${nl}2,"
rt "text over numbers" 'id,price\n1,2.5\n2,3\n' "id,price${nl}1,2.5${nl}2,3.0"
rt "a misfit in one typed column" '1,b\n2,3\n' "1,b${nl}2,3"
# every column text: a header is assumed (csv.h); --no-header says otherwise
rt "all text" 'bob,paris\nann,oslo\n' "bob,paris${nl}ann,oslo"
as="--no-header"
rt "all text --no-header" 'bob,paris\nann,oslo\n' "column_1,column_2${nl}bob,paris${nl}ann,oslo" --no-header
rt "one row" '1,2\n' "1,2"

# ---- given options win ----
as="--delimiter ,"
rt "--delimiter , on semicolons" 'a;b\n1;2\n' "a;b${nl}1;2" --delimiter ,
rt "--header on numbers" '1,2\n3,4\n' "1,2${nl}3,4" --header
as="--no-header"
rt "--no-header on a header" 'id,v\n1,2\n' "column_1,column_2${nl}id,v${nl}1,2" --no-header
rt "--quote \" on single quotes" "a,b\n1,'x'\n" "a,b${nl}1,'x'" --quote '"'
as="--delimiter ; --quote '"
rt "--delimiter ; with the quote detected" "a;b\n1;'x;y'\n" "a,b${nl}1,x;y" --delimiter ';'

# ---- --comment and --skip ----
as_csv='id,v\n1,2\n3,4\n'
rt "--comment" '# made by hand\nid,v\n# a note\n1,2\n#\n3,4\n# the end' "id,v${nl}1,2${nl}3,4" --comment '#'
as_csv='a,b\n1,#2\n"3\n#x",4\n'
rt "--comment only at a row start" 'a,b\n1,#2\n"3\n#x",4\n' "a,b${nl}1,#2${nl}\"3${nl}#x\",4" --comment '#'
as="--delimiter ;" as_csv='id;n\n1;2\n'
rt "--comment hides other delimiters" '/ a,b,c,d\n/ x|y|z\nid;n\n1;2\n' "id,n${nl}1,2" --comment /
as_csv='id,v\n1,2\n'
rt "--skip" 'report of the day; by hand\n"unbalanced\nid,v\n1,2\n' "id,v${nl}1,2" --skip 2
as_csv='id,v\n1,2\n'
rt "--skip CRLF" 'x\r\ny\r\nid,v\r\n1,2\r\n' "id,v${nl}1,2" --skip 2
as_csv='id,v\n1,2\n'
rt "--skip after a BOM" '\357\273\277title\nid,v\n1,2\n' "id,v${nl}1,2" --skip 1
as_csv='h1,h2\n1,2\n'
rt "--skip then --comment" 'a,b\nc,d\n#x\n\nh1,h2\n\n1,2\n' "h1,h2${nl}1,2" --skip 2 --comment '#'
as="--no-header" as_csv='1,2\n3,4\n'
rt "--skip and --no-header" 'junk\n1,2\n3,4\n' "column_1,column_2${nl}1,2${nl}3,4" --skip 1 --no-header

# ---- comments and a preamble detected ----
as_csv='id,v\n1,2\n3,4\n'
rt "'#' comments detected" '# made by hand\nid,v\n1,2\n# a, b, c\n3,4\n' "id,v${nl}1,2${nl}3,4"
rt "'#' values of the data's width" 'id,v\n#1,2\n#3,4\n' "id,v${nl}#1,2${nl}#3,4"
as_csv='id,name\n1,x\n2,y\n'
rt "title line detected" 'Sales report 2024\n\nid,name\n1,x\n2,y\n' "id,name${nl}1,x${nl}2,y"
as_csv='id,v\n1,2\n'
rt "key: value lines detected" 'Exported: 2024-01-02\r\nUser: admin\r\nid,v\r\n1,2\r\n' "id,v${nl}1,2"
printf 'a\n1,2\n3,4\n' > "$T/ragged.csv"
run "$BIN" "$T/ragged.csv" -o "$T/ragged.parquet"
check "a short header over numbers stays an error" "csv2pq: $T/ragged.csv:2:2: expected 1 fields, found 2" "${err%%;*}"
printf '# c\nid,v\n1,2\n# c\n\n3,4,5\n' > "$T/hashlines.csv"
run "$BIN" "$T/hashlines.csv" -o "$T/hashlines.parquet"
check "a ragged row after comments: none detected" "csv2pq: $T/hashlines.csv:2:2: expected 1 fields, found 2" "${err%%;*}"

# Messages name physical lines: skipped, comment and blank lines count.
# (Compared up to a hint main.c may add after ';'.)
printf 'junk\n#c\na,b\n#c\n\n1,2\n3\n' > "$T/lines.csv"
run "$BIN" --skip 1 --comment '#' "$T/lines.csv" -o "$T/lines.parquet"
check "line after skip and comments status" 1 "$status"
check "line after skip and comments" "csv2pq: $T/lines.csv:7:2: expected 2 fields, found 1" "${err%%;*}"
printf 'a,b\r\n#c\r\n1,2\r\n#c\r\n\r\n3,4,5\r\n' > "$T/crlf.csv"
run "$BIN" --comment '#' "$T/crlf.csv" -o "$T/crlf.parquet"
check "CRLF line after comments" "csv2pq: $T/crlf.csv:6:3: expected 2 fields, found 3" "${err%%;*}"
printf 'a,b\r#c\r1,2\r#c\r\r3\r' > "$T/cr.csv"
run "$BIN" --comment '#' "$T/cr.csv" -o "$T/cr.parquet"
check "CR line after comments" "csv2pq: $T/cr.csv:6:2: expected 2 fields, found 1" "${err%%;*}"
printf 'a;b\n1;2\n3;4;5\n' > "$T/semi.csv"
run "$BIN" "$T/semi.csv" -o "$T/semi.parquet"
check "detected delimiter in a message" "csv2pq: $T/semi.csv:3:3: expected 2 fields, found 3" "${err%%;*}"
printf 'a,b\n1,"x\n' > "$T/open.csv"
run "$BIN" --comment '#' "$T/open.csv" -o "$T/open.parquet"
check "open quote status" 1 "$status"
check "open quote message" "csv2pq: $T/open.csv:2:2: quoted field is not terminated; --quote '' reads quotes as text" "$err"

printf 'a,b\n1,2\n' > "$T/short.csv"
run "$BIN" --skip 5 "$T/short.csv" -o "$T/short.parquet"
check "everything skipped status" 1 "$status"
check "everything skipped message" "csv2pq: $T/short.csv: no header and no rows: the input is empty; --schema FILE gives the columns of a table of no rows" "$err"
printf '# only\n# comments\n' > "$T/comments.csv"
run "$BIN" --comment '#' "$T/comments.csv" -o "$T/comments.parquet"
check "only comments message" "csv2pq: $T/comments.csv: no header and no rows: the input is empty; --schema FILE gives the columns of a table of no rows" "$err"

# ---- the sample: 64 KiB, the same from a file, a pipe and gzip ----
awk 'BEGIN {
    print "id;name;when;amount"
    for (i = 0; i < 20000; i++)
        printf "%d;\"name %d, of %d\";2024-02-%02d;%d,%02d\n", i, i % 300, i % 7, i % 28 + 1, i % 1000, i % 100
}' > "$T/big.csv"
"$BIN" "$T/big.csv" -o "$T/big.parquet"
"$BIN" --delimiter ';' --quote '"' --header "$T/big.csv" -o "$T/big.given.parquet"
cmp -s "$T/big.parquet" "$T/big.given.parquet" && pass || fail "detected dialect differs from the given one"
keep "big semicolons" "$T/big.csv" "$T/big.parquet" --delimiter ';' --quote '"' --header
dd if="$T/big.csv" bs=777 2> /dev/null | "$BIN" > "$T/big.pipe.parquet"
cmp -s "$T/big.parquet" "$T/big.pipe.parquet" && pass || fail "big file: pipe and file differ"
gzip -c "$T/big.csv" | "$BIN" > "$T/big.gz.parquet"
cmp -s "$T/big.parquet" "$T/big.gz.parquet" && pass || fail "big file: gzip pipe and file differ"
# an input error inside the sample names the line the parse reached, as
# with the dialect given
gzip -c "$T/big.csv" > "$T/big.csv.gz"
head -c $(($(wc -c < "$T/big.csv.gz") / 4)) "$T/big.csv.gz" > "$T/cut.gz"
run "$BIN" --delimiter ';' --quote '"' --header "$T/cut.gz" -o "$T/cut.parquet"
given=$err
run "$BIN" "$T/cut.gz" -o "$T/cut.parquet"
check "truncated gzip: the same message" "$given" "$err"
case "$err" in "csv2pq: $T/cut.gz:1:"*) fail "truncated gzip names line 1: $err" ;;
    "csv2pq: $T/cut.gz:"*": gzip input ends in the middle of a member (truncated?)") pass ;;
    *) fail "truncated gzip: $err" ;; esac
"$BIN" -d "$T/big.parquet" | tr ',' ';' | tr -d '"' > "$T/big.out"
tr -d '"' < "$T/big.csv" | tr ',' ';' | cmp -s - "$T/big.out" && pass || fail "big file round trip"

# ---- detection turned off ----
printf 'Title line\n\na,b\n1,2\n3,4\n' > "$T/pre.csv"
run "$BIN" "$T/pre.csv" -o "$T/pre.parquet"
check "preamble detected" "a,b${nl}1,2${nl}3,4" "$("$BIN" -d "$T/pre.parquet")"
run "$BIN" --skip 0 "$T/pre.csv" -o "$T/pre.parquet"
check "--skip 0: no preamble detection" "csv2pq: $T/pre.csv:3:2: expected 1 fields, found 2; --delimiter '' reads every line as one value, --on-error skip leaves such rows out, --on-error null pads or cuts them" "$err"
printf 'a,b\n# note\n1,2\n' > "$T/hash.csv"
run "$BIN" "$T/hash.csv" -o "$T/hash.parquet"
check "# comment detected" "a,b${nl}1,2" "$("$BIN" -d "$T/hash.parquet")"
run "$BIN" --comment '' "$T/hash.csv" -o "$T/hash.parquet"
check "--comment '': no comment detection" "csv2pq: $T/hash.csv:2:2: expected 2 fields, found 1; --on-error skip leaves such rows out, --on-error null pads or cuts them" "$err"

# ---- no quoting: --quote '' ----
printf 'h,w\n1,5'"'"'10"\n2,"6\n3,x""y\n' > "$T/noq.csv"
run "$BIN" "$T/noq.csv" -o "$T/noq.parquet"
check "stray quote refused" "csv2pq: $T/noq.csv:3:2: quoted field is not terminated; --quote '' reads quotes as text" "$err"
run "$BIN" --quote '' "$T/noq.csv" -o "$T/noq.parquet"
check "--quote '': status" 0 "$status"
check "--quote '': quotes are text" "h,w${nl}1,\"5'10\"\"\"${nl}2,\"\"\"6\"${nl}3,\"x\"\"\"\"y\"" "$("$BIN" -d "$T/noq.parquet")"
"$BIN" --quote '' < "$T/noq.csv" > "$T/noq.pipe.parquet"
cmp -s "$T/noq.parquet" "$T/noq.pipe.parquet" && pass || fail "--quote '': pipe and file differ"
keep "no quoting" "$T/noq.csv" "$T/noq.parquet" --delimiter , --header --quote ''
printf 'a;b\n"x;y";1\n' > "$T/noq2.csv"
run "$BIN" --quote '' "$T/noq2.csv" -o "$T/noq2.parquet"
check "--quote '': a quoted delimiter splits" "csv2pq: $T/noq2.csv:2:3: expected 2 fields, found 3; --on-error skip leaves such rows out, --on-error null pads or cuts them" "$err"
run "$BIN" --quote 'ab' "$T/noq2.csv" -o "$T/noq2.parquet"
check "--quote two bytes" "csv2pq: --quote takes one character (or '' for none), not 'ab'" "$err"

# ---- no delimiter: one column ----
printf 'amount\n1,000\n2\n3,500,000\n' > "$T/nod.csv"
run "$BIN" "$T/nod.csv" -o "$T/nod.parquet"
check "one column holding commas: detected" "amount${nl}\"1,000\"${nl}2${nl}\"3,500,000\"" "$("$BIN" -d "$T/nod.parquet")"
printf 'a,b\n1,2\n' > "$T/nod2.csv"
run "$BIN" --delimiter '' "$T/nod2.csv" -o "$T/nod2.parquet"
check "--delimiter '': one column" "\"a,b\"${nl}\"1,2\"" "$("$BIN" -d "$T/nod2.parquet")"
keep "no delimiter" "$T/nod2.csv" "$T/nod2.parquet" --delimiter '' --header
run "$BIN" -v "$T/nod.csv" -o "$T/nod.parquet"
check "-v names the dialect" "csv2pq: $T/nod.csv: delimiter none (one column), quote '\"', a header" "$(printf '%s\n' "$err" | sed -n 2p)"
printf 'a;b\n1;2\n' > "$T/semi2.csv"
run "$BIN" -v --quote '' --no-header "$T/semi2.csv" -o "$T/semi2.parquet"
check "-v names the dialect given" "csv2pq: $T/semi2.csv: delimiter ';', quote none, no header" "$(printf '%s\n' "$err" | sed -n 2p)"
run "$BIN" -d --delimiter '' "$T/nod2.parquet"
check "--delimiter '' with -d" "csv2pq: --delimiter '' (none) is for reading CSV; with -d give one" "$err"

# ---- blank lines in a one-column file ----
printf 'x\n1\n\n2\n\n\n' > "$T/one.csv"
run "$BIN" "$T/one.csv" -o "$T/one.parquet"
check "one column: a blank line is NULL, trailing ones are dropped" "x${nl}1${nl}${nl}2" "$("$BIN" -d "$T/one.parquet")"
check "one column: NULL, not an empty string" "1" "$("$BIN" -d --meta "$T/one.parquet" | sed -n 's/.*null_count: *//p' | head -n 1)"
printf 'x\n1\n\n2\n\n\n' | "$BIN" > "$T/one.pipe.parquet"
cmp -s "$T/one.parquet" "$T/one.pipe.parquet" && pass || fail "one column: pipe and file differ"
printf 'x\n1\n\n2\n' > "$T/one-kept.csv"
keep "one column with a NULL line" "$T/one-kept.csv" "$T/one.parquet" --delimiter , --header

# ---- an all-empty first row is a header ----
printf ',,\n1,x,y\n2,z,w\n' > "$T/eh.csv"
run "$BIN" "$T/eh.csv" -o "$T/eh.parquet"
check "all-empty first row: a header" "column_1,column_2,column_3${nl}1,x,y${nl}2,z,w" "$("$BIN" -d "$T/eh.parquet")"

finish
