//! Policies from configuration files and environment variables.
//!
//! - this file: [`CorsConfig`], its keys (one per [`Field`](crate::Field)), and how it builds;
//! - `setting`: the value of a list key (a keyword, a comma-separated string or a list);
//! - `env`: the overlay of `PREFIX_KEY` environment variables;
//! - `env_error`: what can be wrong with those variables.

use std::time::Duration;

use serde::Deserialize;

use crate::builder::CorsBuilder;
use crate::layer::CorsLayer;
use crate::policy::{Settings, Switches};
use crate::report::error::ConfigError;
use crate::report::field::{switches, Field};

mod env;
mod env_error;
mod setting;

use env::{FromVar, ValueProblem};
pub use env_error::{EnvError, EnvProblem, EnvProblemKind};
use setting::Setting;

/// Defines [`CorsConfig`], with a key for each switch of the `switches!` table.
macro_rules! define_config {
    ($( $(#[$doc:meta])* $name:ident: $ty:ty = $default:expr => $variant:ident, $value:literal $(, warns $warning:ident)?; )*) => {
        /// A CORS policy as written in a configuration file or in environment variables.
        ///
        /// `CorsConfig` implements [`serde::Deserialize`], so it reads from TOML, JSON, YAML or any
        /// other self-describing serde format, on its own or as a table inside an application's
        /// configuration (in YAML, quote the wildcard: `allow_origins: "*"`).
        /// [`CorsConfig::build`] turns it into a [`CorsLayer`] through [`CorsBuilder::build`], with
        /// the same checks, and reports every problem at once with the key it is about.
        ///
        /// Every key is optional; a key left out keeps the [`CorsBuilder`] default. An unknown key is
        /// an error, so a misspelt key never goes unnoticed.
        ///
        /// | Key | Value | Builder method |
        /// |---|---|---|
        /// | `allow_origins` | origins and patterns, `"*"`, `"mirror"` or `"dangerously_mirror_any_origin_with_credentials"` | [`allow_origin`](CorsBuilder::allow_origin) |
        /// | `allow_methods` | methods, `"*"` or `"mirror"` | [`allow_methods`](CorsBuilder::allow_methods) |
        /// | `allow_headers` | header names, `"*"`, `"*, authorization"` or `"mirror"` | [`allow_headers`](CorsBuilder::allow_headers) |
        /// | `expose_headers` | header names or `"*"` | [`expose_headers`](CorsBuilder::expose_headers) |
        /// | `allow_credentials` | boolean | [`allow_credentials`](CorsBuilder::allow_credentials) |
        /// | `max_age_secs` | whole seconds | [`max_age`](CorsBuilder::max_age) |
        /// | `allow_private_network` | boolean | [`allow_private_network`](CorsBuilder::allow_private_network) |
        /// | `preflight_status` | status code, 2xx | [`preflight_status`](CorsBuilder::preflight_status) |
        $(
            #[doc = concat!(
                "| `", stringify!($name), "` | ", $value, " | [`", stringify!($name),
                "`](CorsBuilder::", stringify!($name), ") |"
            )]
        )*
        /// | `policies` | a list of tables with the keys above and `paths` (top level only) | [`policy`](CorsBuilder::policy) |
        /// | `paths` | path prefixes (in a `policies` entry only) | [`paths`](CorsBuilder::paths) |
        ///
        /// The four list keys take a list of strings, or a single string:
        ///
        /// - a list, such as `["https://app.example.com", "https://*.example.com"]`, is used as
        ///   written, each entry checked on its own. A keyword inside a list is not a keyword: `"*"`
        ///   in a list is an error, as it is for the builder.
        /// - a string is either a keyword or a comma-separated list: `"*"` allows anything,
        ///   `"mirror"` echoes what the request asks for, and
        ///   `"https://a.example.com, https://b.example.com"` is the same as the two-entry list.
        ///   Spaces around entries are dropped, as are empty entries. An empty string is an empty
        ///   list: `allow_origins = ""` refuses every origin.
        ///
        /// Keywords, by key:
        ///
        /// - `allow_origins`: `"*"` ([`AllowOrigin::any`](crate::AllowOrigin::any)), `"mirror"`
        ///   ([`AllowOrigin::mirror_request`](crate::AllowOrigin::mirror_request)) and `"dangerously_mirror_any_origin_with_credentials"`
        ///   ([`AllowOrigin::dangerously_mirror_any_origin_with_credentials`](crate::AllowOrigin::dangerously_mirror_any_origin_with_credentials)). Leaving `allow_origins`
        ///   out refuses every origin with a warning, as for the builder; use `[]` to refuse every
        ///   origin on purpose.
        /// - `allow_methods`: `"*"` ([`AllowMethods::any`](crate::AllowMethods::any)) and `"mirror"`
        ///   ([`AllowMethods::mirror_request`](crate::AllowMethods::mirror_request)).
        /// - `allow_headers`: `"*"` ([`AllowHeaders::any`](crate::AllowHeaders::any), which browsers never apply to
        ///   `Authorization`), `"*, authorization"` ([`AllowHeaders::any_with_authorization`](crate::AllowHeaders::any_with_authorization),
        ///   the value the layer then sends) and `"mirror"` ([`AllowHeaders::mirror_request`](crate::AllowHeaders::mirror_request)).
        /// - `expose_headers`: `"*"` ([`ExposeHeaders::any`](crate::ExposeHeaders::any)).
        ///
        /// # Example
        ///
        /// Every key, in TOML:
        ///
        /// ```
        /// use tower_cors::CorsConfig;
        ///
        /// let config: CorsConfig = toml::from_str(r#"
        ///     allow_origins = ["https://app.example.com", "https://*.preview.example.com"]
        ///     allow_methods = ["GET", "POST", "PUT", "DELETE"]
        ///     allow_headers = ["content-type", "authorization"]
        ///     expose_headers = ["x-request-id"]
        ///     allow_credentials = true
        ///     max_age_secs = 600
        ///     allow_private_network = false
        ///     preflight_status = 204
        ///     strict_preflight = false
        ///     reject_disallowed_origins = false
        ///     preflight_continue = false
        ///     max_request_headers = 64
        ///     max_request_header_name_len = 128
        ///     preserve_inner_cors_headers = false
        ///     dangerously_allow_public_suffix_patterns = false
        ///     dangerously_allow_cross_origin_websockets = false
        ///     warnings_as_errors = true
        /// "#)?;
        /// let layer = config.build()?;
        /// # let _ = layer;
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
        ///
        /// Inside an application's configuration, here in JSON. With `#[serde(default)]` a missing
        /// `cors` table is the default configuration, which allows no origin (with a warning saying so):
        ///
        /// ```
        /// use serde::Deserialize;
        /// use tower_cors::CorsConfig;
        ///
        /// #[derive(Deserialize)]
        /// struct AppConfig {
        ///     listen: String,
        ///     #[serde(default)]
        ///     cors: CorsConfig,
        /// }
        ///
        /// let app: AppConfig = serde_json::from_str(r#"{
        ///     "listen": "0.0.0.0:8080",
        ///     "cors": { "allow_origins": "*", "allow_headers": "*, authorization" }
        /// }"#)?;
        /// let layer = app.cors.into_layer()?;
        /// # let _ = (layer, app.listen);
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
        ///
        /// Nest it as a table of its own: `#[serde(flatten)]` does not work together with the
        /// unknown-key check.
        ///
        /// A set of policies: the keys at the top level are the last resort, and each `[[policies]]`
        /// table is a complete policy of its own, with the same keys and `paths`. The first policy
        /// whose paths match and whose origins admit the request's origin decides:
        ///
        /// ```
        /// use http::{header, Request};
        /// use tower_cors::CorsConfig;
        ///
        /// let config: CorsConfig = toml::from_str(r#"
        ///     allow_origins = ["https://app.example.com"]
        ///     allow_methods = ["GET", "POST"]
        ///
        ///     [[policies]]
        ///     allow_origins = ["https://admin.example.com"]
        ///     allow_methods = ["GET", "POST", "DELETE"]
        ///     allow_credentials = true
        ///
        ///     [[policies]]
        ///     paths = ["/public/"]
        ///     allow_origins = "*"
        ///     allow_methods = ["GET"]
        /// "#)?;
        /// let layer = config.build()?;
        /// let get = |origin, path| Request::get(path).header(header::ORIGIN, origin).body(()).unwrap();
        /// assert_eq!(layer.decide(&get("https://admin.example.com", "/users")).policy(), Some(0));
        /// assert_eq!(layer.decide(&get("https://anyone.example", "/public/logo.svg")).policy(), Some(1));
        /// assert!(!layer.decide(&get("https://anyone.example", "/users")).is_allowed());
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
        ///
        /// Every problem at once, each with its key:
        ///
        /// ```
        /// use tower_cors::CorsConfig;
        ///
        /// let config: CorsConfig = toml::from_str(r#"
        ///     allow_origins = ["https://a.example.com", "https://b.example.com/"]
        ///     preflight_status = 99
        /// "#)?;
        /// let err = config.build().unwrap_err();
        /// assert_eq!(err.problems()[0].path(), "allow_origins[1]");
        /// assert_eq!(err.problems()[1].path(), "preflight_status");
        /// # Ok::<(), toml::de::Error>(())
        /// ```
        ///
        /// From environment variables, see [`CorsConfig::from_env`]. To follow a file as it changes,
        /// see `tower_cors::watch` (feature `watch`).
        #[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
        #[serde(default, deny_unknown_fields)]
        pub struct CorsConfig {
            allow_origins: Option<Setting>,
            allow_methods: Option<Setting>,
            allow_headers: Option<Setting>,
            expose_headers: Option<Setting>,
            allow_credentials: bool,
            max_age_secs: Option<u64>,
            allow_private_network: bool,
            preflight_status: Option<u16>,
            $($name: Option<$ty>,)*
            paths: Option<Vec<String>>,
            policies: Vec<CorsConfig>,
        }

        impl CorsConfig {
            /// The switches this configuration sets, the defaults for the others.
            fn switches(&self) -> Switches {
                let defaults = Switches::default();
                Switches {
                    $($name: self.$name.unwrap_or(defaults.$name),)*
                }
            }

            /// Sets a switch from an environment variable's value; `None` for a key that is no
            /// switch.
            fn set_switch(&mut self, key: Field, value: &str) -> Option<Result<(), ValueProblem>> {
                match key {
                    $(Field::$variant => Some(FromVar::from_var(value).map(|v| self.$name = Some(v))),)*
                    _ => None,
                }
            }
        }
    };
}

