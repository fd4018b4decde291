//! Drives the real Pendamping binary through tauri-driver (which starts WebKitWebDriver):
//! one fresh data directory, one driver and one window per test. Needs a display (run
//! under `xvfb-run`) and a binary built with the UI embedded:
//! `npm --prefix ui run build && cargo build -p pendamping-desktop --features tauri/custom-protocol`.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use fantoccini::{Client, ClientBuilder, Locator, elements::Element};
use serde_json::{Value, json};

pub mod browser;

/// The app binary: `PENDAMPING_APP` or the workspace's debug build.
pub fn app_binary() -> PathBuf {
    std::env::var_os("PENDAMPING_APP")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/debug/pendamping-desktop"))
}

/// Where screenshots go, for a person to review after the run.
pub fn shots_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/e2e-screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot directory");
    dir
}

/// Two free ports, told apart: both are held while the second is chosen, since a port let
/// go is often the very next one the system hands out, and a driver whose native port is its
/// own cannot start (CI saw "webdriver server did not respond" for two scenarios in a row).
pub(crate) fn free_ports() -> (u16, u16) {
    let bind = || TcpListener::bind("127.0.0.1:0").expect("a free port");
    let (a, b) = (bind(), bind());
    let port = |l: &TcpListener| l.local_addr().expect("a bound port").port();
    (port(&a), port(&b))
}

/// tauri-driver, stopped with SIGTERM on drop: only then does it stop WebKitWebDriver too.
struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    fn start(data_dir: &Path, export_dir: &Path) -> Result<Driver> {
        let (port, native) = free_ports();
        let child = Command::new("tauri-driver")
            .args(["--port", &port.to_string(), "--native-port", &native.to_string()])
            // The app inherits the driver's environment.
            .env("PENDAMPING_DATA_DIR", data_dir)
            .env("PENDAMPING_EXPORT_DIR", export_dir)
            .env("XDG_DATA_HOME", data_dir.join("xdg"))
            .env("XDG_CACHE_HOME", data_dir.join("cache"))
            .env("PENDAMPING_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .context("tauri-driver is not installed: cargo install tauri-driver --locked")?;
        Ok(Driver { child, port })
    }
}

