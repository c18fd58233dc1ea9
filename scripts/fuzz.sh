#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang (AddressSanitizer and UBSan, build
# dir build-fuzz) and runs each for SECONDS (default 60) on a seed corpus made from the
# test data. Findings (crash-*, leak-*, timeout-*) land in build-fuzz/findings/TARGET/.
#   scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
jobs=${LFP_FUZZ_JOBS:-2}
targets=(fuzz_csv_differential fuzz_header_record fuzz_row_codec)

CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF \
  -DLFP_FUZZ=ON -DLFP_SANITIZE=address,undefined >/dev/null
cmake --build build-fuzz -j"$jobs" --target "${targets[@]}"

# Seeds: the real sample cut into pieces (records across piece ends), and small tricky files.
seeds=build-fuzz/seeds
rm -rf "$seeds" && mkdir -p "$seeds"
head -c 4000 tests/data/products-head-2000.csv >"$seeds/sample-head.csv"
split -b 2048 -a 3 <(head -c 65536 tests/data/products-head-2000.csv) "$seeds/sample-part-"
printf 'name,sku,description\r\nA,a1,"x\r\ny"\r\nB,b1,"q""uote"\n' >"$seeds/crlf-quotes.csv"
printf '\xef\xbb\xbfsku,Name ,DESCRIPTION,extra\na1,A,d,e\n,B,d,e\nc1,C,d\n' >"$seeds/bom-columns.csv"
printf 'name,sku,description\nA,a1,"open\n' >"$seeds/open-quote.csv"
printf 'name,sku,description\nA,a1,\xff\xfe\nB,b\x00,d\n,,,,,,,,,\n' >"$seeds/bad-bytes.csv"
printf '\x13name,sku,description\na,1,x\xfename,sku,description\r\nb,2,"y\r\n"\xfe\r\n' >"$seeds/three-files.csv"

status=0
for t in "${targets[@]}"; do
  findings=build-fuzz/findings/$t
  corpus=build-fuzz/corpus/$t
  mkdir -p "$findings" "$corpus"
  echo "== $t: ${seconds}s"
  if ! build-fuzz/tests/fuzz/"$t" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$findings/" "$corpus" "$seeds" 2>"build-fuzz/$t.log"; then
    status=1
    tail -n 40 "build-fuzz/$t.log"
    echo "== $t FAILED: see build-fuzz/$t.log and $findings/" >&2
  else
    grep -E "^stat::number_of_executed_units|^Done" "build-fuzz/$t.log" || true
  fi
done
exit $status
