#!/usr/bin/env bash
# Builds the vpc-cni container image from dist/ as an OCI image-layout tarball, without Docker or a
# registry (`make image`; `make build` first). Usage:
#
#   scripts/make-image.sh [--out FILE] [--name REPOSITORY:TAG]
#
# Defaults: target/image/vpc-cni-oci.tar, named ghcr.io/vpc-cni/vpc-cni:<chart appVersion> (the
# chart's image.repository and default tag). IMAGE_REPOSITORY and IMAGE_TAG override the name.
#
# Layers, from the one that changes least:
#   1. debian   a Debian 12 (bookworm) userland of exactly these packages, unpacked from the .debs
#               apt would install (`apt-get download` + `dpkg-deb -x`; no maintainer scripts run):
#               glibc, dash (/bin/sh for the CNI installer), coreutils (cp, mv, rm), nftables (the
#               agent's NetworkPolicy runs `nft`) and their libraries, base-files (os-release),
#               netbase (/etc/protocols, /etc/services for nft). merged /usr as bookworm has it.
#               Docs, man pages, locales and glibc's gconv modules are left out; copyright files
#               stay, and /var/lib/dpkg/status.d/ lists every package for image scanners.
#   2. java     a Java runtime jlinked from the build JDK with the modules agent, controller and cli
#               need (jdeps), at /opt/vpc-cni/jre (JAVA_HOME). The CNI binary keeps its own, smaller
#               runtime inside cni/vpc-cni.d, which the init container copies to the node.
#   3. dist     dist/ at /opt/vpc-cni (the chart's image.distDir), minus the VPC emulator.
#
# Why .debs and not `debootstrap --variant=minbase`: minbase installs every Priority: required
# package (33 in bookworm, 73 MB by their Installed-Size: dpkg, perl-base, bash, util-linux,
# login...) plus apt, none of which runs here; these 21 packages unpack to 16 MB (after dropping
# docs and gconv), and need no debootstrap, no chroot maintainer scripts and no extra apt package.
#
# Deterministic: the same .debs, JDK and dist/ give the same image digest (ImageMain normalises
# every tar entry; labels come from the pom and git, `created` is the commit's time).
# Cached under ${VPC_CNI_CACHE:-~/.cache/vpc-cni}/image: the .debs, the unpacked root, the jlinked
# runtime, the jdeps result for third-party jars, and gzipped layers by content; a second build
# only re-tars and hashes.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
: "${JAVA_HOME:=/usr/lib/jvm/temurin-25-jdk-amd64}"
jdk=$JAVA_HOME
dist=$root/dist
cache=${VPC_CNI_CACHE:-${HOME:-/root}/.cache/vpc-cni}/image
out=$root/target/image/vpc-cni-oci.tar
name=
dist_dir=/opt/vpc-cni
# Part of the cache keys of the unpacked root and the jlinked runtime: bump it when a change to
# this script changes what goes into them (the package list and the JDK are in the keys already).
recipe=1

die() { echo "make-image: $*" >&2; exit 1; }
log() { echo "make-image: $*" >&2; }

while [ $# -gt 0 ]; do
  case $1 in
    --out) out=$2; shift 2 ;;
    --name) name=$2; shift 2 ;;
    *) die "unknown argument $1 (usage: scripts/make-image.sh [--out FILE] [--name REPO:TAG])" ;;
  esac
done

