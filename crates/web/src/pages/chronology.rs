//! A child's chronology (issue 21): every dated event of the record the viewer may see,
//! in one list, filtered with a GET form that works without JavaScript and read a page
//! at a time; significant events marked with a note (each version kept); the CSE 2
//! risk over time as a chart with its figures as a table; and the chronology as a Word
//! document for a conference, cut to the viewer's sections and watermarked.

use assure_documents::docx::{self, Part};
use assure_domain::chronology::{self, Entry, EntryKey, EntryKind, Filter, Order};
use assure_domain::partnership::Section;
use assure_domain::screening::RiskLevel;
use assure_domain::Invalid;
use assure_storage::ChildRecord;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use maud::{html, Markup};

use super::id;
use crate::auth::Caller;
use crate::error::{AppError, PageResult};
use crate::forms::{done, Fields};
use crate::ui::{self, Ctx, Field};
use crate::{policy, AppState};

pub const PER_PAGE: usize = 50;

/// An entry's moment as a person reads it (London time; the date alone when only the
/// date is held).
pub fn shown_at(e: &Entry) -> String {
    if e.date_only {
        e.at.format("%-d %B %Y").to_string()
    } else {
        e.at.format("%-d %B %Y, %H:%M").to_string()
    }
}

/// The filter a query string asks for, or the problems with it (a date that cannot be
/// read, a period that ends before it starts, an unknown kind).
pub fn read_filter(f: &Fields) -> (Filter, Invalid) {
    let mut errors = Invalid::new();
    let mut filter = Filter::default();
    for (k, v) in &f.0 {
        if k == "kind" && !v.is_empty() {
            match EntryKind::from_slug(v) {
                Some(kind) => filter.kinds.push(kind),
                None => errors.add("kind", "Choose the kinds of event from the list"),
            }
        }
    }
    let agency = f.get("agency").trim();
    if !agency.is_empty() {
        match agency.parse() {
            Ok(a) => filter.agency_id = Some(a),
            Err(_) => errors.add("agency", "Choose an agency from the list"),
        }
    }
    for (name, what) in [("from", "The start of the period"), ("to", "The end of the period")] {
        let raw = f.get(name).trim();
        if raw.is_empty() {
            continue;
        }
        match f.date(name) {
            Some(d) if name == "from" => filter.from = Some(d),
            Some(d) => filter.to = Some(d),
            None => errors.add(name, format!("{what} must be a real date, for example 16/01/2026")),
        }
    }
    if let Some(p) = filter.problem() {
        errors.add("to", p);
    }
    filter.significant_only = matches!(f.get("significant"), "1" | "yes" | "true");
    filter.order = Order::from_slug(f.get("order")).unwrap_or_default();
    (filter, errors)
}

/// The query string that asks for this filter again (for pages and the download).
fn query_of(filter: &Filter) -> String {
    let mut q: Vec<String> = filter.kinds.iter().map(|k| format!("kind={}", k.slug())).collect();
    if let Some(a) = filter.agency_id {
        q.push(format!("agency={a}"));
    }
    if let Some(d) = filter.from {
        q.push(format!("from={}", d.format("%d/%m/%Y")));
    }
    if let Some(d) = filter.to {
        q.push(format!("to={}", d.format("%d/%m/%Y")));
    }
    if filter.significant_only {
        q.push("significant=1".into());
    }
    q.push(format!("order={}", filter.order.slug()));
    q.join("&")
}

fn th(label: &str) -> Markup {
    html! { th class="app-table__header" scope="col" { (label) } }
}

pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    caller: Caller,
    Path(raw): Path<String>,
    Query(q): Query<Vec<(String, String)>>,
) -> PageResult {
    let cid = id(&raw)?;
    let f = Fields(q);
    let record = policy::child(&state, &caller, cid, Section::Identity).await?;
    if !f.get("mark").is_empty() {
        let key = key_of(f.get("mark"))?;
        return mark_with(&ctx, &record, key, &Fields::default(), &Invalid::new(), StatusCode::OK).await;
    }
    let all = record.chronology().await?;
    let (filter, errors) = read_filter(&f);
    let agencies: Vec<(String, String)> = {
        let mut a: Vec<(i64, String)> = all.iter().filter_map(|e| e.agency_id.map(|id| (id, e.agency.clone()))).collect();
        a.sort_by(|x, y| x.1.cmp(&y.1));
        a.dedup();
        a.into_iter().map(|(id, n)| (id.to_string(), n)).collect()
    };
    let total_all = all.len();
    let shown = if errors.is_empty() { chronology::apply(all.clone(), &filter) } else { vec![] };
    let pages = shown.len().div_ceil(PER_PAGE).max(1);
    let page_no = f.get("page").parse::<usize>().unwrap_or(1).clamp(1, pages);
    let rows = chronology::page(&shown, page_no, PER_PAGE);
    let base = format!("/children/{cid}/chronology?{}", query_of(&filter));
    let kinds: Vec<(String, String)> =
        EntryKind::ALL.iter().filter(|k| all.iter().any(|e| e.kind == **k)).map(|k| (k.slug().into(), k.label().into())).collect();
    let chosen: Vec<String> = filter.kinds.iter().map(|k| k.slug().to_string()).collect();
    let screenings: Vec<&Entry> = all.iter().filter(|e| e.facts.risk_level.is_some()).collect();
    let child = record.child();
    let orders: Vec<(String, String)> = vec![("newest-first".into(), "Newest first".into()), ("oldest-first".into(), "Oldest first".into())];
    let only: Vec<(String, String)> = vec![("1".into(), "Significant events only".into())];
    let only_chosen: Vec<String> = if filter.significant_only { vec!["1".into()] } else { vec![] };
    let child_href = format!("/children/{cid}");
    let child_name = child.name();
    let content = html! {
        (ui::breadcrumbs(&[("/children", "Children"), (child_href.as_str(), child_name.as_str())]))
        (ui::error_summary(&errors))
        span class="app-caption-l" { (child.name()) }
        h1 class="app-heading-l" { "Chronology" }
        p class="app-body" { "Every dated event of this child's record that you may see, from every part of Assure, built from the records themselves. Each entry links to its record." }
        form method="get" action={ "/children/" (cid) "/chronology" } novalidate {
            details class="app-details" open[!filter.kinds.is_empty() || filter.agency_id.is_some() || filter.from.is_some() || filter.to.is_some() || !errors.is_empty()] {
                summary class="app-details__summary" { span class="app-details__summary-text" { "Filter by kind, agency and period" } }
                div class="app-details__text" {
                    (ui::checkboxes("kind", "Kinds of event", Some("Leave all unticked to see every kind"), &kinds, &chosen, &errors))
                    (ui::select(Field::new("agency", "Agency", f.get("agency"), &errors), &ui::options_with_blank("Any agency", agencies.clone())))
                    (ui::date_text_input(Field::new("from", "From", f.get("from"), &errors)))
                    (ui::date_text_input(Field::new("to", "To", f.get("to"), &errors)))
                }
            }
            (ui::radios(Field::new("order", "Order", filter.order.slug(), &errors), &orders, true))
            (ui::checkboxes("significant", "Significant events", None, &only, &only_chosen, &errors))
            (ui::button("Show events"))
        }
        p class="app-body" data-testid="chronology-count" { "Showing " (shown.len()) " of " (total_all) " events." }
        p class="app-body" {
            a class="app-link" href={ "/children/" (cid) "/chronology/download?" (query_of(&filter)) } { "Download these events as a Word document" }
            " (for a case conference or a review; recorded as an export of the record)"
        }
        @if rows.is_empty() {
            p class="app-body" { "No events match." }
        } @else {
            (ui::scroll_table("The child's chronology", html! {
                table class="app-table" {
                    caption class="app-visually-hidden" { "The child's chronology" }
                    thead class="app-table__head" { tr class="app-table__row" { (th("When")) (th("What happened")) (th("Agency")) (th("Significant")) } }
                    tbody class="app-table__body" {
                        @for e in rows {
                            tr class="app-table__row" data-kind=(e.kind.slug()) {
                                td class="app-table__cell" { (shown_at(e)) }
                                td class="app-table__cell" {
                                    strong { (e.kind.label()) } br;
                                    a class="app-link" href=(e.link) { (e.summary) }
                                }
                                td class="app-table__cell" { (e.agency) }
                                td class="app-table__cell" {
                                    @if let Some(s) = e.significance.as_ref().filter(|s| s.significant) {
                                        strong class="app-tag app-tag--red" { "Significant" } " " (s.note) br;
                                    }
                                    a class="app-link" href={ "/children/" (cid) "/chronology?mark=" (entry_param(e.key())) } {
                                        @if e.is_significant() { "Change" } @else { "Mark significant" }
                                        span class="app-visually-hidden" { ": " (e.kind.label()) ", " (shown_at(e)) }
                                    }
                                }
                            }
                        }
                    }
                }
            }))
            (ui::pagination(&base, page_no as i64, PER_PAGE as i64, shown.len() as i64))
        }
        @if !screenings.is_empty() || all.iter().any(|e| e.kind == EntryKind::MissingEpisode) {
            h2 class="app-heading-m" id="risk" { "Risk over time" }
            (risk_chart(&all))
        }
    };
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::BAD_REQUEST };
    Ok((status, ui::layout(&ctx, &format!("Chronology: {}", child.name()), !errors.is_empty(), content)).into_response())
}

