# Shared by the scripts/bench tables (sourced). Sets repo, java, jar, out; builds what is
# missing; helpers for timing and for the original lvmsync.
set -euo pipefail
repo=$(cd -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/../.." && pwd)
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
java=$JAVA_HOME/bin/java
jar=$repo/target/lvmsync.jar
classes=$repo/jmh/target/classes
out=$repo/target/bench
mkdir -p "$out"
work=${LVMSYNC_BENCH_DIR:-$out/work}
mkdir -p "$work"

if [[ ! -f $jar || ! -f $classes/org/lvmsync/bench/BenchTool.class ]]; then
    echo "bench: building lvmsync and the benchmark helper (mvn) ..." >&2
    (cd "$repo" && mvn -q -B install -DskipTests && cd jmh && mvn -q -B compile) >&2
fi
if [[ $(stat -f -c %T "$work") == tmpfs ]]; then
    echo "bench: $work is on tmpfs; set LVMSYNC_BENCH_DIR to a directory on a real disk" >&2; exit 1
fi

bench_tool() {
    # the launcher's JVM options (scripts/lvmsync), with the benchmark helper's main class
    # (BENCH_JAVA_OPTS: more JVM options, word-split; scripts/bench jit compares JIT modes with it)
    # shellcheck disable=SC2086
    "$java" -XX:+UseSerialGC -Xmn16m -XX:-UsePerfData --enable-native-access=ALL-UNNAMED ${BENCH_JAVA_OPTS:-} -cp "$jar:$classes" org.lvmsync.bench.BenchTool "$@"
}
now() { date +%s.%N; }
# seconds CMD...: wall time of CMD in seconds (its output discarded)
seconds() {
    local t0 t1
    t0=$(now); "$@" > /dev/null 2>&1 < /dev/null; t1=$(now)
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f\n", b - a }'
}
# median < numbers, one a line
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.4f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
need() { # need TOOL APT-PACKAGE
    command -v "$1" > /dev/null && return 0
    if (( EUID == 0 )); then
        echo "bench: installing $2 (apt-get) ..." >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2" >&2
    else
        echo "bench: $1 is needed (apt-get install $2)" >&2; exit 1
    fi
}
drop_cache() { # one file's cached pages, never the global drop_caches
    dd of="$1" oflag=nocache conv=notrunc,fdatasync count=0 status=none
}

# The original lvmsync, when LVMSYNC_BENCH_ORIGINAL names a checkout: sets $original
# and $rubylib (its lib/ and a stand-in for git-version-bump, which Debian lacks).
original=
rubylib=
find_original() {
    [[ -n ${LVMSYNC_BENCH_ORIGINAL:-} ]] || return 1
    original=$(cd "$LVMSYNC_BENCH_ORIGINAL" && pwd -P)
    [[ -f $original/bin/lvmsync && -d $original/lib ]] \
        || { echo "bench: $original is not a checkout of the original lvmsync" >&2; exit 1; }
    need ruby ruby
    ruby -e "require %q(treetop)" 2> /dev/null || { (( EUID == 0 )) && DEBIAN_FRONTEND=noninteractive apt-get install -y -q ruby-treetop >&2; }
    mkdir -p "$out/ruby-stub"
    cat > "$out/ruby-stub/git-version-bump.rb" <<'RUBY'
# Stand-in for the git-version-bump gem (not packaged by Debian): the original asks it
# for its version only in --version.
module GVB
  class VersionUnobtainable < StandardError; end
  def self.version(*) = "3.3.2"
end
RUBY
    rubylib=$original/lib:$out/ruby-stub
}
no_original_note() {
    echo "(the original's row is left out: set LVMSYNC_BENCH_ORIGINAL to a checkout of it)"
}
