// figment's `Jail` closures return its large error type.
#![allow(clippy::result_large_err)]

use figment::Jail;
use pretty_assertions::assert_eq;

use super::*;

fn isolated(jail: &mut Jail) -> PathBuf {
    let home = jail.directory().to_path_buf();
    jail.set_env("XDG_CONFIG_HOME", home.join("xdg").display());
    home.join("xdg")
}

#[test]
fn defaults_follow_xdg_config_home() {
    Jail::expect_with(|jail| {
        let xdg = isolated(jail);
        let config = ConfigLoader::new().load().unwrap();
        assert_eq!(config.store.dir, xdg.join("clanka"));
        assert_eq!(config.auth.issuer, "https://auth.openai.com");
        assert_eq!(config.auth.api_key, None);
        assert_eq!(config.codex.base_url, None, "the sign-in mode chooses");
        assert_eq!(config.model.primary, None, "the catalogue chooses");
        assert_eq!(config.model.primary_effort, None);
        assert_eq!(config.model.subagent, None);
        assert_eq!(config.model.subagent_effort, None);
        Ok(())
    });
}

#[test]
fn home_config_is_the_fallback() {
    Jail::expect_with(|jail| {
        let home = jail.directory().to_path_buf();
        jail.set_env("XDG_CONFIG_HOME", "");
        jail.set_env("HOME", home.display());
        assert_eq!(
            Config::default_file(),
            home.join(".config/clanka/config.toml")
        );
        Ok(())
    });
}

#[test]
fn layers_apply_in_order() {
    Jail::expect_with(|jail| {
        isolated(jail);
        jail.create_dir("xdg/clanka")?;
        jail.create_file(
            "xdg/clanka/config.toml",
            "[model]\nprimary = \"from-file\"\nsubagent = \"from-file\"\nsubagent_effort = \"medium\"\n",
        )?;
        jail.set_env("CLANKA_MODEL__SUBAGENT", "from-env");
        jail.set_env(
            "CLANKA_CODEX__BASE_URL",
            "http://127.0.0.1:9/backend-api/codex",
        );
        let config = ConfigLoader::new()
            .set("model.subagent_effort", "high")
            .load()
            .unwrap();
        assert_eq!(config.model.primary.as_deref(), Some("from-file"));
        assert_eq!(config.model.subagent.as_deref(), Some("from-env"));
        assert_eq!(config.model.subagent_effort, Some(ReasoningEffort::High));
        assert_eq!(
            config.codex.base_url.as_deref(),
            Some("http://127.0.0.1:9/backend-api/codex")
        );
        Ok(())
    });
}

#[test]
fn string_settings_accept_numbers_and_booleans() {
    Jail::expect_with(|jail| {
        isolated(jail);
        jail.set_env("CLANKA_MODEL__PRIMARY", "5");
        jail.set_env("CLANKA_MODEL__SUBAGENT", "true");
        jail.set_env("CLANKA_STORE__DIR", "/tmp/1.5");
        let config = ConfigLoader::new().load().unwrap();
        assert_eq!(config.model.primary.as_deref(), Some("5"));
        assert_eq!(config.model.subagent.as_deref(), Some("true"));
        assert_eq!(config.store.dir, PathBuf::from("/tmp/1.5"));
        Ok(())
    });
}

#[test]
fn client_settings_from_a_file_and_the_environment() {
    Jail::expect_with(|jail| {
        isolated(jail);
        jail.create_file(
            "client.toml",
            "[codex]\ncompress_requests = false\nmax_conversations = 4096\n[auth]\nrefresh_margin_sec = 60\n",
        )?;
        let config = ConfigLoader::new().file("client.toml").load().unwrap();
        assert_eq!(config.codex.compress_requests, Some(false));
        assert_eq!(config.codex.max_conversations, Some(4096));
        assert_eq!(config.auth.refresh_margin_sec, Some(60));
        assert!(super::unknown::unknown_keys(Path::new("client.toml")).is_empty());

        jail.set_env("CLANKA_CODEX__COMPRESS_REQUESTS", "1");
        jail.set_env("CLANKA_CODEX__MAX_CONVERSATIONS", "");
        let config = ConfigLoader::new().file("client.toml").load().unwrap();
        assert_eq!(config.codex.compress_requests, Some(true));
        assert_eq!(config.codex.max_conversations, None, "empty is unset");

        jail.set_env("CLANKA_CODEX__COMPRESS_REQUESTS", "maybe");
        let message = ConfigLoader::new().load().unwrap_err().to_string();
        assert!(
            message.contains("CLANKA_CODEX__COMPRESS_REQUESTS")
                && message.contains("true or false"),
            "{message}"
        );
        Ok(())
    });
}

