//! Reusable pieces of page.

use assure_domain::tracker::{ExecutiveResponse, Lifecycle, Rag, ResponseState, TagColour};
use assure_domain::Invalid;
use chrono::NaiveDate;
use maud::{html, Markup, PreEscaped};

pub fn tag(label: &str, colour: TagColour) -> Markup {
    html! { strong class={ "app-tag " (colour.class()) } { (label) } }
}

pub fn response_tag(r: ExecutiveResponse) -> Markup {
    tag(r.label(), r.colour())
}

/// A scorecard band, in words and colour.
pub fn band_tag(b: assure_domain::scorecard::Band) -> Markup {
    tag(b.label(), b.colour())
}

/// A direction of travel in words (improving is down for a lower-is-better measure,
/// so no arrow).
pub fn travel_tag(t: assure_domain::scorecard::Travel) -> Markup {
    use assure_domain::scorecard::Travel;
    let colour = match t {
        Travel::Improving => TagColour::Green,
        Travel::NoChange => TagColour::Grey,
        Travel::Worsening => TagColour::Red,
    };
    tag(t.label(), colour)
}

pub fn lifecycle_tag(l: Lifecycle) -> Markup {
    tag(l.label(), l.colour())
}

/// RAG always in words, never colour alone.
pub fn rag_tag(r: Option<Rag>) -> Markup {
    rec_rag_tag(r, false)
}

/// A recommendation's RAG: the rating given ("Amber"), Assure's suggestion marked as
/// one ("Suggested: Red", outlined rather than solid), or "Not rated".
pub fn rec_rag_tag(r: Option<Rag>, suggested: bool) -> Markup {
    let words = assure_domain::tracker::rag_words(r, suggested);
    match r {
        Some(g) if suggested => html! { strong class={ "app-tag app-tag--suggested " (g.colour().class()) } data-rag-suggested="true" { (words) } },
        Some(g) => tag(&words, g.colour()),
        None => tag(&words, TagColour::Grey),
    }
}

pub fn response_state_tag(s: ResponseState) -> Markup {
    match s {
        ResponseState::Overdue { days_over } => {
            tag(&format!("Response overdue by {days_over} day{}", if days_over == 1 { "" } else { "s" }), TagColour::Red)
        }
        ResponseState::Due { days_left: 0 } => tag("Response due today", TagColour::Orange),
        ResponseState::Due { days_left } => {
            tag(&format!("Response due in {days_left} day{}", if days_left == 1 { "" } else { "s" }), TagColour::Yellow)
        }
        ResponseState::NotRecorded => tag("Response not recorded", TagColour::Grey),
        ResponseState::Responded | ResponseState::NotReferred => html! {},
    }
}

pub fn date(d: Option<NaiveDate>) -> String {
    d.map(assure_domain::dates::long).unwrap_or_else(|| "Not set".into())
}

/// A stored moment (RFC 3339, or a plain date-time the store wrote in UTC) as people
/// read it: on the council's clock (Europe/London), to the minute, "14 July 2026, 09:05".
/// Anything else is shown as it was stored rather than hidden.
pub fn when(stamp: &str) -> String {
    let utc = chrono::DateTime::parse_from_rfc3339(stamp).map(|t| t.with_timezone(&chrono::Utc)).ok().or_else(|| {
        ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
            .iter()
            .find_map(|f| chrono::NaiveDateTime::parse_from_str(stamp, f).ok())
            .map(|t| t.and_utc())
    });
    match utc {
        Some(t) => assure_domain::clock::london(t).format("%-d %B %Y, %H:%M").to_string(),
        None => stamp.to_string(),
    }
}

/// Narrative text with its line breaks kept.
pub fn prose(text: &str) -> Markup {
    html! { p class="app-body app-pre" { (text) } }
}

pub fn success_banner(message: &str) -> Markup {
    html! {
        div class="app-notification-banner app-notification-banner--success" role="alert" aria-labelledby="notice-title" data-module="notice" {
            div class="app-notification-banner__header" { h2 class="app-notification-banner__title" id="notice-title" { "Success" } }
            div class="app-notification-banner__content" { p class="app-notification-banner__heading" { (message) } }
        }
    }
}

