//! The seed's DR system, declared once for two Regions: us-east-2 (primary) and us-west-2 (DR).
//!
//! `cargo run --example two_region -- synth --out DIR` writes the templates and manifest.
//!
//! Per Region (seed, Table 1.1): a VPC over three AZs; three t3.micro instances running
//! Grafana (installed by user data, port 3000, health `/api/health`) behind an
//! internet-facing ALB, with a key pair and the Amazon Linux 2023 AMI; an EKS cluster with two
//! t3.medium nodes; an Aurora cluster with a writer and a reader. Across the pair: the Aurora
//! global database, DNS failover with a traffic switch (seed, Step 1), VPC peering, and the
//! generic database name `db.shop.internal` Grafana connects to (seed, Step 2).
//!
//! Where the seed's values cannot work, the working value is used:
//! - zone 2 lists `us-west-1a/b/c` under us-west-2: those zones are in us-west-1, so the DR
//!   site uses us-west-2's own `us-west-2a/b/c`;
//! - the ALB row says "us-east-1 and west-1": a load balancer lives in its site's Region, so
//!   the ALBs are in us-east-2 and us-west-2 with the rest of each site;
//! - RDS `db.t2.small`: Aurora MySQL 3 does not offer db.t2 at all, and an Aurora global
//!   database accepts only memory-optimized classes, so the clusters use `db.r6g.large`, the
//!   smallest Graviton class a global database takes;
//! - EKS nodes "t3.meduim" is read as `t3.medium`.

use drkit::constructs::*;
use drkit::prelude::*;

/// Installs Grafana from Grafana Labs' RPM repository (https://grafana.com/docs/grafana/latest/setup-grafana/installation/redhat-rhel-fedora/)
/// and points it at the Aurora cluster through the generic database name. Grafana reads
/// `GF_<SECTION>_<KEY>` environment variables ("Configure Grafana", override configuration
/// with environment variables), which the RPM's service takes from /etc/sysconfig/grafana-server.
fn grafana_user_data(db: &DbConnection) -> String {
    format!(
        r#"#!/bin/bash
set -euo pipefail
cat >/etc/yum.repos.d/grafana.repo <<'REPO'
[grafana]
name=grafana
baseurl=https://rpm.grafana.com
repo_gpgcheck=1
enabled=1
gpgcheck=1
gpgkey=https://rpm.grafana.com/gpg.key
sslverify=1
sslcacert=/etc/pki/tls/certs/ca-bundle.crt
REPO
dnf install -y grafana
{env}
umask 077
cat >/etc/sysconfig/grafana-server <<CONF
GF_SERVER_HTTP_PORT=3000
GF_DATABASE_TYPE=mysql
GF_DATABASE_HOST=$DB_HOST:$DB_PORT
GF_DATABASE_NAME=$DB_NAME
GF_DATABASE_USER=$DB_USER
GF_DATABASE_PASSWORD=$DB_PASSWORD
CONF
chown root:grafana /etc/sysconfig/grafana-server
chmod 640 /etc/sysconfig/grafana-server
systemctl daemon-reload
systemctl enable --now grafana-server
"#,
        env = db.shell_env()
    )
}

/// Builds the app; the tests synthesize the same function.
pub fn build() -> App {
    let app = App::new("shop");
    DrPair::new(
        &app,
        "Shop",
        DrPairProps {
            primary: Site::new(Region::UsEast2, ["us-east-2a", "us-east-2b", "us-east-2c"]),
            // The seed lists us-west-1a/b/c here; those are us-west-1's zones (see above).
            secondary: Site::new(Region::UsWest2, ["us-west-2a", "us-west-2b", "us-west-2c"]),
            domain: "shop.example.com".into(),
            // A zone of its own, so the example deploys anywhere; delegate it from
            // example.com with the NameServers output, or use HostedZoneRef::Existing.
            hosted_zone: HostedZoneRef::Create {
                name: "shop.example.com".into(),
            },
            internal_zone: Some("shop.internal".into()),
            database: DatabaseProps {
                // The seed's db.t2.small is not offered by Aurora MySQL 3 nor accepted by a
                // global database: the smallest class that works (see above).
                instance_class: "db.r6g.large".into(),
                database_name: Some("grafana".into()),
                ..Default::default()
            },
            ..Default::default()
        },
        |site| {
            let vpc = Vpc::new(
                site,
                "Network",
                VpcProps {
                    cidr: site.pick("10.10.0.0/16", "10.20.0.0/16").into(),
                    azs: site.azs(),
                    ..Default::default()
                },
            );
            let fleet = Ec2Fleet::new(
                site,
                "Grafana",
                Ec2FleetProps {
                    user_data: Some(grafana_user_data(&site.database_connection())),
                    ..Ec2FleetProps::new(&vpc)
                },
            );
            site.grant_database_secret(&fleet);
            let alb = Alb::new(
                site,
                "Lb",
                AlbProps {
                    targets: Some(fleet.app_target()),
                    ..AlbProps::new(&vpc)
                },
            );
            site.serve(&alb);
            let eks = EksCluster::new(site, "Eks", EksClusterProps::new(&vpc));
            site.database(
                &vpc,
                &[fleet.security_group_id(), eks.cluster_security_group_id()],
            );
        },
    );
    app
}

fn main() -> anyhow::Result<()> {
    drkit::cli::run(build())
}
