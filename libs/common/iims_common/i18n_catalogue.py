"""Keep the shared gettext catalogue in step with the code (`make i18n`).

``python -m iims_common.i18n_catalogue`` extracts every ``_("...")`` of `libs/` and
`services/` with Babel, adds pydantic-core's message templates (translated by error type,
see `iims_common.i18n.pydantic_message`), and merges them into
`iims_common/locale/zh_CN/LC_MESSAGES/iims.po`: new msgids appear with an empty `msgstr`
for a person to translate, translations of msgids no longer used are dropped. With
``--check`` it changes nothing and exits 1 listing what is missing (the test does the same).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from iims_common.i18n import DEFAULT_LOCALE, DOMAIN, LOCALE_DIR

ROOT = Path(__file__).resolve().parents[3]
SOURCE_DIRS = ("libs", "services")
# Text that is not written as `_("...")` in our code but is rendered through the catalogue.
EXTRA_MSGIDS = (" or ", "; ")
CATALOGUE_DATE = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def _python_files(directory: Path) -> Iterator[tuple[str, int, Any, list[str], Any]]:
    yield from extract_from_dir(
        str(directory),
        method_map=[("**/tests/**.py", "ignore"), ("**.py", "python")],
        keywords={"_": None},
        comment_tags=("i18n:",),
        strip_comment_tags=True,
    )


def extract(root: Path = ROOT) -> Catalog:
    """A template catalogue of every msgid the platform renders."""
    from pydantic_core._pydantic_core import list_all_errors

    template = Catalog(
        domain=DOMAIN,
        project="IIMS platform",
        version="1",
        charset="utf-8",
        fuzzy=False,
        # Fixed, so that `make i18n` in two checkouts does not conflict on the header.
        creation_date=CATALOGUE_DATE,
        revision_date=CATALOGUE_DATE,
    )
    for sub in SOURCE_DIRS:
        for filename, lineno, message, comments, _context in _python_files(root / sub):
            if isinstance(message, str) and message:
                template.add(
                    message, locations=[(f"{sub}/{filename}", lineno)], auto_comments=comments
                )
    for error in list_all_errors():
        template.add(
            error["message_template_python"],
            auto_comments=[f"pydantic error type: {error['type']}"],
        )
    for msgid in EXTRA_MSGIDS:
        template.add(msgid)
    return template


def catalogue_path(locale: str = DEFAULT_LOCALE) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def read(locale: str = DEFAULT_LOCALE) -> Catalog:
    path = catalogue_path(locale)
    if not path.exists():
        return Catalog(locale=locale, domain=DOMAIN, project="IIMS platform", fuzzy=False)
    with path.open("rb") as f:
        return read_po(f, locale=locale)


def missing(template: Catalog, catalogue: Catalog) -> list[str]:
    """msgids of `template` that `catalogue` does not translate."""
    out = []
    for message in template:
        if not message.id:
            continue
        existing = catalogue.get(message.id)
        if existing is None or not existing.string or existing.fuzzy:
            out.append(str(message.id))
    return out


def update(locale: str = DEFAULT_LOCALE) -> list[str]:
    """Merge the extracted msgids into the locale's .po; returns the untranslated msgids."""
    template = extract()
    catalogue = read(locale)
    catalogue.update(template, no_fuzzy_matching=True)
    catalogue.creation_date = CATALOGUE_DATE
    catalogue.revision_date = CATALOGUE_DATE
    catalogue.obsolete.clear()
    path = catalogue_path(locale)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        write_po(f, catalogue, width=100, sort_output=True, include_lineno=False)
    return missing(template, catalogue)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="only report, change nothing")
    args = parser.parse_args()
    todo = missing(extract(), read()) if args.check else update()
    for msgid in todo:
        print(f"untranslated: {msgid!r}")
    return 1 if todo else 0


if __name__ == "__main__":
    sys.exit(main())
