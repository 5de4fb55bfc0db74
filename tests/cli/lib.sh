# Helpers shared by the command-line tests.  Each test script is run as
# `sh tests/cli/NAME.sh PATH/TO/csv2pq` and prints "N passed, M failed".

set -u
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
TESTS=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/csv2pq-test.XXXXXX")
trap 'rm -rf "$T"' EXIT
passed=0
failed=0

pass() { passed=$((passed + 1)); }
fail() {
    failed=$((failed + 1))
    echo "FAIL: $*"
}

# check NAME EXPECTED ACTUAL
check() {
    if [ "$2" = "$3" ]; then pass; else
        fail "$1"
        printf '  expected: %s\n  actual:   %s\n' "$2" "$3" | head -20
    fi
}

# check_file NAME EXPECTED_FILE ACTUAL_FILE
check_file() {
    if cmp -s "$2" "$3"; then pass; else
        fail "$1"
        diff "$2" "$3" | head -20
    fi
}

# run CMD...: sets $out, $err and $status (stdin is whatever the caller gives)
run() {
    "$@" > "$T/out" 2> "$T/err"
    status=$?
    out=$(cat "$T/out")
    err=$(cat "$T/err")
}

# csv_rt NAME CSV_TEXT EXPECTED_CSV [ENCODE_OPTIONS...]: CSV -> Parquet -> CSV
csv_rt() {
    name=$1 text=$2 expected=$3
    shift 3
    printf "$text" > "$T/rt.csv"
    if "$BIN" "$@" "$T/rt.csv" -o "$T/rt.parquet" 2> "$T/err" &&
       "$BIN" -d "$T/rt.parquet" > "$T/rt.out" 2>> "$T/err"; then
        check "$name" "$expected" "$(cat "$T/rt.out")"
    else
        fail "$name: $(cat "$T/err")"
    fi
}

finish() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}
