"""The sample export of the TTHC system (harvesters/samples/) as a bd_procedures harvest
source on the running portal: which files to serve, and the source's config."""
from __future__ import annotations

import pathlib
import shutil

from ckanext.binhduong.harvesters.samples import make_samples as samples

ROOT = pathlib.Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "harvesters" / "samples"
PROCEDURES_PAGES = ["api/mau-thu-tuc-hanh-chinh-trang-1.json", "api/mau-thu-tuc-hanh-chinh-trang-2.json",
                    "api/mau-thu-tuc-hanh-chinh-trang-3.json"]
STATISTICS_CSV = "mau-tinh-hinh-giai-quyet.csv"


def copy_samples(root: pathlib.Path) -> None:
    """The procedures as a paged JSON API (three pages linked by ``links.next``) and the
    monthly figures as a CSV, under ``root``."""
    (root / "api").mkdir(exist_ok=True)
    for page in PROCEDURES_PAGES:
        shutil.copyfile(SAMPLES / page, root / page)
    shutil.copyfile(SAMPLES / STATISTICS_CSV, root / STATISTICS_CSV)


def source_config(statistics_url: str, names: dict[str, str], organization_name: str) -> dict:
    """The config of a source publishing the two datasets under ``names``. Every sample agency
    is accounted for (none has an organization but the Department of Justice, linked to
    ``organization_name``), so a clean run reports nothing."""
    agencies = ({row["Cơ quan thực hiện"] for row in samples.procedures()}
                | {row["agency"] for row in samples.statistics()})
    return {
        "procedures": {"name": names["procedures"]},
        "statistics": {"url": statistics_url, "name": names["statistics"]},
        "contact": {"name": "Phòng Kiểm soát thủ tục hành chính", "email": "kstthc@binhduong.gov.vn"},
        "agency_map": {**{agency: "" for agency in agencies}, "Sở Tư pháp": organization_name},
    }