pub fn important_banner(title: &str, content: Markup) -> Markup {
    html! {
        div class="app-notification-banner" role="region" aria-labelledby="important-title" {
            div class="app-notification-banner__header" { h2 class="app-notification-banner__title" id="important-title" { (title) } }
            div class="app-notification-banner__content" { (content) }
        }
    }
}

/// The error summary at the top of a form, linking to each field.
pub fn error_summary(errors: &Invalid) -> Markup {
    error_summary_for(errors, "")
}

/// The error summary for one of several forms on a page (field ids `{prefix}-{name}`).
pub fn error_summary_for(errors: &Invalid, prefix: &str) -> Markup {
    let anchor = |f: &str| if prefix.is_empty() { format!("#{f}") } else { format!("#{prefix}-{f}") };
    html! {
        @if !errors.is_empty() {
            // `autofocus` moves focus to the summary when the page loads, with no script (the
            // summary is focusable through its tabindex); a screen reader reads it first.
            div class="app-error-summary" aria-labelledby="error-summary-title" role="alert" tabindex="-1" id="error-summary" autofocus {
                h2 class="app-error-summary__title" id="error-summary-title" { "There is a problem" }
                div class="app-error-summary__body" {
                    ul class="app-list app-error-summary__list" {
                        @for e in &errors.errors {
                            li { a href=(anchor(&e.field)) { (e.message) } }
                        }
                    }
                }
            }
        }
    }
}

pub fn csrf(token: &str) -> Markup {
    html! { input type="hidden" name="_csrf" value=(token); }
}

fn error_line(errors: &Invalid, name: &str, id: &str) -> Markup {
    html! {
        @if let Some(m) = errors.for_field(name) {
            p class="app-error-message" id={ (id) "-error" } { span class="app-visually-hidden" { "Error: " } (m) }
        }
    }
}

fn group_class(errors: &Invalid, name: &str) -> String {
    if errors.for_field(name).is_some() {
        "app-form-group app-form-group--error".into()
    } else {
        "app-form-group".into()
    }
}

fn described_by(errors: &Invalid, name: &str, id: &str, hint: Option<&str>) -> Option<String> {
    let mut ids = Vec::new();
    if hint.is_some() {
        ids.push(format!("{id}-hint"));
    }
    if errors.for_field(name).is_some() {
        ids.push(format!("{id}-error"));
    }
    (!ids.is_empty()).then(|| ids.join(" "))
}

pub struct Field<'a> {
    pub name: &'a str,
    /// The element id (the name unless the form is one of several on a page).
    pub id: String,
    pub label: &'a str,
    pub value: &'a str,
    pub hint: Option<&'a str>,
    pub errors: &'a Invalid,
}

impl<'a> Field<'a> {
    pub fn new(name: &'a str, label: &'a str, value: &'a str, errors: &'a Invalid) -> Self {
        Field { name, id: name.to_string(), label, value, hint: None, errors }
    }
    pub fn hint(mut self, h: &'a str) -> Self {
        self.hint = Some(h);
        self
    }
    /// For one of several forms on a page: ids become `{prefix}-{name}`.
    pub fn prefixed(mut self, prefix: &str) -> Self {
        if !prefix.is_empty() {
            self.id = format!("{prefix}-{}", self.name);
        }
        self
    }
}

pub fn text_input(f: Field<'_>, width_class: &str) -> Markup {
    input_of_type(f, width_class, "text", None)
}

pub fn input_of_type(f: Field<'_>, width_class: &str, input_type: &str, autocomplete: Option<&str>) -> Markup {
    let err = f.errors.for_field(f.name).is_some();
    html! {
        div class=(group_class(f.errors, f.name)) {
            label class="app-label" for=(f.id) { (f.label) }
            @if let Some(h) = f.hint { div class="app-hint" id={ (f.id) "-hint" } { (h) } }
            (error_line(f.errors, f.name, &f.id))
            input class={ "app-input " (width_class) @if err { " app-input--error" } } id=(f.id) name=(f.name) type=(input_type) value=(f.value)
                aria-describedby=[described_by(f.errors, f.name, &f.id, f.hint)] autocomplete=[autocomplete] spellcheck="false";
        }
    }
}

