//! Reads the site's settings from the Worker's environment (`[vars]`, `.dev.vars`, `--var`,
//! secrets) and hands them to the core for validation.

use capiflare_core::config::{Config, ConfigError};
use worker::Env;

/// The validated configuration plus the secrets, which never leave the edge.
pub(crate) struct Settings {
    pub(crate) config: Config,
    pub(crate) api_key: Option<String>,
    env: Env,
}

impl core::fmt::Debug for Settings {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Settings")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// A setting as text: a string var or secret, or a structured var (a TOML table) as JSON.
fn setting(env: &Env, name: &str) -> Option<String> {
    if let Ok(v) = env.var(name) {
        return Some(v.to_string());
    }
    env.object_var::<serde_json::Value>(name)
        .ok()
        .map(|v| v.to_string())
}

impl Settings {
    pub(crate) fn load(env: &Env) -> Result<Self, ConfigError> {
        let config = Config::from_settings(|name| setting(env, name))?;
        let api_key = setting(env, "CAPIFLARE_API_KEY").filter(|k| !k.trim().is_empty());
        if api_key.as_deref().is_some_and(|k| k.len() < 16) {
            return Err(ConfigError {
                setting: "CAPIFLARE_API_KEY",
                problem: "must be at least 16 characters",
            });
        }
        Ok(Self {
            config,
            api_key,
            env: env.clone(),
        })
    }

    /// The access token for a pixel: `META_ACCESS_TOKEN_<pixel>` or `META_ACCESS_TOKEN`. `None`
    /// means dry-run: store and show the payload, send nothing.
    pub(crate) fn token(&self, pixel_id: &str) -> Option<String> {
        setting(&self.env, &["META_ACCESS_TOKEN_", pixel_id].concat())
            .or_else(|| setting(&self.env, "META_ACCESS_TOKEN"))
            .filter(|t| !t.trim().is_empty())
    }
}