#[test]
fn malformed_file_names_the_file_and_key() {
    Jail::expect_with(|jail| {
        isolated(jail);
        jail.create_file("bad.toml", "[model]\nprimary = 5\n")?;
        let err = ConfigLoader::new().file("bad.toml").load().unwrap_err();
        let message = err.to_string();
        assert!(message.contains("model.primary"), "{message}");
        assert!(message.contains("bad.toml"), "{message}");
        Ok(())
    });
}

#[test]
fn a_bad_effort_is_refused_at_load_naming_the_key_the_source_and_the_choices() {
    Jail::expect_with(|jail| {
        isolated(jail);
        jail.set_env("CLANKA_MODEL__PRIMARY_EFFORT", "huge");
        let message = ConfigLoader::new().load().unwrap_err().to_string();
        let lower = message.to_lowercase();
        assert!(lower.contains("model.primary_effort"), "{message}");
        assert!(
            message.contains("the environment variable CLANKA_MODEL__PRIMARY_EFFORT"),
            "{message}"
        );
        assert!(
            message.contains("unknown reasoning effort `huge`"),
            "{message}"
        );
        assert!(message.contains("xhigh, max, ultra"), "{message}");
        jail.set_env("CLANKA_MODEL__PRIMARY_EFFORT", "");
        assert_eq!(
            ConfigLoader::new().load().unwrap().model.primary_effort,
            None
        );
        Ok(())
    });
}

#[test]
fn unparsable_file_names_the_file() {
    Jail::expect_with(|jail| {
        isolated(jail);
        jail.create_file("broken.toml", "[model\nprimary = \"x\"\n")?;
        let err = ConfigLoader::new().file("broken.toml").load().unwrap_err();
        assert!(err.to_string().contains("broken.toml"), "{err}");
        Ok(())
    });
}

#[test]
fn a_named_file_must_exist() {
    Jail::expect_with(|jail| {
        isolated(jail);
        let err = ConfigLoader::new().file("missing.toml").load().unwrap_err();
        assert!(matches!(err, ConfigError::Read { .. }), "{err:?}");
        assert!(err.to_string().contains("missing.toml"));
        Ok(())
    });
}

#[test]
fn api_key_comes_from_the_environment_and_debug_redacts_it() {
    Jail::expect_with(|jail| {
        isolated(jail);
        jail.set_env("CLANKA_AUTH__API_KEY", "sk-env-0123456789");
        let config = ConfigLoader::new().load().unwrap();
        let key = config.auth.api_key.as_ref().map(Secret::expose);
        assert_eq!(key, Some("sk-env-0123456789"));
        assert_eq!(config.codex.base_url, None);
        let shown = format!("{config:?} {config:#?}");
        assert!(!shown.contains("sk-env-0123456789"), "{shown}");
        assert!(shown.contains("<redacted>"), "{shown}");
        Ok(())
    });
}

#[test]
fn api_key_layers_like_any_setting() {
    Jail::expect_with(|jail| {
        isolated(jail);
        jail.create_file("keys.toml", "[auth]\napi_key = \"sk-file\"\n")?;
        let from_file = ConfigLoader::new().file("keys.toml").load().unwrap();
        assert_eq!(from_file.auth.api_key, Some(Secret::new("sk-file")));
        jail.set_env("CLANKA_AUTH__API_KEY", "sk-env");
        let overridden = ConfigLoader::new()
            .file("keys.toml")
            .set("auth.api_key", "sk-flag")
            .load()
            .unwrap();
        assert_eq!(overridden.auth.api_key, Some(Secret::new("sk-flag")));
        Ok(())
    });
}

#[test]
fn empty_optional_values_mean_unset() {
    Jail::expect_with(|jail| {
        isolated(jail);
        jail.set_env("CLANKA_AUTH__API_KEY", "");
        jail.set_env("CLANKA_CODEX__BASE_URL", "");
        let config = ConfigLoader::new().load().unwrap();
        assert_eq!(config.auth.api_key, None);
        assert_eq!(config.codex.base_url, None);
        Ok(())
    });
}

