# vpc-cni — see README.md. `make help` lists the targets.
SHELL := /bin/bash
export JAVA_HOME := /usr/lib/jvm/temurin-25-jdk-amd64
export PATH := $(JAVA_HOME)/bin:$(PATH)
MVN ?= mvn -B -ntp
APT_PACKAGES := iproute2 nftables iptables iperf3 iputils-ping containernetworking-plugins containerd runc busybox-static procps util-linux jq

.PHONY: help deps build image test unit check format helm-lint demo demo-node bench clean
.DEFAULT_GOAL := help

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

deps: ## install what the build and tests need (apt packages; checks the JDK)
	@scripts/install-deps.sh $(APT_PACKAGES)

build: deps ## compile and package; executables land in dist/bin, the CNI bin-dir layout in dist/cni
	$(MVN) -q package dependency:copy-dependencies -DskipTests -DincludeScope=runtime -DoutputDirectory=target/runtime-deps
	scripts/make-dist.sh

image: build ## the container image (agent, controller, cli, CNI installer) as an OCI layout tarball: target/image/vpc-cni-oci.tar
	scripts/make-image.sh

format: ## apply google-java-format to every Java source
	$(MVN) -q spotless:apply

check: ## format check and architecture rules (ArchUnit), no root needed
	$(MVN) -q spotless:check
	$(MVN) -q verify -Dtest='*ArchitectureTest' -Dsurefire.failIfNoSpecifiedTests=false

unit: ## unit tests only (no root, no namespaces, no real neutron-server)
	$(MVN) verify -Dtest.excludedGroups=netns,e2e,neutron

test: build ## all tests: unit, namespace (root), runtime and real neutron-server (installs it) tests
	$(MVN) verify

helm-lint: ## lint the Helm chart, render its examples and validate every object (no helm binary needed)
	$(MVN) verify -pl deploy -am -Dtest='io.vpccni.deploy.**' -Dsurefire.failIfNoSpecifiedTests=false

demo: build ## local cluster (VPC emulator, API server stand-in, controller, 2 agents), 10 pods through the real CNI binary, matrix, pools, teardown
	scripts/demo.sh

demo-node: build ## one node on a static stand-in VPC (no controller): the node side alone
	scripts/demo-node.sh

bench: build ## benchmarks; reports in bench/results/
	scripts/bench.sh

clean: ## remove build output
	$(MVN) -q clean
	rm -rf dist
