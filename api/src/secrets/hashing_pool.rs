//! A fixed set of threads for password hashing.
//!
//! argon2id with OWASP parameters allocates 19 MiB per hash. On tokio's blocking pool every
//! new thread that hashes gets its own malloc arena, which keeps those 19 MiB after the hash:
//! a login flood grew the server by hundreds of MiB. A fixed pool (the hasher sizes it to one
//! thread fewer than the cores) keeps that to one arena per thread, and its bounded queue
//! applies back-pressure instead of spawning more.

use super::HashError;
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, oneshot};

type Job = Box<dyn FnOnce() + Send>;

/// Runs hashing jobs on its own threads, first come first served.
pub(super) struct HashingPool {
    jobs: mpsc::Sender<Job>,
}

impl HashingPool {
    /// `threads` workers behind a queue of `queue` waiting jobs. The workers stop when the
    /// pool is dropped.
    pub(super) fn new(threads: usize, queue: usize) -> Result<HashingPool, HashError> {
        let (jobs, waiting) = mpsc::channel::<Job>(queue.max(1));
        let waiting = Arc::new(Mutex::new(waiting));
        for index in 0..threads.max(1) {
            let waiting = Arc::clone(&waiting);
            std::thread::Builder::new()
                .name(format!("roster-hash-{index}"))
                .spawn(move || {
                    loop {
                        // The lock is released before the job runs, so the others can take
                        // the next one meanwhile.
                        let job = match waiting.lock() {
                            Ok(mut queue) => queue.blocking_recv(),
                            Err(_) => None,
                        };
                        match job {
                            Some(job) => job(),
                            None => return,
                        }
                    }
                })
                .map_err(|_| HashError::Interrupted)?;
        }
        Ok(HashingPool { jobs })
    }

    /// Runs `work` on a pool thread and waits for its result.
    pub(super) async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, HashError> {
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move || {
            // The caller may have gone (request cancelled): nothing to tell it then.
            let _ = reply.send(work());
        });
        self.jobs
            .send(job)
            .await
            .map_err(|_| HashError::Interrupted)?;
        answer.await.map_err(|_| HashError::Interrupted)
    }
}
