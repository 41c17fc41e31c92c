#!/usr/bin/env bash
# make bench: benchmarks that write reports to bench/results/. Needs root (namespaces).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -ntp -q -pl bench -am package dependency:build-classpath -DskipTests -Dmdep.outputFile=target/bench.classpath >/dev/null
cp="bench/target/classes:$(cat bench/target/bench.classpath)"
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -cp "$cp" io.vpccni.bench.CniLatencyBench "$PWD"
# the controller's cloud calls: no namespaces, no root needed
"$JAVA_HOME/bin/java" -XX:+UseSerialGC -Dlogback.configurationFile=bench/logback-bench.xml -cp "$cp" io.vpccni.bench.PoolRefillBench "$PWD"
# NetworkPolicy: rule update latency and pod-to-pod throughput (namespaces, root)
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -Dlogback.configurationFile=bench/logback-bench.xml -cp "$cp" io.vpccni.bench.PolicyBench "$PWD"
