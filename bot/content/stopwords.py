"""Words that carry no topic.

FUNCTION_WORDS never name anything. SOFT_WORDS are the filler of learner questions ("learn", "best",
"start", "guide") that can still be part of a name ("machine learning", "best practices", "getting
started"): the search keeps them where they form a name the content uses, and drops them elsewhere.
"""
from __future__ import annotations

FUNCTION_WORDS = frozenset("""
a about above after again against all also am an and any anyone are aren as at be because been before
being below between both but by can cannot could couldn did didn do does doesn doing don down during each
few for from further had has have having he her here hers herself him himself his how i if in into is
isn it its itself just me more most my myself no nor not of off on once only or other our ours ourselves
out over own same she should so some such than that the their theirs them themselves then there these
they this those through to too under until up very was we were what when where which while who whom why
will with would you your yours yourself yourselves im ive id whats hows thats theres youre dont cant wont
whats s t d ll m re ve u ur ya yo pls plz please thanks thank thx hi hello hey hiya ok okay lol lmao
guys folks everyone anybody someone somebody anyone kinda sorta gonna wanna gotta af tho btw imo
idk idc tbh ngl rn smh wtf omg bruh ofc hmm ugh yall lemme gimme q ppl pls plz halp dm
""".split())

SOFT_WORDS = frozenset("""
help need want know tell explain explained explanation learn learning learned started start starting
getting get got go going best good better way ways really actually thing things something stuff like idea
ideas question questions mean means meaning use using used make making made work works working tips tip
guide basics basic intro introduction many much lot lots understand understanding difference vs versus
one two new simple simply quick quickly worth begin beginner beginners advice recommend recommendations
should would maybe even still just already ever every
approach approaches tackle handle figure deal dealing look looking next kind sort
""".split())

STOPWORDS = FUNCTION_WORDS | SOFT_WORDS
