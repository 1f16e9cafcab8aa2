//! The operator's least-privilege IAM policy for one DR pair: exactly the calls drkit's DR
//! runtime makes for `status`, `failover` and `failback`, on the pair's own resources, in the
//! Regions the calls are made in. [`Assembly::write`] writes one per pair,
//! `operator-policy.<Pair>.json`, beside `manifest.json`, for the operator role to attach.
//!
//! What each action accepts as a resource, from the Service Authorization Reference (an
//! action whose "Resource types" column is empty takes only `"*"`; a `*` after a type marks
//! it required):
//! - "Actions, resources, and condition keys for AWS CloudFormation",
//!   <https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscloudformation.html>:
//!   `DescribeStacks` (stack), `DescribeStackResources` (stack*); stack ARN
//!   `arn:${Partition}:cloudformation:${Region}:${Account}:stack/${StackName}/${Id}`.
//! - "Actions, resources, and condition keys for Amazon RDS",
//!   <https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonrds.html>:
//!   `DescribeGlobalClusters` (global-cluster*), `DescribeDBClusters` (cluster*),
//!   `DescribeDBClusterSnapshots` (cluster, cluster-snapshot), `DescribeEvents` (none),
//!   `SwitchoverGlobalCluster` and `FailoverGlobalCluster` (cluster*, global-cluster*);
//!   `arn:${Partition}:rds:${Region}:${Account}:cluster:${DbClusterInstanceName}`,
//!   `...:cluster-snapshot:${ClusterSnapshotName}`, and the global cluster's ARN, which has no
//!   Region: `arn:${Partition}:rds::${Account}:global-cluster:${GlobalCluster}`.
//! - "Actions, resources, and condition keys for Amazon CloudWatch",
//!   <https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html>:
//!   `DescribeAlarms` (alarm*, `arn:${Partition}:cloudwatch:${Region}:${Account}:alarm:${AlarmName}`),
//!   `GetMetricStatistics` and `ListMetrics` (none), `PutMetricData` (none; condition key
//!   `cloudwatch:namespace`, as in "Using condition keys to limit access to CloudWatch
//!   namespaces", <https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/iam-cw-condition-keys-namespace.html>).
//! - "Actions, resources, and condition keys for AWS Elastic Load Balancing V2",
//!   <https://docs.aws.amazon.com/service-authorization/latest/reference/list_awselasticloadbalancingv2.html>:
//!   `DescribeTargetHealth` (none).
//! - "Actions, resources, and condition keys for Amazon Route 53",
//!   <https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonroute53.html>:
//!   `GetHealthCheck` and `GetHealthCheckStatus` (healthcheck*,
//!   `arn:${Partition}:route53:::healthcheck/${Id}`), `ListResourceRecordSets` (hostedzone*,
//!   `arn:${Partition}:route53:::hostedzone/${Id}`), `TestDNSAnswer` (none).
//!
//! `aws:RequestedRegion` is a global condition key, so every action takes it ("AWS global
//! condition context keys", <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-requestedregion>).
//! Route 53 is a global service whose one endpoint is in us-east-1, so its requests carry
//! `us-east-1` ("AWS: Denies access to AWS based on the requested Region",
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_aws_deny-requested-region.html>).
//!
//! Names CloudFormation generates: the templates set no `DBClusterIdentifier` or
//! `GlobalClusterIdentifier`, so CloudFormation names the clusters. The "Name type" page
//! (<https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-name.html>)
//! shows one example (`stack123123123123-s3bucket-abcdefghijk1`) but documents no rule (nor how
//! long names are cut to RDS's 63 characters), so the cluster ARNs are `cluster:*` in the
//! pair's two Regions and the global cluster's is `global-cluster:*` (with
//! `aws:RequestedRegion`, as its ARN has no Region). Route 53 ids (health checks, created
//! zones) are generated too: `healthcheck/*`, and `hostedzone/*` unless every zone is known by
//! id.
//!
//! Not granted: `rds:RemoveFromGlobalCluster`. The runtime never calls it unasked; the DR
//! plan names it as the manual fallback when even a failover cannot run, and whoever runs it
//! grants it for that occasion (the failover statement's Sid says so).
//!
//! The per-action rows above are those of the copy of the reference that parliament 1.6.4
//! bundles (`parliament/iam_definition.json`, scraped from the pages cited), the linter the
//! integration test runs over the example's policy; check a page again when AWS adds an
//! action's resource type.