/// A date in one box, typed as a person would ("16/01/2018" or "16 January 2018"): for
/// the search filters (GET forms); every form that records a date uses [`date_input`].
pub fn date_text_input(f: Field<'_>) -> Markup {
    let hint = f.hint.unwrap_or("For example, 16/01/2018");
    text_input(Field { hint: Some(hint), ..f }, "app-input--width-10")
}

/// The parts of a date as they are shown back in the day, month and year boxes: a date
/// (a record's, or a default) split; what was typed (joined "day/month/year" by
/// [`crate::forms::Fields::parse`]) kept as it was, even when it is not a date.
fn date_value_parts(v: &str) -> [String; 3] {
    let v = v.trim();
    if let Some(d) = assure_domain::dates::parse_user(v) {
        use chrono::Datelike;
        return [d.day().to_string(), d.month().to_string(), d.year().to_string()];
    }
    let mut parts = v.splitn(3, '/').map(str::to_string);
    match (parts.next(), parts.next(), parts.next()) {
        (Some(d), Some(m), Some(y)) => [d, m, y],
        (Some(d), _, _) => [d, String::new(), String::new()],
        _ => Default::default(),
    }
}

/// The GOV.UK date input (day, month and year boxes named `{name}-day`, `{name}-month`,
/// `{name}-year`) for a form field: the label is the legend; the value (a date, or what
/// was typed) fills the boxes. The form is read with `Fields::date` as before.
pub fn date_input(f: Field<'_>) -> Markup {
    let hint = f.hint.unwrap_or("For example, 27 3 2026");
    date_boxes(f.name, &f.id, f.label, hint, f.errors, &date_value_parts(f.value), None)
}

/// The GOV.UK date input with a time box after it (`{name}-time`, "21:30"), for a
/// moment: a missing episode's start and end, a return interview's offer.
pub fn datetime_input(f: Field<'_>) -> Markup {
    let hint = f.hint.unwrap_or("For example, 27 3 2026 and 21:30");
    let v = f.value.trim();
    let (date, time) = match crate::pages::missing::parse_time(v) {
        Some(t) => (t.format("%d/%m/%Y").to_string(), t.format("%H:%M").to_string()),
        None => match v.split_once(' ') {
            Some((d, t)) => (d.to_string(), t.trim().to_string()),
            None => (v.to_string(), String::new()),
        },
    };
    date_boxes(f.name, &f.id, f.label, hint, f.errors, &date_value_parts(&date), Some(&time))
}

fn date_boxes(name: &str, id: &str, legend: &str, hint: &str, errors: &Invalid, parts: &[String; 3], time: Option<&str>) -> Markup {
    let err = errors.for_field(name);
    let hint_id = format!("{id}-hint");
    let described = if err.is_some() { format!("{hint_id} {id}-error") } else { hint_id.clone() };
    let input_class = |extra: &str| format!("app-input app-date-input__input {extra}{}", if err.is_some() { " app-input--error" } else { "" });
    html! {
        div class={ "app-form-group" @if err.is_some() { " app-form-group--error" } } {
            fieldset class="app-fieldset" role="group" aria-describedby=(described) {
                legend class="app-fieldset__legend app-fieldset__legend--s" { (legend) }
                div class="app-hint" id=(hint_id) { (hint) }
                @if let Some(m) = err {
                    p class="app-error-message" id={ (id) "-error" } { span class="app-visually-hidden" { "Error: " } (m) }
                }
                div class="app-date-input" {
                    div class="app-date-input__item" {
                        label class="app-label app-date-input__label" for=(id) { "Day" }
                        input class=(input_class("app-input--width-2")) id=(id) name={ (name) "-day" } type="text" inputmode="numeric" value=(parts[0]);
                    }
                    div class="app-date-input__item" {
                        label class="app-label app-date-input__label" for={ (id) "-month" } { "Month" }
                        input class=(input_class("app-input--width-2")) id={ (id) "-month" } name={ (name) "-month" } type="text" inputmode="numeric" value=(parts[1]);
                    }
                    div class="app-date-input__item" {
                        label class="app-label app-date-input__label" for={ (id) "-year" } { "Year" }
                        input class=(input_class("app-input--width-4")) id={ (id) "-year" } name={ (name) "-year" } type="text" inputmode="numeric" value=(parts[2]);
                    }
                    @if let Some(t) = time {
                        div class="app-date-input__item" {
                            label class="app-label app-date-input__label" for={ (id) "-time" } { "Time" }
                            input class=(input_class("app-input--width-5")) id={ (id) "-time" } name={ (name) "-time" } type="text" value=(t);
                        }
                    }
                }
            }
        }
    }
}

