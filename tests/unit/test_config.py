"""Named networks from config.toml, and where the configuration folder is (`deai_gov.home.config`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from deai_gov.errors import InputError
from deai_gov.home.config import Network, config_home, load_networks, resolve_network

SEPOLIA = """
[networks.sepolia]
rpc_url = "https://rpc.sepolia.example"
deployment = "deployments/sepolia.json"
ipfs_api = "http://127.0.0.1:5001"
gateways = ["https://gw1.example", "https://gw2.example"]
store = "ipfs"

[networks.local]
rpc_url = "http://127.0.0.1:8545"
deployment = "/srv/deai/local.json"
store = "~/blocks"
"""


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A configuration folder chosen by DEAI_GOV_HOME, with the user's home moved to a temporary folder too."""
    folder = tmp_path / "config"
    folder.mkdir()
    monkeypatch.setenv("DEAI_GOV_HOME", str(folder))
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    return folder


def write_config(home: Path, text: str) -> Path:
    path = home / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_config_home_from_deai_gov_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEAI_GOV_HOME", str(tmp_path / "here"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert config_home() == tmp_path / "here"


def test_config_home_expands_the_user_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("DEAI_GOV_HOME", "~/deai")
    assert config_home() == tmp_path / "deai"


@pytest.mark.parametrize("unset", [True, False], ids=["unset", "empty"])
def test_config_home_from_xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, unset: bool) -> None:
    """Without DEAI_GOV_HOME (or with it empty), the XDG configuration folder is used."""
    if unset:
        monkeypatch.delenv("DEAI_GOV_HOME", raising=False)
    else:
        monkeypatch.setenv("DEAI_GOV_HOME", "")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert config_home() == tmp_path / "xdg" / "deai-gov"


def test_config_home_defaults_to_dot_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DEAI_GOV_HOME", raising=False)
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert config_home() == tmp_path / ".config" / "deai-gov"


def test_no_file_means_no_networks(home: Path) -> None:
    assert load_networks() == {}
    assert load_networks(home) == {}


def test_networks_are_read_from_the_config_home(home: Path) -> None:
    write_config(home, SEPOLIA)
    networks = load_networks()
    assert sorted(networks) == ["local", "sepolia"]
    assert networks["sepolia"]["rpc_url"] == "https://rpc.sepolia.example"


def test_a_named_network(home: Path) -> None:
    """Relative paths are relative to the configuration folder; absolute ones and ~ are kept or expanded."""
    write_config(home, SEPOLIA)
    assert resolve_network("sepolia") == Network(
        name="sepolia",
        rpc_url="https://rpc.sepolia.example",
        deployment=home / "deployments" / "sepolia.json",
        ipfs_api="http://127.0.0.1:5001",
        gateways=["https://gw1.example", "https://gw2.example"],
        store=home / "ipfs",
    )
    local = resolve_network("local")
    assert local.deployment == Path("/srv/deai/local.json")
    assert local.store == home.parent / "user" / "blocks"
    assert (local.ipfs_api, local.gateways) == (None, [])


def test_explicit_options_take_precedence_over_the_file(home: Path, tmp_path: Path) -> None:
    write_config(home, SEPOLIA)
    network = resolve_network(
        "sepolia",
        rpc_url="http://127.0.0.1:9999",
        deployment=tmp_path / "mine.json",
        ipfs_api="http://127.0.0.1:5002",
        gateways=("https://mine.example",),
        store=tmp_path / "blocks",
    )
    assert network == Network(
        name="sepolia",
        rpc_url="http://127.0.0.1:9999",
        deployment=tmp_path / "mine.json",
        ipfs_api="http://127.0.0.1:5002",
        gateways=["https://mine.example"],
        store=tmp_path / "blocks",
    )


def test_an_option_overrides_only_its_own_setting(home: Path) -> None:
    write_config(home, SEPOLIA)
    network = resolve_network("sepolia", rpc_url="http://127.0.0.1:9999")
    assert network.rpc_url == "http://127.0.0.1:9999"
    assert network.deployment == home / "deployments" / "sepolia.json"
    assert network.gateways == ["https://gw1.example", "https://gw2.example"]


def test_no_network_name_uses_the_options_alone(home: Path, tmp_path: Path) -> None:
    """Without a name the file is not consulted at all, even a broken one."""
    write_config(home, "this is [not toml")
    network = resolve_network(None, rpc_url="http://127.0.0.1:8545", deployment=tmp_path / "d.json")
    assert network == Network(name="custom", rpc_url="http://127.0.0.1:8545", deployment=tmp_path / "d.json")


def test_an_explicit_home_wins_over_the_environment(home: Path, tmp_path: Path) -> None:
    write_config(home, SEPOLIA)
    other = tmp_path / "other"
    other.mkdir()
    write_config(other, '[networks.sepolia]\nrpc_url = "https://other.example"\ndeployment = "d.json"\n')
    network = resolve_network("sepolia", home=other)
    assert (network.rpc_url, network.deployment) == ("https://other.example", other / "d.json")
    assert load_networks(other)["sepolia"]["rpc_url"] == "https://other.example"


