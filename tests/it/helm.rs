//! The Helm chart, rendered by a real `helm` (built by `scripts/helm`) for
//! every `helm/redactd/ci/*-values.yaml`, parsed, and checked for what a
//! platform team relies on: the locked-down security context, the probes,
//! key material only from Secrets, a grace period above the drain timeout,
//! a config the daemon accepts, and a `checksum/config` that rolls pods.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn chart() -> PathBuf {
    root().join("helm/redactd")
}

/// The helm binary: built once by `scripts/helm` (go install, cached).
/// Fails the test loudly when it cannot be built.
fn helm() -> &'static Path {
    static HELM: OnceLock<PathBuf> = OnceLock::new();
    HELM.get_or_init(|| {
        let out = Command::new(root().join("scripts/helm"))
            .arg("path")
            .output()
            .expect("run scripts/helm");
        assert!(
            out.status.success(),
            "scripts/helm could not build helm (needs go and the Go module proxy):\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8(out.stdout).expect("utf-8 path");
        let path = PathBuf::from(stdout.lines().last().expect("a path line").trim());
        assert!(path.is_file(), "scripts/helm printed {path:?}, not a file");
        path
    })
}

/// Every `ci/*-values.yaml`, sorted.
fn ci_values() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(chart().join("ci"))
        .expect("helm/redactd/ci")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.ends_with("-values.yaml"))
        })
        .collect();
    files.sort();
    files
}

/// `helm template` with values files and `--set` pairs: Ok(manifests) or
/// Err(stderr).
fn try_render(values: &[&Path], sets: &[&str]) -> Result<Vec<Value>, String> {
    let mut cmd = Command::new(helm());
    cmd.args(["template", "rel", chart().to_str().expect("utf-8 path")])
        .args(["--namespace", "ns"]);
    for v in values {
        cmd.arg("-f").arg(v);
    }
    for s in sets {
        cmd.args(["--set", s]);
    }
    let out = cmd.output().expect("run helm template");
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let text = String::from_utf8(out.stdout).expect("utf-8 manifests");
    let mut docs = Vec::new();
    for de in serde_norway::Deserializer::from_str(&text) {
        let doc = serde_norway::Value::deserialize(de).expect("rendered YAML parses");
        if doc.is_null() {
            continue;
        }
        docs.push(serde_json::to_value(doc).expect("manifest as JSON"));
    }
    assert!(!docs.is_empty(), "helm rendered nothing");
    Ok(docs)
}

fn render(values: &[&Path], sets: &[&str]) -> Vec<Value> {
    try_render(values, sets).unwrap_or_else(|e| panic!("helm template {values:?} {sets:?}: {e}"))
}

fn of_kind<'a>(docs: &'a [Value], kind: &str) -> Vec<&'a Value> {
    docs.iter().filter(|d| d["kind"] == kind).collect()
}

fn one<'a>(docs: &'a [Value], kind: &str) -> &'a Value {
    let found = of_kind(docs, kind);
    assert_eq!(found.len(), 1, "want one {kind}, got {}", found.len());
    found[0]
}

/// The chart's own ConfigMap's `redactd.yaml`.
fn config_text(docs: &[Value]) -> String {
    of_kind(docs, "ConfigMap")
        .into_iter()
        .find_map(|c| c["data"]["redactd.yaml"].as_str())
        .expect("a ConfigMap with redactd.yaml")
        .to_string()
}

fn checksum(docs: &[Value]) -> String {
    one(docs, "Deployment")["spec"]["template"]["metadata"]["annotations"]["checksum/config"]
        .as_str()
        .expect("checksum/config annotation")
        .to_string()
}

fn name(p: &Path) -> String {
    p.file_name()
        .expect("file name")
        .to_string_lossy()
        .into_owned()
}

#[test]
fn there_is_a_ci_values_file_per_option() {
    let names: Vec<String> = ci_values().iter().map(|p| name(p)).collect();
    for want in [
        "default-values.yaml",
        "keyset-values.yaml",
        "packs-values.yaml",
        "servicemonitor-values.yaml",
        "prometheusrule-values.yaml",
        "hpa-values.yaml",
        "networkpolicy-values.yaml",
        "dashboard-values.yaml",
        "drain-values.yaml",
    ] {
        assert!(names.iter().any(|n| n == want), "no ci/{want}: {names:?}");
    }
}

