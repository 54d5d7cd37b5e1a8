"""``mediabase integrations …`` as a user runs it (a subprocess): connect a Zoom account with its
secrets read from files, import the fixture feed twice (the same state after the second), a bad
feed refused with file:line and nothing written, the secrets never printed, and a key rotation."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from mediabase.integrations.crypto import new_key
from tests.acceptance.cli import mediabase
from tests.acceptance.dbstate import changed, fingerprint
from tests.factories import Tenant
from tests.log_privacy import watch

# several CLI subprocesses per test: minutes on a busy machine
pytestmark = pytest.mark.timeout(600)
DATA = Path(__file__).resolve().parents[1] / "data" / "zoom"
HOOK, ACCESS = "whsec-cli-zoom-secret", "zoom-cli-access-token-4242"
watch(HOOK, ACCESS)


def test_import_twice_gives_the_same_state(migrated_url: str, tenants: tuple[Tenant, Tenant],
                                           tmp_path: Path) -> None:
    key = new_key()
    (tmp_path / "hook").write_text(HOOK + "\n")
    (tmp_path / "access").write_text(ACCESS)
    added = mediabase("integrations", "add", "zoom", "fixture-account", "--org", "alpha", "--name", "Zoom",
                      "--scope", "recording:read", "--webhook-secret-file", str(tmp_path / "hook"),
                      "--access-token-file", str(tmp_path / "access"), "--json",
                      url=migrated_url, MEDIABASE_INTEGRATIONS_KEY=key)
    assert added.returncode == 0, added.stderr
    account = json.loads(added.stdout)
    assert account["has_webhook_secret"] and account["has_access_token"] and HOOK not in added.stdout
    listed = mediabase("integrations", "list", "--org", "alpha", url=migrated_url)
    assert listed.returncode == 0 and "fixture-account" in listed.stdout and "access, webhook" in listed.stdout
    assert HOOK not in listed.stdout + listed.stderr and ACCESS not in listed.stdout + listed.stderr

    first = mediabase("integrations", "import", str(DATA), "--org", "alpha", "--json", url=migrated_url,
                      MEDIABASE_INTEGRATIONS_KEY=key)
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert [o["status"] for o in report["outcomes"]] == ["loaded"] * 3
    assert report["sync_cursor"] == "2004-12-13T11:00:00Z"
    state = fingerprint(migrated_url)
    second = mediabase("integrations", "import", str(DATA), "--org", "alpha", url=migrated_url,
                       MEDIABASE_INTEGRATIONS_KEY=key)
    assert second.returncode == 0, second.stderr
    assert "0 loaded, 0 transcripts added, 3 already there; sync cursor 2004-12-13T11:00:00Z" in second.stdout
    assert changed(state, fingerprint(migrated_url)) == []
    # the other organization has none of it, and no account to import through
    other = mediabase("integrations", "import", str(DATA), "--org", "bravo", url=migrated_url)
    assert other.returncode == 1 and "no zoom account in this organization" in other.stderr


def test_a_bad_feed_is_refused_with_where_and_writes_nothing(migrated_url: str, tenants: tuple[Tenant, Tenant],
                                                            tmp_path: Path) -> None:
    key = new_key()
    (tmp_path / "hook").write_text(HOOK)
    assert mediabase("integrations", "add", "zoom", "fixture-account", "--org", "alpha", "--webhook-secret-file",
                     str(tmp_path / "hook"), url=migrated_url, MEDIABASE_INTEGRATIONS_KEY=key).returncode == 0
    feed = tmp_path / "feed"
    shutil.copytree(DATA, feed, ignore=shutil.ignore_patterns("*.py", "*.md"))
    vtt = feed / "transcripts" / "ES2002a.vtt"
    vtt.write_text(vtt.read_text().replace("WEBVTT", "WEBVTX", 1))
    event = json.loads((feed / "recording.completed.json").read_text())
    event["payload"]["object"]["recording_files"][0]["recording_start"] = "yesterday"
    (feed / "recording.completed.json").write_text(json.dumps(event))
    before = fingerprint(migrated_url)
    r = mediabase("integrations", "import", str(feed), "--org", "alpha", url=migrated_url)
    assert r.returncode == 1
    assert f"{feed / 'recording.completed.json'}: payload.object.recording_files[0].recording_start:" in r.stdout
    assert "1 problem(s)" in r.stderr and "nothing was imported" in r.stderr
    (feed / "recording.completed.json").unlink()
    r = mediabase("integrations", "import", str(feed), "--org", "alpha", url=migrated_url)
    assert r.returncode == 1 and f"{vtt}:1: not a WebVTT file" in r.stdout, r.stdout + r.stderr
    missing = mediabase("integrations", "import", str(tmp_path / "nowhere.json"), "--org", "alpha", url=migrated_url)
    assert missing.returncode == 1 and "no such file or folder" in missing.stdout
    assert changed(before, fingerprint(migrated_url)) == []


def test_secrets_need_the_key_and_rotate_to_a_new_one(migrated_url: str, tenants: tuple[Tenant, Tenant],
                                                      tmp_path: Path) -> None:
    old, new = new_key(), new_key()
    (tmp_path / "hook").write_text(HOOK)
    no_key = mediabase("integrations", "add", "zoom", "acct", "--org", "alpha", "--webhook-secret-file",
                       str(tmp_path / "hook"), url=migrated_url)
    assert no_key.returncode == 1 and "MEDIABASE_INTEGRATIONS_KEY is not set" in no_key.stderr
    assert len(no_key.stderr.strip().splitlines()) <= 3  # one line (wrapped at most)
    bad = mediabase("integrations", "add", "zoom", "acct", "--org", "alpha", "--webhook-secret-file",
                    str(tmp_path / "hook"), url=migrated_url, MEDIABASE_INTEGRATIONS_KEY="short")
    assert bad.returncode == 1 and "base64 of 32 random bytes" in bad.stderr
    assert mediabase("integrations", "add", "zoom", "acct", "--org", "alpha", "--webhook-secret-file",
                     str(tmp_path / "hook"), url=migrated_url, MEDIABASE_INTEGRATIONS_KEY=old).returncode == 0
    rotated = mediabase("integrations", "rotate-key", url=migrated_url, MEDIABASE_INTEGRATIONS_KEY=new,
                        MEDIABASE_INTEGRATIONS_OLD_KEYS=old)
    assert rotated.returncode == 0 and "1 account(s)" in rotated.stdout, rotated.stderr
    without_old = mediabase("integrations", "rotate-key", url=migrated_url, MEDIABASE_INTEGRATIONS_KEY=new)
    assert without_old.returncode == 0 and "0 account(s)" in without_old.stdout
    wrong = mediabase("integrations", "rotate-key", url=migrated_url, MEDIABASE_INTEGRATIONS_KEY=new_key())
    assert wrong.returncode == 1 and "which is neither MEDIABASE_INTEGRATIONS_KEY" in wrong.stderr
    key = mediabase("integrations", "new-key")
    assert key.returncode == 0 and len(key.stdout.strip()) == 44
