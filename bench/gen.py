#!/usr/bin/env python3
"""Deterministic CSV data for the benchmark.

usage: python3 bench/gen.py KIND ROWS [SEED] > data.csv

KIND
  taxi     19 columns shaped like a taxi-trip export: small ints, pickup and
           dropoff timestamps, 2- and 6-decimal numbers, low-cardinality
           codes and flags, about 2% of rows with two empty (NULL) fields
  strings  8 text columns: id, uuid, names (some quoted), e-mail, city (one
           quoted with a comma), free text quoted with doubled quotes, commas
           and, in 5% of rows, a line break, and ';'-joined tags (10% NULL);
           UTF-8 throughout
  numeric  16 columns: 8 of integers (counters, small ranges, 40-bit values,
           negatives) and 8 of doubles (full-precision, rounded, whole)

The same KIND, ROWS and SEED always give the same bytes, and the first N rows
for ROWS >= N are the same whatever ROWS is.
"""
import io
import random
import sys

EPOCH_2015 = 1420070400
DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def month_table():
    """(year, month, day) for every day from 2015-01-01 on, for a few years."""
    days = []
    for year in range(2015, 2040):
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        for m, n in enumerate(DAYS_IN_MONTH, 1):
            n += 1 if m == 2 and leap else 0
            days.extend("%04d-%02d-%02d" % (year, m, d) for d in range(1, n + 1))
    return days


def taxi(r, rows, emit):
    emit("VendorID,tpep_pickup_datetime,tpep_dropoff_datetime,passenger_count,"
         "trip_distance,pickup_longitude,pickup_latitude,RateCodeID,"
         "store_and_fwd_flag,dropoff_longitude,dropoff_latitude,payment_type,"
         "fare_amount,extra,mta_tax,tip_amount,tolls_amount,"
         "improvement_surcharge,total_amount\n")
    days = month_table()
    clock = ["%02d:%02d:%02d" % (s // 3600, s // 60 % 60, s % 60) for s in range(86400)]

    def stamp(t):
        return days[t // 86400] + " " + clock[t % 86400]

    rand, randint, choice = r.random, r.randint, r.choice
    t = 0
    for _ in range(rows):
        t += randint(0, 3)
        ride = randint(60, 3600)
        distance = round(r.expovariate(1 / 3.0), 2)
        fare = round(2.5 + 2.5 * distance + ride / 120.0, 2)
        tip = round(fare * choice((0, 0, 0, 0.1, 0.15, 0.2, 0.25)), 2)
        tolls = choice((0, 0, 0, 0, 0, 5.54))
        extra = choice((0, 0.5, 1))
        total = round(fare + extra + 0.5 + tip + tolls + 0.3, 2)
        missing = rand() < 0.02
        emit("%d,%s,%s,%d,%.2f,%.6f,%.6f,%s,%s,%.6f,%.6f,%d,%.2f,%.1f,0.5,%.2f,%.2f,0.3,%.2f\n" % (
            randint(1, 2), stamp(t), stamp(t + ride), randint(1, 6), distance,
            -73.99 + 0.2 * (rand() - 0.5), 40.75 + 0.2 * (rand() - 0.5),
            "" if missing else choice("11112345"),
            "" if missing else choice("NNNNNNNNNNNNNNNNNNNY"),
            -73.98 + 0.2 * (rand() - 0.5), 40.76 + 0.2 * (rand() - 0.5),
            choice((1, 1, 1, 2, 2, 3, 4)), fare, extra, tip, tolls, total))


FIRST = ("Ada", "Bea", "Chinedu", "Dmitri", "Élise", "Farah", "Gunnar", "Haruto",
         "Ifeoma", "Jürgen", "Kofi", "Ling", "Maëlle", "Nikolai", "Oluwaseun",
         "Pooja", "Quentin", "Rosa", "Søren", "Tomás")
LAST = ("Adeyemi", "Brennan", "Castillo", "D'Souza", "Eriksson", "Fernández",
        "Gruber", "Hoang", "O'Neill", "Jovanović", "Kimura", "Lindqvist",
        "Moreau", "Nowak", "Østergaard", "Petrov")
CITIES = ("Accra", "Bergen", "Córdoba", "Dnipro", "Fukuoka", "Quito", "Kampala",
          "Genève", "Kraków", "\"Portland, OR\"", "\"Saint-Denis, Réunion\"")
WORDS = ("column", "row", "group", "page", "stream", "buffer", "pool", "footer",
         "schema", "parquet", "zstd", "byte", "offset", "length", "null", "value",
         "quoted \"\"word\"\"", "comma,", "split, here", "naïve", "café", "über",
         "日本", "ok")
TAGS = ("red", "green", "blue", "vip", "new", "trial", "churn", "b2b")


def strings(r, rows, emit):
    emit("id,uuid,first_name,last_name,email,city,comment,tags\n")
    rand, randint, choice, bits = r.random, r.randint, r.choice, r.getrandbits
    for i in range(rows):
        first, last = choice(FIRST), choice(LAST)
        text = " ".join(choice(WORDS) for _ in range(randint(2, 20)))
        if rand() < 0.05:
            text += "\nsee line " + str(randint(2, 9))
        uuid = "%08x-%04x-4%03x-%04x-%012x" % (
            bits(32), bits(16), bits(12), 0x8000 | bits(14), bits(48))
        mail = "%s.%s%d@example.net" % (
            first.lower(), last.lower().replace("'", ""), randint(1, 999))
        tags = "" if rand() < 0.1 else ";".join(
            choice(TAGS) for _ in range(randint(1, 4)))
        emit('%d,%s,%s,%s,%s,%s,"%s",%s\n' % (
            i + 1, uuid, first, '"' + last + '"' if "'" in last else last,
            mail, choice(CITIES), text, tags))


def numeric(r, rows, emit):
    emit(",".join(["i%d" % k for k in range(8)] + ["f%d" % k for k in range(8)]) + "\n")
    rand, randint, bits = r.random, r.randint, r.getrandbits
    for i in range(rows):
        emit("%d,%d,%d,%d,%d,%d,%d,%d,%r,%r,%r,%r,%r,%r,%r,%r\n" % (
            i, randint(0, 9), randint(-1000, 1000), bits(40), randint(0, 255),
            i * 7919 % 1000003, randint(0, 1), -3 * i,
            rand(), r.gauss(0, 1), r.uniform(-1e6, 1e6), r.expovariate(1.0),
            round(100 * rand(), 2), round(rand(), 4), r.lognormvariate(0, 1),
            float(randint(0, 100))))


KINDS = {"taxi": taxi, "strings": strings, "numeric": numeric}


def main():
    if len(sys.argv) not in (3, 4) or sys.argv[1] not in KINDS:
        sys.exit(__doc__)
    kind, rows = sys.argv[1], int(sys.argv[2])
    seed = int(sys.argv[3]) if len(sys.argv) == 4 else 1
    out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="\n")
    pending = []

    def emit(line):
        pending.append(line)
        if len(pending) >= 8192:
            out.write("".join(pending))
            pending.clear()

    KINDS[kind](random.Random(seed), rows, emit)
    out.write("".join(pending))
    out.flush()


if __name__ == "__main__":
    main()
