# scripts/bench version [--runs N]
# lvmsync --version wall time through each tool's own launcher: ours (scripts/lvmsync:
# bash, then the JVM with the build's AOT cache) and the original (ruby bin/lvmsync),
# interleaved, N runs each (default 9), medians; also a JVM that only prints a line
# (the floor of any Java tool here) and our peak RSS.
source "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/lib.sh"
runs=9
[[ ${1:-} == --runs ]] && runs=$2
tsv=$out/version.tsv
raw=$out/version.raw
: > "$raw"
cat > "$work/Hello.java" <<'JAVA'
public class Hello { public static void main(String[] a) { System.out.println("lvmsync 0.0 (Java)"); } }
JAVA
"$JAVA_HOME/bin/javac" -d "$work" "$work/Hello.java"
have_original=false
find_original && have_original=true
for i in $(seq 1 "$runs"); do
    printf 'ours\t%s\n' "$(seconds "$repo/scripts/lvmsync" --version)" >> "$raw"
    $have_original && printf 'original\t%s\n' "$(seconds env RUBYLIB="$rubylib" ruby "$original/bin/lvmsync" --version)" >> "$raw"
    printf 'hello-jvm\t%s\n' "$(seconds "$java" -XX:+UseSerialGC -XX:-UsePerfData -cp "$work" Hello)" >> "$raw"
done
printf 'tool\tmedian_s\n' > "$tsv"
for t in ours original hello-jvm; do
    grep -q "^$t	" "$raw" || continue
    printf '%s\t%s\n' "$t" "$(awk -F'\t' -v t="$t" '$1 == t { print $2 }' "$raw" | median)" >> "$tsv"
done
rss=$(/usr/bin/time -f %M "$repo/scripts/lvmsync" --version 2>&1 >/dev/null | tail -n 1)
echo "--version, wall time, median of $runs interleaved runs (load average at the end: $(cut -d' ' -f1 /proc/loadavg))"
echo
echo "| command | median s | vs ours |"
echo "|---|---|---|"
o=$(awk -F'\t' '$1 == "ours" { print $2 }' "$tsv")
awk -F'\t' -v o="$o" 'NR > 1 { n = ($1 == "ours" ? "scripts/lvmsync --version" : $1 == "original" ? "original: ruby bin/lvmsync --version" : "java Hello (a JVM printing one line)"); printf "| %s | %.3f | %.2fx |\n", n, $2, $2 / o }' "$tsv"
$have_original || no_original_note
echo
echo "peak RSS of scripts/lvmsync --version: $(( rss / 1024 )) MiB"