fn level_y(l: RiskLevel) -> i64 {
    let i = RiskLevel::ALL.iter().position(|x| *x == l).unwrap_or(0) as i64;
    170 - i * 50
}

/// The chart's plotting area, left to right (labels to the left of it).
const PLOT_FROM: f64 = 200.0;
const PLOT_TO: f64 = 600.0;
/// Height of one row of marks (a category, or the missing episodes).
const ROW: i64 = 20;

/// The CSE 2 screening levels over time as an SVG line (points on each screening), the
/// indicator categories each screening answered yes to as a row of marks per category,
/// the missing episodes as marks on the same time line, and the figures as a table.
pub fn risk_chart(all: &[Entry]) -> Markup {
    let screenings: Vec<&Entry> = all.iter().filter(|e| e.facts.risk_level.is_some()).collect();
    let missing: Vec<&Entry> = all.iter().filter(|e| e.kind == EntryKind::MissingEpisode).collect();
    let times: Vec<chrono::NaiveDateTime> = screenings.iter().chain(missing.iter()).map(|e| e.at).collect();
    let (Some(first), Some(last)) = (times.iter().min(), times.iter().max()) else { return html! {} };
    // The categories in the order they first appear (the tool's order within a screening).
    let mut categories: Vec<&str> = Vec::new();
    for e in all.iter().filter(|e| e.facts.risk_level.is_some()) {
        for c in &e.facts.categories {
            if !categories.contains(&c.as_str()) {
                categories.push(c);
            }
        }
    }
    let span = (*last - *first).num_minutes().max(1) as f64;
    let x = |t: chrono::NaiveDateTime| PLOT_FROM + 10.0 + ((t - *first).num_minutes() as f64 / span) * (PLOT_TO - PLOT_FROM - 10.0);
    let points: Vec<String> =
        screenings.iter().map(|e| format!("{:.1},{}", x(e.at), level_y(e.facts.risk_level.unwrap_or(RiskLevel::NoApparentRisk)))).collect();
    let category_top = 200;
    let missing_y = category_top + ROW * categories.len() as i64 + 5;
    let height = missing_y + ROW + 20;
    let desc = format!(
        "{} screenings from {} to {}; {} missing episodes. The figures are in the table below.",
        screenings.len(),
        first.format("%-d %B %Y"),
        last.format("%-d %B %Y"),
        missing.len()
    );
    html! {
        figure class="app-chart" {
            svg xmlns="http://www.w3.org/2000/svg" viewBox={ "0 0 620 " (height) } width="100%" role="img" aria-labelledby="risk-title risk-desc" style="max-width: 620px" {
                title id="risk-title" { "CSE 2 screening level, indicator categories and missing episodes over time" }
                desc id="risk-desc" { (desc) }
                @for l in RiskLevel::ALL {
                    line x1=(PLOT_FROM - 5.0) x2=(PLOT_TO) y1=(level_y(*l)) y2=(level_y(*l)) stroke="#b1b4b6" stroke-width="1" {}
                    text x=(PLOT_FROM - 10.0) y=(level_y(*l) + 4) text-anchor="end" font-size="11" fill="#0b0c0c" { (l.label()) }
                }
                @if points.len() > 1 {
                    polyline points=(points.join(" ")) fill="none" stroke="#1d70b8" stroke-width="3" {}
                }
                @for e in &screenings {
                    circle cx=(format!("{:.1}", x(e.at))) cy=(level_y(e.facts.risk_level.unwrap_or(RiskLevel::NoApparentRisk))) r="5" fill="#1d70b8" {}
                }
                @for (k, c) in categories.iter().enumerate() {
                    @let y = category_top + ROW * k as i64;
                    text x=(PLOT_FROM - 10.0) y=(y + 14) text-anchor="end" font-size="11" fill="#0b0c0c" { (c) }
                    line x1=(PLOT_FROM - 5.0) x2=(PLOT_TO) y1=(y + 10) y2=(y + 10) stroke="#f3f2f1" stroke-width="1" {}
                    @for e in screenings.iter().filter(|e| e.facts.categories.iter().any(|x| x == c)) {
                        rect x=(format!("{:.1}", x(e.at) - 4.0)) y=(y + 4) width="8" height="12" fill="#4c2c92" {}
                    }
                }
                text x=(PLOT_FROM - 10.0) y=(missing_y + 14) text-anchor="end" font-size="11" fill="#0b0c0c" { "Missing" }
                @for e in &missing {
                    rect x=(format!("{:.1}", x(e.at) - 4.0)) y=(missing_y + 4) width="8" height="14" fill="#d4351c" {}
                }
                text x=(PLOT_FROM + 10.0) y=(height - 4) font-size="11" fill="#0b0c0c" { (first.format("%-d %b %Y")) }
                text x=(PLOT_TO) y=(height - 4) text-anchor="end" font-size="11" fill="#0b0c0c" { (last.format("%-d %b %Y")) }
            }
            figcaption class="app-body-s" {
                "Blue: the CSE 2 screening level at each screening. Purple: the indicator categories answered yes at that screening. Red: a missing episode."
            }
        }
        (ui::scroll_table("Screenings and missing episodes, oldest first", html! {
            table class="app-table" {
                caption class="app-table__caption app-table__caption--s" { "Screenings and missing episodes, oldest first" }
                thead class="app-table__head" { tr class="app-table__row" { (th("When")) (th("Event")) (th("CSE 2 level")) (th("Indicator categories answered yes")) } }
                tbody class="app-table__body" {
                    @for e in all.iter().filter(|e| e.facts.risk_level.is_some() || e.kind == EntryKind::MissingEpisode) {
                        tr class="app-table__row" {
                            td class="app-table__cell" { (shown_at(e)) }
                            td class="app-table__cell" { (e.summary) }
                            td class="app-table__cell" { @if let Some(l) = e.facts.risk_level { (l.label()) } }
                            td class="app-table__cell" data-testid="screening-categories" { (e.facts.categories.join(", ")) }
                        }
                    }
                }
            }
        }))
    }
}

