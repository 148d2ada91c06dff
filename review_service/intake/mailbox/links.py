"""Links to cloud drives in a letter (Google Drive, Yandex Disk, Mail.ru Cloud, Dropbox, OneDrive): recorded as
"link only, fetch by hand" — the service never fetches anything from the network."""
from __future__ import annotations

import re
from dataclasses import dataclass

SERVICES: dict[str, tuple[str, ...]] = {
    "google_drive": ("drive.google.com", "docs.google.com"),
    "yandex_disk": ("disk.yandex.ru", "disk.yandex.kz", "disk.yandex.com", "yadi.sk", "disk.360.yandex.ru"),
    "mailru_cloud": ("cloud.mail.ru",),
    "dropbox": ("dropbox.com", "www.dropbox.com", "db.tt"),
    "onedrive": ("onedrive.live.com", "1drv.ms", "sharepoint.com"),
}
_URL = re.compile(r"https?://[^\s<>\"'»)\]]+", re.IGNORECASE)


@dataclass(frozen=True)
class CloudLink:
    url: str
    service: str  # a key of SERVICES


def _service(host: str) -> str | None:
    host = host.lower()
    for service, hosts in SERVICES.items():
        if any(host == h or host.endswith("." + h) for h in hosts):
            return service
    return None


def find_links(text: str) -> list[CloudLink]:
    """Every cloud-drive link in ``text``, once each, in order."""
    found: dict[str, CloudLink] = {}
    for match in _URL.finditer(text or ""):
        url = match.group(0).rstrip(".,;:!")
        host = url.split("//", 1)[1].split("/", 1)[0].split("@")[-1].split(":")[0]
        service = _service(host)
        if service and url not in found:
            found[url] = CloudLink(url, service)
    return list(found.values())