def test_an_unknown_network_names_the_known_ones(home: Path) -> None:
    path = write_config(home, SEPOLIA)
    with pytest.raises(InputError, match="unknown network 'mainnet'") as excinfo:
        resolve_network("mainnet")
    assert "local, sepolia" in str(excinfo.value) and str(path) in str(excinfo.value)


def test_an_unknown_network_without_a_config_file(home: Path) -> None:
    with pytest.raises(InputError, match="none configured"):
        resolve_network("sepolia")


@pytest.mark.parametrize(
    "text",
    [
        "[networks.sepolia\nrpc_url = 1",
        '[networks.sepolia]\nrpc_url = "unterminated\n',
        "[networks.a]\n[networks.a]\n",  # a table defined twice
        "= 3\n",
    ],
)
def test_malformed_toml_is_an_input_error(home: Path, text: str) -> None:
    path = write_config(home, text)
    with pytest.raises(InputError, match="cannot read") as excinfo:
        resolve_network("sepolia")
    assert str(path) in str(excinfo.value)


def test_networks_must_be_a_table(home: Path) -> None:
    write_config(home, 'networks = ["sepolia"]\n')
    with pytest.raises(InputError, match=r"\[networks\] must hold named tables \(\[networks.NAME\]\)"):
        load_networks()


def test_a_network_must_be_a_table(home: Path) -> None:
    write_config(home, '[networks]\nsepolia = "https://rpc.sepolia.example"\n')
    with pytest.raises(InputError, match=r"must be a table \(\[networks.sepolia\]\)"):
        resolve_network("sepolia")


@pytest.mark.parametrize(
    ("line", "words"),
    [
        (
            'gateways = "https://gw.example"',
            r'gateways must be a list of strings \(gateways = \["https://gw.example"\]\), not a string',
        ),
        ("gateways = [1, 2]", "gateways must be a list of strings"),
        ("rpc_url = 8545", "rpc_url must be a string, not an integer"),
        ("store = true", "store must be a string, not a boolean"),
        ("deployment = { path = 'x' }", "deployment must be a string, not a table"),
        ('rpc-url = "http://127.0.0.1:8545"', "has no key 'rpc-url' \\(did you mean 'rpc_url'\\?"),
    ],
)
def test_a_value_of_the_wrong_type_or_an_unknown_key_is_one_line_naming_the_key(
    home: Path, line: str, words: str
) -> None:
    """A string where a list is wanted used to become a list of one-character gateways."""
    path = write_config(home, f"[networks.sepolia]\n{line}\n")
    with pytest.raises(InputError, match=words) as excinfo:
        resolve_network("sepolia")
    assert f"{path}: [networks.sepolia]" in str(excinfo.value) and "\n" not in str(excinfo.value)


def test_a_pinning_table_is_checked_too(home: Path) -> None:
    from deai_gov.home.config import pinning_service

    write_config(home, '[pinning.local]\nendpoint = "http://127.0.0.1:5000"\ntoken_env = ["A"]\n')
    with pytest.raises(InputError, match=r"\[pinning.local\] token_env must be a string, not a list"):
        pinning_service("local")


def test_a_config_file_that_is_not_utf8_is_an_input_error(home: Path) -> None:
    path = home / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b'[networks.sepolia]\nrpc_url = "\xff\xfe"\n')
    with pytest.raises(InputError, match="cannot read") as excinfo:
        load_networks()
    assert str(path) in str(excinfo.value)


def test_pinning_services_come_from_config_with_their_token_kept_elsewhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from deai_gov.home.config import pinning_service

    (tmp_path / "secret").write_text("file-token\n")
    (tmp_path / "config.toml").write_text(
        '[pinning.env]\nendpoint = "https://psa.example/"\ntoken_env = "PSA_TOKEN"\n'
        '[pinning.file]\nendpoint = "https://psa.example"\ntoken_file = "secret"\n'
        '[pinning.inline]\nendpoint = "https://psa.example"\ntoken = "do-not"\n'
        '[pinning.ftp]\nendpoint = "ftp://psa.example"\ntoken_env = "X"\n'
    )
    monkeypatch.setenv("PSA_TOKEN", "env-token")
    env = pinning_service("env", tmp_path)
    assert (env.endpoint, env.token()) == ("https://psa.example", "env-token")
    assert pinning_service("file", tmp_path).token() == "file-token"
    with pytest.raises(InputError, match=r"do not write the token in config\.toml"):
        pinning_service("inline", tmp_path)
    with pytest.raises(InputError, match="endpoint must be an http"):
        pinning_service("ftp", tmp_path)
    with pytest.raises(InputError, match=r"unknown pinning service 'x' \(known: env, file, ftp, inline"):
        pinning_service("x", tmp_path)
    monkeypatch.delenv("PSA_TOKEN")
    with pytest.raises(InputError, match="PSA_TOKEN is not set"):
        env.token()
