//! Polling with backoff on the backend's clock ([`Cloud::sleep`](dr_core::cloud::Cloud::sleep)),
//! so the simulator runs a twenty-minute deploy in virtual time.
//!
//! A wait outlives what the connection does: CloudFormation carries on with a stack operation
//! whatever happens to the caller, so inside a wait an error that trying again can cure
//! ([`CloudError::is_retryable`]: throttling, expired credentials, a Region answering only 5xx
//! or nothing) means "look again at the next poll". Two clocks bound that: the wait's own
//! [`timeout`](PollOptions::timeout), and [`unanswered`](PollOptions::unanswered), how long
//! the Region may go without a usable answer before the wait gives up with the last error, so a
//! real outage is reported as one (and releases the other Region's stacks) instead of holding
//! the deploy for hours. Any other error ends the wait at once.

use std::time::Duration;

use dr_core::cloud::{CloudError, CloudErrorKind, Timestamp};

/// How the engine polls CloudFormation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollOptions {
    /// The first interval.
    pub initial: Duration,
    /// The longest interval (the backoff doubles up to it).
    pub max: Duration,
    /// Give up waiting after this long (backend clock). Adding an Aurora secondary Region takes
    /// up to 30 minutes in AWS's own Aurora workshop ("Deploy a Global Database",
    /// <https://github.com/aws-samples/amazon-aurora-labs-for-mysql/blob/master/docs/global/deploy/index.md>),
    /// so the default is generous.
    pub timeout: Duration,
    /// Give up after this long without a usable answer (every read failed with a retryable
    /// error other than throttling: the Region answered only 5xx or nothing, or the
    /// credentials had expired). Default 10 minutes: long past a network blip, a rolled
    /// credential or a brief run of `InternalFailure`s, which the wait rides out, and short
    /// enough that a Region outage is reported as one within minutes of the SDK's own retries
    /// (3 attempts) giving up.
    pub unanswered: Duration,
}

impl Default for PollOptions {
    fn default() -> Self {
        PollOptions {
            initial: Duration::from_secs(1),
            max: Duration::from_secs(10),
            timeout: Duration::from_secs(3 * 3600),
            unanswered: Duration::from_secs(10 * 60),
        }
    }
}

/// The intervals of one wait: `initial`, doubling up to `max`.
#[derive(Debug, Clone)]
pub(crate) struct Backoff {
    next: Duration,
    max: Duration,
}

impl Backoff {
    pub(crate) fn new(p: &PollOptions) -> Self {
        Backoff {
            next: p.initial.max(Duration::from_millis(1)),
            max: p.max.max(p.initial),
        }
    }
    /// The next interval.
    pub(crate) fn next_interval(&mut self) -> Duration {
        let d = self.next;
        self.next = (self.next * 2).min(self.max);
        d
    }
}

/// What a wait does with a failed read.
#[derive(Debug, PartialEq)]
pub(crate) enum Verdict {
    /// Look again at the next poll; the string says why, for the progress display.
    LookAgain(String),
    /// Give up: the error is the wait's outcome.
    GiveUp(CloudError),
}

/// The clocks of one wait: since it started, and since the last usable answer.
#[derive(Debug, Clone)]
pub(crate) struct Patience {
    options: PollOptions,
    started: Timestamp,
    unanswered_since: Option<Timestamp>,
}

impl Patience {
    pub(crate) fn new(options: PollOptions, now: Timestamp) -> Self {
        Patience {
            options,
            started: now,
            unanswered_since: None,
        }
    }

    /// When the wait started.
    pub(crate) fn started(&self) -> Timestamp {
        self.started
    }

    /// A read succeeded.
    pub(crate) fn answered(&mut self) {
        self.unanswered_since = None;
    }

    /// A read failed at `now` with `e`: look again, or give up.
    pub(crate) fn failed(&mut self, e: CloudError, now: Timestamp) -> Verdict {
        if !e.is_retryable() {
            return Verdict::GiveUp(e);
        }
        // Throttling is an answer: the Region is up and CloudFormation is working; only the
        // wait's own timeout bounds it.
        if !matches!(e.kind(), CloudErrorKind::Throttled) {
            let since = *self.unanswered_since.get_or_insert(now);
            if now.since(since) >= self.options.unanswered {
                return Verdict::GiveUp(e);
            }
        }
        let why = match e.kind() {
            CloudErrorKind::Throttled => format!("throttled ({})", e.operation()),
            CloudErrorKind::CredentialsExpired => format!(
                "the credentials have expired ({}); refresh them (e.g. `aws sso login`) and the wait goes on",
                e.operation()
            ),
            _ => match e.outage_region() {
                Some(r) => format!("{r} did not answer {} ({})", e.operation(), e.message()),
                None => e.to_string(),
            },
        };
        Verdict::LookAgain(format!("{why}; polling again"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dr_core::Region;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let mut b = Backoff::new(&PollOptions {
            initial: Duration::from_secs(1),
            max: Duration::from_secs(5),
            timeout: Duration::from_secs(60),
            unanswered: Duration::from_secs(60),
        });
        let got: Vec<u64> = (0..5).map(|_| b.next_interval().as_secs()).collect();
        assert_eq!(got, [1, 2, 4, 5, 5]);
    }

    fn at(secs: u64) -> Timestamp {
        Timestamp::from_millis(1_700_000_000_000 + secs as i64 * 1000)
    }

    fn server_error() -> CloudError {
        CloudError::server_error(
            "DescribeStacks",
            Region::UsEast2,
            500,
            Some("InternalFailure"),
            "boom",
        )
    }

    /// Retryable errors are looked past until the Region has gone `unanswered` without a usable
    /// answer; an answer in between resets that clock; other errors end the wait at once.
    #[test]
    fn a_wait_rides_out_blips_and_gives_up_on_a_silent_region() {
        let opts = PollOptions {
            unanswered: Duration::from_secs(600),
            ..PollOptions::default()
        };
        let mut p = Patience::new(opts, at(0));
        assert!(matches!(
            p.failed(server_error(), at(10)),
            Verdict::LookAgain(_)
        ));
        assert!(matches!(
            p.failed(server_error(), at(500)),
            Verdict::LookAgain(_)
        ));
        p.answered();
        // The clock restarted at the answer: 600 s after the first failure is not enough.
        assert!(matches!(
            p.failed(server_error(), at(700)),
            Verdict::LookAgain(_)
        ));
        assert!(matches!(
            p.failed(
                CloudError::region_unavailable("DescribeStacks", Region::UsEast2, "timed out"),
                at(1299)
            ),
            Verdict::LookAgain(_)
        ));
        let Verdict::GiveUp(e) = p.failed(server_error(), at(1300)) else {
            panic!("ten minutes without an answer must end the wait");
        };
        assert!(e.is_region_outage());
        // Throttling never counts as silence; a validation error is never looked past.
        let mut p = Patience::new(opts, at(0));
        for s in [1, 900, 5000] {
            assert!(matches!(
                p.failed(
                    CloudError::throttled("DescribeStacks", "Rate exceeded"),
                    at(s)
                ),
                Verdict::LookAgain(_)
            ));
        }
        assert!(matches!(
            p.failed(CloudError::validation("DescribeStacks", "bad"), at(5001)),
            Verdict::GiveUp(_)
        ));
        let mut p = Patience::new(opts, at(0));
        let Verdict::LookAgain(why) = p.failed(
            CloudError::credentials_expired("DescribeStacks", "ExpiredToken"),
            at(1),
        ) else {
            panic!("expired credentials can be refreshed during a wait");
        };
        assert!(why.contains("aws sso login"), "{why}");
    }
}
