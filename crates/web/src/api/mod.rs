//! The JSON API under /api/v1 (filled in by its own change).

use crate::routes::Routes;

pub fn routes(r: Routes) -> Routes {
    r
}
