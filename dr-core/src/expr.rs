//! CloudFormation values: literals, intrinsic functions, and tokens that point at other
//! constructs and are resolved at synthesis (a token becomes Ref/GetAtt in its own stack, or a
//! Parameter filled by the deployer in any other stack).

use indexmap::IndexMap;
use std::marker::PhantomData;

use crate::token::{Lookup, Token};

/// A CloudFormation value: a literal, an intrinsic function, or a token.
///
/// Build literals with `From` (`Expr::from("x")`, `Expr::from(3)`), intrinsics with the
/// associated functions (`Expr::sub`, `Expr::join`, …) and references with a construct's
/// attribute methods, which return [`Token`]s.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// JSON null.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// A string.
    Str(String),
    /// A list.
    List(Vec<Expr>),
    /// An object, in insertion order.
    Map(IndexMap<String, Expr>),
    /// `{"Ref": name}`: a parameter, a pseudo parameter or a logical id of the same template.
    Ref(String),
    /// `{"Fn::GetAtt": [logical id, attribute]}` within the same template.
    GetAtt(String, String),
    /// `{"Fn::Sub": [template, {name: value}]}`; variables may be tokens.
    Sub(String, Vec<(String, Expr)>),
    /// `{"Fn::Join": [separator, [values]]}`.
    Join(String, Vec<Expr>),
    /// `{"Fn::Select": [index, list]}`.
    Select(u32, Box<Expr>),
    /// `{"Fn::Split": [separator, value]}`.
    Split(String, Box<Expr>),
    /// `{"Fn::GetAZs": region}` (an empty string means the stack's region).
    GetAzs(Box<Expr>),
    /// `{"Fn::If": [condition, then, else]}`.
    If(String, Box<Expr>, Box<Expr>),
    /// `{"Fn::ImportValue": export name}`.
    ImportValue(Box<Expr>),
    /// `{"Fn::Base64": value}`.
    Base64(Box<Expr>),
    /// `{"Fn::Cidr": [block, count, bits]}`.
    Cidr(Box<Expr>, u32, u32),
    /// `{"Fn::Equals": [a, b]}` (conditions only).
    Equals(Box<Expr>, Box<Expr>),
    /// `{"Fn::Not": [condition]}` (conditions only).
    Not(Box<Expr>),
    /// `{"Condition": name}` (inside conditions).
    Condition(String),
    /// A reference to another construct's attribute, resolved at synthesis.
    Token(Token),
    /// A value CloudFormation cannot give, read by the deployer through the `Cloud` port and
    /// passed in as a parameter (e.g. the Aurora global writer endpoint).
    Lookup(Lookup),
}

impl Expr {
    /// `{"Ref": name}`.
    pub fn reference(name: impl Into<String>) -> Expr {
        Expr::Ref(name.into())
    }

