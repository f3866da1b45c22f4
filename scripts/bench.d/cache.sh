# scripts/bench cache [--size MIB]
# The page cache around a send: an unrelated 256 MiB file is read into the cache, then
# SIZE MiB of dense changes are sent (stream to /dev/null); how much of the unrelated
# file is still cached (fincore) and how much Cached: grew (/proc/meminfo) against the
# bytes moved. (The original answers with echo 3 > /proc/sys/vm/drop_caches, which
# empties the whole cache: the unrelated file would be gone.)
source "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/lib.sh"
size=1024
[[ ${1:-} == --size ]] && size=$2
need fincore util-linux
origin=$work/dense.origin cow=$work/cache.cow other=$work/cache.unrelated
[[ -f $origin && $(stat -c %s "$origin") == $(( size << 20 )) ]] || bench_tool fill "$origin" "$size"
bench_tool cow sequential $(( size * 256 )) "$cow" "$work/cache.unused"
rm -f "$work/cache.unused"
[[ -f $other ]] || head -c $(( 256 << 20 )) /dev/urandom > "$other"
cat "$other" > /dev/null
drop_cache "$origin"; drop_cache "$cow"
cached() { awk '/^Cached:/ { printf "%d\n", $2 * 1024 }' /proc/meminfo; }
resident() { fincore --bytes --noheadings --output RES "$1" | tr -d ' '; }
before=$(cached) other_before=$(resident "$other")
bench_tool send "$cow" "$origin" --stdout > /dev/null 2>&1
after=$(cached) other_after=$(resident "$other")
printf 'moved_bytes\tcached_delta\tunrelated_before\tunrelated_after\n%s\t%s\t%s\t%s\n' \
    $(( size << 20 )) $(( after - before )) "$other_before" "$other_after" > "$out/cache.tsv"
echo "Page cache around a send of $size MiB (dense), stream to /dev/null"
echo
echo "| | MiB |"
echo "|---|---|"
awk -v m=$(( size << 20 )) -v d=$(( after - before )) -v b="$other_before" -v a="$other_after" 'BEGIN {
    printf "| bytes moved | %.0f |\n| Cached: grew by | %.1f |\n| unrelated file cached before / after | %.0f / %.0f |\n", m / 1048576, d / 1048576, b / 1048576, a / 1048576 }'