/// GET /children/{id}/chronology/download: the entries the filter admits, as a Word
/// document cut to the viewer's sections, watermarked with who exported it and when.
pub async fn download(State(state): State<AppState>, caller: Caller, Path(raw): Path<String>, Query(q): Query<Vec<(String, String)>>) -> PageResult {
    let cid = id(&raw)?;
    let f = Fields(q);
    let (filter, errors) = read_filter(&f);
    if !errors.is_empty() {
        return Err(AppError::BadRequest(errors.errors.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join(". ")));
    }
    let record = policy::child(&state, &caller, cid, Section::Identity).await?;
    let bytes = chronology_docx(&state, &record, &caller, &filter).await?;
    let stem = format!("chronology-{cid}{}", if filter.significant_only { "-significant" } else { "" });
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.wordprocessingml.document".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{stem}.docx\"")),
        ],
        bytes,
    )
        .into_response())
}

async fn chronology_docx(state: &AppState, record: &ChildRecord, caller: &Caller, filter: &Filter) -> Result<Vec<u8>, AppError> {
    let entries = chronology::apply(record.chronology().await?, filter);
    let who = caller.user.name.clone();
    let when = ui::when(&state.store.now());
    let child = record.child();
    let title = format!("Chronology: {}", child.name());
    let marking = format!("OFFICIAL-SENSITIVE – exported by {who}, {when} – not to be shared further");
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|e| {
            vec![
                shown_at(e),
                e.kind.label().to_string(),
                e.summary.clone(),
                e.agency.clone(),
                e.significance.as_ref().filter(|s| s.significant).map(|s| s.note.clone()).unwrap_or_default(),
            ]
        })
        .collect();
    let mut parts = vec![
        Part::Text(format!(
            "Exported by {who} on {when}. {} events{}, cut to what {who} may see of this record: it is not the whole record.",
            entries.len(),
            if filter.significant_only { " marked significant" } else { "" }
        )),
        Part::Text(format!("Child {}: {}.", child.id, child.name())),
    ];
    parts.push(Part::Table(["When", "Event", "What happened", "Agency", "Why significant"].iter().map(|s| s.to_string()).collect(), rows));
    let n = entries.len();
    let bytes = tokio::task::spawn_blocking(move || docx::simple(&title, &marking, &parts))
        .await
        .map_err(|e| AppError::Internal(format!("rendering stopped: {e}")))?
        .map_err(|e| AppError::Internal(e.to_string()))?;
    record
        .record_export(&format!("chronology as docx{}, {n} events", if filter.significant_only { " (significant events only)" } else { "" }))
        .await?;
    Ok(bytes)
}

