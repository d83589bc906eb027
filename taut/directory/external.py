"""The established directories of the field, shown on the search page so that a person in pain
can look further than Taut's own listings. Each names who keeps it, where it lists, and what it
lists; the addresses are the organisations' own sites as they publish them (linked, never
fetched by this server)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Directory:
    name: str
    region: str
    lists: str
    url: str


DIRECTORIES: tuple[Directory, ...] = (
    Directory(
        "National Association of Myofascial Trigger Point Therapists (NAMTPT)",
        "United States",
        "members trained in trigger point therapy, many with the CMTPT credential",
        "https://www.myofascialtherapy.org/",
    ),
    Directory(
        "Certification Board for Myofascial Trigger Point Therapists (CBMTPT)",
        "United States",
        "therapists who passed the board's CMTPT examination",
        "https://www.cbmtpt.org/",
    ),
    Directory(
        "NMT Center",
        "United States and abroad",
        "therapists certified in NMT, American version",
        "https://www.nmtcenter.com/",
    ),
    Directory(
        "St. John Method of NMT",
        "United States and abroad",
        "therapists trained in the St. John method",
        "https://www.stjohnseminars.com/",
    ),
    Directory(
        "Anatomy Trains",
        "worldwide",
        "practitioners trained in Anatomy Trains structural integration",
        "https://www.anatomytrains.com/",
    ),
    Directory(
        "College of Massage Therapists of Ontario: public register",
        "Canada (Ontario)",
        "every registered massage therapist (RMT) licensed in Ontario",
        "https://www.cmto.com/",
    ),
    Directory(
        "College of Health and Care Professionals of British Columbia: registrant lookup",
        "Canada (British Columbia)",
        "registered massage therapists licensed in British Columbia",
        "https://chcpbc.org/",
    ),
    Directory(
        "Interest group for myofascial trigger point therapy (IMTT)",
        "Switzerland, Germany, Austria",
        "therapists with IMTT trigger point training",
        "https://www.imtt.ch/",
    ),
    Directory(
        "David G. Simons Academy (DGSA)",
        "Europe",
        "therapists trained in trigger point therapy and dry needling",
        "https://www.dgs-academy.com/",
    ),
)
