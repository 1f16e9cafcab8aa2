//! The example's first-boot script, taken from the synthesized template (what deploys), run
//! with bash in a temporary root against stubs of the commands it calls, and then read back
//! the way systemd would read the Grafana service it sets up.
//!
//! The stubs model first boot: the database secret, Grafana's admin secret and the DNS name
//! `db.<internal zone>` appear only after a few tries (other stacks create them later), and
//! `dnf install grafana` installs the RPM's unit and sysconfig file (fixtures in
//! `tests/fixtures/grafana`). The `aws` stub answers `get-secret-value` by secret name only and
//! refuses everything else, `list-secrets` included.

use crate::two_region;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A generated master password may hold anything but `"@/\'` and space
/// (`PASSWORD_EXCLUDED_CHARACTERS`): shell and env-file metacharacters included.
const NASTY_PASSWORD: &str = "p$a#s%w!r(d;x`1";
/// The name of the example's database secret (`<pair>/PrimaryData/Database`).
const SECRET_NAME: &str = "Shop/PrimaryData/Database";
/// The name of the example's Grafana admin secret.
const ADMIN_SECRET_NAME: &str = "Shop/PrimaryData/AppSecrets/GrafanaAdmin";
/// What the admin secret holds: the password alone, letters and digits.
const ADMIN_PASSWORD: &str = "Z9kq2LmW7xV4pT1sR8nB3cD6fG0hJ5yA";
const UNIT: &str = "grafana-server";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/grafana")
}

/// The primary site's user data, as the `Shop-Primary` stack's launch template carries it.
fn primary_user_data() -> String {
    let assembly = dr_synth::synth(&two_region::build())
        .unwrap_or_else(|d| panic!("the example must synthesize:\n{d}"));
    let stack = assembly
        .stack("Shop-Primary")
        .expect("the Shop-Primary stack");
    let resources = stack.template["Resources"]
        .as_object()
        .expect("a Resources object");
    let templates: Vec<_> = resources
        .values()
        .filter(|r| r["Type"] == "AWS::EC2::LaunchTemplate")
        .collect();
    assert_eq!(templates.len(), 1, "one launch template in Shop-Primary");
    templates[0]["Properties"]["LaunchTemplateData"]["UserData"]["Fn::Base64"]
        .as_str()
        .expect("UserData is {\"Fn::Base64\": \"<script>\"}")
        .to_string()
}

/// What the stubs answer.
struct Scenario {
    /// `get-secret-value` of the database secret fails (no such secret yet) this many times.
    secret_absent_calls: u64,
    /// `get-secret-value` of the admin secret fails this many times.
    admin_absent_calls: u64,
    /// `getent hosts` fails (no such name yet) this many times.
    dns_absent_calls: u64,
    /// The secret's password.
    password: String,
    /// `DRKIT_WAIT_LIMIT_SECS`, when set.
    wait_limit: Option<&'static str>,
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            secret_absent_calls: 2,
            admin_absent_calls: 1,
            dns_absent_calls: 2,
            password: NASTY_PASSWORD.to_string(),
            wait_limit: None,
        }
    }
}

/// One run of the script: the root it wrote into and what the stubs recorded.
struct Boot {
    _dir: tempfile::TempDir,
    root: PathBuf,
    state: PathBuf,
    output: Output,
}

impl Boot {
    fn stdout_and_stderr(&self) -> String {
        format!(
            "--- stdout ---\n{}\n--- stderr ---\n{}",
            String::from_utf8_lossy(&self.output.stdout),
            String::from_utf8_lossy(&self.output.stderr)
        )
    }

    /// The argument lines a stub logged (empty when it was never called).
    fn log(&self, stub: &str) -> Vec<String> {
        std::fs::read_to_string(self.state.join(format!("{stub}.log")))
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }

    fn in_root(&self, path: &str) -> PathBuf {
        self.root.join(path.trim_start_matches('/'))
    }
}

