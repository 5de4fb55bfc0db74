#!/bin/sh
# Interop tests: Parquet files written by csv2pq are read by DuckDB, Polars,
# arrow-rs and hyparquet and checked against their CSV sources (check.mjs);
# Parquet files written by DuckDB and Polars are decoded by csv2pq -d and
# checked the same way.
#
# usage: sh tests/interop/run.sh ./csv2pq
#
# Also checks every NAME.parquet in $CSV2PQ_INTEROP_DIR, when set, against
# NAME.csv there, read with the csv2pq options in NAME.opts (see check.mjs).
# Set CSV2PQ_INTEROP_KEEP=1 to keep the work directory.
# Ends with "interop: N passed, M failed"; exits 1 when anything failed.
set -u

if [ $# -ne 1 ]; then
	echo "usage: sh tests/interop/run.sh CSV2PQ-BINARY" >&2
	exit 2
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	echo "interop: SKIPPED (node/npm not found)"
	exit 0
fi

here=$(cd "$(dirname "$0")" && pwd)
data=$(cd "$here/../data" && pwd)
bin=$(cd "$(dirname "$1")" 2>/dev/null && pwd)/$(basename "$1")
if [ ! -f "$bin" ] || [ ! -x "$bin" ]; then
	echo "interop: $1 is not an executable" >&2
	exit 2
fi

for m in @duckdb/node-api apache-arrow hyparquet hyparquet-compressors nodejs-polars \
	nodejs-polars-linux-x64-gnu parquet-wasm; do
	if [ ! -f "$here/node_modules/$m/package.json" ]; then
		echo "interop: installing the readers with npm in $here"
		if ! (cd "$here" && npm install --no-audit --no-fund); then
			echo "interop: npm install failed; the interop tests need the npm registry" >&2
			echo "interop: 0 passed, 1 failed"
			exit 1
		fi
		break
	fi
done

work=$(mktemp -d "${TMPDIR:-/tmp}/csv2pq-interop.XXXXXX")
in=$work/in
cases=$work/cases
mkdir "$in" "$cases"
passed=0
failed=0
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

if command -v timeout >/dev/null 2>&1; then
	limit="timeout 120"
else
	limit=
fi

# Inputs: generated shapes and the hand-written files in tests/data.
tab=$(printf '\t')
gen() {
	node "$here/gen.mjs" "$@"
}
gen taxi 3000 1 >"$in/taxi.csv" &&
	gen strings 3000 2 >"$in/strings.csv" &&
	gen strings 20000 9 >"$in/strings_20k.csv" &&
	gen numeric 3000 3 >"$in/numeric.csv" &&
	gen mixed 3000 4 >"$in/mixed.csv" &&
	gen wide 1000 5 >"$in/wide.csv" &&
	gen dict 5000 6 >"$in/dict.csv" &&
	gen strings 2000 7 ';' >"$in/strings_semicolon.csv" &&
	gen mixed 2000 8 "$tab" >"$in/mixed_tab.csv" &&
	tail -n +2 "$in/taxi.csv" >"$in/taxi_noheader.csv" &&
	sed 's/$/\r/' "$in/taxi.csv" >"$in/taxi_crlf.csv" &&
	tail -n +2 "$data/one_row.csv" >"$in/one_row_noheader.csv" &&
	cp "$data"/*.csv "$in/" &&
	for f in "$data"/real/*.csv; do cp "$f" "$in/real-$(basename "$f")" || exit 1; done || {
	echo "interop: could not write the inputs in $in" >&2
	echo "interop: 0 passed, 1 failed"
	exit 1
}

# convert NAME INPUT TYPES [CSV2PQ-OPTIONS...]
# Converts $in/INPUT to $cases/NAME.parquet and leaves beside it NAME.csv (the
# input), NAME.opts (the options, quoted for sh) and NAME.types (the expected
# DuckDB types, unless TYPES is -).
convert() {
	name=$1 input=$2 types=$3
	shift 3
	ln -s "$in/$input" "$cases/$name.csv"
	if $limit "$bin" "$@" <"$in/$input" >"$cases/$name.parquet" 2>"$work/$name.err"; then
		for word in "$@"; do
			printf "'%s' " "$(printf '%s' "$word" | sed "s/'/'\\\\''/g")"
		done >"$cases/$name.opts"
		[ "$types" = - ] || echo "$types" >"$cases/$name.types"
	else
		status=$?
		echo "$name convert: FAIL csv2pq $* <$input exited with status $status: $(head -c 300 "$work/$name.err")"
		rm -f "$cases/$name.parquet" "$cases/$name.csv"
		failed=$((failed + 1))
	fi
}

n8=BIGINT,BIGINT,BIGINT,BIGINT,BIGINT,BIGINT,BIGINT,BIGINT
d8=DOUBLE,DOUBLE,DOUBLE,DOUBLE,DOUBLE,DOUBLE,DOUBLE,DOUBLE
echo "interop: converting with $bin"
convert sample sample.csv BIGINT,VARCHAR,DOUBLE,DATE,TIMESTAMP,BOOLEAN,VARCHAR
convert sample-snappy sample.csv - -c snappy
convert taxi taxi.csv -
convert taxi-snappy taxi.csv - -c snappy
convert taxi-gzip taxi.csv - -c gzip
convert taxi-none taxi.csv - -c none
convert taxi-zstd19 taxi.csv - -c zstd --level 19
convert taxi-rg700 taxi.csv - --row-group-size 700
convert taxi-noheader taxi_noheader.csv - --no-header
convert taxi-crlf taxi_crlf.csv -
convert strings strings.csv BIGINT,VARCHAR,VARCHAR,VARCHAR,VARCHAR,VARCHAR,VARCHAR,VARCHAR
convert strings-rg500-snappy strings.csv - --row-group-size 500 -c snappy
convert strings-20k strings_20k.csv -
convert strings-20k-m8 strings_20k.csv - -m 8M
convert strings-semicolon strings_semicolon.csv - --delimiter ';'
convert numeric numeric.csv $n8,$d8
convert numeric-gzip-rg1000 numeric.csv - -c gzip --row-group-size 1000
convert mixed mixed.csv "BIGINT,DOUBLE,DATE,TIMESTAMP,TIMESTAMP WITH TIME ZONE,BOOLEAN,VARCHAR,BIGINT,VARCHAR,VARCHAR"
convert mixed-tab mixed_tab.csv - --delimiter "$tab"
convert mixed-none-rg333 mixed.csv - -c none --row-group-size 333
convert wide wide.csv BIGINT,VARCHAR,VARCHAR,VARCHAR,VARCHAR
convert wide-rg100 wide.csv - --row-group-size 100
convert dict dict.csv BIGINT,VARCHAR,BIGINT,VARCHAR,BOOLEAN,BIGINT,VARCHAR
convert dict-gzip-rg1000 dict.csv - -c gzip --row-group-size 1000
convert nulls nulls.csv -
convert na na.csv BIGINT,VARCHAR,DOUBLE,DATE --null NA
convert squote squote.csv - --quote "'"
convert header-only header_only.csv -
convert one-row one_row.csv BIGINT,VARCHAR,DOUBLE,DATE
convert one-row-noheader one_row_noheader.csv - --no-header
convert real-airports real-airports.csv VARCHAR,VARCHAR,VARCHAR,VARCHAR,VARCHAR,DOUBLE,DOUBLE
convert real-iowa-electricity real-iowa-electricity.csv DATE,VARCHAR,BIGINT
convert real-seattle-weather real-seattle-weather.csv VARCHAR,DOUBLE,DOUBLE,DOUBLE,DOUBLE,VARCHAR
convert real-seattle-temps real-seattle-temps.csv VARCHAR,DOUBLE -c snappy
convert real-us-employment real-us-employment.csv - -c gzip

# Parquet files written by DuckDB and Polars, decoded by csv2pq -d; in these
# cases NAME.csv is csv2pq's output.
echo "interop: decoding Parquet written by DuckDB and Polars with $bin -d"
decoded="sample mixed numeric strings nulls"
for engine in duckdb polars; do
	set --
	for f in $decoded; do
		set -- "$@" "$in/$f.csv" "$work/$engine-$f.parquet"
	done
	if ! node "$here/peer.mjs" "$engine" "$@"; then
		echo "decode-$engine convert: FAIL $engine could not write its Parquet files"
		failed=$((failed + 1))
		continue
	fi
	for f in $decoded; do
		name=decode-$engine-$f
		cp "$work/$engine-$f.parquet" "$cases/$name.parquet"
		if $limit "$bin" -d <"$cases/$name.parquet" >"$cases/$name.csv" 2>"$work/$name.err"; then
			echo "'-d'" >"$cases/$name.opts"
		else
			status=$?
			echo "$name convert: FAIL csv2pq -d <$engine-$f.parquet exited with status $status: $(head -c 300 "$work/$name.err")"
			rm -f "$cases/$name.parquet" "$cases/$name.csv"
			failed=$((failed + 1))
		fi
	done
done

set -- --dir cases
if [ -n "${CSV2PQ_INTEROP_DIR:-}" ]; then
	if [ -d "$CSV2PQ_INTEROP_DIR" ]; then
		echo "interop: also checking the files in $CSV2PQ_INTEROP_DIR"
		set -- "$@" --dir "$(cd "$CSV2PQ_INTEROP_DIR" && pwd)"
	else
		echo "interop: CSV2PQ_INTEROP_DIR=$CSV2PQ_INTEROP_DIR is not a directory"
		failed=$((failed + 1))
	fi
fi

echo "interop: reading the Parquet files with DuckDB, Polars, arrow-rs and hyparquet"
(cd "$work" && node "$here/check.mjs" "$@" 2>&1) | tee "$work/check.log"
counts=$(sed -n 's/^interop check: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$work/check.log")
if [ -n "$counts" ]; then
	passed=$((passed + ${counts% *}))
	failed=$((failed + ${counts#* }))
else
	echo "interop: check.mjs stopped before its summary"
	failed=$((failed + 1))
fi

# The checker itself must notice one changed value.
sed 's/^7,Washer,0.02,/7,Washer,0.03,/' "$in/sample.csv" >"$work/changed.csv"
if (cd "$work" && node "$here/check.mjs" changed.csv duckdb-sample.parquet) >"$work/selftest.log" 2>&1; then
	echo "selftest: FAIL check.mjs accepted a CSV with a changed price"
	failed=$((failed + 1))
elif grep -q '^duckdb-sample.parquet csv: FAIL row 7 column "price": csv=0.03 parquet=0.02$' "$work/selftest.log"; then
	echo "selftest: ok check.mjs rejects a CSV with a changed price"
	passed=$((passed + 1))
else
	echo "selftest: FAIL check.mjs did not report the changed price as expected:"
	sed 's/^/  /' "$work/selftest.log"
	failed=$((failed + 1))
fi

if [ "$failed" -ne 0 ] || [ "${CSV2PQ_INTEROP_KEEP:-}" = 1 ]; then
	trap - EXIT
	echo "interop: files kept in $work"
fi
echo "interop: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