version=$(sed -n 's:^  <version>\(.*\)</version>:\1:p' "$root/pom.xml" | head -1)
app_version=$(sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$root/deploy/helm/vpc-cni/Chart.yaml")
[ -n "$version" ] || die "no <version> in pom.xml"
[ -n "$name" ] || name=${IMAGE_REPOSITORY:-ghcr.io/vpc-cni/vpc-cni}:${IMAGE_TAG:-$app_version}
e2e_jar=$root/e2e/target/e2e-$version.jar
for f in bin/vpc-cni-agent bin/vpc-cni-controller bin/vpc-cni-cli cni/vpc-cni cni/vpc-cni.d/runtime/bin/java; do
  [ -e "$dist/$f" ] || die "dist/$f is missing: run 'make build' first"
done
[ -f "$e2e_jar" ] || die "$e2e_jar is missing: run 'make build' first"
[ -x "$jdk/bin/jlink" ] || die "no JDK at $jdk (set JAVA_HOME to Temurin 25)"
mkdir -p "$cache" "$(dirname "$out")"

# ---------------------------------------------------------------------------------------------
# 1. The Debian userland
# ---------------------------------------------------------------------------------------------
packages=(base-files netbase libc6 libgcc-s1 dash coreutils libacl1 libattr1 libgmp10
  libselinux1 libpcre2-8-0 nftables libnftables1 libnftnl11 libmnl0 libxtables12 libjansson4
  libedit2 libbsd0 libmd0 libtinfo6)

# One apt-cache call for all: each call reads the whole package cache (seconds on a busy machine).
candidates() { # -> "package version architecture" per package apt would install
  apt-cache show --no-all-versions "${packages[@]}" 2>/dev/null \
    | awk '/^Package: /{p=$2} /^Version: /{v=$2} /^Architecture: /{a=$2} /^$/{if (p) print p, v, a; p=""}'
}
found=$(candidates)
if [ "$(echo "$found" | grep -c .)" -ne ${#packages[@]} ]; then
  log "apt lacks some package lists: apt-get update"
  apt-get update -qq
  found=$(candidates)
fi

debs=()
missing=()
for p in "${packages[@]}"; do
  read -r _ v a <<< "$(echo "$found" | awk -v p="$p" '$1 == p' | head -1)"
  [ -n "${v:-}" ] || die "apt knows no package $p"
  f=$cache/debs/${p}_${v//:/%3a}_$a.deb
  debs+=("$f")
  [ -f "$f" ] || missing+=("$p=$v")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "downloading ${#missing[@]} .debs into $cache/debs"
  mkdir -p "$cache/debs"
  dl=$(mktemp -d "$cache/debs/.download-XXXXXX")
  (cd "$dl" && apt-get download -q -o APT::Sandbox::User=root "${missing[@]}" >/dev/null)
  mv -f "$dl"/*.deb "$cache/debs/"
  rmdir "$dl"
fi
for f in "${debs[@]}"; do [ -f "$f" ] || die "apt-get download did not leave $f"; done

base_key=$( { printf '%s\n' "${debs[@]##*/}"; echo "$recipe"; } | sha256sum | cut -c1-16)
rootfs=$cache/rootfs-$base_key
if [ ! -d "$rootfs" ]; then
  log "unpacking ${#debs[@]} packages"
  stage=$cache/.rootfs-stage-$$
  rm -rf "$stage"
  mkdir -p "$stage"
  for f in "${debs[@]}"; do
    dpkg-deb -x "$f" "$stage"
    p=$(dpkg-deb -f "$f" Package)
    mkdir -p "$stage/var/lib/dpkg/status.d"
    dpkg-deb -f "$f" Package Version Architecture Maintainer Installed-Size Depends Pre-Depends \
      Source Homepage Description > "$stage/var/lib/dpkg/status.d/$p"
  done
  # merged /usr, as a bookworm installation has it
  for d in bin sbin lib lib64; do
    if [ -d "$stage/$d" ] && [ ! -L "$stage/$d" ]; then
      mkdir -p "$stage/usr/$d"
      cp -a "$stage/$d/." "$stage/usr/$d/"
      rm -rf "${stage:?}/$d"
    fi
    ln -s "usr/$d" "$stage/$d"
  done
  # what nothing in the image reads: documentation (copyright files stay), locales, iconv modules
  find "$stage/usr/share/doc" -type f ! -name copyright -delete
  find "$stage/usr/share/doc" -type l -delete
  rm -rf "$stage/usr/share/man" "$stage/usr/share/info" "$stage/usr/share/locale" \
    "$stage/usr/share/lintian" "$stage"/usr/lib/*-linux-gnu*/gconv \
    "$stage/usr/share/doc-base" "$stage/usr/share/bug"
  # accounts: root, and nonroot (65532) for the controller, which runs as that user
  mkdir -p "$stage/etc" "$stage/tmp" "$stage/root" "$stage/home/nonroot" "$stage/proc" "$stage/sys" \
    "$stage/dev" "$stage/run" "$stage/var/tmp"
  printf 'root:x:0:0:root:/root:/bin/sh\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' > "$stage/etc/passwd"
  printf 'root:x:0:\nnonroot:x:65532:\n' > "$stage/etc/group"
  printf 'hosts: files dns\n' > "$stage/etc/nsswitch.conf"
  chmod 1777 "$stage/tmp" "$stage/var/tmp"
  chmod 700 "$stage/root"
  if [ "$(id -u)" = 0 ]; then
    # the userland must run by itself: the shell and tools the chart uses, and nft
    chroot "$stage" /bin/sh -c 'cp --version >/dev/null && mv --version >/dev/null && rm --version >/dev/null' \
      || die "coreutils do not run in the unpacked root"
    chroot "$stage" /usr/sbin/nft --version >/dev/null || die "nft does not run in the unpacked root"
  fi
  # another build may have made the same root meanwhile: then keep that one
  mv -T "$stage" "$rootfs" 2>/dev/null || rm -rf "$stage"
  find "$cache" -maxdepth 1 -name 'rootfs-*' ! -name "${rootfs##*/}" -mtime +1 -exec rm -rf {} +
fi
log "debian layer: $(du -sh "$rootfs" | cut -f1) ($rootfs)"

# ---------------------------------------------------------------------------------------------
# 2. The Java runtime of agent, controller and cli
# ---------------------------------------------------------------------------------------------
apps=(agent controller cli)
jars=()
for m in "${apps[@]}"; do jars+=("$dist"/lib/"$m"/*.jar); done
ours=() theirs=()
declare -A seen=()
for j in "${jars[@]}"; do
  b=${j##*/}
  [ -n "${seen[$b]:-}" ] && continue
  seen[$b]=1
  case $b in
    *-"$version".jar) ours+=("$j") ;;
    *) theirs+=("$j") ;;
  esac
done
jdeps_modules() {
  "$jdk/bin/jdeps" --print-module-deps --ignore-missing-deps --multi-release 25 -q "$@"
}
# Third-party jars never change under the same file name: their modules are cached by the names.
theirs_key=$(printf '%s\n' "${theirs[@]##*/}" | sort | sha256sum | cut -c1-16)
theirs_file=$cache/jdeps-$theirs_key
if [ ! -f "$theirs_file" ]; then
  log "jdeps over ${#theirs[@]} third-party jars (cached afterwards)"
  jdeps_modules "${theirs[@]}" > "$theirs_file.tmp.$$"
  mv "$theirs_file.tmp.$$" "$theirs_file"
fi
modules=$( { cat "$theirs_file"; jdeps_modules "${ours[@]}"; } | tr ',' '\n' | grep . | sort -u | paste -sd,)
jre_key=$( { echo "$modules"; cat "$jdk/release"; echo "$recipe"; } | sha256sum | cut -c1-16)
jre=$cache/jre-$jre_key
if [ ! -d "$jre" ]; then
  log "jlink $modules"
  rm -rf "$jre.stage-$$"
  # The AWT, font, sound and image natives of java.desktop (present for java.beans, which Jackson
  # and SnakeYAML use) would need X11, ALSA and freetype, which the image does not have.
  "$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files \
    --exclude-files='**/libawt_xawt.so,**/libsplashscreen.so,**/libjsound.so,**/libfontmanager.so,**/libjawt.so,**/liblcms.so,**/libjavajpeg.so,**/libmlib_image.so' \
    --output "$jre.stage-$$"
  mv -T "$jre.stage-$$" "$jre" 2>/dev/null || rm -rf "$jre.stage-$$"
  find "$cache" -maxdepth 1 -name 'jre-*' ! -name "${jre##*/}" -mtime +1 -exec rm -rf {} +
fi
log "java layer: $(du -sh "$jre" | cut -f1), modules $modules"

# ---------------------------------------------------------------------------------------------
# 3. The image
# ---------------------------------------------------------------------------------------------
revision=$(git -C "$root" rev-parse HEAD 2>/dev/null || echo unknown)
created=$(git -C "$root" log -1 --format=%cI 2>/dev/null || echo 1970-01-01T00:00:00Z)
if [ -n "$(git -C "$root" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
  revision=$revision-dirty
fi
t0=$(date +%s%N)
"$jdk/bin/java" -cp "$e2e_jar" io.vpccni.e2e.image.ImageMain \
  --out "$out" --name "$name" --blob-cache "$cache/layers" \
  --exclude '(\.cni-stage|\.aot-training\.log|bin/vpc-cni-emulator|lib/vpc-emulator)(/.*)?' \
  --layer "$rootfs::debian 12 packages: ${packages[*]}" \
  --layer "$jre:${dist_dir#/}/jre:jlink --add-modules $modules" \
  --layer "$dist:${dist_dir#/}:make build's dist/" \
  --env "PATH=$dist_dir/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
  --env "JAVA_HOME=$dist_dir/jre" \
  --user 65532:65532 \
  --workdir / \
  --cmd "$dist_dir/bin/vpc-cni-cli" --cmd --help \
  --created "$created" \
  --label "org.opencontainers.image.title=vpc-cni" \
  --label "org.opencontainers.image.description=vpc-cni agent, controller, CLI and CNI binary (dist/ at $dist_dir)" \
  --label "org.opencontainers.image.version=$version" \
  --label "org.opencontainers.image.revision=$revision" \
  --label "org.opencontainers.image.created=$created" \
  --label "org.opencontainers.image.source=https://github.com/vpc-cni/vpc-cni" \
  --label "org.opencontainers.image.base.name=debian:bookworm (packages from apt, see /var/lib/dpkg/status.d)" \
  --label "io.vpc-cni.dist-dir=$dist_dir"
t1=$(date +%s%N)
# keep the six most recently used gzipped layers (base, java and a few dist/ builds)
ls -1t "$cache"/layers/*.tar.gz 2>/dev/null | tail -n +7 | xargs -r rm -f
log "$out: $name, $(du -h "$out" | cut -f1), packed in $(( (t1 - t0) / 1000000 )) ms"
