{{/* Base name of every object: the release name, plus "-vpc-cni" unless it already says so. */}}
{{- define "vpc-cni.fullname" -}}
{{- if contains "vpc-cni" .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-vpc-cni" .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "vpc-cni.labels" -}}
app.kubernetes.io/name: vpc-cni
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Selector labels of one component: include with (list $ "agent"). */}}
{{- define "vpc-cni.selector" -}}
app.kubernetes.io/name: vpc-cni
app.kubernetes.io/instance: {{ (index . 0).Release.Name }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{- define "vpc-cni.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{/* The Secret with the cloud credentials: the existing one, or the chart's; "" for none. */}}
{{- define "vpc-cni.secretName" -}}
{{- if .Values.cloudCredentials.existingSecret -}}
{{- .Values.cloudCredentials.existingSecret -}}
{{- else if .Values.cloudCredentials.data -}}
{{- printf "%s-cloud-credentials" (include "vpc-cni.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/* The agent's config file (docs/agent-config.md). */}}
{{- define "vpc-cni.agentConfig" -}}
{{- $mode := .Values.agent.mode -}}
{{- if not (has $mode (list "shared" "exclusive" "ipvlan")) -}}
{{- fail (printf "agent.mode must be shared, exclusive or ipvlan, not %q" $mode) -}}
{{- end -}}
{{- $snat := .Values.agent.snat -}}
{{- if and $snat.enabled (not $snat.vpcCidrs) -}}
{{- fail "agent.snat.vpcCidrs is required when agent.snat.enabled is true: the VPC's CIDRs are never SNATed" -}}
{{- end -}}
{{- if and $snat.enabled (ne $mode "shared") -}}
{{- fail (printf "agent.snat.enabled needs agent.mode shared, not %q: other modes' pod traffic does not cross the node's netfilter" $mode) -}}
{{- end -}}
{{- if and .Values.cni.chainCilium (ne $mode "shared") -}}
{{- fail (printf "cni.chainCilium needs agent.mode shared, not %q: Cilium's generic-veth chaining sees only a pod's veth, and in this mode the pod's traffic does not cross one" $mode) -}}
{{- end -}}
{{- if and .Values.agent.networkPolicy (ne $mode "shared") -}}
{{- fail (printf "agent.networkPolicy needs agent.mode shared, not %q: in that mode pod traffic does not cross the node's netfilter, so no rule could apply; set agent.networkPolicy false" $mode) -}}
{{- end -}}
{{- if and .Values.cni.chainCilium .Values.agent.networkPolicy -}}
{{- fail "cni.chainCilium and agent.networkPolicy are both on: with Cilium chained, Cilium enforces NetworkPolicy; turn agent.networkPolicy off" -}}
{{- end -}}
{{- $c := dict
  "node" "${env:NODE_NAME}"
  "eniSource" "kubernetes"
  "mode" $mode
  "socket" "/run/vpc-cni/agent.sock"
  "stateDir" .Values.agent.stateDir
  "ipCooldownSeconds" .Values.agent.ipCooldownSeconds
  "fixedIpTtlSeconds" .Values.agent.fixedIpTtlSeconds
  "routeTableBase" .Values.agent.routeTableBase
  "mtu" .Values.agent.mtu
  "metricsAddress" (ternary (printf "0.0.0.0:%v" .Values.agent.metricsPort) "" (gt (int .Values.agent.metricsPort) 0))
  "networkPolicy" .Values.agent.networkPolicy
  "devicePlugin" .Values.agent.devicePlugin
  "devicePluginDir" "/var/lib/kubelet/device-plugins"
  "snat" (dict "enabled" $snat.enabled "vpcCidrs" $snat.vpcCidrs "nonSnatCidrs" $snat.nonSnatCidrs "mark" $snat.mark "kubeProxyMasqueradeBit" $snat.kubeProxyMasqueradeBit)
-}}
{{- toPrettyJson $c -}}
{{- end -}}

{{/* The conflist (docs/cni-config.md): vpc-cni first, then the chained plugins. */}}
{{- define "vpc-cni.conflist" -}}
{{- $vpc := dict "type" "vpc-cni" "agentSocket" "/run/vpc-cni/agent.sock" "agentTimeoutSeconds" .Values.cni.agentTimeoutSeconds -}}
{{- if not .Values.cni.bandwidth }}{{ $_ := set $vpc "capabilities" (dict "bandwidth" true) }}{{ end -}}
{{- if gt (int .Values.cni.mtu) 0 }}{{ $_ := set $vpc "mtu" .Values.cni.mtu }}{{ end -}}
{{- if .Values.cni.logFile }}{{ $_ := set $vpc "logFile" .Values.cni.logFile }}{{ end -}}
{{- $plugins := list $vpc -}}
{{- if .Values.cni.portmap -}}
{{- $plugins = append $plugins (dict "type" "portmap" "capabilities" (dict "portMappings" true) "snat" true) -}}
{{- end -}}
{{- if .Values.cni.bandwidth -}}
{{- $plugins = append $plugins (dict "type" "bandwidth" "capabilities" (dict "bandwidth" true)) -}}
{{- end -}}
{{- if .Values.cni.chainCilium -}}
{{- $plugins = append $plugins (dict "type" "cilium-cni" "chaining-mode" "generic-veth") -}}
{{- end -}}
{{- toPrettyJson (dict "cniVersion" "1.0.0" "name" .Values.cni.networkName "plugins" $plugins) -}}
{{- end -}}

{{/* The controller's config file (docs/controller-config.md). */}}
{{- define "vpc-cni.controllerConfig" -}}
{{- $c := .Values.controller -}}
{{- $settings := dict -}}
{{- range $k, $v := $c.providerSettings }}{{ $_ := set $settings $k (toString $v) }}{{ end -}}
{{- range $setting, $key := .Values.cloudCredentials.providerSettings -}}
{{- if not (regexMatch "^[A-Za-z_][A-Za-z0-9_]*$" $key) -}}
{{- fail (printf "cloudCredentials.providerSettings.%s: %q is not an environment variable name" $setting $key) -}}
{{- end -}}
{{- $_ := set $settings $setting (printf "${env:%s}" $key) -}}
{{- end -}}
{{- toPrettyJson (dict
  "clusterId" (required "controller.clusterId is required: a name unique among the clusters sharing the VPC (it tags every ENI; GC deletes tagged ENIs whose node is not in this cluster)" $c.clusterId)
  "provider" $c.provider
  "providerSettings" $settings
  "leaseNamespace" .Release.Namespace
  "leaseName" $c.leaseName
  "leaseDurationSeconds" $c.leaseDurationSeconds
  "warmPool" $c.warmPool
  "resyncSeconds" $c.resyncSeconds
  "cloudResyncSeconds" $c.cloudResyncSeconds
  "subnetCacheSeconds" $c.subnetCacheSeconds
  "gcPeriodSeconds" $c.gcPeriodSeconds
  "gcGraceSeconds" $c.gcGraceSeconds
  "cloudCallsPerSecond" $c.cloudCallsPerSecond
  "cloudBurst" $c.cloudBurst
  "metricsAddress" (ternary (printf ":%v" $c.metricsPort) "" (gt (int $c.metricsPort) 0))
) -}}
{{- end -}}