    /// `{"Fn::Sub": template}` with variables (`${Name}` in the template).
    pub fn sub<K: Into<String>, V: Into<Expr>>(
        template: impl Into<String>,
        vars: impl IntoIterator<Item = (K, V)>,
    ) -> Expr {
        Expr::Sub(
            template.into(),
            vars.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }

    /// `{"Fn::Join": [sep, values]}`.
    pub fn join<V: Into<Expr>>(
        sep: impl Into<String>,
        values: impl IntoIterator<Item = V>,
    ) -> Expr {
        Expr::Join(sep.into(), values.into_iter().map(Into::into).collect())
    }

    /// `{"Fn::Select": [index, list]}`.
    pub fn select(index: u32, list: impl Into<Expr>) -> Expr {
        Expr::Select(index, Box::new(list.into()))
    }

    /// `{"Fn::GetAZs": ""}`: the AZs of the stack's region.
    pub fn get_azs() -> Expr {
        Expr::GetAzs(Box::new(Expr::Str(String::new())))
    }

    /// `{"Fn::If": [condition, then, else]}`.
    pub fn if_(
        condition: impl Into<String>,
        then: impl Into<Expr>,
        otherwise: impl Into<Expr>,
    ) -> Expr {
        Expr::If(
            condition.into(),
            Box::new(then.into()),
            Box::new(otherwise.into()),
        )
    }

    /// `{"Fn::ImportValue": name}`.
    pub fn import_value(name: impl Into<Expr>) -> Expr {
        Expr::ImportValue(Box::new(name.into()))
    }

    /// `{"Fn::Base64": value}`.
    pub fn base64(value: impl Into<Expr>) -> Expr {
        Expr::Base64(Box::new(value.into()))
    }

    /// An object from key/value pairs, in the order given.
    pub fn map<K: Into<String>, V: Into<Expr>>(entries: impl IntoIterator<Item = (K, V)>) -> Expr {
        Expr::Map(
            entries
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }

    /// A list.
    pub fn list<V: Into<Expr>>(values: impl IntoIterator<Item = V>) -> Expr {
        Expr::List(values.into_iter().map(Into::into).collect())
    }

    /// `AWS::Region`, `AWS::AccountId`, … as `{"Ref": ...}`.
    pub fn pseudo(name: Pseudo) -> Expr {
        Expr::Ref(name.as_str().to_string())
    }

    /// Whether the value is a literal string equal to `s`.
    pub fn is_str(&self, s: &str) -> bool {
        matches!(self, Expr::Str(v) if v == s)
    }

    /// The literal string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Expr::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Calls `f` on every token and lookup inside this value, depth first.
    pub fn visit_refs(&self, f: &mut dyn FnMut(RefSite<'_>)) {
        match self {
            Expr::Token(t) => f(RefSite::Token(t)),
            Expr::Lookup(l) => f(RefSite::Lookup(l)),
            Expr::List(v) | Expr::Join(_, v) => v.iter().for_each(|e| e.visit_refs(f)),
            Expr::Map(m) => m.values().for_each(|e| e.visit_refs(f)),
            Expr::Sub(_, vars) => vars.iter().for_each(|(_, e)| e.visit_refs(f)),
            Expr::Select(_, e)
            | Expr::Split(_, e)
            | Expr::GetAzs(e)
            | Expr::ImportValue(e)
            | Expr::Base64(e)
            | Expr::Cidr(e, _, _)
            | Expr::Not(e) => e.visit_refs(f),
            Expr::If(_, a, b) | Expr::Equals(a, b) => {
                a.visit_refs(f);
                b.visit_refs(f);
            }
            Expr::Null
            | Expr::Bool(_)
            | Expr::Int(_)
            | Expr::Float(_)
            | Expr::Str(_)
            | Expr::Ref(_)
            | Expr::GetAtt(_, _)
            | Expr::Condition(_) => {}
        }
    }

    /// Converts a value with no tokens or lookups left to CloudFormation JSON.
    ///
    /// Tokens and lookups must be resolved first (synthesis does); any left over are written
    /// as a `{"drkit:unresolved": ...}` marker that cfn-lint and CloudFormation reject, so a
    /// bug can never produce a silently wrong template.
    pub fn to_json(&self) -> serde_json::Value {
        self.to_json_with(&mut Unresolved)
    }

    /// [`Expr::to_json`] with each token and lookup replaced by what `resolve` gives for it:
    /// synthesis goes from the tree's values to the template's JSON in this one pass, with no
    /// copy of the value in between.
    pub fn to_json_with(&self, resolve: &mut dyn Resolve) -> serde_json::Value {
        use serde_json::{Value, json};
        let mut rec = |e: &Expr| e.to_json_with(resolve);
        match self {
            Expr::Null => Value::Null,
            Expr::Bool(b) => Value::Bool(*b),
            Expr::Int(i) => json!(i),
            Expr::Float(f) => json!(f),
            Expr::Str(s) => Value::String(s.clone()),
            Expr::List(v) => Value::Array(v.iter().map(rec).collect()),
            Expr::Map(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), rec(v))).collect()),
            Expr::Ref(r) => intrinsic("Ref", Value::String(r.clone())),
            Expr::GetAtt(l, a) => intrinsic("Fn::GetAtt", json!([l, a])),
            Expr::Sub(s, vars) if vars.is_empty() => intrinsic("Fn::Sub", Value::String(s.clone())),
            Expr::Sub(s, vars) => {
                let vars: serde_json::Map<String, Value> =
                    vars.iter().map(|(k, v)| (k.clone(), rec(v))).collect();
                intrinsic("Fn::Sub", json!([s, vars]))
            }
            Expr::Join(sep, v) => intrinsic(
                "Fn::Join",
                json!([sep, v.iter().map(rec).collect::<Vec<_>>()]),
            ),
            Expr::Select(i, e) => intrinsic("Fn::Select", json!([i, rec(e)])),
            Expr::Split(s, e) => intrinsic("Fn::Split", json!([s, rec(e)])),
            Expr::GetAzs(e) => intrinsic("Fn::GetAZs", rec(e)),
            Expr::If(c, a, b) => intrinsic("Fn::If", json!([c, rec(a), rec(b)])),
            Expr::ImportValue(e) => intrinsic("Fn::ImportValue", rec(e)),
            Expr::Base64(e) => intrinsic("Fn::Base64", rec(e)),
            Expr::Cidr(e, n, b) => intrinsic("Fn::Cidr", json!([rec(e), n, b])),
            Expr::Equals(a, b) => intrinsic("Fn::Equals", json!([rec(a), rec(b)])),
            Expr::Not(e) => intrinsic("Fn::Not", json!([rec(e)])),
            Expr::Condition(c) => intrinsic("Condition", Value::String(c.clone())),
            Expr::Token(t) => resolve
                .value(RefSite::Token(t))
                .to_json_with(&mut Unresolved),
            Expr::Lookup(l) => resolve
                .value(RefSite::Lookup(l))
                .to_json_with(&mut Unresolved),
        }
    }

