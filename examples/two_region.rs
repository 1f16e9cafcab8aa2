//! A Grafana DR system, declared once for two Regions: us-east-2 (primary) and us-west-2 (DR).
//!
//! `cargo run --example two_region -- synth --out DIR` writes the templates and manifest.
//!
//! Per Region: a VPC over three AZs; three t3.micro instances running Grafana (installed by
//! user data, port 3000, health `/api/health`) behind an internet-facing ALB, with a key pair
//! and the Amazon Linux 2023 AMI; an EKS cluster with two t3.medium nodes; an Aurora cluster
//! with a writer and a reader. Across the pair: the Aurora global database, DNS failover with
//! a traffic switch, VPC peering, and the generic database name `db.shop.internal` Grafana
//! connects to, which follows the writer through a failover.
//!
//! Grafana's admin password is a secret the pair generates (`site.app_secret("GrafanaAdmin")`,
//! replicated to the DR Region like the master secret, on each Region's pair key); the
//! instances read both secrets by name, and their role may read those two and nothing else.
//! The load balancers serve plain HTTP here, as the example has no certificate (synthesis warns
//! about it): give each site an ACM certificate of its Region with
//! `AlbProps::builder().certificate_arn(site.pick(east_arn, west_arn))`.
//!
//! Choices a first draft of such a plan often gets wrong:
//! - each site uses zones of its own Region (`us-west-2a/b/c` for us-west-2, not
//!   `us-west-1a/b/c`), and its load balancer lives in that Region with the rest of the site;
//! - the clusters use `db.r6g.large`: Aurora MySQL 3 does not offer db.t2 classes at all, and
//!   an Aurora global database accepts only memory-optimized classes, of which this is the
//!   smallest Graviton one.

use drkit::prelude::*;

/// Installs Grafana from Grafana Labs' RPM repository ("Install Grafana on RHEL or Fedora",
/// https://grafana.com/docs/grafana/latest/setup-grafana/installation/redhat-rhel-fedora/) and
/// points it at the Aurora cluster through the generic database name.
///
/// Grafana reads `GF_<SECTION>_<KEY>` environment variables ("Configure Grafana", override
/// configuration with environment variables,
/// https://grafana.com/docs/grafana/latest/setup-grafana/configure-grafana/#override-configuration-with-environment-variables).
/// They go into a file of drkit's own that a systemd drop-in adds to the service: the RPM's
/// unit takes its paths (`CONF_FILE`, `PID_FILE_DIR`, ...) from /etc/sysconfig/grafana-server,
/// which must stay as the package ships it. The instance boots before the database secret and
/// `db.shop.internal` exist, so `database_env` waits for them; once running, Grafana is
/// restarted in place whenever it exits (a switchover, say).
///
/// Grafana is reachable from the internet, so its admin is not left at `admin`/`admin`:
/// `GF_SECURITY_ADMIN_PASSWORD` overrides `[security] admin_password`, "The password of the
/// default Grafana admin. Set once on first-run." ("Configure Grafana", admin_password,
/// https://grafana.com/docs/grafana/latest/setup-grafana/configure-grafana/#admin_password).
/// Both sites share one Grafana database, so whichever starts first creates the admin with the
/// one password both read. The password is in Secrets Manager under `admin.name()`.
fn grafana_user_data(db: &DbConnection, admin: &AppSecret) -> String {
    UserData::new()
        .rpm_repository(
            "grafana",
            "https://rpm.grafana.com",
            "https://rpm.grafana.com/gpg.key",
        )
        .install_packages(["grafana"])
        .database_env(db)
        .secret_env("GRAFANA_ADMIN_PASSWORD", admin.name(), None)
        .service_environment(
            "grafana-server",
            [
                ("GF_SERVER_HTTP_PORT", "3000"),
                ("GF_DATABASE_TYPE", "mysql"),
                ("GF_DATABASE_HOST", r#""$DB_HOST:$DB_PORT""#),
                ("GF_DATABASE_NAME", r#""$DB_NAME""#),
                ("GF_DATABASE_USER", r#""$DB_USER""#),
                ("GF_DATABASE_PASSWORD", r#""$DB_PASSWORD""#),
                ("GF_SECURITY_ADMIN_PASSWORD", r#""$GRAFANA_ADMIN_PASSWORD""#),
            ],
        )
        .keep_running("grafana-server")
        .enable_service("grafana-server")
        .render()
}

/// Builds the app; the tests synthesize the same function.
pub fn build() -> App {
    let app = App::new("shop");
    shop_pair(&app, "Shop", "shop");
    app
}

/// Declares the Grafana pair `id` in `app`, serving `<name>.example.com` with the internal
/// zone `<name>.internal`. `examples/many_pairs.rs` declares N of them to measure synthesis
/// at scale.
pub fn shop_pair(app: &App, id: &str, name: &str) {
    let domain = format!("{name}.example.com");
    DrPair::new(
        app,
        id,
        DrPairProps::builder()
            .primary(Site::new(
                Region::UsEast2,
                ["us-east-2a", "us-east-2b", "us-east-2c"],
            ))
            .secondary(Site::new(
                Region::UsWest2,
                ["us-west-2a", "us-west-2b", "us-west-2c"],
            ))
            .domain(domain.as_str())
            // A zone of its own, so the example deploys anywhere; delegate it from
            // example.com with the NameServers output, or use HostedZoneRef::existing(id, name).
            .hosted_zone(HostedZoneRef::create(domain.as_str()))
            .internal_zone(format!("{name}.internal"))
            .database(
                DatabaseProps::builder()
                    // db.t2.small is not offered by Aurora MySQL 3 nor accepted by a global
                    // database: the smallest class that works (see above).
                    .instance_class("db.r6g.large")
                    .database_name("grafana")
                    .build(),
            )
            .build(),
        |site| {
            let vpc = Vpc::new(
                site.network(),
                "Network",
                VpcProps::builder()
                    .cidr(site.pick("10.10.0.0/16", "10.20.0.0/16"))
                    .azs(site.azs())
                    .build(),
            );
            let admin = site.app_secret("GrafanaAdmin");
            let fleet = Ec2Fleet::new(
                site,
                "Grafana",
                Ec2FleetProps::builder()
                    .vpc(&vpc)
                    .user_data(grafana_user_data(&site.database_connection(), &admin))
                    .build(),
            );
            site.grant_database_secret(&fleet);
            site.grant_app_secret(&fleet, &admin);
            let alb = Alb::new(
                site,
                "Lb",
                AlbProps::builder()
                    .vpc(&vpc)
                    .targets(fleet.app_target())
                    .build(),
            );
            site.serve(&alb);
            let eks = EksCluster::new(site, "Eks", EksClusterProps::builder().vpc(&vpc).build());
            site.database(
                &vpc,
                &[fleet.security_group_id(), eks.cluster_security_group_id()],
            );
        },
    );
}

fn main() -> std::process::ExitCode {
    drkit::cli::run(build())
}
