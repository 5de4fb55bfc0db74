#!/usr/bin/env python3
"""Writes the generated half of the CSV corpus: tests/corpus/files/gen-*.

Deterministic (no clock, no `random` module: a fixed xorshift generator), so
running it again writes the same bytes; the files are committed and the tests
do not need Python.  Old gen-* files are removed first.  Each case is a few
bytes to a few hundred KiB; the multi-MiB cases are made at test time by
bigfiles.sh instead.

usage: python3 tests/corpus/gen.py [OUTDIR]     (default: files/ beside this script)
"""
import gzip
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, 'files')
cases = {}


def case(name, data):
    """Register gen-NAME.csv (or NAME with its own extension) holding DATA."""
    if isinstance(data, str):
        data = data.encode('utf-8')
    fname = 'gen-' + name + ('' if '.' in name else '.csv')
    assert fname not in cases, fname
    cases[fname] = data


class Rng:
    """xorshift64*, so the bytes never depend on the Python version."""
    def __init__(self, seed):
        self.s = seed or 1

    def next(self):
        s = self.s
        s ^= (s >> 12)
        s ^= (s << 25) & 0xFFFFFFFFFFFFFFFF
        s ^= (s >> 27)
        self.s = s
        return (s * 0x2545F4914F6CDD1D) & 0xFFFFFFFFFFFFFFFF

    def below(self, n):
        return self.next() % n

    def pick(self, seq):
        return seq[self.below(len(seq))]


def rows(header, body, eol='\n', final=True):
    lines = [header] + body if header is not None else body
    return eol.join(lines) + (eol if final else '')


# ---------------------------------------------------------------- empty-ish
case('empty', b'')
case('only-lf', b'\n')
case('only-lfs', b'\n' * 50)
case('only-crlf', b'\r\n')
case('only-crlfs', b'\r\n' * 20)
case('only-cr', b'\r')
case('only-crs', b'\r' * 20)
case('only-spaces', b'    ')
case('only-spaces-lines', b'  \n \n\t\n')
case('only-comma', b',')
case('only-commas-line', b',,,,\n')
case('only-quote', b'"')
case('only-two-quotes', b'""')
case('only-quoted-empty-line', b'""\n')
case('single-char', b'a')
case('single-field-lf', b'a\n')
case('header-only', b'a,b,c\n')
case('header-only-no-eol', b'a,b,c')
case('header-only-crlf', b'a,b,c\r\n')
case('header-then-blank-lines', b'a,b,c\n\n\n\n')
case('header-then-blank-crlf', b'a,b,c\r\n\r\n\r\n')
case('blank-lines-then-header', b'\n\n\na,b\n1,2\n')
case('one-column-one-row', b'x\n1\n')
case('one-column-empty-values', b'x\n\n\n\n')
case('one-column-quoted-empties', b'x\n""\n""\n')
case('whitespace-line-in-middle', b'a,b\n1,2\n   \n3,4\n')
case('tab-line-in-middle', b'a,b\n1,2\n\t\n3,4\n')

# ---------------------------------------------------------------- line ends
base = ['id,name,value', '1,alpha,1.5', '2,beta,2.5', '3,gamma,3.5']
case('eol-lf', rows(None, base))
case('eol-crlf', rows(None, base, '\r\n'))
case('eol-cr', rows(None, base, '\r'))
case('eol-lf-no-final', rows(None, base, final=False))
case('eol-crlf-no-final', rows(None, base, '\r\n', final=False))
case('eol-cr-no-final', rows(None, base, '\r', final=False))
case('eol-mixed', 'id,name,value\r\n1,alpha,1.5\n2,beta,2.5\r3,gamma,3.5\r\n')
case('eol-mixed-2', 'id,name,value\n1,alpha,1.5\r\n2,beta,2.5\r\n3,gamma,3.5\r')
case('eol-lfcr', 'id,name,value\n\r1,alpha,1.5\n\r2,beta,2.5\n\r')
case('eol-crcrlf', 'id,name,value\r\r\n1,alpha,1.5\r\r\n2,beta,2.5\r\r\n')
case('eol-crlf-header-lf-body', 'a,b\r\n1,2\n3,4\n')
case('eol-cr-inside-quotes', 'a,b\n"x\ry",1\n"p\r\nq",2\n"m\nn",3\n')
case('eol-cr-inside-unquoted', 'a,b\nx\ry,1\n')
case('eol-crlf-many-blank', 'a,b\r\n\r\n\r\n1,2\r\n\r\n3,4\r\n\r\n')
case('eol-final-cr-only', 'a,b\n1,2\r')
case('eol-vt-ff', 'a,b\x0b\n1,2\x0c\n3,4\n')
case('eol-unicode-line-sep', 'a,b\n1,x\u2028y\n2,p\u2029q\n3,r\x85s\n')
lines = ['n,s']
r = Rng(7)
for i in range(300):
    lines.append('%d,%s' % (i, r.pick(['a', 'bb', '"q,q"', '"x\r\ny"', ''])))
