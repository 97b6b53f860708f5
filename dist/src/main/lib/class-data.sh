# Class-data sharing for plinth's launchers (POSIX sh, sourced): the release archive's bin/plinth
# and the repository's ./plinth both use it.
#
# The classes a run loads, parsed and verified, kept in an archive that the JVM maps at start
# instead of reading them from the jar again (scripts/bench-startup: about a fifth less CPU for
# inspect, base and a push; a no-change build of the large bench app 315 against 385 ms). The
# first run of each command only lists the classes it loads (-XX:DumpLoadedClassList, to a
# pending file of its own in ${XDG_CACHE_HOME:-~/.cache}/plinth/cds); the next run makes the
# archive from that list and the JVM's default one in a JVM of its own (-Xshare:dump, some 2 s of
# CPU, once), keeps it under a name that ends in its size, replacing the archive of an older build
# of the jar (about 20 MB each), and runs the command with it. The archive is made apart from the
# command, never by the command's JVM at exit: a JVM that fails to write its archive at exit (a
# full disk) exits 1 with a message of its own instead of the command's code. An archive is kept
# for this jar (path, size and modification time, which the JVM checks too), JVM and
# PLINTH_JAVA_OPTS; one whose size no longer matches its name (cut short later) is removed, not
# mapped. PLINTH_CDS=off runs without it. Whatever goes wrong with it (no cache directory, a JVM
# that cannot make one, a system without sha256sum or stat) means running without it, never
# failing. PLINTH_CDS_DIR puts the archives elsewhere.
#
# Each program started costs about a millisecond, so the usual path (an archive ready) starts
# three: readlink, sha256sum and stat.

