//! Polling with backoff on the backend's clock ([`Cloud::sleep`](dr_core::cloud::Cloud::sleep)),
//! so the simulator runs a twenty-minute deploy in virtual time.

use std::time::Duration;

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
}

impl Default for PollOptions {
    fn default() -> Self {
        PollOptions {
            initial: Duration::from_secs(1),
            max: Duration::from_secs(10),
            timeout: Duration::from_secs(3 * 3600),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let mut b = Backoff::new(&PollOptions {
            initial: Duration::from_secs(1),
            max: Duration::from_secs(5),
            timeout: Duration::from_secs(60),
        });
        let got: Vec<u64> = (0..5).map(|_| b.next_interval().as_secs()).collect();
        assert_eq!(got, [1, 2, 4, 5, 5]);
    }
}
