//! The migrated schema as the connected engine reports it, described the same way on
//! SQLite and PostgreSQL, so the two migration sets (kept in step by hand) can be
//! compared: [`Store::schema`] reads it, [`compare`] lists every difference in words.
//!
//! What is described, per table: its columns in order (name, a [`ColumnType`] from one
//! small vocabulary, nullability), the primary key, the indexes a migration created
//! (columns in order, `DESC` marked, unique or not, partial or not), the unique
//! constraints, and the foreign keys (columns → table(columns), and what happens on
//! delete). What is deliberately left out, because the engines say it differently and
//! Assure does not rely on it: defaults (PostgreSQL's identity columns versus SQLite's
//! rowid), collations (PostgreSQL's `COLLATE "C"` is SQLite's byte order), check
//! constraints, views and triggers, and sqlx's `_sqlx_migrations`. The indexes that
//! each engine makes by itself for a primary key or a unique constraint are not listed
//! as indexes on either side; the constraint is described instead.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::{Engine, Result, RowExt, Store};

/// A column's type, from one vocabulary for both engines.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum ColumnType {
    /// 64-bit integer: SQLite's `INTEGER` (any declared type containing "INT"; SQLite
    /// integers are always 64-bit), PostgreSQL's `bigint`.
    Integer,
    /// PostgreSQL's `integer` or `smallint`: narrower than SQLite's integers, which
    /// Assure's schema keeps 64-bit on both engines.
    Integer32,
    Text,
    Real,
    Bytes,
    Boolean,
    /// SQLite's NUMERIC affinity (`NUMERIC`, `DECIMAL`, ...), PostgreSQL's `numeric`.
    Numeric,
    /// Anything else, as the engine names it (a PostgreSQL `date`, a SQLite column
    /// declared without a type, ...).
    Other(String),
}

impl ColumnType {
    /// SQLite's declared type, by SQLite's own affinity rules (section 3.1 of its
    /// datatype documentation), with `BOOL...` kept apart.
    pub fn from_sqlite(declared: &str) -> ColumnType {
        let t = declared.trim().to_ascii_uppercase();
        if t.is_empty() {
            ColumnType::Other("no declared type".into())
        } else if t.contains("INT") {
            ColumnType::Integer
        } else if t.contains("CHAR") || t.contains("CLOB") || t.contains("TEXT") {
            ColumnType::Text
        } else if t.contains("BLOB") {
            ColumnType::Bytes
        } else if t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB") {
            ColumnType::Real
        } else if t.starts_with("BOOL") {
            ColumnType::Boolean
        } else if t.starts_with("NUMERIC") || t.starts_with("DECIMAL") {
            ColumnType::Numeric
        } else {
            ColumnType::Other(t.to_ascii_lowercase())
        }
    }

    /// PostgreSQL's `format_type` of the column (`bigint`, `character varying(20)`, ...).
    pub fn from_postgres(formatted: &str) -> ColumnType {
        let t = formatted.trim().to_ascii_lowercase();
        let base = t.split('(').next().unwrap_or("").trim();
        match base {
            "bigint" => ColumnType::Integer,
            "integer" | "smallint" => ColumnType::Integer32,
            "text" | "character varying" | "character" | "citext" => ColumnType::Text,
            "double precision" | "real" => ColumnType::Real,
            "bytea" => ColumnType::Bytes,
            "boolean" => ColumnType::Boolean,
            "numeric" => ColumnType::Numeric,
            _ => ColumnType::Other(t),
        }
    }
}

impl fmt::Display for ColumnType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ColumnType::Integer => f.write_str("Integer (64-bit)"),
            ColumnType::Integer32 => f.write_str("Integer32 (32-bit or narrower)"),
            ColumnType::Text => f.write_str("Text"),
            ColumnType::Real => f.write_str("Real"),
            ColumnType::Bytes => f.write_str("Bytes"),
            ColumnType::Boolean => f.write_str("Boolean"),
            ColumnType::Numeric => f.write_str("Numeric"),
            ColumnType::Other(t) => write!(f, "`{t}`"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub ty: ColumnType,
    pub nullable: bool,
}

