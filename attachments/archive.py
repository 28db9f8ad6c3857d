"""The attachments' folder in a backup: a tar written by scripts/backup.sh, read by restore.sh.

    python -m attachments.archive write ROOT FILE    ROOT's files into the tar FILE
    python -m attachments.archive check FILE         refuse FILE unless it is safe to extract
    python -m attachments.archive extract FILE ROOT  FILE's files into ROOT

ROOT is ``PRIVATE_MEDIA_ROOT``, which the scripts read through the app's settings; this
module reads no settings (and imports no Django), so that it runs before the database
is there. The archive holds regular files only, named relative to ROOT as the storage
names them (``5e/71f6…``). A restore refuses the whole archive before anything is
written when one member is not such a file: a link, a device, an absolute name or one
with ``..`` could write outside ROOT.
"""

import os
import sys
import tarfile
from pathlib import Path, PurePosixPath

CHUNK = 1024 * 1024


class ArchiveRefused(Exception):
    """The archive has a member that must not be extracted; nothing was written."""


def write(root, target):
    """Put every regular file under ``root`` in a new tar at ``target``; (files, bytes).

    An absent or empty ``root`` gives an empty archive: a site without attachments.
    """
    root = Path(root)
    count = size = 0
    with tarfile.open(target, "w", format=tarfile.PAX_FORMAT) as archive:
        if not root.is_dir():
            return count, size
        # os.walk never follows links; the storage writes none.
        for folder, folders, names in os.walk(root):
            folders.sort()
            for name in sorted(names):
                path = Path(folder, name)
                try:
                    info = archive.gettarinfo(path, arcname=path.relative_to(root).as_posix())
                    if not info.isreg():
                        continue
                    with path.open("rb") as handle:
                        archive.addfile(info, handle)
                except FileNotFoundError:
                    # Deleted since the walk: only a draft's file no version lists is ever
                    # deleted (attachments.services.remove), and then its row is gone too.
                    continue
                count, size = count + 1, size + info.size
    return count, size


def _refusal(member):
    """Why ``member`` must not be extracted into the folder, or ""."""
    name = member.name
    parts = PurePosixPath(name).parts
    if name.startswith("/") or "\\" in name or ".." in parts or not (parts or member.isdir()):
        return f"{name!r} names a place outside PRIVATE_MEDIA_ROOT (absolute, or with '..')"
    if not (member.isreg() or member.isdir()):
        return f"{name!r} is a link or a special file, not a stored attachment"
    return ""


def check(path):
    """The regular-file members of the tar at ``path``; ArchiveRefused if any member is unsafe."""
    with tarfile.open(path, "r:") as archive:
        members = archive.getmembers()
    for member in members:
        problem = _refusal(member)
        if problem:
            raise ArchiveRefused(problem)
    return [member for member in members if member.isreg()]


def extract(path, root):
    """Write the tar at ``path`` into ``root``, replacing same-named files; (files, bytes).

    Checked again first (``check``). Folders 0700 and files 0600, as the storage makes them.
    """
    members = check(path)
    root = Path(root)
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    real_root = root.resolve()
    size = 0
    with tarfile.open(path, "r:") as archive:
        for member in members:
            target = real_root / member.name
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            # A link already in the folder must not carry a file out of it.
            if not target.parent.resolve().is_relative_to(real_root):
                raise ArchiveRefused(f"{member.name!r} would be written outside {real_root}")
            _copy(archive.extractfile(member), target)
            size += member.size
    return len(members), size


def _copy(source, target):
    """``source`` into ``target`` through a new file beside it: never a half-written file."""
    partial = target.with_name(f".{target.name}.partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        for chunk in iter(lambda: source.read(CHUNK), b""):
            handle.write(chunk)
    os.replace(partial, target)


def _amount(count, size):
    return f"{count} files, {size:,} bytes"


def main(argv):
    command, *args = argv or [""]
    try:
        if command == "write" and len(args) == 2:
            print(_amount(*write(*args)))
        elif command == "check" and len(args) == 1:
            members = check(*args)
            print(_amount(len(members), sum(member.size for member in members)))
        elif command == "extract" and len(args) == 2:
            print(_amount(*extract(*args)))
        else:
            print(__doc__.split("\n\n")[1], file=sys.stderr)
            return 2
    except (ArchiveRefused, tarfile.TarError) as refused:
        print(f"Refusing the attachments archive: {refused}.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
