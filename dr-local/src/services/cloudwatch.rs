//! CloudWatch alarms as AWS documents their evaluation: each alarm is evaluated once a period
//! on the virtual clock, over an evaluation range of periods, with its statistic, comparison,
//! `DatapointsToAlarm` (M of N) and `TreatMissingData`, and keeps its state (with the time of
//! the last transition) between evaluations, so `ignore` holds a state for as long as no data
//! comes. Sources: "Using Amazon CloudWatch alarms" (sections "Evaluating an alarm",
//! "Configuring how CloudWatch alarms treat missing data", "How alarm state is evaluated when
//! data is missing", "Avoiding premature transitions to alarm state"),
//! <https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html>,
//! and "PutMetricAlarm",
//! <https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html>.

use dr_core::Region;
use dr_core::cloud::Dimension;
use serde_json::Value;

use super::s;
use crate::clock::SimTime;
use crate::state::{Alarm, Notification, StackResource, World};

/// `StateValue`s.
pub const OK: &str = "OK";
/// `StateValue`s.
pub const ALARM: &str = "ALARM";
/// `StateValue`s.
pub const INSUFFICIENT_DATA: &str = "INSUFFICIENT_DATA";

/// The key under which published metric data is kept.
pub fn metric_key(region: Region, namespace: &str, metric: &str, dims: &[Dimension]) -> String {
    let mut dims = dims.to_vec();
    dims.sort_by(|a, b| a.name.cmp(&b.name));
    format!(
        "{region}|{namespace}|{metric}|{}",
        serde_json::to_string(&dims).unwrap_or_default()
    )
}

/// The key of an alarm: an alarm lives in its Region.
pub fn alarm_key(region: &str, name: &str) -> String {
    format!("{region}|{name}")
}

/// A stack's alarm enters CloudWatch: "When this operation creates an alarm, the alarm state is
/// immediately set to INSUFFICIENT_DATA" ("PutMetricAlarm").
pub fn register(w: &mut World, region: Region, r: &StackResource) {
    let now = w.now;
    w.alarms.insert(
        alarm_key(region.code(), &r.physical_id),
        Alarm {
            config: r.properties.clone(),
            state: INSUFFICIENT_DATA.into(),
            state_since: now,
            evaluated_to: now,
            stream: None,
        },
    );
}

/// An update through the stack: "When you update an existing alarm, its state is left
/// unchanged, but the update completely overwrites the previous configuration of the alarm"
/// ("PutMetricAlarm").
pub fn update(w: &mut World, region: Region, r: &StackResource) {
    match w.alarms.get_mut(&alarm_key(region.code(), &r.physical_id)) {
        Some(a) => a.config = r.properties.clone(),
        None => register(w, region, r),
    }
}

/// How missing data points are treated (`TreatMissingData`, default `missing`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Treat {
    Missing,
    Ignore,
    Breaching,
    NotBreaching,
}

/// What one evaluation of the data decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Go to (or stay in) ALARM.
    Alarm,
    /// Go to (or stay in) OK.
    Ok,
    /// Go to INSUFFICIENT_DATA (`missing`, nothing in the evaluation range).
    Insufficient,
    /// Keep the current state (`ignore` without enough data, or a breach too recent to alarm).
    Retain,
}

/// The parts of an alarm's configuration its evaluation needs. `None` for an alarm the
/// simulator cannot evaluate (metric math, anomaly detection): it stays INSUFFICIENT_DATA.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The metric's data key.
    pub key: String,
    /// `Period`, in milliseconds.
    pub period_ms: u64,
    /// `EvaluationPeriods` (N).
    pub n: usize,
    /// `DatapointsToAlarm` (M, default N).
    pub m: usize,
    threshold: f64,
    op: String,
    stat: String,
    treat: Treat,
}

