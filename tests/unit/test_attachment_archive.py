"""attachments/archive.py: the attachments' tar of a backup, written and read back."""

import tarfile
from io import BytesIO

import pytest

from attachments import archive


def test_an_absent_folder_gives_an_empty_archive(tmp_path):
    target = tmp_path / "backup.attachments.tar"
    assert archive.write(tmp_path / "never-made", target) == (0, 0)
    assert archive.check(target) == []
    assert archive.extract(target, tmp_path / "restored") == (0, 0)
    assert list((tmp_path / "restored").iterdir()) == []


def test_files_come_back_with_their_bytes_and_private_modes(tmp_path):
    root = tmp_path / "attachments"
    (root / "5e").mkdir(parents=True)
    (root / "5e" / "a1b2").write_bytes(b"%PDF-1.7 test")
    (root / "5e" / "link").symlink_to("/etc/passwd")  # never written by the app: left out
    target = tmp_path / "backup.attachments.tar"
    assert archive.write(root, target) == (1, 13)

    restored = tmp_path / "restored"
    assert archive.extract(target, restored) == (1, 13)
    assert (restored / "5e" / "a1b2").read_bytes() == b"%PDF-1.7 test"
    assert (restored / "5e" / "a1b2").stat().st_mode & 0o777 == 0o600
    assert (restored / "5e").stat().st_mode & 0o777 == 0o700
    assert sorted(p.name for p in (restored / "5e").iterdir()) == ["a1b2"]


def test_a_link_already_in_the_folder_does_not_carry_a_file_out(tmp_path):
    target = tmp_path / "backup.attachments.tar"
    with tarfile.open(target, "w") as tar:
        member = tarfile.TarInfo("5e/a1b2")
        member.size = 2
        tar.addfile(member, BytesIO(b"ok"))
    outside = tmp_path / "outside"
    outside.mkdir()
    restored = tmp_path / "restored"
    restored.mkdir()
    (restored / "5e").symlink_to(outside)
    with pytest.raises(archive.ArchiveRefused, match="outside"):
        archive.extract(target, restored)
    assert list(outside.iterdir()) == []