eols = ['\n', '\r\n', '\r']
case('eol-random-mix', ''.join(l + eols[Rng(i + 1).below(3)] for i, l in enumerate(lines)))

# ---------------------------------------------------------------- BOMs and encodings
BOM = b'\xef\xbb\xbf'
case('bom-utf8', BOM + b'id,name\n1,x\n2,y\n')
case('bom-utf8-crlf', BOM + b'id,name\r\n1,x\r\n')
case('bom-utf8-only', BOM)
case('bom-utf8-lf', BOM + b'\n')
case('bom-utf8-header-only', BOM + b'a,b')
case('bom-utf8-quoted-header', BOM + b'"id","name"\n1,x\n')
case('bom-utf8-twice', BOM + BOM + b'id,name\n1,x\n')
case('bom-utf8-in-field', b'id,name\n1,' + BOM + b'x\n2,y' + BOM + b'\n')
case('bom-utf8-semicolon', BOM + b'id;name;amount\n1;x;1,5\n2;y;2,5\n')
text16 = 'id,name\n1,\u00e9t\u00e9\n2,\u65e5\u672c\n'
case('utf16le-bom', b'\xff\xfe' + text16.encode('utf-16-le'))
case('utf16be-bom', b'\xfe\xff' + text16.encode('utf-16-be'))
case('utf16le-nobom', text16.encode('utf-16-le'))
case('utf16be-nobom', text16.encode('utf-16-be'))
case('utf16le-bom-only', b'\xff\xfe')
case('utf16le-bom-odd-length', b'\xff\xfe' + text16.encode('utf-16-le') + b'x')
case('utf32le-bom', b'\xff\xfe\x00\x00' + text16.encode('utf-32-le'))
case('utf32be-bom', b'\x00\x00\xfe\xff' + text16.encode('utf-32-be'))
case('utf7-bom', b'+/v8-id,name\n1,x\n')
case('latin1', 'id,city\n1,M\u00fcnchen\n2,S\u00e3o Paulo\n3,K\u00f8benhavn\n'.encode('latin-1'))
case('latin1-header', 'id,stra\u00dfe\n1,x\n'.encode('latin-1'))
case('cp1252-smart-quotes', 'id,quote\n1,\u201chello\u201d\n2,it\u2019s \u20ac5\n'.encode('cp1252'))
case('shift-jis', 'id,name\n1,\u65e5\u672c\u8a9e\n2,\u30c6\u30b9\u30c8\n'.encode('shift_jis'))
case('gb18030', 'id,name\n1,\u4e2d\u6587\n'.encode('gb18030'))
case('utf8-overlong-slash', b'id,path\n1,a\xc0\xafb\n')
case('utf8-overlong-nul', b'id,s\n1,a\xc0\x80b\n')
case('utf8-surrogate', b'id,s\n1,a\xed\xa0\x80b\n')
case('utf8-beyond-max', b'id,s\n1,a\xf4\x90\x80\x80b\n')
case('utf8-f5-ff-bytes', b'id,s\n1,\xf5\xf8\xfc\xfe\xff\n')
case('utf8-truncated-at-eof', b'id,s\n1,ab\xe6\x97')
case('utf8-truncated-before-delim', b'id,s,t\n1,ab\xe6\x97,x\n')
case('utf8-truncated-before-eol', b'id,s\n1,ab\xe6\x97\n2,x\n')
case('utf8-lone-continuation', b'id,s\n1,\x80\x81\x82\n')
case('utf8-invalid-in-quotes', b'id,s\n1,"a\xffb"\n')
case('utf8-invalid-header', b'id,n\xe4me\n1,x\n')
case('utf8-invalid-number-col', b'n\n1\n2\n3\xff\n')
case('utf8-invalid-late', b'n,s\n' + b''.join(b'%d,ok\n' % i for i in range(2000)) + b'2000,bad\xc3(\n')
case('utf8-valid-4byte', 'id,s\n1,\U0001f986\U0001f600\n2,\U00010348\n')
case('utf8-combining', 'id,s\n1,e\u0301\n2,\u00e9\n3,a\u0308\u0301\u0323\n')
case('utf8-rtl', 'id,s\n1,\u05e9\u05dc\u05d5\u05dd\n2,\u0645\u0631\u062d\u0628\u0627\n3,\u202eabc\u202c\n')
case('utf8-zero-width', 'id,s\n1,a\u200bb\n2,\u2060\n3,\ufeffx\n')
case('utf8-noncharacters', 'id,s\n1,\ufffe\uffff\n2,\U0010ffff\n'.encode('utf-8', 'surrogatepass'))
case('utf8-replacement-char', 'id,s\n1,\ufffd\n')
case('utf8-multibyte-delimiter-like', 'id\u00b7s\n1\u00b7x\n')
case('all-bytes-in-one-field', b'id,s\n1,"' + bytes(b for b in range(256) if b != 0x22) + b'"\n')
case('all-bytes-lines', b''.join(bytes([b]) + b'\n' for b in range(256)))
case('high-bytes-only', bytes(range(0x80, 0x100)))

