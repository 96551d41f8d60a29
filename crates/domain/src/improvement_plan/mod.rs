//! Improvement plans, statements of action and strategies (seed 004, DOMAIN.md §4), and
//! their **lineage**: a plan is re-drafted as a new version, each action in it says which
//! action(s) of the version before it replaces, splits or merges (or that it is new), and
//! each action of the old version not carried forward says why it was dropped. The
//! regulator's "not specific, measurable, relevant or timely" re-draft left members
//! unable to cross-reference the two versions (`004:505`); [`cross_reference`] is that
//! view, made from the lineage that [`check_lineage`] has checked.
//!
//! Refs follow the plan's own pattern (`1.1.7` in the improvement plan, `A2.1.7` in the
//! statement of action): [`check_ref`].

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::validation::Invalid;

mod sheet;

pub use sheet::{read_sheet, sheet_headings, ActionDraft, AreaDraft, Due, ObjectiveDraft, PlanDraft};

slug_enum!(
    /// What a plan is.
    PlanKind {
        ImprovementPlan => ("improvement-plan", "Improvement plan"),
        StatementOfAction => ("statement-of-action", "Statement of action"),
        Strategy => ("strategy", "Strategy"),
    }
);

slug_enum!(
    /// How an action of a new version came from the version before it.
    LineageKind {
        New => ("new", "New"),
        Replaces => ("replaces", "Replaces"),
        SplitFrom => ("split-from", "Split from"),
        MergedFrom => ("merged-from", "Merged from"),
    }
);

/// A plan action's ref: letters, then numbers separated by dots ("1.1.7", "A2.1.7"),
/// at most 20 characters.
pub fn check_ref(r: &str) -> Result<String, String> {
    let r = r.trim();
    let letters = r.chars().take_while(|c| c.is_ascii_alphabetic()).count();
    let numbers = &r[letters..];
    let ok =
        !numbers.is_empty() && letters <= 3 && r.len() <= 20 && numbers.split('.').all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
    if ok {
        Ok(r.to_string())
    } else {
        Err(format!("\"{r}\" is not a ref: use numbers separated by dots, such as 1.1.7, with up to three letters before them, such as A2.1.7"))
    }
}

/// A ref's sort key: its letters, then its numbers as numbers ("1.1.10" after "1.1.9",
/// "1" before "1.1").
pub fn ref_key(r: &str) -> (String, Vec<u64>) {
    let letters: String = r.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
    let numbers = r[letters.len()..].split('.').map(|p| p.parse().unwrap_or(u64::MAX)).collect();
    (letters, numbers)
}

/// Where an action of the new version came from, as entered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    /// The new action's ref.
    pub action: String,
    pub kind: LineageKind,
    /// The refs of the old version's actions it came from (none for a new action).
    pub from: Vec<String>,
}

/// An action of the old version not carried forward, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dropped {
    pub action: String,
    pub reason: String,
}

