# The CSV corpus (tests/corpus): every file of tests/corpus/files, and the
# multi-MiB cases that tests/corpus/lib.sh makes here, converted with
# default options under a time limit.  For each file:
#   - the outcome is the one tests/corpus/MANIFEST gives (rows read back by
#     csv2pq -d, or the exit status and the place the message names);
#   - no crash, no hang, no exit status but 0, 1, 2 or 3; a converted file
#     decodes with csv2pq -d, and its column names are UTF-8;
#   - a failure prints one line on stderr, starting with "csv2pq: ", and
#     leaves no temporary output file;
#   - the same bytes through a pipe give the same exit status and the same
#     Parquet file, except for type drift (a regular file is converted again
#     with wider types; a pipe stops at the value).
# A file listed in tests/corpus/KNOWN_BUGS that fails a check is reported
# as KNOWN, not failed (with a 2 s limit instead of 10 s); one listed there
# that passes every check fails, so that the list is kept honest.  The
# files named in tests/corpus/INTEROP are kept for the interop tier.
. "$(dirname "$0")/lib.inc"
CORPUS=$TESTS/corpus
. "$CORPUS/lib.sh"
MANIFEST=$CORPUS/MANIFEST
mkdir "$T/big" "$T/run"
corpus_make_big "$T/big"
known=0

field2() {    # field2 FILE NAME: what follows NAME and a tab on its line of FILE
    awk -F '\t' -v n="$2" '$1 == n { sub(/^[^\t]*\t/, ""); print; exit }' "$1"
}

check_corpus_file() {
    dir=$1 f=$2
    why=$(field2 "$CORPUS/KNOWN_BUGS" "$f")
    secs=10
    [ -z "$why" ] || secs=2
    problems=
    cd "$dir"
    corpus_outcome "$BIN" "$f" "$T/run" "$secs" > "$T/run/outcome"    # sets $status
    cd "$TESTS"
    got=$(cat "$T/run/outcome")
    expected=$(field2 "$MANIFEST" "$f")
    if [ -z "$expected" ]; then
        problems="$problems; not in MANIFEST (sh tests/corpus/make-manifest.sh)"
    elif [ "$got" != "$expected" ]; then
        problems="$problems; expected \"$expected\", got \"$got\""
    fi
    case $got in
    hang|signal=*|status=*|undecodable=*) problems="$problems; $got" ;;
    esac
    case $status in
    1|2|3)
        if [ "$(wc -l < "$T/run/err")" -ne 1 ] || ! head -n 1 "$T/run/err" | grep -q '^csv2pq: ' ||
           grep -q '^csv2pq: internal error' "$T/run/err"; then
            problems="$problems; stderr is not one \"csv2pq: \" line: $(head -c 300 "$T/run/err")"
        fi ;;
    esac
    if [ "$status" -eq 0 ] && "$BIN" -d --head 0 "$T/run/out.parquet" 2> /dev/null |
            LC_ALL=C.UTF-8 grep -qavx '.*'; then
        problems="$problems; column names that are not UTF-8 (DuckDB and Polars refuse the file)"
    fi
    if ls -a "$T/run" | grep -q '\.csv2pq-'; then
        problems="$problems; a temporary output file was left behind"
        rm -f "$T/run"/.*.csv2pq-*
    fi
    if [ "$got" != hang ]; then
        (cd "$dir" && cat "$f") | timeout "$secs" "$BIN" > "$T/run/pipe.parquet" 2> "$T/run/perr"
        pstatus=$?
        if [ "$pstatus" -eq 1 ] && [ "$status" -eq 0 ] && grep -q ', but this value is ' "$T/run/perr"; then
            :   # type drift: the file was converted again, the pipe cannot be
        elif [ "$pstatus" -ne "$status" ]; then
            problems="$problems; through a pipe: exit status $pstatus, not $status ($(head -c 200 "$T/run/perr"))"
        elif [ "$status" -eq 0 ] && ! cmp -s "$T/run/out.parquet" "$T/run/pipe.parquet"; then
            problems="$problems; through a pipe: a different Parquet file"
        fi
    fi
    if [ -n "$problems" ]; then
        if [ -n "$why" ]; then
            known=$((known + 1))
            echo "KNOWN: $f: $why (${problems#; })"
        else
            fail "corpus $f: ${problems#; }"
        fi
    elif [ -n "$why" ]; then
        fail "corpus $f is in tests/corpus/KNOWN_BUGS but passes every check: remove it there"
    else
        pass
        if [ "$status" -eq 0 ] && grep -qxF "$f" "$CORPUS/INTEROP"; then
            keep "$f" "$dir/$f" "$T/run/out.parquet"
        fi
    fi
}

for f in $(cd "$CORPUS/files" && ls); do
    check_corpus_file "$CORPUS/files" "$f"
done
for f in $(cd "$T/big" && ls); do
    check_corpus_file "$T/big" "$f"
done
rm -rf "$T/big"

# Every MANIFEST line names a file that exists.
for f in $(grep -v '^#' "$MANIFEST" | cut -f1); do
    case $f in
    big-*) continue ;;
    esac
    [ -e "$CORPUS/files/$f" ] || fail "MANIFEST names $f, which tests/corpus/files does not hold"
done

[ "$known" -eq 0 ] || echo "corpus: $known files hit the known bugs listed in tests/corpus/KNOWN_BUGS"
finish