#[test]
fn every_ci_values_file_renders_a_locked_down_deployment() {
    for values in ci_values() {
        let ctx = name(&values);
        let docs = render(&[&values], &[]);
        let dep = one(&docs, "Deployment");
        let pod = &dep["spec"]["template"]["spec"];

        // Pod and container security context.
        let psc = &pod["securityContext"];
        assert_eq!(psc["runAsNonRoot"], true, "{ctx}: pod runAsNonRoot");
        assert_eq!(
            psc["seccompProfile"]["type"], "RuntimeDefault",
            "{ctx}: pod seccomp"
        );
        let containers = pod["containers"].as_array().expect("containers");
        assert_eq!(containers.len(), 1, "{ctx}");
        let c = &containers[0];
        let sc = &c["securityContext"];
        assert_eq!(sc["runAsNonRoot"], true, "{ctx}: runAsNonRoot");
        assert_eq!(sc["readOnlyRootFilesystem"], true, "{ctx}: read-only root");
        assert_eq!(sc["allowPrivilegeEscalation"], false, "{ctx}: escalation");
        assert_eq!(
            sc["capabilities"]["drop"],
            serde_json::json!(["ALL"]),
            "{ctx}: drop ALL"
        );
        assert!(
            sc["capabilities"].get("add").is_none(),
            "{ctx}: no capability added"
        );
        assert_eq!(
            sc["seccompProfile"]["type"], "RuntimeDefault",
            "{ctx}: seccomp"
        );
        assert_ne!(sc["privileged"], true, "{ctx}: privileged");
        assert!(
            c["resources"]["requests"]["cpu"].is_string()
                && c["resources"]["limits"]["memory"].is_string(),
            "{ctx}: resources {}",
            c["resources"]
        );
        assert_eq!(
            pod["automountServiceAccountToken"], false,
            "{ctx}: no API token"
        );

        // Probes on the metrics port.
        let port = c["ports"]
            .as_array()
            .and_then(|ps| ps.iter().find(|p| p["name"] == "metrics"))
            .unwrap_or_else(|| panic!("{ctx}: no metrics port"));
        assert_eq!(port["containerPort"], 9464, "{ctx}");
        assert_eq!(
            c["livenessProbe"]["httpGet"]["path"], "/healthz",
            "{ctx}: liveness"
        );
        assert_eq!(
            c["readinessProbe"]["httpGet"]["path"], "/readyz",
            "{ctx}: readiness"
        );
        assert_eq!(c["livenessProbe"]["httpGet"]["port"], "metrics", "{ctx}");
        assert_eq!(c["readinessProbe"]["httpGet"]["port"], "metrics", "{ctx}");

        // The rendered config is one the daemon accepts, listening where
        // the probes look, and the grace period outlasts its drain.
        let text = config_text(&docs);
        let cfg = redactd::config::Config::parse(&text)
            .unwrap_or_else(|(path, reason)| panic!("{ctx}: config {path}: {reason}\n{text}"));
        assert_eq!(cfg.metrics.listen, "0.0.0.0:9464", "{ctx}");
        let grace = pod["terminationGracePeriodSeconds"]
            .as_u64()
            .unwrap_or_else(|| panic!("{ctx}: terminationGracePeriodSeconds"));
        assert!(
            grace * 1000 > cfg.kafka.drain_timeout_ms,
            "{ctx}: grace {grace} s is not above drain_timeout_ms {}",
            cfg.kafka.drain_timeout_ms
        );
        assert!(
            c["args"]
                .as_array()
                .is_some_and(|a| a.iter().any(|x| x == "/etc/redactd/config/redactd.yaml")),
            "{ctx}: args {}",
            c["args"]
        );

        // The checksum annotation is a sha256.
        let sum = checksum(&docs);
        assert!(
            sum.len() == 64 && sum.bytes().all(|b| b.is_ascii_hexdigit()),
            "{ctx}: {sum}"
        );

        // Services point at the metrics port; the PDB and HPA select our pods.
        let svc = one(&docs, "Service");
        assert_eq!(svc["spec"]["ports"][0]["targetPort"], "metrics", "{ctx}");
        assert_eq!(
            svc["spec"]["selector"], dep["spec"]["selector"]["matchLabels"],
            "{ctx}"
        );
        for pdb in of_kind(&docs, "PodDisruptionBudget") {
            assert_eq!(
                pdb["spec"]["selector"]["matchLabels"], dep["spec"]["selector"]["matchLabels"],
                "{ctx}"
            );
        }
    }
}

