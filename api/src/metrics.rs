//! Prometheus counters, rendered by hand in the text exposition format (a handful of
//! counters does not need a metrics framework).

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use chrono::Utc;
use roster_projections::Projections;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};

/// Counters since start-up.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Responses by status class (index 1 = 1xx … 5 = 5xx).
    responses: [AtomicU64; 6],
    logins_succeeded: AtomicU64,
    logins_failed: AtomicU64,
    commands_succeeded: AtomicU64,
    commands_failed: AtomicU64,
}

impl Metrics {
    /// Counts a response.
    pub fn response(&self, status: u16) {
        let class = usize::from(status / 100).min(5);
        self.responses[class].fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a successful login.
    pub fn login_succeeded(&self) {
        self.logins_succeeded.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a failed login.
    pub fn login_failed(&self) {
        self.logins_failed.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a command that went through.
    pub fn command_succeeded(&self) {
        self.commands_succeeded.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a command that was refused or failed.
    pub fn command_failed(&self) {
        self.commands_failed.fetch_add(1, Ordering::Relaxed);
    }

    /// The exposition text, with gauges read from the projections.
    pub fn render(&self, projections: &Projections) -> String {
        let mut out = String::new();
        let load = |c: &AtomicU64| c.load(Ordering::Relaxed);
        out.push_str("# HELP roster_http_responses_total HTTP responses by status class.\n");
        out.push_str("# TYPE roster_http_responses_total counter\n");
        for (class, counter) in self.responses.iter().enumerate().skip(1) {
            let _ = writeln!(
                out,
                "roster_http_responses_total{{class=\"{class}xx\"}} {}",
                load(counter)
            );
        }
        let counters = [
            (
                "roster_logins_total",
                "Login attempts by outcome.",
                "succeeded",
                &self.logins_succeeded,
            ),
            ("roster_logins_total", "", "failed", &self.logins_failed),
            (
                "roster_commands_total",
                "Commands by outcome.",
                "succeeded",
                &self.commands_succeeded,
            ),
            ("roster_commands_total", "", "failed", &self.commands_failed),
        ];
        for (name, help, outcome, counter) in counters {
            if !help.is_empty() {
                let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
            }
            let _ = writeln!(out, "{name}{{outcome=\"{outcome}\"}} {}", load(counter));
        }
        let (position, totals) = projections.read(|m| (m.position().0, m.totals(Utc::now())));
        let gauges = [
            (
                "roster_projection_position",
                "Last event position applied to the read models.",
                position,
            ),
            ("roster_users", "Live user accounts.", totals.users as u64),
            (
                "roster_admins",
                "Live administrators.",
                totals.admins as u64,
            ),
            (
                "roster_active_sessions",
                "Sessions that still work.",
                totals.active_sessions as u64,
            ),
            (
                "roster_projection_feed_failures",
                "Failures in a row of the feed the read models follow (0: healthy).",
                projections.feed_failures(),
            ),
        ];
        for (name, help, value) in gauges {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}"
            );
        }
        out
    }
}

/// Middleware: counts every response.
pub async fn count_responses(
    State(metrics): State<std::sync::Arc<Metrics>>,
    request: Request,
    next: Next,
) -> Response {
    let response = next.run(request).await;
    metrics.response(response.status().as_u16());
    response
}