/// An entry named in a form or a link: `{kind}-{record id}` (e.g. `mash-check-12`).
pub fn entry_param(k: EntryKey) -> String {
    format!("{}-{}", k.kind.slug(), k.record_id)
}

fn key_of(raw: &str) -> Result<EntryKey, AppError> {
    let (kind, rid) = raw.trim().rsplit_once('-').ok_or(AppError::NotFound)?;
    Ok(EntryKey { kind: EntryKind::from_slug(kind).ok_or(AppError::NotFound)?, record_id: id(rid)? })
}

async fn mark_with(ctx: &Ctx, record: &ChildRecord, key: EntryKey, f: &Fields, errors: &Invalid, status: StatusCode) -> PageResult {
    let history = record.mark_history(key).await?;
    let entry = record.chronology().await?.into_iter().find(|e| e.key() == key).ok_or(AppError::NotFound)?;
    let cid = record.id();
    let current = history.last();
    let version = if f.get("version").is_empty() { current.map_or(0, |m| m.version).to_string() } else { f.get("version").to_string() };
    let significant = current.is_some_and(|m| m.significant);
    let still: Vec<(String, String)> = vec![("yes".into(), "Yes, change the note".into()), ("no".into(), "No, take the mark off".into())];
    let content = html! {
        (ui::back_link(&format!("/children/{cid}/chronology"), "Back to the chronology"))
        (ui::error_summary(errors))
        span class="app-caption-l" { (record.child().name()) }
        h1 class="app-heading-l" { @if significant { "Change the significant-event note" } @else { "Mark as a significant event" } }
        dl class="app-summary-list" {
            (ui::summary_row("When", html! { (shown_at(&entry)) }))
            (ui::summary_row("Event", html! { (entry.kind.label()) }))
            (ui::summary_row("What happened", html! { a class="app-link" href=(entry.link) { (entry.summary) } }))
            (ui::summary_row("Agency", html! { (entry.agency) }))
        }
        form method="post" action={ "/children/" (cid) "/chronology/marks" } novalidate {
            (ui::csrf(ctx.csrf()))
            input type="hidden" name="entry" value=(entry_param(key));
            input type="hidden" name="version" value=(version);
            @if significant {
                (ui::radios(Field::new("significant", "Is this still a significant event?", f.get("significant"), errors), &still, true))
            } @else {
                input type="hidden" name="significant" value="yes";
            }
            (ui::textarea(Field::new("note", "Why is it significant? (a short professional note)", f.get("note"), errors).hint("Who, what and why it matters, in up to 1,000 characters. The note is kept with your name, and every change is kept."), 4))
            (ui::button("Save the note"))
        }
        @if !history.is_empty() {
            (ui::scroll_table("Every version of the note, oldest first", html! {
                table class="app-table" {
                    caption class="app-table__caption app-table__caption--s" { "Every version of the note, oldest first" }
                    thead class="app-table__head" { tr class="app-table__row" { (th("Version")) (th("Significant")) (th("Note")) (th("By")) (th("When")) } }
                    tbody class="app-table__body" {
                        @for m in &history {
                            tr class="app-table__row" {
                                td class="app-table__cell" { (m.version) }
                                td class="app-table__cell" { @if m.significant { "Yes" } @else { "No" } }
                                td class="app-table__cell" { (m.note) }
                                td class="app-table__cell" { (m.marked_by) }
                                td class="app-table__cell" { (ui::when(&m.marked_at)) }
                            }
                        }
                    }
                }
            }))
        }
    };
    Ok((status, ui::layout(ctx, "Significant event", !errors.is_empty(), content)).into_response())
}