#[test]
fn drain_timeout_drives_the_grace_period() {
    for (ms, min_grace) in [(1_000u64, 2u64), (45_500, 47), (120_000, 121)] {
        let docs = render(&[], &[&format!("config.kafka.drain_timeout_ms={ms}")]);
        let grace = one(&docs, "Deployment")["spec"]["template"]["spec"]
            ["terminationGracePeriodSeconds"]
            .as_u64()
            .expect("grace");
        assert!(grace >= min_grace, "drain {ms} ms → grace {grace} s");
    }
}

/// Strings that only key material or credentials would put in a manifest.
const KEY_MARKERS: &[&str] = &[
    "\"material\"",
    "aes-256-gcm",
    "hmac-sha256",
    "REDACTD_KEYSET",
    "sasl.password",
    "BEGIN PRIVATE KEY",
];

#[test]
fn key_material_only_comes_from_existing_secrets() {
    for values in ci_values() {
        let ctx = name(&values);
        let docs = render(&[&values], &[]);
        assert!(
            of_kind(&docs, "Secret").is_empty(),
            "{ctx}: the chart renders no Secret"
        );
        for cm in of_kind(&docs, "ConfigMap") {
            let text = serde_json::to_string(&cm["data"]).expect("json");
            for m in KEY_MARKERS {
                assert!(!text.contains(m), "{ctx}: ConfigMap holds {m}");
            }
        }
    }

    // With existing Secrets: the keyset is a read-only Secret volume whose
    // file is the config's keys.file; Kafka credentials come by Secret name.
    let keyset = chart().join("ci/keyset-values.yaml");
    let docs = render(&[&keyset], &[]);
    let pod = &one(&docs, "Deployment")["spec"]["template"]["spec"];
    let vol = pod["volumes"]
        .as_array()
        .and_then(|vs| vs.iter().find(|v| v["name"] == "keyset"))
        .expect("keyset volume");
    assert_eq!(vol["secret"]["secretName"], "redactd-keyset");
    let mount = pod["containers"][0]["volumeMounts"]
        .as_array()
        .and_then(|ms| ms.iter().find(|m| m["name"] == "keyset"))
        .expect("keyset mount");
    assert_eq!(mount["readOnly"], true);
    let cfg = redactd::config::Config::parse(&config_text(&docs)).expect("config");
    let file = cfg.keys.file.expect("keys.file set");
    assert_eq!(
        file,
        Path::new(mount["mountPath"].as_str().expect("path")).join("keyset.json")
    );
    let env = &pod["containers"][0]["env"][0];
    assert_eq!(env["valueFrom"]["secretKeyRef"]["name"], "redactd-kafka");
    assert!(
        env.get("value").is_none(),
        "credential env has a plain value"
    );
    let kafka_vol = pod["volumes"]
        .as_array()
        .and_then(|vs| vs.iter().find(|v| v["name"] == "kafka-credentials"))
        .expect("kafka credentials volume");
    assert_eq!(kafka_vol["secret"]["secretName"], "redactd-kafka");

    // Without a keyset Secret, no keys.file is configured at all.
    let docs = render(&[], &[]);
    let cfg = redactd::config::Config::parse(&config_text(&docs)).expect("config");
    assert!(cfg.keys.file.is_none());
}

