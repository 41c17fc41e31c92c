#!/usr/bin/env bash
# Lays out dist/ from what `mvn package` left in each module's target/ (the Makefile's `build`
# runs `mvn package dependency:copy-dependencies -DskipTests` first):
#
#   dist/cni/vpc-cni            the CNI binary: a POSIX sh launcher (copy it as is into a CNI bin dir:
#   dist/cni/vpc-cni.d/           cp -a dist/cni/. /opt/cni/bin/)
#     runtime/                  jlinked Java runtime with only the modules the binary needs (jdeps)
#     lib/*.jar                 cni-plugin and its JDK-only dependencies (agent-api, netaddr)
#     vpc-cni.aot               AOT cache (JDK 25, JEP 514/515) trained for exactly this runtime and jars
#   dist/bin/vpc-cni            a copy of the CNI launcher (it finds ../cni/vpc-cni.d from there)
#   dist/bin/vpc-cni-agent      io.vpccni.agent.AgentMain on the full JDK, classpath dist/lib/agent/*
#   dist/bin/vpc-cni-cli        io.vpccni.cli.CliMain on the full JDK, classpath dist/lib/cli/*
#
# Idempotent: the CNI part is rebuilt only when its inputs (jars, JDK, this script) changed; the
# agent and cli parts are recopied each time. A module whose jar or main class is absent is skipped
# with a warning, so this works before those modules have code.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
: "${JAVA_HOME:=/usr/lib/jvm/temurin-25-jdk-amd64}"
jdk=$JAVA_HOME
dist=$root/dist
version=0.1.0-SNAPSHOT

die() { echo "make-dist: $*" >&2; exit 1; }
warn() { echo "make-dist: warning: $*" >&2; }

[ -x "$jdk/bin/jlink" ] || die "no JDK at $jdk (set JAVA_HOME to Temurin 25)"
"$jdk/bin/java" -version 2>&1 | grep -q '"25' || die "$jdk is not JDK 25"

module_jar() { # module -> path of its main jar, or nothing
  local jar=$root/$1/target/$1-$version.jar
  [ -f "$jar" ] && echo "$jar"
}

# ---------------------------------------------------------------------------------------------
# The CNI binary
# ---------------------------------------------------------------------------------------------

# JVM flags. Each was measured on a 2-core VM: medians of 40-60 interleaved rounds of VERSION and
# of ADD against a fake agent, through an AOT cache trained with the same flags, leaving one flag
# out at a time (ADD 32.8 ms with all of them, 46.5 ms with none):
#  -XX:TieredStopAtLevel=1   C1 only: nothing runs long enough for C2            ADD -5.2 ms
#  -Djava.nio.channels.spi.SelectorProvider=sun.nio.ch.EPollSelectorProvider   the default
#                            provider, named: spares a ServiceLoader scan of every jar   -2.5 ms
#  -Djdk.reflect.useNativeAccessorOnly=true   opening a unix socket makes the JDK seed a
#                            SecureRandom, found by reflection; native accessors spin no
#                            method-handle classes                                       -1.7 ms
#  -XX:-UsePerfData          no hsperfdata file in /tmp                                  -0.7 ms
#  -XX:+UseSerialGC          fewest threads, 1.7 MB less RSS than G1                    -0.8 ms
#  -Xmx64m                   no speed effect: a bound (stdin is at most 1 MiB), so that no input
#                            can make one exec take a node's memory
# and three that keep stdout clean, since it must carry nothing but the CNI result:
#  -Xlog:disable -Xlog:all=warning:stderr   unified logging (e.g. "AOT cache unusable") to stderr
#  -XX:+DisplayVMOutputToStderr             other VM output to stderr
# Measured and left out: -Xshare:auto (JDK 25 refuses it together with -XX:AOTCache); -Xint (-1.5
# ms on a small config, but 330 ms instead of 65 on a 750 KB one); -Xms, -Xss (no effect); a
# one-provider java.security (-0.2 ms, not worth a private security configuration);
# -XX:ArchiveRelocationMode=0 (-1.5 ms, but a diagnostic flag that gives up the cache's ASLR); a
# default CDS archive in the runtime (a JVM whose -XX:AOTCache is unusable does not fall back to it).
cni_flags() {
  printf '%s' "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData -Xmx64m \
-Xlog:disable -Xlog:all=warning:stderr -XX:+DisplayVMOutputToStderr \
-Djdk.reflect.useNativeAccessorOnly=true \
-Djava.nio.channels.spi.SelectorProvider=sun.nio.ch.EPollSelectorProvider"
}
cni_jars=(cni-plugin agent-api netaddr)

