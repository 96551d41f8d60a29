//! Bytes → `read_table` (with CSV and XLSX name hints) → `suggest_mapping` + `plan`
//! with the suggested mapping and with the register preset → `register_table` of
//! whatever was planned → `plan` again. Nothing may panic. The bytes are also read
//! directly as a table (lines of `|`-separated cells) to reach the planner quickly.

#![no_main]

use assure_documents::read::read_table;
use assure_domain::import::{
    guess_header_row, headings, plan, register_preset, register_table, suggest_mapping, ImportField, Mapping, Preset, Table,
};
use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;

fn exercise(table: &Table) {
    let today = NaiveDate::from_ymd_opt(2018, 1, 16).unwrap();
    let header_row = guess_header_row(table);
    let suggested = Preset { name: "fuzz".into(), header_row, mapping: suggest_mapping(&headings(table, header_row)) };
    // Every field on some column, by position, so that every parser sees every cell.
    let heads = headings(table, 1);
    let by_position = Preset {
        name: "fuzz".into(),
        header_row: 1,
        mapping: Mapping {
            columns: ImportField::ALL.iter().zip(heads.iter()).filter(|(_, h)| !h.is_empty()).map(|(f, h)| (*f, h.clone())).collect(),
        },
    };
    for preset in [&suggested, &register_preset(), &by_position] {
        if let Ok(p) = plan(table, preset, today) {
            let again = register_table(&p.entries);
            let _ = plan(&again, &register_preset(), today);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    for name in ["tracker.csv", "tracker.xlsx"] {
        if let Ok(table) = read_table(data, name) {
            exercise(&table);
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let table: Table = text.split('\n').map(|line| line.split('|').map(str::to_string).collect()).collect();
        exercise(&table);
    }
});
