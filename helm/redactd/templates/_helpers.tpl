{{/*
Chart name, truncated to 63 characters (the DNS label limit).
*/}}
{{- define "redactd.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Fully qualified app name: release-chart, or the release name alone when it
already contains the chart name; truncated to 63 characters.
*/}}
{{- define "redactd.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Chart label value: name-version.
*/}}
{{- define "redactd.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Common labels.
*/}}
{{- define "redactd.labels" -}}
helm.sh/chart: {{ include "redactd.chart" . }}
{{ include "redactd.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: redactd
{{- end }}

{{/*
Selector labels: stable for the life of a release (a Deployment's selector
cannot change).
*/}}
{{- define "redactd.selectorLabels" -}}
app.kubernetes.io/name: {{ include "redactd.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
ServiceAccount name.
*/}}
{{- define "redactd.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "redactd.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Image reference: repository@digest, or repository:tag (appVersion default).
*/}}
{{- define "redactd.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/*
Where the pod finds its files.
*/}}
{{- define "redactd.configDir" -}}/etc/redactd/config{{- end }}
{{- define "redactd.packsDir" -}}/etc/redactd/packs{{- end }}
{{- define "redactd.dictionariesDir" -}}/etc/redactd/dictionaries{{- end }}
{{- define "redactd.keysDir" -}}/etc/redactd/keys{{- end }}
{{- define "redactd.kafkaSecretDir" -}}/etc/redactd/kafka{{- end }}

{{/*
ConfigMap key of dictionary number $i.
*/}}
{{- define "redactd.dictionaryFile" -}}
{{- printf "dictionary-%d-%s.txt" .index (.type | lower | replace "_" "-") }}
{{- end }}

{{/*
Fails the render when key material or Kafka credentials would end up in a
ConfigMap. Credentials come only from existing Secrets (keys.existingSecret,
kafka.existingSecret); the chart never renders them from values.
*/}}
{{- define "redactd.validate" -}}
{{- range $k, $v := .Values.keys }}
{{- if not (has $k (list "existingSecret" "secretKey")) }}
{{- fail (printf "keys.%s: the chart never renders key material from values. Create a Secret holding the keyset (kubectl create secret generic redactd-keyset --from-file=keyset.json) and set keys.existingSecret to its name." $k) }}
{{- end }}
{{- end }}
{{- if hasKey .Values.config "keys" }}
{{- fail "config.keys: the chart owns this section. Set keys.existingSecret (an existing Secret with the keyset) instead; key material is never rendered from values." }}
{{- end }}
{{- if and (hasKey .Values.config "metrics") (.Values.config.metrics) }}
{{- fail "config.metrics: the chart owns this section. Set metrics.port instead." }}
{{- end }}
{{- $secretSettings := list "sasl.password" "sasl.username" "ssl.key.password" "ssl.key.pem" "ssl.certificate.pem" "ssl_key" "ssl.keystore.password" "sasl.oauthbearer.client.secret" "sasl.oauthbearer.config" }}
{{- $kafka := default dict .Values.config.kafka }}
{{- range $side := list "consumer" "producer" }}
{{- range $k, $v := (default dict (index $kafka $side)) }}
{{- if has $k $secretSettings }}
{{- fail (printf "config.kafka.%s.%s: Kafka credentials are never rendered into the ConfigMap. Put them in an existing Secret, set kafka.existingSecret, and point librdkafka at the mounted files (e.g. ssl.key.location: /etc/redactd/kafka/tls.key) or map them to environment variables with kafka.secretEnv." $side $k) }}
{{- end }}
{{- end }}
{{- end }}
{{- if and .Values.kafka.secretEnv (not .Values.kafka.existingSecret) }}
{{- fail "kafka.secretEnv needs kafka.existingSecret: the variables are read from that Secret." }}
{{- end }}
{{- end }}

{{/*
The drain timeout in whole seconds (rounded up).
*/}}
{{- define "redactd.drainSeconds" -}}
{{- $ms := int64 (default 10000 (dig "kafka" "drain_timeout_ms" 10000 .Values.config)) }}
{{- div (add $ms 999) 1000 }}
{{- end }}

{{/*
terminationGracePeriodSeconds: the drain timeout plus a margin, so that the
kubelet's SIGKILL never lands while redactd drains and commits.
*/}}
{{- define "redactd.terminationGracePeriodSeconds" -}}
{{- $extra := int64 .Values.terminationGracePeriodExtraSeconds }}
{{- if lt $extra 1 }}
{{- fail "terminationGracePeriodExtraSeconds must be at least 1: the grace period has to exceed config.kafka.drain_timeout_ms." }}
{{- end }}
{{- add (include "redactd.drainSeconds" . | int64) $extra }}
{{- end }}

{{/*
The config file: values.config plus the keys the chart owns.
*/}}
{{- define "redactd.configFile" -}}
{{- $cfg := deepCopy .Values.config }}
{{- $_ := set $cfg "metrics" (dict "listen" (printf "0.0.0.0:%d" (int .Values.metrics.port))) }}
{{- if .Values.keys.existingSecret }}
{{- $_ := set $cfg "keys" (dict "file" (printf "%s/%s" (include "redactd.keysDir" .) .Values.keys.secretKey)) }}
{{- end }}
{{- $detection := default dict (get $cfg "detection") }}
{{- if .Values.packs }}
{{- $packs := default (list "builtin") (get $detection "packs") }}
{{- $_ := set $detection "packs" (append $packs (include "redactd.packsDir" .)) }}
{{- end }}
{{- if .Values.dictionaries }}
{{- $dicts := list }}
{{- range $i, $d := .Values.dictionaries }}
{{- $file := include "redactd.dictionaryFile" (dict "index" $i "type" $d.type) }}
{{- $dicts = append $dicts (dict "type" $d.type "file" (printf "%s/%s" (include "redactd.dictionariesDir" $) $file) "case_insensitive" (default false $d.case_insensitive)) }}
{{- end }}
{{- $_ := set $detection "dictionaries" (concat (default list (get $detection "dictionaries")) $dicts) }}
{{- end }}
{{- $_ := set $cfg "detection" $detection }}
{{- toYaml $cfg }}
{{- end }}
