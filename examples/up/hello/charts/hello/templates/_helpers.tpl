{{/*
The chart name, overridable with .Values.nameOverride.
*/}}
{{- define "hello.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
A fully qualified name prefix. By default objects keep the names of the services they come
from; .Values.fullnameOverride puts "<fullnameOverride>-" in front of every object name.
*/}}
{{- define "hello.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- include "hello.name" . }}
{{- end }}
{{- end }}

{{/*
The name of one object: (list $ "object-name").
*/}}
{{- define "hello.objectName" -}}
{{- $root := index . 0 }}
{{- $name := index . 1 }}
{{- if $root.Values.fullnameOverride }}
{{- printf "%s-%s" $root.Values.fullnameOverride $name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name }}
{{- end }}
{{- end }}

{{/*
Chart name and version as used by the chart label.
*/}}
{{- define "hello.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels Helm adds to every object, beside the labels each object already carries.
*/}}
{{- define "hello.labels" -}}
helm.sh/chart: {{ include "hello.chart" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
Selector labels of one service: (list $ "service-name").
*/}}
{{- define "hello.selectorLabels" -}}
{{- $name := index . 1 }}
io.kompose.service: {{ $name }}
{{- end }}
