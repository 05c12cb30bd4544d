"""JUnit XML that stays well-formed whatever bytes a log holds.

A QEMU console can carry anything: NUL and other control characters,
firmware escape sequences, bytes that are not UTF-8 (decoded as U+FFFD),
a literal "]]>". XML 1.0 allows only #x9, #xA, #xD, #x20-#xD7FF,
#xE000-#xFFFD and #x10000-#x10FFFF (section 2.2, production [2]); every
other character is written as the visible text "\\xNN" (or "\\uNNNN"), so
the file parses and still shows what was there. "<", "&" and "]]>" need
nothing here: ElementTree escapes them.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _escape(m: re.Match) -> str:
    code = ord(m.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def xml_safe(text: str | None) -> str | None:
    """@text with every character XML 1.0 forbids spelled out as \\xNN."""
    return None if text is None else _NOT_XML.sub(_escape, text)


def sanitize(root: ET.Element) -> ET.Element:
    """Make every text, tail and attribute value of the tree XML-safe."""
    for element in root.iter():
        element.text = xml_safe(element.text)
        element.tail = xml_safe(element.tail)
        for key, value in element.attrib.items():
            element.attrib[key] = xml_safe(value)
    return root