# ---------------------------------------------------------------- NUL bytes
case('nul-in-field', b'a,b\n1,x\x00y\n')
case('nul-in-header', b'a\x00,b\n1,2\n')
case('nul-whole-line', b'a,b\n\x00\n1,2\n')
case('nul-only', b'\x00' * 64)
case('nul-after-quote', b'a,b\n"x"\x00,1\n')
case('nul-in-quotes', b'a,b\n"x\x00y",1\n')
case('nul-as-field', b'a,b\n\x00,\x00\n')
case('nul-at-eof', b'a,b\n1,2\n\x00')
case('nul-number-column', b'n\n1\n2\x00\n3\n')

# ---------------------------------------------------------------- quoting
case('quote-unterminated-eof', 'a,b\n1,"abc\n')
case('quote-unterminated-eof-no-eol', 'a,b\n1,"abc')
case('quote-unterminated-long', 'a,b\n1,"start\n' + 'more text, with, commas\n' * 500)
case('quote-unterminated-header', '"a,b\n1,2\n')
case('quote-in-unquoted', 'a,b\n1,ab"cd\n2,x"\n')
case('quote-after-closing', 'a,b\n1,"ab"cd\n')
case('quote-after-closing-eol', 'a,b\n1,"ab"c\n2,3\n')
case('quote-space-after-closing', 'a,b\n"x" ,1\n"y"  ,2\n')
case('quote-space-before-opening', 'a,b\n1, "x"\n2,  "y,z"\n')
case('quote-doubled-only', 'a,b\n1,""""\n2,""""""\n3,""\n')
case('quote-odd-count', 'a,b\n1,"""\n2,x\n')
case('quote-backslash-escape', 'a,b\n1,"a\\"b"\n2,"c"\n')
case('quote-backslash-escape-end', 'a,b\n1,"a\\"\n2,"c"\n')
case('quote-single', "a,b\n1,'x,y'\n2,'it''s'\n")
case('quote-single-header', "'a','b'\n'1','2'\n")
case('quote-mixed-single-double', 'a,b,c\n"x",\'y\',"z"\n\'p\',"q",\'r\'\n')
case('quote-field-with-delims', 'a,b\n1,",,,,"\n2,";;;"\n')
case('quote-field-with-newlines', 'a,b\n1,"l1\nl2\nl3"\n2,"\n"\n3,"\n\n\n"\n')
case('quote-newline-in-header', '"first\nname",age\nx,1\n')
case('quote-only-row', 'a,b\n"\n"\n')
case('quote-empty-vs-null', 'a,b,c\n,"",\n"",,""\n')
case('quote-whole-line', 'a,b\n"1,2"\n')
case('quote-at-eof', 'a,b\n1,2\n"')
case('quote-every-field', '"a","b","c"\n"1","2","3"\n"4","5","6"\n')
case('quote-numbers', 'n,f,d\n"1","1.5","2024-01-02"\n"2","2.5","2024-01-03"\n')
case('quote-inner-crlf', 'a,b\r\n"x\r\ny",1\r\n"z",2\r\n')
case('quote-many-fields-multiline', 'a,b,c\n"1\n1","2\n2","3\n3"\n')
case('quote-long-quoted-field', 'a,b\n1,"' + 'x,"",\n' * 5000 + '"\n')
case('quote-unbalanced-many', 'a,b\n' + '1,"x\n' * 50 + '2,y\n')
case('quote-escaped-then-unterminated', 'a,b\n1,"x""y\n')
case('quote-triple', 'a\n"""quoted"""\n')
case('quote-field-starts-mid', 'a,b\nx"y",1\n')

