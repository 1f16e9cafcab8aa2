//! `drkit new DIR`: a minimal infrastructure crate to start from. It depends on drkit (a path
//! to this checkout when there is one, else the git repository), forwards an `aws` feature to
//! drkit's, carries the dev profile that keeps a debug build that links the AWS SDK small, and
//! declares a small `DrPair` program that deploys to the simulator with `cargo run`.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// Where the new crate gets drkit from (drkit is not on crates.io).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DrkitSource {
    /// A drkit checkout on this machine; its `Cargo.lock` is copied too, so the new crate
    /// resolves the versions drkit is tested with.
    Path(PathBuf),
    /// A git repository URL.
    Git(String),
}

impl DrkitSource {
    /// The checkout this program was built from while it still exists, else drkit's git
    /// repository.
    pub fn current() -> DrkitSource {
        let checkout = Path::new(env!("CARGO_MANIFEST_DIR"));
        let manifest = std::fs::read_to_string(checkout.join("Cargo.toml")).unwrap_or_default();
        if manifest.contains("name = \"drkit\"") {
            DrkitSource::Path(checkout.to_path_buf())
        } else {
            DrkitSource::Git(REPOSITORY.to_string())
        }
    }
}

/// drkit's repository, as its Cargo.toml declares it.
const REPOSITORY: &str = env!("CARGO_PKG_REPOSITORY");

/// What [`new_crate`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCrate {
    /// The crate's directory.
    pub dir: PathBuf,
    /// The package name.
    pub name: String,
    /// The files written, relative to `dir`.
    pub files: Vec<PathBuf>,
}

