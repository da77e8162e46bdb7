#!/usr/bin/env bash
# Builds the libFuzzer targets in fuzz/ with clang-14, AddressSanitizer and UndefinedBehaviorSanitizer
# into build/fuzz, and runs each for a bounded time (default 30 s; FUZZ_SECONDS or the first
# argument). Fails on any crash, sanitizer report, leak or timeout; the input that caused it is
# left in build/fuzz/artifacts/. Not part of ctest.
# Usage: scripts/fuzz.sh [seconds-per-target]
# Needs the Debian packages clang-14 and libclang-rt-14-dev (scripts/install-deps.sh test).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/build/fuzz"
seconds="${1:-${FUZZ_SECONDS:-30}}"
cxx="${FUZZ_CXX:-clang++-14}"

if ! command -v "$cxx" >/dev/null; then
  echo "fuzz: $cxx not found; run scripts/install-deps.sh test (clang-14, libclang-rt-14-dev)" >&2
  exit 2
fi
mkdir -p "$out/artifacts"

flags=(-std=c++20 -O1 -g -fno-omit-frame-pointer -I"$root"
       -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all)

echo "fuzz: building into $out"
"$cxx" "${flags[@]}" -o "$out/csv_reader_fuzz" \
  "$root/fuzz/csv_reader_fuzz.cpp" "$root/import/csv_reader.cpp" "$root/import/values.cpp" \
  "$root/import/cpv_list.cpp" "$root/core/decimal.cpp" "$root/core/error.cpp" "$root/core/calendar.cpp" \
  "$root/core/clock.cpp"
"$cxx" "${flags[@]}" -o "$out/espd_reader_fuzz" \
  "$root/fuzz/espd_reader_fuzz.cpp" "$root/import/espd_reader.cpp" "$root/core/error.cpp" -lxerces-c

# Seeds: small files of each shape, written fresh so that the corpus never depends on a test run.
seeds_csv="$out/seeds-csv"
seeds_espd="$out/seeds-espd"
rm -rf "$seeds_csv" "$seeds_espd"
mkdir -p "$seeds_csv" "$seeds_espd" "$out/corpus-csv" "$out/corpus-espd"
printf 'authority,code,name,address,lat,lon\nKranj,OS-A,"OŠ ""A""",Cesta 1,46.2389,14.3556\n' >"$seeds_csv/points.csv"
printf '\xef\xbb\xbftax_number;name;sme;dispatch_lat\r\nSI1;Kmetija;da;46,22\r\n;;"two\r\nlines";\r\n' >"$seeds_csv/bom.csv"
printf 'lot,product,delivery_point_code,quantity,schedule\n1,APPLE,OS-A,12.5,weekly\nx,"open,\xe8\n' >"$seeds_csv/bad.csv"
printf '{"03221000-6": "Vegetables", "15511000-3": "Milk \\"fresh\\" \\u017e"}' >"$seeds_csv/cpv.json"
ns='xmlns="urn:oasis:names:specification:ubl:schema:xsd:QualificationApplicationResponse-2" xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"'
cat >"$seeds_espd/response.xml" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<QualificationApplicationResponse $ns>
<cbc:ProfileExecutionID schemeVersionID="4.1.0">ESPD-EDMv4.1.0</cbc:ProfileExecutionID><cbc:ID>E-1</cbc:ID>
<cac:EconomicOperatorParty><cac:Party><cbc:IndustryClassificationCode>sme</cbc:IndustryClassificationCode>
<cac:PartyIdentification><cbc:ID schemeAgencyID="FURS">SI12345678</cbc:ID></cac:PartyIdentification>
<cac:PartyName><cbc:Name>Novak &amp; sinovi</cbc:Name></cac:PartyName>
<cac:PostalAddress><cbc:CityName>Kranj</cbc:CityName><cac:Country><cbc:IdentificationCode>SVN</cbc:IdentificationCode></cac:Country></cac:PostalAddress>
</cac:Party></cac:EconomicOperatorParty>
<cac:TenderingCriterion><cbc:ID>c1</cbc:ID><cbc:CriterionTypeCode>crime-org</cbc:CriterionTypeCode>
<cac:TenderingCriterionPropertyGroup><cac:TenderingCriterionProperty><cbc:ID>p1</cbc:ID><cbc:Description>Q?</cbc:Description></cac:TenderingCriterionProperty></cac:TenderingCriterionPropertyGroup></cac:TenderingCriterion>
<cac:TenderingCriterionResponse><cbc:ValidatedCriterionPropertyID>p1</cbc:ValidatedCriterionPropertyID>
<cac:ResponseValue><cbc:ResponseAmount currencyID="EUR">100</cbc:ResponseAmount></cac:ResponseValue>
<cac:ApplicablePeriod><cbc:StartDate>2020-01-01</cbc:StartDate><cbc:EndDate>2021-01-01</cbc:EndDate></cac:ApplicablePeriod></cac:TenderingCriterionResponse>
</QualificationApplicationResponse>
XML
cat >"$seeds_espd/doctype.xml" <<XML
<?xml version="1.0"?>
<!DOCTYPE QualificationApplicationResponse [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>
<QualificationApplicationResponse $ns><cbc:ID>&b;</cbc:ID></QualificationApplicationResponse>
XML

export ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=1:abort_on_error=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
status=0
run() {
  local name="$1" corpus="$2" seeds="$3"
  shift 3
  echo "fuzz: $name for ${seconds}s"
  if ! "$out/$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
      -artifact_prefix="$out/artifacts/$name-" "$@" "$corpus" "$seeds" >"$out/$name.log" 2>&1; then
    echo "fuzz: $name FAILED; see $out/$name.log and $out/artifacts/" >&2
    tail -n 40 "$out/$name.log" >&2
    status=1
  else
    grep -E "stat::number_of_executed_runs|cov:" "$out/$name.log" | tail -n 2
  fi
}
run csv_reader_fuzz "$out/corpus-csv" "$seeds_csv"
run espd_reader_fuzz "$out/corpus-espd" "$seeds_espd" -dict="$root/fuzz/espd.dict"
exit $status