# ---------------------------------------------------------------- ragged rows
case('ragged-short-row', 'a,b,c\n1,2,3\n4,5\n6,7,8\n')
case('ragged-long-row', 'a,b,c\n1,2,3\n4,5,6,7\n8,9,10\n')
case('ragged-first-row-short', 'a,b,c\n1\n2,3,4\n')
case('ragged-last-row-long', 'a,b\n1,2\n3,4\n5,6,7\n')
case('ragged-last-row-short-no-eol', 'a,b,c\n1,2,3\n4')
case('ragged-trailing-delim-rows', 'a,b\n1,2,\n3,4,\n')
case('ragged-trailing-delim-all', 'a,b,\n1,2,\n3,4,\n')
case('ragged-trailing-delim-header', 'a,b,\n1,2\n3,4\n')
case('ragged-every-row', 'a,b,c\n1\n1,2\n1,2,3,4\n1,2,3,4,5\n')
case('ragged-empty-fields-line', 'a,b,c\n,,\n,\n')
case('ragged-header-shorter', 'a\n1,2\n3,4\n')
case('ragged-late', 'a,b\n' + ''.join('%d,%d\n' % (i, i) for i in range(5000)) + '1,2,3\n')
case('ragged-late-short', 'a,b\n' + ''.join('%d,%d\n' % (i, i) for i in range(5000)) + '1\n')
case('ragged-quoted-delims-consistent', 'a,b\n"1,2",3\n"4,5,6",7\n')

# ---------------------------------------------------------------- dialects
case('delim-semicolon', 'id;name;amount\n1;x;1.5\n2;y;2.5\n3;z;3.5\n')
case('delim-semicolon-decimal-comma', 'id;name;amount\n1;x;1,5\n2;y;2,5\n3;z;3,5\n')
case('delim-tab', 'id\tname\tamount\n1\tx\t1.5\n2\ty\t2.5\n')
case('delim-tab-quoted', 'id\tname\n1\t"x\ty"\n2\t"p""q"\n')
case('delim-tab-empty-fields', 'a\tb\tc\n\t\t\n1\t\t3\n')
case('delim-pipe', 'id|name|amount\n1|x|1.5\n2|y|2.5\n')
case('delim-pipe-quoted', 'id|name\n1|"a|b"\n2|"c"\n')
case('delim-colon', 'id:name:amount\n1:x:1.5\n2:y:2.5\n')
case('delim-space', 'id name amount\n1 x 1.5\n2 y 2.5\n')
case('delim-spaces-aligned', 'id   name    amount\n1    x       1.5\n22   yy      22.5\n')
case('delim-double-pipe', 'id||name\n1||x\n2||y\n')
case('delim-mixed', 'a,b;c\n1,2;3\n4;5,6\n')
case('delim-comma-in-values-semicolon', 'name;price\nx;1,234.50\ny;2,000\n')
case('delim-tsv-with-commas', 'name\ttext\nx\ta, b, c\ny\td, e\n')
case('delim-ascii-us-rs', 'a\x1fb\x1e1\x1f2\x1e3\x1f4\x1e')
case('delim-semicolon-single-column', 'name\nx;y\nz;w\n')
case('delim-excel-sep-line', 'sep=;\nid;name\n1;x\n2;y\n')
case('delim-excel-sep-line-comma', 'sep=,\nid,name\n1,x\n')
case('delim-fixed-width', 'ID  NAME      AMOUNT\n001 Alice     0012.50\n002 Bob       0007.00\n')

# ---------------------------------------------------------------- comments, preambles, footers
case('comment-hash-top', '# generated by a tool\n# version 2\nid,name\n1,x\n2,y\n')
case('comment-hash-middle', 'id,name\n1,x\n# a comment\n2,y\n')
case('comment-hash-end', 'id,name\n1,x\n2,y\n# end\n')
case('comment-hash-with-commas', '# a, b, c\nid,name\n1,x\n')
case('comment-in-quotes', 'id,name\n1,"# not a comment"\n2,"x\n# still not"\n')
case('comment-slash', '// header\nid,name\n1,x\n')
case('comment-semicolon-ini', '; comment\nid,name\n1,x\n')
case('preamble-title', 'Sales report 2024\n\nid,name,amount\n1,x,1.5\n2,y,2.5\n')
case('preamble-key-values', 'Exported: 2024-01-02\nUser: admin\nid,name,amount\n1,x,1.5\n')
case('footer-total', 'id,amount\n1,1.5\n2,2.5\nTotal,4.0\n')
case('footer-text', 'id,amount\n1,1.5\n2,2.5\n\n(2 rows)\n')
case('footer-ctrl-z', b'id,amount\n1,1.5\n\x1a')

