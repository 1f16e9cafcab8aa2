//! The pair's own props, checked once on the pair (or the site stack a site's zones belong
//! to) and named as the user wrote them (`domain`, `secondary.azs`, `database.instance_class`),
//! before anything is built; what the pair then hands to the constructs it builds is valid, so
//! they stay silent about a slip already reported here.

use dr_core::diagnostics::codes;
use dr_core::facts::rds as rds_facts;
use dr_core::{Region, Scope, Stack};

use super::{DatabaseProps, DrPairProps, Site, SiteRole};
use crate::dns;
use crate::rds;
use crate::validate;

/// Reports both sites in one Region; returns whether they are in two.
pub(super) fn check_regions(scope: &Scope, regions: [Region; 2]) -> bool {
    if regions[0] == regions[1] {
        scope.prop_error(
            "secondary.region",
            codes::PAIR_003,
            format!("the primary and the DR site are both in {}", regions[0]),
            "put the DR site in another Region, e.g. us-east-2 and us-west-2: an outage of one Region would otherwise take both sites down",
        );
        return false;
    }
    true
}

/// Checks a site's zones once, on the site's stack, and returns the zones to build with: the
/// given ones when valid, else the Region's own first zones (so the slip is reported once,
/// not again by every construct that uses the zones), and whether they were valid.
pub(super) fn check_site(stack: &Stack, site: &Site, role: SiteRole) -> (Vec<String>, bool) {
    let region = site.region;
    let site_prop = match role {
        SiteRole::Primary => "primary.azs",
        SiteRole::Secondary => "secondary.azs",
    };
    let foreign: Vec<&String> = site.azs.iter().filter(|az| !region.has_az(az)).collect();
    if foreign.is_empty() {
        if validate::check_azs(stack, site_prop, region, &site.azs) {
            return (site.azs.clone(), true);
        }
    } else {
        let list = foreign
            .iter()
            .map(|a| format!("`{a}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let homes: std::collections::BTreeSet<Region> =
            foreign.iter().filter_map(|a| Region::of_az(a)).collect();
        let n = site.azs.len().max(2).min(region.usable_az_count());
        let own: Vec<&str> = region.az_names().iter().take(n).copied().collect();
        let mut hint = format!("use zones of {region}, e.g. {:?}", own);
        let message = match (homes.len(), homes.iter().next()) {
            (1, Some(home)) if foreign.len() == site.azs.len() => {
                if site.azs.len() <= home.usable_az_count() {
                    hint.push_str(&format!(", or set the site's Region to {home}"));
                } else {
                    hint.push_str(&format!(
                        " ({home} has only {} usable zones per account)",
                        home.usable_az_count()
                    ));
                }
                format!(
                    "the site's zones {list} are in {home}, but the site is in {region}; a site's load balancer, instances and database all deploy to the site's Region"
                )
            }
            _ if foreign.len() == 1 => format!(
                "{list} is not an Availability Zone of {region}, where this site deploys; {region}'s zones are {}",
                region.az_names().join(", ")
            ),
            _ => format!(
                "{list} are not Availability Zones of {region}, where this site deploys; {region}'s zones are {}",
                region.az_names().join(", ")
            ),
        };
        // The site's Region may be the slip rather than its zones: what is checked against
        // the Region below it (a certificate's Region) stays silent, this error says it all.
        validate::mark_region_in_doubt(stack, &message);
        stack.prop_error(site_prop, codes::AZ_001, message, hint);
    }
    let n = site.azs.len().clamp(2, region.usable_az_count().max(2));
    let fallback = region
        .az_names()
        .iter()
        .take(n)
        .map(|s| s.to_string())
        .collect();
    (fallback, false)
}

/// Checks the database settings once for both clusters, each named as written
/// (`database.instance_class`, …), and returns the settings to build with: a value that was
/// reported is replaced by its default, so the clusters, built with
/// `RdsCluster::with_checked_settings`, never report it again.
pub(super) fn check_database(scope: &Scope, db: &DatabaseProps) -> DatabaseProps {
    let mut settled = db.clone();
    let engine = db.engine;
    if let Some(version) = &db.engine_version
        && !rds::check_engine_version(scope, "database.engine_version", engine, version)
    {
        settled.engine_version = None;
    }
    let version = settled
        .engine_version
        .clone()
        .unwrap_or_else(|| engine.default_version().to_string());
    if !rds::check_instance_class(
        scope,
        "database.instance_class",
        engine,
        &version,
        &db.instance_class,
        true,
    ) {
        settled.instance_class = rds_facts::SMALLEST_GLOBAL_CLASS.to_string();
    }
    if !rds::check_instances(scope, "database.instances_per_site", db.instances_per_site) {
        settled.instances_per_site = rds::DEFAULT_DB_INSTANCES;
    }
    if !rds::check_backup_retention(
        scope,
        "database.backup_retention_days",
        db.backup_retention_days,
    ) {
        settled.backup_retention_days = rds::DEFAULT_BACKUP_RETENTION_DAYS;
    }
    if !rds::check_name(
        scope,
        "database.master_username",
        engine,
        &db.master_username,
        rds::MAX_MASTER_USERNAME_LEN,
    ) {
        settled.master_username = rds::DEFAULT_MASTER_USERNAME.to_string();
    }
    if let Some(name) = &db.database_name
        && !rds::check_name(
            scope,
            "database.database_name",
            engine,
            name,
            rds::max_database_name_len(engine),
        )
    {
        settled.database_name = None;
    }
    settled
}

/// Which of the pair's names are valid, so that the constructs built from them are built only
/// from valid ones (and never report the same slip again).
pub(super) struct NamesOk {
    /// `domain` and `hosted_zone`: the failover records can be built.
    pub(super) public: bool,
    /// `internal_zone`: the private zone can be built.
    pub(super) internal: bool,
}

/// The largest TTL Route 53 accepts (`TTL` of "ResourceRecordSet", Amazon Route 53 API
/// Reference, <https://docs.aws.amazon.com/Route53/latest/APIReference/API_ResourceRecordSet.html>:
/// "Valid Range: Minimum value of 0. Maximum value of 2147483647").
pub(super) const MAX_TTL_SECS: u32 = 2_147_483_647;

/// Checks the domain, the public zone, the internal zone's name and the CNAME's TTL, each on
/// the pair, named by its prop.
pub(super) fn check_names(scope: &Scope, props: &DrPairProps) -> NamesOk {
    let domain = props.domain.trim_end_matches('.');
    let public = dns::check_zone(scope, "hosted_zone", &props.hosted_zone)
        && dns::check_domain(scope, "domain", domain, props.hosted_zone.name());
    let internal = match &props.internal_zone {
        Some(name) if !dns::is_domain_name(name.trim_end_matches('.')) => {
            scope.prop_error(
                "internal_zone",
                codes::DNS_005,
                format!("`{name}` is not a valid DNS zone name"),
                "use labels of letters, digits and hyphens joined by dots, e.g. shop.internal",
            );
            false
        }
        _ => true,
    };
    if props.max_rpo_lag < std::time::Duration::from_secs(1) {
        scope.prop_error(
            "max_rpo_lag",
            codes::PAIR_013,
            format!(
                "max_rpo_lag {:?} is under one second: Aurora's cross-Region lag is typically just \
                 under that, so a healthy pair would count as not ready",
                props.max_rpo_lag
            ),
            format!(
                "use a few seconds or more, e.g. the default {:?}",
                super::DEFAULT_MAX_RPO_LAG
            ),
        );
    }
    if props.db_cname_ttl_secs > MAX_TTL_SECS {
        scope.prop_error(
            "db_cname_ttl_secs",
            codes::DNS_012,
            format!(
                "db_cname_ttl_secs {} is above {MAX_TTL_SECS}, the largest TTL Route 53 accepts",
                props.db_cname_ttl_secs
            ),
            format!(
                "use a short TTL such as {}",
                super::DEFAULT_DB_CNAME_TTL_SECS
            ),
        );
    }
    NamesOk { public, internal }
}
