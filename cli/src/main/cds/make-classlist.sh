#!/usr/bin/env bash
# Regenerates stream-run.classlist, the classes in the launcher's class-data archive: those a
# restarting `chimera stream run` loads (picocli, the queues, the shipped Fourier model, the restore
# of a snapshot, forecasts), as the JVM lists them (-XX:DumpLoadedClassList). Run it from anywhere
# after changing what the consumer loads; the build turns the list into cli/target/chimera.jsa.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$root"

# Three hourly series: 900 rows, then 300 more (a snapshot is restored and segments complete).
hourly() {
  awk -v from="$1" -v to="$2" 'BEGIN {
    print "date,a,b,c"
    for (t = from; t < to; t++) {
      printf "%s", strftime("%Y-%m-%d %H:%M:%S", 1467331200 + 3600 * t, 1)
      for (c = 0; c < 3; c++) printf ",%.3f", 10 + c + 3 * sin(2 * 3.14159265 * (t + 5 * c) / 24)
      printf "\n"
    }
  }'
}
hourly 0 900 >"$work/first.csv"
hourly 900 1200 >"$work/second.csv"

./chimera stream replay --csv "$work/first.csv" --to "$work/in" --series-from-columns >/dev/null
./chimera stream run --model etth1-fourier --in "$work/in" --out "$work/out" --drain 2>/dev/null
./chimera stream replay --csv "$work/second.csv" --to "$work/in" --series-from-columns >/dev/null
# shellcheck disable=SC2046
java $(cat cli/target/jvm.flags) -XX:DumpLoadedClassList="$work/classes" \
  -cp "cli/target/chimera-cli.jar:cli/target/lib/*" dev.chimera.cli.Chimera \
  stream run --model etth1-fourier --in "$work/in" --out "$work/out" --drain
mv "$work/classes" cli/src/main/cds/stream-run.classlist
echo "wrote cli/src/main/cds/stream-run.classlist ($(wc -l <cli/src/main/cds/stream-run.classlist) lines)"
