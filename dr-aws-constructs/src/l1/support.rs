//! Helpers the generated L1 code renders its properties with (hand-written).

use dr_core::{Expr, Val};

/// A value that renders as a CloudFormation property value.
pub(crate) trait ToProp {
    /// The property value.
    fn to_prop(&self) -> Expr;
}

impl<T> ToProp for Val<T> {
    fn to_prop(&self) -> Expr {
        self.as_expr().clone()
    }
}

impl ToProp for Expr {
    fn to_prop(&self) -> Expr {
        self.clone()
    }
}

impl<T: ToProp> ToProp for Vec<T> {
    fn to_prop(&self) -> Expr {
        Expr::List(self.iter().map(ToProp::to_prop).collect())
    }
}

impl<T: ToProp> ToProp for Box<T> {
    fn to_prop(&self) -> Expr {
        (**self).to_prop()
    }
}

/// A property map under construction, in insertion (schema) order.
#[derive(Default)]
pub(crate) struct Props(Vec<(&'static str, Expr)>);

impl Props {
    /// Adds the property when it is set.
    pub(crate) fn set<T: ToProp>(&mut self, name: &'static str, value: &Option<T>) {
        if let Some(v) = value {
            self.0.push((name, v.to_prop()));
        }
    }

    /// The finished map.
    pub(crate) fn into_expr(self) -> Expr {
        Expr::map(self.0)
    }
}

#[cfg(test)]
mod tests {
    use dr_core::{Expr, ResourceProps, Val};
    use serde_json::json;

    use crate::l1::{Tag, ec2, rds, route53};

    #[test]
    fn properties_render_in_schema_order_without_unset_fields() {
        let vpc = ec2::CfnVpc {
            tags: Some(vec![Tag::new("Name", "shop")]),
            enable_dns_support: Some(true.into()),
            cidr_block: Some("10.10.0.0/16".into()),
            ..Default::default()
        };
        let props = vpc.to_properties().to_json();
        assert_eq!(
            props,
            json!({"CidrBlock": "10.10.0.0/16", "EnableDnsSupport": true,
                   "Tags": [{"Key": "Name", "Value": "shop"}]})
        );
        let keys: Vec<&String> = props.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["CidrBlock", "EnableDnsSupport", "Tags"]);
        assert_eq!(ec2::CfnVpc::TYPE_NAME, "AWS::EC2::VPC");
        assert_eq!(
            ec2::CfnVpc::default().to_expr(),
            Expr::map(Vec::<(String, Expr)>::new())
        );
    }

    #[test]
    fn nested_structs_and_intrinsics() {
        let record = route53::CfnRecordSet {
            name: Some("shop.example.com.".into()),
            r#type: Some("A".into()),
            failover: Some("PRIMARY".into()),
            alias_target: Some(route53::record_set::AliasTarget {
                dns_name: Some(Val::expr(Expr::GetAtt("Lb".into(), "DNSName".into()))),
                hosted_zone_id: Some("Z3AADJGX6KTTL2".into()),
                evaluate_target_health: Some(true.into()),
            }),
            ..Default::default()
        };
        assert_eq!(
            record.to_properties().to_json(),
            json!({
                "AliasTarget": {"DNSName": {"Fn::GetAtt": ["Lb", "DNSName"]},
                                "EvaluateTargetHealth": true, "HostedZoneId": "Z3AADJGX6KTTL2"},
                "Failover": "PRIMARY", "Name": "shop.example.com.", "Type": "A"
            })
        );
        assert!(record.missing_required().is_empty());
    }

    #[test]
    fn missing_required_lists_unset_required_properties() {
        assert_eq!(
            route53::CfnRecordSet::default().missing_required(),
            ["Name", "Type"]
        );
        assert_eq!(ec2::CfnSubnet::default().missing_required(), ["VpcId"]);
        assert!(rds::CfnDbCluster::default().missing_required().is_empty());
        let sg = ec2::CfnSecurityGroupEgress {
            ip_protocol: Some("-1".into()),
            ..Default::default()
        };
        assert_eq!(sg.missing_required(), ["GroupId"]);
    }

    #[test]
    fn free_form_objects_are_expr() {
        let doc = Expr::from(json!({"Version": "2012-10-17", "Statement": []}));
        let role = crate::l1::iam::CfnRole {
            assume_role_policy_document: Some(doc.clone()),
            max_session_duration: Some(3600i64.into()),
            ..Default::default()
        };
        assert_eq!(
            role.to_properties().to_json(),
            json!({"AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": []},
                   "MaxSessionDuration": 3600})
        );
    }

    /// L1 output of several resource types, nested structs included, in one template that
    /// cfn-lint must accept in both regions of the pair: the generated property names, nesting
    /// and value types match the schemas cfn-lint validates against.
    #[test]
    fn l1_output_passes_cfn_lint() {
        use crate::l1::{elasticloadbalancingv2 as elb, secretsmanager};
        use dr_core::ResourceProps;

        fn r(e: Expr) -> Val<String> {
            Val::expr(e)
        }
        fn resource<P: ResourceProps>(p: &P) -> serde_json::Value {
            assert!(
                p.missing_required().is_empty(),
                "{}: {:?}",
                P::TYPE_NAME,
                p.missing_required()
            );
            json!({"Type": P::TYPE_NAME, "Properties": p.to_properties().to_json()})
        }
        let vpc_id = || r(Expr::reference("Vpc"));
        let vpc = ec2::CfnVpc {
            cidr_block: Some("10.10.0.0/16".into()),
            enable_dns_hostnames: Some(true.into()),
            enable_dns_support: Some(true.into()),
            tags: Some(vec![Tag::new("Name", "shop")]),
            ..Default::default()
        };
        let subnet = ec2::CfnSubnet {
            vpc_id: Some(vpc_id()),
            cidr_block: Some("10.10.0.0/24".into()),
            availability_zone: Some(r(Expr::select(0, Expr::get_azs()))),
            ..Default::default()
        };
        let sg = ec2::CfnSecurityGroup {
            group_description: Some("fleet".into()),
            vpc_id: Some(vpc_id()),
            security_group_ingress: Some(vec![ec2::security_group::Ingress {
                ip_protocol: Some("tcp".into()),
                from_port: Some(3000i64.into()),
                to_port: Some(3000i64.into()),
                cidr_ip: Some("10.10.0.0/16".into()),
                ..Default::default()
            }]),
            ..Default::default()
        };
        let lt = ec2::CfnLaunchTemplate {
            launch_template_data: Some(ec2::launch_template::LaunchTemplateData {
                instance_type: Some("t3.micro".into()),
                image_id: Some("ami-0123456789abcdef0".into()),
                metadata_options: Some(ec2::launch_template::MetadataOptions {
                    http_tokens: Some("required".into()),
                    http_endpoint: Some("enabled".into()),
                    ..Default::default()
                }),
                security_group_ids: Some(vec![r(Expr::GetAtt("Sg".into(), "GroupId".into()))]),
                ..Default::default()
            }),
            ..Default::default()
        };
        let tg = elb::CfnTargetGroup {
            port: Some(3000i64.into()),
            protocol: Some("HTTP".into()),
            vpc_id: Some(vpc_id()),
            health_check_path: Some("/api/health".into()),
            ..Default::default()
        };
        let hc = route53::CfnHealthCheck {
            health_check_config: Some(route53::health_check::HealthCheckConfig {
                r#type: Some("HTTPS".into()),
                fully_qualified_domain_name: Some("shop.example.com".into()),
                port: Some(443i64.into()),
                resource_path: Some("/api/health".into()),
                failure_threshold: Some(3i64.into()),
                ..Default::default()
            }),
            ..Default::default()
        };
        let secret = secretsmanager::CfnSecret {
            generate_secret_string: Some(secretsmanager::secret::GenerateSecretString {
                secret_string_template: Some("{\"username\": \"admin\"}".into()),
                generate_string_key: Some("password".into()),
                password_length: Some(32i64.into()),
                exclude_characters: Some("\"@/\\".into()),
                ..Default::default()
            }),
            ..Default::default()
        };
        let cluster = rds::CfnDbCluster {
            engine: Some("aurora-mysql".into()),
            storage_encrypted: Some(true.into()),
            deletion_protection: Some(true.into()),
            backup_retention_period: Some(7i64.into()),
            ..Default::default()
        };
        let template = json!({
            "AWSTemplateFormatVersion": "2010-09-09",
            "Resources": {
                "Vpc": resource(&vpc),
                "Subnet": resource(&subnet),
                "Sg": resource(&sg),
                "Lt": resource(&lt),
                "Tg": resource(&tg),
                "Hc": resource(&hc),
                "Secret": resource(&secret),
                "Cluster": {
                    "Type": rds::CfnDbCluster::TYPE_NAME,
                    "DeletionPolicy": "Snapshot",
                    "UpdateReplacePolicy": "Snapshot",
                    "Properties": cluster.to_properties().to_json(),
                },
            },
            "Outputs": {
                "Subnet": {"Value": {"Ref": "Subnet"}},
                "Lt": {"Value": {"Ref": "Lt"}},
                "Tg": {"Value": {"Ref": "Tg"}},
                "Hc": {"Value": {"Ref": "Hc"}},
                "Secret": {"Value": {"Ref": "Secret"}},
                "Cluster": {"Value": {"Fn::GetAtt": ["Cluster", "Endpoint.Address"]}},
            },
        });
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l1.template.json");
        std::fs::write(&path, serde_json::to_string_pretty(&template).unwrap()).unwrap();
        dr_testkit::assert_cfn_lint_clean(&[path], &["us-east-2", "us-west-2"]);
    }
}