    /// Converts plain JSON (no intrinsics are recognised) into a literal value.
    pub fn from_json(value: &serde_json::Value) -> Expr {
        use serde_json::Value;
        match value {
            Value::Null => Expr::Null,
            Value::Bool(b) => Expr::Bool(*b),
            Value::Number(n) => n
                .as_i64()
                .map(Expr::Int)
                .unwrap_or_else(|| Expr::Float(n.as_f64().unwrap_or(0.0))),
            Value::String(s) => Expr::Str(s.clone()),
            Value::Array(v) => Expr::List(v.iter().map(Expr::from_json).collect()),
            Value::Object(m) => Expr::Map(
                m.iter()
                    .map(|(k, v)| (k.clone(), Expr::from_json(v)))
                    .collect(),
            ),
        }
    }
}

/// What replaces the tokens and lookups of a value as it becomes JSON
/// ([`Expr::to_json_with`]): synthesis's references between constructs.
pub trait Resolve {
    /// The value of a token or lookup used in a property, an output, a condition or a
    /// parameter's default. What it gives is converted as is: tokens in it stay unresolved.
    fn value(&mut self, site: RefSite<'_>) -> Expr;
    /// A resource's `DependsOn` entry for `token`: `Some(Expr::Ref(logical id))` for a
    /// resource of the same template (written as the bare id), `None` to leave the entry out.
    fn dependency(&mut self, token: &Token) -> Option<Expr>;
}

/// The [`Resolve`] of a value whose references are not resolved: each is written as a
/// `{"drkit:unresolved": ...}` marker, which CloudFormation and cfn-lint reject.
#[derive(Debug, Clone, Copy, Default)]
pub struct Unresolved;

impl Resolve for Unresolved {
    fn value(&mut self, site: RefSite<'_>) -> Expr {
        let shown = match site {
            RefSite::Token(t) => format!("{t:?}"),
            RefSite::Lookup(l) => format!("{l:?}"),
        };
        Expr::Map(
            [("drkit:unresolved".to_string(), Expr::Str(shown))]
                .into_iter()
                .collect(),
        )
    }
    fn dependency(&mut self, token: &Token) -> Option<Expr> {
        Some(self.value(RefSite::Token(token)))
    }
}

/// `{name: value}`: an intrinsic function's one-key object.
fn intrinsic(name: &str, value: serde_json::Value) -> serde_json::Value {
    let mut m = serde_json::Map::with_capacity(1);
    m.insert(name.to_owned(), value);
    serde_json::Value::Object(m)
}

/// A token or lookup met while walking an [`Expr`].
#[derive(Debug, Clone, Copy)]
pub enum RefSite<'a> {
    /// A reference to another construct's attribute.
    Token(&'a Token),
    /// A deploy-time lookup.
    Lookup(&'a Lookup),
}

/// CloudFormation pseudo parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pseudo {
    /// `AWS::Region`.
    Region,
    /// `AWS::AccountId`.
    AccountId,
    /// `AWS::Partition`.
    Partition,
    /// `AWS::StackName`.
    StackName,
    /// `AWS::StackId`.
    StackId,
    /// `AWS::URLSuffix`.
    UrlSuffix,
    /// `AWS::NoValue`: removes the property it stands for.
    NoValue,
}

impl Pseudo {
    /// The name after `AWS::`.
    pub fn as_str(self) -> &'static str {
        match self {
            Pseudo::Region => "AWS::Region",
            Pseudo::AccountId => "AWS::AccountId",
            Pseudo::Partition => "AWS::Partition",
            Pseudo::StackName => "AWS::StackName",
            Pseudo::StackId => "AWS::StackId",
            Pseudo::UrlSuffix => "AWS::URLSuffix",
            Pseudo::NoValue => "AWS::NoValue",
        }
    }
}

