//! Headless Chromium through chromedriver (Debian's `chromium` and `chromium-driver`), for
//! the dashboard the server serves: a fresh profile and download folder per browser.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use fantoccini::ClientBuilder;
use serde_json::json;

use crate::{Driver, Page, free_ports};

pub struct Browser {
    pub page: Page,
    /// Where the browser saves what a page downloads.
    pub downloads: PathBuf,
    _profile: tempfile::TempDir,
    _driver: Driver,
}

impl std::ops::Deref for Browser {
    type Target = Page;
    fn deref(&self) -> &Page {
        &self.page
    }
}

impl Browser {
    /// A browser window of `width` × `height` CSS pixels.
    pub async fn start(width: u32, height: u32) -> Result<Browser> {
        let profile = tempfile::tempdir()?;
        let downloads = profile.path().join("unduhan");
        std::fs::create_dir_all(&downloads)?;
        let (port, _) = free_ports();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("chromedriver is not installed: apt-get install chromium chromium-driver")?;
        let driver = Driver { child, port };
        let url = driver.listening().await?;
        let caps = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--lang=id-ID",
                    format!("--window-size={width},{height}"),
                    format!("--user-data-dir={}", profile.path().join("profil").display()),
                ],
                "prefs": {
                    "download.default_directory": downloads,
                    "download.prompt_for_download": false,
                    "intl.accept_languages": "id-ID,id",
                },
            }
        });
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = ClientBuilder::rustls()?
            .capabilities(caps.as_object().expect("object").clone())
            .connect(&url)
            .await
            .context("no Chromium session")?;
        Ok(Browser {
            page: Page { client },
            downloads,
            _profile: profile,
            _driver: driver,
        })
    }

    pub async fn goto(&self, url: &str) -> Result<()> {
        self.client.goto(url).await.with_context(|| format!("open {url}"))
    }

    /// The page's text, as a person reads it.
    pub async fn body(&self) -> Result<String> {
        Ok(self.find("body").await?.text().await?)
    }

    /// Waits for a download named `name` to finish and returns its path.
    pub async fn downloaded(&self, name: &str) -> Result<PathBuf> {
        let path = self.downloads.join(name);
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if path.exists() && !partial(&self.downloads)? {
                return Ok(path);
            }
            if Instant::now() > deadline {
                let there: Vec<_> = std::fs::read_dir(&self.downloads)?
                    .filter_map(|e| e.ok().map(|e| e.file_name()))
                    .collect();
                bail!("no download {name}; the folder holds {there:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn close(self) -> Result<()> {
        self.page.client.close().await?;
        Ok(())
    }
}

/// Is a download still being written?
fn partial(dir: &Path) -> Result<bool> {
    Ok(std::fs::read_dir(dir)?
        .filter_map(|e| e.ok())
        .any(|e| e.file_name().to_string_lossy().ends_with(".crdownload")))
}
