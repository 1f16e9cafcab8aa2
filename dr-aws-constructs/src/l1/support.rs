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
}
