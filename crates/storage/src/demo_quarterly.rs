//! Demo data for the quarterly reports: the quarter before last closed month by month,
//! its MACSE report to the partnership board signed by both co-chairs (frozen, in full),
//! and its Cabinet report, also signed, whose small figures are suppressed. The last
//! quarter's months are left open, for the analyst to close and report on.

use assure_domain::quarterly::{Quarter, QuarterlyKind};
use chrono::NaiveDate;

use crate::{Actor, Result, Store, StoreError};

async fn actor(store: &Store, email: &str) -> Result<Actor> {
    let (u, _) = store.users().by_email(email).await?.ok_or(StoreError::NotFound)?;
    Ok(Actor { user_id: Some(u.id), label: email.into(), ip: String::new() })
}

fn written(sections: &[(&str, &str)]) -> Vec<(String, String)> {
    sections.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

pub async fn load(store: &Store, today: NaiveDate) -> Result<()> {
    let analyst = actor(store, "cse-analyst@example.org").await?;
    let chairs = [actor(store, "macse-co-chair@example.org").await?, actor(store, "macse-co-chair-2@example.org").await?];
    let quarter = Quarter::of(today).previous().previous();
    for m in quarter.months() {
        if store.datasets().closed(m).await?.is_none() {
            store.datasets().close(&analyst, m).await?;
        }
    }
    let reports = [
        (
            QuarterlyKind::Macse,
            written(&[
                ("summary", "Referrals were steady across the quarter. Every child open to MACSE had a plan reviewed within its date."),
                ("referrals", "Schools and the police made most referrals. Two agencies made none: their SPOCs have been asked why."),
                (
                    "macse",
                    "Police CSE flag coverage of MACSE children is below the 100% target; the police lead is checking each child without a flag.",
                ),
                (
                    "missing",
                    "Return interviews were mostly offered within 72 hours. Placements notified late were escalated to the placing authorities.",
                ),
                (
                    "audit",
                    "The six-monthly case-file audit found plans that did not say who would act by when. Actions are tracked as recommendations.",
                ),
                ("next", "Raise awareness among taxi drivers and hotels; check flags for every MACSE child."),
            ]),
        ),
        (
            QuarterlyKind::Cabinet,
            written(&[
                (
                    "summary",
                    "The number of CSE referrals this quarter is set out below. Small numbers are suppressed so that no child can be identified.",
                ),
                ("referrals", "Referrals came from schools, the police, health and children's homes."),
                ("action", "Each referral was screened by the MASH. Children at high risk were brought to the MACSE panel and have a plan."),
            ]),
        ),
    ];
    for (kind, narrative) in reports {
        let id = store.quarterly().create(&analyst, kind, quarter).await?;
        let r = store.quarterly().get(id).await?;
        store.quarterly().edit(&analyst, id, r.version, &narrative, Some(quarter.last_day() + chrono::Duration::days(21))).await?;
        for chair in &chairs {
            let r = store.quarterly().get(id).await?;
            store.quarterly().sign(chair, id, r.version).await?;
        }
    }
    Ok(())
}
