"""Words that carry no topic: English function words and the filler of learner questions."""
from __future__ import annotations

STOPWORDS = frozenset("""
a about above after again against all also am an and any anyone are aren as at be because been before
being below between both but by can cannot could couldn did didn do does doesn doing don down during each
few for from further had has have having he her here hers herself him himself his how i if in into is
isn it its itself just me more most my myself no nor not of off on once only or other our ours ourselves
out over own same she should so some such than that the their theirs them themselves then there these
they this those through to too under until up very was we were what when where which while who whom why
will with would you your yours yourself yourselves im ive id whats hows thats theres youre dont cant wont
whats s t d ll m re ve
please pls plz thanks thank hi hello hey help me want wanna need know tell explain explained explanation
learn learning started start getting get got go going best good way ways really actually thing things
something stuff someone anybody should would like idea ideas question questions mean means meaning
use using used make making made do does did work works working tips tip guide basics basic intro
introduction many much lot lots understand understanding difference vs versus one two new simple simply quick quickly
""".split())
