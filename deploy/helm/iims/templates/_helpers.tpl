{{/* Names and labels after `helm create`. */}}
{{- define "iims.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "iims.fullname" -}}
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

{{- define "iims.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "iims.labels" -}}
helm.sh/chart: {{ include "iims.chart" . }}
app.kubernetes.io/name: {{ include "iims.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: iims
{{- end }}

{{/* Per service: call with (dict "root" $ "service" "registry"). */}}
{{- define "iims.serviceName" -}}
{{- printf "%s-%s" (include "iims.fullname" .root) .service | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "iims.selectorLabels" -}}
app.kubernetes.io/name: {{ include "iims.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .service }}
{{- end }}

{{- define "iims.serviceLabels" -}}
{{ include "iims.labels" .root }}
app.kubernetes.io/component: {{ .service }}
{{- end }}

{{- define "iims.image" -}}
{{- $img := .root.Values.image -}}
{{- printf "%s/%s%s:%s" $img.repository $img.prefix .service (default .root.Chart.AppVersion $img.tag) }}
{{- end }}

{{/* Settings every container of a service gets (config from the ConfigMap, secrets from
     existing Secrets; nothing secret is rendered from values). */}}
{{- define "iims.env" -}}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ .root.Values.database.existingSecret }}
      key: {{ .service }}
{{- range $key := list "INTERNAL_TOKEN_SECRET" "PERSONAL_DATA_KEYS" "PERSONAL_DATA_HMAC_KEY" }}
- name: {{ $key }}
  valueFrom:
    secretKeyRef:
      name: {{ $.root.Values.secrets.existingSecret }}
      key: {{ $key }}
{{- end }}
- name: TRUSTED_PROXIES
  value: {{ ternary .root.Values.config.trustedProxies.ingress .root.Values.config.trustedProxies.gateway (eq .service "gateway") | quote }}
{{- if eq .service "gateway" }}
{{- range $key := list "JWT_SECRET" "ADMIN_PASSWORD" }}
- name: {{ $key }}
  valueFrom:
    secretKeyRef:
      name: {{ $.root.Values.secrets.existingSecret }}
      key: {{ $key }}
{{- end }}
{{- range $other := list "registry" "training" "assessment" "audit" }}
- name: {{ upper $other }}_URL
  value: http://{{ include "iims.serviceName" (dict "root" $.root "service" $other) }}:8000
{{- end }}
{{- end }}
{{- if .root.Values.kafka.sasl.existingSecret }}
- name: KAFKA_SASL_USERNAME
  valueFrom:
    secretKeyRef: {name: {{ .root.Values.kafka.sasl.existingSecret }}, key: username}
- name: KAFKA_SASL_PASSWORD
  valueFrom:
    secretKeyRef: {name: {{ .root.Values.kafka.sasl.existingSecret }}, key: password}
{{- end }}
{{- if .root.Values.kafka.tls.caSecret }}
- name: KAFKA_SSL_CAFILE
  value: /etc/iims/kafka/ca.crt
{{- end }}
{{- range $k, $v := (index .root.Values.services .service).env }}
- name: {{ $k }}
  value: {{ $v | quote }}
{{- end }}
{{- end }}
