//! Lead officers as trackers name them: "Name Job title", "Name, Title", "Name (Title)",
//! a title alone, several per cell; and an action's owner.

use super::ImportedLead;

const TITLE_WORDS: [&str; 52] = [
    "head",
    "director",
    "assistant",
    "deputy",
    "chief",
    "executive",
    "manager",
    "officer",
    "lead",
    "cabinet",
    "principal",
    "senior",
    "strategic",
    "interim",
    "acting",
    "service",
    "services",
    "coordinator",
    "co-ordinator",
    "commissioner",
    "chair",
    "chairman",
    "chairperson",
    "vice-chair",
    "portfolio",
    "member",
    "leader",
    "team",
    "superintendent",
    "inspector",
    "detective",
    "designated",
    "safeguarding",
    "corporate",
    "programme",
    "project",
    "policy",
    "partnership",
    "business",
    "operations",
    "quality",
    "performance",
    "scrutiny",
    "democratic",
    "named",
    "consultant",
    "adviser",
    "advisor",
    "analyst",
    "practitioner",
    "specialist",
    "supervisor",
];

fn is_title_word(w: &str) -> bool {
    let w = w.trim_matches(|c: char| !c.is_alphanumeric() && c != '-').to_lowercase();
    TITLE_WORDS.contains(&w.as_str())
}

fn starts_with_title_word(s: &str) -> bool {
    s.split_whitespace().next().is_some_and(is_title_word)
}

pub(super) fn lead(name: &str, title: &str) -> ImportedLead {
    ImportedLead { name: name.trim().to_string(), job_title: title.trim().to_string() }
}

fn two_parts(whole: &str, a: &str, b: &str) -> ImportedLead {
    let (a, b) = (a.trim(), b.trim());
    if a.is_empty() {
        lead("", b)
    } else if starts_with_title_word(a) {
        lead("", whole)
    } else if b.is_empty() {
        lead(a, "")
    } else {
        lead(a, b)
    }
}

/// Split "Steph Cordon, Head of Service" (or "Steph Cordon Head of Service", "Steph
/// Cordon – Head of Service", "Steph Cordon (Head of Service)") into name and title.
pub fn split_name_title(s: &str) -> ImportedLead {
    let s = s.trim().trim_end_matches([',', ';', ':']).trim();
    if s.ends_with(')') {
        if let Some(open) = s.find('(') {
            if open > 0 {
                return two_parts(s, &s[..open], &s[open + 1..s.len() - 1]);
            }
        }
    }
    if let Some(i) = s.find(',') {
        return two_parts(s, &s[..i], &s[i + 1..]);
    }
    for dash in [" – ", " — ", " - ", "–", "—"] {
        if let Some(i) = s.find(dash) {
            return two_parts(s, &s[..i], &s[i + dash.len()..]);
        }
    }
    let mut offset = 0;
    for w in s.split(' ') {
        if is_title_word(w) {
            return if s[..offset].trim().is_empty() { lead("", s) } else { lead(&s[..offset], &s[offset..]) };
        }
        offset += w.len() + 1;
    }
    lead(s, "")
}

fn and_positions(s: &str) -> Vec<(usize, usize)> {
    let lower = s.to_ascii_lowercase();
    let mut out = Vec::new();
    for sep in [" and ", " & "] {
        let mut from = 0;
        while let Some(p) = lower[from..].find(sep) {
            out.push((from + p, sep.len()));
            from += p + sep.len();
        }
    }
    out.sort_unstable();
    out
}

fn split_and(part: &str, out: &mut Vec<ImportedLead>) {
    if part.len() <= 300 {
        for (pos, len) in and_positions(part) {
            let (l, r) = (part[..pos].trim(), part[pos + len..].trim());
            let (ll, rl) = (split_name_title(l), split_name_title(r));
            let full = |x: &ImportedLead| !x.name.is_empty() && !x.job_title.is_empty() && and_positions(&x.name).is_empty();
            if full(&ll) && full(&rl) {
                out.push(ll);
                split_and(r, out);
                return;
            }
        }
    }
    let l = split_name_title(part);
    if !(l.name.is_empty() && l.job_title.is_empty()) {
        out.push(l);
    }
}

/// Parse a Lead officer cell: one lead per line or `;`, "and"/"&" between two full
/// "Name Title" groups.
pub fn parse_leads(cell: &str) -> Vec<ImportedLead> {
    let mut out = Vec::new();
    for part in cell.split(['\n', ';']) {
        let part = part.trim();
        if !part.is_empty() {
            split_and(part, &mut out);
        }
    }
    out
}