pub fn textarea(f: Field<'_>, rows: u32) -> Markup {
    let err = f.errors.for_field(f.name).is_some();
    html! {
        div class=(group_class(f.errors, f.name)) {
            label class="app-label" for=(f.id) { (f.label) }
            @if let Some(h) = f.hint { div class="app-hint" id={ (f.id) "-hint" } { (h) } }
            (error_line(f.errors, f.name, &f.id))
            textarea class={ "app-textarea" @if err { " app-textarea--error" } } id=(f.id) name=(f.name) rows=(rows) aria-describedby=[described_by(f.errors, f.name, &f.id, f.hint)] { (f.value) }
        }
    }
}

/// A select; `options` are (value, label); the first option may be a blank prompt.
pub fn select(f: Field<'_>, options: &[(String, String)]) -> Markup {
    let err = f.errors.for_field(f.name).is_some();
    html! {
        div class=(group_class(f.errors, f.name)) {
            label class="app-label" for=(f.id) { (f.label) }
            @if let Some(h) = f.hint { div class="app-hint" id={ (f.id) "-hint" } { (h) } }
            (error_line(f.errors, f.name, &f.id))
            select class={ "app-select" @if err { " app-select--error" } } id=(f.id) name=(f.name) aria-describedby=[described_by(f.errors, f.name, &f.id, f.hint)] {
                @for (v, l) in options {
                    option value=(v) selected[*v == f.value] { (l) }
                }
            }
        }
    }
}

/// Radios in a fieldset; the first radio carries the field's id so the error summary can link to it.
pub fn radios(f: Field<'_>, options: &[(String, String)], inline: bool) -> Markup {
    html! {
        div class=(group_class(f.errors, f.name)) {
            fieldset class="app-fieldset" aria-describedby=[described_by(f.errors, f.name, &f.id, f.hint)] {
                legend class="app-fieldset__legend app-fieldset__legend--s" { (f.label) }
                @if let Some(h) = f.hint { div class="app-hint" id={ (f.id) "-hint" } { (h) } }
                (error_line(f.errors, f.name, &f.id))
                div class={ "app-radios" @if inline { " app-radios--inline" } } {
                    @for (i, (v, l)) in options.iter().enumerate() {
                        @let id = if i == 0 { f.id.clone() } else { format!("{}-{}", f.id, i + 1) };
                        div class="app-radios__item" {
                            input class="app-radios__input" id=(id) name=(f.name) type="radio" value=(v) checked[*v == f.value];
                            label class="app-label app-radios__label" for=(id) { (l) }
                        }
                    }
                }
            }
        }
    }
}

/// Checkboxes in a fieldset.
pub fn checkboxes(name: &str, label: &str, hint: Option<&str>, options: &[(String, String)], selected: &[String], errors: &Invalid) -> Markup {
    html! {
        div class=(group_class(errors, name)) {
            fieldset class="app-fieldset" aria-describedby=[described_by(errors, name, name, hint)] {
                legend class="app-fieldset__legend app-fieldset__legend--s" { (label) }
                @if let Some(h) = hint { div class="app-hint" id={ (name) "-hint" } { (h) } }
                (error_line(errors, name, name))
                div class="app-checkboxes app-checkboxes--small" {
                    @for (i, (v, l)) in options.iter().enumerate() {
                        @let id = if i == 0 { name.to_string() } else { format!("{}-{}", name, i + 1) };
                        div class="app-checkboxes__item" {
                            input class="app-checkboxes__input" id=(id) name=(name) type="checkbox" value=(v) checked[selected.contains(v)];
                            label class="app-label app-checkboxes__label" for=(id) { (l) }
                        }
                    }
                }
            }
        }
    }
}

pub fn button(label: &str) -> Markup {
    html! { button type="submit" class="app-button" data-module="app-button" { (label) } }
}

pub fn secondary_button(label: &str) -> Markup {
    html! { button type="submit" class="app-button app-button--secondary" { (label) } }
}

