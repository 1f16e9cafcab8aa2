//! CloudWatch metrics and alarms, and ELBv2 target health.

use aws_sdk_cloudwatch::types as cw;
use dr_core::Region;
use dr_core::cloud::{
    AlarmState, CloudResult, Datapoint, Dimension, MetricAlarm, MetricDatum, MetricQuery,
    Statistic, TargetHealth, TargetHealthState,
};

use super::Clients;
use super::convert::{next_page, to_datetime, ts};

fn dims(d: &[Dimension]) -> Vec<cw::Dimension> {
    d.iter()
        .map(|d| {
            cw::Dimension::builder()
                .name(&d.name)
                .value(&d.value)
                .build()
        })
        .collect()
}

/// `GetMetricStatistics` for one statistic, oldest first (the API returns data points in no
/// stated order).
pub(crate) async fn get_metric_statistics(
    c: &Clients,
    region: Region,
    q: MetricQuery,
) -> CloudResult<Vec<Datapoint>> {
    let res = format!("metric {}/{}", q.namespace, q.metric_name);
    let call = c.call("GetMetricStatistics", region, &res);
    let out = c
        .cloudwatch
        .get_metric_statistics()
        .namespace(&q.namespace)
        .metric_name(&q.metric_name)
        .set_dimensions(Some(dims(&q.dimensions)))
        .start_time(to_datetime(q.start))
        .end_time(to_datetime(q.end))
        .period(i32::try_from(q.period_seconds).unwrap_or(i32::MAX))
        .statistics(cw::Statistic::from(q.statistic.as_str()))
        .send()
        .await
        .map_err(|e| call.map(e))?;
    let mut points: Vec<Datapoint> = out
        .datapoints()
        .iter()
        .filter_map(|p| {
            let value = match &q.statistic {
                Statistic::Average => p.average(),
                Statistic::Maximum => p.maximum(),
                Statistic::Minimum => p.minimum(),
                Statistic::Sum => p.sum(),
                Statistic::SampleCount => p.sample_count(),
                // `Other` holds an extended statistic (`p99`) by name.
                other => p
                    .extended_statistics()
                    .and_then(|m| m.get(other.as_str()).copied()),
            }?;
            Some(Datapoint {
                timestamp: ts(p.timestamp()?),
                value,
                unit: p.unit().map(|u| u.as_str().to_string()),
            })
        })
        .collect();
    points.sort_by_key(|p| p.timestamp);
    Ok(points)
}

/// `ListMetrics` for one metric, all pages: the dimension sets it exists under.
pub(crate) async fn list_metric_dimensions(
    c: &Clients,
    region: Region,
    namespace: &str,
    metric_name: &str,
) -> CloudResult<Vec<Vec<Dimension>>> {
    const OP: &str = "ListMetrics";
    let res = format!("metric {namespace}/{metric_name}");
    let call = c.call(OP, region, &res);
    let mut all = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let out = c
            .cloudwatch
            .list_metrics()
            .namespace(namespace)
            .metric_name(metric_name)
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(|e| call.map(e))?;
        for m in out.metrics() {
            all.push(
                m.dimensions()
                    .iter()
                    .map(|d| Dimension {
                        name: d.name().unwrap_or_default().to_string(),
                        value: d.value().unwrap_or_default().to_string(),
                    })
                    .collect(),
            );
        }
        token = next_page(OP, token.as_deref(), out.next_token())?;
        if token.is_none() {
            return Ok(all);
        }
    }
}

/// `PutMetricData`.
pub(crate) async fn put_metric_data(
    c: &Clients,
    region: Region,
    namespace: &str,
    data: Vec<MetricDatum>,
) -> CloudResult<()> {
    let res = format!("namespace {namespace}");
    let call = c.call("PutMetricData", region, &res);
    let data = data
        .iter()
        .map(|d| {
            cw::MetricDatum::builder()
                .metric_name(&d.metric_name)
                .set_dimensions(Some(dims(&d.dimensions)))
                .value(d.value)
                .set_unit(d.unit.as_deref().map(cw::StandardUnit::from))
                .set_timestamp(d.timestamp.map(to_datetime))
                .build()
        })
        .collect();
    c.cloudwatch
        .put_metric_data()
        .namespace(namespace)
        .set_metric_data(Some(data))
        .send()
        .await
        .map_err(|e| call.map(e))?;
    Ok(())
}

