//! Stack policy evaluation, as `ExecuteChangeSet` enforces it (once set, everything is
//! protected unless allowed; `Deny` beats `Allow`; actions `Update:Modify|Replace|Delete|*`;
//! "Prevent updates to stack resources",
//! <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/protect-stack-resources.html>).
//! A statement with neither `Resource` nor `NotResource` matches nothing (its `Condition`
//! applies only once the resource matched; serverless#5012).

use serde_json::Value;

fn glob(pattern: &str, s: &str) -> bool {
    fn rec(p: &[u8], s: &[u8]) -> bool {
        match (p.first(), s.first()) {
            (None, None) => true,
            (Some(b'*'), _) => rec(&p[1..], s) || (!s.is_empty() && rec(p, &s[1..])),
            (Some(b'?'), Some(_)) => rec(&p[1..], &s[1..]),
            (Some(a), Some(b)) if a == b => rec(&p[1..], &s[1..]),
            _ => false,
        }
    }
    rec(pattern.as_bytes(), s.as_bytes())
}

fn strings(v: Option<&Value>) -> Option<Vec<String>> {
    match v? {
        Value::String(s) => Some(vec![s.clone()]),
        Value::Array(a) => Some(
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect(),
        ),
        _ => None,
    }
}

fn matches(st: &Value, logical_id: &str, resource_type: &str, action: &str) -> bool {
    let action_ok = match (strings(st.get("Action")), strings(st.get("NotAction"))) {
        (Some(a), _) => a.iter().any(|p| glob(p, action)),
        (None, Some(n)) => !n.iter().any(|p| glob(p, action)),
        (None, None) => false,
    };
    let res = format!("LogicalResourceId/{logical_id}");
    let resource_ok = match (strings(st.get("Resource")), strings(st.get("NotResource"))) {
        (Some(r), _) => r.iter().any(|p| glob(p, &res)),
        (None, Some(n)) => !n.iter().any(|p| glob(p, &res)),
        (None, None) => false,
    };
    if !(action_ok && resource_ok) {
        return false;
    }
    let Some(cond) = st.get("Condition").and_then(Value::as_object) else {
        return true;
    };
    cond.iter().all(|(op, body)| {
        let Some(types) = strings(body.get("ResourceType")) else {
            return true;
        };
        match op.as_str() {
            "StringEquals" => types.iter().any(|t| t == resource_type),
            "StringNotEquals" => !types.iter().any(|t| t == resource_type),
            "StringLike" => types.iter().any(|t| glob(t, resource_type)),
            "StringNotLike" => !types.iter().any(|t| glob(t, resource_type)),
            _ => true,
        }
    })
}

/// Whether `policy` denies `action` (`Update:Modify`, `Update:Replace`, `Update:Delete`) on a
/// resource; the status reason CloudFormation gives when it does.
pub fn denied(
    policy: &Value,
    logical_id: &str,
    resource_type: &str,
    action: &str,
) -> Option<String> {
    let statements: Vec<&Value> = match policy.get("Statement") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(v @ Value::Object(_)) => vec![v],
        _ => vec![],
    };
    let mut allowed = false;
    for (i, st) in statements.iter().enumerate() {
        if !matches(st, logical_id, resource_type, action) {
            continue;
        }
        match st.get("Effect").and_then(Value::as_str) {
            // Wording as reported from CloudFormation events (e.g. a public write-up of a denied
            // replacement): "Action denied by stack policy: Statement [#1] does not allow
            // [Update:Replace] for resource [LogicalResourceId/DB]".
            Some("Deny") => {
                return Some(format!(
                    "Action denied by stack policy: Statement [#{}] does not allow [{action}] for resource [LogicalResourceId/{logical_id}]",
                    i + 1
                ));
            }
            Some("Allow") => allowed = true,
            _ => {}
        }
    }
    (!allowed).then(|| format!("Action not allowed by stack policy: no statement allows [{action}] for resource [LogicalResourceId/{logical_id}]"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn deny_beats_allow_and_conditions_filter_by_type() {
        let p = json!({"Statement": [
            {"Effect": "Allow", "Action": "Update:*", "Principal": "*", "Resource": "*"},
            {"Effect": "Deny", "Action": ["Update:Replace", "Update:Delete"], "Principal": "*", "Resource": "*",
             "Condition": {"StringEquals": {"ResourceType": ["AWS::RDS::DBCluster"]}}}
        ]});
        assert_eq!(
            denied(&p, "Db", "AWS::RDS::DBCluster", "Update:Replace").as_deref(),
            Some(
                "Action denied by stack policy: Statement [#2] does not allow [Update:Replace] for resource [LogicalResourceId/Db]"
            )
        );
        assert_eq!(
            denied(&p, "Db", "AWS::RDS::DBCluster", "Update:Modify"),
            None
        );
        assert_eq!(
            denied(&p, "Sg", "AWS::EC2::SecurityGroup", "Update:Replace"),
            None
        );
        // Once a policy is set, what no statement allows is denied.
        let only_db = json!({"Statement": [{"Effect": "Allow", "Action": "Update:*", "Principal": "*", "Resource": "LogicalResourceId/Db"}]});
        assert!(denied(&only_db, "Sg", "AWS::EC2::SecurityGroup", "Update:Modify").is_some());
    }
}
