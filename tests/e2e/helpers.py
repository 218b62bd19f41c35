"""What the browser tests share: where screenshots go, and how a page's visible words are read and checked for raw
codes, English the Italian catalogue translates, and amounts in English format."""

import re
from pathlib import Path

import polib
from django.conf import settings

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def screenshot(page, name, size, *, prefix):
    """The whole page as var/screenshots/<prefix>_<name>_<size>.png, for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{prefix}_{name}_{size}.png"), full_page=True)


RAW_CODE = re.compile(r"\b[a-z]+_[a-z_]+\b")
URL_OR_EMAIL = re.compile(r"(https?://\S+|/[\w./?=&%-]+|[\w.+-]+@[\w-]+\.[\w.-]+)")
ENGLISH_AMOUNT = re.compile(r"\b\d+\.\d\d (EUR|€)")


# What every page's visible words are: text nodes of rendered elements, and the words of buttons and fields.
VISIBLE_TEXTS = """() => {
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, parent = node.parentElement;
    if (!parent || !node.textContent.trim() || parent.closest('script,style,template,noscript')) continue;
    if (!parent.checkVisibility()) continue;
    texts.push(node.textContent.trim().replace(/\\s+/g, ' '));
  }
  for (const el of document.querySelectorAll('input[type=submit],input[type=button],[placeholder],[title]')) {
    if (!el.checkVisibility()) continue;
    for (const attr of ['value', 'placeholder', 'title']) {
      if (el.getAttribute(attr) && (attr !== 'value' || el.type === 'submit' || el.type === 'button')) {
        texts.push(el.getAttribute(attr).trim());
      }
    }
  }
  return texts;
}"""


def translated_english():
    """Every English sentence the Italian catalogue translates differently, as a pattern matching a whole text."""
    patterns = []
    for entry in polib.pofile(str(Path(settings.BASE_DIR) / "locale" / "it" / "LC_MESSAGES" / "django.po")):
        if entry.obsolete or "fuzzy" in entry.flags:
            continue
        pairs = [(entry.msgid, entry.msgstr)]
        if entry.msgid_plural:
            plural = entry.msgstr_plural
            pairs = [(entry.msgid, plural.get(0, "")), (entry.msgid_plural, plural.get(1, ""))]
        for english, italian in pairs:
            if not italian or italian == english or len(english) < 4:
                continue
            words = re.split(r"%\(\w+\)[sdf]|%[sdf]|\{\w*\}", english)
            if sum(len(w.strip()) for w in words) < 4:
                continue  # e.g. "%(count)s km": nothing English left to see
            patterns.append((english, re.compile(r"\s*" + "(.+?)".join(re.escape(w) for w in words) + r"\s*")))
    return patterns


def problems_of(texts, english):
    found = []
    for text in texts:
        words = URL_OR_EMAIL.sub(" ", text)
        for code in RAW_CODE.findall(words):
            found.append(f"raw code {code!r} in {text!r}")
        for msgid, pattern in english:
            if pattern.fullmatch(text):
                found.append(f"untranslated {msgid!r}")
    return found


def reads_italian(page):
    """No raw code, no English the catalogue translates, no amount in English format on the page."""
    texts = page.evaluate(VISIBLE_TEXTS)
    assert problems_of(texts, translated_english()) == []
    assert not [text for text in texts if ENGLISH_AMOUNT.search(text)]