fn write_stub(dir: &Path, name: &str, body: &str) {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(name);
    let script = format!(
        "#!/bin/bash\n# Test stub of {name}: logs its arguments.\nset -euo pipefail\nS=\"$DRKIT_TEST_STATE\"\nprintf '%s\\n' \"$*\" >>\"$S/{name}.log\"\n{body}"
    );
    std::fs::write(&path, script).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// `count NAME`: how many times this stub has been called, this call included.
const COUNT: &str = "count() { local n; n=$(( $(cat \"$S/$1.count\" 2>/dev/null || echo 0) + 1 )); echo \"$n\" >\"$S/$1.count\"; echo \"$n\"; }\n";

/// Runs `script` with bash: `DRKIT_ROOT` a fresh temporary root, the stubs first on `PATH`.
fn boot(script: &str, scenario: &Scenario) -> Boot {
    let dir = tempfile::tempdir().unwrap();
    let (root, stubs, state) = (
        dir.path().join("root"),
        dir.path().join("stubs"),
        dir.path().join("state"),
    );
    for d in [&root, &stubs, &state] {
        std::fs::create_dir_all(d).unwrap();
    }
    let secret = serde_json::json!({ "username": "admin", "password": scenario.password });
    std::fs::write(state.join("secret-string"), secret.to_string()).unwrap();
    std::fs::write(state.join("admin-secret-string"), ADMIN_PASSWORD).unwrap();

    write_stub(
        &stubs,
        "dnf",
        r#"if [[ $1 == install ]]; then
  for p in "$@"; do
    if [[ $p == grafana ]]; then
      mkdir -p "$DRKIT_TEST_ROOT/usr/lib/systemd/system" "$DRKIT_TEST_ROOT/etc/sysconfig"
      cp "$DRKIT_TEST_FIXTURES/grafana-server.service" "$DRKIT_TEST_ROOT/usr/lib/systemd/system/grafana-server.service"
      cp "$DRKIT_TEST_FIXTURES/grafana-server.sysconfig" "$DRKIT_TEST_ROOT/etc/sysconfig/grafana-server"
    fi
  done
fi
"#,
    );
    // `is-active` answers "inactive", as on first boot.
    write_stub(
        &stubs,
        "systemctl",
        "if [[ $1 == is-active ]]; then exit 3; fi\n",
    );
    // IMDSv2: the Region is served only with the token.
    write_stub(
        &stubs,
        "curl",
        r#"case "$*" in
  *"-X PUT http://169.254.169.254/latest/api/token"*) printf 'TOKEN' ;;
  *"X-aws-ec2-metadata-token: TOKEN"*"/latest/meta-data/placement/region"*) printf 'us-east-2' ;;
  *) echo "curl: (22) The requested URL returned error: 401" >&2; exit 22 ;;
esac
"#,
    );
    write_stub(
        &stubs,
        "aws",
        &format!(
            r#"{COUNT}absent() {{ echo "An error occurred (ResourceNotFoundException) when calling the GetSecretValue operation: Secrets Manager can't find the specified secret." >&2; exit 254; }}
case "$2" in
  get-secret-value)
    case "$*" in
      *"--secret-id {SECRET_NAME} "*)
        if (( $(count db-secret) <= {absent} )); then absent; fi
        cat "$S/secret-string"; echo ;;
      *"--secret-id {ADMIN_SECRET_NAME} "*)
        if (( $(count admin-secret) <= {admin_absent} )); then absent; fi
        cat "$S/admin-secret-string"; echo ;;
      *) absent ;;
    esac ;;
  *) echo "aws stub: unexpected $*" >&2; exit 252 ;;