/// Check a new version's lineage against the old version's refs and its own: every new
/// action has one origin; a new action comes from nothing, a replacement from exactly
/// one old action, a split from one old action that is split into two or more, a merge
/// from two or more; every ref named is an action of the old version of **this** plan;
/// and every old action is either carried forward or dropped with a reason, not both.
/// All problems come back together, each against the action it is about.
pub fn check_lineage(old: &[String], new: &[String], origins: &[Origin], dropped: &[Dropped]) -> Result<(), Invalid> {
    let mut v = Invalid::new();
    let old_set: BTreeSet<&str> = old.iter().map(String::as_str).collect();
    let new_set: BTreeSet<&str> = new.iter().map(String::as_str).collect();
    let mut seen = BTreeSet::new();
    for o in origins {
        let field = format!("lineage-{}", o.action);
        if !new_set.contains(o.action.as_str()) {
            v.add(&field, format!("Action {} is not in the new version", o.action));
            continue;
        }
        if !seen.insert(o.action.as_str()) {
            v.add(&field, format!("Action {} is given where it came from twice: give it once", o.action));
            continue;
        }
        let unknown: Vec<&str> = o.from.iter().map(String::as_str).filter(|r| !old_set.contains(r)).collect();
        if !unknown.is_empty() {
            v.add(
                &field,
                format!("Action {} names {} which the version before has not got: choose from this plan's own actions", o.action, unknown.join(", ")),
            );
            continue;
        }
        let n = o.from.iter().collect::<BTreeSet<_>>().len();
        match o.kind {
            LineageKind::New if n > 0 => v.add(&field, format!("Action {} is new, so it comes from no earlier action", o.action)),
            LineageKind::Replaces if n != 1 => {
                v.add(&field, format!("Action {} replaces one earlier action: name it (to combine several, choose Merged from)", o.action))
            }
            LineageKind::SplitFrom if n != 1 => v.add(&field, format!("Action {} is split from one earlier action: name it", o.action)),
            LineageKind::MergedFrom if n < 2 => {
                v.add(&field, format!("Action {} merges two or more earlier actions: name them (for one, choose Replaces)", o.action))
            }
            _ => {}
        }
    }
    for a in new {
        if !seen.contains(a.as_str()) {
            v.add(&format!("lineage-{a}"), format!("Say where action {a} came from, or that it is new"));
        }
    }
    // A split names an action split into two or more.
    let mut splits: BTreeMap<&str, usize> = BTreeMap::new();
    for o in origins.iter().filter(|o| o.kind == LineageKind::SplitFrom) {
        for f in &o.from {
            *splits.entry(f.as_str()).or_default() += 1;
        }
    }
    for from in splits.iter().filter(|(_, n)| **n < 2).map(|(f, _)| f) {
        v.add(&format!("lineage-{from}"), format!("Action {from} is split into one action only: choose Replaces, or add the other part"));
    }
    let carried: BTreeSet<&str> = origins.iter().flat_map(|o| o.from.iter().map(String::as_str)).collect();
    let mut dropped_seen = BTreeSet::new();
    for d in dropped {
        let field = format!("dropped-{}", d.action);
        if !old_set.contains(d.action.as_str()) {
            v.add(&field, format!("Action {} is not in the version before", d.action));
        } else if carried.contains(d.action.as_str()) {
            v.add(&field, format!("Action {} is carried forward, so it cannot be dropped too", d.action));
        } else if d.reason.trim().is_empty() {
            v.add(&field, format!("Say why action {} was dropped", d.action));
        }
        dropped_seen.insert(d.action.as_str());
    }
    for a in old {
        if !carried.contains(a.as_str()) && !dropped_seen.contains(a.as_str()) {
            v.add(&format!("dropped-{a}"), format!("Action {a} of the version before is neither carried forward nor dropped: say which, and why"));
        }
    }
    v.finish()
}

/// The lineage recorded when one version was re-drafted into the next.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Step {
    pub origins: Vec<Origin>,
    pub dropped: Vec<Dropped>,
}

/// The lineage between two versions that are not next to each other, from the steps
/// recorded between them (oldest first) over the earlier version's refs: each action of
/// the later version traced back to the earlier actions it descends from (none: new;
/// several: merged; one that has other descendants too: split; otherwise replaces), and
/// each earlier action with no descendant left dropped, with the reason given when its
/// last descendant was dropped.
pub fn compose(old: &[String], steps: &[Step]) -> (Vec<Origin>, Vec<Dropped>) {
    let mut ancestors: BTreeMap<String, BTreeSet<String>> = old.iter().map(|r| (r.clone(), BTreeSet::from([r.clone()]))).collect();
    let mut reasons: BTreeMap<String, String> = BTreeMap::new();
    for step in steps {
        for d in &step.dropped {
            for a in ancestors.get(&d.action).into_iter().flatten() {
                reasons.insert(a.clone(), d.reason.clone());
            }
        }
        ancestors = step
            .origins
            .iter()
            .map(|o| (o.action.clone(), o.from.iter().flat_map(|f| ancestors.get(f).cloned().unwrap_or_default()).collect()))
            .collect();
    }
    let mut descendants: BTreeMap<&str, usize> = BTreeMap::new();
    for a in ancestors.values().flatten() {
        *descendants.entry(a.as_str()).or_default() += 1;
    }
    let mut origins = Vec::new();
    // In the later version's own order (the last step's).
    let order: Vec<&String> = steps.last().map(|s| s.origins.iter().map(|o| &o.action).collect()).unwrap_or_else(|| old.iter().collect());
    for action in order {
        let from: Vec<String> = ancestors.get(action).map(|s| s.iter().cloned().collect()).unwrap_or_default();
        let kind = match from.len() {
            0 => LineageKind::New,
            1 if descendants.get(from[0].as_str()).copied().unwrap_or(0) > 1 => LineageKind::SplitFrom,
            1 => LineageKind::Replaces,
            _ => LineageKind::MergedFrom,
        };
        origins.push(Origin { action: action.clone(), kind, from });
    }
    let dropped = old
        .iter()
        .filter(|r| !descendants.contains_key(r.as_str()))
        .map(|r| Dropped { action: r.clone(), reason: reasons.get(r).cloned().unwrap_or_else(|| "Not carried forward".into()) })
        .collect();
    (origins, dropped)
}