impl From<&str> for Expr {
    fn from(s: &str) -> Self {
        Expr::Str(s.to_string())
    }
}
impl From<String> for Expr {
    fn from(s: String) -> Self {
        Expr::Str(s)
    }
}
impl From<&String> for Expr {
    fn from(s: &String) -> Self {
        Expr::Str(s.clone())
    }
}
impl From<bool> for Expr {
    fn from(b: bool) -> Self {
        Expr::Bool(b)
    }
}
impl From<i64> for Expr {
    fn from(i: i64) -> Self {
        Expr::Int(i)
    }
}
impl From<i32> for Expr {
    fn from(i: i32) -> Self {
        Expr::Int(i64::from(i))
    }
}
impl From<u32> for Expr {
    fn from(i: u32) -> Self {
        Expr::Int(i64::from(i))
    }
}
impl From<u16> for Expr {
    fn from(i: u16) -> Self {
        Expr::Int(i64::from(i))
    }
}
impl From<f64> for Expr {
    fn from(f: f64) -> Self {
        Expr::Float(f)
    }
}
impl From<Token> for Expr {
    fn from(t: Token) -> Self {
        Expr::Token(t)
    }
}
impl From<&Token> for Expr {
    fn from(t: &Token) -> Self {
        Expr::Token(t.clone())
    }
}
impl From<Lookup> for Expr {
    fn from(l: Lookup) -> Self {
        Expr::Lookup(l)
    }
}
impl<T: Into<Expr>> From<Vec<T>> for Expr {
    fn from(v: Vec<T>) -> Self {
        Expr::List(v.into_iter().map(Into::into).collect())
    }
}
impl<T> From<Val<T>> for Expr {
    fn from(v: Val<T>) -> Self {
        v.expr
    }
}
impl From<serde_json::Value> for Expr {
    fn from(v: serde_json::Value) -> Self {
        Expr::from_json(&v)
    }
}