/// Writes a minimal infrastructure crate into `dir` (created if missing; an existing one must
/// be empty, so nothing is overwritten): `Cargo.toml`, `src/main.rs`, `.gitignore`, and, from
/// a checkout, its `Cargo.lock`. `name` defaults to the directory's name and must be a valid
/// package name.
pub fn new_crate(dir: &Path, name: Option<&str>, drkit: &DrkitSource) -> Result<NewCrate> {
    let name = match name {
        Some(n) => n.to_string(),
        None => dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .with_context(|| {
                format!(
                    "{} has no final component to name the crate by; pass --name NAME",
                    dir.display()
                )
            })?,
    };
    check_package_name(&name)?;
    if dir.exists() {
        let mut entries = std::fs::read_dir(dir)
            .with_context(|| format!("{} exists and is not a readable directory", dir.display()))?;
        if entries.next().is_some() {
            bail!(
                "{} is not empty; `drkit new` writes only into a new or empty directory, so \
                 nothing is overwritten",
                dir.display()
            );
        }
    }
    let mut files: Vec<(PathBuf, String)> = vec![
        ("Cargo.toml".into(), cargo_toml(&name, drkit)),
        ("src/main.rs".into(), main_rs(&name)),
        (".gitignore".into(), "/target\n/drkit.out\n/.drkit\n".into()),
    ];
    if let DrkitSource::Path(checkout) = drkit {
        // The versions drkit's own tests and CI build: without them a new crate resolves the
        // newest AWS SDK releases, unlike any build already in a shared target directory.
        if let Ok(lock) = std::fs::read_to_string(checkout.join("Cargo.lock")) {
            files.push(("Cargo.lock".into(), lock));
        }
    }
    for (path, contents) in &files {
        let full = dir.join(path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(&full, contents).with_context(|| format!("writing {}", full.display()))?;
    }
    Ok(NewCrate {
        dir: dir.to_path_buf(),
        name,
        files: files.into_iter().map(|(p, _)| p).collect(),
    })
}

/// Cargo's rules for a package name: ASCII letters, digits, `-` and `_`, not starting with a
/// digit.
fn check_package_name(name: &str) -> Result<()> {
    let valid = !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !valid {
        bail!(
            "`{name}` is not a valid package name (ASCII letters, digits, `-` and `_`, not \
             starting with a digit); pass --name NAME"
        );
    }
    Ok(())
}

/// `value` as a TOML basic string.
fn toml_string(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

fn cargo_toml(name: &str, drkit: &DrkitSource) -> String {
    let dependency = match drkit {
        DrkitSource::Path(path) => format!(
            "# drkit is not on crates.io. This is the drkit checkout that wrote this file (its\n\
             # Cargo.lock came along, so the versions drkit is tested with resolve). From git:\n\
             # drkit = {{ git = {} }}\n\
             drkit = {{ path = {} }}",
            toml_string(REPOSITORY),
            toml_string(&path.to_string_lossy())
        ),
        DrkitSource::Git(url) => format!(
            "# drkit is not on crates.io. From a checkout instead: drkit = {{ path = \"../drkit\" }}\n\
             drkit = {{ git = {} }}",
            toml_string(url)
        ),
    };
    format!(
        r#"[package]
name = "{name}"
version = "0.1.0"
edition = "2024"
publish = false

# Its own workspace, so the profiles below apply (Cargo reads profiles from the workspace
# root only). To make the crate a member of an enclosing workspace, delete this table and
# move the profiles there.
[workspace]

[dependencies]
{dependency}

[features]
# `--target aws` needs drkit's AWS SDK backend, off by default since the simulator needs none
# of it and it is most of a first build: `cargo run --features aws -- --target aws`.
aws = ["drkit/aws"]

# Debug info is what makes a debug binary that links the AWS SDK about 665 MB, and linking the
# standard library's is most of a rebuild's link: none, and the standard library's stripped.
# A panic still names its file and line; a backtrace names functions only.
[profile.dev]
debug = false
strip = "debuginfo"
"#
    )
}

/// The pair's id (stack names start with it): the package name in upper camel case.
fn pair_id(name: &str) -> String {
    name.split(['-', '_'])
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn main_rs(name: &str) -> String {
    let pair = pair_id(name);
    format!(
        r#"//! The infrastructure of `{name}`: one site declared once, built in two Regions as a
//! disaster-recovery pair (an Aurora global database, Route 53 failover, VPC peering).
//!
//! `cargo run` deploys it to drkit's local simulator (no AWS account needed);
//! `cargo run -- synth` writes the CloudFormation templates into drkit.out;
//! `cargo run --features aws -- --target aws` deploys to AWS; `cargo run -- --help` for more.

use std::process::ExitCode;

use drkit::prelude::*;

/// Declares the app: the closure runs once per Region, so both sites are built alike.
fn build() -> App {{
    let app = App::new("{name}");
    DrPair::new(
        &app,
        "{pair}",
        DrPairProps::builder()
            .primary(Site::new(Region::UsEast2, ["us-east-2a", "us-east-2b"]))
            .secondary(Site::new(Region::UsWest2, ["us-west-2a", "us-west-2b"]))
            .domain("app.example.com")
            // A zone of its own; for a zone you have: HostedZoneRef::existing(id, name).
            .hosted_zone(HostedZoneRef::create("app.example.com"))
            .database(DatabaseProps::builder().database_name("app").build())
            .build(),
        |site| {{
            let vpc = Vpc::new(
                site.network(),
                "Network",
                VpcProps::builder()
                    .cidr(site.pick("10.10.0.0/16", "10.20.0.0/16"))
                    .azs(site.azs())
                    .build(),
            );
            let fleet = Ec2Fleet::new(site, "App", Ec2FleetProps::builder().vpc(&vpc).build());
            let alb = Alb::new(
                site,
                "Lb",
                AlbProps::builder()
                    .vpc(&vpc)
                    .targets(fleet.app_target())
                    .build(),
            );
            site.serve(&alb);
            site.database(&vpc, &[fleet.security_group_id()]);
        }},
    );
    app
}}

fn main() -> ExitCode {{
    drkit::cli::run(build())
}}
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pair_ids_are_upper_camel_case() {
        assert_eq!(pair_id("my-infra"), "MyInfra");
        assert_eq!(pair_id("shop"), "Shop");
        assert_eq!(pair_id("a__b"), "AB");
    }

    #[test]
    fn package_names_follow_cargo() {
        assert!(check_package_name("my-infra_2").is_ok());
        for bad in ["", "2fast", "my infra", "é"] {
            let err = check_package_name(bad).unwrap_err().to_string();
            assert!(err.contains("pass --name NAME"), "{bad}: {err}");
        }
    }

    #[test]
    fn refuses_a_non_empty_directory_and_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("keep.txt"), "mine").unwrap();
        let err = new_crate(dir.path(), Some("infra"), &DrkitSource::Git("u".into()))
            .unwrap_err()
            .to_string();
        assert!(err.contains("is not empty"), "{err}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_git_source_writes_the_git_dependency_and_no_lock() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("my-infra");
        let made = new_crate(
            &target,
            None,
            &DrkitSource::Git("https://git.example/drkit".into()),
        )
        .unwrap();
        assert_eq!(made.name, "my-infra");
        assert_eq!(
            made.files,
            [
                PathBuf::from("Cargo.toml"),
                "src/main.rs".into(),
                ".gitignore".into()
            ]
        );
        let toml = std::fs::read_to_string(target.join("Cargo.toml")).unwrap();
        assert!(
            toml.contains("\ndrkit = { git = \"https://git.example/drkit\" }\n"),
            "{toml}"
        );
        assert!(toml.contains("aws = [\"drkit/aws\"]"), "{toml}");
        let main = std::fs::read_to_string(target.join("src/main.rs")).unwrap();
        assert!(main.contains("App::new(\"my-infra\")"), "{main}");
        assert!(main.contains("\"MyInfra\""), "{main}");
    }
}
