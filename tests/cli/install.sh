# make install and make uninstall honour PREFIX and DESTDIR; the pq2csv
# link decodes; the man page is installed.
. "$(dirname "$0")/lib.inc"

top=$(cd "$TESTS/.." && pwd)
dest=$T/dest
if make -s -C "$top" install DESTDIR="$dest" PREFIX=/opt/c2p > "$T/log" 2>&1; then pass; else
    fail "make install: $(cat "$T/log")"
fi
for f in bin/csv2pq bin/pq2csv share/man/man1/csv2pq.1 share/man/man1/pq2csv.1; do
    [ -e "$dest/opt/c2p/$f" ] && pass || fail "make install did not install $f"
done
check "pq2csv is a link to csv2pq" csv2pq "$(readlink "$dest/opt/c2p/bin/pq2csv")"
printf 'a,b\n1,x\n' | "$dest/opt/c2p/bin/csv2pq" > "$T/i.parquet"
check "installed pq2csv decodes" "a,b
1,x" "$("$dest/opt/c2p/bin/pq2csv" "$T/i.parquet")"
# (the sanitizer build, make asan, links dynamically)
if [ -z "${CSV2PQ_SANITIZE:-}" ] && command -v file > /dev/null 2>&1; then
    case "$(file "$dest/opt/c2p/bin/csv2pq")" in
        *"statically linked"*) pass ;;
        *) fail "the installed binary is not statically linked" ;;
    esac
fi
make -s -C "$top" uninstall DESTDIR="$dest" PREFIX=/opt/c2p > "$T/log" 2>&1
check "make uninstall removes everything" "" "$(find "$dest" -type f -o -type l)"

finish