/// An action as the cross-reference shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionText {
    pub r#ref: String,
    pub text: String,
}

/// One row of the side-by-side cross-reference of two versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrossRow {
    /// The old version's action(s) (none for a new action).
    pub old: Vec<ActionText>,
    pub kind: Option<LineageKind>,
    /// The new version's action (none for a dropped one).
    pub new: Option<ActionText>,
    /// Why an old action was dropped.
    pub reason: String,
}

impl CrossRow {
    /// "Replaces", "Split from", "Merged from", "New", or "Dropped".
    pub fn label(&self) -> &'static str {
        self.kind.map_or("Dropped", |k| k.label())
    }

    /// What became of the earlier action(s), read from the earlier version's side, as
    /// the cross-reference's middle column says it: "Replaced by", "Split into",
    /// "Merged into", "New" (nothing before it) or "Dropped".
    pub fn became(&self) -> &'static str {
        match self.kind {
            None => "Dropped",
            Some(LineageKind::New) => "New",
            Some(LineageKind::Replaces) => "Replaced by",
            Some(LineageKind::SplitFrom) => "Split into",
            Some(LineageKind::MergedFrom) => "Merged into",
        }
    }
}

/// The side-by-side view of two versions, in the old version's order: each old action
/// beside what became of it (the new action(s) it went to, or why it was dropped), then
/// the new version's new actions in its own order. An action merged from several old
/// ones shows once, at the first of them, with all of them beside it.
pub fn cross_reference(old: &[ActionText], new: &[ActionText], origins: &[Origin], dropped: &[Dropped]) -> Vec<CrossRow> {
    let text_of = |list: &[ActionText], r: &str| list.iter().find(|a| a.r#ref == r).cloned();
    let mut rows = Vec::new();
    let mut shown = BTreeSet::new();
    for a in old {
        for o in origins.iter().filter(|o| o.from.contains(&a.r#ref)) {
            if !shown.insert(o.action.clone()) {
                continue;
            }
            rows.push(CrossRow {
                old: o.from.iter().filter_map(|f| text_of(old, f)).collect(),
                kind: Some(o.kind),
                new: text_of(new, &o.action),
                reason: String::new(),
            });
        }
        if let Some(d) = dropped.iter().find(|d| d.action == a.r#ref) {
            rows.push(CrossRow { old: vec![a.clone()], kind: None, new: None, reason: d.reason.clone() });
        }
    }
    for a in new {
        if shown.contains(&a.r#ref) {
            continue;
        }
        if origins.iter().any(|o| o.action == a.r#ref && o.kind == LineageKind::New) {
            rows.push(CrossRow { old: vec![], kind: Some(LineageKind::New), new: Some(a.clone()), reason: String::new() });
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(r: &[&str]) -> Vec<String> {
        r.iter().map(|s| s.to_string()).collect()
    }

    fn origin(action: &str, kind: LineageKind, from: &[&str]) -> Origin {
        Origin { action: action.into(), kind, from: refs(from) }
    }

    fn act(r: &str, text: &str) -> ActionText {
        ActionText { r#ref: r.into(), text: text.into() }
    }

    #[test]
    fn refs_follow_the_plans_own_patterns() {
        for ok in ["1.1.7", "A2.1.7", "12", "SOA3.2"] {
            assert_eq!(check_ref(ok).unwrap(), ok);
        }
        for bad in ["", "1..2", "1.1.", "A", "ABCD1.1", "1.a", "1 .2"] {
            assert!(check_ref(bad).is_err(), "{bad}");
        }
    }

    /// The statement of action re-drafted: A2.1.1 carried forward as A2.1.1, A2.1.2
    /// split into two, A2.1.3 and A2.1.4 merged, A2.1.5 dropped, and one new action.
    fn redraft() -> (Vec<String>, Vec<String>, Vec<Origin>, Vec<Dropped>) {
        use LineageKind::*;
        let old = refs(&["A2.1.1", "A2.1.2", "A2.1.3", "A2.1.4", "A2.1.5"]);
        let new = refs(&["A2.1.1", "A2.1.2a", "A2.1.2b", "A2.1.3", "A2.1.6"]);
        let origins = vec![
            origin("A2.1.1", Replaces, &["A2.1.1"]),
            origin("A2.1.2a", SplitFrom, &["A2.1.2"]),
            origin("A2.1.2b", SplitFrom, &["A2.1.2"]),
            origin("A2.1.3", MergedFrom, &["A2.1.3", "A2.1.4"]),
            origin("A2.1.6", New, &[]),
        ];
        let dropped = vec![Dropped { action: "A2.1.5".into(), reason: "Done: the protocol was issued in March".into() }];
        (old, new, origins, dropped)
    }

    #[test]
    fn every_kind_of_lineage_is_accepted_and_cross_referenced() {
        let (old, new, origins, dropped) = redraft();
        // ("A2.1.2a" is not a ref of the pattern, but lineage does not care what refs look like.)
        check_lineage(&old, &new, &origins, &dropped).unwrap();
        let old_text: Vec<ActionText> = old.iter().map(|r| act(r, &format!("old {r}"))).collect();
        let new_text: Vec<ActionText> = new.iter().map(|r| act(r, &format!("new {r}"))).collect();
        let rows = cross_reference(&old_text, &new_text, &origins, &dropped);
        let shown: Vec<(Vec<&str>, &str, Option<&str>)> =
            rows.iter().map(|r| (r.old.iter().map(|a| a.r#ref.as_str()).collect(), r.label(), r.new.as_ref().map(|a| a.r#ref.as_str()))).collect();
        assert_eq!(
            shown,
            vec![
                (vec!["A2.1.1"], "Replaces", Some("A2.1.1")),
                (vec!["A2.1.2"], "Split from", Some("A2.1.2a")),
                (vec!["A2.1.2"], "Split from", Some("A2.1.2b")),
                (vec!["A2.1.3", "A2.1.4"], "Merged from", Some("A2.1.3")),
                (vec!["A2.1.5"], "Dropped", None),
                (vec![], "New", Some("A2.1.6")),
            ]
        );
        assert_eq!(rows[4].reason, "Done: the protocol was issued in March");
        assert_eq!(rows[3].new.as_ref().unwrap().text, "new A2.1.3");
    }

    #[test]
    fn lineage_that_does_not_hold_is_refused_against_the_action() {
        use LineageKind::*;
        let (old, new, origins, dropped) = redraft();
        let fields = |origins: &[Origin], dropped: &[Dropped]| -> Vec<String> {
            check_lineage(&old, &new, origins, dropped).map_or_else(|e| e.errors.iter().map(|f| f.field.clone()).collect(), |_| vec![])
        };
        let with = |i: usize, o: Origin| {
            let mut v = origins.clone();
            v[i] = o;
            v
        };
        // Pointing at an action of another plan (not in the old version).
        assert_eq!(fields(&with(0, origin("A2.1.1", Replaces, &["1.1.7"])), &dropped), vec!["lineage-A2.1.1", "dropped-A2.1.1"]);
        // New but from something; replacing two; merging one.
        assert_eq!(fields(&with(4, origin("A2.1.6", New, &["A2.1.5"])), &dropped), vec!["lineage-A2.1.6", "dropped-A2.1.5"]);
        assert_eq!(fields(&with(0, origin("A2.1.1", Replaces, &["A2.1.1", "A2.1.5"])), &dropped), vec!["lineage-A2.1.1", "dropped-A2.1.5"]);
        assert_eq!(fields(&with(3, origin("A2.1.3", MergedFrom, &["A2.1.3"])), &dropped), vec!["lineage-A2.1.3", "dropped-A2.1.4"]);
        // A split into one part only.
        assert_eq!(fields(&with(2, origin("A2.1.2b", New, &[])), &dropped), vec!["lineage-A2.1.2"]);
        // An old action forgotten; dropped without a reason; dropped and carried.
        assert_eq!(fields(&origins, &[]), vec!["dropped-A2.1.5"]);
        assert_eq!(fields(&origins, &[Dropped { action: "A2.1.5".into(), reason: " ".into() }]), vec!["dropped-A2.1.5"]);
        let both = [dropped[0].clone(), Dropped { action: "A2.1.1".into(), reason: "x".into() }];
        assert_eq!(fields(&origins, &both), vec!["dropped-A2.1.1"]);
        // A new action with no origin.
        assert_eq!(fields(&origins[..4], &dropped), vec!["lineage-A2.1.6"]);
    }
    #[test]
    fn lineage_over_several_re_drafts_composes_into_one_cross_reference() {
        let o = |a: &str, kind, from: &[&str]| Origin { action: a.into(), kind, from: from.iter().map(|s| s.to_string()).collect() };
        let old: Vec<String> = ["1", "2", "3", "4"].iter().map(|s| s.to_string()).collect();
        let steps = [
            Step {
                origins: vec![
                    o("1", LineageKind::Replaces, &["1"]),
                    o("2a", LineageKind::SplitFrom, &["2"]),
                    o("2b", LineageKind::SplitFrom, &["2"]),
                    o("3", LineageKind::Replaces, &["3"]),
                    o("4", LineageKind::Replaces, &["4"]),
                ],
                dropped: vec![],
            },
            Step {
                origins: vec![
                    o("1", LineageKind::Replaces, &["1"]),
                    o("2a", LineageKind::Replaces, &["2a"]),
                    o("2b", LineageKind::Replaces, &["2b"]),
                    o("34", LineageKind::MergedFrom, &["3", "4"]),
                    o("5", LineageKind::New, &[]),
                ],
                dropped: vec![],
            },
        ];
        let (origins, dropped) = compose(&old, &steps);
        assert_eq!(
            origins.iter().map(|x| (x.action.as_str(), x.kind)).collect::<Vec<_>>(),
            [
                ("1", LineageKind::Replaces),
                ("2a", LineageKind::SplitFrom),
                ("2b", LineageKind::SplitFrom),
                ("34", LineageKind::MergedFrom),
                ("5", LineageKind::New)
            ]
        );
        assert!(dropped.is_empty());
        let third =
            Step { origins: vec![o("1", LineageKind::Replaces, &["1"])], dropped: vec![Dropped { action: "34".into(), reason: "Done".into() }] };
        let (_, dropped) = compose(
            &old,
            &[
                steps[0].clone(),
                steps[1].clone(),
                Step {
                    dropped: vec![
                        Dropped { action: "2a".into(), reason: "x".into() },
                        Dropped { action: "2b".into(), reason: "Moved to the CSE strategy".into() },
                        Dropped { action: "34".into(), reason: "Done".into() },
                        Dropped { action: "5".into(), reason: "y".into() },
                    ],
                    ..third
                },
            ],
        );
        assert_eq!(
            dropped,
            vec![
                Dropped { action: "2".into(), reason: "Moved to the CSE strategy".into() },
                Dropped { action: "3".into(), reason: "Done".into() },
                Dropped { action: "4".into(), reason: "Done".into() }
            ]
        );
    }
}
