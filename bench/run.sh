#!/bin/sh
# The benchmark: csv2pq against DuckDB and Polars, CSV -> Parquet and back,
# on generated data, with every timed output checked. See bench/README.md.
#
# usage: sh bench/run.sh          (make bench)
# Knobs (environment): BENCH_SCALE, BENCH_ROUNDS, BENCH_SEED, BENCH_DATASETS,
# BENCH_PEERS, BENCH_DUCKDB_THREADS, BENCH_CHECK_ROWS, BENCH_KEEP, CSV2PQ.
# Exits 1 when an output it timed is wrong or a timed command failed, 2 when
# it cannot run; a target that is not met is reported, not an error.
set -u

cd "$(dirname "$0")/.." || exit 2
bin=${CSV2PQ:-./csv2pq}
scale=${BENCH_SCALE:-1}
rounds=${BENCH_ROUNDS:-5}
seed=${BENCH_SEED:-1}
datasets=${BENCH_DATASETS:-taxi strings numeric}
peers=${BENCH_PEERS-duckdb polars}
check_rows=${BENCH_CHECK_ROWS:-250000}
out=bench/out
data=$out/data
work=$out/work

die() {
	echo "bench: $*" >&2
	exit 2
}

case $rounds in '' | *[!0-9]* | 0) die "BENCH_ROUNDS must be a positive count, not '$rounds'" ;; esac
case $seed in '' | *[!0-9]*) die "BENCH_SEED must be a number, not '$seed'" ;; esac
case $check_rows in '' | *[!0-9]*) die "BENCH_CHECK_ROWS must be a count, not '$check_rows'" ;; esac
awk -v s="$scale" 'BEGIN { exit !(s ~ /^[0-9]*\.?[0-9]+$/ && s > 0) }' ||
	die "BENCH_SCALE must be a positive number, not '$scale'"
for d in $datasets; do
	case $d in taxi | strings | numeric) ;; *) die "unknown dataset '$d' (taxi, strings, numeric)" ;; esac
done
for p in $peers; do
	case $p in duckdb | polars) ;; *) die "unknown peer '$p' (duckdb, polars)" ;; esac
done
[ -x "$bin" ] || die "$bin is not an executable; run make first"
command -v python3 >/dev/null 2>&1 || die "python3 is needed to generate the data"
if ! /usr/bin/time --version 2>&1 | grep -q GNU; then
	die "GNU time is needed as /usr/bin/time (Debian: apt-get install time)"
fi

mkdir -p "$data" "$work" || die "cannot create $out"
results=$out/results.tsv
checks=$out/checks.log
summary=$work/checks.summary
failures=$work/failures
: >"$results"
: >"$checks"
: >"$summary"
: >"$failures"
trap 'exit 130' INT TERM

fail() {
	echo "bench: FAIL $*"
	echo "$*" >>"$failures"
}

# Peers: node and the npm modules of the interop tier.
modules="@duckdb/node-api nodejs-polars nodejs-polars-linux-x64-gnu apache-arrow hyparquet hyparquet-compressors parquet-wasm"
have_node=no
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
	have_node=yes
	for m in $modules; do
		[ -f "tests/interop/node_modules/$m/package.json" ] && continue
		echo "bench: installing the npm modules in tests/interop"
		(cd tests/interop && npm install --no-audit --no-fund) || have_node=no
		break
	done
fi
if [ $have_node = no ]; then
	echo "bench: node/npm or the npm modules are not available: DuckDB and Polars are SKIPPED," \
		"and outputs are checked by csv2pq alone"
	peers=
fi
[ -n "$peers" ] || echo "bench: no peers; csv2pq runs alone"

# Wall time from the clock (GNU time's %e has 10 ms steps); CPU and peak RSS
# of the process from GNU time.
now() {
	date +%s%N
}
case $(now) in *[!0-9]*) die "date +%s%N does not give nanoseconds (GNU date is needed)" ;; esac