/// `DescribeTargetHealth` for every registered target.
pub(crate) async fn describe_target_health(
    c: &Clients,
    region: Region,
    target_group_arn: &str,
) -> CloudResult<Vec<TargetHealth>> {
    let res = format!("target group {target_group_arn}");
    let call = c.call("DescribeTargetHealth", region, &res);
    let out = c
        .elbv2
        .describe_target_health()
        .target_group_arn(target_group_arn)
        .send()
        .await
        .map_err(|e| call.map(e))?;
    Ok(out
        .target_health_descriptions()
        .iter()
        .map(|d| {
            let t = d.target();
            let h = d.target_health();
            TargetHealth {
                target_id: t.and_then(|t| t.id()).unwrap_or_default().to_string(),
                port: t.and_then(|t| t.port()).and_then(|p| u16::try_from(p).ok()),
                state: h
                    .and_then(|h| h.state())
                    .map(|s| TargetHealthState::from_aws(s.as_str()))
                    .unwrap_or(TargetHealthState::Other(String::new())),
                reason: h.and_then(|h| h.reason()).map(|r| r.as_str().to_string()),
                description: h.and_then(|h| h.description()).map(str::to_string),
            }
        })
        .collect())
}

/// How many names one `DescribeAlarms` request may carry: `AlarmNames`, "Maximum number of 100
/// items" ("DescribeAlarms", Amazon CloudWatch API Reference,
/// <https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarms.html>).
pub(crate) const MAX_ALARM_NAMES: usize = 100;

/// The port's [`MetricAlarm`] from the SDK's.
fn metric_alarm(a: &cw::MetricAlarm) -> MetricAlarm {
    MetricAlarm {
        name: a.alarm_name().unwrap_or_default().to_string(),
        state: a
            .state_value()
            .map(|v| AlarmState::from_aws(v.as_str()))
            .unwrap_or(AlarmState::Other(String::new())),
        state_reason: a.state_reason().map(str::to_string),
        state_updated: a.state_updated_timestamp().map(ts),
        namespace: a.namespace().map(str::to_string),
        metric_name: a.metric_name().map(str::to_string),
        dimensions: a
            .dimensions()
            .iter()
            .map(|d| Dimension {
                name: d.name().unwrap_or_default().to_string(),
                value: d.value().unwrap_or_default().to_string(),
            })
            .collect(),
        threshold: a.threshold(),
    }
}

/// `DescribeAlarms` for `names` with `AlarmTypes=MetricAlarm`, in requests of at most
/// [`MAX_ALARM_NAMES`] names, each read to its last page (`NextToken`). CloudWatch leaves out a
/// name it does not know. No names, no request: without `AlarmNames` the call would list every
/// alarm of the Region.
pub(crate) async fn describe_alarms(
    c: &Clients,
    region: Region,
    names: &[String],
) -> CloudResult<Vec<MetricAlarm>> {
    const OP: &str = "DescribeAlarms";
    let res = match names {
        [one] => format!("alarm {one}"),
        _ => format!("{} alarms", names.len()),
    };
    let call = c.call(OP, region, &res);
    let mut all = Vec::new();
    for batch in names.chunks(MAX_ALARM_NAMES) {
        let mut token: Option<String> = None;
        loop {
            let out = c
                .cloudwatch
                .describe_alarms()
                .set_alarm_names(Some(batch.to_vec()))
                .alarm_types(cw::AlarmType::MetricAlarm)
                .set_next_token(token.clone())
                .send()
                .await
                .map_err(|e| call.map(e))?;
            all.extend(out.metric_alarms().iter().map(metric_alarm));
            token = next_page(OP, token.as_deref(), out.next_token())?;
            if token.is_none() {
                break;
            }
        }
    }
    Ok(all)
}
