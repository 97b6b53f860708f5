# Sourced by the benchmark scripts that measure plinth next to Jib (scripts/bench-jib,
# scripts/bench-maven): progress and failure, the statistics, and the tools and runtime both
# compare on. The caller sets: $bench (its name, for messages), $work (a scratch directory) and
# $limit (seconds any one command may take).

say() { printf '%s\n' "$*" >&2; }   # progress, on stderr; figures go to stdout
die() { say "$bench: $*"; exit 1; }
quiet() {   # quiet LOG CMD...: runs CMD with its output in LOG, shown only if it fails
  local log=$1; shift
  timeout "$limit" "$@" >"$log" 2>&1 || { tail -40 "$log" >&2; die "failed: $*"; }
}

median() { LC_ALL=C sort -n "$1" | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : int((v[NR/2]+v[NR/2+1])/2)}'; }
max() { sort -n "$1" | tail -1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b <= 0) print "-"; else printf "%.2f", a / b}'; }
mb() { awk -v k="$1" 'BEGIN {printf "%d", k / 1024 + 0.5}'; }
# exact: the ratio unrounded, for verdicts (0.503 misses 0.5, though printed as 0.50)
exact() { awk -v a="$1" -v b="$2" 'BEGIN {if (b <= 0) print "-"; else printf "%.6f", a / b}'; }
verdict() { awk -v r="$1" -v t="$2" 'BEGIN {print (r == "-") ? "n/a" : (r <= t) ? "met" : "MISSED"}'; }

# bench_tools: checks for a JDK and Maven, installs GNU time (as root, with apt) when missing,
# and sets $jlink: $JLINK, else Temurin 25's, else the one beside javac.
bench_tools() {
  command -v java >/dev/null && command -v javac >/dev/null || die "needs a JDK (java, javac)"
  command -v mvn >/dev/null || die "needs Maven (apt-get install maven)"
  if [ ! -x /usr/bin/time ]; then
    [ "$(id -u)" = 0 ] || die "needs GNU time: sudo apt-get install -y time"
    say "installing GNU time (apt)"
    apt-get install -y -q time >/dev/null 2>&1 ||
      { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q time >/dev/null 2>&1; } ||
      die "apt-get install time failed"
  fi
  jlink=${JLINK:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/jlink}
  if [ ! -x "$jlink" ]; then
    jlink=$(dirname "$(readlink -f "$(command -v javac)")")/jlink
    [ -x "$jlink" ] || die "no jlink: set JLINK to a JDK's bin/jlink"
  fi
  local f
  for f in /etc/mavenrc "$HOME/.mavenrc"; do
    [ -e "$f" ] && say "note: $f exists and may tune Maven's JVM"
  done
  return 0
}

# bench_runtime DIR MODULES: the runtime directory both tools put at /opt/java/openjdk.
bench_runtime() {
  say "making the runtime directory with jlink ($2)"
  quiet "$work/jlink.log" "$jlink" --add-modules "$2" --strip-debug --no-man-pages \
    --no-header-files --output "$1"
}

# jib_permissions RUNTIME: Jib gives extra files 644 unless told: <permission> lines that keep
# the runtime's executables 755, as plinth keeps them.
jib_permissions() {
  local x
  for x in $(cd "$1" && find . -type f -perm -u+x | LC_ALL=C sort); do
    printf '              <permission><file>/opt/java/openjdk/%s</file><mode>755</mode></permission>\n' "${x#./}"
  done
}

# layers TAR: "path mode size" of every non-directory entry under /app and /opt/java/openjdk in
# the tar's gzip layers, leaving out Jib's own two files (jib-classpath-file, jib-main-class-file).
layers() {
  local d
  d=$(mktemp -d "$work/layers.XXXXXX")
  tar -xf "$1" -C "$d"
  for b in "$d"/blobs/sha256/*; do
    gzip -t "$b" 2>/dev/null || continue
    tar --warning=no-unknown-keyword -tvzf "$b" | awk '$1 !~ /^d/ {
      p = $6; sub(/^\.?\//, "", p)
      if (p ~ /^(app|opt\/java\/openjdk)\// && p !~ /^app\/jib-(classpath|main-class)-file$/)
        print p, $1, ($1 ~ /^l/ ? "->" $8 : $3) }'
  done | LC_ALL=C sort
  rm -rf "$d"
}
