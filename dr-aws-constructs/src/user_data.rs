//! [`UserData`]: first-boot bash scripts for the instances of a fleet.
//!
//! An instance boots before the stacks it depends on exist: the database secret comes with
//! the data stack and the DNS name `db.<internal zone>` with the global stack, up to about an
//! hour later (see ARCHITECTURE.md, "DrPair"). A script that reads them once aborts under
//! `set -e` and the service never starts, so every step here either waits for what it needs
//! ([`UserData::database_env`], [`UserData::secret_env`]) or cannot fail on a missing
//! dependency. Secrets are read by name in the instance's own Region (a replica keeps its
//! name), with `secretsmanager:GetSecretValue` on that one secret: the instance role needs no
//! `ListSecrets`. Services are configured with files of our own (an environment file and
//! systemd drop-ins), never by rewriting files a package owns: the Grafana RPM's unit takes
//! its paths (`CONF_FILE`, `PID_FILE_DIR`, ...) from `/etc/sysconfig/grafana-server`, and a
//! script that replaced that file left a server that exited at once and was restarted
//! forever.
//!
//! The script's moving parts are shell functions defined once at its top (`drkit_wait`,
//! `drkit_service_env`, ...); each step is a call to them with shell-quoted arguments, so a
//! value baked in at synthesis time cannot break the script.
//!
//! `DRKIT_ROOT`: every path the script writes is prefixed with this variable, empty (the real
//! root) on an instance. Tests set it to a temporary directory and put stubs of `dnf`,
//! `systemctl`, `aws`, ... first on `PATH`; the commands themselves are not redirected.
//! `DRKIT_WAIT_LIMIT_SECS` (default [`DEFAULT_WAIT_LIMIT_SECS`]) bounds every wait.
//! `DRKIT_REGION`, when set, is the Region secrets are read in; otherwise the instance
//! metadata service (IMDSv2) answers it.
//!
//! ```
//! use dr_aws_constructs::{DbConnection, UserData};
//!
//! let db = DbConnection {
//!     host: "db.shop.internal".into(),
//!     port: 3306,
//!     database_name: Some("grafana".into()),
//!     secret_name: "Shop/PrimaryData/Database".into(),
//! };
//! let script = UserData::new()
//!     .rpm_repository("grafana", "https://rpm.grafana.com", "https://rpm.grafana.com/gpg.key")
//!     .install_packages(["grafana"])
//!     .database_env(&db)
//!     // In a DrPair closure: site.app_secret("GrafanaAdmin").name().
//!     .secret_env("ADMIN_PASSWORD", "Shop/PrimaryData/AppSecrets/GrafanaAdmin", None)
//!     .service_environment(
//!         "grafana-server",
//!         [
//!             ("GF_DATABASE_HOST", r#""$DB_HOST:$DB_PORT""#),
//!             ("GF_DATABASE_PASSWORD", r#""$DB_PASSWORD""#),
//!             ("GF_SECURITY_ADMIN_PASSWORD", r#""$ADMIN_PASSWORD""#),
//!         ],
//!     )
//!     .keep_running("grafana-server")
//!     .enable_service("grafana-server")
//!     .render();
//! assert!(script.starts_with("#!/bin/bash\n"));
//! ```

use std::fmt;

use crate::dr_pair::DbConnection;

/// How long, in seconds of sleep, a script waits for one dependency before it gives up: 3 h.
/// The data and global stacks deploy after the instances' stack and finish up to about an hour
/// after the instances boot; the margin covers a slow or retried deploy. Overridden on an
/// instance (or in a test) with the `DRKIT_WAIT_LIMIT_SECS` environment variable.
pub const DEFAULT_WAIT_LIMIT_SECS: u32 = 10_800;

/// The start of every script. `umask 022` because cloud-init's umask is not ours to assume;
/// files that hold secrets get their own mode from `drkit_write`.
const HEADER: &str = r#"#!/bin/bash
# First-boot script written by drkit (UserData). Steps wait for what later stacks create
# (logged as "drkit: waiting for ...", in /var/log/cloud-init-output.log) instead of failing.
set -euo pipefail
umask 022
# Prefix of every path this script writes: empty on an instance, a temporary root in tests.
DRKIT_ROOT="${DRKIT_ROOT:-}"
"#;

