#!/bin/sh
# Where csv2pq's time goes, stage by stage: perf record of one thread
# (csv2pq -j1, so that stages do not overlap) converting each CSV file,
# its samples summed by the stage their function belongs to.
#
# usage: sh bench/profile.sh [CSV...]
#   (default: the largest taxi, strings and numeric files in bench/out/data,
#   which make bench writes).  CSV2PQ names the binary (default ./csv2pq).
# Needs perf (Debian: linux-perf) and GNU time.  Prints one table per file:
# each stage's share of the samples and that share of the run's CPU time.
set -u
cd "$(dirname "$0")/.." || exit 2
bin=${CSV2PQ:-./csv2pq}
command -v perf >/dev/null 2>&1 || { echo "profile: perf is needed (apt-get install linux-perf)" >&2; exit 2; }
[ -x "$bin" ] || { echo "profile: $bin is not an executable; run make first" >&2; exit 2; }
if [ $# -eq 0 ]; then
	for k in taxi strings numeric; do
		f=$(ls -S bench/out/data/"$k"-*.csv 2>/dev/null | head -n 1)
		[ -n "$f" ] && set -- "$@" "$f"
	done
	[ $# -gt 0 ] || { echo "profile: no data in bench/out/data; run make bench first" >&2; exit 2; }
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/csv2pq-profile.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

for csv in "$@"; do
	/usr/bin/time -f '%U %S' -o "$tmp/time" \
		perf record -q -F 999 -o "$tmp/perf.data" "$bin" -j1 "$csv" -o "$tmp/out.parquet" 2>/dev/null ||
		{ echo "profile: $csv: csv2pq or perf failed" >&2; exit 1; }
	cpu=$(awk '{ print $1 + $2 }' "$tmp/time")
	echo "== $csv: $(wc -c <"$csv" | tr -d ' ') bytes, $cpu s of CPU at -j1 (perf included)"
	perf report -q -g none -i "$tmp/perf.data" --no-children --sort dso,symbol 2>/dev/null |
		awk -v cpu="$cpu" '
		$1 ~ /%$/ {
			pct = $1 + 0; dso = $2; sym = $4
			if (dso ~ /kernel/) st = "kernel: page faults, reads, writes"
			else if (sym ~ /^(csv_parse|csv_fini|on_field|on_row|blank_row|no_space|make_room|layout|place|compact|feed|parse_text|parse_run|parse_slow|fast_rows?|raw_next|next_piece|text_next|csv_next_batch|csv_prefetch|settle|move_rows|rows_that_fit|room|room_for_row|misfit_row)$/) st = "parse: libcsv, the split without it, the row buffers"
			else if (sym ~ /^(ty_|date_|time_|days_|utf8|infer_|check_|sc_check|decimal_words)/) st = "convert: text to typed values"
			else if (sym ~ /^(ZSTD|HIST|HUF|FSE|codec_compress|v8_)/) st = "compress: zstd and the 8-byte match finder"
			else if (sym ~ /^(enc_|encode_|delta_|pack|bitpack|rle_|dict_|hash_|stats_|grow|page_|chunk_|write_)/) st = "encode: levels, dictionaries, deltas, pages"
			else if (sym ~ /^__mem|^memcpy|^memmove|^memset|^memcmp/) st = "libc memory copies"
			else st = "other"
			share[st] += pct
		}
		END { for (s in share) printf "%6.1f%%  %6.2f s  %s\n", share[s], share[s] * cpu / 100, s }' |
		sort -rn
done
