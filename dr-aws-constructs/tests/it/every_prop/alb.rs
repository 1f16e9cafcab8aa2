//! Slips in the props of `alb`: each gives exactly one error, on the load balancer of the
//! site it was made in (the primary's path for a slip made in both sites), naming the prop.

use dr_aws_constructs::*;

use super::{CERT_EAST, CERT_WEST, Knobs, Row, check_rows, pair_app};

const PRIMARY: &str = "Shop/Primary/Lb";
const SECONDARY: &str = "Shop/Secondary/Lb";

pub const ROWS: &[Row<Knobs>] = &[
    // certificate_arn: the other Region's certificate, one side of the pick at a time.
    Row {
        slip: "the primary's certificate given to both sites",
        apply: |k| k.alb_certificate_arn = (Some(CERT_EAST.into()), Some(CERT_EAST.into())),
        path: SECONDARY,
        prop: "certificate_arn",
    },
    Row {
        slip: "the secondary's certificate given to both sites",
        apply: |k| k.alb_certificate_arn = (Some(CERT_WEST.into()), Some(CERT_WEST.into())),
        path: PRIMARY,
        prop: "certificate_arn",
    },
    Row {
        slip: "a certificate ARN that is not an ARN",
        apply: |k| {
            k.alb_certificate_arn = (
                Some("11111111-1111-1111-1111-111111111111".into()),
                Some(CERT_WEST.into()),
            )
        },
        path: PRIMARY,
        prop: "certificate_arn",
    },
    Row {
        slip: "a certificate ARN with a 10-digit account",
        apply: |k| {
            k.alb_certificate_arn = (
                Some(CERT_EAST.into()),
                Some(
                    "arn:aws:acm:us-west-2:1234567890:certificate/22222222-2222-2222-2222-222222222222"
                        .into(),
                ),
            )
        },
        path: SECONDARY,
        prop: "certificate_arn",
    },
    Row {
        slip: "an ACM ARN of something else than a certificate",
        apply: |k| {
            k.alb_certificate_arn = (
                Some("arn:aws:acm:us-east-2:123456789012:account/default".into()),
                Some(CERT_WEST.into()),
            )
        },
        path: PRIMARY,
        prop: "certificate_arn",
    },
    Row {
        slip: "a Route 53 hosted zone ARN given for the certificate",
        apply: |k| {
            k.alb_certificate_arn = (
                Some("arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ".into()),
                Some(CERT_WEST.into()),
            )
        },
        path: PRIMARY,
        prop: "certificate_arn",
    },
    Row {
        slip: "an IAM server certificate ARN with a Region",
        apply: |k| {
            k.alb_certificate_arn = (
                Some("arn:aws:iam:us-east-2:123456789012:server-certificate/shop".into()),
                Some(CERT_WEST.into()),
            )
        },
        path: PRIMARY,
        prop: "certificate_arn",
    },
    // protocol_version: HTTP/2 and gRPC need HTTPS.
    Row {
        slip: "HTTP/2 to the targets without a certificate",
        apply: |k| {
            k.alb_protocol_version = ProtocolVersion::Http2;
            k.alb_certificate_arn = (None, None);
        },
        path: PRIMARY,
        prop: "protocol_version",
    },
    Row {
        slip: "gRPC to the targets without a certificate",
        apply: |k| {
            k.alb_protocol_version = ProtocolVersion::Grpc;
            k.alb_certificate_arn = (None, None);
        },
        path: PRIMARY,
        prop: "protocol_version",
    },
    // target_port: 1 to 65535.
    Row {
        slip: "target port 0",
        apply: |k| k.alb_target_port = 0,
        path: PRIMARY,
        prop: "target_port",
    },
    // health_check_path: `/`, at most 1024 characters, ELB's characters.
    Row {
        slip: "a health check path without its leading slash",
        apply: |k| k.alb_health_check_path = Some("api/health".into()),
        path: PRIMARY,
        prop: "health_check_path",
    },
    Row {
        slip: "a health check path with a space",
        apply: |k| k.alb_health_check_path = Some("/api/health check".into()),
        path: PRIMARY,
        prop: "health_check_path",
    },
    Row {
        slip: "a health check path with unencoded braces",
        apply: |k| k.alb_health_check_path = Some("/?query={__typename}".into()),
        path: PRIMARY,
        prop: "health_check_path",
    },
    Row {
        slip: "a health check path longer than 1024 characters",
        apply: |k| k.alb_health_check_path = Some(format!("/{}", "a".repeat(1024))),
        path: PRIMARY,
        prop: "health_check_path",
    },
    // ssl_policy: one of ELB's security policies.
    Row {
        slip: "an SSL policy with a typo",
        apply: |k| k.alb_ssl_policy = "ELBSecurityPolicy-TLS13-1-2-2012-06".into(),
        path: PRIMARY,
        prop: "ssl_policy",
    },
    Row {
        slip: "an SSL policy that is no ELB policy",
        apply: |k| k.alb_ssl_policy = "TLSv1.2_2021".into(),
        path: PRIMARY,
        prop: "ssl_policy",
    },
    Row {
        slip: "an SSL policy that still accepts TLS 1.0, without allow_legacy_tls",
        apply: |k| k.alb_ssl_policy = "ELBSecurityPolicy-2016-08".into(),
        path: PRIMARY,
        prop: "ssl_policy",
    },
    // access_logs: an existing bucket by a valid S3 name.
    Row {
        slip: "an existing access-log bucket given by ARN",
        apply: |k| {
            k.alb_access_logs = (
                AccessLogs::Bucket("arn:aws:s3:::east-logs".into()),
                AccessLogs::Bucket("west-logs".into()),
            )
        },
        path: PRIMARY,
        prop: "access_logs",
    },
    Row {
        slip: "an existing access-log bucket with an uppercase name",
        apply: |k| {
            k.alb_access_logs = (
                AccessLogs::Bucket("east-logs".into()),
                AccessLogs::Bucket("West-Logs".into()),
            )
        },
        path: SECONDARY,
        prop: "access_logs",
    },
    // access_log_prefix: ELB's rules.
    Row {
        slip: "an access-log prefix containing AWSLogs",
        apply: |k| k.alb_access_log_prefix = Some("alb/AWSLogs".into()),
        path: PRIMARY,
        prop: "access_log_prefix",
    },
    Row {
        slip: "an access-log prefix with a leading slash",
        apply: |k| k.alb_access_log_prefix = Some("/alb".into()),
        path: PRIMARY,
        prop: "access_log_prefix",
    },
    // access_log_retention_days: 1 to the 32-bit maximum.
    Row {
        slip: "an access-log retention of 0 days",
        apply: |k| k.alb_access_log_retention_days = 0,
        path: PRIMARY,
        prop: "access_log_retention_days",
    },
    Row {
        slip: "an access-log retention beyond S3's 32-bit days",
        apply: |k| k.alb_access_log_retention_days = u32::MAX,
        path: PRIMARY,
        prop: "access_log_retention_days",
    },
];

#[test]
fn one_slip_in_each_alb_prop_is_one_error_at_that_prop() {
    check_rows(pair_app, ROWS);
}