/// The shell functions the steps call. They read `DRKIT_ROOT` and `DRKIT_WAIT_LIMIT_SECS`
/// with defaults of their own, so [`DbConnection::shell_env`] can ship them without the
/// header.
///
/// - Waiting counts the sleeps asked for, not wall time, so a test can stub `sleep`.
/// - A value is kept out of the arguments of every external command: the functions pass it
///   through shell builtins (`printf`), so a password never shows in `ps`.
/// - An env-file value is single-quoted: systemd keeps it verbatim (`$`, `#`, backticks,
///   `\`), and cannot hold a `'` or a newline there, which `drkit_env_line` refuses
///   (systemd.exec(5), "EnvironmentFile=",
///   <https://www.freedesktop.org/software/systemd/man/latest/systemd.exec.html#EnvironmentFile=>).
const FUNCTIONS: &str = r#"
# drkit_wait WHAT CMD...: runs CMD until it succeeds, sleeping 5 s doubling to 60 s between
# tries; gives up after DRKIT_WAIT_LIMIT_SECS seconds of sleep (default 10800).
drkit_wait() {
  local what="$1" limit="${DRKIT_WAIT_LIMIT_SECS:-10800}" waited=0 delay=5
  shift
  if [[ ! $limit =~ ^[0-9]+$ ]]; then
    echo "drkit: DRKIT_WAIT_LIMIT_SECS must be a number of seconds, not '$limit'" >&2
    return 1
  fi
  until "$@"; do
    if (( waited >= limit )); then
      echo "drkit: gave up waiting for $what after ${waited}s (DRKIT_WAIT_LIMIT_SECS=$limit)" >&2
      return 1
    fi
    echo "drkit: waiting for $what (${waited}s so far)" >&2
    if (( delay > limit - waited )); then delay=$(( limit - waited )); fi
    sleep "$delay"
    waited=$(( waited + delay ))
    delay=$(( delay * 2 > 60 ? 60 : delay * 2 ))
  done
}

# drkit_capture VAR CMD...: sets VAR to CMD's output; fails when CMD fails or prints nothing
# or "None" (what the AWS CLI prints for a query that matches nothing).
drkit_capture() {
  local drkit_var="$1" drkit_out
  shift
  drkit_out="$("$@")" || return 1
  if [[ -z $drkit_out || $drkit_out == None ]]; then return 1; fi
  printf -v "$drkit_var" '%s' "$drkit_out"
}

# drkit_region: sets DRKIT_REGION to the instance's Region (IMDSv2), unless it is set already.
drkit_region() {
  if [[ -n ${DRKIT_REGION:-} ]]; then return 0; fi
  local drkit_token=''
  drkit_wait 'an instance metadata token (IMDSv2)' drkit_capture drkit_token curl -sSf -X PUT http://169.254.169.254/latest/api/token -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' || return 1
  drkit_wait 'the instance Region (IMDSv2)' drkit_capture DRKIT_REGION curl -sSf -H "X-aws-ec2-metadata-token: $drkit_token" http://169.254.169.254/latest/meta-data/placement/region
}

# drkit_secret VAR WHAT NAME: waits for the secret NAME in DRKIT_REGION (drkit_region first)
# and sets VAR to its secret string. WHAT names it in the log.
drkit_secret() {
  drkit_region || return 1
  drkit_wait "$2" drkit_capture "$1" aws secretsmanager get-secret-value --region "$DRKIT_REGION" --secret-id "$3" --query SecretString --output text
}

# drkit_json_field KEY JSON: prints the string at KEY of a JSON object.
drkit_json_field() {
  printf '%s' "$2" | python3 -c 'import json, sys; sys.stdout.write(json.load(sys.stdin)[sys.argv[1]])' "$1"
}

# drkit_write MODE PATH: writes stdin to $DRKIT_ROOT/PATH with MODE, in one rename (mktemp
# creates the file 0600, so a secret is never readable by others, even for a moment).
drkit_write() {
  local mode="$1" path="${DRKIT_ROOT:-}$2" tmp
  mkdir -p "$(dirname "$path")"
  tmp="$(mktemp "$path.drkit.XXXXXX")"
  cat >"$tmp"
  chmod "$mode" "$tmp"
  mv -f "$tmp" "$path"
}