# plinth_cds JAVA JAR GC ARGS...: sets plinth_cds_option to the JVM option for this run of plinth
# with ARGS (empty: none); GC is the collector option the command runs with (or empty). Names
# its variables plinth_cds_*: sh has no local ones.
plinth_cds() {
  plinth_cds_option=
  [ "${PLINTH_CDS:-on}" != off ] || return 0
  plinth_cds_java=$1
  plinth_cds_jar=$2
  plinth_cds_gc=$3
  shift 3
  # one archive for each command, since the first run of it is what the archive holds; none for
  # help, version or a mistyped command: their 560 classes are nearly all in the JVM's own archive
  # (an archive of ours made them slower: 267 ms of CPU against 228 without, medians of 21)
  plinth_cds_command=
  for plinth_cds_a in "$@"; do
    case $plinth_cds_a in
      base | build | lock | inspect | copy | audit) plinth_cds_command=$plinth_cds_a; break ;;
      -*) ;;
      *) break ;;
    esac
  done
  [ -n "$plinth_cds_command" ] || return 0
  case $plinth_cds_java in
    */*) plinth_cds_bin=$plinth_cds_java ;;
    *) plinth_cds_bin=$(command -v "$plinth_cds_java" 2>/dev/null) || return 0 ;;
  esac
  plinth_cds_bin=$(readlink -f "$plinth_cds_bin" 2>/dev/null) || return 0
  plinth_cds_home=${plinth_cds_bin%/bin/*}
  # HotSpot makes archives of application classes (-Xshare:dump); the release file says which JVM
  [ -r "$plinth_cds_home/release" ] || return 0
  plinth_cds_release=
  plinth_cds_major=
  plinth_cds_j9=0
  while IFS= read -r plinth_cds_line || [ -n "$plinth_cds_line" ]; do
    plinth_cds_release="$plinth_cds_release$plinth_cds_line
"
    case $plinth_cds_line in
      JAVA_VERSION=\"[0-9]*)
        plinth_cds_major=${plinth_cds_line#JAVA_VERSION=\"}
        plinth_cds_major=${plinth_cds_major%%[!0-9]*} ;;
    esac
    case $plinth_cds_line in *[Oo][Pp][Ee][Nn][Jj]9*) plinth_cds_j9=1 ;; esac
  done <"$plinth_cds_home/release"
  [ "$plinth_cds_j9" = 0 ] && [ -n "$plinth_cds_major" ] && [ "$plinth_cds_major" -ge 13 ] \
    || return 0
  plinth_cds_dir=${PLINTH_CDS_DIR:-}
  if [ -z "$plinth_cds_dir" ]; then
    plinth_cds_dir=${XDG_CACHE_HOME:-${HOME:-}/.cache}
    [ "$plinth_cds_dir" != /.cache ] || return 0
    plinth_cds_dir=$plinth_cds_dir/plinth/cds
  fi
  # where: the jar's path, the JVM, the options; key: the jar's size and modification time, which
  # the JVM checks too (a new build of the jar replaces the archive of the old one)
  plinth_cds_where=$(printf '%s\n%s\n%s%s\n' "$plinth_cds_jar" "$plinth_cds_bin" \
    "$plinth_cds_release" "${PLINTH_JAVA_OPTS:-}" | sha256sum 2>/dev/null) || return 0
  plinth_cds_a=${plinth_cds_where#????????????}   # the first 12 characters, without a program
  plinth_cds_where=${plinth_cds_where%"$plinth_cds_a"}
  case $plinth_cds_where in *[!0-9a-f]* | '') return 0 ;; esac
  [ ${#plinth_cds_where} = 12 ] || return 0
  # one stat for the jar and this JVM's archives of the command: "SIZE MTIME PATH" each
  set -- "$plinth_cds_jar"
  for plinth_cds_f in "$plinth_cds_dir/plinth-$plinth_cds_where-"*"-$plinth_cds_command".*.jsa; do
    [ ! -e "$plinth_cds_f" ] || set -- "$@" "$plinth_cds_f"
  done
  plinth_cds_stats=$(stat -L -c '%s %.9Y %n' -- "$@" 2>/dev/null) || [ -n "$plinth_cds_stats" ] \
    || return 0
  plinth_cds_line=${plinth_cds_stats%%"$plinth_cds_nl"*}
  plinth_cds_size=${plinth_cds_line%% *}
  plinth_cds_mtime=${plinth_cds_line#* }
  plinth_cds_mtime=${plinth_cds_mtime%% *}
  plinth_cds_key=$plinth_cds_size-${plinth_cds_mtime%%.*}
  case $plinth_cds_mtime in *.*) plinth_cds_key=$plinth_cds_key${plinth_cds_mtime#*.} ;; esac
  case $plinth_cds_key in [0-9]*-[0-9]*) ;; *) return 0 ;; esac
  case ${plinth_cds_key#*-} in *[!0-9]*) return 0 ;; esac
  case ${plinth_cds_key%%-*} in *[!0-9]*) return 0 ;; esac
  plinth_cds_base=$plinth_cds_dir/plinth-$plinth_cds_where-$plinth_cds_key-$plinth_cds_command
  plinth_cds_rest=${plinth_cds_stats#*"$plinth_cds_nl"}
  [ "$plinth_cds_rest" != "$plinth_cds_stats" ] || plinth_cds_rest=
  while IFS= read -r plinth_cds_line; do   # a kept archive: NAME.SIZE.jsa
    [ -n "$plinth_cds_line" ] || continue
    plinth_cds_n=${plinth_cds_line%% *}
    plinth_cds_p=${plinth_cds_line#* }
    plinth_cds_p=${plinth_cds_p#* }
    case $plinth_cds_p in "$plinth_cds_base".*.jsa) ;; *) continue ;; esac
    plinth_cds_size=${plinth_cds_p%.jsa}
    plinth_cds_size=${plinth_cds_size##*.}
    if [ "$plinth_cds_n" = "$plinth_cds_size" ]; then
      plinth_cds_option=-XX:SharedArchiveFile=$plinth_cds_p
      return 0
    fi
    rm -f "$plinth_cds_p" 2>/dev/null || true
  done <<EOF
$plinth_cds_rest
EOF
  [ ! -e "$plinth_cds_base.failed" ] || return 0
  plinth_cds_pending=$plinth_cds_dir/.pending-$plinth_cds_where-$plinth_cds_key-$plinth_cds_command
  for plinth_cds_f in "$plinth_cds_pending".*.classlist; do   # from an earlier first run
    [ -f "$plinth_cds_f" ] || continue
    plinth_cds_pid=${plinth_cds_f%.classlist}
    plinth_cds_pid=${plinth_cds_pid##*.}
    # the run that writes it may still be loading classes: leave it for a later run
    ! kill -0 "$plinth_cds_pid" 2>/dev/null || return 0
    plinth_cds_p=$plinth_cds_pending.$$.jsa
    # the JVM's own list too (its default archive's classes), when it has one
    plinth_cds_list=$plinth_cds_home/lib/classlist
    [ -f "$plinth_cds_list" ] || plinth_cds_list=
    # shellcheck disable=SC2086
    if cat $plinth_cds_list "$plinth_cds_f" >"$plinth_cds_p.classlist" 2>/dev/null \
        && "$plinth_cds_java" -Xshare:dump -XX:-UsePerfData $plinth_cds_gc \
          -XX:SharedClassListFile="$plinth_cds_p.classlist" -XX:SharedArchiveFile="$plinth_cds_p" \
          -Xlog:cds=off -Xlog:cds+dynamic=off -XX:ErrorFile=/dev/null -XX:-CreateCoredumpOnCrash \
          ${PLINTH_JAVA_OPTS:-} -cp "$plinth_cds_jar" >/dev/null 2>&1 \
        && [ -s "$plinth_cds_p" ] \
        && plinth_cds_size=$(stat -L -c %s -- "$plinth_cds_p" 2>/dev/null); then
      for plinth_cds_a in "$plinth_cds_dir"/plinth-"$plinth_cds_where"-*-"$plinth_cds_command".*; do
        rm -f "$plinth_cds_a" 2>/dev/null || true   # of older builds of this jar
      done
      if mv -f "$plinth_cds_p" "$plinth_cds_base.$plinth_cds_size.jsa" 2>/dev/null; then
        plinth_cds_option=-XX:SharedArchiveFile=$plinth_cds_base.$plinth_cds_size.jsa
      fi
    else
      : >"$plinth_cds_base.failed" 2>/dev/null || true   # not again for this jar and JVM
    fi
    rm -f "$plinth_cds_p" "$plinth_cds_p.classlist" "$plinth_cds_pending".*.classlist \
      2>/dev/null || true
    return 0
  done
  if { [ -d "$plinth_cds_dir" ] || mkdir -p "$plinth_cds_dir" 2>/dev/null; } \
      && [ -w "$plinth_cds_dir" ]; then
    for plinth_cds_f in "$plinth_cds_dir/.pending-$plinth_cds_where-"*"-$plinth_cds_command".*; do
      case $plinth_cds_f in   # of older builds, never made
        "$plinth_cds_pending".*) ;;
        *) rm -f "$plinth_cds_f" 2>/dev/null || true ;;
      esac
    done
    # $$ stays the JVM's pid after exec: concurrent first runs write lists of their own, and the
    # next run sees whether the one writing a list still runs. A list the JVM cannot write whole
    # only holds fewer classes; the command's exit code is its own.
    plinth_cds_option=-XX:DumpLoadedClassList=$plinth_cds_pending.$$.classlist
  fi
}
plinth_cds_nl='
'