use serde_json::{Map, Value, json};

use crate::Assembly;

/// The policy language version every statement is written in.
pub const POLICY_VERSION: &str = "2012-10-17";

/// The Region Route 53's API and its `HealthCheckStatus` metrics are served from.
const ROUTE53_REGION: &str = "us-east-1";

/// The file [`Assembly::write`] writes a pair's policy to, or `None` for a pair without a name
/// (a hand-edited manifest).
pub fn operator_policy_file(pair: &Value) -> Option<String> {
    let name = pair.get("pair").and_then(Value::as_str)?;
    (!name.is_empty()).then(|| format!("operator-policy.{name}.json"))
}

/// The IAM policy document an operator role needs to run `status`, `failover` and `failback`
/// on `pair` (one of `assembly.dr_pairs`), and nothing more. Parts of the pair that are absent
/// (no database, no traffic switch) get no statement.
pub fn operator_policy(assembly: &Assembly, pair: &Value) -> Value {
    let p = Pair::new(assembly, pair);
    let both = p.regions();
    let mut statements = Vec::new();

    // Status: the pair's stacks, each in its Region.
    let stack_arns: Vec<String> = p
        .stack_names()
        .filter_map(|name| assembly.stack(name))
        .map(|s| {
            format!(
                "arn:aws:cloudformation:{}:{}:stack/{}/*",
                s.region.code(),
                account_of(s.account.as_deref()),
                s.name
            )
        })
        .collect();
    if !stack_arns.is_empty() {
        statements.push(allow(
            "ReadThePairsStacks",
            &[
                "cloudformation:DescribeStacks",
                "cloudformation:DescribeStackResources",
            ],
            strings(stack_arns),
            None,
        ));
    }

    // The Aurora global database.
    if let Some(global) = p.element(&["database", "globalCluster"]) {
        let global_arn = format!("arn:aws:rds::{}:global-cluster:*", p.account(global));
        let primary_account = p.element(&["database", "primaryCluster"]).unwrap_or(global);
        let secondary_account = p
            .element(&["database", "secondaryCluster"])
            .unwrap_or(global);
        let cluster_arns = |kind: &str| -> Vec<String> {
            [
                (&p.primary, primary_account),
                (&p.secondary, secondary_account),
            ]
            .into_iter()
            .map(|(region, el)| format!("arn:aws:rds:{region}:{}:{kind}:*", p.account(el)))
            .collect()
        };
        statements.push(allow(
            "ReadTheGlobalClusterWhoseArnHasNoRegion",
            &["rds:DescribeGlobalClusters"],
            json!([global_arn]),
            Some(requested_regions(&both)),
        ));
        statements.push(allow(
            "ReadTheMemberClustersNamedByCloudFormation",
            &["rds:DescribeDBClusters"],
            strings(cluster_arns("cluster")),
            None,
        ));
        statements.push(allow(
            "ReadClusterSnapshotsInThePrimaryRegion",
            &["rds:DescribeDBClusterSnapshots"],
            json!([
                cluster_arns("cluster")[0],
                cluster_arns("cluster-snapshot")[0]
            ]),
            None,
        ));
        statements.push(allow(
            "ReadRdsEventsWhichTakeNoResourceArn",
            &["rds:DescribeEvents"],
            json!("*"),
            Some(requested_regions(&both)),
        ));
        let mut write_resources = vec![global_arn];
        write_resources.extend(cluster_arns("cluster"));
        statements.push(allow(
            "SwitchoverOrFailoverTheGlobalClusterRemoveFromGlobalClusterIsNotGrantedItIsTheManualFallback",
            &["rds:SwitchoverGlobalCluster", "rds:FailoverGlobalCluster"],
            strings(write_resources),
            Some(requested_regions(&both)),
        ));
    }

    // The traffic switch: its alarm, the metrics behind it and behind the health checks.
    let switch = pair.get("switch").filter(|s| s.is_object());
    let traffic = pair.get("traffic").filter(|t| t.is_object());
    if let Some(switch) = switch {
        let region = switch.get("region").and_then(Value::as_str);
        let alarm = switch.get("alarmName").and_then(Value::as_str);
        if let (Some(region), Some(alarm)) = (region, alarm) {
            let account = p
                .element(&["switch", "alarm"])
                .map_or("*".into(), |el| p.account(el));
            statements.push(allow(
                "ReadTheSwitchAlarm",
                &["cloudwatch:DescribeAlarms"],
                json!([format!(
                    "arn:aws:cloudwatch:{region}:{account}:alarm:{alarm}"
                )]),
                None,
            ));
        }
    }
    if switch.is_some() || traffic.is_some() {
        let mut metric_regions = both.clone();
        if traffic.is_some() && !metric_regions.iter().any(|r| r == ROUTE53_REGION) {
            metric_regions.push(ROUTE53_REGION.to_string());
        }
        statements.push(allow(
            "ReadMetricsWhichTakeNoResourceArnInThePairsRegionsAndRoute53sMetricRegion",
            &["cloudwatch:GetMetricStatistics", "cloudwatch:ListMetrics"],
            json!("*"),
            Some(requested_regions(&metric_regions)),
        ));
    }
    if let Some(traffic) = traffic {
        statements.push(allow(
            "ReadTargetHealthWhichTakesNoResourceArn",
            &["elasticloadbalancing:DescribeTargetHealth"],
            json!("*"),
            Some(requested_regions(&both)),
        ));
        statements.push(allow(
            "ReadTheHealthChecksWhoseIdsRoute53Generates",
            &["route53:GetHealthCheck", "route53:GetHealthCheckStatus"],
            json!(["arn:aws:route53:::healthcheck/*"]),
            None,
        ));
        statements.push(allow(
            "ListTheRecordsOfThePairsZones",
            &["route53:ListResourceRecordSets"],
            strings(p.zone_arns(traffic)),
            None,
        ));
        statements.push(allow(
            "TestDnsAnswersWhichTakeNoResourceArn",
            &["route53:TestDNSAnswer"],
            json!("*"),
            Some(requested_regions(&[ROUTE53_REGION.to_string()])),
        ));
    }

    // Failover and failback move traffic with one data point, in the switch's Region only.
    if let Some(switch) = switch {
        let region = switch.get("region").and_then(Value::as_str);
        let namespace = switch.get("namespace").and_then(Value::as_str);
        if let (Some(region), Some(namespace)) = (region, namespace) {
            statements.push(allow(
                "FlipTheTrafficSwitchPutMetricDataTakesNoResourceArnSoItIsBoundToTheNamespaceAndRegion",
                &["cloudwatch:PutMetricData"],
                json!("*"),
                Some(json!({
                    "StringEquals": {
                        "cloudwatch:namespace": namespace,
                        "aws:RequestedRegion": region,
                    }
                })),
            ));
        }
    }

    json!({ "Version": POLICY_VERSION, "Statement": statements })
}

