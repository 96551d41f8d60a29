//! Property: whatever `plan` accepts, written out with `register_table`, plans again
//! without errors; and a second export/import changes nothing (the export is a fixed
//! point after one normalisation).

#![no_main]

use assure_domain::import::{
    guess_header_row, headings, plan, register_preset, register_table, suggest_mapping, ImportField, Mapping, Preset, RegisterEntry, Table,
};
use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;

fn rows_zeroed(mut v: Vec<RegisterEntry>) -> Vec<RegisterEntry> {
    for e in &mut v {
        e.row = 0;
    }
    v
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let table: Table = text.split('\n').map(|line| line.split('|').map(str::to_string).collect()).collect();
    let today = NaiveDate::from_ymd_opt(2018, 1, 16).unwrap();
    let header_row = guess_header_row(&table);
    let suggested = Preset { name: "fuzz".into(), header_row, mapping: suggest_mapping(&headings(&table, header_row)) };
    let heads = headings(&table, 1);
    let by_position = Preset {
        name: "fuzz".into(),
        header_row: 1,
        mapping: Mapping {
            columns: ImportField::ALL.iter().zip(heads.iter()).filter(|(_, h)| !h.is_empty()).map(|(f, h)| (*f, h.clone())).collect(),
        },
    };
    for preset in [suggested, by_position] {
        let Ok(first) = plan(&table, &preset, today) else {
            continue;
        };
        let once = register_table(&first.entries);
        let second = plan(&once, &register_preset(), today).unwrap_or_else(|e| panic!("the export of a plan does not import: {e:#?}\n{once:#?}"));
        let twice = register_table(&second.entries);
        let third = plan(&twice, &register_preset(), today).expect("second export imports");
        assert_eq!(rows_zeroed(third.into_inner().entries), rows_zeroed(second.into_inner().entries), "{once:#?}");
    }
});
