//! "Which child?" on the forms that can name a new child (a concern, a missing episode,
//! a placement notification): search before create, the `child` radio (a child's id, or
//! "new" with the new child's details below), read back into a [`ChildRef`].

use assure_domain::partnership::Section;
use assure_domain::Invalid;
use assure_storage::children::{Child, ChildInput, ChildSearch};
use assure_storage::referrals::ChildRef;
use assure_storage::Reader;
use maud::{html, Markup};

use crate::auth::Caller;
use crate::error::AppError;
use crate::forms::Fields;
use crate::ui::{self, Field};
use crate::{policy, AppState};

/// The search hint of forms that find only children the agency is involved with.
pub const REACH_HINT: &str =
    "First or last name. Only children your agency is involved with are found; if the child is not found, enter their details below.";

/// How much of a new child's identity a form asks for.
pub enum Identity {
    /// First and last name, date of birth or estimated age.
    Short,
    /// All of it, with the labels of the address and its ward.
    Full { address: &'static str, ward: &'static str },
}

/// What differs between the forms that ask which child.
pub struct Picker {
    /// Where the search (GET) and the form (POST) go.
    pub action: &'static str,
    /// The legend of the `child` radios.
    pub question: &'static str,
    pub search_hint: &'static str,
    /// The example in the message for an unreadable date of birth.
    pub dob_example: &'static str,
    pub identity: Identity,
    /// Whether a found child's school is in their option's label.
    pub school_in_label: bool,
}

const SHORT_FIELDS: [&str; 4] = ["first_name", "last_name", "date_of_birth", "estimated_age"];
const FULL_FIELDS: [&str; 9] = ["first_name", "last_name", "date_of_birth", "estimated_age", "gender", "ethnicity", "address", "ward", "school"];

impl Picker {
    fn fields(&self) -> &'static [&'static str] {
        match self.identity {
            Identity::Short => &SHORT_FIELDS,
            Identity::Full { .. } => &FULL_FIELDS,
        }
    }

    fn label(&self, c: &Child) -> String {
        let born = match (c.date_of_birth, c.estimated_age) {
            (Some(d), _) => format!("born {}", assure_domain::dates::long(d)),
            (None, Some(a)) => format!("about {a} years old"),
            _ => "age not known".into(),
        };
        let school = if !self.school_in_label || c.school.is_empty() { String::new() } else { format!(", {}", c.school) };
        format!("{} {}, {born}{school}", c.first_name, c.last_name)
    }
}

/// The query of the form's GET page: only the search and a child chosen before.
pub fn query(q: Vec<(String, String)>) -> Fields {
    Fields(q.into_iter().filter(|(k, _)| k == "name" || k == "child").collect())
}

/// The child part of the form as submitted, with the problems only the web edge can see
/// (an unreadable date of birth or age); the rest of the form adds its own after them.
pub fn read(p: &Picker, f: &Fields) -> (Option<ChildRef>, Invalid) {
    let mut v = Invalid::new();
    let child = match f.get("child").trim() {
        "" => None,
        "new" => {
            let dob = f.date("date_of_birth");
            if let Some(m) = f.date_problem("date_of_birth", "The date of birth") {
                v.add("date_of_birth", m);
            } else if !f.get("date_of_birth").trim().is_empty() && dob.is_none() {
                v.add("date_of_birth", format!("Enter the date of birth as a real date, for example {}", p.dob_example));
            }
            let age = f.opt_int("estimated_age").unwrap_or_else(|_| {
                v.add("estimated_age", "Enter the estimated age as a whole number of years, for example 14");
                None
            });
            let (first_name, last_name) = (f.string("first_name"), f.string("last_name"));
            Some(ChildRef::New(match p.identity {
                Identity::Short => ChildInput { first_name, last_name, date_of_birth: dob, estimated_age: age, ..Default::default() },
                Identity::Full { .. } => ChildInput {
                    first_name,
                    last_name,
                    date_of_birth: dob,
                    estimated_age: age,
                    gender: f.string("gender"),
                    ethnicity: f.string("ethnicity"),
                    address: f.string("address"),
                    ward: f.string("ward"),
                    school: f.string("school"),
                },
            }))
        }
        other => Some(ChildRef::Existing(other.parse().unwrap_or(-1))),
    };
    (child, v)
}

/// The children to offer: the name searched for (the children's own search, by beginning
/// or sound, within reach, audited), and a child chosen before (from a child's page, or
/// on the form sent back) stays listed when the caller may see them.
pub async fn matches(state: &AppState, caller: &Caller, reader: &Reader, f: &Fields) -> Result<Vec<Child>, AppError> {
    let name = f.get("name").trim().to_string();
    let search = ChildSearch { name: Some(name.clone()), date_of_birth: None };
    let mut matches: Vec<Child> = if name.is_empty() { Vec::new() } else { state.store.children(reader).search(&search, 20, 0).await?.0 };
    if let Ok(cid) = f.get("child").trim().parse::<i64>() {
        if !matches.iter().any(|c| c.id == cid) {
            if let Ok(record) = policy::child(state, caller, cid, Section::Identity).await {
                matches.insert(0, record.child().clone());
            }
        }
    }
    Ok(matches)
}

/// The search form (its own GET form, before the page's form), and the child part of the
/// page's POST form (the search kept, the `child` radios, the new child's details).
pub fn render(p: &Picker, matches: &[Child], f: &Fields, errors: &Invalid) -> (Markup, Markup) {
    let name = f.get("name").trim().to_string();
    let mut options: Vec<(String, String)> = matches.iter().map(|c| (c.id.to_string(), p.label(c))).collect();
    options.push(("new".into(), "A child not listed here: I will enter their details below".into()));
    let chosen = if f.get("child").is_empty() && matches.is_empty() && !name.is_empty() { "new".to_string() } else { f.string("child") };
    let open = chosen == "new" || errors.errors.iter().any(|e| p.fields().contains(&e.field.as_str()));
    let search = html! {
        form method="get" action=(p.action) class="app-form-group" {
            (ui::text_input(Field::new("name", "Find the child by name", &name, &Invalid::new()).hint(p.search_hint), "app-input--width-20"))
            (ui::secondary_button("Search"))
        }
    };
    let child = html! {
        input type="hidden" name="name" value=(name);
        h2 class="app-heading-m" { "The child" }
        (ui::radios(Field::new("child", p.question, &chosen, errors), &options, false))
        details class="app-details" open[open] {
            summary class="app-details__summary" { "A new child's details" }
            div class="app-details__text" {
                (ui::text_input(Field::new("first_name", "First name", f.get("first_name"), errors), "app-input--width-20"))
                (ui::text_input(Field::new("last_name", "Last name", f.get("last_name"), errors), "app-input--width-20"))
                (ui::date_input(Field::new("date_of_birth", "Date of birth", f.get("date_of_birth"), errors)))
                (ui::text_input(Field::new("estimated_age", "Estimated age in years, if the date of birth is not known", f.get("estimated_age"), errors), "app-input--width-5"))
                @if let Identity::Full { address, ward } = p.identity {
                    (ui::text_input(Field::new("gender", "Gender", f.get("gender"), errors), "app-input--width-10"))
                    (ui::text_input(Field::new("ethnicity", "Ethnicity", f.get("ethnicity"), errors), "app-input--width-20"))
                    (ui::textarea(Field::new("address", address, f.get("address"), errors), 3))
                    (ui::text_input(Field::new("ward", ward, f.get("ward"), errors), "app-input--width-20"))
                    (ui::text_input(Field::new("school", "School or college", f.get("school"), errors), "app-input--width-30"))
                }
            }
        }
    };
    (search, child)
}
