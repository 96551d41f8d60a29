//! The CSE 2 screening tool, held as data: categories of indicators, each with a
//! weight, and the rules that turn the "yes" answers into a risk level. The
//! partnership edits the tool; every referral keeps the version it was scored with.
//!
//! A rule reads "at least `n` indicators of this weight, or heavier, answered yes";
//! the highest level whose rule holds wins, and when none holds there is no apparent risk.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::tracker::TagColour;
use crate::validation::{Checked, FieldError, Invalid};

slug_enum!(
    /// How much an indicator, answered yes, says about risk.
    Weight {
        Low => ("low", "Low"),
        Medium => ("medium", "Medium"),
        Significant => ("significant", "Significant"),
    }
);

slug_enum!(
    /// The screening's result, from no apparent risk up to high.
    RiskLevel {
        NoApparentRisk => ("no-apparent-risk", "No apparent risk"),
        Low => ("low", "Low risk"),
        Medium => ("medium", "Medium risk"),
        High => ("high", "High risk"),
    }
);

impl RiskLevel {
    pub fn colour(self) -> TagColour {
        match self {
            RiskLevel::NoApparentRisk => TagColour::Grey,
            RiskLevel::Low => TagColour::Yellow,
            RiskLevel::Medium => TagColour::Orange,
            RiskLevel::High => TagColour::Red,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Indicator {
    pub key: String,
    pub text: String,
    pub weight: Weight,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    pub key: String,
    pub title: String,
    pub indicators: Vec<Indicator>,
}

/// "At least `at_least` indicators of `weight` (or heavier) answered yes" gives `level`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskRule {
    pub level: RiskLevel,
    pub at_least: u32,
    /// `None` only in a tool still being edited: [`check_tool`] refuses it.
    #[serde(default)]
    pub weight: Option<Weight>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScreeningTool {
    /// Given by storage when the tool is saved; old referrals keep theirs.
    #[serde(default)]
    pub version: i64,
    pub categories: Vec<Category>,
    pub rules: Vec<RiskRule>,
}

/// Each indicator's answer, by indicator key: `true` is yes.
pub type Answers = BTreeMap<String, bool>;

/// The form field that carries an indicator's answer (and its error message).
pub fn answer_field(key: &str) -> String {
    format!("answer-{key}")
}

impl ScreeningTool {
    pub fn indicators(&self) -> impl Iterator<Item = &Indicator> {
        self.categories.iter().flat_map(|c| c.indicators.iter())
    }

    pub fn indicator(&self, key: &str) -> Option<&Indicator> {
        self.indicators().find(|i| i.key == key)
    }

    /// The titles of the categories with at least one indicator answered yes, in the
    /// tool's order (what a screening was about, for the child's risk over time).
    pub fn categories_answered(&self, answers: &Answers) -> Vec<String> {
        self.categories
            .iter()
            .filter(|c| c.indicators.iter().any(|i| answers.get(&i.key).copied().unwrap_or(false)))
            .map(|c| c.title.clone())
            .collect()
    }
}

fn is_key(s: &str) -> bool {
    !s.is_empty() && s.len() <= 60 && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// The rules of a tool the partnership may save. Every problem is reported (the
/// fields are paths into the tool, e.g. `categories.2.indicators.1.key`).
pub fn check_tool(tool: &ScreeningTool) -> Result<Checked<ScreeningTool>, Invalid> {
    let mut errors: Vec<FieldError> = Vec::new();
    let mut err = |field: String, message: String| errors.push(FieldError { field, message });
    if tool.categories.is_empty() {
        err("categories".into(), "The tool needs at least one category of indicators".into());
    }
    let mut category_keys = BTreeSet::new();
    let mut indicator_keys = BTreeSet::new();
    for (ci, c) in tool.categories.iter().enumerate() {
        let at = format!("categories.{}", ci + 1);
        if !is_key(&c.key) {
            err(
                format!("{at}.key"),
                format!("Category {}: the key must be lower-case letters, digits and hyphens (for example going-missing)", ci + 1),
            );
        } else if !category_keys.insert(c.key.as_str()) {
            err(format!("{at}.key"), format!("Category {}: the key {} is used by another category", ci + 1, c.key));
        }
        if c.title.trim().is_empty() {
            err(format!("{at}.title"), format!("Category {}: enter a title", ci + 1));
        }
        if c.indicators.is_empty() {
            err(
                format!("{at}.indicators"),
                format!("Category {} ({}) has no indicators: add at least one or remove the category", ci + 1, c.title.trim()),
            );
        }
        for (ii, i) in c.indicators.iter().enumerate() {
            let at = format!("{at}.indicators.{}", ii + 1);
            if !is_key(&i.key) {
                err(
                    format!("{at}.key"),
                    format!("Category {}, indicator {}: the key must be lower-case letters, digits and hyphens", ci + 1, ii + 1),
                );
            } else if !indicator_keys.insert(i.key.as_str()) {
                err(format!("{at}.key"), format!("Category {}, indicator {}: the key {} is used by another indicator", ci + 1, ii + 1, i.key));
            }
            if i.text.trim().is_empty() {
                err(format!("{at}.text"), format!("Category {}, indicator {}: enter the question's wording", ci + 1, ii + 1));
            }
        }
    }
    if tool.rules.is_empty() {
        err("rules".into(), "The tool needs at least one rule giving a risk level".into());
    }
    for (ri, r) in tool.rules.iter().enumerate() {
        let at = format!("rules.{}", ri + 1);
        if r.level == RiskLevel::NoApparentRisk {
            err(format!("{at}.level"), format!("Rule {}: no apparent risk is what remains when no rule holds; choose low, medium or high", ri + 1));
        }
        if r.at_least == 0 {
            err(format!("{at}.at_least"), format!("Rule {}: the number of indicators must be 1 or more", ri + 1));
        }
        match r.weight {
            None => err(format!("{at}.weight"), format!("Rule {}: name the weight of the indicators it counts (low, medium or significant)", ri + 1)),
            Some(w) => {
                let available = tool.indicators().filter(|i| i.weight >= w).count();
                if r.at_least as usize > available && r.at_least > 0 {
                    err(
                        format!("{at}.at_least"),
                        format!(
                            "Rule {}: it needs {} indicators of {} weight or heavier but the tool has only {available}, so it could never apply",
                            ri + 1,
                            r.at_least,
                            w.slug()
                        ),
                    );
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(Checked::new(tool.clone()))
    } else {
        Err(Invalid { errors })
    }
}

/// The risk level for a complete set of answers. Every indicator must be answered yes
/// or no, and no answer may name an indicator the tool does not have.
pub fn score(tool: &ScreeningTool, answers: &Answers) -> Result<RiskLevel, Invalid> {
    let mut v = Invalid::new();
    let unanswered: Vec<&Indicator> = tool.indicators().filter(|i| !answers.contains_key(&i.key)).collect();
    let total = tool.indicators().count();
    if !unanswered.is_empty() && unanswered.len() == total {
        v.add("screening", format!("The CSE 2 screening has no answers: answer yes or no to each of its {total} questions"));
    }
    for i in &unanswered {
        v.add(&answer_field(&i.key), format!("Answer yes or no: {}", i.text));
    }
    for k in answers.keys() {
        if tool.indicator(k).is_none() {
            v.add("screening", format!("The answer to {k} is not a question of screening tool version {}: reload the form", tool.version));
        }
    }
    v.finish()?;
    let yes: Vec<Weight> = tool.indicators().filter(|i| answers.get(&i.key) == Some(&true)).map(|i| i.weight).collect();
    let level = tool
        .rules
        .iter()
        .filter(|r| r.weight.is_some_and(|w| r.at_least > 0 && yes.iter().filter(|y| **y >= w).count() >= r.at_least as usize))
        .map(|r| r.level)
        .max()
        .unwrap_or(RiskLevel::NoApparentRisk);
    Ok(level)
}

fn ind(key: &str, text: &str, weight: Weight) -> Indicator {
    Indicator { key: key.into(), text: text.into(), weight }
}

/// The tool the partnership starts with, in Assure's own words. The partnership
/// replaces or edits it from the screening tool page.
pub fn default_tool() -> ScreeningTool {
    use Weight::*;
    let cat = |key: &str, title: &str, indicators: Vec<Indicator>| Category { key: key.into(), title: title.into(), indicators };
    ScreeningTool {
        version: 0,
        categories: vec![
            cat(
                "missing",
                "Going missing and staying out",
                vec![
                    ind("missing-overnight", "Has been missing from home or care overnight, once or more, in the last three months", Significant),
                    ind("returns-late", "Often comes home late or cannot say where they have been", Medium),
                    ind("found-far-away", "Has been found in another town or area with no reason to be there", Significant),
                    ind("truancy", "Is often absent from school or college without explanation", Low),
                ],
            ),
            cat(
                "relationships",
                "Relationships and contacts",
                vec![
                    ind(
                        "older-partner",
                        "Has an older \"boyfriend\" or \"girlfriend\", or a friendship with an adult that worries others",
                        Significant,
                    ),
                    ind("picked-up-in-cars", "Is picked up or dropped off in cars by adults who are not known to the family", Significant),
                    ind("new-older-friends", "Has new friends who are older, or who are known to be at risk of exploitation", Medium),
                    ind("estranged", "Has fallen out with, or is cut off from, family and usual friends", Medium),
                    ind("secretive-online", "Is secretive about phone or online contacts, or has several accounts", Low),
                ],
            ),
            cat(
                "possessions",
                "Gifts, money and belongings",
                vec![
                    ind("unexplained-gifts", "Has gifts, clothes or jewellery they cannot account for", Medium),
                    ind("unexplained-money", "Has money, or credit on a phone, they cannot account for", Medium),
                    ind("second-phone", "Has a second phone or a new phone that family did not provide", Medium),
                ],
            ),
            cat(
                "health",
                "Health and wellbeing",
                vec![
                    ind("substance-misuse", "Uses alcohol or drugs, or has been found intoxicated", Medium),
                    ind("sexual-health", "Has sexual health concerns: an infection, a pregnancy or a termination", Significant),
                    ind("self-harm", "Self-harms, has an eating disorder or has talked about suicide", Medium),
                    ind("injuries", "Has injuries they will not explain", Medium),
                    ind("low-mood", "Seems withdrawn, anxious or low in mood", Low),
                ],
            ),
            cat(
                "disclosures",
                "Disclosures and incidents",
                vec![
                    ind("disclosed-assault", "Has disclosed sexual assault or abuse, then may have withdrawn it", Significant),
                    ind("sexual-images", "Has shared, or been asked to share, sexual images", Medium),
                    ind("seen-at-hotspots", "Has been seen at addresses, parties or places linked with exploitation", Medium),
                    ind("police-contact", "Has come to police attention (arrests, offending, anti-social behaviour)", Low),
                ],
            ),
            cat(
                "circumstances",
                "Background and circumstances",
                vec![
                    ind("looked-after", "Is looked after, or living away from family", Low),
                    ind("previous-abuse", "Has experienced abuse or neglect before", Low),
                    ind("learning-needs", "Has a learning disability or difficulty", Low),
                    ind("family-exploitation", "A family member or friend is known to have been exploited", Low),
                ],
            ),
        ],
        rules: vec![
            RiskRule { level: RiskLevel::Low, at_least: 1, weight: Some(Low) },
            RiskRule { level: RiskLevel::Medium, at_least: 1, weight: Some(Medium) },
            RiskRule { level: RiskLevel::Medium, at_least: 4, weight: Some(Low) },
            RiskRule { level: RiskLevel::High, at_least: 1, weight: Some(Significant) },
            RiskRule { level: RiskLevel::High, at_least: 3, weight: Some(Medium) },
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_no(tool: &ScreeningTool) -> Answers {
        tool.indicators().map(|i| (i.key.clone(), false)).collect()
    }

    fn with_yes(tool: &ScreeningTool, yes: &[&str]) -> Answers {
        let mut a = all_no(tool);
        for k in yes {
            assert!(a.insert(k.to_string(), true).is_some(), "{k} is an indicator");
        }
        a
    }

    #[test]
    fn a_screening_is_about_the_categories_with_a_yes() {
        let t = default_tool();
        assert!(t.categories_answered(&all_no(&t)).is_empty());
        let first = &t.categories[0];
        let last = t.categories.last().unwrap();
        let a = with_yes(&t, &[&last.indicators[0].key, &first.indicators[1].key]);
        assert_eq!(t.categories_answered(&a), vec![first.title.clone(), last.title.clone()], "in the tool's order, each once");
        let unknown: Answers = [("not-an-indicator".to_string(), true)].into_iter().collect();
        assert!(t.categories_answered(&unknown).is_empty());
    }

    #[test]
    fn the_default_tool_is_valid_and_roughly_six_by_three_to_six() {
        let t = default_tool();
        check_tool(&t).unwrap();
        assert_eq!(t.categories.len(), 6);
        assert!(t.categories.iter().all(|c| (3..=6).contains(&c.indicators.len())));
        // It survives the JSON it is stored as.
        let back: ScreeningTool = serde_json::from_str(&serde_json::to_string(&t).unwrap()).unwrap();
        assert_eq!(back, t);
    }

    #[test]
    fn scoring_boundaries_of_the_default_rules() {
        let t = default_tool();
        let s = |yes: &[&str]| score(&t, &with_yes(&t, yes)).unwrap();
        assert_eq!(s(&[]), RiskLevel::NoApparentRisk);
        assert_eq!(s(&["truancy"]), RiskLevel::Low);
        assert_eq!(s(&["truancy", "low-mood", "looked-after"]), RiskLevel::Low, "three low indicators");
        assert_eq!(s(&["truancy", "low-mood", "looked-after", "learning-needs"]), RiskLevel::Medium, "four low indicators");
        assert_eq!(s(&["unexplained-gifts"]), RiskLevel::Medium);
        assert_eq!(s(&["unexplained-gifts", "second-phone"]), RiskLevel::Medium, "two medium");
        assert_eq!(s(&["unexplained-gifts", "second-phone", "self-harm"]), RiskLevel::High, "three medium");
        assert_eq!(s(&["missing-overnight"]), RiskLevel::High, "one significant");
        // A significant indicator counts towards the medium rule too ("or heavier").
        let mut t2 = t.clone();
        t2.rules = vec![RiskRule { level: RiskLevel::High, at_least: 2, weight: Some(Weight::Medium) }];
        assert_eq!(score(&t2, &with_yes(&t2, &["missing-overnight", "second-phone"])).unwrap(), RiskLevel::High);
        assert_eq!(score(&t2, &with_yes(&t2, &["truancy", "second-phone"])).unwrap(), RiskLevel::NoApparentRisk);
    }

    #[test]
    fn unanswered_and_unknown_answers_are_refused_by_name() {
        let t = default_tool();
        let e = score(&t, &Answers::new()).unwrap_err();
        assert!(e.for_field("screening").unwrap().contains("no answers"), "{e}");
        assert_eq!(e.errors.len(), 1 + t.indicators().count(), "each missing question is named");
        let mut a = all_no(&t);
        a.remove("second-phone");
        a.insert("made-up".into(), true);
        let e = score(&t, &a).unwrap_err();
        assert_eq!(e.for_field("answer-second-phone").unwrap(), "Answer yes or no: Has a second phone or a new phone that family did not provide");
        assert!(e.for_field("screening").unwrap().contains("made-up"));
        assert_eq!(e.errors.len(), 2);
    }

    #[test]
    fn bad_tools_are_refused_with_every_problem() {
        let mut t = default_tool();
        t.categories[1].key = t.categories[0].key.clone();
        t.categories[2].indicators.clear();
        t.categories[3].indicators[0].key = "truancy".into();
        t.categories[3].indicators[1].text = " ".into();
        t.categories[4].key = "Not A Key".into();
        t.rules.push(RiskRule { level: RiskLevel::High, at_least: 2, weight: None });
        t.rules.push(RiskRule { level: RiskLevel::NoApparentRisk, at_least: 0, weight: Some(Weight::Low) });
        t.rules.push(RiskRule { level: RiskLevel::High, at_least: 50, weight: Some(Weight::Significant) });
        let e = check_tool(&t).unwrap_err();
        let fields: Vec<&str> = e.errors.iter().map(|f| f.field.as_str()).collect();
        for f in [
            "categories.2.key",
            "categories.3.indicators",
            "categories.4.indicators.1.key",
            "categories.4.indicators.2.text",
            "categories.5.key",
            "rules.6.weight",
            "rules.7.level",
            "rules.7.at_least",
            "rules.8.at_least",
        ] {
            assert!(fields.contains(&f), "{f} in {fields:?}");
        }
        let empty = ScreeningTool { version: 1, categories: vec![], rules: vec![] };
        let e = check_tool(&empty).unwrap_err();
        assert!(e.for_field("categories").is_some() && e.for_field("rules").is_some());
        // A rule without a weight in JSON reads as "no weight", which is refused.
        let json = r#"{"categories":[{"key":"a","title":"A","indicators":[{"key":"x","text":"X","weight":"low"}]}],"rules":[{"level":"high","at_least":1}]}"#;
        let t: ScreeningTool = serde_json::from_str(json).unwrap();
        assert!(check_tool(&t).unwrap_err().for_field("rules.1.weight").is_some());
    }
}
