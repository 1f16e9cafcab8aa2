//! Turning schema descriptions into one-line doc comments.

/// The first sentence of a schema description, made safe for a one-line doc comment:
/// markdown links keep their text, `[`/`]` and HTML-like `<...>` outside code are escaped,
/// bare URLs are wrapped in `<...>`. `None` when the description is empty.
pub fn first_sentence(desc: &str) -> Option<String> {
    let text = desc.replace("``", "`");
    let para = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    let sentence = cut_sentence(para);
    let mut s = strip_links(sentence);
    // A sentence cut inside a code span would leave a dangling backtick.
    if s.matches('`').count() % 2 == 1 {
        s = s.replace('`', "");
    }
    let s = escape(&s);
    let s = s.trim().trim_end_matches(':').trim().to_string();
    if s.is_empty() {
        return None;
    }
    let mut s = s;
    if !s.ends_with(['.', '!', '?', ')', '*']) {
        s.push('.');
    }
    Some(s)
}

fn cut_sentence(para: &str) -> &str {
    let bytes = para.as_bytes();
    let mut in_code = false;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'`' {
            in_code = !in_code;
        }
        if b == b'.' && !in_code && bytes.get(i + 1).is_some_and(|c| *c == b' ') {
            let word_start = para[..i].rfind(' ').map(|j| j + 1).unwrap_or(0);
            let word = para[word_start..i].to_ascii_lowercase();
            if matches!(
                word.as_str(),
                "e.g" | "i.e" | "etc" | "vs" | "approx" | "no" | "max" | "min"
            ) {
                continue;
            }
            return &para[..=i];
        }
    }
    para
}

/// `[text](url)` -> `text`.
fn strip_links(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        match after.find("](") {
            Some(close) if !after[..close].contains('[') => match after[close + 2..].find(')') {
                Some(end) => {
                    out.push_str(&rest[..open]);
                    out.push_str(&after[..close]);
                    rest = &after[close + 2 + end + 1..];
                }
                None => {
                    out.push_str(&rest[..=open]);
                    rest = after;
                }
            },
            _ => {
                out.push_str(&rest[..=open]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn escape(s: &str) -> String {
    let mut out = String::new();
    let mut in_code = false;
    let mut words = String::new();
    for c in s.chars() {
        if c == '`' {
            in_code = !in_code;
            words.push(c);
            continue;
        }
        if in_code {
            words.push(c);
            continue;
        }
        match c {
            '[' => words.push_str("\\["),
            ']' => words.push_str("\\]"),
            '<' => words.push_str("&lt;"),
            '>' => words.push_str("&gt;"),
            '\t' | '\r' | '\n' => words.push(' '),
            c => words.push(c),
        }
    }
    // Bare URLs outside code become autolinks.
    let mut in_code = false;
    for (i, tok) in words.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let ticks = tok.matches('`').count();
        if !in_code && ticks == 0 && (tok.starts_with("http://") || tok.starts_with("https://")) {
            let (url, tail) = match tok.strip_suffix(['.', ',', ')', ';']) {
                Some(u) => (u, &tok[u.len()..]),
                None => (tok, ""),
            };
            let _ = std::fmt::Write::write_fmt(&mut out, format_args!("<{url}>{tail}"));
        } else {
            out.push_str(tok);
        }
        if ticks % 2 == 1 {
            in_code = !in_code;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_sentence_is_safe_markdown() {
        assert_eq!(
            first_sentence("The IPv4 range, e.g. ``10.0.0.0/16``. More text.").as_deref(),
            Some("The IPv4 range, e.g. `10.0.0.0/16`.")
        );
        assert_eq!(
            first_sentence("See [DBEngineVersion](https://x.example/a) for [a] list <b>\n More.")
                .as_deref(),
            Some("See DBEngineVersion for \\[a\\] list &lt;b&gt;.")
        );
        assert_eq!(first_sentence("  \n").as_deref(), None);
        assert_eq!(
            first_sentence("Go to https://aws.amazon.com/x. Then.").as_deref(),
            Some("Go to <https://aws.amazon.com/x>.")
        );
    }
}
