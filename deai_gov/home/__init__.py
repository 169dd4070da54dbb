"""What lives in the user's configuration home (`DEAI_GOV_HOME`, else `~/.config/deai-gov`): named networks and
pinning services in `config.toml` (`config`), and encrypted keystores (`accounts`)."""