# ---------------------------------------------------------------- headers
case('hdr-duplicates', 'a,a,a,b,b\n1,2,3,4,5\n')
case('hdr-duplicate-collision', 'a,a,a_2,a_2\n1,2,3,4\n')
case('hdr-empty-names', ',,c,,\n1,2,3,4,5\n')
case('hdr-generated-name-collision', ',column_1,column_2,\n1,2,3,4\n')
case('hdr-whitespace-names', ' a , b ,\t,  \n1,2,3,4\n')
case('hdr-unicode-names', '\u540d\u524d,\u00e2ge,\U0001f600\n1,2,3\n')
case('hdr-quoted-with-quotes', '"a""b","c,d","e\nf"\n1,2,3\n')
case('hdr-long-name', 'n' * 100000 + ',b\n1,2\n')
case('hdr-numeric', '1,2,3\n4,5,6\n7,8,9\n')
case('hdr-dates', '2024-01-01,2024-01-02\n1,2\n3,4\n')
case('hdr-sql-keywords', 'select,from,where,"group",order,null,true\n1,2,3,4,5,6,7\n')
case('hdr-special-chars', 'a.b,c[0],d{e},f$g,h\\i,j/k,l:m\n1,2,3,4,5,6,7\n')
case('hdr-case-duplicates', 'Name,name,NAME\n1,2,3\n')
case('hdr-null-like', 'NULL,NA,,null\n1,2,3,4\n')
case('hdr-nul-names', b'\x00,\x00\n1,2\n')
case('hdr-nul-inside-names', b'a\x00x,a\x00y\n1,2\n')
case('hdr-duplicates-3000', ','.join(['a'] * 3000) + '\n' + ','.join(['1'] * 3000) + '\n')

# ---------------------------------------------------------------- type inference
def col(name, values):
    return name + '\n' + ''.join(v + '\n' for v in values)

case('ty-int-boundaries', col('n', ['9223372036854775807', '-9223372036854775808', '0', '-1', '1']))
case('ty-int-overflow-pos', col('n', ['1', '9223372036854775808']))
case('ty-int-overflow-neg', col('n', ['1', '-9223372036854775809']))
case('ty-int-huge', col('n', ['1', '1' * 400]))
case('ty-uint64', col('n', ['18446744073709551615', '0']))
case('ty-leading-zeros', col('zip', ['02134', '00501', '10001']))
case('ty-leading-zero-single', col('n', ['0', '00', '007', '-0', '+0']))
case('ty-plus-sign', col('n', ['+1', '+0', '-0', '+9223372036854775807']))
case('ty-hex-octal', col('n', ['0x1F', '0o17', '0b101', '017']))
case('ty-thousands', col('n', ['"1,000"', '"12,345,678"', '1000']))
case('ty-underscores', col('n', ['1_000', '2_000']))
case('ty-spaces-around-numbers', col('n', [' 1', '2 ', ' 3 ', '\t4']))
case('ty-double-forms', col('x', ['1.5', '-2e-3', '.5', '5.', '1E10', '-0.0', '1e+5']))
case('ty-double-special', col('x', ['inf', '-inf', 'nan', 'NaN', 'Infinity', '-Infinity', 'INF', '+inf']))
case('ty-double-overflow', col('x', ['1e308', '1e309', '-1e400', '2.5']))
case('ty-double-underflow', col('x', ['1e-320', '1e-400', '4.9e-324', '2.5e-324']))
case('ty-double-long-mantissa', col('x', ['0.1000000000000000055511151231257827021181583404541015625',
                                         '3.14159265358979323846264338327950288419716939937510']))
case('ty-double-hex', col('x', ['0x1p3', '0x1.8p1']))
case('ty-int-then-double', col('x', ['1', '2', '3.5', '4']))
case('ty-int-then-string', col('x', ['1', '2', 'three']))
case('ty-bool-forms', col('b', ['true', 'false', 'TRUE', 'False', 'tRuE']))
case('ty-bool-like', col('b', ['yes', 'no', 't', 'f', '1', '0', 'on', 'off']))
case('ty-bool-and-int', col('b', ['true', '1']))
case('ty-date-valid', col('d', ['2024-02-29', '1970-01-01', '0001-01-01', '9999-12-31', '1582-10-10']))
case('ty-date-invalid-day', col('d', ['2024-01-01', '2023-02-29']))
case('ty-date-invalid-month', col('d', ['2024-13-01', '2024-00-10']))
case('ty-date-zero', col('d', ['0000-00-00', '2024-01-01']))
case('ty-date-year-zero', col('d', ['0000-01-01']))
case('ty-date-negative-year', col('d', ['-0001-01-01', '2024-01-01']))
case('ty-date-five-digit-year', col('d', ['10000-01-01', '2024-01-01']))
case('ty-date-compact', col('d', ['20220907', '20240229', '19700101']))
case('ty-date-slashes', col('d', ['01/02/2024', '12/31/2024']))
case('ty-date-dots', col('d', ['02.01.2024', '31.12.2024']))
case('ty-date-month-names', col('d', ['2 Jan 2024', 'March 5, 2024']))
case('ty-date-single-digits', col('d', ['2024-1-2', '2024-01-02']))
case('ty-date-then-timestamp', col('d', ['2024-01-02', '2024-01-02 03:04:05']))
case('ty-date-then-string', col('d', ['2024-01-02', 'tomorrow']))
case('ty-ts-forms', col('t', ['2024-01-02 03:04:05', '2024-01-02T03:04', '2024-01-02 03:04:05.123456',
                              '2024-01-02T03:04:05.1']))