/// A row of a summary list; a value with no words in it reads "Not recorded" rather
/// than leaving the row blank.
pub fn summary_row(key: &str, value: Markup) -> Markup {
    let blank = is_blank(&value.0);
    html! {
        div class="app-summary-list__row" {
            dt class="app-summary-list__key" { (key) }
            dd class="app-summary-list__value" {
                @if blank { span class="app-hint" { "Not recorded" } } @else { (value) }
            }
        }
    }
}

/// Whether rendered HTML has no text in it (only tags and white space).
fn is_blank(html: &str) -> bool {
    let mut in_tag = false;
    for ch in html.chars() {
        match ch {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag && !c.is_whitespace() => return false,
            _ => {}
        }
    }
    true
}

/// A wide table in a region of its own that scrolls sideways when the screen is
/// narrow, so the page itself never does (WCAG 1.4.10 reflow). Focusable, so a
/// keyboard can scroll it; named, so a screen reader says what it holds.
pub fn scroll_table(label: &str, table: Markup) -> Markup {
    html! {
        div class="app-table-scroll" role="region" aria-label=(label) tabindex="0" { (table) }
    }
}

pub fn back_link(href: &str, label: &str) -> Markup {
    html! { a href=(href) class="app-back-link" { (label) } }
}

pub fn breadcrumbs(items: &[(&str, &str)]) -> Markup {
    html! {
        nav class="app-breadcrumbs" aria-label="Breadcrumb" {
            ol class="app-breadcrumbs__list" {
                @for (href, label) in items {
                    li class="app-breadcrumbs__item" { a class="app-breadcrumbs__link" href=(href) { (label) } }
                }
            }
        }
    }
}

/// Options from an iterator of (value, label), with a leading blank prompt.
pub fn options_with_blank<I: IntoIterator<Item = (String, String)>>(prompt: &str, items: I) -> Vec<(String, String)> {
    let mut v = vec![(String::new(), prompt.to_string())];
    v.extend(items);
    v
}

