"""The backup archive: a gzip'd tar whose manifest.json lists every member with its size and
sha256, written last, so an archive cut short has no manifest or fails its gzip check.

Pure (no Django): `loket restore` runs before there is any configured var directory, and
importing the settings would already write into it.
"""

import gzip
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

FORMAT = "loket-backup"
VERSION = 1
MANIFEST = "manifest.json"
CHUNK = 1024 * 1024


class ArchiveError(Exception):
    """Why a backup or restore cannot go on, in one sentence for the operator."""


@dataclass(frozen=True)
class Member:
    name: str  # its path in the archive, which is its path in the restored var directory
    source: Path


class HashingReader:
    """Hands the bytes to tarfile and hashes them on the way: what is checksummed is exactly
    what went into the archive."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.digest.update(data)
        return data


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def write_archive(
    destination: Path, members: Iterable[Member], info: dict[str, Any]
) -> dict[str, Any]:
    """Write the archive beside `destination` and rename it into place when complete, so a
    crash leaves no file that looks like a backup. Only the owner may read it: it holds the
    database and the secret key."""
    if destination.exists():
        raise ArchiveError(f"{destination} exists already; give the backup a new file name.")
    partial = destination.with_name(f".{destination.name}.partial")
    listed = []
    try:
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as raw:
            with tarfile.open(fileobj=raw, mode="w:gz") as tar:
                for member in members:
                    listed.append(add_file(tar, member))
                manifest = {"format": FORMAT, "version": VERSION, **info, "members": listed}
                data = json.dumps(manifest, indent=2, sort_keys=True).encode()
                entry = tarfile.TarInfo(MANIFEST)
                entry.size, entry.mode = len(data), 0o600
                tar.addfile(entry, io.BytesIO(data))
            raw.flush()
            os.fsync(raw.fileno())
        partial.replace(destination)
    finally:
        partial.unlink(missing_ok=True)
    return manifest


def add_file(tar: tarfile.TarFile, member: Member) -> dict[str, Any]:
    entry = tar.gettarinfo(str(member.source), arcname=member.name)
    entry.uid = entry.gid = 0
    entry.uname = entry.gname = ""
    with member.source.open("rb") as stream:
        reader = HashingReader(stream)
        tar.addfile(entry, reader)
    return {"name": member.name, "size": entry.size, "sha256": reader.digest.hexdigest()}


def restore(archive: Path, target: Path) -> dict[str, Any]:
    """Unpack a verified archive into `target`, which must be empty or absent. Everything is
    checked in a staging folder beside it first, so a refused archive leaves nothing."""
    if not archive.is_file():
        raise ArchiveError(f"{archive} is not a file.")
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ArchiveError(
            f"{target} is not empty; restore only into an empty directory, "
            "so that nothing is overwritten."
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".loket-restore-", dir=target.parent))
    try:
        manifest = unpack_verified(archive, staging)
        target.mkdir(exist_ok=True)
        for item in staging.iterdir():
            item.rename(target / item.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return manifest


def unpack_verified(archive: Path, staging: Path) -> dict[str, Any]:
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            tar.extractall(staging, filter="data")
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as error:
        raise ArchiveError(
            f"{archive} is damaged or cut short and cannot be read ({error}); nothing was restored."
        ) from error
    manifest = read_manifest(archive, staging)
    check_members(archive, staging, manifest["members"])
    (staging / MANIFEST).unlink()
    return manifest


def read_manifest(archive: Path, staging: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((staging / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ArchiveError(
            f"{archive} has no readable manifest: it is not a Loket backup or it is incomplete."
        ) from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ArchiveError(f"{archive} is not a Loket backup (its manifest is another format).")
    if manifest.get("version") != VERSION or not isinstance(manifest.get("members"), list):
        raise ArchiveError(f"{archive} is a Loket backup of a version this Loket cannot read.")
    return manifest


def check_members(archive: Path, staging: Path, members: list[dict[str, Any]]) -> None:
    listed = {PurePosixPath(member["name"]) for member in members}
    for member in members:
        path = staging / PurePosixPath(member["name"])
        if not path.is_file():
            raise ArchiveError(f"{archive} is partial: {member['name']} is missing.")
        if path.stat().st_size != member["size"] or sha256_of(path) != member["sha256"]:
            raise ArchiveError(f"{archive} is damaged: {member['name']} fails its checksum.")
    present = {
        PurePosixPath(path.relative_to(staging).as_posix())
        for path in staging.rglob("*")
        if path.is_file()
    } - {PurePosixPath(MANIFEST)}
    if unlisted := sorted(present - listed):
        raise ArchiveError(f"{archive} holds {unlisted[0]}, which its manifest does not list.")
