"""A real ClamAV daemon: Debian's `clamd` (installed by `make system-packages`), started with its
own configuration in a throw-away folder and a signature database that holds nothing but the
EICAR test file's signature - no freshclam, nothing from the internet. It starts in well under
a second. Listens on a unix socket and on a loopback TCP port; streams over 1 MiB are refused,
so the tests can see clamd turn a file down for its size."""

import shutil
import socket
import subprocess
import time
from pathlib import Path

from tests.smtp import free_port

CLAMD = "/usr/sbin/clamd"
# The EICAR test file (https://www.eicar.org): harmless, and detected by every scanner.
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
# Its MD5, its size and the name clamd reports (as `Eicar-Test-Signature.UNOFFICIAL`).
EICAR_SIGNATURE = "44d88612fea8a8f36de82e1278abb02f:68:Eicar-Test-Signature\n"
STREAM_MAX_BYTES = 1024 * 1024
CONFIG = """
Foreground yes
DatabaseDirectory {root}/db
LocalSocket {root}/clamd.sock
TCPSocket {port}
TCPAddr 127.0.0.1
LogFile {root}/clamd.log
TemporaryDirectory {root}
StreamMaxLength {stream_max}
SelfCheck 0
"""


class Clamd:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def socket_path(self) -> str:
        return str(self.root / "clamd.sock")

    @property
    def tcp_address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        if shutil.which(CLAMD) is None:
            raise RuntimeError(
                f"{CLAMD} is missing: `make system-packages` installs it (clamav-daemon)"
            )
        (self.root / "db").mkdir(parents=True, exist_ok=True)
        (self.root / "db" / "eicar.hdb").write_text(EICAR_SIGNATURE)
        config = self.root / "clamd.conf"
        config.write_text(
            CONFIG.format(root=self.root, port=self.port, stream_max=STREAM_MAX_BYTES)
        )
        self.process = subprocess.Popen(
            [CLAMD, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        self.wait_ready()

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"clamd exited: {self.log()}")
            try:
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
                    probe.settimeout(2)
                    probe.connect(self.socket_path)
                    probe.sendall(b"zPING\0")
                    if probe.recv(100).startswith(b"PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"clamd did not answer on {self.socket_path}: {self.log()}")

    def log(self) -> str:
        path = self.root / "clamd.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