write_cni_launcher() { # $1 = output file
  cat > "$1" <<EOF
#!/bin/sh
# vpc-cni, the CNI plugin binary (CNI spec 1.1.0; written by scripts/make-dist.sh, do not edit).
# Runs the private jlinked runtime in vpc-cni.d/ with an AOT cache trained for exactly that runtime
# and these jars. It finds vpc-cni.d beside itself through \$0, without forking: install it by
# copying (cp -a dist/cni/. /opt/cni/bin/, which is what the init container does), not through a
# symlink. From dist/bin it finds ../cni/vpc-cni.d.
case \$0 in */*) d=\${0%/*} ;; *) d=. ;; esac
if [ -d "\$d/vpc-cni.d" ]; then r=\$d/vpc-cni.d; else r=\$d/../cni/vpc-cni.d; fi
# Options from the node's environment must not reach this JVM: they could print to stdout and
# would not match the AOT cache.
unset JAVA_TOOL_OPTIONS JDK_JAVA_OPTIONS _JAVA_OPTIONS
exec "\$r/runtime/bin/java" -XX:AOTCache="\$r/vpc-cni.aot" $(cni_flags) \\
  -cp "\$r/lib/cni-plugin.jar:\$r/lib/agent-api.jar:\$r/lib/netaddr.jar" io.vpccni.cni.CniMain
EOF
  chmod 755 "$1"
}

build_cni() {
  local jars=() m j
  for m in "${cni_jars[@]}"; do
    j=$(module_jar "$m") || die "$m/target/$m-$version.jar is missing: run 'mvn package -DskipTests -pl cni-plugin -am' (or make build) first"
    jars+=("$j")
  done
  local stamp
  stamp=$( { sha256sum "${jars[@]}" "$0" | cut -d' ' -f1; cat "$jdk/release"; } | sha256sum | cut -d' ' -f1)
  local out=$dist/cni
  if [ -f "$out/vpc-cni.d/.stamp" ] && [ "$(cat "$out/vpc-cni.d/.stamp")" = "$stamp" ] \
      && [ -x "$out/vpc-cni" ] && [ -f "$out/vpc-cni.d/vpc-cni.aot" ]; then
    echo "make-dist: dist/cni is up to date"
    return
  fi

  local cp
  cp=$(IFS=:; echo "${jars[*]}")
  local modules
  modules=$("$jdk/bin/jdeps" --print-module-deps --ignore-missing-deps --multi-release 25 -cp "$cp" "${jars[0]}")
  [ "$modules" = "java.base" ] || warn "the CNI binary now needs modules '$modules', not only java.base (start-up cost: check)"

  local stage=$dist/.cni-stage
  rm -rf "${stage:?}"
  mkdir -p "$stage/vpc-cni.d/lib"
  "$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files \
    --output "$stage/vpc-cni.d/runtime"
  for m in "${cni_jars[@]}"; do
    cp -p "$(module_jar "$m")" "$stage/vpc-cni.d/lib/$m.jar"
  done
  write_cni_launcher "$stage/vpc-cni"

  # Train in the final place: the cache records the class path, and although the JVM accepts a
  # relocated one, training where it will run from dist/ keeps the check trivially exact.
  rm -rf "${out:?}"
  mv "$stage" "$out"
  local d=$out/vpc-cni.d
  # shellcheck disable=SC2046 # the flags are meant to split into words
  if ! env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$d/runtime/bin/java" -XX:AOTCacheOutput="$d/vpc-cni.aot" \
      $(cni_flags) -cp "$d/lib/cni-plugin.jar:$d/lib/agent-api.jar:$d/lib/netaddr.jar" \
      io.vpccni.cni.AotTraining 30 > "$dist/.aot-training.log" 2>&1; then
    cat "$dist/.aot-training.log" >&2
    die "AOT training failed"
  fi
  [ -f "$d/vpc-cni.aot" ] || { cat "$dist/.aot-training.log" >&2; die "AOT training wrote no cache"; }
  grep -q '^vpc-cni AOT training' "$dist/.aot-training.log" && grep '^vpc-cni AOT training' "$dist/.aot-training.log"
  rm -f "$dist/.aot-training.log"

  # Smoke test: VERSION through the launcher, and the cache must be in use.
  local reply
  reply=$(echo '{"cniVersion":"1.0.0"}' | CNI_COMMAND=VERSION "$out/vpc-cni")
  [ "$reply" = '{"cniVersion":"1.0.0","supportedVersions":["0.4.0","1.0.0","1.1.0"]}' ] \
    || die "dist/cni/vpc-cni VERSION answered: $reply"
  echo "$stamp" > "$d/.stamp"
  echo "make-dist: dist/cni ($(du -sh "$out" | cut -f1), runtime modules: $modules)"
}

# ---------------------------------------------------------------------------------------------
# dist/bin and the JVM services
# ---------------------------------------------------------------------------------------------

write_jvm_launcher() { # $1 = output file, $2 = module, $3 = main class
  cat > "$1" <<EOF
#!/bin/sh
# $(basename "$1"): runs $3 (module $2) on the full JDK (written by scripts/make-dist.sh).
# JAVA_HOME defaults to Temurin 25; VPC_CNI_JAVA_OPTS adds JVM options (e.g. -Xmx).
self=\$(readlink -f "\$0") || self=\$0
d=\${self%/*}
exec "\${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java" --enable-native-access=ALL-UNNAMED \\
  \${VPC_CNI_JAVA_OPTS:-} -cp "\$d/../lib/$2/*" $3 "\$@"
EOF
  chmod 755 "$1"
}

# Copies a module's jar and its runtime dependencies to dist/lib/<module>/ and writes its launcher;
# skips the module (with a warning) when its jar or main class is not built.
build_jvm_app() { # $1 = module, $2 = main class, $3 = launcher name
  local m=$1 main=$2 name=$3 jar
  local class_file=$root/$m/target/classes/${main//.//}.class
  if ! jar=$(module_jar "$m") || [ ! -f "$class_file" ]; then
    warn "skipping dist/bin/$name: $m is not built or has no $main yet"
    rm -rf "${dist:?}/lib/$m" "$dist/bin/$name"
    return
  fi
  local lib=$dist/lib/$m
  rm -rf "$lib"
  mkdir -p "$lib"
  cp -p "$jar" "$lib/"
  # Runtime dependencies, ours and third-party, as `make build` copied them next to the module
  # (mvn package dependency:copy-dependencies -DoutputDirectory=target/runtime-deps).
  [ -d "$root/$m/target/runtime-deps" ] \
    || die "$m/target/runtime-deps is missing: build with 'make build' (it copies runtime dependencies)"
  cp -p "$root/$m/target/runtime-deps/"*.jar "$lib/"
  write_jvm_launcher "$dist/bin/$name" "$m" "$main"
  echo "make-dist: dist/bin/$name ($(ls "$lib" | wc -l) jars)"
}

mkdir -p "$dist/bin"
build_cni
cp -p "$dist/cni/vpc-cni" "$dist/bin/vpc-cni"
build_jvm_app agent io.vpccni.agent.AgentMain vpc-cni-agent
build_jvm_app cli io.vpccni.cli.CliMain vpc-cni-cli
build_jvm_app controller io.vpccni.controller.ControllerMain vpc-cni-controller
build_jvm_app vpc-emulator io.vpccni.emulator.VpcEmulatorMain vpc-cni-emulator
rmdir "$dist/lib" 2>/dev/null || true