/// What the policy reads from a pair's topology.
struct Pair<'a> {
    assembly: &'a Assembly,
    pair: &'a Value,
    primary: String,
    secondary: String,
}

impl<'a> Pair<'a> {
    fn new(assembly: &'a Assembly, pair: &'a Value) -> Self {
        let region = |k: &str| {
            pair.pointer(&format!("/regions/{k}"))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        Pair {
            assembly,
            pair,
            primary: region("primary"),
            secondary: region("secondary"),
        }
    }

    /// The pair's two Regions, primary first (one when both are the same).
    fn regions(&self) -> Vec<String> {
        let mut r = vec![self.primary.clone()];
        if self.secondary != self.primary {
            r.push(self.secondary.clone());
        }
        r
    }

    /// The stack names of the pair, in the topology's order, each once.
    fn stack_names(&self) -> impl Iterator<Item = &'a str> {
        let mut seen = Vec::new();
        self.pair
            .get("stacks")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(Map::values)
            .filter_map(Value::as_str)
            .filter(move |n| {
                let new = !seen.contains(n);
                seen.push(*n);
                new
            })
    }

    /// An element `{stack, logicalId}` at `path`, if the pair has it.
    fn element(&self, path: &[&str]) -> Option<&'a Value> {
        let mut v = self.pair;
        for k in path {
            v = v.get(k)?;
        }
        v.get("stack").and_then(Value::as_str).map(|_| v)
    }

    /// The account of the stack holding `element`, or `*` when the assembly pins none.
    fn account(&self, element: &Value) -> String {
        let account = element
            .get("stack")
            .and_then(Value::as_str)
            .and_then(|s| self.assembly.stack(s))
            .and_then(|s| s.account.as_deref());
        account_of(account)
    }

    /// The hosted zones the runtime lists records of: the public zone and the private zone
    /// of the database's name. Ids are known only for an existing zone.
    fn zone_arns(&self, traffic: &Value) -> Vec<String> {
        let public = traffic
            .pointer("/hostedZone/id")
            .and_then(Value::as_str)
            .map(|id| id.trim_start_matches("/hostedzone/").to_string());
        let private = self.element(&["database", "cname", "privateZone"]);
        match (public, private) {
            (Some(id), None) => vec![format!("arn:aws:route53:::hostedzone/{id}")],
            _ => vec!["arn:aws:route53:::hostedzone/*".to_string()],
        }
    }
}