esac
"#,
            absent = scenario.secret_absent_calls,
            admin_absent = scenario.admin_absent_calls,
        ),
    );
    write_stub(
        &stubs,
        "getent",
        &format!(
            "{COUNT}if (( $(count getent) <= {absent} )); then exit 2; fi\necho \"10.10.3.7       ${{2:-}}\"\n",
            absent = scenario.dns_absent_calls
        ),
    );
    write_stub(&stubs, "sleep", "");

    let script_path = state.join("user-data.sh");
    std::fs::write(&script_path, script).unwrap();
    let path = format!(
        "{}:{}",
        stubs.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = Command::new("bash");
    cmd.arg(&script_path)
        .current_dir(dir.path())
        .env("PATH", path)
        .env("DRKIT_ROOT", &root)
        .env("DRKIT_TEST_ROOT", &root)
        .env("DRKIT_TEST_STATE", &state)
        .env("DRKIT_TEST_FIXTURES", fixtures())
        .env_remove("DRKIT_WAIT_LIMIT_SECS")
        .env_remove("DRKIT_REGION");
    if let Some(limit) = scenario.wait_limit {
        cmd.env("DRKIT_WAIT_LIMIT_SECS", limit);
    }
    let output = cmd.output().expect("bash runs");
    Boot {
        _dir: dir,
        root,
        state,
        output,
    }
}

/// The settings of a unit file or drop-in in file order, as (section, key, value). Lines
/// ending in a backslash continue on the next line, the backslash read as a space; lines
/// starting with `#` or `;` are comments (systemd.syntax(7),
/// <https://www.freedesktop.org/software/systemd/man/latest/systemd.syntax.html>).
fn unit_settings(text: &str) -> Vec<(String, String, String)> {
    let mut logical = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let trimmed = line.trim_start();
        if current.is_empty() && (trimmed.starts_with('#') || trimmed.starts_with(';')) {
            continue;
        }
        match line.trim_end().strip_suffix('\\') {
            Some(head) => {
                current.push_str(head);
                current.push(' ');
            }
            None => {
                current.push_str(line);
                logical.push(std::mem::take(&mut current));
            }
        }
    }
    let mut section = String::new();
    let mut out = Vec::new();
    for line in logical {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = name.to_string();
        } else if let Some((key, value)) = line.split_once('=') {
            out.push((
                section.clone(),
                key.trim().to_string(),
                value.trim().to_string(),
            ));
        } else {
            panic!("not a unit-file line: {line:?}");
        }
    }
    out
}

/// An environment file as systemd reads it (systemd.exec(5), "EnvironmentFile=",
/// <https://www.freedesktop.org/software/systemd/man/latest/systemd.exec.html#EnvironmentFile=>):
/// `KEY=VALUE` lines; blank lines and lines starting with `#` or `;` ignored; a value in
/// single quotes verbatim, in double quotes with backslash escapes, unquoted with leading
/// and trailing whitespace dropped and backslashes escaping the next character; no `$`
/// expansion. Multi-line values are not modelled (the script refuses newlines).
fn parse_env_file(text: &str) -> BTreeMap<String, String> {
    let mut env = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        let Some((key, raw)) = line.split_once('=') else {
            continue;
        };
        let raw = raw.trim_start();
        let value = if let Some(rest) = raw.strip_prefix('\'') {
            let end = rest
                .find('\'')
                .unwrap_or_else(|| panic!("unterminated single quote: {line:?}"));
            assert!(
                rest[end + 1..].trim().is_empty(),
                "text after the closing quote: {line:?}"
            );
            rest[..end].to_string()
        } else if let Some(rest) = raw.strip_prefix('"') {
            let mut value = String::new();
            let mut chars = rest.chars();
            loop {
                match chars.next() {
                    Some('"') => break,
                    Some('\\') => value.extend(chars.next()),
                    Some(c) => value.push(c),
                    None => panic!("unterminated double quote: {line:?}"),
                }
            }
            assert!(
                chars.as_str().trim().is_empty(),
                "text after the closing quote: {line:?}"
            );
            value
        } else {
            let mut value = String::new();
            let mut chars = raw.trim_end().chars();
            while let Some(c) = chars.next() {
                if c == '\\' {
                    value.extend(chars.next());
                } else {
                    value.push(c);
                }
            }
            value
        };
        env.insert(key.trim().to_string(), value);
    }
    env
}

