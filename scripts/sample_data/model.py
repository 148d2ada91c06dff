"""The shape of one fictional contest entry and a tiny markup for writing its text."""
from __future__ import annotations

from dataclasses import dataclass, field

PREFIX = "ЖИ байқауы_"


@dataclass(frozen=True)
class Form:
    """One application-form row (without file_name and project_title, which come from the entry)."""

    age: int
    library: str
    library_type: str  # public_mcib | university | college | school | private
    region: str
    contact: str
    received_at: str  # ISO 8601 with +05:00
    participation: str = "individual"  # individual | team
    team_members: str = ""


@dataclass(frozen=True)
class Entry:
    key: str
    surname: str
    name: str
    lang: str  # kk | kk-latn | ru | en | mixed
    fmt: str  # pdf | docx | pptx | txt | md
    title: str
    body: str  # markup: "# heading" lines, paragraphs separated by blank lines
    form: Form
    table: tuple[tuple[str, ...], ...] = ()
    file_name: str = ""  # overrides the rule-based name (misnamed / wrong-extension files)
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def default_name(self) -> str:
        return f"{PREFIX}{self.surname}.{self.fmt}"

    @property
    def name_on_disk(self) -> str:
        return self.file_name or self.default_name

    def sections(self) -> list[tuple[str, list[str]]]:
        return parse_sections(self.body)

    def words(self) -> int:
        return len(self.title.split()) + sum(
            len(h.split()) + sum(len(p.split()) for p in ps) for h, ps in self.sections()
        )


def parse_sections(body: str) -> list[tuple[str, list[str]]]:
    """'# Heading' starts a section; blank lines separate paragraphs; line breaks inside are joined."""
    sections: list[tuple[str, list[str]]] = []
    heading, paras, buf = "", [], []  # type: ignore[var-annotated]

    def flush_para() -> None:
        if buf:
            paras.append(" ".join(s.strip() for s in buf))
            buf.clear()

    for line in body.strip().splitlines():
        if line.startswith("# "):
            flush_para()
            if heading or paras:
                sections.append((heading, list(paras)))
            heading, paras = line[2:].strip(), []
        elif not line.strip():
            flush_para()
        else:
            buf.append(line)
    flush_para()
    if heading or paras:
        sections.append((heading, list(paras)))
    return sections


def body_text(title: str, sections: list[tuple[str, list[str]]]) -> str:
    parts = [title]
    for heading, paras in sections:
        if heading:
            parts.append(heading)
        parts.extend(paras)
    return "\n\n".join(parts)