# drkit_check_unit NAME: refuses a unit name that is not a plain one (it becomes part of paths).
drkit_check_unit() {
  if [[ ! $1 =~ ^[A-Za-z0-9:_.@-]+$ ]]; then
    echo "drkit: refusing unit name '$1': letters, digits and :_.@- only" >&2
    return 1
  fi
}

# drkit_env_line KEY VALUE: prints KEY='VALUE' for a systemd environment file.
drkit_env_line() {
  if [[ ! $1 =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]]; then
    echo "drkit: refusing environment variable name '$1': letters, digits and _ only" >&2
    return 1
  fi
  if [[ $2 == *"'"* || $2 == *$'\n'* ]]; then
    echo "drkit: refusing the value of $1: it contains a single quote or a newline, which a systemd environment file cannot hold in single quotes" >&2
    return 1
  fi
  printf "%s='%s'\n" "$1" "$2"
}

# drkit_service_env UNIT KEY VALUE...: /etc/drkit/UNIT.env (0600, read by systemd as root)
# and a drop-in that adds it to UNIT's environment after the package's own files.
drkit_service_env() {
  local unit="$1" lines="" line
  shift
  drkit_check_unit "$unit" || return 1
  if (( $# % 2 )); then
    echo "drkit: drkit_service_env $unit: expected KEY VALUE pairs" >&2
    return 1
  fi
  while (( $# )); do
    line="$(drkit_env_line "$1" "$2")" || return 1
    lines+="$line"$'\n'
    shift 2
  done
  printf '%s' "$lines" | drkit_write 0600 "/etc/drkit/$unit.env" || return 1
  printf '# Written by drkit: settings of this host, kept out of the files of the package.\n[Service]\nEnvironmentFile=/etc/drkit/%s.env\n' "$unit" \
    | drkit_write 0644 "/etc/systemd/system/$unit.service.d/50-drkit-environment.conf"
}

# drkit_keep_running UNIT: restart UNIT in place whenever it exits, with no start limit.
drkit_keep_running() {
  drkit_check_unit "$1" || return 1
  printf '%s\n' '# Written by drkit: an exit is repaired by a restart in place, never by replacing the instance.' \
    '[Unit]' 'StartLimitIntervalSec=0' '' '[Service]' 'Restart=always' 'RestartSec=10' \
    | drkit_write 0644 "/etc/systemd/system/$1.service.d/60-drkit-restart.conf"
}

# drkit_enable UNIT: loads the drop-ins, restarts UNIT if it already runs (a re-run's new
# settings), then enables and starts it.
drkit_enable() {
  drkit_check_unit "$1" || return 1
  systemctl daemon-reload
  if systemctl is-active --quiet "$1"; then systemctl restart "$1"; fi
  systemctl enable --now "$1"
}

# drkit_rpm_repository NAME BASEURL GPGKEY: a signed repository over verified TLS.
drkit_rpm_repository() {
  if [[ ! $1 =~ ^[A-Za-z0-9_.:-]+$ || $2 == *$'\n'* || $3 == *$'\n'* ]]; then
    echo "drkit: refusing repository '$1': a plain name and one-line URLs only" >&2
    return 1
  fi
  printf '[%s]\nname=%s\nbaseurl=%s\nrepo_gpgcheck=1\nenabled=1\ngpgcheck=1\ngpgkey=%s\nsslverify=1\nsslcacert=/etc/pki/tls/certs/ca-bundle.crt\n' \
    "$1" "$1" "$2" "$3" | drkit_write 0644 "/etc/yum.repos.d/$1.repo"
}
"#;

/// A first-boot bash script, built step by step: each method appends one step, and
/// [`render`](Self::render) returns the script (header, the shell functions, the steps in
/// order). Hand it to `Ec2FleetProps::builder().user_data(…)`.
///
/// Every step is safe on first boot: what other stacks create is waited for, and services are
/// configured with drkit's own files (`/etc/drkit/<unit>.env` and drop-ins under
/// `/etc/systemd/system/<unit>.service.d/`), so files a package owns keep the package's
/// content. See the [module documentation](self) for `DRKIT_ROOT` and an example.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct UserData {
    steps: Vec<String>,
}

impl UserData {
    /// An empty script (the header and the shell functions only).
    pub fn new() -> UserData {
        UserData::default()
    }

    /// Adds the RPM repository `name` (`/etc/yum.repos.d/<name>.repo`) with package and
    /// repository metadata signatures checked against `gpgkey` and TLS verified against the
    /// system CA bundle, as Grafana Labs documents for its repository ("Install Grafana on
    /// RHEL or Fedora",
    /// <https://grafana.com/docs/grafana/latest/setup-grafana/installation/redhat-rhel-fedora/>).
    /// `name` is the repository id: letters, digits and `_.:-` (the script refuses others).
    pub fn rpm_repository(
        self,
        name: impl Into<String>,
        baseurl: impl Into<String>,
        gpgkey: impl Into<String>,
    ) -> UserData {
        let (name, baseurl, gpgkey) = (name.into(), baseurl.into(), gpgkey.into());
        self.step(format!(
            "# RPM repository {name}.\ndrkit_rpm_repository {} {} {}\n",
            shell_quote(&name),
            shell_quote(&baseurl),
            shell_quote(&gpgkey)
        ))
    }

    /// Installs `packages` with `dnf install -y`, retried until it succeeds: the instance
    /// reaches the internet through a NAT gateway that may still be coming up, and a
    /// repository may fail for a moment. Nothing is added when `packages` is empty.
    pub fn install_packages<I, S>(self, packages: I) -> UserData
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let packages: Vec<String> = packages.into_iter().map(Into::into).collect();
        if packages.is_empty() {
            return self;
        }
        let what = format!("dnf install {}", packages.join(" "));
        let args: Vec<String> = packages.iter().map(|p| shell_quote(p)).collect();
        self.step(format!(
            "# Packages.\ndrkit_wait {} dnf install -y {}\n",
            shell_quote(&what),
            args.join(" ")
        ))
    }

    /// Sets `DB_HOST`, `DB_PORT`, `DB_NAME`, `DB_USER` and `DB_PASSWORD` for the later steps
    /// (shell variables, not exported), waiting for each thing another stack creates: the
    /// instance's Region (IMDSv2), the database secret read by its name in that Region (the
    /// data stack; replicated to the DR Region under the same name), and then the DNS name of
    /// the database (the global stack). See [`DbConnection::shell_env`].
    pub fn database_env(self, db: &DbConnection) -> UserData {
        self.step(database_steps(db))
    }

    /// Sets the shell variable `var` (not exported) for the later steps to the secret string
    /// of the Secrets Manager secret `secret_name`, or with `json_key` to the string at that
    /// key of its JSON, waiting for the instance's Region (IMDSv2, unless `DRKIT_REGION` is
    /// set) and for the secret in that Region, which another stack may create after the
    /// instance boots (an [`AppSecret`](crate::AppSecret) comes with `<pair>-Primary-Data`
    /// and its replica with it). The instance role needs `secretsmanager:GetSecretValue` on
    /// that secret and `kms:Decrypt` on its key
    /// ([`SiteScope::grant_app_secret`](crate::SiteScope::grant_app_secret)).
    ///
    /// Hand it to a service with [`service_environment`](Self::service_environment), e.g.
    /// `("GF_SECURITY_ADMIN_PASSWORD", r#""$ADMIN_PASSWORD""#)`. `var` must be a shell
    /// variable name that is not one the script uses itself (`DB_*`, `DRKIT_*`, `PATH`, ...):
    /// the script refuses any other when it runs, before it writes anything.
    pub fn secret_env(self, var: &str, secret_name: &str, json_key: Option<&str>) -> UserData {
        self.step(secret_step(var, secret_name, json_key))
    }

    /// Gives the service `unit` (its name without `.service`) environment variables: `vars`
    /// are `(KEY, value)` pairs, where the value is one shell word expanded when the script
    /// runs, e.g. `"$DB_HOST:$DB_PORT"` (in double quotes) for a value from
    /// [`database_env`](Self::database_env), or a literal (quote one with [`shell_quote`]).
    ///
    /// Writes `/etc/drkit/<unit>.env` (mode 0600, owned by root: systemd reads it as PID 1
    /// before it drops privileges) with one `KEY='value'` line each, and the drop-in
    /// `/etc/systemd/system/<unit>.service.d/50-drkit-environment.conf` that adds that file.
    /// `EnvironmentFile=` may be given several times, in drop-ins too, and a later file
    /// overrides an earlier one, so the package's own environment file stays in force and
    /// untouched (systemd.exec(5), "EnvironmentFile=",
    /// <https://www.freedesktop.org/software/systemd/man/latest/systemd.exec.html#EnvironmentFile=>;
    /// drop-in directories: systemd.unit(5),
    /// <https://www.freedesktop.org/software/systemd/man/latest/systemd.unit.html>). The
    /// script stops with a message, before anything is written, on a value holding a `'` or a
    /// newline, which a single-quoted value cannot hold, or on a key that is not a variable
    /// name.
    pub fn service_environment<I, K, V>(self, unit: &str, vars: I) -> UserData
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        let unit = unit_name(unit);
        let mut step = format!(
            "# Environment of {unit}: /etc/drkit/{unit}.env and a drop-in; the package's files stay as shipped.\ndrkit_service_env {}",
            shell_quote(unit)
        );
        for (key, value) in vars {
            let (key, value) = (key.into(), value.into());
            let value = if value.is_empty() {
                "''".to_string()
            } else {
                value
            };
            step.push_str(&format!(" \\\n  {} {value}", shell_quote(&key)));
        }
        step.push('\n');
        self.step(step)
    }

    /// Keeps the service `unit` running: the drop-in
    /// `/etc/systemd/system/<unit>.service.d/60-drkit-restart.conf` sets `Restart=always`,
    /// `RestartSec=10` and `StartLimitIntervalSec=0` (no start limit). A process that exits,
    /// for instance because the database is unreachable during a switchover, is restarted in
    /// place for as long as it takes, instead of the instance being replaced: Auto Scaling
    /// replaces instances only when EC2's status checks fail
    /// ([`FleetHealthCheck::Ec2`](crate::FleetHealthCheck::Ec2), the default; see
    /// ARCHITECTURE.md, "What healthy means"), which a stopped process does not cause.
    pub fn keep_running(self, unit: &str) -> UserData {
        let unit = unit_name(unit);
        self.step(format!(
            "# Restart {unit} in place whenever it exits.\ndrkit_keep_running {}\n",
            shell_quote(unit)
        ))
    }

    /// Enables and starts the service `unit`: `systemctl daemon-reload` (loads the drop-ins),
    /// `systemctl restart <unit>` when it is already running (a re-run of the script applies
    /// its new settings), then `systemctl enable --now <unit>`.
    pub fn enable_service(self, unit: &str) -> UserData {
        let unit = unit_name(unit);
        self.step(format!(
            "# Start {unit}, now and at every boot.\ndrkit_enable {}\n",
            shell_quote(unit)
        ))
    }

    /// Adds `line` verbatim (a newline is added when it has none): the escape hatch for what
    /// the other steps do not cover. It runs under `set -euo pipefail` like every step, and
    /// should write under `$DRKIT_ROOT` to stay testable.
    pub fn command(self, line: impl Into<String>) -> UserData {
        let mut line = line.into();
        if !line.ends_with('\n') {
            line.push('\n');
        }
        self.step(line)
    }

    /// The script: the header, the shell functions, then the steps in the order they were
    /// added.
    pub fn render(&self) -> String {
        let mut out = String::from(HEADER);
        out.push_str(FUNCTIONS);
        for step in &self.steps {
            out.push('\n');
            out.push_str(step);
        }
        out
    }

    fn step(mut self, step: String) -> UserData {
        self.steps.push(step);
        self
    }
}

impl fmt::Display for UserData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render())
    }
}