impl Column {
    pub fn new(name: &str, ty: ColumnType, nullable: bool) -> Column {
        Column { name: name.into(), ty, nullable }
    }
}

/// An index a migration created. Each entry of `columns` is a column name, followed by
/// ` DESC` when the index orders it descending, or `<expression>` for an expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Index {
    pub columns: Vec<String>,
    pub unique: bool,
    /// Has a `WHERE` clause.
    pub partial: bool,
}

/// `columns` → `table(references)`, with the action on delete in SQL's words
/// (`NO ACTION`, `RESTRICT`, `CASCADE`, `SET NULL`, `SET DEFAULT`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ForeignKey {
    pub columns: Vec<String>,
    pub table: String,
    pub references: Vec<String>,
    pub on_delete: String,
}

impl ForeignKey {
    pub fn new(columns: &[&str], table: &str, references: &[&str]) -> ForeignKey {
        ForeignKey {
            columns: columns.iter().map(|c| c.to_string()).collect(),
            table: table.into(),
            references: references.iter().map(|c| c.to_string()).collect(),
            on_delete: "NO ACTION".into(),
        }
    }

    fn describe(&self) -> String {
        format!("{} → {}", list(&self.columns), call(&self.table, &self.references))
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    /// In the table's order.
    pub columns: Vec<Column>,
    /// In the key's order; empty when the table has none.
    pub primary_key: Vec<String>,
    /// By index name.
    pub indexes: BTreeMap<String, Index>,
    /// Each constraint's columns, in its order.
    pub unique_constraints: BTreeSet<Vec<String>>,
    pub foreign_keys: BTreeSet<ForeignKey>,
}

impl Table {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}

/// One engine's migrated schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schema {
    pub engine: Engine,
    /// By table name (lower case on both engines).
    pub tables: BTreeMap<String, Table>,
}

impl Schema {
    pub fn new(engine: Engine) -> Schema {
        Schema { engine, tables: BTreeMap::new() }
    }

    /// Every (table, column) whose single-column foreign key refers to `table`, sorted.
    pub fn references_to(&self, table: &str) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = self
            .tables
            .iter()
            .flat_map(|(name, t)| {
                t.foreign_keys.iter().filter(|fk| fk.table == table && fk.columns.len() == 1).map(move |fk| (name.clone(), fk.columns[0].clone()))
            })
            .collect();
        out.sort();
        out.dedup();
        out
    }
}

pub fn engine_name(engine: Engine) -> &'static str {
    match engine {
        Engine::Sqlite => "SQLite",
        Engine::Postgres => "PostgreSQL",
    }
}

fn list(cols: &[String]) -> String {
    format!("({})", cols.join(", "))
}

fn call(table: &str, cols: &[String]) -> String {
    format!("{table}{}", list(cols))
}

fn nullability(nullable: bool) -> &'static str {
    if nullable {
        "nullable"
    } else {
        "NOT NULL"
    }
}

/// Every difference between two schemas, in words a developer can act on, in a stable
/// order (tables by name, then columns, keys, indexes, constraints). Empty when the two
/// agree on everything described.
pub fn compare(a: &Schema, b: &Schema) -> Vec<String> {
    let (an, bn) = (engine_name(a.engine), engine_name(b.engine));
    let mut out = Vec::new();
    let names: BTreeSet<&String> = a.tables.keys().chain(b.tables.keys()).collect();
    for name in names {
        let (ta, tb) = match (a.tables.get(name), b.tables.get(name)) {
            (Some(ta), Some(tb)) => (ta, tb),
            (Some(_), None) => {
                out.push(format!("table `{name}` exists only on {an}"));
                continue;
            }
            (None, Some(_)) => {
                out.push(format!("table `{name}` exists only on {bn}"));
                continue;
            }
            (None, None) => continue,
        };
        compare_table(name, ta, tb, an, bn, &mut out);
    }
    out
}

