#!/usr/bin/env bash
# make demo (cluster form): `vpc-cni-cli local up` with 2 nodes (VPC emulator with its namespace
# data plane, API server stand-in, controller, one agent per node), 10 pods through the real CNI
# binary, a connectivity matrix (pod↔pod across nodes, pod↔node, pod↔a VPC host outside the
# cluster), the pool table, then `local down`. Nothing touches the host's interfaces.
set -euo pipefail
cd "$(dirname "$0")/.."
cli=dist/bin/vpc-cni-cli
DIR=$(mktemp -d /tmp/vpccni-demo.XXXXXX)
rmdir "$DIR"
PODS=10
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
cleanup() { "$cli" local down --dir "$DIR" >/dev/null 2>&1 || true; }
trap cleanup EXIT INT TERM

say "local up: 2 nodes"
"$cli" local up --nodes 2 --dir "$DIR" | sed 's/^/  /'
desc=$DIR/cluster.json
prefix=$(jq -r .prefix "$desc")

say "starting $PODS pods through the real CNI binary (the pool grows through the controller as needed)"
declare -A podip
for i in $(seq 1 $PODS); do
  node=$(( (i - 1) % 2 + 1 ))
  ok=""
  for attempt in $(seq 1 30); do          # the first pods may wait for the controller's first ENI
    if out=$("$cli" local pod add "pod-$i" --node "$node" --dir "$DIR" 2>/dev/null); then ok=1; break; fi
    "$cli" local pod del "pod-$i" --node "$node" --dir "$DIR" >/dev/null 2>&1 || true
    sleep 1
  done
  [ -n "$ok" ] || { echo "pod-$i never got an address"; exit 1; }
  podip[$i]=$(jq -r '.ips[0].address' <<<"$out" | cut -d/ -f1)
  printf '  pod-%-2s on node%s  %s%s\n' "$i" "$node" "${podip[$i]}" "$([ "$attempt" -gt 1 ] && echo "  (after $attempt tries: waited for the pool to grow)")"
done

say "connectivity matrix (ping, one packet each)"
n1=$(jq -r '.nodes[0].ip' "$desc"); n2=$(jq -r '.nodes[1].ip' "$desc"); host=$(jq -r '.vpcHost.ip' "$desc")
printf '%-8s' "from\\to"; for j in $(seq 1 $PODS); do printf '%-7s' "pod-$j"; done; printf '%-7s%-7s%s\n' node1 node2 vpc-host
fail=0 total=0
for i in $(seq 1 $PODS); do
  printf '%-8s' "pod-$i"
  for dst in $(for j in $(seq 1 $PODS); do echo "${podip[$j]}"; done) "$n1" "$n2" "$host"; do
    if [ "$dst" = "${podip[$i]}" ]; then printf '%-7s' " -"; continue; fi
    total=$((total + 1))
    if ip netns exec "$prefix-pod-pod-$i" ping -c1 -W2 -q "$dst" >/dev/null 2>&1; then printf '%-7s' " ok"; else printf '%-7s' " FAIL"; fail=$((fail + 1)); fi
  done
  echo
done
echo "  $((total - fail))/$total reachable"

say "the pools"
for k in 1 2; do "$cli" pool --socket "$(jq -r ".nodes[$((k-1))].agentSocket" "$desc")"; done

say "deleting the pods and tearing the cluster down"
for i in $(seq 1 $PODS); do "$cli" local pod del "pod-$i" --node $(( (i - 1) % 2 + 1 )) --dir "$DIR" >/dev/null; done
"$cli" local down --dir "$DIR" | sed 's/^/  /'
trap - EXIT
[ "$fail" -eq 0 ] || { echo "demo FAILED: $fail unreachable pairs"; exit 1; }
echo "demo OK"