case('ty-ts-nanos', col('t', ['2024-01-02 03:04:05.123456789']))
case('ty-ts-leap-second', col('t', ['2016-12-31 23:59:60']))
case('ty-ts-hour-24', col('t', ['2024-01-02 24:00:00']))
case('ty-ts-utc-forms', col('t', ['2024-01-02 03:04:05Z', '2024-01-02T03:04:05+02:00', '2024-01-02 03:04:05-0530',
                                  '2024-01-02T03:04:05.5+14:00']))
case('ty-ts-utc-extremes', col('t', ['0001-01-01 00:00:00+14:00', '9999-12-31 23:59:59-14:00']))
case('ty-ts-offset-weird', col('t', ['2024-01-02 03:04:05+24:00', '2024-01-02 03:04:05+2', '2024-01-02 03:04:05 UTC']))
case('ty-ts-mixed-local-utc', col('t', ['2024-01-02 03:04:05', '2024-01-02 03:04:05Z']))
case('ty-ts-lowercase-t-z', col('t', ['2024-01-02t03:04:05z']))
case('ty-time-only', col('t', ['03:04:05', '23:59:59', '12:00']))
case('ty-nulls-mixed', 'a,b,c\n1,,x\n,2.5,\n,,\n3,,z\n')
case('ty-all-null-column', 'a,b\n1,\n2,\n3,\n')
case('ty-null-markers', col('x', ['NULL', 'NA', '\\N', 'null', 'None', 'nan', '-']))
case('ty-quoted-empty-in-int', col('n', ['1', '""', '3']))
case('ty-percent-currency', col('x', ['5%', '$1.00', '\u20ac2,50', '(3.00)']))
case('ty-scientific-int', col('x', ['1e3', '2E0']))
case('ty-uuid', col('u', ['123e4567-e89b-12d3-a456-426614174000', '00000000-0000-0000-0000-000000000000']))
case('ty-json-values', 'j\n"{""a"": 1, ""b"": [1, 2]}"\n"[]"\nnull\n')
case('ty-numbers-look-like-dates', col('x', ['2024-01', '2024', '12-31', '1.2.3']))
case('ty-many-types', 'i,d,dt,ts,tz,b,s\n1,1.5,2024-01-02,2024-01-02 03:04:05,2024-01-02T03:04:05Z,true,x\n'
     '-7,-2e3,1999-12-31,1999-12-31T23:59:59.999999,1999-12-31 23:59:59+01:00,FALSE,"y,z"\n')

# ---------------------------------------------------------------- wide rows
def wide(ncols, nrows, seed, value=None):
    r = Rng(seed)
    out = [','.join('c%d' % i for i in range(ncols))]
    for _ in range(nrows):
        out.append(','.join(value if value is not None else str(r.below(1000)) for _ in range(ncols)))
    return '\n'.join(out) + '\n'

case('wide-1000-cols', wide(1000, 5, 11))
case('wide-5000-cols', wide(5000, 3, 12))
case('wide-20000-cols-header-only', ','.join('c%d' % i for i in range(20000)) + '\n')
case('wide-3000-cols-empty', wide(3000, 4, 13, value=''))
case('wide-100k-commas', ',' * 100000 + '\n')
case('wide-ragged-wide', wide(2000, 2, 14) + ','.join('1' for _ in range(1999)) + '\n')

# ---------------------------------------------------------------- long fields and lines
case('long-field-200k', 'a,b\n1,' + 'x' * 200000 + '\n2,y\n')
case('long-quoted-field-200k', 'a,b\n1,"' + 'x,\n' * 65000 + '"\n')
case('long-numeric-200k', 'a\n' + '9' * 200000 + '\n')
case('long-line-no-eol', 'a\n' + 'z' * 100000)
case('long-header-and-row', ','.join('h' * 50 for _ in range(500)) + '\n' + ','.join('v' * 50 for _ in range(500)) + '\n')