fn compare_table(name: &str, a: &Table, b: &Table, an: &str, bn: &str, out: &mut Vec<String>) {
    // Columns.
    for ca in &a.columns {
        match b.column(&ca.name) {
            None => out.push(format!("table `{name}`: column `{}` exists only on {an}", ca.name)),
            Some(cb) => {
                if ca.ty != cb.ty {
                    out.push(format!("table `{name}`: column `{}` is {} on {an} but {} on {bn}", ca.name, ca.ty, cb.ty));
                }
                if ca.nullable != cb.nullable {
                    out.push(format!(
                        "table `{name}`: column `{}` is {} on {an} but {} on {bn}",
                        ca.name,
                        nullability(ca.nullable),
                        nullability(cb.nullable)
                    ));
                }
            }
        }
    }
    for cb in &b.columns {
        if a.column(&cb.name).is_none() {
            out.push(format!("table `{name}`: column `{}` exists only on {bn}", cb.name));
        }
    }
    // Order matters to `INSERT INTO ... SELECT *` (a table rebuilt in a migration).
    let shared_a: Vec<&str> = a.columns.iter().map(|c| c.name.as_str()).filter(|n| b.column(n).is_some()).collect();
    let shared_b: Vec<&str> = b.columns.iter().map(|c| c.name.as_str()).filter(|n| a.column(n).is_some()).collect();
    if shared_a != shared_b {
        out.push(format!(
            "table `{name}`: the columns are in a different order: ({}) on {an} but ({}) on {bn}",
            shared_a.join(", "),
            shared_b.join(", ")
        ));
    }
    // Primary key.
    if a.primary_key != b.primary_key {
        let pk = |t: &Table| if t.primary_key.is_empty() { "none".to_string() } else { list(&t.primary_key) };
        out.push(format!("table `{name}`: the primary key is {} on {an} but {} on {bn}", pk(a), pk(b)));
    }
    // Indexes.
    let index_names: BTreeSet<&String> = a.indexes.keys().chain(b.indexes.keys()).collect();
    for ix in index_names {
        match (a.indexes.get(ix), b.indexes.get(ix)) {
            (Some(ia), None) => out.push(format!("index `{ix}` on `{}` exists only on {an}", call(name, &ia.columns))),
            (None, Some(ib)) => out.push(format!("index `{ix}` on `{}` exists only on {bn}", call(name, &ib.columns))),
            (Some(ia), Some(ib)) => {
                if ia.columns != ib.columns {
                    out.push(format!("index `{ix}` on `{name}` covers {} on {an} but {} on {bn}", list(&ia.columns), list(&ib.columns)));
                }
                let yes_no = |v: bool, what: &str| if v { what.to_string() } else { format!("not {what}") };
                if ia.unique != ib.unique {
                    out.push(format!(
                        "index `{ix}` on `{name}` is {} on {an} but {} on {bn}",
                        yes_no(ia.unique, "unique"),
                        yes_no(ib.unique, "unique")
                    ));
                }
                if ia.partial != ib.partial {
                    out.push(format!(
                        "index `{ix}` on `{name}` is {} on {an} but {} on {bn}",
                        yes_no(ia.partial, "partial (has a WHERE clause)"),
                        yes_no(ib.partial, "partial (has a WHERE clause)")
                    ));
                }
            }
            (None, None) => {}
        }
    }
    // Unique constraints.
    for u in a.unique_constraints.difference(&b.unique_constraints) {
        out.push(format!("table `{name}`: unique constraint {} exists only on {an}", list(u)));
    }
    for u in b.unique_constraints.difference(&a.unique_constraints) {
        out.push(format!("table `{name}`: unique constraint {} exists only on {bn}", list(u)));
    }
    // Foreign keys: the same key with another action on delete is one difference, not two.
    let key = |fk: &ForeignKey| (fk.columns.clone(), fk.table.clone(), fk.references.clone());
    for fa in &a.foreign_keys {
        match b.foreign_keys.iter().find(|fb| key(fb) == key(fa)) {
            None => out.push(format!("table `{name}`: foreign key {} exists only on {an}", fa.describe())),
            Some(fb) if fb.on_delete != fa.on_delete => out.push(format!(
                "table `{name}`: foreign key {} is ON DELETE {} on {an} but ON DELETE {} on {bn}",
                fa.describe(),
                fa.on_delete,
                fb.on_delete
            )),
            Some(_) => {}
        }
    }
    for fb in &b.foreign_keys {
        if !a.foreign_keys.iter().any(|fa| key(fa) == key(fb)) {
            out.push(format!("table `{name}`: foreign key {} exists only on {bn}", fb.describe()));
        }
    }
}

