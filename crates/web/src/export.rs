//! Files sent as they are written (a streamed body): the register export. The
//! recommendations are read a chunk at a time by one task, written as CSV or XLSX on
//! a blocking thread, and the bytes go out in 64 KiB pieces; every channel between
//! them is bounded, so a slow client slows the writing instead of filling memory, and
//! a client that goes away stops it.

use std::io::Write;

use assure_domain::import::RegisterEntry;
use assure_storage::tracker::RecFilter;
use assure_storage::Store;
use axum::body::Body;
use chrono::NaiveDate;
use tokio::sync::mpsc;

/// Recommendations read from the database per chunk.
const CHUNK: i64 = 200;
/// Bytes per piece of the body.
const PIECE: usize = 64 * 1024;

/// The register as a streamed body.
pub fn register_body(store: Store, filter: RecFilter, today: NaiveDate, xlsx: bool) -> Body {
    let (entries_tx, mut entries_rx) = mpsc::channel::<Result<Vec<RegisterEntry>, String>>(2);
    let (bytes_tx, bytes_rx) = mpsc::channel::<std::io::Result<Vec<u8>>>(4);
    tokio::spawn(async move {
        let mut chunks = match store.imports().register_chunks(&filter, today, CHUNK) {
            Ok(c) => c,
            Err(e) => {
                let _ = entries_tx.send(Err(e.to_string())).await;
                return;
            }
        };
        loop {
            let next = match chunks.next().await {
                Ok(Some(chunk)) => Ok(chunk),
                Ok(None) => return,
                Err(e) => Err(e.to_string()),
            };
            let failed = next.is_err();
            if entries_tx.send(next).await.is_err() || failed {
                return;
            }
        }
    });
    let errors = bytes_tx.clone();
    tokio::task::spawn_blocking(move || {
        let mut out = Pieces { tx: bytes_tx, buf: Vec::with_capacity(PIECE) };
        let chunks = std::iter::from_fn(|| entries_rx.blocking_recv());
        if let Err(e) = assure_documents::spreadsheet::write_register(xlsx, chunks, &mut out, |_| {}) {
            tracing::error!(error = %e, "the register export stopped part way");
            // The client sees a body that ends in an error (a cut-short download), never a whole-looking file.
            let _ = errors.blocking_send(Err(std::io::Error::other(e.to_string())));
        }
    });
    let stream = futures_util::stream::unfold(bytes_rx, |mut rx| async move { rx.recv().await.map(|piece| (piece, rx)) });
    Body::from_stream(stream)
}

/// A writer that sends what is written, in pieces, down a bounded channel (blocking
/// while the client catches up); an error once the client has gone.
struct Pieces {
    tx: mpsc::Sender<std::io::Result<Vec<u8>>>,
    buf: Vec<u8>,
}

impl Pieces {
    fn send(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let piece = std::mem::replace(&mut self.buf, Vec::with_capacity(PIECE));
        self.tx.blocking_send(Ok(piece)).map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the client went away"))
    }
}

impl Write for Pieces {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= PIECE {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.send()
    }
}

/// A document rendered on a blocking thread (rendering is CPU work that must not hold
/// up the server's other requests).
pub async fn rendered<F>(render: F) -> Result<Vec<u8>, crate::error::AppError>
where
    F: FnOnce() -> Result<Vec<u8>, assure_documents::DocumentError> + Send + 'static,
{
    tokio::task::spawn_blocking(render)
        .await
        .map_err(|e| crate::error::AppError::Internal(format!("rendering stopped: {e}")))?
        .map_err(crate::error::AppError::from)
}
