//! One name per value: every slugged enum's serde name is its slug, both ways, so the
//! API, the forms, the database and stored JSON all use the same word. The list of
//! enums is checked against the `slug_enum!` declarations in the source, so a new one
//! cannot be left out.

use assure_domain::{
    case_audit, chase, child_protection, chronology, datasets, forward_plan, improvement_plan, marac, meetings, missing, monitoring, panels,
    partnership, placements, plan, quarterly, referral, scorecard, screening, tracker,
};
use serde_json::{json, Value};

macro_rules! checked_enums {
    ($($t:ty),+ $(,)?) => {{
        let mut names = Vec::new();
        $(
            for v in <$t>::ALL {
                let written = serde_json::to_value(v).unwrap();
                assert_eq!(written, json!(v.slug()), "{} {:?}: serde writes the slug", stringify!($t), v);
                let read: $t = serde_json::from_value(Value::from(v.slug())).unwrap();
                assert_eq!(read, *v, "{} {:?}: serde reads the slug", stringify!($t), v);
            }
            names.push(stringify!($t).rsplit("::").next().unwrap().trim().to_string());
        )+
        names
    }};
}

#[test]
fn every_slugged_enum_serialises_as_its_slug() {
    let mut checked = checked_enums!(
        datasets::Source,
        datasets::Counting,
        datasets::PeriodRule,
        datasets::Dimension,
        datasets::Condition,
        datasets::Direction,
        panels::PanelStatus,
        panels::InviteeKind,
        panels::Attendance,
        panels::OperationKind,
        partnership::AgencyKind,
        partnership::InvolvementLevel,
        partnership::Team,
        partnership::PathwayRole,
        partnership::Section,
        partnership::InvolvementKind,
        partnership::LegalStatus,
        screening::Weight,
        screening::RiskLevel,
        missing::MissingFrom,
        missing::RiskGrading,
        missing::InterviewResponse,
        missing::Forum,
        missing::Trigger,
        referral::ReferralSource,
        referral::MashDecision,
        referral::ReferralStatus,
        referral::ConcernReporter,
        marac::MaracStatus,
        marac::CseReviewOutcome,
        monitoring::Period,
        monitoring::UseLevel,
        tracker::BodyKind,
        tracker::ReviewKind,
        tracker::ExecutiveResponse,
        tracker::Lifecycle,
        tracker::Rag,
        placements::Risk,
        placements::EscalationStep,
        plan::ActionStatus,
        chase::ChaseKind,
        child_protection::CpStage,
        child_protection::StrategyDecision,
        child_protection::S47Outcome,
        child_protection::ConferenceOutcome,
        child_protection::Timeliness,
        forward_plan::DecisionMaker,
        forward_plan::ItemStatus,
        meetings::MemberRole,
        meetings::MeetingType,
        meetings::MeetingStatus,
        meetings::Attendance,
        meetings::AgendaKind,
        meetings::ResolutionKind,
        chronology::EntryKind,
        quarterly::QuarterlyKind,
        case_audit::Stratum,
        case_audit::Grade,
        scorecard::Band,
        scorecard::Travel,
        scorecard::ValueSource,
        improvement_plan::PlanKind,
        improvement_plan::Due,
        improvement_plan::LineageKind,
    );
    checked.sort();
    assert_eq!(checked, declared(), "every enum declared with slug_enum! is checked here");
}

/// The names serde wrote before it wrote slugs are still read.
#[test]
fn names_written_before_are_still_read() {
    let legal: partnership::LegalStatus = serde_json::from_value(json!("no-status")).unwrap();
    assert_eq!(legal, partnership::LegalStatus::NoStatus);
    let source: referral::ReferralSource = serde_json::from_value(json!("police-notification")).unwrap();
    assert_eq!(source, referral::ReferralSource::PoliceNotification);
    assert_eq!(serde_json::to_value(partnership::LegalStatus::NoStatus).unwrap(), json!("none"));
    assert_eq!(serde_json::to_value(referral::ReferralSource::PoliceNotification).unwrap(), json!("police-101"));
}

/// The names of the enums declared with `slug_enum!` anywhere in the crate's source.
fn declared() -> Vec<String> {
    let mut names = Vec::new();
    let mut dirs = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for decl in text.split("slug_enum!(").skip(1) {
                    // After the doc comments, the first line is "Name {".
                    let name = decl.lines().map(str::trim).find(|l| !l.is_empty() && !l.starts_with("//") && !l.starts_with("#["));
                    if let Some(name) = name.and_then(|l| l.strip_suffix('{')) {
                        names.push(name.trim().to_string());
                    }
                }
            }
        }
    }
    names.sort();
    names
}
