//! The default device-code handler: instructions and a live indicator on stderr.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use super::handler::{DeviceCodeHandler, DeviceCodePrompt};

const SPINNER: [char; 4] = ['|', '/', '-', '\\'];

/// Prints the verification URL and code (or the browser-login URL) on stderr; on a terminal it keeps a
/// "waiting for approval" line with the elapsed time up to date, otherwise it prints
/// plain lines.
#[derive(Debug, Clone)]
pub struct ConsoleDeviceCodeHandler {
    live: bool,
}

impl Default for ConsoleDeviceCodeHandler {
    fn default() -> Self {
        Self::new()
    }
}

impl ConsoleDeviceCodeHandler {
    /// A handler that shows a live indicator when stderr is a terminal.
    pub fn new() -> Self {
        Self {
            live: std::io::stderr().is_terminal(),
        }
    }

    fn write(&self, text: &str) {
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(text.as_bytes());
        let _ = err.flush();
    }
}

/// The instructions shown for a prompt.
fn instructions(prompt: &DeviceCodePrompt) -> String {
    let minutes = prompt.expires_in.as_secs() / 60;
    format!(
        "\nSign in to Codex with your ChatGPT account:\n\n  1. Open {}\n  2. Enter the code  {}\n\n  (the code expires in {minutes} minutes)\n\n",
        prompt.verification_url, prompt.user_code
    )
}

impl DeviceCodeHandler for ConsoleDeviceCodeHandler {
    fn show(&self, prompt: &DeviceCodePrompt) {
        self.write(&instructions(prompt));
        if !self.live {
            self.write("Waiting for approval...\n");
        }
    }

    /// Prints the URL; on a terminal it also opens the default browser (`$BROWSER`,
    /// else the desktop's opener) on a thread of its own, since text browsers block.
    fn open_browser(&self, authorize_url: &str) {
        self.write(&format!(
            "\nSign in to Codex with your ChatGPT account in a browser on this machine:\n\n  {authorize_url}\n\n"
        ));
        if self.live {
            #[cfg(feature = "browser-login")]
            {
                let url = authorize_url.to_owned();
                std::thread::spawn(move || {
                    if let Err(error) = webbrowser::open(&url) {
                        tracing::debug!(%error, "could not open a browser");
                    }
                });
            }
        } else {
            self.write("Waiting for the browser...\n");
        }
    }

    fn waiting(&self, elapsed: Duration) {
        if self.live {
            let secs = elapsed.as_secs();
            let spin = SPINNER[usize::try_from(secs % 4).unwrap_or(0)];
            let line = format!(
                "\r{spin} Waiting for approval... {}:{:02} ",
                secs / 60,
                secs % 60
            );
            self.write(&line);
        }
    }

    fn finished(&self, success: bool) {
        let end = if self.live { "\r\x1b[2K" } else { "" };
        let text = if success {
            "Signed in to Codex.\n"
        } else {
            "Codex sign-in did not complete.\n"
        };
        self.write(&format!("{end}{text}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instructions_show_url_and_code() {
        let text = instructions(&DeviceCodePrompt {
            verification_url: "https://auth.openai.com/codex/device".into(),
            user_code: "ABCD-1234".into(),
            expires_in: Duration::from_secs(900),
        });
        assert!(text.contains("Open https://auth.openai.com/codex/device"));
        assert!(text.contains("Enter the code  ABCD-1234"));
        assert!(text.contains("expires in 15 minutes"));
    }
}
