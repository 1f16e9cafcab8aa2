//! "Did you mean" suggestions for misspelt names (instance types, Regions, engine versions).

/// The candidate closest to `given` by edit distance, when it is close enough to be a
/// plausible typo (at most a third of the length, and at most 3 edits).
pub fn nearest<'a>(given: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (given.chars().count() / 3).clamp(1, 3);
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(given, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    #[test]
    fn finds_transpositions() {
        assert_eq!(
            super::nearest("t3.meduim", ["t3.medium", "t3.micro", "t3.large"]),
            Some("t3.medium")
        );
        assert_eq!(super::nearest("zzzz", ["t3.medium"]), None);
    }
}
