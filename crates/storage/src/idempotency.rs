//! The API's idempotency keys (`store.idempotency()`): per account, the first request
//! sent with a key reserves it, and its answer is kept once it succeeded, so a retry
//! answers as the first did instead of creating twice. A key is reserved before the
//! request runs, so two copies sent at once cannot both create.

use crate::{Result, RowExt, Store};

#[derive(Clone, Copy)]
pub struct Idempotency<'s> {
    store: &'s Store,
}

impl Store {
    pub fn idempotency(&self) -> Idempotency<'_> {
        Idempotency { store: self }
    }
}

/// What a key already holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    /// The hash of the request that reserved the key.
    pub request_hash: String,
    /// 0 while that request is still running; then its status.
    pub status: i64,
    /// Its answer's body.
    pub response: String,
}

impl Idempotency<'_> {
    /// Reserve `key` for this account and request: `None` when it was free (the caller
    /// runs the request, then [`Self::keep`]s or [`Self::release`]s it), else what it holds.
    pub async fn reserve(&self, user_id: i64, key: &str, request_hash: &str) -> Result<Option<Kept>> {
        let mut tx = self.store.write().await?;
        let inserted = self
            .store
            .q("INSERT INTO idempotency_keys (user_id, key, request_hash, status, response, created_at) VALUES ($1, $2, $3, 0, '', $4) \
                ON CONFLICT (user_id, key) DO NOTHING")
            .bind(user_id)
            .bind(key)
            .bind(request_hash)
            .bind(self.store.now())
            .execute(tx.conn())
            .await?
            .rows_affected();
        let kept = if inserted == 1 {
            None
        } else {
            let r = self
                .store
                .q("SELECT request_hash, status, response FROM idempotency_keys WHERE user_id = $1 AND key = $2")
                .bind(user_id)
                .bind(key)
                .fetch_one(tx.conn())
                .await?;
            Some(Kept { request_hash: r.s("request_hash")?, status: r.i("status")?, response: r.s("response")? })
        };
        tx.commit().await?;
        Ok(kept)
    }

    /// Keep the answer of the request that reserved `key`.
    pub async fn keep(&self, user_id: i64, key: &str, status: u16, response: &str) -> Result<()> {
        let mut tx = self.store.write().await?;
        self.store
            .q("UPDATE idempotency_keys SET status = $1, response = $2 WHERE user_id = $3 AND key = $4")
            .bind(i64::from(status))
            .bind(response)
            .bind(user_id)
            .bind(key)
            .execute(tx.conn())
            .await?;
        tx.commit().await
    }

    /// Free `key` again: the request that reserved it did not succeed, so a retry runs anew.
    pub async fn release(&self, user_id: i64, key: &str) -> Result<()> {
        let mut tx = self.store.write().await?;
        self.store
            .q("DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND status = 0")
            .bind(user_id)
            .bind(key)
            .execute(tx.conn())
            .await?;
        tx.commit().await
    }
}
