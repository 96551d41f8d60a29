#![forbid(unsafe_code)]
// `sqlx::migrate!` embeds the migrations when the crate compiles, and cargo does not
// otherwise know that a new file under migrations/ changes the crate: without this, an
// incremental build would keep running the old set.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
