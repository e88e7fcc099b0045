//! Headless Chromium driven through Debian's `chromedriver` (WebDriver), with waits for
//! what the page shows, never sleeps. Without Chromium or chromedriver on the machine,
//! [`Browser::start`] says so on stderr and the test returns: it is skipped, visibly.

use fantoccini::elements::Element;
use fantoccini::error::CmdError;
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tempfile::TempDir;
use tokio::process::{Child, Command};

/// How long a wait for the page may take before the test fails.
const PATIENCE: Duration = Duration::from_secs(30);
/// How often a condition is looked at again while waiting.
const POLL: Duration = Duration::from_millis(50);

/// The flags Chromium runs with: headless, and nothing that would reach the network.
const FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,900",
];

/// One browser, its chromedriver and its fresh profile; both processes end when dropped.
pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: TempDir,
}

fn find_program(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

impl Browser {
    /// Starts chromedriver and a headless Chromium with a fresh profile; `None` (and a
    /// line on stderr) when either is not installed.
    pub async fn start(test: &str) -> Option<Browser> {
        let (Some(chromium), Some(driver)) = (
            find_program(&["chromium", "chromium-browser", "google-chrome"]),
            find_program(&["chromedriver"]),
        ) else {
            // Straight to the standard error, past the test harness's capture: a skip must
            // show in the run's output even though the test passes.
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED {test}: Chromium and chromedriver are not installed \
                 (apt-get install chromium chromium-driver)"
            );
            return None;
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        // A process group of its own, which the Chromium it starts joins: dropping the
        // browser ends them all, also when a failing test never closes its session.
        let driver = Command::new(driver)
            .process_group(0)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("chromedriver starts");
        let profile = tempfile::tempdir().expect("a profile folder");
        let mut args: Vec<String> = FLAGS.iter().map(|flag| (*flag).to_owned()).collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        let capabilities = json!({
            "goog:chromeOptions": { "binary": chromium, "args": args }
        });
        let capabilities = capabilities.as_object().expect("an object").clone();
        let url = format!("http://127.0.0.1:{port}");
        let mut waited = Duration::ZERO;
        // chromedriver listens a moment after it starts: try until it answers.
        let client = loop {
            match ClientBuilder::new(HttpConnector::new())
                .capabilities(capabilities.clone())
                .connect(&url)
                .await
            {
                Ok(client) => break client,
                Err(_) if waited < PATIENCE => {
                    tokio::time::sleep(POLL * 2).await;
                    waited += POLL * 2;
                }
                Err(error) => panic!("chromedriver does not answer: {error}"),
            }
        };
        Some(Browser {
            client,
            driver,
            _profile: profile,
        })
    }

    /// Opens `url` and waits for its document.
    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.expect("the page opens");
    }

    /// Loads the page again.
    pub async fn reload(&self) {
        self.client.refresh().await.expect("the page reloads");
    }

    /// Waits until an element matching `css` is displayed.
    pub async fn shown(&self, css: &str) -> Element {
        self.until(css, |_| true).await
    }

    /// Waits until an element matching `css` is displayed and its text contains `text`.
    pub async fn shown_with(&self, css: &str, text: &str) -> Element {
        self.until(css, |shown| shown.contains(text)).await
    }

    async fn until(&self, css: &str, accept: impl Fn(&str) -> bool) -> Element {
        let mut waited = Duration::ZERO;
        let mut last = String::new();
        loop {
            if let Ok(found) = self.client.find_all(Locator::Css(css)).await {
                for element in found {
                    if element.is_displayed().await.unwrap_or(false) {
                        let text = element.text().await.unwrap_or_default();
                        if accept(&text) {
                            return element;
                        }
                        last = text;
                    }
                }
            }
            assert!(
                waited < PATIENCE,
                "waited for `{css}` in vain (last text shown: {last:?})"
            );
            tokio::time::sleep(POLL).await;
            waited += POLL;
        }
    }

    /// Waits until no displayed element matches `css`.
    pub async fn gone(&self, css: &str) {
        let mut waited = Duration::ZERO;
        loop {
            let mut displayed = false;
            if let Ok(found) = self.client.find_all(Locator::Css(css)).await {
                for element in found {
                    displayed |= element.is_displayed().await.unwrap_or(false);
                }
            }
            if !displayed {
                return;
            }
            assert!(waited < PATIENCE, "`{css}` stayed on the page");
            tokio::time::sleep(POLL).await;
            waited += POLL;
        }
    }

    /// Whether an element matching `css` is in the page now (no waiting).
    pub async fn present(&self, css: &str) -> bool {
        matches!(self.client.find_all(Locator::Css(css)).await, Ok(found) if !found.is_empty())
    }

    /// Waits for `css`, then clicks it (found again when the page redrew it meanwhile).
    pub async fn click(&self, css: &str) {
        let mut waited = Duration::ZERO;
        loop {
            match self.shown(css).await.click().await {
                Ok(_) => return,
                Err(error) if error.is_stale_element_reference() && waited < PATIENCE => {
                    tokio::time::sleep(POLL).await;
                    waited += POLL;
                }
                Err(error) => panic!("click `{css}`: {error}"),
            }
        }
    }

    /// Waits for the input `css`, empties it and types `text`.
    pub async fn fill(&self, css: &str, text: &str) {
        let input = self.shown(css).await;
        input.clear().await.expect("the input empties");
        input.send_keys(text).await.expect("the input takes keys");
    }

    /// Presses `key` on the element `css` (which takes the focus).
    pub async fn press(&self, css: &str, key: Key) {
        self.shown(css)
            .await
            .send_keys(&char::from(key).to_string())
            .await
            .unwrap_or_else(|error| panic!("keys to `{css}`: {error}"));
    }

    /// Waits until the focus is on the element `css`.
    pub async fn focused(&self, css: &str) {
        let expected = self.shown(css).await;
        let mut waited = Duration::ZERO;
        loop {
            if let Ok(active) = self.client.active_element().await
                && active.element_id() == expected.element_id()
            {
                return;
            }
            assert!(waited < PATIENCE, "the focus never came to `{css}`");
            tokio::time::sleep(POLL).await;
            waited += POLL;
        }
    }

    /// The text of the open dialog, once it is shown.
    pub async fn dialog(&self, title: &str) -> String {
        let dialog = self.shown_with("dialog[open]", title).await;
        dialog.text().await.expect("the dialog's text")
    }

    /// Saves a screenshot of the page as `target/screenshots/<name>.png`.
    pub async fn screenshot(&self, name: &str) {
        let png: Result<Vec<u8>, CmdError> = self.client.screenshot().await;
        let png = png.expect("a screenshot");
        let dir = screenshots_dir();
        std::fs::create_dir_all(&dir).expect("the screenshots folder");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("the screenshot is saved");
    }

    /// Ends the browser session (the processes end with `self`).
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if let Some(group) = self.driver.id() {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", "--", &format!("-{group}")])
                .stderr(Stdio::null())
                .status();
        }
    }
}

/// `target/screenshots/`, beside the profile folder (`debug/`) the test binary runs from.
fn screenshots_dir() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.ancestors().nth(3).map(Path::to_path_buf))
        .unwrap_or_else(|| PathBuf::from("target"))
        .join("screenshots")
}