/// `s` as one shell word that bash reads back as exactly `s`: single-quoted, each `'` written
/// as `'\''` (inside single quotes nothing is special, "Bash Reference Manual", 3.1.2.2
/// Single Quotes, <https://www.gnu.org/software/bash/manual/bash.html#Single-Quotes>).
pub fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The unit's name as the functions take it: a trailing `.service` would otherwise end up in
/// the drop-in directory's name twice.
fn unit_name(unit: &str) -> &str {
    unit.strip_suffix(".service").unwrap_or(unit)
}

/// The steps of [`UserData::database_env`]; the variables are declared first so `set -u`
/// and shellcheck know them before `drkit_capture` assigns them by name.
fn database_steps(db: &DbConnection) -> String {
    let name = &db.secret_name;
    format!(
        r#"# Database connection (drkit): the generic name follows the Aurora global writer.
DB_HOST={host}
DB_PORT={port}
DB_NAME={name_word}
DRKIT_REGION="${{DRKIT_REGION:-}}" DB_SECRET=''
drkit_secret DB_SECRET {secret_what} {secret_word}
DB_USER="$(drkit_json_field username "$DB_SECRET")"
DB_PASSWORD="$(drkit_json_field password "$DB_SECRET")"
drkit_wait {dns_what} getent hosts "$DB_HOST"
"#,
        host = shell_quote(&db.host),
        port = shell_quote(&db.port.to_string()),
        name_word = shell_quote(db.database_name.as_deref().unwrap_or("")),
        secret_what = shell_quote(&format!(
            "the database secret {name} (created by the data stack)"
        )),
        secret_word = shell_quote(name),
        dns_what = shell_quote(&format!(
            "the DNS name {} (created by the global stack)",
            db.host
        )),
    )
}

