//! Diagnostics: every problem found in a construct tree, reported together. Every code is
//! declared, with its explanation, in [`codes`].

use std::fmt;

pub mod codes;

pub use codes::DiagnosticCode;

/// How bad a diagnostic is. Errors stop synthesis; warnings are shown and synthesis goes on.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Blocks synthesis.
    Error,
    /// Shown, does not block.
    Warning,
    /// For information.
    Info,
}

/// One finding on one construct: where, what is wrong, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Diagnostic {
    /// Error, warning or info.
    pub severity: Severity,
    /// The construct path, ids joined by `/`.
    pub path: String,
    /// The prop the user wrote the value in, as a path into the construct's props (e.g.
    /// `instance_type`, `database.instance_class`, `secondary.azs`), when the problem is one
    /// prop's value (or a combination of props, named by the one to change).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prop: Option<String>,
    /// A stable code, e.g. `DRK-TREE-001`, for searching and for tests; every code is
    /// registered in [`codes`], with its explanation.
    pub code: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: Option<String>,
    /// Other construct paths with the very same problem (e.g. the same slip in both sites of
    /// a DR pair), reported once rather than once per place.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also_at: Vec<String>,
}

impl Diagnostic {
    /// An error.
    pub fn error(path: impl Into<String>, code: &str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            path: path.into(),
            prop: None,
            code: code.to_string(),
            message: message.into(),
            hint: None,
            also_at: Vec::new(),
        }
    }
    /// A warning.
    pub fn warning(path: impl Into<String>, code: &str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            path: path.into(),
            prop: None,
            code: code.to_string(),
            message: message.into(),
            hint: None,
            also_at: Vec::new(),
        }
    }
    /// Names the prop whose value is wrong.
    pub fn with_prop(mut self, prop: impl Into<String>) -> Self {
        self.prop = Some(prop.into());
        self
    }
    /// Where the user wrote the value: the path, and `.prop` when a prop is named.
    pub fn location(&self) -> String {
        match &self.prop {
            Some(p) => format!("{}.{p}", self.path),
            None => self.path.clone(),
        }
    }
    /// Adds how to fix it.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
    /// Whether this blocks synthesis.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        };
        write!(f, "{level}[{}] {}", self.code, self.location())?;
        if !self.also_at.is_empty() {
            write!(f, " (also {})", self.also_at.join(", "))?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// A set of diagnostics; as an error, the reason synthesis stopped (all errors, shown together).
#[derive(Debug, Clone, Default, PartialEq, Eq, thiserror::Error)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// The errors only.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(|d| d.is_error())
    }
    /// The warnings only.
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(|d| d.severity == Severity::Warning)
    }
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }
    /// Folds diagnostics that differ only in their path into the first one, listing the other
    /// paths in `also_at`, so that one slip made in several places reads as one problem.
    pub fn merge_repeats(self) -> Diagnostics {
        let mut out: Vec<Diagnostic> = Vec::with_capacity(self.0.len());
        for d in self.0 {
            let same = out.iter_mut().find(|o| {
                o.severity == d.severity
                    && o.code == d.code
                    && o.prop == d.prop
                    && o.message == d.message
                    && o.hint == d.hint
            });
            match same {
                Some(o) if o.path != d.path && !o.also_at.contains(&d.path) => {
                    o.also_at.push(d.path)
                }
                Some(_) => {}
                None => out.push(d),
            }
        }
        Diagnostics(out)
    }
    /// Whether a diagnostic with this code exists.
    pub fn contains_code(&self, code: &str) -> bool {
        self.0.iter().any(|d| d.code == code)
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let errors = self.errors().count();
        let warnings = self.warnings().count();
        writeln!(f, "{errors} error(s), {warnings} warning(s):")?;
        for d in &self.0 {
            writeln!(f, "{d}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_are_merged_with_their_paths() {
        let d = Diagnostics(vec![
            Diagnostic::error("A/Eks", "X", "bad type").with_hint("fix it"),
            Diagnostic::error("B/Eks", "X", "bad type").with_hint("fix it"),
            Diagnostic::error("B/Eks", "X", "other"),
            Diagnostic::error("C/Eks", "X", "bad type")
                .with_hint("fix it")
                .with_prop("node_type"),
        ])
        .merge_repeats();
        assert_eq!(d.0.len(), 3);
        assert_eq!(d.0[0].also_at, vec!["B/Eks".to_string()]);
        assert_eq!(
            d.0[0].to_string(),
            "error[X] A/Eks (also B/Eks): bad type\n  hint: fix it"
        );
        assert_eq!(
            d.0[2].to_string(),
            "error[X] C/Eks.node_type: bad type\n  hint: fix it"
        );
    }
}
