//! CloudWatch metrics and ELBv2 target health.

use serde::{Deserialize, Serialize};

use super::time::Timestamp;

/// A metric dimension.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Dimension {
    /// The name, e.g. `DBClusterIdentifier`.
    pub name: String,
    /// The value.
    pub value: String,
}

string_enum! {
    /// A CloudWatch statistic.
    Statistic {
        /// Average.
        Average => "Average",
        /// Maximum.
        Maximum => "Maximum",
        /// Minimum.
        Minimum => "Minimum",
        /// Sum.
        Sum => "Sum",
        /// Sample count.
        SampleCount => "SampleCount",
    }
}

/// `GetMetricStatistics`' input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricQuery {
    /// e.g. `AWS/RDS`.
    pub namespace: String,
    /// e.g. `AuroraGlobalDBRPOLag`.
    pub metric_name: String,
    /// The exact dimension set.
    pub dimensions: Vec<Dimension>,
    /// Start (inclusive).
    pub start: Timestamp,
    /// End (exclusive).
    pub end: Timestamp,
    /// The period, in seconds (a multiple of 60, or 1/5/10/30 for high resolution).
    pub period_seconds: u32,
    /// The statistic.
    pub statistic: Statistic,
}

/// A data point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Datapoint {
    /// Start of its period.
    pub timestamp: Timestamp,
    /// The statistic's value.
    pub value: f64,
    /// The unit, e.g. `Milliseconds`.
    pub unit: Option<String>,
}

/// A value to publish with `PutMetricData`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricDatum {
    /// The metric.
    pub metric_name: String,
    /// Its dimensions.
    pub dimensions: Vec<Dimension>,
    /// The value.
    pub value: f64,
    /// The unit, e.g. `Count`, `None`.
    pub unit: Option<String>,
    /// When; `None` = now.
    pub timestamp: Option<Timestamp>,
}

string_enum! {
    /// `TargetHealth.State` ("Health checks for Application Load Balancer target groups",
    /// <https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html>).
    TargetHealthState {
        /// Registering or first checks running.
        Initial => "initial",
        /// Passing.
        Healthy => "healthy",
        /// Failing.
        Unhealthy => "unhealthy",
        /// Failing and draining.
        UnhealthyDraining => "unhealthy.draining",
        /// Not in use.
        Unused => "unused",
        /// Deregistering.
        Draining => "draining",
        /// Health checks disabled.
        Unavailable => "unavailable",
    }
}

/// One target's health.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetHealth {
    /// The target (instance id or IP).
    pub target_id: String,
    /// Its port.
    pub port: Option<u16>,
    /// The state.
    pub state: TargetHealthState,
    /// The reason code, e.g. `Target.FailedHealthChecks`.
    pub reason: Option<String>,
    /// A description.
    pub description: Option<String>,
}

string_enum! {
    /// `MetricAlarm.StateValue` ("MetricAlarm", Amazon CloudWatch API Reference,
    /// <https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricAlarm.html>).
    AlarmState {
        /// `OK`: the metric is within the threshold.
        Ok => "OK",
        /// `ALARM`: the metric is outside the threshold.
        Alarm => "ALARM",
        /// `INSUFFICIENT_DATA`: not enough data to decide (a new alarm starts here).
        InsufficientData => "INSUFFICIENT_DATA",
    }
}

/// One metric alarm as `DescribeAlarms` reports it, the parts the DR runtime reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricAlarm {
    /// `AlarmName`.
    pub name: String,
    /// `StateValue`.
    pub state: AlarmState,
    /// `StateReason`: why the alarm is in its state, in CloudWatch's words.
    pub state_reason: Option<String>,
    /// `StateUpdatedTimestamp`: when the state last changed.
    pub state_updated: Option<Timestamp>,
    /// `Namespace` of the metric (none for a metric-math alarm).
    pub namespace: Option<String>,
    /// `MetricName` (none for a metric-math alarm).
    pub metric_name: Option<String>,
    /// `Dimensions` of the metric.
    pub dimensions: Vec<Dimension>,
    /// `Threshold` (none for an anomaly-detection alarm).
    pub threshold: Option<f64>,
}
