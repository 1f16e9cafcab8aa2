//! Slips in `DrPairProps`, its `Site`s and its `DatabaseProps`: each reported once, on the
//! pair (or, for a site's zones, on that site's stack), never again by the stacks the pair
//! builds from the value.

use dr_aws_constructs::*;
use dr_core::Region;

use super::{Knobs, Row, check_rows, pair_app};

pub const ROWS: &[Row<Knobs>] = &[
    Row {
        slip: "two addresses for the alarm topics",
        apply: |k| k.pair.alarm_email = Some("ops@example.com, dev@example.com".into()),
        path: "Shop",
        prop: "alarm_email",
    },
    Row {
        slip: "the seed's us-west-1 zones under us-west-2",
        apply: |k| k.pair.secondary.azs = vec!["us-west-1a".into(), "us-west-1b".into()],
        path: "Shop/Secondary",
        prop: "secondary.azs",
    },
    Row {
        slip: "a zone that does not exist",
        apply: |k| k.pair.secondary.azs[2] = "us-west-2z".into(),
        path: "Shop/Secondary",
        prop: "secondary.azs",
    },
    Row {
        slip: "a zone listed twice",
        apply: |k| k.pair.primary.azs[2] = "us-east-2a".into(),
        path: "Shop/Primary",
        prop: "primary.azs",
    },
    Row {
        slip: "both sites in one Region",
        apply: |k| {
            k.pair.secondary =
                Site::new(Region::UsEast2, ["us-east-2a", "us-east-2b", "us-east-2c"]);
            k.vpc_cidrs.1 = "10.20.0.0/16".into();
        },
        path: "Shop",
        prop: "secondary.region",
    },
    Row {
        slip: "a domain that is not a DNS name",
        apply: |k| k.pair.domain = "shop_example.com".into(),
        path: "Shop",
        prop: "domain",
    },
    Row {
        slip: "a domain outside the hosted zone",
        apply: |k| k.pair.domain = "shop.example.org".into(),
        path: "Shop",
        prop: "domain",
    },
    Row {
        slip: "a hosted zone id with the API's prefix",
        apply: |k| {
            k.pair.hosted_zone =
                HostedZoneRef::existing("/hostedzone/Z0123456789ABCDEFGHIJ", "example.com")
        },
        path: "Shop",
        prop: "hosted_zone",
    },
    Row {
        slip: "a hosted zone id that is not one",
        apply: |k| k.pair.hosted_zone = HostedZoneRef::existing("zone-123", "example.com"),
        path: "Shop",
        prop: "hosted_zone",
    },
    Row {
        slip: "no hosted zone id",
        apply: |k| k.pair.hosted_zone = HostedZoneRef::existing("", "example.com"),
        path: "Shop",
        prop: "hosted_zone",
    },
    Row {
        slip: "a hosted zone name that is not a DNS name",
        apply: |k| k.pair.hosted_zone = HostedZoneRef::create("example..com"),
        path: "Shop",
        prop: "hosted_zone",
    },
    Row {
        slip: "an internal zone that is not a DNS name",
        apply: |k| k.pair.internal_zone = Some("shop internal".into()),
        path: "Shop",
        prop: "internal_zone",
    },
    Row {
        slip: "a lag threshold a healthy pair exceeds",
        apply: |k| k.pair.max_rpo_lag = std::time::Duration::from_millis(200),
        path: "Shop",
        prop: "max_rpo_lag",
    },
    Row {
        slip: "a TTL above Route 53's largest",
        apply: |k| k.pair.db_cname_ttl_secs = u32::MAX,
        path: "Shop",
        prop: "db_cname_ttl_secs",
    },
    Row {
        slip: "the seed's db.t2.small in a global database",
        apply: |k| k.pair.database.instance_class = "db.t2.small".into(),
        path: "Shop",
        prop: "database.instance_class",
    },
    Row {
        slip: "an unknown DB instance class",
        apply: |k| k.pair.database.instance_class = "db.r6g.larg".into(),
        path: "Shop",
        prop: "database.instance_class",
    },
    Row {
        slip: "more instances than a cluster takes",
        apply: |k| k.pair.database.instances_per_site = 17,
        path: "Shop",
        prop: "database.instances_per_site",
    },
    Row {
        slip: "no instance at all",
        apply: |k| k.pair.database.instances_per_site = 0,
        path: "Shop",
        prop: "database.instances_per_site",
    },
    Row {
        slip: "a database name with a hyphen",
        apply: |k| k.pair.database.database_name = Some("my-db".into()),
        path: "Shop",
        prop: "database.database_name",
    },
    Row {
        slip: "a master user name RDS reserves",
        apply: |k| k.pair.database.master_username = "rdsadmin".into(),
        path: "Shop",
        prop: "database.master_username",
    },
    Row {
        slip: "a master user name starting with a digit",
        apply: |k| k.pair.database.master_username = "1admin".into(),
        path: "Shop",
        prop: "database.master_username",
    },
    Row {
        slip: "more backup days than Aurora keeps",
        apply: |k| k.pair.database.backup_retention_days = 36,
        path: "Shop",
        prop: "database.backup_retention_days",
    },
    Row {
        slip: "no backups",
        apply: |k| k.pair.database.backup_retention_days = 0,
        path: "Shop",
        prop: "database.backup_retention_days",
    },
    Row {
        slip: "an engine version that is not one",
        apply: |k| k.pair.database.engine_version = Some("8.0.mysql_aurora.9".into()),
        path: "Shop",
        prop: "database.engine_version",
    },
    Row {
        slip: "an engine version of the other engine",
        apply: |k| k.pair.database.engine_version = Some("16.10".into()),
        path: "Shop",
        prop: "database.engine_version",
    },
];

#[test]
fn one_slip_in_each_dr_pair_prop_is_one_error_at_that_prop() {
    check_rows(pair_app, ROWS);
}
