#!/usr/bin/env bash
# Installs the Debian packages the build and tests need, if any is missing, and checks the JDK.
set -euo pipefail
jdk=/usr/lib/jvm/temurin-25-jdk-amd64
if [ ! -x "$jdk/bin/java" ]; then
  echo "vpc-cni needs Temurin 25 at $jdk" >&2
  exit 1
fi
missing=()
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