fn account_of(account: Option<&str>) -> String {
    account.unwrap_or("*").to_string()
}

fn strings(v: Vec<String>) -> Value {
    Value::Array(v.into_iter().map(Value::String).collect())
}

fn requested_regions(regions: &[String]) -> Value {
    json!({ "StringEquals": { "aws:RequestedRegion": regions } })
}

fn allow(sid: &str, actions: &[&str], resource: Value, condition: Option<Value>) -> Value {
    let mut s = Map::new();
    s.insert("Sid".into(), json!(sid));
    s.insert("Effect".into(), json!("Allow"));
    s.insert("Action".into(), json!(actions));
    s.insert("Resource".into(), resource);
    if let Some(c) = condition {
        s.insert("Condition".into(), c);
    }
    Value::Object(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::StackArtifact;
    use dr_core::Region;

    /// The Region each of the example's stacks deploys to.
    const STACKS: [(&str, Region); 9] = [
        ("Shop-Primary-Network", Region::UsEast2),
        ("Shop-Secondary-Network", Region::UsWest2),
        ("Shop-Primary", Region::UsEast2),
        ("Shop-Secondary", Region::UsWest2),
        ("Shop-Primary-Data", Region::UsEast2),
        ("Shop-Secondary-Data", Region::UsWest2),
        ("Shop-Primary-Peering", Region::UsEast2),
        ("Shop-Secondary-Peering", Region::UsWest2),
        ("Shop-Global", Region::UsWest2),
    ];

    /// Every call the runtime makes for a pair.
    const CALLS: [&str; 17] = [
        "cloudformation:DescribeStacks",
        "cloudformation:DescribeStackResources",
        "rds:DescribeGlobalClusters",
        "rds:DescribeDBClusters",
        "rds:DescribeEvents",
        "rds:DescribeDBClusterSnapshots",
        "cloudwatch:DescribeAlarms",
        "cloudwatch:GetMetricStatistics",
        "cloudwatch:ListMetrics",
        "elasticloadbalancing:DescribeTargetHealth",
        "route53:GetHealthCheck",
        "route53:GetHealthCheckStatus",
        "route53:ListResourceRecordSets",
        "route53:TestDNSAnswer",
        "cloudwatch:PutMetricData",
        "rds:SwitchoverGlobalCluster",
        "rds:FailoverGlobalCluster",
    ];

    fn el(stack: &str, logical_id: &str) -> Value {
        json!({ "stack": stack, "logicalId": logical_id })
    }

    /// The example's pair as its topology records it.
    fn pair() -> Value {
        json!({
            "version": 2, "app": "shop", "pair": "Shop",
            "regions": { "primary": "us-east-2", "secondary": "us-west-2" },
            "stacks": {
                "primaryNetwork": "Shop-Primary-Network", "secondaryNetwork": "Shop-Secondary-Network",
                "primarySite": "Shop-Primary", "secondarySite": "Shop-Secondary",
                "primaryData": "Shop-Primary-Data", "secondaryData": "Shop-Secondary-Data",
                "primaryPeering": "Shop-Primary-Peering", "secondaryPeering": "Shop-Secondary-Peering",
                "global": "Shop-Global"
            },
            "database": {
                "engine": "aurora-mysql",
                "globalCluster": el("Shop-Primary-Data", "GlobalClusterD272DED1"),
                "primaryCluster": el("Shop-Primary-Data", "DatabaseB269D8BB"),
                "secondaryCluster": el("Shop-Secondary-Data", "DatabaseB269D8BB"),
                "cname": {
                    "name": "db.shop.internal",
                    "record": el("Shop-Global", "InternalZoneDatabaseCnameA853FCCE"),
                    "privateZone": el("Shop-Global", "InternalZoneD0BA15A8")
                }
            },
            "traffic": {
                "domain": "shop.example.com", "scheme": "http",
                "hostedZone": { "name": "shop.example.com", "created": el("Shop-Global", "DnsZoneD625248C") },
                "healthChecks": {
                    "primary": el("Shop-Global", "DnsPrimaryCheck233DBD0F"),
                    "primaryEndpoint": el("Shop-Global", "DnsPrimaryEndpointCheck3B024226"),
                    "switch": el("Shop-Global", "DnsSwitchCheckA157EFA2")
                }
            },
            "switch": {
                "kind": "cloudwatch-metric", "region": "us-west-2",
                "alarmName": "Shop-Global-PrimaryActive",
                "alarm": el("Shop-Global", "DnsSwitchAlarmCD93A99E"),
                "namespace": "drkit", "metricName": "PrimaryActive",
                "dimensions": [{ "Name": "App", "Value": "shop" }],
                "primaryServesValue": 1, "drServesValue": 0
            }
        })
    }

    fn assembly(account: Option<&str>) -> Assembly {
        Assembly {
            app: "shop".into(),
            stacks: STACKS
                .iter()
                .map(|(name, region)| StackArtifact {
                    name: (*name).into(),
                    path: (*name).into(),
                    region: *region,
                    account: account.map(str::to_string),
                    template: json!({ "Resources": {} }),
                    dependencies: Vec::new(),
                    parameter_wiring: Vec::new(),
                    termination_protection: true,
                })
                .collect(),
            dr_pairs: vec![pair()],
            warnings: Vec::new(),
            extra_files: Vec::new(),
        }
    }

    fn statements(policy: &Value) -> &Vec<Value> {
        policy["Statement"].as_array().unwrap()
    }

    fn actions(s: &Value) -> Vec<&str> {
        s["Action"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect()
    }

    /// The statements granting `action`.
    fn granting<'a>(policy: &'a Value, action: &str) -> Vec<&'a Value> {
        statements(policy)
            .iter()
            .filter(|s| actions(s).contains(&action))
            .collect()
    }

    fn resources(s: &Value) -> Vec<&str> {
        match &s["Resource"] {
            Value::String(r) => vec![r.as_str()],
            Value::Array(rs) => rs.iter().map(|r| r.as_str().unwrap()).collect(),
            other => panic!("Resource {other}"),
        }
    }

    fn requested_regions(s: &Value) -> Vec<&str> {
        match &s["Condition"]["StringEquals"]["aws:RequestedRegion"] {
            Value::String(r) => vec![r.as_str()],
            Value::Array(rs) => rs.iter().map(|r| r.as_str().unwrap()).collect(),
            _ => Vec::new(),
        }
    }

    /// Every call the runtime makes is granted once, in the Regions it makes it in, and
    /// nothing else is.
    #[test]
    fn every_call_of_the_runtime_is_granted_in_its_regions() {
        let policy = operator_policy(&assembly(None), &pair());
        assert_eq!(policy["Version"], "2012-10-17");
        let mut granted: Vec<&str> = statements(&policy).iter().flat_map(actions).collect();
        granted.sort_unstable();
        let mut calls = CALLS.to_vec();
        calls.sort_unstable();
        assert_eq!(granted, calls);
        let regions_of = |action: &str| -> Vec<String> {
            let s = granting(&policy, action)[0];
            let mut r: Vec<String> = requested_regions(s).iter().map(|r| r.to_string()).collect();
            if r.is_empty() {
                r = resources(s)
                    .iter()
                    .map(|arn| arn.split(':').nth(3).unwrap().to_string())
                    .collect();
            }
            r.sort();
            r.dedup();
            r
        };
        let both = ["us-east-2", "us-west-2"];
        for a in [
            "rds:DescribeGlobalClusters",
            "rds:DescribeDBClusters",
            "rds:DescribeEvents",
            "elasticloadbalancing:DescribeTargetHealth",
            "rds:SwitchoverGlobalCluster",
            "rds:FailoverGlobalCluster",
            "cloudformation:DescribeStacks",
        ] {
            assert_eq!(regions_of(a), both, "{a}");
        }
        assert_eq!(regions_of("rds:DescribeDBClusterSnapshots"), ["us-east-2"]);
        assert_eq!(regions_of("cloudwatch:DescribeAlarms"), ["us-west-2"]);
        assert_eq!(regions_of("cloudwatch:PutMetricData"), ["us-west-2"]);
        assert_eq!(
            regions_of("cloudwatch:GetMetricStatistics"),
            ["us-east-1", "us-east-2", "us-west-2"]
        );
        assert_eq!(
            regions_of("cloudwatch:ListMetrics"),
            regions_of("cloudwatch:GetMetricStatistics")
        );
        assert_eq!(regions_of("route53:TestDNSAnswer"), ["us-east-1"]);
        // Route 53's resources are global: no Region in their ARNs.
        assert_eq!(regions_of("route53:GetHealthCheck"), [""]);
    }

    /// The manual fallback is named, not granted; no action is a wildcard.
    #[test]
    fn remove_from_global_cluster_is_not_granted_and_no_action_is_a_wildcard() {
        let policy = operator_policy(&assembly(None), &pair());
        let all: Vec<&str> = statements(&policy).iter().flat_map(actions).collect();
        assert!(!all.contains(&"rds:RemoveFromGlobalCluster"), "{all:?}");
        assert!(
            all.iter().all(|a| !a.contains('*') && !a.contains('?')),
            "{all:?}"
        );
        let failover = granting(&policy, "rds:FailoverGlobalCluster")[0];
        assert!(
            failover["Sid"]
                .as_str()
                .unwrap()
                .contains("RemoveFromGlobalClusterIsNotGranted"),
            "{failover}"
        );
        // Sids are what IAM accepts: ASCII letters and digits, unique.
        let sids: Vec<&str> = statements(&policy)
            .iter()
            .map(|s| s["Sid"].as_str().unwrap())
            .collect();
        assert!(
            sids.iter()
                .all(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric()))
        );
        let mut unique = sids.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), sids.len(), "{sids:?}");
    }

    /// `PutMetricData` takes no resource: it is bound to the switch's namespace and Region.
    #[test]
    fn put_metric_data_is_bound_to_the_namespace_and_the_switch_region() {
        let mut p = pair();
        p["switch"]["region"] = json!("us-east-2");
        p["switch"]["namespace"] = json!("custom");
        let policy = operator_policy(&assembly(None), &p);
        let put = granting(&policy, "cloudwatch:PutMetricData");
        assert_eq!(put.len(), 1);
        assert_eq!(
            actions(put[0]),
            ["cloudwatch:PutMetricData"],
            "a statement of its own"
        );
        assert_eq!(put[0]["Resource"], "*");
        assert_eq!(
            put[0]["Condition"],
            json!({ "StringEquals": { "cloudwatch:namespace": "custom", "aws:RequestedRegion": "us-east-2" } })
        );
        let alarm = granting(&policy, "cloudwatch:DescribeAlarms")[0];
        assert_eq!(
            resources(alarm),
            ["arn:aws:cloudwatch:us-east-2:*:alarm:Shop-Global-PrimaryActive"]
        );
    }

    /// Every `*` resource is an action AWS gives no resource type, in a statement of its own
    /// (its Sid says so) limited to the Regions the call is made in.
    #[test]
    fn a_star_resource_only_for_actions_without_resource_types_and_region_bound() {
        let policy = operator_policy(&assembly(None), &pair());
        let without_types = [
            "rds:DescribeEvents",
            "cloudwatch:GetMetricStatistics",
            "cloudwatch:ListMetrics",
            "cloudwatch:PutMetricData",
            "elasticloadbalancing:DescribeTargetHealth",
            "route53:TestDNSAnswer",
        ];
        for s in statements(&policy) {
            let star = resources(s).contains(&"*");
            if star {
                assert_eq!(resources(s), ["*"], "{s}");
                assert!(actions(s).iter().all(|a| without_types.contains(a)), "{s}");
                assert!(s["Sid"].as_str().unwrap().contains("NoResourceArn"), "{s}");
                assert!(!requested_regions(s).is_empty(), "{s}");
            } else {
                assert!(actions(s).iter().all(|a| !without_types.contains(a)), "{s}");
                assert!(
                    resources(s).iter().all(|r| r.starts_with("arn:aws:")),
                    "{s}"
                );
            }
        }
    }

    /// Each stack ARN names a stack of the pair in its own Region and account; with no
    /// account pinned, the account field is `*`.
    #[test]
    fn each_stack_arn_names_a_stack_of_the_pair_in_its_region_and_account() {
        for account in [None, Some("123456789012")] {
            let asm = assembly(account);
            let policy = operator_policy(&asm, &pair());
            let stacks = granting(&policy, "cloudformation:DescribeStackResources");
            assert_eq!(stacks.len(), 1);
            let arns = resources(stacks[0]);
            assert_eq!(arns.len(), STACKS.len());
            for ((name, region), arn) in STACKS.iter().zip(&arns) {
                assert_eq!(
                    *arn,
                    format!(
                        "arn:aws:cloudformation:{}:{}:stack/{name}/*",
                        region.code(),
                        account.unwrap_or("*")
                    )
                );
            }
            let global = granting(&policy, "rds:DescribeGlobalClusters")[0];
            assert_eq!(
                resources(global),
                [format!(
                    "arn:aws:rds::{}:global-cluster:*",
                    account.unwrap_or("*")
                )]
            );
        }
        // A stack the assembly does not have is not granted.
        let mut p = pair();
        p["stacks"]["global"] = json!("Elsewhere-Global");
        let policy = operator_policy(&assembly(None), &p);
        let arns = resources(granting(&policy, "cloudformation:DescribeStacks")[0]);
        assert_eq!(arns.len(), STACKS.len() - 1);
        assert!(arns.iter().all(|a| !a.contains("Global")), "{arns:?}");
    }

    /// A pair without a database or a traffic switch gets no statement for them; an existing
    /// public zone without a private zone is named by its id.
    #[test]
    fn absent_parts_of_a_pair_get_no_statement() {
        let mut p = pair();
        p["database"]["globalCluster"] = Value::Null;
        p["database"]["cname"]["privateZone"] = Value::Null;
        p["traffic"]["hostedZone"] = json!({ "id": "Z0123", "name": "shop.example.com" });
        let policy = operator_policy(&assembly(None), &p);
        let all: Vec<&str> = statements(&policy).iter().flat_map(actions).collect();
        assert!(all.iter().all(|a| !a.starts_with("rds:")), "{all:?}");
        let zones = granting(&policy, "route53:ListResourceRecordSets")[0];
        assert_eq!(resources(zones), ["arn:aws:route53:::hostedzone/Z0123"]);

        p["traffic"] = Value::Null;
        p["switch"] = Value::Null;
        let policy = operator_policy(&assembly(None), &p);
        let all: Vec<&str> = statements(&policy).iter().flat_map(actions).collect();
        assert_eq!(
            all,
            [
                "cloudformation:DescribeStacks",
                "cloudformation:DescribeStackResources"
            ]
        );
    }

    /// `Assembly::write` writes one policy per pair, pretty with a trailing newline, the same
    /// bytes every time; a pair without a name gets none.
    #[test]
    fn the_assembly_writes_one_policy_per_pair() {
        let mut asm = assembly(None);
        let mut other = pair();
        other["pair"] = json!("Other");
        let mut nameless = pair();
        nameless["pair"] = Value::Null;
        asm.dr_pairs.extend([other, nameless]);
        let write = || {
            let dir = tempfile::tempdir().unwrap();
            asm.write(dir.path()).unwrap();
            let mut files: Vec<(String, String)> = std::fs::read_dir(dir.path())
                .unwrap()
                .map(|e| e.unwrap())
                .filter(|e| {
                    e.file_name()
                        .to_string_lossy()
                        .starts_with("operator-policy.")
                })
                .map(|e| {
                    let text = std::fs::read_to_string(e.path()).unwrap();
                    (e.file_name().to_string_lossy().into_owned(), text)
                })
                .collect();
            files.sort();
            files
        };
        let files = write();
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            ["operator-policy.Other.json", "operator-policy.Shop.json"]
        );
        let shop = &files[1].1;
        assert!(
            shop.ends_with("}\n") && shop.contains("\n  \"Statement\": ["),
            "{shop}"
        );
        assert_eq!(
            serde_json::from_str::<Value>(shop).unwrap(),
            operator_policy(&asm, &pair())
        );
        assert_eq!(files, write());
    }
}