/// Shell variables the script's own steps set, which [`UserData::secret_env`] may not
/// overwrite.
const RESERVED_VARS: &[&str] = &[
    "DB_HOST",
    "DB_PORT",
    "DB_NAME",
    "DB_USER",
    "DB_PASSWORD",
    "DB_SECRET",
    "DRKIT_ROOT",
    "DRKIT_REGION",
    "DRKIT_WAIT_LIMIT_SECS",
    "PATH",
    "HOME",
    "IFS",
];

/// Why `var` cannot be set by [`UserData::secret_env`], if it cannot.
fn secret_var_problem(var: &str) -> Option<&'static str> {
    let mut chars = var.chars();
    let starts_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    if !starts_ok || !chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Some("not a shell variable name (a letter or _, then letters, digits and _)");
    }
    if RESERVED_VARS.contains(&var) || var.to_ascii_lowercase().starts_with("drkit_") {
        return Some("a variable the script itself uses");
    }
    None
}

/// The step of [`UserData::secret_env`].
fn secret_step(var: &str, secret_name: &str, json_key: Option<&str>) -> String {
    if let Some(problem) = secret_var_problem(var) {
        // Refused when the script runs, before anything is written: the builder cannot
        // report, and a bad name must not become shell code.
        let message =
            format!("drkit: refusing to read the secret {secret_name} into {var:?}: {problem}");
        return format!(
            "# Secret {secret_name}: refused.
echo {} >&2
exit 1
",
            shell_quote(&message)
        );
    }
    let what = shell_quote(&format!(
        "the secret {secret_name} (created by the data stack)"
    ));
    let name = shell_quote(secret_name);
    match json_key {
        None => format!(
            "# Secret {secret_name} into ${var} (drkit).
DRKIT_REGION=\"${{DRKIT_REGION:-}}\" {var}=''
drkit_secret {var} {what} {name}
"
        ),
        Some(key) => format!(
            "# Secret {secret_name}, key {key}, into ${var} (drkit).
DRKIT_REGION=\"${{DRKIT_REGION:-}}\" {var}='' drkit_secret_json=''
drkit_secret drkit_secret_json {what} {name}
{var}=\"$(drkit_json_field {} \"$drkit_secret_json\")\"
drkit_secret_json=''
",
            shell_quote(key)
        ),
    }
}

