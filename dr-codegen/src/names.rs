//! The casing rule for generated names.
//!
//! A CloudFormation name is split into words at case changes: a lower-case letter or digit
//! followed by a capital starts a new word, and in a run of capitals the last one starts a
//! new word when a lower-case letter follows (`DBClusterIdentifier` -> `DB` `Cluster`
//! `Identifier`; `Ipv6CidrBlock` -> `Ipv6` `Cidr` `Block`; `VPC` -> `VPC`). Digits stay with the
//! word before them. Type names capitalize each word (`CfnDbCluster`, `CfnVpcGatewayAttachment`),
//! field and module names lower-case them joined by `_` (`db_cluster_identifier`).

/// Splits a CloudFormation name into words.
pub fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1).copied();
        let boundary = c.is_ascii_uppercase()
            && match prev {
                None => false,
                Some(p) if p.is_ascii_lowercase() || p.is_ascii_digit() => true,
                Some(p) if p.is_ascii_uppercase() => next.is_some_and(|n| n.is_ascii_lowercase()),
                _ => false,
            };
        if boundary && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// `DBCluster` -> `DbCluster`.
pub fn upper_camel(name: &str) -> String {
    words(name)
        .iter()
        .map(|w| {
            let mut cs = w.chars();
            match cs.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + &cs.as_str().to_ascii_lowercase(),
                None => String::new(),
            }
        })
        .collect()
}

/// `DBClusterIdentifier` -> `db_cluster_identifier`; Rust keywords become raw identifiers.
pub fn snake(name: &str) -> String {
    let s = words(name)
        .iter()
        .map(|w| w.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("_");
    if is_keyword(&s) { format!("r#{s}") } else { s }
}

fn is_keyword(s: &str) -> bool {
    matches!(
        s,
        "as" | "break"
            | "const"
            | "continue"
            | "crate"
            | "else"
            | "enum"
            | "extern"
            | "false"
            | "fn"
            | "for"
            | "if"
            | "impl"
            | "in"
            | "let"
            | "loop"
            | "match"
            | "mod"
            | "move"
            | "mut"
            | "pub"
            | "ref"
            | "return"
            | "self"
            | "static"
            | "struct"
            | "super"
            | "trait"
            | "true"
            | "type"
            | "unsafe"
            | "use"
            | "where"
            | "while"
            | "async"
            | "await"
            | "dyn"
            | "abstract"
            | "become"
            | "box"
            | "do"
            | "final"
            | "macro"
            | "override"
            | "priv"
            | "typeof"
            | "unsized"
            | "virtual"
            | "yield"
            | "try"
            | "gen"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn casing_rule() {
        assert_eq!(upper_camel("VPC"), "Vpc");
        assert_eq!(upper_camel("DBCluster"), "DbCluster");
        assert_eq!(upper_camel("VPCGatewayAttachment"), "VpcGatewayAttachment");
        assert_eq!(upper_camel("EIP"), "Eip");
        assert_eq!(
            upper_camel("DBClusterParameterGroup"),
            "DbClusterParameterGroup"
        );
        assert_eq!(snake("DBClusterIdentifier"), "db_cluster_identifier");
        assert_eq!(snake("Ipv6CidrBlock"), "ipv6_cidr_block");
        assert_eq!(snake("CidrIpv6"), "cidr_ipv6");
        assert_eq!(snake("SSESpecification"), "sse_specification");
        assert_eq!(snake("DNSName"), "dns_name");
        assert_eq!(snake("Type"), "r#type");
        assert_eq!(snake("S3Key"), "s3_key");
        assert_eq!(snake("ElasticLoadBalancingV2"), "elastic_load_balancing_v2");
    }
}