pub async fn mark_submit(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let cid = id(&raw)?;
    let key = key_of(f.get("entry"))?;
    let record = policy::child(&state, &caller, cid, Section::Identity).await?;
    let version = f.version()?;
    let significant = f.get("significant") != "no";
    match record.mark_significant(key, version, significant, f.get("note")).await {
        Ok(_) => Ok(done(&format!("/children/{cid}/chronology"), if significant { "chronology-marked" } else { "chronology-unmarked" })),
        Err(assure_storage::StoreError::Invalid(errors)) => mark_with(&ctx, &record, key, &f, &errors, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e.into()),
    }
}

/// On the child's page: the patterns Assure sees (each with the rule and the entries
/// behind it, only when the viewer may see every one of them) and what happens next.
pub fn patterns_and_next(cid: i64, flags: &[chronology::Flag], entries: &[Entry], next: &[assure_storage::chronology::NextStep]) -> Markup {
    html! {
        @for f in flags {
            div class="app-warning-text" data-testid="pattern-flag" {
                span class="app-warning-text__icon" aria-hidden="true" { "!" }
                div class="app-warning-text__text" {
                    span class="app-visually-hidden" { "Warning: " }
                    strong { "Pattern: " (f.description) }
                    ul class="app-list app-list--bullet" {
                        @for k in &f.entries {
                            @if let Some(e) = entries.iter().find(|e| e.key() == *k) {
                                li { (shown_at(e)) ": " a class="app-link" href=(e.link) { (e.summary) } }
                            }
                        }
                    }
                }
            }
        }
        h2 class="app-heading-m" { "What happens next" }
        @if next.is_empty() {
            p class="app-body" data-testid="next-steps" { "Nothing open that you may see." }
        } @else {
            ul class="app-list app-list--spaced" data-testid="next-steps" {
                @for n in next {
                    li {
                        a class="app-link" href=(n.link) { (n.what) }
                        @if let Some(d) = n.due { " – " @if n.overdue { strong class="app-tag app-tag--red" { "Overdue" } " " } (d.format("%-d %B %Y").to_string()) }
                        @if !n.detail.is_empty() { br; span class="app-body-s" { (n.detail) } }
                    }
                }
            }
        }
        p class="app-body" { a class="app-link" href={ "/children/" (cid) "/chronology" } { "See the chronology" } }
    }
}
