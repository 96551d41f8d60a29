//! One way to build a statement whose text depends on its input, on both engines:
//! text is pushed, and each bound value numbers its own placeholder (`$1`, `$2`, ...)
//! as it is pushed, so no placeholder is ever numbered by hand and a value can never be
//! bound in another's place. Fixed statements are written as plain literals; anything
//! assembled (filters, `IN` lists, the need-to-know rule) goes through [`Sql`].

use sqlx::any::AnyArguments;
use sqlx::Any;

/// A value bound to a statement.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Int(Option<i64>),
    Text(Option<String>),
    Real(Option<f64>),
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(Some(v))
    }
}
impl From<Option<i64>> for Value {
    fn from(v: Option<i64>) -> Self {
        Value::Int(v)
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Int(Some(i64::from(v)))
    }
}
impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Real(Some(v))
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(Some(v))
    }
}
impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Value::Text(Some(v.clone()))
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(Some(v.to_string()))
    }
}
impl From<Option<String>> for Value {
    fn from(v: Option<String>) -> Self {
        Value::Text(v)
    }
}
impl From<Option<&str>> for Value {
    fn from(v: Option<&str>) -> Self {
        Value::Text(v.map(str::to_string))
    }
}

/// A statement being built: its text and the values bound so far, in order.
#[derive(Debug, Clone, Default)]
pub struct Sql {
    text: String,
    values: Vec<Value>,
}

impl Sql {
    pub fn new(text: impl Into<String>) -> Sql {
        Sql { text: text.into(), values: Vec::new() }
    }

    /// Append text (never a value: values go through [`Sql::bind`]).
    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Append the next placeholder and bind `v` to it.
    pub fn bind(&mut self, v: impl Into<Value>) -> &mut Self {
        self.values.push(v.into());
        self.text.push('$');
        self.text.push_str(&self.values.len().to_string());
        self
    }

    /// Append `$a,$b,...` for every value (for `IN (...)`). An empty list appends
    /// `NULL`, so `x IN (NULL)` matches nothing instead of being a syntax error.
    pub fn bind_list<V: Into<Value>>(&mut self, vs: impl IntoIterator<Item = V>) -> &mut Self {
        let mut first = true;
        for v in vs {
            if !first {
                self.text.push(',');
            }
            first = false;
            self.bind(v);
        }
        if first {
            self.text.push_str("NULL");
        }
        self
    }

    /// Append another fragment, its values renumbered to follow these.
    pub fn append(&mut self, other: &Sql) -> &mut Self {
        let mut rest = other.text.as_str();
        while let Some(at) = rest.find('$') {
            self.text.push_str(&rest[..at]);
            let digits: String = rest[at + 1..].chars().take_while(char::is_ascii_digit).collect();
            match digits.parse::<usize>() {
                Ok(n) if n >= 1 && n <= other.values.len() => {
                    self.bind(other.values[n - 1].clone());
                }
                _ => {
                    self.text.push('$');
                    self.text.push_str(&digits);
                }
            }
            rest = &rest[at + 1 + digits.len()..];
        }
        self.text.push_str(rest);
        self
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn values(&self) -> &[Value] {
        &self.values
    }

    /// The statement with its values bound, ready to run (counted by the store).
    pub(crate) fn query<'q>(&'q self, store: &crate::Store) -> sqlx::query::Query<'q, Any, AnyArguments<'q>> {
        let mut q = store.q(&self.text);
        for v in &self.values {
            q = match v.clone() {
                Value::Int(i) => q.bind(i),
                Value::Text(s) => q.bind(s),
                Value::Real(f) => q.bind(f),
            };
        }
        q
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_value_numbers_its_own_placeholder() {
        let mut s = Sql::new("SELECT * FROM t WHERE a = ");
        s.bind(1).push(" AND b IN (").bind_list(["x", "y"]).push(") AND c = ").bind(Some(3i64));
        assert_eq!(s.text(), "SELECT * FROM t WHERE a = $1 AND b IN ($2,$3) AND c = $4");
        assert_eq!(s.values(), &[Value::from(1), Value::from("x"), Value::from("y"), Value::from(3)]);
    }

    #[test]
    fn an_empty_list_matches_nothing() {
        let mut s = Sql::new("x IN (");
        s.bind_list(Vec::<i64>::new()).push(")");
        assert_eq!(s.text(), "x IN (NULL)");
        assert!(s.values().is_empty());
    }

    #[test]
    fn an_appended_fragment_is_renumbered_after_what_is_there() {
        let mut filter = Sql::new("b = ");
        filter.bind("two").push(" OR b = ").bind("three").push(" OR d = '$x'");
        let mut s = Sql::new("a = ");
        s.bind(1).push(" AND (").append(&filter).push(")");
        assert_eq!(s.text(), "a = $1 AND (b = $2 OR b = $3 OR d = '$x')");
        assert_eq!(s.values(), &[Value::from(1), Value::from("two"), Value::from("three")]);
    }
}