#[test]
fn key_material_in_values_fails_the_render() {
    // A real keyset, so the test would notice its material in any output.
    let dir = tempfile::tempdir().expect("tempdir");
    let keyset = redactd::keys::Keyset::generate();
    let json = keyset.to_json();
    let file = dir.path().join("keyset.json");
    std::fs::write(&file, json.as_bytes()).expect("write keyset");
    let material: Vec<String> = serde_json::from_str::<Value>(json.as_str()).expect("keyset json")
        ["keys"]
        .as_object()
        .expect("keys")
        .values()
        .map(|k| k["material"].as_str().expect("material").to_string())
        .collect();
    assert!(!material.is_empty());

    let mut cmd = Command::new(helm());
    cmd.args(["template", "rel", chart().to_str().expect("path")])
        .arg("--set-file")
        .arg(format!("keys.keyset={}", file.display()));
    let out = cmd.output().expect("helm");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "rendered a keyset from values");
    assert!(
        stderr.contains("keys.keyset") && stderr.contains("keys.existingSecret"),
        "{stderr}"
    );
    for m in &material {
        assert!(!stderr.contains(m.as_str()), "key material in the error");
        assert!(!String::from_utf8_lossy(&out.stdout).contains(m.as_str()));
    }

    for (set, key) in [
        ("config.keys.file=/k.json", "config.keys"),
        (
            "config.kafka.consumer.sasl\\.password=SENTINEL-PASSWORD",
            "config.kafka.consumer.sasl.password",
        ),
        (
            "config.kafka.producer.ssl\\.key\\.pem=SENTINEL-PEM",
            "config.kafka.producer.ssl.key.pem",
        ),
    ] {
        let err = try_render(&[], &[set]).expect_err(set);
        assert!(err.contains(key), "{set}: {err}");
        assert!(
            err.contains("Secret") && !err.contains("SENTINEL"),
            "{set}: {err}"
        );
    }
}

#[test]
fn checksum_follows_the_config_and_only_the_config() {
    let base = checksum(&render(&[], &[]));
    assert_eq!(
        base,
        checksum(&render(&[], &[])),
        "rendering is deterministic"
    );
    assert_ne!(
        base,
        checksum(&render(&[], &["config.record.max_record_bytes=2048"])),
        "config change"
    );
    assert_ne!(
        base,
        checksum(&render(&[&chart().join("ci/packs-values.yaml")], &[])),
        "packs and dictionaries change"
    );
    assert_eq!(
        base,
        checksum(&render(&[], &["replicaCount=5"])),
        "a replica change does not roll pods"
    );
}

#[test]
fn packs_and_dictionaries_are_mounted_and_configured() {
    let docs = render(&[&chart().join("ci/packs-values.yaml")], &[]);
    let cfg = redactd::config::Config::parse(&config_text(&docs)).expect("config");
    assert!(cfg
        .detection
        .packs
        .iter()
        .any(|p| p == "/etc/redactd/packs"));
    assert!(cfg.detection.packs.iter().any(|p| p == "builtin"));
    assert_eq!(cfg.detection.dictionaries.len(), 1);
    let dict_file = cfg.detection.dictionaries[0].file.clone();
    let cm = one(&docs, "ConfigMap");
    let key = Path::new(&dict_file)
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    let entries = cm["data"][key.as_str()].as_str().expect("dictionary data");
    assert_eq!(
        entries.lines().collect::<Vec<_>>(),
        ["bluebird", "nightjar"]
    );
    assert!(cm["data"]["pack-acme.toml"]
        .as_str()
        .is_some_and(|t| t.contains("name = \"acme\"")));
}

#[test]
fn opt_in_objects_appear_only_when_enabled() {
    let default = render(&[], &[]);
    for kind in [
        "ServiceMonitor",
        "PrometheusRule",
        "HorizontalPodAutoscaler",
        "NetworkPolicy",
    ] {
        assert!(of_kind(&default, kind).is_empty(), "{kind} on by default");
    }
    assert_eq!(
        of_kind(&default, "ConfigMap").len(),
        1,
        "dashboard is opt-in"
    );
    one(&default, "PodDisruptionBudget");
    one(&default, "ServiceAccount");

    for (file, kind) in [
        ("servicemonitor", "ServiceMonitor"),
        ("prometheusrule", "PrometheusRule"),
        ("hpa", "HorizontalPodAutoscaler"),
        ("networkpolicy", "NetworkPolicy"),
    ] {
        let docs = render(&[&chart().join(format!("ci/{file}-values.yaml"))], &[]);
        one(&docs, kind);
        if kind == "HorizontalPodAutoscaler" {
            assert!(
                one(&docs, "Deployment")["spec"].get("replicas").is_none(),
                "the HPA owns replicas"
            );
        }
    }

    let docs = render(&[&chart().join("ci/dashboard-values.yaml")], &[]);
    let dash = of_kind(&docs, "ConfigMap")
        .into_iter()
        .find(|c| c["metadata"]["labels"]["grafana_dashboard"] == "1")
        .expect("dashboard ConfigMap");
    let json: Value = serde_json::from_str(dash["data"]["redactd.json"].as_str().expect("json"))
        .expect("dashboard is JSON");
    let exprs = serde_json::to_string(&json["panels"]).expect("panels");
    for metric in [
        "redactd_records_total",
        "redactd_findings_total",
        "redactd_consumer_lag",
        "redactd_record_duration_seconds_bucket",
    ] {
        assert!(exprs.contains(metric), "dashboard lacks {metric}");
    }
}