impl DbConnection {
    /// A bash snippet for user data that sets `DB_HOST`, `DB_PORT`, `DB_NAME`, `DB_USER` and
    /// `DB_PASSWORD`, waiting for the instance's Region (IMDSv2), the secret (read by its
    /// name in the instance's Region with the AWS CLI; python3 parses the JSON, both on
    /// Amazon Linux 2023) and the database's DNS name, which other stacks create after the
    /// instances boot. Self-contained: it defines the `drkit_…` shell functions it calls; run
    /// it under `set -euo pipefail` so a wait that gives up stops the script.
    /// [`UserData::database_env`] is the same step in a whole script. The instance role needs
    /// [`SiteScope::grant_database_secret`](crate::SiteScope::grant_database_secret).
    pub fn shell_env(&self) -> String {
        format!("{FUNCTIONS}\n{}", database_steps(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    /// Runs `script` after the functions with bash; returns (success, stdout, stderr).
    fn bash(script: &str) -> (bool, String, String) {
        let out = Command::new("bash")
            .arg("-c")
            .arg(format!("set -euo pipefail\n{FUNCTIONS}\n{script}"))
            .output()
            .expect("bash runs");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    const NASTY: &str = "p$a#s%w!r(d;x`1\\{}*?[]~&|<>\t \"";

    #[test]
    fn shell_quote_reads_back_verbatim() {
        let (ok, out, err) = bash(&format!("printf '%s' {}", shell_quote(NASTY)));
        assert!(ok, "{err}");
        assert_eq!(out, NASTY);
        let (ok, out, _) = bash(&format!("printf '%s' {}", shell_quote("it's")));
        assert!(ok);
        assert_eq!(out, "it's");
    }

    #[test]
    fn env_line_keeps_a_nasty_value_verbatim_in_single_quotes() {
        let (ok, out, err) = bash(&format!("drkit_env_line KEY {}", shell_quote(NASTY)));
        assert!(ok, "{err}");
        assert_eq!(out, format!("KEY='{NASTY}'\n"));
    }

    #[test]
    fn env_line_refuses_a_quote_a_newline_or_a_bad_key() {
        for (key, value) in [
            ("KEY", "a'b"),
            ("KEY", "a\nb"),
            ("A B", "xyzzy"),
            ("1A", "xyzzy"),
        ] {
            let (ok, out, err) = bash(&format!(
                "drkit_env_line {} {}",
                shell_quote(key),
                shell_quote(value)
            ));
            assert!(!ok, "{key:?}={value:?} was accepted: {out}");
            assert!(err.contains("drkit: refusing"), "{err}");
            assert!(out.is_empty(), "{out}");
            assert!(!err.contains(value), "the value is not echoed: {err}");
        }
    }

    /// `aws` stubbed as a function: logs its arguments, answers the secret string `value`.
    fn with_aws_stub(value: &str, step: &str) -> String {
        format!(
            "aws() {{ printf '%s\\n' \"$*\" >&2; printf '%s' {}; }}\ncurl() {{ echo curl-called >&2; return 22; }}\n{step}",
            shell_quote(value)
        )
    }

    #[test]
    fn secret_env_reads_the_secret_by_name_in_the_given_region() {
        let step = secret_step("TOKEN", "App/Secrets/Api", None);
        let (ok, out, err) = bash(&with_aws_stub(
            NASTY,
            &format!("DRKIT_REGION=eu-west-1\n{step}printf '%s' \"$TOKEN\""),
        ));
        assert!(ok, "{err}");
        assert_eq!(out, NASTY);
        assert!(
            err.contains(
                "secretsmanager get-secret-value --region eu-west-1 --secret-id App/Secrets/Api --query SecretString --output text"
            ),
            "{err}"
        );
        assert!(!err.contains("curl-called"), "the Region was given: {err}");
    }

    #[test]
    fn secret_env_takes_one_key_of_a_json_secret() {
        let step = secret_step("API_TOKEN", "App/Secrets/Api", Some("token"));
        let (ok, out, err) = bash(&with_aws_stub(
            r#"{"user":"u","token":"t0k$en"}"#,
            &format!(
                "DRKIT_REGION=eu-west-1\n{step}printf '%s|%s' \"$API_TOKEN\" \"$drkit_secret_json\""
            ),
        ));
        assert!(ok, "{err}");
        assert_eq!(out, "t0k$en|", "the whole JSON is not kept");
    }

    #[test]
    fn secret_env_refuses_a_variable_the_script_uses_or_no_variable_name() {
        for var in [
            "DB_PASSWORD",
            "DRKIT_REGION",
            "drkit_x",
            "PATH",
            "1X",
            "A-B",
            "A;rm -rf /",
        ] {
            let step = secret_step(var, "App/Secrets/Api", None);
            let (ok, out, err) = bash(&with_aws_stub("v", &format!("{step}echo reached")));
            assert!(!ok, "{var:?} was accepted");
            assert!(!out.contains("reached"), "{var:?}: {out}");
            assert!(
                err.contains("drkit: refusing to read the secret"),
                "{var:?}: {err}"
            );
        }
    }

    #[test]
    fn service_environment_quotes_keys_and_keeps_value_words() {
        let script = UserData::new()
            .service_environment(
                "grafana-server.service",
                [("GF_X", r#""$DB_HOST:$DB_PORT""#), ("GF_EMPTY", "")],
            )
            .render();
        assert!(
            script.contains(
                "drkit_service_env 'grafana-server' \\\n  'GF_X' \"$DB_HOST:$DB_PORT\" \\\n  'GF_EMPTY' ''\n"
            ),
            "{script}"
        );
    }
}