/// Each engine's own full-text index, made differently on each by the migrations of
/// the same number (an FTS5 table and its shadow tables on SQLite, a tsvector table on
/// PostgreSQL) for recommendations and for the public site's published texts: not part
/// of the schema the two share.
fn engine_own(table: &str) -> bool {
    ["recommendation_search", "published_search"].iter().any(|own| table == *own || table.starts_with(&format!("{own}_")))
}

/// sqlx's own bookkeeping, which no migration writes.
const IGNORED_TABLE: &str = "_sqlx_migrations";

/// The tables of a SQLite schema (`m` is `sqlite_master`): SQLite's own and sqlx's left out.
const SQLITE_TABLES: &str = "m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND m.name <> '_sqlx_migrations'";

impl Store {
    /// The migrated schema of this database, described as on the other engine.
    pub async fn schema(&self) -> Result<Schema> {
        match self.engine() {
            Engine::Sqlite => self.sqlite_schema().await,
            Engine::Postgres => self.postgres_schema().await,
        }
    }

    /// Every (table, column) with a single-column foreign key to `table`, read from the
    /// migrated schema, sorted: `references_to("children")` is every column that holds
    /// a child's id (`children.merged_into_id` among them).
    pub async fn references_to(&self, table: &str) -> Result<Vec<(String, String)>> {
        Ok(self.schema().await?.references_to(table))
    }