# ---------------------------------------------------------------- many rows
r = Rng(21)
case('rows-20000-ints', 'n,m\n' + ''.join('%d,%d\n' % (i, r.below(10 ** 6)) for i in range(20000)))
case('rows-10000-single-col', 'x\n' + ''.join('%d\n' % i for i in range(10000)))
case('rows-empty-lines-between', 'x\n' + ''.join('%d\n\n' % i for i in range(2000)))
case('rows-type-change-late', 'x\n' + ''.join('%d\n' % i for i in range(10000)) + 'oops\n')
case('rows-all-null-then-value', 'x,y\n' + ''.join('%d,\n' % i for i in range(5000)) + '5000,late\n')

# ---------------------------------------------------------------- real-world-shaped
r = Rng(33)
names = ['Smith, John', 'O\'Brien', 'M\u00fcller', '\u674e\u96f7', 'Anne "Annie" Lee', '', 'N/A']
lines = ['id,name,email,signup,score,active,notes']
for i in range(400):
    nm = r.pick(names)
    q = '"%s"' % nm.replace('"', '""') if any(c in nm for c in ',"') else nm
    lines.append('%d,%s,user%d@example.com,2023-%02d-%02d,%d.%d,%s,%s' % (
        i, q, i, 1 + r.below(12), 1 + r.below(28), r.below(100), r.below(10),
        r.pick(['true', 'false', '']), r.pick(['', '"multi\nline"', 'plain', '"with, comma"'])))
case('shape-customers', '\r\n'.join(lines) + '\r\n')
lines = ['timestamp,sensor,reading,unit']
for i in range(1500):
    lines.append('2024-03-%02d %02d:%02d:%02d,s%d,%s,%s' % (
        1 + i // 100, (i // 60) % 24, i % 60, (i * 7) % 60, r.below(5),
        r.pick(['%d.%02d' % (r.below(100), r.below(100)), '-%d.%d' % (r.below(40), r.below(10)), 'NaN', '']),
        r.pick(['C', 'F'])))
case('shape-sensor-log', '\n'.join(lines) + '\n')
lines = ['Date;Description;Amount;Balance']
for i in range(200):
    lines.append('%02d.%02d.2023;"Payment %d; ref %d";%s%d,%02d;%d,%02d' % (
        1 + r.below(28), 1 + r.below(12), i, r.below(99999), r.pick(['', '-']), r.below(5000), r.below(100),
        r.below(100000), r.below(100)))
case('shape-bank-export-de', BOM + ('\r\n'.join(lines) + '\r\n').encode('utf-8'))
lines = ['"Country Name","Country Code","1960","1961","1962"']
for i in range(120):
    lines.append('"Country %d","C%02d","%s","%s",""' % (i, i, r.pick(['', '%d.%d' % (r.below(999), r.below(99))]),
                                                     r.pick(['', str(r.below(10 ** 9))])))
case('shape-worldbank', '"Data Source","World Development Indicators",\n\n"Last Updated Date","2024-01-01",\n\n'
     + '\n'.join(lines) + '\n')
lines = []
for i in range(300):
    lines.append('%d\t%s\t%s' % (i, r.pick(['GET', 'POST', '-']), r.pick(['/index.html', '/a?b=1&c=2', '"quoted"', '\\N'])))
case('shape-tsv-no-header', '\n'.join(lines) + '\n')
lines = ['ts|level|msg']
for i in range(300):
    lines.append('2024-01-01T00:00:%02d.%03dZ|%s|%s' % (i % 60, i, r.pick(['INFO', 'WARN', 'ERROR']),
                                                        r.pick(['ok', 'disk | full', 'x"y', ''])))
case('shape-pipe-log', '\n'.join(lines) + '\n')

# ---------------------------------------------------------------- compressed input
payload = b'id,name\n1,x\n2,y\n'
case('gz-simple.csv.gz', gzip.compress(payload, mtime=0))
case('gz-two-members.csv.gz', gzip.compress(payload, mtime=0) + gzip.compress(b'3,z\n', mtime=0))
case('gz-empty-payload.csv.gz', gzip.compress(b'', mtime=0))
case('gz-truncated.csv.gz', gzip.compress(payload * 50, mtime=0)[:40])
case('gz-bad-crc.csv.gz', (lambda g: g[:-8] + b'\0\0\0\0' + g[-4:])(gzip.compress(payload, mtime=0)))
case('gz-trailing-garbage.csv.gz', gzip.compress(payload, mtime=0) + b'garbage')
case('gz-magic-only.csv.gz', b'\x1f\x8b')
case('gz-header-only.csv.gz', gzip.compress(payload, mtime=0)[:10])
case('gz-of-utf16.csv.gz', gzip.compress(b'\xff\xfe' + text16.encode('utf-16-le'), mtime=0))
case('gz-of-gz.csv.gz', gzip.compress(gzip.compress(payload, mtime=0), mtime=0))
case('gz-bomb-small.csv.gz', gzip.compress(b'a\n' + b'1\n' * 500000, mtime=0))


