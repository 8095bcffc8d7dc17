"""Line-breaking rules shared by every output that wraps text itself (charts, deck).

One definition of where a line may not break (kinsoku: closing punctuation and units may not
begin a line, opening punctuation may not end one) and of what is kept whole (Latin words and
numbers with their signs, decimals and separators). The measuring stays with each output, which
knows its own font metrics; the rules do not differ between them.
"""

from __future__ import annotations

import re

# May not begin a line (closing punctuation, units that belong to the number before).
NO_START = frozenset("，。、；：！？）》」』】〕〉”’%％…·,.;:!?)]}—～-–／/")
# May not end a line (opening punctuation).
NO_END = frozenset("（《「『【〔〈“‘([{")
# Kept whole: Latin words and numbers with their signs, decimals, separators and percent sign;
# any other character (a CJK character, a space run) is a piece of its own.
WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9.,+/&'’_%-]*|\s+|.", re.S)