    async fn sqlite_schema(&self) -> Result<Schema> {
        let mut schema = Schema::new(Engine::Sqlite);
        // SQLite keeps names as written; PostgreSQL folds unquoted ones to lower case.
        let lc = |s: String| s.to_ascii_lowercase();

        let sql = format!(
            "SELECT m.name AS table_name, p.name AS column_name, p.type AS data_type, p.\"notnull\" AS not_null, p.pk AS pk, \
             CASE WHEN UPPER(m.sql) LIKE '%WITHOUT ROWID%' THEN 1 ELSE 0 END AS without_rowid \
             FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE {SQLITE_TABLES} ORDER BY m.name, p.cid"
        );
        // (table, column, type, declared NOT NULL, position in the primary key, WITHOUT ROWID)
        let mut raw: Vec<(String, String, String, bool, i64, bool)> = Vec::new();
        for r in self.q(&sql).fetch_all(self.pool()).await? {
            raw.push((
                lc(r.s("table_name")?),
                lc(r.s("column_name")?),
                r.os("data_type")?.unwrap_or_default(),
                r.i("not_null")? != 0,
                r.i("pk")?,
                r.i("without_rowid")? != 0,
            ));
        }
        for (table, column, declared, not_null, pk, without_rowid) in &raw {
            let t = schema.tables.entry(table.clone()).or_default();
            let pk_len = raw.iter().filter(|c| &c.0 == table && c.4 > 0).count();
            // A lone INTEGER PRIMARY KEY is the rowid and can never be NULL, nor can a
            // WITHOUT ROWID table's key; any other primary key column in SQLite accepts
            // NULL unless declared NOT NULL (a long-standing SQLite quirk, kept visible).
            let rowid_alias = *pk == 1 && pk_len == 1 && declared.trim().eq_ignore_ascii_case("INTEGER") && !without_rowid;
            let nullable = !(*not_null || rowid_alias || (*pk > 0 && *without_rowid));
            t.columns.push(Column { name: column.clone(), ty: ColumnType::from_sqlite(declared), nullable });
        }
        let mut pks: Vec<(&String, i64, &String)> = raw.iter().filter(|c| c.4 > 0).map(|c| (&c.0, c.4, &c.1)).collect();
        pks.sort();
        for (table, _, column) in pks {
            schema.tables.entry(table.clone()).or_default().primary_key.push(column.clone());
        }

        // Indexes: "c" made by CREATE INDEX, "u" by a UNIQUE constraint, "pk" by the key.
        let sql = format!(
            "SELECT m.name AS table_name, il.name AS index_name, il.\"unique\" AS is_unique, il.origin AS origin, \
             il.partial AS partial, ii.name AS column_name, ii.\"desc\" AS descending \
             FROM sqlite_master m JOIN pragma_index_list(m.name) il JOIN pragma_index_xinfo(il.name) ii \
             WHERE {SQLITE_TABLES} AND ii.key = 1 ORDER BY m.name, il.name, ii.seqno"
        );
        let mut uniques: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
        for r in self.q(&sql).fetch_all(self.pool()).await? {
            let table = lc(r.s("table_name")?);
            let index = lc(r.s("index_name")?);
            let column = match r.os("column_name")? {
                Some(c) if r.i("descending")? != 0 => format!("{} DESC", lc(c)),
                Some(c) => lc(c),
                None => "<expression>".into(),
            };
            match r.s("origin")?.as_str() {
                "c" => {
                    let t = schema.tables.entry(table).or_default();
                    let ix = t.indexes.entry(index).or_insert_with(|| Index { columns: Vec::new(), unique: false, partial: false });
                    ix.columns.push(column);
                    ix.unique = r.i("is_unique")? != 0;
                    ix.partial = r.i("partial")? != 0;
                }
                "u" => uniques.entry((table, index)).or_default().push(column),
                _ => {}
            }
        }
        for ((table, _), columns) in uniques {
            schema.tables.entry(table).or_default().unique_constraints.insert(columns);
        }

        // Foreign keys, one row per column of each key; `to` is NULL when the key names
        // only the table, which then means its primary key.
        let sql = format!(
            "SELECT m.name AS table_name, f.id AS fk_id, f.\"table\" AS ref_table, f.\"from\" AS column_name, f.\"to\" AS ref_column, \
             f.on_delete AS on_delete FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f \
             WHERE {SQLITE_TABLES} ORDER BY m.name, f.id, f.seq"
        );
        let mut fks: BTreeMap<(String, i64), ForeignKey> = BTreeMap::new();
        let mut implicit: Vec<(String, i64)> = Vec::new();
        for r in self.q(&sql).fetch_all(self.pool()).await? {
            let table = lc(r.s("table_name")?);
            let id = r.i("fk_id")?;
            let fk = fks.entry((table.clone(), id)).or_insert_with(|| ForeignKey {
                columns: Vec::new(),
                table: String::new(),
                references: Vec::new(),
                on_delete: String::new(),
            });
            fk.table = lc(r.s("ref_table")?);
            fk.columns.push(lc(r.s("column_name")?));
            fk.on_delete = r.s("on_delete")?.to_ascii_uppercase();
            match r.os("ref_column")? {
                Some(c) => fk.references.push(lc(c)),
                None => implicit.push((table, id)),
            }
        }
        for key in implicit {
            if let Some(fk) = fks.get_mut(&key) {
                fk.references = schema.tables.get(&fk.table).map(|t| t.primary_key.clone()).unwrap_or_default();
            }
        }
        for ((table, _), fk) in fks {
            schema.tables.entry(table).or_default().foreign_keys.insert(fk);
        }
        schema.tables.remove(IGNORED_TABLE);
        schema.tables.retain(|name, _| !engine_own(name));
        Ok(schema)
    }