def zstd_raw_frame(data):
    """A zstd frame of raw blocks, built by hand (no zstd in the stdlib)."""
    out = b'\x28\xb5\x2f\xfd'
    n = len(data)
    if n < 256:
        out += bytes([0x20, n])                       # single segment, 1-byte content size
    else:
        out += bytes([0x60]) + struct.pack('<Q', n)   # single segment, 8-byte content size
    pos = 0
    while True:
        chunk = data[pos:pos + 100000]
        pos += len(chunk)
        last = pos >= n
        hdr = (1 if last else 0) | (0 << 1) | (len(chunk) << 3)
        out += struct.pack('<I', hdr)[:3] + chunk
        if last:
            return out


case('zst-raw.csv.zst', zstd_raw_frame(payload))
case('zst-two-frames.csv.zst', zstd_raw_frame(payload) + zstd_raw_frame(b'3,z\n'))
case('zst-skippable-first.csv.zst', b'\x50\x2a\x4d\x18' + struct.pack('<I', 4) + b'skip' + zstd_raw_frame(payload))
case('zst-truncated.csv.zst', zstd_raw_frame(payload)[:12])
case('zst-magic-only.csv.zst', b'\x28\xb5\x2f\xfd')
case('zst-bad-size.csv.zst', zstd_raw_frame(payload)[:5] + b'\x02' + zstd_raw_frame(payload)[6:])
case('zst-reserved-block.csv.zst', b'\x28\xb5\x2f\xfd\x20\x05' + struct.pack('<I', 1 | (3 << 1) | (5 << 3))[:3] + b'a,b\n1')
case('zst-empty.csv.zst', zstd_raw_frame(b''))

# ---------------------------------------------------------------- other formats that are not CSV
case('notcsv-json', '{"a": 1, "b": [1, 2, 3]}\n')
case('notcsv-jsonl', '{"a":1}\n{"a":2}\n{"a":3,"b":4}\n')
case('notcsv-html', '<!DOCTYPE html>\n<html><body><table><tr><td>a,b</td></tr></table></body></html>\n')
case('notcsv-xml', '<?xml version="1.0"?>\n<rows><row a="1" b="2"/></rows>\n')
case('notcsv-parquet-magic', b'PAR1' + b'\x00' * 32 + b'PAR1')
case('notcsv-zip-magic', b'PK\x03\x04' + b'\x00' * 60)
case('notcsv-pdf-magic', b'%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n')
case('notcsv-elf-like', b'\x7fELF\x02\x01\x01' + bytes(range(1, 200)))
case('notcsv-markdown-table', '| a | b |\n|---|---|\n| 1 | 2 |\n')
case('notcsv-sql', 'INSERT INTO t VALUES (1, \'a,b\');\nINSERT INTO t VALUES (2, \'c\');\n')

# ---------------------------------------------------------------- variants of real files
# The stored copies of the fetched files lost their CR bytes; these put line
# ends, BOMs and compression back on a few of them.
REAL = ['duckdb-auto-rfc_conform_quote.csv', 'duckdb-test-quoted_newline.csv', 'polars-foods1.csv',
        'pandas-test1.csv', 'arrow-aggregate_test_100-part1.csv', 'readr-mini-gapminder-oceania.csv',
        'rustcsv-simplepop-delim.csv', 'duckdb-null-multiple_quoted_nulls.csv', 'duckdb-test-no_newline_unicode.csv',
        'duckdb-comments-simple.csv', 'duckdb-auto-time_date_timestamp_trailing.csv', 'readr-skip-lines.csv']
for name in REAL:
    path = os.path.join(OUT, name)
    if not os.path.exists(path):
        sys.exit('gen.py: %s is missing (the fetched files come first)' % path)
    data = open(path, 'rb').read()
    stem = name[:-4]
    case('crlf-' + stem, data.replace(b'\n', b'\r\n'))
    case('cr-' + stem, data.replace(b'\n', b'\r'))
    case('bom-' + stem, BOM + data)
    case('gz-' + stem + '.csv.gz', gzip.compress(data, mtime=0))
    case('nofinal-' + stem, data.rstrip(b'\n'))


os.makedirs(OUT, exist_ok=True)
for old in os.listdir(OUT):
    if old.startswith('gen-'):
        os.remove(os.path.join(OUT, old))
total = 0
for name in sorted(cases):
    with open(os.path.join(OUT, name), 'wb') as f:
        f.write(cases[name])
    total += len(cases[name])
print('gen.py: %d files, %d bytes in %s' % (len(cases), total, OUT))