#[test]
fn sandbox_approval_and_env_come_from_file_env_and_flags() {
    Jail::expect_with(|jail| {
        let xdg = isolated(jail);
        jail.create_dir("xdg/clanka")?;
        jail.create_file(
            "xdg/clanka/config.toml",
            "[sandbox]\nmode = \"read-only\"\nwritable = [\"/opt/cache\"]\n\
             [env]\nallow = [\"EDITOR\"]\nset = { RUST_LOG = \"info\" }\n",
        )?;
        jail.set_env("CLANKA_SANDBOX__NETWORK", "true");
        jail.set_env("CLANKA_AGENT__COMPACT_AT", "2000");
        let config = ConfigLoader::new()
            .set("approval.policy", "untrusted")
            .load()
            .unwrap();
        assert_eq!(config.agent_config().compact_at, Some(2000));
        let policy = config.exec_policy();
        assert_eq!(policy.sandbox.mode, clanka_tools::SandboxMode::ReadOnly);
        assert!(policy.sandbox.network, "a string from the environment");
        assert_eq!(policy.sandbox.writable, [PathBuf::from("/opt/cache")]);
        assert_eq!(
            policy.sandbox.hidden,
            [xdg.join("clanka")],
            "the store is hidden"
        );
        assert_eq!(policy.approval, clanka_tools::ApprovalPolicy::Untrusted);
        assert!(policy.env.passes("EDITOR"));
        assert!(!policy.env.passes("OPENAI_API_KEY"));
        assert_eq!(
            policy.env.set.get("RUST_LOG").map(String::as_str),
            Some("info")
        );
        Ok(())
    });
}

#[test]
fn sandbox_and_approval_default_and_refuse_unknown_names() {
    Jail::expect_with(|jail| {
        isolated(jail);
        let policy = ConfigLoader::new().load().unwrap().exec_policy();
        assert_eq!(
            policy.sandbox.mode,
            clanka_tools::SandboxMode::WorkspaceWrite
        );
        assert!(!policy.sandbox.network);
        assert_eq!(policy.approval, clanka_tools::ApprovalPolicy::OnRequest);
        for (key, value, expected) in [
            ("sandbox.mode", "none", "read-only"),
            ("approval.policy", "always", "on-request"),
            ("sandbox.network", "maybe", "not a boolean"),
            ("agent.compact_at", "lots", "not a number"),
        ] {
            let error = ConfigLoader::new().set(key, value).load().unwrap_err();
            let message = clanka_model::error_chain(&error);
            assert!(message.contains(expected), "{key}: {message}");
        }
        Ok(())
    });
}

#[cfg(feature = "mcp")]
#[test]
fn mcp_servers_read_the_official_clients_keys() {
    Jail::expect_with(|jail| {
        isolated(jail);
        jail.create_dir("xdg/clanka")?;
        jail.create_file(
            "xdg/clanka/config.toml",
            "[mcp_servers.everything]\ncommand = \"npx\"\nargs = [\"-y\", \"@modelcontextprotocol/server-everything\"]\n\
             env = { LOG = \"1\" }\ntool_timeout_sec = 5\nenabled_tools = [\"echo\"]\n\
             [mcp_servers.remote]\nurl = \"http://127.0.0.1:3001/mcp\"\nbearer_token_env_var = \"REMOTE_TOKEN\"\nrequired = false\n",
        )?;
        let servers = ConfigLoader::new().load().unwrap().mcp_servers();
        assert_eq!(servers.len(), 2);
        assert_eq!(servers[0].name, "everything");
        assert_eq!(servers[0].tool_timeout().as_secs(), 5);
        assert!(servers[0].offers("echo") && !servers[0].offers("get-env"));
        assert_eq!(servers[1].name, "remote");
        assert!(!servers[1].is_required());
        assert!(matches!(
            servers[1].transport(),
            Ok(clanka_mcp::Transport::Http { .. })
        ));
        jail.create_file(
            "xdg/clanka/config.toml",
            "[mcp_servers.bad]\ncommnd = \"x\"\n",
        )?;
        let error = ConfigLoader::new().load().unwrap_err();
        assert!(
            clanka_model::error_chain(&error).contains("commnd"),
            "unknown keys are refused"
        );
        Ok(())
    });
}

#[test]
fn unknown_keys_of_the_file_are_named_and_flags_name_themselves() {
    Jail::expect_with(|jail| {
        isolated(jail);
        jail.create_dir("xdg/clanka")?;
        jail.create_file(
            "xdg/clanka/config.toml",
            "[model]\nprimry = \"x\"\n[sandbox]\nmode = \"read-only\"\nnetwrk = true\n[env.set]\nANY_NAME = \"ok\"\n[colour]\nx = 1\n",
        )?;
        let (path, keys) = ConfigLoader::new().unknown_keys().unwrap().unwrap();
        assert!(path.ends_with("clanka/config.toml"));
        assert_eq!(keys, ["colour", "model.primry", "sandbox.netwrk"]);
        let error = ConfigLoader::new()
            .set("model.primary_effort", "huge")
            .load()
            .unwrap_err();
        let message = clanka_model::error_chain(&error);
        assert!(
            message.contains("the command line") && message.contains("primary_effort"),
            "{message}"
        );
        assert!(message.contains("xhigh"), "the allowed values: {message}");
        Ok(())
    });
}