/// "Name, Job title", or just the title, or just the name — whichever reads back as
/// the same lead.
pub fn format_lead(l: &ImportedLead) -> String {
    let (n, t) = (l.name.trim(), l.job_title.trim());
    let candidates: Vec<String> = match (n.is_empty(), t.is_empty()) {
        (false, false) => vec![format!("{n}, {t}"), format!("{n} ({t})"), format!("{n} – {t}")],
        (true, false) => vec![t.to_string(), format!(", {t}")],
        (false, true) => vec![n.to_string()],
        (true, true) => vec![String::new()],
    };
    candidates.iter().find(|c| parse_leads(c) == vec![l.clone()]).unwrap_or(&candidates[0]).clone()
}

/// How an action's owner is written: names (or titles where no name), joined by "; ".
pub(super) fn owner_of(leads: &[ImportedLead]) -> String {
    leads.iter().map(|l| if l.name.is_empty() { l.job_title.as_str() } else { l.name.as_str() }).collect::<Vec<_>>().join("; ")
}

pub(super) fn add_lead(leads: &mut Vec<ImportedLead>, l: ImportedLead) {
    for e in leads.iter_mut() {
        if !l.name.is_empty() && e.name.to_lowercase() == l.name.to_lowercase() {
            if e.job_title.is_empty() {
                e.job_title = l.job_title;
            }
            return;
        }
        if l.name.is_empty() && e.name.is_empty() && e.job_title.to_lowercase() == l.job_title.to_lowercase() {
            return;
        }
    }
    leads.push(l);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::test_support::*;

    #[test]
    fn lead_officer_cells() {
        assert_eq!(parse_leads("Steph Cordon Head of Service"), vec![l("Steph Cordon", "Head of Service")]);
        assert_eq!(parse_leads("Steph Cordon, Head of Service"), vec![l("Steph Cordon", "Head of Service")]);
        assert_eq!(parse_leads("Vicky Buchanan – Head of Children's Social Care"), vec![l("Vicky Buchanan", "Head of Children's Social Care")]);
        assert_eq!(parse_leads("Head of Regulation and Compliance"), vec![l("", "Head of Regulation and Compliance")]);
        assert_eq!(parse_leads("Cllr Smith"), vec![l("Cllr Smith", "")]);
        assert_eq!(parse_leads("Cllr Smith Cabinet Member for Children"), vec![l("Cllr Smith", "Cabinet Member for Children")]);
        assert_eq!(parse_leads("Steph Cordon (Head of Service)"), vec![l("Steph Cordon", "Head of Service")]);
        assert_eq!(
            parse_leads("Steph Cordon, Head of Service\nVicky Buchanan – Head of Children's Social Care"),
            vec![l("Steph Cordon", "Head of Service"), l("Vicky Buchanan", "Head of Children's Social Care")]
        );
        assert_eq!(
            parse_leads("Steph Cordon Head of Service; Head of Regulation and Compliance"),
            vec![l("Steph Cordon", "Head of Service"), l("", "Head of Regulation and Compliance")]
        );
        assert_eq!(
            parse_leads("Steph Cordon Head of Service and Vicky Buchanan Head of Children's Social Care"),
            vec![l("Steph Cordon", "Head of Service"), l("Vicky Buchanan", "Head of Children's Social Care")]
        );
        assert_eq!(
            parse_leads("Steph Cordon, Head of Learning and Development & Jo Bloggs, Director"),
            vec![l("Steph Cordon", "Head of Learning and Development"), l("Jo Bloggs", "Director")]
        );
        assert_eq!(parse_leads("John Smith and Jane Doe"), vec![l("John Smith and Jane Doe", "")]);
        assert_eq!(parse_leads("Steph Cordon, Head of Service and Quality"), vec![l("Steph Cordon", "Head of Service and Quality")]);
        assert_eq!(parse_leads(" \n ; "), vec![]);
    }

    #[test]
    fn leads_format_back_to_themselves() {
        for x in [
            l("Steph Cordon", "Head of Service"),
            l("", "Head of Regulation"),
            l("Jo Bloggs", ""),
            l("", "Children's Services lead"),
            l("Zoë Ødegård", "Directrice"),
        ] {
            assert_eq!(parse_leads(&format_lead(&x)), vec![x.clone()], "{}", format_lead(&x));
        }
    }
}