impl Spec {
    /// Reads an alarm's configuration.
    pub fn of(region: &str, a: &Value) -> Option<Spec> {
        let region: Region = region.parse().ok()?;
        let dims: Vec<Dimension> = a
            .get("Dimensions")
            .and_then(Value::as_array)
            .map(|d| {
                d.iter()
                    .map(|x| Dimension {
                        name: s(x, "Name").unwrap_or_default(),
                        value: s(x, "Value").unwrap_or_default(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let key = metric_key(region, &s(a, "Namespace")?, &s(a, "MetricName")?, &dims);
        let num = |k: &str| s(a, k).and_then(|v| v.parse::<f64>().ok());
        let period = num("Period")?;
        let n = num("EvaluationPeriods")?;
        if !(period >= 1.0 && n >= 1.0) {
            return None;
        }
        let n = n as usize;
        let m = num("DatapointsToAlarm").map_or(n, |m| (m.max(1.0) as usize).min(n));
        let op = s(a, "ComparisonOperator")?;
        // The anomaly-detection operators compare with a band the simulator does not model.
        if !matches!(
            op.as_str(),
            "GreaterThanOrEqualToThreshold"
                | "GreaterThanThreshold"
                | "LessThanThreshold"
                | "LessThanOrEqualToThreshold"
        ) {
            return None;
        }
        let stat = s(a, "Statistic").or_else(|| s(a, "ExtendedStatistic"))?;
        let treat = match s(a, "TreatMissingData").as_deref() {
            Some("ignore") => Treat::Ignore,
            Some("breaching") => Treat::Breaching,
            Some("notBreaching") => Treat::NotBreaching,
            _ => Treat::Missing,
        };
        Some(Spec {
            key,
            period_ms: (period as u64) * 1000,
            n,
            m,
            threshold: num("Threshold")?,
            op,
            stat,
            treat,
        })
    }

    /// The evaluation range, in periods. AWS retrieves "a higher number of data points than
    /// the number specified as Evaluation Periods", and documents one value: 5 for an
    /// `EvaluationPeriods` of 3; the simulator uses N + 2 for every N.
    fn range(&self) -> usize {
        self.n + 2
    }

    fn reduce(&self, vals: &[f64]) -> Option<f64> {
        if vals.is_empty() {
            return None;
        }
        Some(match self.stat.as_str() {
            "Maximum" => vals.iter().copied().fold(f64::MIN, f64::max),
            "Minimum" => vals.iter().copied().fold(f64::MAX, f64::min),
            "Sum" => vals.iter().sum(),
            "SampleCount" => vals.len() as f64,
            "Average" => vals.iter().sum::<f64>() / vals.len() as f64,
            p => {
                // `pNN.NN`: the nearest-rank percentile.
                let q: f64 = p.strip_prefix('p')?.parse().ok()?;
                let mut v = vals.to_vec();
                v.sort_by(f64::total_cmp);
                let rank = ((q / 100.0) * v.len() as f64).ceil().max(1.0) as usize;
                v[rank.min(v.len()) - 1]
            }
        })
    }

    fn breaches(&self, v: f64) -> bool {
        match self.op.as_str() {
            "GreaterThanThreshold" => v > self.threshold,
            "LessThanThreshold" => v < self.threshold,
            "LessThanOrEqualToThreshold" => v <= self.threshold,
            _ => v >= self.threshold,
        }
    }

    /// The evaluation at tick `t` (a multiple of the period): the range's periods, most
    /// recent first, each breaching, not breaching, or missing.
    pub fn evaluate(&self, points: &[(SimTime, f64)], t: u64) -> Outcome {
        let p = self.period_ms;
        let periods: Vec<Option<bool>> = (0..self.range() as u64)
            .map(|k| {
                let (from, to) = (t.saturating_sub((k + 1) * p), t.saturating_sub(k * p));
                let vals: Vec<f64> = points
                    .iter()
                    .filter(|(at, _)| at.as_millis() >= from && at.as_millis() < to)
                    .map(|(_, v)| *v)
                    .collect();
                self.reduce(&vals).map(|v| self.breaches(v))
            })
            .collect();
        decide(&periods, self.n, self.m, self.treat)
    }
}

/// The documented rules, on the range's periods (most recent first):
/// - at least N real data points: the N most recent decide, ALARM when M or more breach
///   ("the value you set for how to treat missing data is not needed and is ignored");
/// - none: `missing` → INSUFFICIENT_DATA, `ignore` → current state kept, `breaching` → ALARM,
///   `notBreaching` → OK;
/// - fewer than N: the shortfall is filled with the treatment and every real point counts.
///   `breaching`/`notBreaching` fill breaching/not-breaching points. With `missing` and
///   `ignore`, M real breaching points alarm, a real not-breaching point makes it OK, and a
///   breach that is the oldest point within the last N periods and at least M periods old,
///   with only breaching or missing points after it, alarms with `missing` and keeps the state
///   with `ignore` ("premature alarm state"; the tables' rows `- - X - -` and `- - - X -`). Any
///   other shortfall (a breach too recent to alarm) keeps the state: AWS documents only that
///   it "does not go immediately into ALARM state".
fn decide(periods: &[Option<bool>], n: usize, m: usize, treat: Treat) -> Outcome {
    let real: Vec<bool> = periods.iter().flatten().copied().collect();
    let verdict = |breaching: usize| {
        if breaching >= m {
            Outcome::Alarm
        } else {
            Outcome::Ok
        }
    };
    if real.len() >= n {
        return verdict(real.iter().take(n).filter(|b| **b).count());
    }
    let breaching = real.iter().filter(|b| **b).count();
    let fill = n - real.len();
    match treat {
        Treat::Breaching => return verdict(breaching + fill),
        Treat::NotBreaching => return verdict(breaching),
        Treat::Missing | Treat::Ignore => {}
    }
    if real.is_empty() {
        return if treat == Treat::Missing {
            Outcome::Insufficient
        } else {
            Outcome::Retain
        };
    }
    if breaching >= m {
        return Outcome::Alarm;
    }
    if real.iter().any(|b| !*b) {
        return Outcome::Ok;
    }
    // Only breaching points, too few: the premature-alarm rule on the last N periods.
    let window = &periods[..n.min(periods.len())];
    let oldest = window.iter().rposition(|p| *p == Some(true));
    if oldest.is_some_and(|k| k + 1 >= m) && treat == Treat::Missing {
        return Outcome::Alarm;
    }
    Outcome::Retain
}

/// The next evaluation tick after `after`: the next multiple of the period.
pub fn next_tick(spec: &Spec, after: SimTime) -> u64 {
    let p = spec.period_ms;
    (after.as_millis() / p + 1) * p
}

/// Applies one evaluation to the alarm's state; returns whether the state changed.
pub fn apply(a: &mut Alarm, outcome: Outcome, at: SimTime) -> bool {
    a.stream = match outcome {
        Outcome::Alarm => Some(true),
        Outcome::Ok => Some(false),
        Outcome::Insufficient | Outcome::Retain => None,
    };
    let next = match outcome {
        Outcome::Alarm => ALARM,
        Outcome::Ok => OK,
        Outcome::Insufficient => INSUFFICIENT_DATA,
        Outcome::Retain => return false,
    };
    if a.state == next {
        return false;
    }
    a.state = next.into();
    a.state_since = at;
    true
}

/// What an alarm that has just moved to its current state publishes: one message to each
/// topic of the state's actions (`AlarmActions` for ALARM, `OKActions` for OK,
/// `InsufficientDataActions` for INSUFFICIENT_DATA), and none while `ActionsEnabled` is false
/// ("PutMetricAlarm", `ActionsEnabled`: "Indicates whether actions should be executed during
/// any changes to the alarm state", Amazon CloudWatch API Reference,
/// <https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html>;
/// the API's default is true, and so is CloudFormation's).
pub fn notifications(key: &str, a: &Alarm, at: SimTime) -> Vec<Notification> {
    if a.config.get("ActionsEnabled").and_then(Value::as_bool) == Some(false) {
        return Vec::new();
    }
    let list = match a.state.as_str() {
        ALARM => "AlarmActions",
        OK => "OKActions",
        _ => "InsufficientDataActions",
    };
    let (region, name) = key.split_once('|').unwrap_or(("", key));
    a.config
        .get(list)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter(|arn| arn.starts_with("arn:aws:sns:"))
        .map(|topic| Notification {
            at,
            region: region.to_string(),
            alarm: name.to_string(),
            state: a.state.clone(),
            topic_arn: topic.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The documentation's rows, oldest first as the page writes them (`0` not breaching,
    /// `X` breaching, `-` missing), for N = 3 and the given M.
    fn row(m: usize, data: &str, treat: Treat) -> Outcome {
        let periods: Vec<Option<bool>> = data
            .split(' ')
            .rev()
            .map(|c| match c {
                "X" => Some(true),
                "0" => Some(false),
                _ => None,
            })
            .collect();
        decide(&periods, 3, m, treat)
    }

    #[test]
    fn the_documented_tables_hold() {
        use Outcome::*;
        use Treat::*;
        let all = [Missing, Ignore, Breaching, NotBreaching];
        let table: &[(usize, &str, [Outcome; 4])] = &[
            (3, "0 - X - X", [Ok, Ok, Ok, Ok]),
            (3, "0 - - - -", [Ok, Ok, Ok, Ok]),
            (3, "- - - - -", [Insufficient, Retain, Alarm, Ok]),
            (3, "0 X X - X", [Alarm, Alarm, Alarm, Alarm]),
            (3, "- - X - -", [Alarm, Retain, Alarm, Ok]),
            (2, "0 - X - X", [Alarm, Alarm, Alarm, Alarm]),
            (2, "0 0 X 0 X", [Alarm, Alarm, Alarm, Alarm]),
            (2, "0 - X - -", [Ok, Ok, Alarm, Ok]),
            (2, "- - - - 0", [Ok, Ok, Alarm, Ok]),
            (2, "- - - X -", [Alarm, Retain, Alarm, Ok]),
        ];
        for (m, data, want) in table {
            for (treat, want) in all.iter().zip(want) {
                assert_eq!(row(*m, data, *treat), *want, "M={m} {data} {treat:?}");
            }
        }
        // "the alarm does not go immediately into ALARM state when the data is either
        // `- - - - X` or `- - - X -` and Datapoints to Alarm is 3".
        assert_ne!(row(3, "- - - - X", Missing), Alarm);
        assert_ne!(row(3, "- - - X -", Missing), Alarm);
    }
}
