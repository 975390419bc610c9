"""Node identity and the `--config` TOML that lists a node's peers."""

from __future__ import annotations

import tomllib

from network.config import config_toml, enode_id, enode_url

# secp256k1's generator G is the public key of private key 1.
G_X = "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
G_Y = "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8"
KEY_ONE = (1).to_bytes(32, "big")


def test_enode_id_is_the_node_keys_public_key():
    assert enode_id(KEY_ONE) == G_X + G_Y
    assert enode_url(KEY_ONE, "127.0.0.1", 30400) == f"enode://{G_X}{G_Y}@127.0.0.1:30400"


def test_config_names_the_peers_as_static_and_trusted():
    peers = [enode_url(KEY_ONE, "127.0.0.1", 30401), enode_url((2).to_bytes(32, "big"), "10.0.0.2", 30303)]
    assert tomllib.loads(config_toml(peers)) == {"Node": {"P2P": {"StaticNodes": peers, "TrustedNodes": peers}}}