switches!(define_config);

impl CorsConfig {
    /// Builds the layer: converts the configuration into a [`CorsBuilder`] and calls
    /// [`CorsBuilder::build`].
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] listing every problem, in the order of the keys, each with its path
    /// (`allow_origins[2]`, `preflight_status`) and offending value: everything
    /// [`CorsBuilder::build`] refuses, and a `preflight_status` that is not an HTTP status
    /// code at all ([`ProblemKind::InvalidStatus`](crate::ProblemKind::InvalidStatus)).
    ///
    /// ```
    /// use tower_cors::CorsConfig;
    ///
    /// let config: CorsConfig = toml::from_str(r#"
    ///     allow_origins = ["https://app.example.com", "https://b.example.com/"]
    /// "#)?;
    /// let err = config.build().unwrap_err();
    /// assert_eq!(
    ///     err.problems()[0].to_string(),
    ///     "allow_origins[1]: \"https://b.example.com/\" has a trailing slash, which no \
    ///      Origin header has; remove the trailing slash"
    /// );
    /// # Ok::<(), toml::de::Error>(())
    /// ```
    pub fn build(&self) -> Result<CorsLayer, ConfigError> {
        CorsBuilder::from_settings(self.settings()).build()
    }

    /// The settings this configuration describes, policies of a set included.
    fn settings(&self) -> Settings {
        let defaults = Settings::default();
        Settings {
            allow_origin: self
                .allow_origins
                .as_ref()
                .map_or(defaults.allow_origin, Setting::origins),
            allow_methods: self
                .allow_methods
                .as_ref()
                .map_or(defaults.allow_methods, Setting::methods),
            allow_headers: self
                .allow_headers
                .as_ref()
                .map_or(defaults.allow_headers, Setting::headers),
            expose_headers: self
                .expose_headers
                .as_ref()
                .map_or(defaults.expose_headers, Setting::expose),
            allow_credentials: self.allow_credentials.into(),
            max_age: self
                .max_age_secs
                .map_or_else(Default::default, |secs| Duration::from_secs(secs).into()),
            allow_private_network: self.allow_private_network.into(),
            preflight_status: self.preflight_status,
            switches: self.switches(),
            paths: self.paths.clone(),
            policies: self.policies.iter().map(CorsConfig::settings).collect(),
            ..defaults
        }
    }

    /// Builds the layer, consuming the configuration; the same as [`CorsConfig::build`].
    ///
    /// # Errors
    ///
    /// See [`CorsConfig::build`].
    ///
    /// ```
    /// use tower_cors::CorsConfig;
    ///
    /// let config: CorsConfig = serde_json::from_str(r#"{"allow_origins": "*"}"#)?;
    /// let layer = config.into_layer()?;
    /// # let _ = layer;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn into_layer(self) -> Result<CorsLayer, ConfigError> {
        self.build()
    }
}
