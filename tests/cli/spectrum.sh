# The csv-spectrum suite: every file converts, and reads back as the values
# its JSON gives (tests/csv-spectrum/expect holds the JSON as canonical CSV;
# location_coordinates.json names a phone number that its CSV does not
# have, so its expected file takes the CSV's).
. "$(dirname "$0")/lib.inc"

for f in "$TESTS"/csv-spectrum/csvs/*.csv; do
    n=$(basename "$f" .csv)
    if "$BIN" "$f" -o "$T/$n.parquet" 2> "$T/err" && "$BIN" -d "$T/$n.parquet" > "$T/$n.csv" 2>> "$T/err"; then
        check_file "csv-spectrum $n" "$TESTS/csv-spectrum/expect/$n.csv" "$T/$n.csv"
        keep "$n" "$f" "$T/$n.parquet"
    else
        fail "csv-spectrum $n: $(cat "$T/err")"
    fi
    # The same through pipes.
    if "$BIN" < "$f" | "$BIN" -d > "$T/$n.pipe.csv" 2> "$T/err"; then
        check_file "csv-spectrum $n via pipes" "$TESTS/csv-spectrum/expect/$n.csv" "$T/$n.pipe.csv"
    else
        fail "csv-spectrum $n via pipes: $(cat "$T/err")"
    fi
done

finish
