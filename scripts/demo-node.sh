#!/usr/bin/env bash
# make demo: two nodes of a stand-in VPC (network namespaces only), one vpc-cni agent per node,
# 10 pods started through the real CNI binary exactly as a container runtime starts them,
# a connectivity matrix, the pool table, then everything torn down.
#
# The stand-in VPC is a "fabric" namespace that routes every VPC address to the veth of the ENI
# that owns it. ENIs and their IPs come from static files; the controller and the VPC emulator
# with a cloud API replace them in the next stage (issue "Pools filled from the cloud").
# Nothing here touches the host's interfaces: every link lives in a namespace named vd<pid>-*.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
P="vd$(printf '%x' $$ | tail -c 5)"      # unique per run
WORK=$(mktemp -d /tmp/vpccni-demo.XXXXXX)
NODES=2 ENIS=2 IPS=8 PODS=10
pids=()
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

cleanup() {
  set +e
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
  for ns in $(ip netns list | awk '{print $1}' | grep "^$P-"); do ip netns del "$ns"; done
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

ipn() { local ns=$1; shift; ip -n "$ns" "$@"; }
sysctl_ns() { ip netns exec "$1" sh -c "echo $3 > /proc/sys/${2//./\/}"; }

say "building the stand-in VPC: fabric, a VPC host, $NODES nodes with $ENIS ENIs of $IPS IPs each"
F=$P-fabric H=$P-vpchost
ip netns add "$F"; ipn "$F" link set lo up
sysctl_ns "$F" net.ipv4.ip_forward 1; sysctl_ns "$F" net.ipv4.conf.all.rp_filter 0; sysctl_ns "$F" net.ipv4.conf.default.rp_filter 0
ipn "$F" addr add 10.0.0.1/32 dev lo
port() { ipn "$F" link set "$1" up; sysctl_ns "$F" "net.ipv4.conf.$1.rp_filter" 0; sysctl_ns "$F" "net.ipv4.conf.$1.proxy_arp" 1; }
ip netns add "$H"; ipn "$H" link set lo up
ipn "$F" link add f-host type veth peer name eth0 netns "$H"
ipn "$H" addr add 10.0.0.100/24 dev eth0; ipn "$H" link set eth0 up; ipn "$H" route add default via 10.0.0.1
port f-host; ipn "$F" route add 10.0.0.100/32 dev f-host

for k in $(seq 1 $NODES); do
  N=$P-node$k
  ip netns add "$N"; ipn "$N" link set lo up
  ipn "$F" link add "f-n$k" type veth peer name eth0 netns "$N"
  ipn "$N" addr add "10.0.0.1$k/24" dev eth0; ipn "$N" link set eth0 up; ipn "$N" route add default via 10.0.0.1
  port "f-n$k"; ipn "$F" route add "10.0.0.1$k/32" dev "f-n$k"
  enis=""
  for e in $(seq 1 $ENIS); do
    mac=$(printf '02:fa:%02x:%02x:00:01' "$k" "$e")
    ipn "$F" link add "f-n${k}e$e" type veth peer name "eni$e" netns "$N"
    ipn "$N" link set "eni$e" address "$mac"
    ipn "$F" addr add "10.$k.$e.1/32" dev lo
    port "f-n${k}e$e"
    ips=""
    for i in $(seq 0 $((IPS - 1))); do
      a="10.$k.$e.$((20 + i))"
      ipn "$F" route add "$a/32" dev "f-n${k}e$e"
      ipn "$F" neigh replace "$a" lladdr "$mac" dev "f-n${k}e$e" nud permanent
      ips="$ips${ips:+,}\"$a\""
    done
    enis="$enis${enis:+,}{\"id\":\"eni-$k-$e\",\"mac\":\"$mac\",\"deviceIndex\":$e,\"subnet\":\"10.$k.$e.0/24\",\"gateway\":\"10.$k.$e.1\",\"primaryIp\":\"10.$k.$e.10\",\"ips\":[$ips]}"
  done
  mkdir -p "$WORK/node$k"
  echo "{\"enis\":[$enis]}" > "$WORK/node$k/enis.json"
  cat > "$WORK/node$k/agent.json" <<JSON
{"node":"node$k","socket":"$WORK/node$k/agent.sock","stateDir":"$WORK/node$k/state","metricsAddress":"127.0.0.1:0","nodeNetns":"/run/netns/$N","enisFile":"$WORK/node$k/enis.json"}
JSON
  echo "  node$k: namespace $N, address 10.0.0.1$k, ENIs: $(ipn "$N" -br link | awk '/^eni/{printf "%s ", $1}')"
done

say "starting one vpc-cni agent per node"
for k in $(seq 1 $NODES); do
  "$root/dist/bin/vpc-cni-agent" --config "$WORK/node$k/agent.json" > "$WORK/node$k/agent.log" 2>&1 &
  pids+=($!)
done
for k in $(seq 1 $NODES); do
  for _ in $(seq 1 300); do [ -S "$WORK/node$k/agent.sock" ] && break; sleep 0.1; done
  [ -S "$WORK/node$k/agent.sock" ] || { echo "agent of node$k did not start:"; cat "$WORK/node$k/agent.log"; exit 1; }
  echo "  node$k agent: socket $WORK/node$k/agent.sock, log $WORK/node$k/agent.log"
done

say "starting $PODS pods through the real CNI binary ($root/dist/cni/vpc-cni), as a runtime does"
declare -A podip podns
for i in $(seq 1 $PODS); do
  k=$(( (i - 1) % NODES + 1 ))
  ns=$P-pod$i; ip netns add "$ns"; ipn "$ns" link set lo up
  conf="{\"cniVersion\":\"1.0.0\",\"name\":\"vpc-cni\",\"type\":\"vpc-cni\",\"agentSocket\":\"$WORK/node$k/agent.sock\"}"
  t0=$(date +%s%N)
  out=$(echo "$conf" | env -i CNI_COMMAND=ADD CNI_CONTAINERID="demo-pod-$i" CNI_NETNS="/run/netns/$ns" CNI_IFNAME=eth0 \
        CNI_PATH=/usr/lib/cni CNI_ARGS="K8S_POD_NAMESPACE=demo;K8S_POD_NAME=pod-$i" "$root/dist/cni/vpc-cni")
  t1=$(date +%s%N)
  ip=$(jq -r '.ips[0].address' <<<"$out" | cut -d/ -f1)
  podip[$i]=$ip podns[$i]=$ns
  printf '  pod-%-2s on node%s  %-12s (ADD took %d ms)\n' "$i" "$k" "$ip" $(( (t1 - t0) / 1000000 ))
done

say "connectivity matrix (ping, one packet each)"
printf '%-8s' "from\\to"; for j in $(seq 1 $PODS); do printf '%-7s' "pod-$j"; done; printf '%-8s%-8s%s\n' node1 node2 vpc-host
fail=0 total=0
for i in $(seq 1 $PODS); do
  printf '%-8s' "pod-$i"
  for dst in $(for j in $(seq 1 $PODS); do echo "${podip[$j]}"; done) 10.0.0.11 10.0.0.12 10.0.0.100; do
    if [ "$dst" = "${podip[$i]}" ]; then printf '%-7s' " -"; continue; fi
    total=$((total + 1))
    if ip netns exec "${podns[$i]}" ping -c1 -W2 -q "$dst" >/dev/null 2>&1; then printf '%-7s' " ok"; else printf '%-7s' " FAIL"; fail=$((fail + 1)); fi
  done
  echo
done
echo "  $((total - fail))/$total reachable"

say "the pools (vpc-cni-cli pool / pods)"
for k in $(seq 1 $NODES); do
  "$root/dist/bin/vpc-cni-cli" pool --socket "$WORK/node$k/agent.sock"
done
"$root/dist/bin/vpc-cni-cli" pods --socket "$WORK/node1/agent.sock"

say "deleting the pods (CNI DEL) and tearing everything down"
for i in $(seq 1 $PODS); do
  k=$(( (i - 1) % NODES + 1 ))
  conf="{\"cniVersion\":\"1.0.0\",\"name\":\"vpc-cni\",\"type\":\"vpc-cni\",\"agentSocket\":\"$WORK/node$k/agent.sock\"}"
  echo "$conf" | env -i CNI_COMMAND=DEL CNI_CONTAINERID="demo-pod-$i" CNI_NETNS="/run/netns/${podns[$i]}" CNI_IFNAME=eth0 \
    CNI_PATH=/usr/lib/cni "$root/dist/cni/vpc-cni" >/dev/null
done
"$root/dist/bin/vpc-cni-cli" status --socket "$WORK/node1/agent.sock"
[ "$fail" -eq 0 ] || { echo "demo FAILED: $fail unreachable pairs"; exit 1; }
echo "demo OK"