/// The Grafana service as systemd would run it from the files in the root.
struct Service {
    /// `[Unit]` settings, the last assignment of each key.
    unit: BTreeMap<String, String>,
    /// `[Service]` settings, the last assignment of each key.
    service: BTreeMap<String, String>,
    /// The environment: the `EnvironmentFile=`s in order, a later file overriding.
    env: BTreeMap<String, String>,
    /// The files read, in order.
    files: Vec<PathBuf>,
}

/// Composes the service as systemd does: the unit, then each drop-in of
/// `/etc/systemd/system/<unit>.service.d/*.conf` in file-name order (systemd.unit(5),
/// <https://www.freedesktop.org/software/systemd/man/latest/systemd.unit.html>);
/// `EnvironmentFile=` accumulates (an empty one resets the list) and the environment files
/// are read in that order, later ones overriding. Paths are resolved under the root.
fn compose_service(boot: &Boot) -> Service {
    let unit_file = boot.in_root(&format!("/usr/lib/systemd/system/{UNIT}.service"));
    let mut files = vec![unit_file];
    let drop_in_dir = boot.in_root(&format!("/etc/systemd/system/{UNIT}.service.d"));
    let mut drop_ins: Vec<PathBuf> = std::fs::read_dir(&drop_in_dir)
        .map(|d| {
            d.map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|x| x == "conf"))
                .collect()
        })
        .unwrap_or_default();
    drop_ins.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
    files.extend(drop_ins);

    let (mut unit, mut service) = (BTreeMap::new(), BTreeMap::new());
    let mut env_files: Vec<String> = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file)
            .unwrap_or_else(|e| panic!("reading {}: {e}", file.display()));
        for (section, key, value) in unit_settings(&text) {
            match (section.as_str(), key.as_str()) {
                ("Service", "EnvironmentFile") if value.is_empty() => env_files.clear(),
                ("Service", "EnvironmentFile") => env_files.push(value),
                ("Service", _) => {
                    service.insert(key, value);
                }
                ("Unit", _) => {
                    unit.insert(key, value);
                }
                _ => {}
            }
        }
    }
    let mut env = BTreeMap::new();
    for spec in &env_files {
        let (optional, path) = match spec.strip_prefix('-') {
            Some(p) => (true, p),
            None => (false, spec.as_str()),
        };
        assert!(
            path.starts_with('/'),
            "EnvironmentFile= takes an absolute path: {spec}"
        );
        match std::fs::read_to_string(boot.in_root(path)) {
            Ok(text) => env.extend(parse_env_file(&text)),
            Err(_) if optional => {}
            Err(e) => panic!(
                "EnvironmentFile={spec} cannot be read (in the root: {}): {e}; systemd would refuse to start the service",
                boot.in_root(path).display()
            ),
        }
    }
    Service {
        unit,
        service,
        env,
        files,
    }
}

/// The `${VAR}`s a command line uses.
fn braced_vars(command: &str) -> Vec<String> {
    command
        .split("${")
        .skip(1)
        .filter_map(|s| s.split_once('}').map(|(name, _)| name.to_string()))
        .collect()
}