# timed PHASE DATASET SOURCE TOOL ROUND ROWS INPUT OUTPUT STDIN STDOUT COMMAND...
# Runs COMMAND once with the given standard input and output and appends one
# line to $results; the size of OUTPUT is the output size.
timed() {
	t_phase=$1 t_dataset=$2 t_source=$3 t_tool=$4 t_round=$5 t_rows=$6 t_input=$7 t_output=$8
	t_stdin=$9
	shift 9
	t_stdout=$1
	shift
	case $t_output in "$work"/*) rm -f "$t_output" ;; *) die "timed: $t_output is outside $work" ;; esac
	t_start=$(now)
	/usr/bin/time -f '%U %S %M' -o "$work/time" "$@" <"$t_stdin" >"$t_stdout" 2>"$work/stderr"
	t_status=$?
	t_end=$(now)
	t_times=$(tail -n 1 "$work/time")
	t_in=$(wc -c <"$t_input")
	t_out=0
	[ -f "$t_output" ] && t_out=$(wc -c <"$t_output")
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t_phase" "$t_dataset" "$t_source" \
		"$t_tool" "$t_round" "$t_rows" "$t_in" \
		"$(awk -v a="$t_start" -v b="$t_end" 'BEGIN { printf "%.4f", (b - a) / 1e9 }')" \
		"$(echo "$t_times" | tr ' ' '\t')" "$t_out" "$t_status" >>"$results"
	if [ "$t_status" -ne 0 ]; then
		[ -f "$t_output" ] && mv "$t_output" "$t_output.failed"
		echo
		fail "$t_tool ($t_phase $t_dataset $t_source, round $t_round) exited with status $t_status: $(head -c 300 "$work/stderr")"
	fi
	printf ' %s' "$t_tool"
	return "$t_status"
}

# rotate N WORDS...: the words, turned left N times.
rotate() {
	r_n=$1
	shift
	while [ "$r_n" -gt 0 ]; do
		r_first=$1
		shift
		set -- "$@" "$r_first"
		r_n=$((r_n - 1))
	done
	echo "$@"
}

# dataset_file KIND ROWS: the path of the generated CSV, made if missing.
gen_sum=$(cksum <bench/gen.py | cut -d' ' -f1)
dataset_file() {
	f=$data/$1-$2-s$seed-g$gen_sum.csv
	if [ ! -f "$f" ]; then
		echo "bench: generating $f" >&2
		if ! python3 bench/gen.py "$1" "$2" "$seed" >"$f.tmp" || ! mv "$f.tmp" "$f"; then
			rm -f "$f.tmp"
			die "could not generate $f"
		fi
	fi
	echo "$f"
}

# checked NAME COMMAND...: runs a check, logs its output, shows its verdicts.
checked() {
	c_name=$1
	shift
	echo "== $c_name: $*" >>"$checks"
	"$@" >"$work/check.out" 2>&1
	c_status=$?
	cat "$work/check.out" >>"$checks"
	grep -E ': (ok|FAIL)|^interop check:' "$work/check.out" | grep -vE '^[^ ]+ (duckdb|polars|arrow-rs|hyparquet): ok' |
		cut -c1-220 | tee -a "$summary" | sed 's/^/  /'
	if [ "$c_status" -ne 0 ]; then
		fail "$c_name: $(grep -m1 FAIL "$work/check.out" | cut -c1-300) (bench/out/checks.log)"
	fi
}

# Correctness of csv2pq's Parquet file made from CSV (ROWS rows).
check_encode() {
	if [ $have_node = yes ]; then
		checked "verify $2" node bench/verify.mjs encode "$1" "$2" "$3"
		if [ "$3" -le "$check_rows" ]; then
			checked "interop $2" env NODE_OPTIONS=--max-old-space-size=12288 \
				node tests/interop/check.mjs "$1" "$2"
		fi
	else
		check_alone "$2" "$3"
	fi
}

# Without node: the row count, and csv2pq -d's CSV survives a round trip.
check_alone() {
	n=$("$bin" -d --count "$1")
	if [ "$n" = "$2" ]; then
		echo "$1: ok $n rows (csv2pq -d --count)" | tee -a "$summary" | sed 's/^/  /'
	else
		fail "$1 holds $n rows, expected $2"
	fi
	if "$bin" -d "$1" >"$work/a.csv" && "$bin" <"$work/a.csv" >"$work/a.parquet" &&
		"$bin" -d "$work/a.parquet" >"$work/b.csv" && cmp -s "$work/a.csv" "$work/b.csv"; then
		echo "$1: ok csv2pq -d | csv2pq | csv2pq -d gives the same CSV" | tee -a "$summary" | sed 's/^/  /'
	else
		fail "$1: csv2pq -d | csv2pq | csv2pq -d changes the CSV"
	fi
	rm -f "$work/a.csv" "$work/b.csv" "$work/a.parquet"
}

# same_as_first FILE ROUND: every round's output must be the one checked.
same_as_first() {
	if [ "$2" -eq 1 ]; then
		cp "$1" "$1.first"
	elif ! cmp -s "$1" "$1.first"; then
		fail "$1 differs between round 1 and round $2"
	fi
}

count_rows() {
	awk -v n="$1" -v s="$2" 'BEGIN { r = int(n * s + 0.5); print (r < 1 ? 1 : r) }'
}

start_load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')
started=$(date -u '+%Y-%m-%d %H:%M UTC')
echo "bench: scale $scale, $rounds rounds, seed $seed, datasets: $datasets, peers: ${peers:-none}"

# Fixed cost of starting each tool: a one-line CSV, and node loading a module.
printf 'a\n1\n' >"$work/tiny.csv"
r=1
while [ $r -le "$rounds" ]; do
	printf 'bench: startup round %d:' $r
	timed startup - tiny csv2pq $r 1 "$work/tiny.csv" "$work/tiny.parquet" "$work/tiny.csv" "$work/tiny.parquet" "$bin"
	for p in $peers; do
		timed startup - tiny "$p" $r 1 "$work/tiny.csv" "$work/none" /dev/null /dev/null node bench/peer.mjs "$p" load
	done
	echo
	r=$((r + 1))
done

for d in $datasets; do
	case $d in
	taxi) base=2000000 ;;
	*) base=1000000 ;;
	esac
	rows=$(count_rows $base "$scale")
	rows10=$(count_rows "$rows" 0.1)
	csv=$(dataset_file "$d" "$rows")
	csv10=$(dataset_file "$d" "$rows10")
	cat "$csv" "$csv10" >/dev/null
	pq=$work/$d.csv2pq.parquet
	pq10=$work/$d.csv2pq-10.parquet
	echo "bench: $d: $rows rows, $(wc -c <"$csv") bytes ($csv)"

	jobs="csv2pq csv2pq-10 $peers"
	r=1
	while [ $r -le "$rounds" ]; do
		printf 'bench: %s encode round %d:' "$d" $r
		for job in $(rotate $(((r - 1) % $(echo $jobs | wc -w))) $jobs); do
			case $job in
			csv2pq)
				timed encode "$d" full csv2pq $r "$rows" "$csv" "$pq" "$csv" "$pq" "$bin" &&
					same_as_first "$pq" $r ;;
			csv2pq-10)
				timed encode "$d" 10% csv2pq $r "$rows10" "$csv10" "$pq10" "$csv10" "$pq10" "$bin" &&
					same_as_first "$pq10" $r ;;
			*)
				timed encode "$d" full "$job" $r "$rows" "$csv" "$work/$d.$job.parquet" /dev/null /dev/null \
					node bench/peer.mjs "$job" encode "$csv" "$work/$d.$job.parquet" ;;
			esac
		done
		echo
		r=$((r + 1))
	done

	# Decoding: csv2pq -d and DuckDB, each on csv2pq's file and on DuckDB's.
	sources=csv2pq
	case " $peers " in *" duckdb "*) [ -s "$work/$d.duckdb.parquet" ] && sources="csv2pq duckdb" ;; esac
	jobs=
	for s in $sources; do
		jobs="$jobs csv2pq:$s"
		case " $peers " in *" duckdb "*) jobs="$jobs duckdb:$s" ;; esac
	done
	[ -s "$pq" ] || jobs=
	r=1
	while [ -n "$jobs" ] && [ $r -le "$rounds" ]; do
		printf 'bench: %s decode round %d:' "$d" $r
		for job in $(rotate $(((r - 1) % $(echo $jobs | wc -w))) $jobs); do
			tool=${job%%:*} s=${job#*:}
			in=$work/$d.$s.parquet
			o=$work/$d.$s.$tool.csv
			if [ "$tool" = csv2pq ]; then
				timed decode "$d" "$s" csv2pq $r "$rows" "$in" "$o" /dev/null "$o" "$bin" -d "$in" &&
					same_as_first "$o" $r
			else
				timed decode "$d" "$s" duckdb $r "$rows" "$in" "$o" /dev/null /dev/null \
					node bench/peer.mjs duckdb decode "$in" "$o"
			fi
		done
		echo
		r=$((r + 1))
	done

	echo "bench: $d: checking the outputs"
	[ -s "$pq" ] && check_encode "$csv" "$pq" "$rows"
	[ -s "$pq10" ] && check_encode "$csv10" "$pq10" "$rows10"
	for s in $sources; do
		o=$work/$d.$s.csv2pq.csv
		[ -s "$o" ] || continue
		if [ $have_node = yes ]; then
			checked "verify $o" node bench/verify.mjs decode "$work/$d.$s.parquet" "$o" "$rows"
		fi
	done
	for p in $peers; do
		f=$work/$d.$p.parquet
		[ -s "$f" ] && checked "count $f" node bench/verify.mjs count "$f" "$rows"
	done
	for s in $sources; do
		f=$work/$d.$s.duckdb.csv
		[ -s "$f" ] && checked "count $f" node bench/verify.mjs count "$f" "$rows"
	done
	rm -f "$work"/*.first "$work"/*.failed
	[ "${BENCH_KEEP:-}" = 1 ] || rm -f "$work/$d".*.csv
done

end_load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')
{
	echo "started	$started"
	echo "scale	$scale"
	echo "rounds	$rounds"
	echo "seed	$seed"
	echo "peers	${peers:-none}"
	echo "have_node	$have_node"
	echo "check_rows	$check_rows"
	echo "csv2pq	$("$bin" -V 2>&1 | head -n 1)"
	echo "node	$(node --version 2>/dev/null || echo none)"
	for m in @duckdb/node-api nodejs-polars; do
		v=$(sed -n 's/^ *"version": *"\(.*\)",*$/\1/p' "tests/interop/node_modules/$m/package.json" 2>/dev/null | head -n 1)
		echo "$m	${v:-none}"
	done
	echo "cpu	$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)"
	echo "cores	$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo '?')"
	echo "memory	$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo 2>/dev/null)"
	echo "load	$start_load at the start, $end_load at the end (1, 5, 15 min)"
} >"$out/meta.tsv"

python3 bench/report.py "$results" "$out/meta.tsv" "$summary" "$failures" "$out/RESULTS.md" || fail "the report could not be made"
echo
cat "$out/RESULTS.md"
if [ -s "$failures" ]; then
	echo
	echo "bench: FAILED ($(wc -l <"$failures") problems):"
	sed 's/^/  /' "$failures"
	exit 1
fi
echo "bench: all timed outputs checked correct"