/// The PrometheusRule's groups pass `promtool check rules` (Debian's
/// prometheus package; scripts/prometheus installs it), and every alert the
/// issue asks for is there.
#[test]
fn alert_rules_pass_promtool() {
    let docs = render(&[&chart().join("ci/prometheusrule-values.yaml")], &[]);
    let rule = one(&docs, "PrometheusRule");
    let alerts: Vec<&str> = rule["spec"]["groups"][0]["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .filter_map(|r| r["alert"].as_str())
        .collect();
    for want in [
        "RedactdConsumerLagGrowing",
        "RedactdQuarantineRateHigh",
        "RedactdNoRecordsProcessed",
        "RedactdTransactionAborts",
        "RedactdRestarting",
    ] {
        assert!(alerts.contains(&want), "no {want}: {alerts:?}");
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("rules.yaml");
    std::fs::write(
        &file,
        serde_norway::to_string(&serde_json::json!({"groups": rule["spec"]["groups"]}))
            .expect("yaml"),
    )
    .expect("write rules");
    let out = Command::new(root().join("scripts/prometheus"))
        .args(["promtool", "check", "rules"])
        .arg(&file)
        .output()
        .expect("run scripts/prometheus promtool");
    assert!(
        out.status.success(),
        "promtool check rules:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every leaf of values.yaml has a row in the chart README's values table.
#[test]
fn readme_documents_every_value() {
    fn leaves(prefix: &str, v: &serde_norway::Value, out: &mut Vec<String>) {
        match v {
            serde_norway::Value::Mapping(m) if !m.is_empty() => {
                for (k, v) in m {
                    let k = k.as_str().expect("string key");
                    let p = if prefix.is_empty() {
                        k.to_string()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    leaves(&p, v, out);
                }
            }
            _ => out.push(prefix.to_string()),
        }
    }
    let values: serde_norway::Value = serde_norway::from_str(
        &std::fs::read_to_string(chart().join("values.yaml")).expect("values.yaml"),
    )
    .expect("values.yaml parses");
    let readme = std::fs::read_to_string(chart().join("README.md")).expect("README.md");
    let mut keys = Vec::new();
    leaves("", &values, &mut keys);
    assert!(keys.len() > 50, "{keys:?}");
    for k in keys {
        assert!(
            readme.contains(&format!("| `{k}` |")),
            "helm/redactd/README.md has no row for {k}"
        );
    }
}

/// The alerts fire on the series they are meant for and stay quiet on a
/// healthy pipeline: `promtool test rules` over synthetic series (one
/// sample a minute) with the rules as rendered for `ci/prometheusrule`
/// (quarantine threshold 5 %, lag threshold 10000, `for: 10m`).
#[test]
fn alerts_fire_on_synthetic_series() {
    let docs = render(&[&chart().join("ci/prometheusrule-values.yaml")], &[]);
    let rule = one(&docs, "PrometheusRule");
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("rules.yaml"),
        serde_norway::to_string(&serde_json::json!({"groups": rule["spec"]["groups"]}))
            .expect("yaml"),
    )
    .expect("write rules");
    // The selector the chart puts in every rule: release "rel" in "ns".
    let sel = r#"namespace="ns", job="rel-redactd""#;
    let tests = format!(
        r#"
rule_files: [rules.yaml]
evaluation_interval: 1m
tests:
  # Healthy: records flow, 1 % quarantined, lag small, one abort, no restart.
  - interval: 1m
    input_series:
      - series: 'redactd_records_total{{{sel}, outcome="curated"}}'
        values: '0+990x40'
      - series: 'redactd_records_total{{{sel}, outcome="quarantined"}}'
        values: '0+10x40'
      - series: 'redactd_consumer_lag{{{sel}, topic="raw", partition="0"}}'
        values: '50x40'
      - series: 'redactd_transactions_total{{{sel}, result="aborted"}}'
        values: '0x20 1x20'
      - series: 'process_start_time_seconds{{{sel}, pod="p"}}'
        values: '1000x40'
      - series: 'up{{{sel}, pod="p"}}'
        values: '1x40'
    alert_rule_test:
      - {{eval_time: 30m, alertname: RedactdQuarantineRateHigh, exp_alerts: []}}
      - {{eval_time: 30m, alertname: RedactdConsumerLagGrowing, exp_alerts: []}}
      - {{eval_time: 30m, alertname: RedactdNoRecordsProcessed, exp_alerts: []}}
      - {{eval_time: 30m, alertname: RedactdTransactionAborts, exp_alerts: []}}
      - {{eval_time: 30m, alertname: RedactdRestarting, exp_alerts: []}}
      - {{eval_time: 30m, alertname: RedactdAbsent, exp_alerts: []}}
  # Sick: 10 % quarantined, lag rising by 1000 a minute, target down.
  - interval: 1m
    input_series:
      - series: 'up{{{sel}, pod="p"}}'
        values: '0x40'
      - series: 'redactd_records_total{{{sel}, outcome="curated"}}'
        values: '0+900x40'
      - series: 'redactd_records_total{{{sel}, outcome="quarantined"}}'
        values: '0+100x40'
      - series: 'redactd_consumer_lag{{{sel}, topic="raw", partition="0"}}'
        values: '0+1000x40'
    alert_rule_test:
      - eval_time: 30m
        alertname: RedactdQuarantineRateHigh
        exp_alerts:
          - exp_labels: {{severity: warning}}
            exp_annotations:
              summary: redactd quarantines more than 5% of records
              description: 10% of records went to quarantine over 5 minutes; see redactd_errors_total by class.
      - eval_time: 30m
        alertname: RedactdConsumerLagGrowing
        exp_alerts:
          - exp_labels: {{severity: warning, topic: raw}}
            exp_annotations:
              summary: redactd consumer lag on raw is growing
              description: Lag is 30000 messages and rising for 10m.
      - eval_time: 30m
        alertname: RedactdAbsent
        exp_alerts:
          - exp_labels: {{severity: critical, namespace: ns, job: rel-redactd}}
            exp_annotations:
              summary: no redactd target is up
              description: Prometheus scrapes no healthy redactd pod in ns.
  # Stuck: input waits, nothing written; transactions abort; restarts.
  - interval: 1m
    input_series:
      - series: 'redactd_records_total{{{sel}, outcome="curated"}}'
        values: '500x40'
      - series: 'redactd_consumer_lag{{{sel}, topic="raw", partition="0"}}'
        values: '700x40'
      - series: 'redactd_transactions_total{{{sel}, result="aborted"}}'
        values: '0+1x40'
      - series: 'process_start_time_seconds{{{sel}, pod="p"}}'
        values: '1000 1000 1060 1060 1120 1120 1180 1180'
    alert_rule_test:
      - eval_time: 30m
        alertname: RedactdNoRecordsProcessed
        exp_alerts:
          - exp_labels: {{severity: critical}}
            exp_annotations:
              summary: redactd processes no records while input is waiting
              description: No record was written for 10 minutes although consumer lag is 700.
      - eval_time: 30m
        alertname: RedactdTransactionAborts
        exp_alerts:
          - exp_labels: {{severity: warning}}
            exp_annotations:
              summary: redactd aborts Kafka transactions
              description: 15 transactions aborted in 15 minutes.
      - eval_time: 8m
        alertname: RedactdRestarting
        exp_alerts:
          - exp_labels: {{severity: warning, namespace: ns, job: rel-redactd, pod: p}}
            exp_annotations:
              summary: redactd pod p restarted more than twice in 30 minutes
              description: Check the pod's last state (OOMKilled?) and logs.
      - eval_time: 30m
        alertname: RedactdAbsent
        exp_alerts:
          - exp_labels: {{severity: critical, namespace: ns, job: rel-redactd}}
            exp_annotations:
              summary: no redactd target is up
              description: Prometheus scrapes no healthy redactd pod in ns.
"#
    );
    let file = dir.path().join("tests.yaml");
    std::fs::write(&file, tests).expect("write tests");
    let out = Command::new(root().join("scripts/prometheus"))
        .args(["promtool", "test", "rules"])
        .arg(&file)
        .current_dir(dir.path())
        .output()
        .expect("run scripts/prometheus promtool");
    assert!(
        out.status.success(),
        "promtool test rules:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