pub fn raw(s: &'static str) -> PreEscaped<&'static str> {
    PreEscaped(s)
}

/// The GOV.UK pagination pattern for a list read a page at a time from a key
/// (storage's keyset pages): Previous and Next links carrying the opaque cursor;
/// nothing when the list fits on one page. `base` is the list's path and query.
pub fn pager<T>(base: &str, page: &assure_storage::keyset::Page<T>) -> Markup {
    pager_in(base, "", "Results pages", page)
}

/// [`pager`] for one of several lists on a page: each link ends at the list's section
/// (`#anchor`, when not empty), and the navigation is labelled with the list's name.
pub fn pager_in<T>(base: &str, anchor: &str, label: &str, page: &assure_storage::keyset::Page<T>) -> Markup {
    let sep = if base.contains('?') { "&" } else { "?" };
    let at = if anchor.is_empty() { String::new() } else { format!("#{anchor}") };
    let link = |c: &str| format!("{base}{sep}cursor={c}{at}");
    html! {
        @if page.previous.is_some() || page.next.is_some() {
            nav class="app-pagination" role="navigation" aria-label=(label) {
                @if let Some(p) = &page.previous { div class="app-pagination__prev" { a class="app-link app-pagination__link" href=(link(p)) rel="prev" { "Previous" span class="app-visually-hidden" { " page" } } } }
                @if let Some(n) = &page.next { div class="app-pagination__next" { a class="app-link app-pagination__link" href=(link(n)) rel="next" { "Next" span class="app-visually-hidden" { " page" } } } }
            }
        }
    }
}

/// Page-numbered pagination. A total counted only as far as its bound ("more than")
/// gives "Page 3 of more than 40", with a Next link.
pub fn pagination(base: &str, page: i64, per_page: i64, total: impl Into<assure_storage::keyset::Total>) -> Markup {
    let total = total.into();
    let per_page = per_page.max(1);
    let pages = ((total.counted() + per_page - 1) / per_page).max(1);
    let more = !total.is_exact();
    let sep = if base.contains('?') { "&" } else { "?" };
    html! {
        @if pages > 1 || more {
            nav class="app-pagination" role="navigation" aria-label="Results pages" {
                @if page > 1 { div class="app-pagination__prev" { a class="app-link app-pagination__link" href={ (base) (sep) "page=" (page - 1) } rel="prev" { "Previous" span class="app-visually-hidden" { " page" } } } }
                p class="app-body-s" { "Page " (page) " of " @if more { "more than " } (pages) }
                @if page < pages || more { div class="app-pagination__next" { a class="app-link app-pagination__link" href={ (base) (sep) "page=" (page + 1) } rel="next" { "Next" span class="app-visually-hidden" { " page" } } } }
            }
        }
    }
}

/// The GOV.UK date input: a fieldset with day, month and year boxes named `{name}-day`,
/// `{name}-month` and `{name}-year` (read by [`crate::forms::read_date_parts`]); the day
/// box carries the field's id (`{prefix}-{name}` when a page has several forms) so the
/// error summary can link to it.
pub fn date_parts(name: &str, prefix: &str, legend: &str, hint: &str, f: &crate::forms::Fields, errors: &Invalid) -> Markup {
    let id = if prefix.is_empty() { name.to_string() } else { format!("{prefix}-{name}") };
    let err = errors.for_field(name);
    let hint_id = format!("{id}-hint");
    let described = if err.is_some() { format!("{hint_id} {id}-error") } else { hint_id.clone() };
    let input_class = |extra: &str| format!("app-input app-date-input__input {extra}{}", if err.is_some() { " app-input--error" } else { "" });
    let part = |p: &str| f.get(&format!("{name}-{p}")).to_string();
    html! {
        div class={ "app-form-group" @if err.is_some() { " app-form-group--error" } } {
            fieldset class="app-fieldset" role="group" aria-describedby=(described) {
                legend class="app-fieldset__legend app-fieldset__legend--s" { (legend) }
                div class="app-hint" id=(hint_id) { (hint) }
                @if let Some(m) = err {
                    p class="app-error-message" id={ (id) "-error" } { span class="app-visually-hidden" { "Error: " } (m) }
                }
                div class="app-date-input" {
                    div class="app-date-input__item" {
                        label class="app-label app-date-input__label" for=(id) { "Day" }
                        input class=(input_class("app-input--width-2")) id=(id) name={ (name) "-day" } type="text" inputmode="numeric" value=(part("day"));
                    }
                    div class="app-date-input__item" {
                        label class="app-label app-date-input__label" for={ (id) "-month" } { "Month" }
                        input class=(input_class("app-input--width-2")) id={ (id) "-month" } name={ (name) "-month" } type="text" inputmode="numeric" value=(part("month"));
                    }
                    div class="app-date-input__item" {
                        label class="app-label app-date-input__label" for={ (id) "-year" } { "Year" }
                        input class=(input_class("app-input--width-4")) id={ (id) "-year" } name={ (name) "-year" } type="text" inputmode="numeric" value=(part("year"));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn pages_counted_past_their_bound_say_more_than_and_go_on() {
        use assure_storage::keyset::Total;
        let whole = super::pagination("/children", 40, 25, 1000).into_string();
        assert!(whole.contains("Page 40 of 40") && !whole.contains("rel=\"next\""), "{whole}");
        let more = super::pagination("/children", 40, 25, Total::from_bounded(1001, 1000)).into_string();
        assert!(more.contains("Page 40 of more than 40") && more.contains("page=41"), "{more}");
    }

    #[test]
    fn a_value_with_no_words_is_blank() {
        assert!(super::is_blank(""));
        assert!(super::is_blank("<p class=\"app-body app-pre\">\n </p>"));
        assert!(!super::is_blank("<strong class=\"app-tag\">Still missing</strong>"));
        assert!(!super::is_blank("0"));
    }

    #[test]
    fn a_stored_moment_reads_on_the_council_clock() {
        // Summer: a UTC stamp just before midnight is already the next day in London.
        assert_eq!(super::when("2026-07-14T23:30:00Z"), "15 July 2026, 00:30");
        assert_eq!(super::when("2026-07-14T23:30:00.123456"), "15 July 2026, 00:30");
        // Winter: London is on UTC.
        assert_eq!(super::when("2026-01-16T14:05:09+00:00"), "16 January 2026, 14:05");
        // Something that is not a moment is shown as it was stored.
        assert_eq!(super::when("not recorded"), "not recorded");
    }
}