impl Driver {
    /// The driver's address, once it listens (it takes a moment).
    async fn listening(&self) -> Result<String> {
        let url = format!("http://127.0.0.1:{}", self.port);
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            if Instant::now() > deadline {
                bail!("the WebDriver server did not start listening on {url}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(url)
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One running app window with its own empty data directory.
pub struct App {
    pub page: Page,
    pub data: tempfile::TempDir,
    pub exports: PathBuf,
    /// When the session was asked for (the app's process starts then).
    pub started: Instant,
    _driver: Driver,
}

/// The team member every scenario logs in as, unless it tries the door itself.
pub const MEMBER: &str = "Bu Sari";
pub const PIN: &str = "13579024";

impl App {
    /// A new device, its first member in with [`PIN`].
    pub async fn start() -> Result<App> {
        let data = tempfile::tempdir()?;
        App::start_in(data).await
    }

    /// Starts the app on an existing data directory (a store made beforehand, plain: the
    /// first member's PIN encrypts it), and comes in as [`MEMBER`].
    pub async fn start_in(data: tempfile::TempDir) -> Result<App> {
        let app = App::launch_in(data).await?;
        app.enter(MEMBER, PIN).await?;
        Ok(app)
    }

    /// Comes in at the door: as the first member of a new device, or by name and PIN.
    pub async fn enter(&self, member: &str, pin: &str) -> Result<()> {
        // The door draws its choices once it has read the key file: wait for them.
        self.find("[data-screen=door] button[name=first-member], [data-screen=door] button[data-login]")
            .await?;
        let first = self
            .js("return !!document.querySelector('button[name=first-member]')")
            .await?;
        if first == json!(true) {
            self.type_in("input[name=member-name]", member).await?;
            self.type_in("input[name=pin]", pin).await?;
            self.type_in("input[name=pin-again]", pin).await?;
            self.click("button[name=first-member]").await?;
        } else {
            self.click(&format!("button[data-login='{member}']")).await?;
            self.type_in("input[name=pin]", pin).await?;
            self.click("button[name=unlock]").await?;
        }
        // In: the door is gone.
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.js("return !!document.querySelector('[data-screen=door]')").await? == json!(true) {
            if Instant::now() > deadline {
                let body = self.js("return document.body.innerText").await.unwrap_or_default();
                bail!("still at the door: {body}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(())
    }

    /// Starts the app and stops at its door.
    pub async fn launch_in(data: tempfile::TempDir) -> Result<App> {
        if !app_binary().exists() {
            bail!(
                "no app at {}: npm --prefix ui run build && cargo build -p pendamping-desktop",
                app_binary().display()
            );
        }
        let exports = data.path().join("exports");
        for sub in ["xdg", "cache"] {
            std::fs::create_dir_all(data.path().join(sub))?;
        }
        let driver = Driver::start(data.path(), &exports)?;
        let url = driver.listening().await?;
        let caps = json!({
            "browserName": "wry",
            "tauri:options": { "application": app_binary(), "args": [] }
        });
        // Two crypto providers are linked in; the driver is plain HTTP, any will do.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let started = Instant::now();
        let client = ClientBuilder::rustls()?
            .capabilities(caps.as_object().expect("object").clone())
            .connect(&url)
            .await
            .context("no WebDriver session: is there a display (xvfb-run) and a built app?")?;
        Ok(App {
            page: Page { client },
            data,
            exports,
            started,
            _driver: driver,
        })
    }

    /// Calls a command the way the UI does, for setting up data quickly.
    pub async fn invoke(&self, cmd: &str, args: Value) -> Result<Value> {
        let v = self
            .client
            .execute_async(
                "const [cmd, args, done] = arguments;
                 window.__TAURI_INTERNALS__.invoke(cmd, args).then(
                   (r) => done({ok: r}), (e) => done({err: e}));",
                vec![json!(cmd), args],
            )
            .await?;
        match v.get("ok") {
            Some(ok) => Ok(ok.clone()),
            None => bail!("{cmd} failed: {}", v["err"]),
        }
    }

    pub async fn close(self) -> Result<()> {
        self.page.client.close().await?;
        Ok(())
    }

    /// Closes the app and starts it again on the same data directory, stopped at its door:
    /// the laptop switched off and on.
    pub async fn restart(self) -> Result<App> {
        let App {
            page, data, _driver, ..
        } = self;
        page.client.close().await?;
        drop(_driver);
        App::launch_in(data).await
    }
}

impl std::ops::Deref for App {
    type Target = Page;
    fn deref(&self) -> &Page {
        &self.page
    }
}

/// A WebDriver session on a page: the app's window or a browser's tab.
pub struct Page {
    pub client: Client,
}

impl Page {
    pub async fn find(&self, css: &str) -> Result<Element> {
        self.find_within(css, Duration::from_secs(10)).await
    }

    /// `find`, waiting up to `limit`: for what follows a background step of its own (a
    /// hub starting again after the log-in, then its device's next sync).
    pub async fn find_within(&self, css: &str, limit: Duration) -> Result<Element> {
        let found = self.client.wait().at_most(limit).for_element(Locator::Css(css)).await;
        if found.is_err() {
            // What the screen showed instead, for whoever reads the failure.
            let body = self.js("return document.body.innerText").await.unwrap_or_default();
            self.screenshot("failure").await.ok();
            return found.with_context(|| format!("no element {css}; the screen shows: {body}"));
        }
        Ok(found?)
    }

    /// Taps an element, scrolled to the middle of the screen first: the tab bar fixed at
    /// the bottom would otherwise cover what WebDriver scrolls to the bottom edge.
    /// A screen that redraws between the finding and the tap (a sync's refresh) replaced the
    /// node: the finger lands on the new one, so the tap is tried again on it.
    pub async fn click(&self, css: &str) -> Result<()> {
        let mut tries = 0;
        loop {
            let el = self.find(css).await?;
            let tapped = async {
                self.client
                    .execute(
                        "arguments[0].scrollIntoView({block: 'center'})",
                        vec![serde_json::to_value(&el)?],
                    )
                    .await?;
                el.click().await?;
                Ok::<(), anyhow::Error>(())
            }
            .await;
            match tapped {
                Err(e) if tries < 3 && stale(&e) => tries += 1,
                // Under load the window may answer a tap while it redraws (covered, not yet
                // interactable, or an error with no words at all): tapped again after a beat.
                Err(e) if tries < 3 && redrawing(&e) => {
                    tries += 1;
                    tokio::time::sleep(std::time::Duration::from_millis(250)).await;
                }
                other => return other.with_context(|| format!("click {css}")),
            }
        }
    }

    /// Types into a text field, as a finger on the on-screen keyboard would.
    pub async fn type_in(&self, css: &str, text: &str) -> Result<()> {
        let el = self.find(css).await?;
        el.clear().await?;
        el.send_keys(text).await.with_context(|| format!("type into {css}"))
    }

    /// Sets a date or select control (their pickers are native widgets) and fires the events
    /// a person's choice fires.
    pub async fn set(&self, css: &str, value: &str) -> Result<()> {
        self.find(css).await?;
        self.client
            .execute(
                "const el = document.querySelector(arguments[0]); el.value = arguments[1];
                 el.dispatchEvent(new Event('input', {bubbles: true}));
                 el.dispatchEvent(new Event('change', {bubbles: true}));",
                vec![json!(css), json!(value)],
            )
            .await?;
        Ok(())
    }

    pub async fn text(&self, css: &str) -> Result<String> {
        Ok(self.find(css).await?.text().await?)
    }

    /// Waits until `css` has text containing `want`.
    pub async fn wait_text(&self, css: &str, want: &str) -> Result<String> {
        self.wait_for(css, want, |got| got.contains(want)).await
    }

    /// Waits until `css` holds text containing `want`, read from the page (`textContent`),
    /// not from what the driver judges visible: a row the timeline just redrew.
    pub async fn wait_content(&self, css: &str, want: &str) -> Result<String> {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let got = self
                .client
                .execute(
                    "const e = document.querySelector(arguments[0]); return e ? e.textContent : '';",
                    vec![json!(css)],
                )
                .await?;
            let got = got.as_str().unwrap_or_default().to_string();
            if got.contains(want) {
                return Ok(got);
            }
            if Instant::now() > deadline {
                bail!("{css} holds {got:?}, not {want:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until `css` shows the count `n` exactly ("10" is not 0 nor 1; "1.234" is 1234).
    pub async fn wait_count(&self, css: &str, n: u64) -> Result<String> {
        self.wait_for(css, &n.to_string(), |got| {
            let digits: String = got.chars().filter(char::is_ascii_digit).collect();
            !digits.is_empty() && digits.parse::<u64>().ok() == Some(n)
        })
        .await
    }

    async fn wait_for(&self, css: &str, want: &str, done: impl Fn(&str) -> bool) -> Result<String> {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let got = match self.client.find(Locator::Css(css)).await {
                Ok(el) => el.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if done(&got) {
                return Ok(got);
            }
            if Instant::now() > deadline {
                bail!("{css} shows {got:?}, not {want:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn js(&self, script: &str) -> Result<Value> {
        Ok(self.client.execute(script, vec![]).await?)
    }

    /// Waits until the page has drawn what it last changed (two animation frames, the
    /// fonts loaded, a scroll finished): the ready marker a screenshot waits for, instead of
    /// a guessed sleep.
    pub async fn settle(&self) -> Result<()> {
        self.client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 document.fonts.ready.then(() => requestAnimationFrame(() => requestAnimationFrame(() => done(true))));",
                vec![],
            )
            .await?;
        Ok(())
    }

    pub async fn screenshot(&self, name: &str) -> Result<()> {
        self.settle().await?;
        let png = self.client.screenshot().await?;
        std::fs::write(shots_dir().join(format!("{name}.png")), png)?;
        Ok(())
    }
}

/// Whether WebDriver's error says the element left the page (redrawn since it was found).
/// An answer to a tap that says the window was between two drawings.
fn redrawing(e: &anyhow::Error) -> bool {
    let text = format!("{e:#}");
    text.contains("click intercepted")
        || text.contains("not interactable")
        || text.trim_end().ends_with("webdriver returned error:")
}

fn stale(e: &anyhow::Error) -> bool {
    let text = format!("{e:#}");
    text.contains("stale element") || text.contains("was not found")
}