/// A value of CloudFormation type `T` (a string, a number, a boolean): a literal of that type,
/// or a token/intrinsic that CloudFormation resolves to one. Typed L1 properties use it so that
/// a number cannot be given where a string is expected.
#[derive(Debug, Clone, PartialEq)]
pub struct Val<T> {
    expr: Expr,
    _type: PhantomData<fn() -> T>,
}

impl<T> Val<T> {
    /// Wraps any expression (an intrinsic function, say) as a value of type `T`.
    pub fn expr(expr: impl Into<Expr>) -> Self {
        Val {
            expr: expr.into(),
            _type: PhantomData,
        }
    }
    /// The underlying expression.
    pub fn into_expr(self) -> Expr {
        self.expr
    }
    /// The underlying expression, borrowed.
    pub fn as_expr(&self) -> &Expr {
        &self.expr
    }
}

impl From<&str> for Val<String> {
    fn from(s: &str) -> Self {
        Val::expr(s)
    }
}
impl From<String> for Val<String> {
    fn from(s: String) -> Self {
        Val::expr(s)
    }
}
impl From<&String> for Val<String> {
    fn from(s: &String) -> Self {
        Val::expr(s.clone())
    }
}
impl From<i64> for Val<i64> {
    fn from(i: i64) -> Self {
        Val::expr(i)
    }
}
impl From<u32> for Val<i64> {
    fn from(i: u32) -> Self {
        Val::expr(i)
    }
}
impl From<i32> for Val<i64> {
    fn from(i: i32) -> Self {
        Val::expr(i)
    }
}
impl From<f64> for Val<f64> {
    fn from(f: f64) -> Self {
        Val::expr(f)
    }
}
impl From<bool> for Val<bool> {
    fn from(b: bool) -> Self {
        Val::expr(b)
    }
}
impl<T> From<Token> for Val<T> {
    fn from(t: Token) -> Self {
        Val::expr(t)
    }
}
impl<T> From<&Token> for Val<T> {
    fn from(t: &Token) -> Self {
        Val::expr(t.clone())
    }
}
impl<T> From<Lookup> for Val<T> {
    fn from(l: Lookup) -> Self {
        Val::expr(l)
    }
}
impl<T> From<Expr> for Val<T> {
    fn from(e: Expr) -> Self {
        Val::expr(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intrinsics_render_as_cloudformation_json() {
        let e = Expr::sub(
            "arn:${AWS::Partition}:s3:::${B}",
            [("B", Expr::reference("Bucket"))],
        );
        assert_eq!(
            e.to_json(),
            serde_json::json!({"Fn::Sub": ["arn:${AWS::Partition}:s3:::${B}", {"B": {"Ref": "Bucket"}}]})
        );
        assert_eq!(
            Expr::select(1, Expr::get_azs()).to_json(),
            serde_json::json!({"Fn::Select": [1, {"Fn::GetAZs": ""}]})
        );
        assert_eq!(
            Expr::if_("C", "a", Expr::pseudo(Pseudo::NoValue)).to_json(),
            serde_json::json!({"Fn::If": ["C", "a", {"Ref": "AWS::NoValue"}]})
        );
        assert_eq!(
            Expr::import_value("x").to_json(),
            serde_json::json!({"Fn::ImportValue": "x"})
        );
        assert_eq!(
            Expr::join(",", ["a", "b"]).to_json(),
            serde_json::json!({"Fn::Join": [",", ["a", "b"]]})
        );
        assert_eq!(
            Expr::GetAtt("Lb".into(), "DNSName".into()).to_json(),
            serde_json::json!({"Fn::GetAtt": ["Lb", "DNSName"]})
        );
    }

    #[test]
    fn json_round_trip_of_literals() {
        let v = serde_json::json!({"a": [1, 2.5, "x", true, null]});
        assert_eq!(Expr::from_json(&v).to_json(), v);
    }
}