/// Every file under `dir`, relative to it, sorted.
fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn bootstrap_first_boot_waits_then_grafana_is_configured_to_serve() {
    let boot = boot(&primary_user_data(), &Scenario::default());
    let out = boot.stdout_and_stderr();
    assert!(boot.output.status.success(), "the script failed:\n{out}");

    // The package's files are as shipped.
    let sysconfig = std::fs::read(boot.in_root("/etc/sysconfig/grafana-server")).unwrap();
    assert_eq!(
        sysconfig,
        std::fs::read(fixtures().join("grafana-server.sysconfig")).unwrap(),
        "/etc/sysconfig/grafana-server was changed; the unit reads its paths from it\n{out}"
    );
    let unit_file = boot.in_root("/usr/lib/systemd/system/grafana-server.service");
    assert_eq!(
        std::fs::read(&unit_file).unwrap(),
        std::fs::read(fixtures().join("grafana-server.service")).unwrap()
    );

    // The service as systemd composes it.
    let svc = compose_service(&boot);
    let exec_start = svc.service.get("ExecStart").expect("ExecStart");
    let used = braced_vars(exec_start);
    assert!(
        used.len() >= 6,
        "ExecStart uses the sysconfig paths: {used:?}"
    );
    for var in &used {
        let value = svc.env.get(var).map(String::as_str).unwrap_or("");
        assert!(
            !value.is_empty(),
            "ExecStart uses ${{{var}}}, which the service's environment leaves empty (files read: {:?}); env: {:?}",
            svc.files,
            svc.env.keys().collect::<Vec<_>>()
        );
    }
    let env = |k: &str| svc.env.get(k).map(String::as_str);
    assert_eq!(env("GF_DATABASE_HOST"), Some("db.shop.internal:3306"));
    assert_eq!(env("GF_DATABASE_PASSWORD"), Some(NASTY_PASSWORD));
    assert_eq!(env("GF_DATABASE_USER"), Some("admin"));
    assert_eq!(env("GF_DATABASE_NAME"), Some("grafana"));
    assert_eq!(env("GF_DATABASE_TYPE"), Some("mysql"));
    assert_eq!(env("GF_SERVER_HTTP_PORT"), Some("3000"));
    // The admin password comes from the secret, never Grafana's `admin` default.
    assert_eq!(env("GF_SECURITY_ADMIN_PASSWORD"), Some(ADMIN_PASSWORD));

    // The secret is readable by root alone; systemd reads it as PID 1.
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(boot.in_root(&format!("/etc/drkit/{UNIT}.env")))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "env file mode {:o}", mode & 0o777);
    }
    assert_eq!(
        svc.service.get("Restart").map(String::as_str),
        Some("always")
    );
    assert_eq!(
        svc.unit.get("StartLimitIntervalSec").map(String::as_str),
        Some("0")
    );

    // Nothing else was written, no temporary file left behind.
    assert_eq!(
        files_under(&boot.root),
        [
            "etc/drkit/grafana-server.env",
            "etc/sysconfig/grafana-server",
            "etc/systemd/system/grafana-server.service.d/50-drkit-environment.conf",
            "etc/systemd/system/grafana-server.service.d/60-drkit-restart.conf",
            "etc/yum.repos.d/grafana.repo",
            "usr/lib/systemd/system/grafana-server.service",
        ]
    );
    let repo = std::fs::read_to_string(boot.in_root("/etc/yum.repos.d/grafana.repo")).unwrap();
    for line in [
        "baseurl=https://rpm.grafana.com",
        "repo_gpgcheck=1",
        "gpgcheck=1",
        "sslverify=1",
    ] {
        assert!(repo.lines().any(|l| l == line), "{line} in\n{repo}");
    }

    let systemctl = boot.log("systemctl");
    let at = |cmd: &str| {
        systemctl
            .iter()
            .position(|l| l == cmd)
            .unwrap_or_else(|| panic!("`systemctl {cmd}` was not run: {systemctl:?}"))
    };
    assert!(
        at("daemon-reload") < at("enable --now grafana-server"),
        "{systemctl:?}"
    );

    // It waited for what later stacks create, reading each secret by its name in the
    // instance's Region: nothing but GetSecretValue, never a listing of the account's secrets.
    let aws = boot.log("aws");
    assert!(
        aws.iter()
            .all(|l| l.starts_with("secretsmanager get-secret-value ")),
        "{aws:?}"
    );
    let reads = |name: &str| -> Vec<&String> {
        aws.iter()
            .filter(|l| l.contains(&format!("--secret-id {name} ")))
            .collect()
    };
    assert_eq!(reads(SECRET_NAME).len(), 3, "{aws:?}");
    assert_eq!(reads(ADMIN_SECRET_NAME).len(), 2, "{aws:?}");
    assert_eq!(aws.len(), 5, "{aws:?}");
    assert!(
        aws.iter().all(|l| l.contains("--region us-east-2 ")),
        "{aws:?}"
    );
    // The Region is asked of IMDSv2 once for both secrets.
    let region_reads = boot
        .log("curl")
        .iter()
        .filter(|l| l.contains("/latest/meta-data/placement/region"))
        .count();
    assert_eq!(region_reads, 1, "{:?}", boot.log("curl"));
    assert!(boot.log("getent").len() >= 3, "{:?}", boot.log("getent"));
    assert!(
        out.contains(&format!(
            "drkit: waiting for the database secret {SECRET_NAME}"
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "drkit: waiting for the secret {ADMIN_SECRET_NAME}"
        )),
        "{out}"
    );
    assert!(
        out.contains("drkit: waiting for the DNS name db.shop.internal"),
        "{out}"
    );

    // The passwords never reached an external command's arguments.
    for stub in ["aws", "curl", "dnf", "getent", "sleep", "systemctl"] {
        assert!(
            !boot
                .log(stub)
                .iter()
                .any(|l| l.contains(NASTY_PASSWORD) || l.contains(ADMIN_PASSWORD)),
            "{stub} saw a password"
        );
    }
}