    async fn postgres_schema(&self) -> Result<Schema> {
        let mut schema = Schema::new(Engine::Postgres);
        // Everything is cast to text or bigint: sqlx's Any driver reads no `name`, `char`
        // or array values.
        let columns = "SELECT c.relname::text AS table_name, a.attname::text AS column_name, \
             format_type(a.atttypid, a.atttypmod)::text AS data_type, (CASE WHEN a.attnotnull THEN 1 ELSE 0 END)::bigint AS not_null \
             FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped \
             AND c.relname <> '_sqlx_migrations' ORDER BY c.relname, a.attnum";
        for r in self.q(columns).fetch_all(self.pool()).await? {
            let t = schema.tables.entry(r.s("table_name")?).or_default();
            t.columns.push(Column { name: r.s("column_name")?, ty: ColumnType::from_postgres(&r.s("data_type")?), nullable: r.i("not_null")? == 0 });
        }

        // Primary keys, unique constraints and foreign keys, one row per column.
        let constraints = "SELECT c.relname::text AS table_name, k.conname::text AS name, k.contype::text AS kind, \
             a.attname::text AS column_name, r.relname::text AS ref_table, ra.attname::text AS ref_column, \
             k.confdeltype::text AS on_delete \
             FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
             CROSS JOIN LATERAL unnest(k.conkey) WITH ORDINALITY AS u(attnum, ord) \
             JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.attnum \
             LEFT JOIN pg_class r ON r.oid = k.confrelid \
             LEFT JOIN pg_attribute ra ON ra.attrelid = k.confrelid AND ra.attnum = k.confkey[u.ord] \
             WHERE n.nspname = current_schema() AND k.contype IN ('p', 'u', 'f') AND c.relname <> '_sqlx_migrations' \
             ORDER BY c.relname, k.conname, u.ord";
        let mut uniques: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
        let mut fks: BTreeMap<(String, String), ForeignKey> = BTreeMap::new();
        for r in self.q(constraints).fetch_all(self.pool()).await? {
            let table = r.s("table_name")?;
            let column = r.s("column_name")?;
            match r.s("kind")?.as_str() {
                "p" => schema.tables.entry(table).or_default().primary_key.push(column),
                "u" => uniques.entry((table, r.s("name")?)).or_default().push(column),
                "f" => {
                    let fk = fks.entry((table, r.s("name")?)).or_insert_with(|| ForeignKey {
                        columns: Vec::new(),
                        table: String::new(),
                        references: Vec::new(),
                        on_delete: String::new(),
                    });
                    fk.columns.push(column);
                    fk.table = r.os("ref_table")?.unwrap_or_default();
                    fk.references.push(r.os("ref_column")?.unwrap_or_default());
                    fk.on_delete = match r.s("on_delete")?.as_str() {
                        "r" => "RESTRICT",
                        "c" => "CASCADE",
                        "n" => "SET NULL",
                        "d" => "SET DEFAULT",
                        _ => "NO ACTION",
                    }
                    .into();
                }
                _ => {}
            }
        }
        for ((table, _), columns) in uniques {
            schema.tables.entry(table).or_default().unique_constraints.insert(columns);
        }
        for ((table, _), fk) in fks {
            schema.tables.entry(table).or_default().foreign_keys.insert(fk);
        }

        // Indexes, less those that back a primary key, unique or exclusion constraint
        // (PostgreSQL makes those itself, as SQLite does its autoindexes).
        let indexes = "SELECT t.relname::text AS table_name, i.relname::text AS index_name, \
             (CASE WHEN x.indisunique THEN 1 ELSE 0 END)::bigint AS is_unique, \
             (CASE WHEN x.indpred IS NULL THEN 0 ELSE 1 END)::bigint AS partial, \
             a.attname::text AS column_name, ((x.indoption[k.ord - 1] & 1))::bigint AS descending \
             FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid \
             JOIN pg_namespace n ON n.oid = t.relnamespace \
             CROSS JOIN LATERAL generate_series(1, x.indnkeyatts::int) AS k(ord) \
             LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = x.indkey[k.ord - 1] AND a.attnum > 0 \
             WHERE n.nspname = current_schema() AND t.relname <> '_sqlx_migrations' \
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conrelid = x.indrelid AND c.conindid = x.indexrelid \
             AND c.contype IN ('p', 'u', 'x')) \
             ORDER BY t.relname, i.relname, k.ord";
        for r in self.q(indexes).fetch_all(self.pool()).await? {
            let column = match r.os("column_name")? {
                Some(c) if r.i("descending")? != 0 => format!("{c} DESC"),
                Some(c) => c,
                None => "<expression>".into(),
            };
            let t = schema.tables.entry(r.s("table_name")?).or_default();
            let ix = t.indexes.entry(r.s("index_name")?).or_insert_with(|| Index { columns: Vec::new(), unique: false, partial: false });
            ix.columns.push(column);
            ix.unique = r.i("is_unique")? != 0;
            ix.partial = r.i("partial")? != 0;
        }
        schema.tables.remove(IGNORED_TABLE);
        schema.tables.retain(|name, _| !engine_own(name));
        Ok(schema)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two small schemas, the same on both engines: children, and referrals pointing at them.
    fn pair() -> (Schema, Schema) {
        let mut children = Table {
            columns: vec![Column::new("id", ColumnType::Integer, false), Column::new("last_name", ColumnType::Text, false)],
            primary_key: vec!["id".into()],
            ..Default::default()
        };
        children.indexes.insert("children_name".into(), Index { columns: vec!["last_name".into()], unique: false, partial: false });
        let mut referrals = Table {
            columns: vec![
                Column::new("id", ColumnType::Integer, false),
                Column::new("child_id", ColumnType::Integer, false),
                Column::new("risk_level", ColumnType::Text, false),
            ],
            primary_key: vec!["id".into()],
            ..Default::default()
        };
        referrals.foreign_keys.insert(ForeignKey::new(&["child_id"], "children", &["id"]));
        let mut a = Schema::new(Engine::Sqlite);
        a.tables.insert("children".into(), children);
        a.tables.insert("referrals".into(), referrals);
        let mut b = a.clone();
        b.engine = Engine::Postgres;
        (a, b)
    }

    #[test]
    fn the_same_schema_has_no_differences() {
        let (a, b) = pair();
        assert_eq!(compare(&a, &b), Vec::<String>::new());
        assert_eq!(a.references_to("children"), [("referrals".to_string(), "child_id".to_string())]);
    }

    #[test]
    fn a_column_added_to_one_engine_only_is_reported() {
        let (a, mut b) = pair();
        b.tables.get_mut("children").unwrap().columns.push(Column::new("nickname", ColumnType::Text, true));
        assert_eq!(compare(&a, &b), ["table `children`: column `nickname` exists only on PostgreSQL"]);
        assert_eq!(compare(&b, &a), ["table `children`: column `nickname` exists only on PostgreSQL"]);
    }

    #[test]
    fn nullability_and_type_differences_are_reported() {
        let (a, mut b) = pair();
        let referrals = b.tables.get_mut("referrals").unwrap();
        referrals.columns[2].nullable = true;
        referrals.columns[1].ty = ColumnType::Integer32;
        assert_eq!(
            compare(&a, &b),
            [
                "table `referrals`: column `child_id` is Integer (64-bit) on SQLite but Integer32 (32-bit or narrower) on PostgreSQL",
                "table `referrals`: column `risk_level` is NOT NULL on SQLite but nullable on PostgreSQL",
            ]
        );
    }

    #[test]
    fn a_missing_or_different_index_is_reported() {
        let (mut a, mut b) = pair();
        a.tables.get_mut("children").unwrap().indexes.clear();
        assert_eq!(compare(&a, &b), ["index `children_name` on `children(last_name)` exists only on PostgreSQL"]);
        a = pair().0;
        let ix = b.tables.get_mut("children").unwrap().indexes.get_mut("children_name").unwrap();
        ix.columns = vec!["last_name DESC".into()];
        ix.unique = true;
        assert_eq!(
            compare(&a, &b),
            [
                "index `children_name` on `children` covers (last_name) on SQLite but (last_name DESC) on PostgreSQL",
                "index `children_name` on `children` is not unique on SQLite but unique on PostgreSQL",
            ]
        );
    }

    #[test]
    fn a_missing_foreign_key_or_another_delete_action_is_reported() {
        let (a, mut b) = pair();
        b.tables.get_mut("referrals").unwrap().foreign_keys.clear();
        assert_eq!(compare(&a, &b), ["table `referrals`: foreign key (child_id) → children(id) exists only on SQLite"]);
        assert!(b.references_to("children").is_empty());
        let mut fk = ForeignKey::new(&["child_id"], "children", &["id"]);
        fk.on_delete = "CASCADE".into();
        b.tables.get_mut("referrals").unwrap().foreign_keys.insert(fk);
        assert_eq!(
            compare(&a, &b),
            ["table `referrals`: foreign key (child_id) → children(id) is ON DELETE NO ACTION on SQLite but ON DELETE CASCADE on PostgreSQL"]
        );
    }

    #[test]
    fn tables_keys_constraints_and_column_order_are_compared() {
        let (a, mut b) = pair();
        b.tables.remove("referrals");
        let children = b.tables.get_mut("children").unwrap();
        children.columns.reverse();
        children.primary_key.clear();
        children.unique_constraints.insert(vec!["last_name".into()]);
        assert_eq!(
            compare(&a, &b),
            [
                "table `children`: the columns are in a different order: (id, last_name) on SQLite but (last_name, id) on PostgreSQL",
                "table `children`: the primary key is (id) on SQLite but none on PostgreSQL",
                "table `children`: unique constraint (last_name) exists only on PostgreSQL",
                "table `referrals` exists only on SQLite",
            ]
        );
    }

    #[test]
    fn declared_types_map_onto_one_vocabulary() {
        for (sqlite, pg, ty) in [
            ("INTEGER", "bigint", ColumnType::Integer),
            ("BIGINT", "bigint", ColumnType::Integer),
            ("TEXT", "text", ColumnType::Text),
            ("VARCHAR(20)", "character varying(20)", ColumnType::Text),
            ("REAL", "double precision", ColumnType::Real),
            ("DOUBLE PRECISION", "real", ColumnType::Real),
            ("BLOB", "bytea", ColumnType::Bytes),
            ("BOOLEAN", "boolean", ColumnType::Boolean),
            ("NUMERIC(10,2)", "numeric(10,2)", ColumnType::Numeric),
        ] {
            assert_eq!(ColumnType::from_sqlite(sqlite), ty, "{sqlite}");
            assert_eq!(ColumnType::from_postgres(pg), ty, "{pg}");
        }
        assert_eq!(ColumnType::from_postgres("integer"), ColumnType::Integer32);
        assert_eq!(ColumnType::from_postgres("smallint"), ColumnType::Integer32);
        assert_eq!(ColumnType::from_postgres("date"), ColumnType::Other("date".into()));
        assert_eq!(ColumnType::from_sqlite(""), ColumnType::Other("no declared type".into()));
    }
}