#[test]
fn bootstrap_gives_up_after_the_wait_limit_and_starts_nothing() {
    let boot = boot(
        &primary_user_data(),
        &Scenario {
            secret_absent_calls: u64::MAX / 2,
            wait_limit: Some("30"),
            ..Scenario::default()
        },
    );
    let out = boot.stdout_and_stderr();
    assert!(!boot.output.status.success(), "it must fail:\n{out}");
    assert!(
        out.contains(&format!(
            "gave up waiting for the database secret {SECRET_NAME}"
        )),
        "names the secret:\n{out}"
    );
    assert!(
        out.contains("DRKIT_WAIT_LIMIT_SECS=30"),
        "names the limit:\n{out}"
    );
    // Capped backoff, counted in sleeps asked for: 5 + 10 + 15 (the rest of the limit).
    assert_eq!(boot.log("sleep"), ["5", "10", "15"]);
    assert!(
        !boot
            .log("systemctl")
            .iter()
            .any(|l| l.starts_with("enable")),
        "{:?}",
        boot.log("systemctl")
    );
}

#[test]
fn bootstrap_refuses_a_password_with_a_single_quote_and_enables_nothing() {
    let boot = boot(
        &primary_user_data(),
        &Scenario {
            password: "it's".to_string(),
            ..Scenario::default()
        },
    );
    let out = boot.stdout_and_stderr();
    assert!(!boot.output.status.success(), "it must fail:\n{out}");
    assert!(
        out.contains("drkit: refusing the value of GF_DATABASE_PASSWORD"),
        "{out}"
    );
    assert!(!out.contains("it's"), "the value is not echoed:\n{out}");
    assert!(
        !boot.in_root(&format!("/etc/drkit/{UNIT}.env")).exists(),
        "nothing half-written"
    );
    assert!(
        !boot
            .log("systemctl")
            .iter()
            .any(|l| l.starts_with("enable")),
        "{:?}",
        boot.log("systemctl")
    );
}

#[test]
fn bootstrap_script_passes_shellcheck() {
    let Some(shellcheck) = dr_testkit::require_tool("shellcheck") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("user-data.sh");
    std::fs::write(&path, primary_user_data()).unwrap();
    let out = Command::new(shellcheck)
        .args(["-s", "bash"])
        .arg(&path)
        .output()
        .expect("run shellcheck");
    assert!(
        out.status.success(),
        "shellcheck findings:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
